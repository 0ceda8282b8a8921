/* The unit state machine as ONE table, as s6-supervise has it: for each
 * state and event, an action and the next state. fsm_set_state() is the
 * only code that writes svc->state. No re-entrancy: an event raised while
 * another is handled (an action raising one, a state change telling the
 * dependants) is queued on its unit and run after it, in order.
 *
 * The table knows nothing of the kernel: actions are numbers that the
 * supervisor's ops carry out (sup_act.c), so tests/unit/test_fsm.c runs
 * the table with fake ops and a fake clock. */
#ifndef SBX_FSM_H
#define SBX_FSM_H

#include <stdbool.h>

#include "svc.h"

enum fsm_action {
	A_NONE,          /* ignore the event */
	A_WANT,          /* a start: lift the start limit and the backoff */
	A_LAUNCH,        /* start limit, cgroup; the first ExecStartPre=, or the main's launch */
	A_LAUNCHED,      /* the service exec'd: watch its output; ready now or later (Type=) */
	A_LAUNCH_FAILED, /* record why, release the cgroup */
	A_SETUP_TIMEOUT, /* kill the setup, record why, release the cgroup */
	A_ABORT,         /* stop during setup: kill it, release the cgroup */
	A_EARLY_EXIT,    /* reaped before its report was read: read it, then as an exit */
	A_EXITED,        /* classify the end, drain output, kill a control process, release the cgroup */
	A_KILL,          /* KillSignal (+SIGCONT) per KillMode=, arm TimeoutStopSec */
	A_KILL_HARD,     /* TimeoutStopSec passed: SIGKILL per KillMode= */
	A_CLEANUP_TIMER, /* the cgroup did not empty in time: SIGKILL again, then give up */
	A_DECIDE,        /* the unit is down and its cgroup gone: restart policy */
	A_DISARM,        /* cancel the pending timer */
	A_DEP_FAILED,    /* record the failed Requires= unit */
	A_BACKOFF_DONE,  /* RestartSec passed: start again (no limit reset) */
	A_START_LATER,   /* a start while the cgroup empties: start once it is gone */
	/* issue #11 */
	A_READY_EARLY,   /* READY=1 before the launch report was read: kept for A_LAUNCHED */
	A_READY,         /* ready: ExecStartPost=, or running */
	A_START_TIMEOUT, /* TimeoutStartSec= passed before ready: record why, KillSignal */
	A_START_EXITED,  /* the started process ended before ready (Type=forking: exit 0 is it) */
	A_CTL_DONE,      /* a control process ended: the next command, or the next state */
	A_CTL_TIMEOUT,   /* a control process outlived its bound: SIGKILL it, as a failure */
	A_CTL_ABORT,     /* stop during ExecStartPre=: kill it, release the cgroup */
	A_STOP,          /* stop a ready unit: kill a control process, ExecStop=, or A_KILL */
	A_RELOAD,        /* ExecReload=, or ReloadSignal= to the main process */
	A_MAIN_GONE,     /* the main ended during ExecStop=: recorded, the commands go on */
	A_COUNT
};

/* next state of a row: a state, or one of these */
#define FSM_KEEP (-1)        /* stay */
#define FSM_BY_ACTION (-2)   /* the action's return value */

struct fsm_row {
	enum fsm_action action;
	int next;
};

struct fsm;

struct fsm_ops {
	/* Carry out a row's action; returns the next state for an
	 * FSM_BY_ACTION row (ignored otherwise). */
	int (*act)(struct fsm *f, struct svc *s, enum fsm_action a, enum svc_event ev);
	/* After every state change (log, state file, dependants). */
	void (*changed)(struct fsm *f, struct svc *s, enum svc_state old);
	/* The queue is empty: a moment to look at waiting units (events it
	 * raises run next). Returns true when it raised some. */
	bool (*idle)(struct fsm *f);
};

struct fsm {
	const struct fsm_ops *ops;
	void *ctx;
	struct svc *head, *tail;   /* units with queued events */
	bool running;              /* draining the queue */
	unsigned dropped;          /* events lost to a full per-unit queue */
};

/* The row for state x event. */
const struct fsm_row *fsm_row(enum svc_state st, enum svc_event ev);

/* What a unit does on ev, now (or right after the event being handled:
 * then queued). Never fails: a unit's queue holds SVC_EVQ events; the
 * rest are counted in f->dropped and logged by the caller. */
void fsm_raise(struct fsm *f, struct svc *s, enum svc_event ev);
/* Hold the queue while raising many events (boot, reload), so that
 * none runs before all are raised; fsm_batch_end() runs them. */
bool fsm_batch_begin(struct fsm *f);       /* returns what to pass to _end */
void fsm_batch_end(struct fsm *f, bool was_running);
/* The only writer of s->state. */
void fsm_set_state(struct fsm *f, struct svc *s, enum svc_state st);
/* Forget s's queued events (before freeing it). */
void fsm_forget(struct fsm *f, struct svc *s);

/* The unit holds nothing of the kernel's any more (no process, launch or
 * cgroup in flight): it may be freed. */
bool fsm_is_down(enum svc_state st);

#endif
