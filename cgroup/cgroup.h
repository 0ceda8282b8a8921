/* cgroup v2: one group per unit, /sys/fs/cgroup/<CONFIG_CGROUP_ROOT>/<unit>,
 * with the unit's [Resources] written before any of its processes enters
 * (clone3 with CLONE_INTO_CGROUP on the returned dirfd), plus the readers
 * and the kill/remove steps the launcher and PID 1 need.
 *
 * Only the conversions are built without CONFIG_CGROUPS; every other call
 * then fails with "this build has no cgroup support (CONFIG_CGROUPS)". */
#ifndef SBX_CGROUP_H
#define SBX_CGROUP_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../config/spec.h"
#include "../lib/err.h"

#define CG_MOUNT "/sys/fs/cgroup"

/* CPUShares= (cgroup v1, 2..262144) -> cpu.weight (1..10000) with the
 * mapping crun and runc use, so both runtimes give a unit the same weight:
 * 2 -> 1, 1024 -> 100, 262144 -> 10000. 0 -> 1. */
uint64_t cg_shares_to_weight(uint64_t shares);

/* cpu.max's "QUOTA PERIOD" for a quota in 1/100 % of one CPU (5000 = 50%,
 * 15000 = 150%). The quota is at least 1000 us, the kernel's smallest, so
 * a tiny percentage of a short period is not rejected. period_us 0 = the
 * default 100000; permyriad LIMIT_INFINITY = "max PERIOD". 0, or -1 when
 * buf is too small or the product overflows. */
int cg_cpu_max(char *buf, size_t len, uint64_t permyriad, uint64_t period_us);

#if CONFIG_CGROUPS
/* Room for a unit group's path, with its NUL. */
#define CG_PATH_MAX (sizeof CG_MOUNT "/" CONFIG_CGROUP_ROOT "/" + UNIT_NAME_MAX)

/* True when /sys/fs/cgroup is a cgroup2 mount; else false with *e saying
 * so. Only looks (statfs), never writes. */
bool cg_available(struct err *e);

/* Create the unit's group, enabling in every parent's subtree_control the
 * controllers s->res needs (failing with a message naming the controller
 * and the key when the kernel does not offer it), and write every limit.
 * A leftover group of the unit is replaced when empty, an error when
 * processes still live in it. Puts the group's path in path (CG_PATH_MAX
 * bytes are always enough) and an O_DIRECTORY|O_CLOEXEC fd of it,
 * for clone3(CLONE_INTO_CGROUP), in *dirfd. On failure nothing is left
 * behind but the (empty) parents. */
int cg_create(const struct spec *s, char *path, size_t len, int *dirfd, struct err *e);

/* PID 1 at boot, before any unit: pids.max on the units' group
 * CG_MOUNT/CONFIG_CGROUP_ROOT = the kernel's task limit (the smaller of
 * threads-max and pid_max) less the tasks that exist now (kernel threads,
 * PID 1) less a reserve (CONFIG_PIDS_RESERVE_PERCENT of it, at least 64),
 * with the pids controller on down to the units' groups; *cap = the value
 * written. From then on cg_create() gives each unit's group at most that
 * cap less the reserve (its TasksMax= when lower), so that no unit can take
 * the last tasks of PID 1, of a shell outside the units, or (the same
 * reserve again) of the other units and the admin's console. 0 and *cap 0
 * when CONFIG_PIDS_RESERVE_PERCENT is 0. */
int cg_cap_units(uint64_t *cap, struct err *e);

/* Move pid into the group (cgroup.procs): the fallback where clone3 with
 * CLONE_INTO_CGROUP is missing (kernels before 5.7). */
int cg_attach(int dirfd, pid_t pid, struct err *e);

/* memory.events "oom_kill": processes of the group the OOM killer killed.
 * A group without the memory controller has no such file: 0 kills. */
int cg_oom_kills(int dirfd, uint64_t *n, struct err *e);
/* memory.current: bytes charged to the group now. */
int cg_memory_current(int dirfd, uint64_t *bytes, struct err *e);
/* cgroup.events "populated": any process left in the group or below. */
int cg_populated(int dirfd, bool *populated, struct err *e);

