/* NoExecPaths= and ExecPaths= (systemd.exec(5)) in the sandbox, after
 * pivot_root, with the masks: each path is bound onto itself (a recursive
 * clone, so the mounts below it stay) and the clone gets noexec, on every
 * mount of it, for NoExecPaths=; for ExecPaths= noexec is lifted from the
 * clone's own top mount only, so that a mount below it which is noexec of
 * its own (a tmpfs, /dev/shm) stays so. Shorter paths first: an
 * ExecPaths= inside a NoExecPaths= re-allows exec below it. A "-" path
 * that is missing is skipped, any other missing path fails the start.
 * Child side: no allocation. */
#ifndef SBX_ROOTFS_EXECPATHS_H
#define SBX_ROOTFS_EXECPATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "fail.h"

struct rootfs_execpath {
	const char *path;           /* normalized, inside the root */
	bool exec;                  /* ExecPaths= (else NoExecPaths=) */
	bool optional;              /* "-": missing is no error */
};

/* rootfd: the sandbox's "/" after pivot_root; paths in apply order. */
int rootfs_exec_paths(int rootfd, const struct rootfs_execpath *v, size_t n,
		      struct step_fail *f);

#endif
