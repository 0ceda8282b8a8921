/* RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=,
 * ConfigurationDirectory= (systemd.exec(5)) on the host: created by the
 * launch child, as root, after User=/Group= are resolved and before the
 * rootfs is set up; and RuntimeDirectory= removed by a short-lived child
 * of PID 1 when the unit goes down. Both work on fds from the base folder
 * (/run, /var/lib, /var/cache, /var/log, /etc) down, never following a
 * symlink: the unit owns the last folder and may plant anything in it. */
#ifndef SBX_EXECDIRS_H
#define SBX_EXECDIRS_H

#include "../config/spec.h"
#include "../lib/err.h"
#include "../rootfs/fail.h"
#include "../rootfs/mounts.h"
#include "userdb.h"

/* Child side, no allocation. Each BASE/NAME: every missing component
 * made (0755, root's; the last with the unit's mode), the last chowned to
 * ids' uid/gid (not a ConfigurationDirectory=, which stays root's, as in
 * systemd) and chmod'ed to the mode. p (NULL without a mount namespace)
 * gets each folder's fd in p->execdirs, for its bind; without p they are
 * closed. A folder that is or holds one of p->hide (PID 1's) is refused.
 * -1 with f = ("create", "/var/lib/redis", errno): a symlink anywhere
 * after the base is ELOOP. */
int sbx_execdirs_create(const struct spec *s, const struct sbx_ids *ids,
			const struct rootfs_plan *p, struct step_fail *f);

/* PID 1 side, when the unit has gone down (its cgroup empty): fork a
 * child that removes every RuntimeDirectory= folder (unless
 * RuntimeDirectoryPreserve=yes; the caller decides for "restart"), with
 * only openat/unlinkat on fds, O_NOFOLLOW | O_DIRECTORY, never crossing
 * into another file system, at most EXECDIRS_RM_DEPTH deep. It ends
 * itself after EXECDIRS_RM_TIMEOUT_S and writes any failure as one line
 * on its stderr. Returns a pidfd (O_CLOEXEC: readable once it exited; it
 * is reaped as any child of PID 1), or -1: e->errnum 0 and e->msg "" when
 * there is nothing to remove, else why the child could not be made. */
#define EXECDIRS_RM_DEPTH 64
#define EXECDIRS_RM_TIMEOUT_S 10
int execdirs_remove_begin(const struct spec *s, struct err *e);

#endif
