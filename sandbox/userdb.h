/* User=, Group= and SupplementaryGroups= names -> numbers, in the launch
 * child (issue #10): PID 1 never reads a file of a unit's rootfs, where a
 * hung network or FUSE mount would stop it for good. The child reads the
 * unit's own ROOT/etc/passwd and ROOT/etc/group (the system's without a
 * RootDirectory) before it enters the sandbox, as config/ids.c does for
 * `sandboxctl check`: the root opened with no symlink on its path, the file
 * resolved inside it (RESOLVE_IN_ROOT), opened O_PATH, checked to be a
 * regular file and reopened non-blocking. No allocation: the files are
 * streamed through a fixed buffer, line by line. */
#ifndef SBX_USERDB_H
#define SBX_USERDB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../config/spec.h"
#include "../rootfs/fail.h"

struct sbx_ids {
	uid_t uid;
	gid_t gid;
	size_t n_groups;
	gid_t groups[SPEC_MAX_GROUPS];
};

/* From s's numbers (what the loader resolved, or the numeric values) and
 * names. The rules are config/ids.c's: User=NAME is looked up in passwd;
 * without Group=, the gid is that of NAME's line (of a numeric User=, that
 * of the first passwd line with the uid; the uid itself when there is
 * none); Group= and named supplementary
 * groups in group; the first matching line wins. -1 with f = ("user",
 * "redis: not found in /srv/x/etc/passwd", 0), or ("user", "redis:
 * /srv/x/etc/passwd", errno) when the file cannot be read. f's path lives
 * in static storage (the child's own copy). */
int sbx_ids_resolve(const struct spec *s, struct sbx_ids *ids, struct step_fail *f);

/* One user (group false) or group name of a tmpfs uid=/gid= option for
 * the mount at dest, from the same files by the same rules. -1 with f =
 * ("tmpfs", "/run/redis: no user redis in /srv/x/etc/passwd", 0), or
 * ("tmpfs", "/run/redis: user redis: /srv/x/etc/passwd", errno). */
int sbx_tmpfs_id(const char *root, bool group, const char *name, const char *dest,
		 unsigned long *out, struct step_fail *f);

#endif
