/* The supervisor: the set of services, started in dependency order,
 * restarted by policy, stopped on request or at shutdown. Called from the
 * event loop only (single-threaded); nothing here may exit the process. */
#ifndef SBX_SUP_H
#define SBX_SUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "svc.h"

#define SUP_MAX_UNITS 256

enum shutdown_kind { SHUTDOWN_NONE, SHUTDOWN_POWEROFF, SHUTDOWN_REBOOT, SHUTDOWN_HALT };

struct sup {
	struct loop loop;
	const char *units_dir;
	const char *run_dir;        /* CONFIG_RUN_DIR, or $SANDBOXD_RUN_DIR */
	bool stopping_all;          /* shutdown: stop in reverse dependency order */
	bool pid1;                  /* we are the system's init */
	bool use_cgroups;           /* cgroup2 usable at /sys/fs/cgroup */
	bool debug;
	int console_fd;             /* our own messages */
	struct svc *svcs[SUP_MAX_UNITS];
	size_t n;
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
/* Free units that reload removed (outside of an event batch). */
void sup_collect(struct sup *sv);

#endif
