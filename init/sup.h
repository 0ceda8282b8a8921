/* The supervisor: the set of services, started in dependency order,
 * restarted by policy, stopped on request or at shutdown. Called from the
 * event loop only (single-threaded); nothing here may exit the process
 * and nothing waits on a unit: launches, exits and cgroup removals are
 * events of the loop (fsm.c's table says what each does).
 *
 * The files: sup.c (requests, reaping, lookups), fsm.c (the table),
 * sup_act.c (the table's actions), policy.c (restart rules), deps.c
 * (dependencies), svc_io.c (stdio, logs, state files), load.c (loading
 * and reload), svcmap.c (the unit array and its indexes), bpfcache.c
 * (seccomp filters shared between units). */
#ifndef SBX_SUP_H
#define SBX_SUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fsm.h"
#include "loop.h"
#include "svc.h"

enum shutdown_kind { SHUTDOWN_NONE, SHUTDOWN_POWEROFF, SHUTDOWN_REBOOT, SHUTDOWN_HALT };

struct sup {
	struct loop loop;
	struct fsm fsm;
	const char *units_dir;
	const char *run_dir;        /* CONFIG_RUN_DIR, or $SANDBOXD_RUN_DIR */
	bool stopping_all;          /* shutdown: stop in reverse dependency order */
	bool pid1;                  /* we are the system's init */
	bool use_cgroups;           /* cgroup2 usable at /sys/fs/cgroup */
	bool debug;
	bool deps_dirty;            /* a state changed: look at waiting units again */
	int console_fd;             /* our own messages */
	/* every unit, in load order; grown by svcmap_add (no fixed cap) */
	struct svc **svcs;
	size_t n, cap;
	/* indexes (svcmap.c): by pid of the main process, by name */
	struct svc **by_pid, **by_name;
	size_t buckets;             /* of each index, a power of 2 */
	unsigned launching;         /* launches in flight */
	int64_t recheck_ms;         /* monotonic: a dependency pass due then (0: none) */
	uint64_t nofile_max;        /* RLIMIT_NOFILE we run with */
	bool nofile_warned;         /* said once that it was reached */
	enum shutdown_kind shutdown;   /* requested; carried out by shutdown.c */
	int64_t boot_mono_ms;          /* when the supervisor started */
	int64_t all_running_ms;        /* first time every unit was up, 0 = not yet */
};

/* Console/log line "sandboxd: ..." (also to stderr when not PID 1). */
void sup_log(struct sup *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct svc *sup_find(struct sup *sv, const char *name);

/* Requests from sandboxctl. Each returns 0, or -1 with a message in msg. */
int sup_start(struct sup *sv, struct svc *s, char *msg, size_t len);
int sup_stop(struct sup *sv, struct svc *s, char *msg, size_t len);
int sup_restart(struct sup *sv, struct svc *s, char *msg, size_t len);
int sup_reset_failed(struct sup *sv, struct svc *s, char *msg, size_t len);
/* sandboxctl reload UNIT: ExecReload= (1: under way, the reply comes
 * through control_unit_reloaded), or ReloadSignal= to the main process
 * (0); -1 with msg when it cannot. */
int sup_reload_unit(struct sup *sv, struct svc *s, char *msg, size_t len);
/* sandboxctl kill: sig to the main process, or (all) to every process
 * of the unit. */
int sup_kill(struct sup *sv, struct svc *s, int sig, bool all, char *msg, size_t len);
/* Re-read the unit folder: new units start, removed ones stop, changed
 * ones restart; bad files are reported in msg and the running set kept. */
int sup_reload(struct sup *sv, char *msg, size_t len);
void sup_request_shutdown(struct sup *sv, enum shutdown_kind k);

/* memory.current of the unit's cgroup, or -1 when unknown. */
long long sup_memory_current(struct sup *sv, struct svc *s);

/* Boot: load the unit folder and start everything in dependency order. */
int sup_init(struct sup *sv, struct err *e);
/* SIGCHLD: reap every child, orphans included, and act on unit exits. */
void sup_reap(struct sup *sv);
/* Shutdown: stop every unit, dependants first; the loop must keep running. */
void sup_stop_all(struct sup *sv);
bool sup_all_stopped(struct sup *sv);
/* Longest TimeoutStopSec of all units, in ms. */
uint64_t sup_longest_stop_timeout(struct sup *sv);
/* ms until the next pass that sup_recheck() owes, -1: none (the loop's
 * wait), and that pass when it is due. */
int sup_recheck_wait_ms(const struct sup *sv);
void sup_recheck(struct sup *sv);
/* Free units that reload removed (outside of an event batch). */
void sup_collect(struct sup *sv);

/* An event for s (fsm.c), run now or after the one being handled. */
void sup_raise(struct sup *sv, struct svc *s, enum svc_event ev);

#endif
