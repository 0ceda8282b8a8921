/* The mount plan of one sandbox: built in the parent from the spec (paths
 * normalized, tmpfs options split; no path of the unit is touched there),
 * carried out by the launch child in its new mount namespace in a fixed
 * order:
 *   the bind sources and the root checked against the mount table
 *   (kernbind.h); / recursively private; RootDirectory= opened (no symlink in it); the
 *   system's root made read-only with its submounts (no RootDirectory,
 *   when asked); PID 1's folders covered (hide.h); the root bound from its
 *   fd onto itself; /proc (its fd kept); /dev with PID 1's notify and syslog
 *   sockets (opened before the covers); /sys and /sys/fs/cgroup; the
 *   unit's own mounts (sources opened with no symlink); pivot_root; the
 *   rootfs made read-only when asked; masked and read-only paths (under
 *   /proc and /sys relative to those mounts, kernfs.h); /proc and /sys
 *   checked to be our mounts.
 * Without a RootDirectory the unit keeps the system's root (no pivot_root)
 * but still gets its own /proc and /sys, mounts, masked and read-only
 * paths. */
#ifndef SBX_ROOTFS_MOUNTS_H
#define SBX_ROOTFS_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "../config/spec.h"
#include "../lib/arena.h"
#include "../lib/err.h"
#include "fail.h"
#include "resolve.h"

struct rootfs_kv {
	const char *key;
	const char *value;          /* NULL: a flag option */
};

enum rootfs_op_kind { ROOTFS_OP_BIND, ROOTFS_OP_TMPFS };

struct rootfs_op {
	enum rootfs_op_kind kind;
	const char *source;         /* host path (bind) */
	const char *dest;           /* normalized, inside the root */
	enum rootfs_kind dest_kind; /* tmpfs: what to create when dest is
				     * missing; a bind takes its source's */
	unsigned attrs;             /* SBX_MOUNT_ATTR_* */
	const struct rootfs_kv *opts;
	size_t n_opts;
};

/* Mounts of one sandbox the child carries out: the parser's cap
 * (UNIT_MOUNTS_MAX, 256) plus its default /tmp and /run, with room. */
#define ROOTFS_MAX_OPS 272

struct rootfs_plan {
	struct arena arena;
	const char *root;           /* NULL: keep the system's root */
	unsigned namespaces;        /* NS_BIT() set of the sandbox */
	bool root_readonly;
	const char *const *hide;    /* host folders to cover; NULL-ended or NULL */
	const char *control_sock;   /* re-exposed inside its cover; NULL: none */
	/* PID 1's notify and syslog sockets (host paths), bound at
	 * /dev/.notify and /dev/log (unitsock.h); NULL: none */
	const char *notify_sock, *log_sock;
	struct rootfs_op *ops;
	size_t n_ops;
	const char **masked;
	size_t n_masked;
	const char **readonly;
	size_t n_readonly;
};

/* Parent side, no file system access. Errors name the unit's path:
 * "mount destination x: not an absolute path". A missing root or bind
 * source is the child's error: "root /srv/web: No such file or directory". */
int rootfs_plan_build(const struct spec *s, struct rootfs_plan *p, struct err *e);
void rootfs_plan_free(struct rootfs_plan *p);

/* Child side, in the new mount namespace: the whole sequence above. The
 * caller's cwd ends up at the new "/". */
int rootfs_setup(const struct rootfs_plan *p, struct step_fail *f);

/* Mount a new instance of fstype (options as fsconfig key/values) with the
 * given SBX_MOUNT_ATTR_* onto the O_PATH fd `target`. Returns the mount's
 * fd (the root of the new mount), or -1 with f = (step, path). */
int rootfs_mount_fs(const char *fstype, const struct rootfs_kv *opts, size_t n_opts,
		    unsigned attrs, int target, const char *step, const char *path,
		    struct step_fail *f);

/* Bind a clone of the tree at src (an fd, "" = the fd itself) onto target,
 * applying attrs to the clone first. Returns the attached clone's fd. */
int rootfs_bind_fd(int src, bool recursive, unsigned attrs, int target, const char *step,
		   const char *path, struct step_fail *f);

#endif