/* An fd of the group's cgroup.events for an event loop: poll/epoll report
 * POLLPRI (EPOLLPRI) whenever the file changes, e.g. when the last process
 * leaves; read it from offset 0 (pread) to re-arm. O_CLOEXEC. */
int cg_events_fd(int dirfd, struct err *e);

/* SIGKILL everything in the group and below with cgroup.kill, which does
 * not wait for the processes to be gone (cg_remove() does). Before 5.14:
 * freeze the group and kill pid by pid until it is empty (at most 2 s). */
int cg_kill(int dirfd, struct err *e);

/* Remove the group and any child groups its processes made, waiting a
 * bounded time (2 s) for exiting processes to leave it. A group already
 * gone is not an error. Blocking: for shutdown and `sandboxctl run`, never
 * in PID 1's loop (cg_release_begin/_poll are). */
int cg_remove(const char *path, struct err *e);

/* Releasing a group through an event loop, never sleeping. begin: kill
 * everything in it (cgroup.kill; before 5.14 freeze and one pass over its
 * pids) and try to remove it (dirfd: an open fd of the group, or -1 to
 * open path). 0: removed, or already gone; 1: still populated (or, rarely,
 * empty but not removable yet): *events_fd is an O_CLOEXEC fd of its
 * cgroup.events to watch for EPOLLPRI (the kernel notifies every change;
 * it was read once through that fd, so a change from now on is reported);
 * also call poll on a timer, which bounds the wait and covers "empty but
 * busy". -1: error (e); *events_fd is -1. */
int cg_release_begin(const char *path, int dirfd, int *events_fd, struct err *e);

/* On EPOLLPRI of *events_fd, or the caller's timer: reads cgroup.events
 * (which re-arms the fd); populated: SIGKILL again what is left (a fork
 * that raced the first kill) and 1; empty: child groups then the group
 * removed, *events_fd closed and -1, and 0 (1 while rmdir says EBUSY).
 * -1: error (e), *events_fd closed. Never sleeps. */
int cg_release_poll(const char *path, int *events_fd, struct err *e);

#else

#define CG_PATH_MAX (sizeof CG_MOUNT "/" + UNIT_NAME_MAX)

static inline bool cg_available(struct err *e)
{
	err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
	return false;
}

static inline int cg_create(const struct spec *s, char *path, size_t len, int *dirfd,
			    struct err *e)
{
	(void)s;
	(void)path;
	(void)len;
	(void)dirfd;
	return err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
}

static inline int cg_cap_units(uint64_t *cap, struct err *e)
{
	*cap = 0;
	return err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
}

static inline int cg_attach(int dirfd, pid_t pid, struct err *e)
{
	(void)dirfd;
	(void)pid;
	return err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
}

static inline int cg_oom_kills(int dirfd, uint64_t *n, struct err *e)
{
	(void)dirfd;
	(void)n;
	return err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
}

static inline int cg_memory_current(int dirfd, uint64_t *bytes, struct err *e)
{
	(void)dirfd;
	(void)bytes;
	return err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
}

static inline int cg_populated(int dirfd, bool *populated, struct err *e)
{
	(void)dirfd;
	(void)populated;
	return err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
}

static inline int cg_events_fd(int dirfd, struct err *e)
{
	(void)dirfd;
	return err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
}

static inline int cg_kill(int dirfd, struct err *e)
{
	(void)dirfd;
	return err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
}

static inline int cg_remove(const char *path, struct err *e)
{
	(void)path;
	return err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
}

static inline int cg_release_begin(const char *path, int dirfd, int *events_fd, struct err *e)
{
	(void)path;
	(void)dirfd;
	*events_fd = -1;
	return err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
}

static inline int cg_release_poll(const char *path, int *events_fd, struct err *e)
{
	(void)path;
	*events_fd = -1;
	return err_set(e, 0, "this build has no cgroup support (CONFIG_CGROUPS)");
}
#endif

#endif
