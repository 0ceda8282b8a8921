/* The restart rules as pure functions: no kernel, no clock of their own
 * (the caller passes "now"), so tests/unit/test_policy.c checks them with
 * a fake clock. */
#ifndef SBX_POLICY_H
#define SBX_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "svc.h"

/* systemd's start limit (StartLimitIntervalSec= + StartLimitBurst=): the
 * first start opens an interval; within it, burst starts are allowed and
 * the next is refused; a start after the interval opens a new one. burst
 * or interval 0: no limit. Counts the start when it returns true. */
bool policy_start_allowed(struct start_limit *l, uint64_t interval_ms, unsigned burst,
			  int64_t now_ms);

/* systemd's Restart= table, for an end described by x. A failed start
 * counts as a failure that is neither clean nor abnormal. */
bool policy_wants_restart(enum restart_policy p, const struct svc_exit *x);

/* The delay before the next restart: RestartSec= doubling after each
 * consecutive failure up to RestartMaxSec=; back to RestartSec= once the
 * unit ran for 10x its current delay. *cur is the unit's state (0 at
 * first). */
uint64_t policy_backoff(uint64_t *cur, uint64_t restart_ms, uint64_t max_ms, int64_t ran_ms);

/* What a unit that went down does next (its cgroup is gone). */
struct policy_end {
	const struct svc_exit *last;   /* why it ended */
	enum restart_policy restart;
	enum oom_policy oom;
	bool oneshot;
	bool want_up;          /* the goal now */
	bool stop_requested;   /* we sent KillSignal (stop, restart, reload) */
	bool start_asked;      /* a start came while its cgroup emptied */
	bool dep_failed;       /* stopped because a Requires= unit failed */
	bool removed;          /* reload dropped it */
	bool stopping_all;     /* shutdown */
};

enum policy_verdict {
	PV_INACTIVE,    /* stopped, or a clean end without restart */
	PV_START,       /* a restart was asked: start again now (waiting) */
	PV_BACKOFF,     /* restart after the backoff delay */
	PV_EXITED,      /* a oneshot that succeeded */
	PV_FAILED,      /* given up */
	PV_DEP_FAILED,  /* failed because of a dependency */
	PV_REBOOT,      /* OOMPolicy=reboot: failed, and reboot the system */
};

enum policy_verdict policy_after_end(const struct policy_end *in);

/* One After=/Requires= dependency of a unit that waits to start. */
enum dep_verdict {
	DEP_OK,        /* nothing to wait for */
	DEP_WAIT,      /* still coming up */
	DEP_START,     /* a Requires= unit that is not started: start it, wait */
	DEP_FAIL,      /* a Requires= unit failed or does not exist */
};

/* exists false: no such unit. oneshot: the dependency is Type=oneshot
 * (ready once it exited 0, not while it runs). */
enum dep_verdict policy_dep(bool exists, enum svc_state st, bool required, bool oneshot);

#endif
