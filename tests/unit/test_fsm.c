/* The unit state machine (init/fsm.c) without a kernel: its table, its
 * one setter, its queue (an event raised while another runs comes after
 * it), and whole lifecycles driven by fake actions, the restart rules of
 * policy.c and a fake clock: a crash loop into the start limit, a stop
 * during the setup, a setup timeout, Requires= propagation. */
#include <stdlib.h>

#include "check.h"
#include "../../init/fsm.h"
#include "../../init/policy.h"

/* ---- the table ---------------------------------------------------------------- */

static void row(const char *name, enum svc_state st, enum svc_event ev, enum fsm_action a, int next)
{
	const struct fsm_row *r = fsm_row(st, ev);

	t_report(name, r->action == a && r->next == next, "%s x %s: action %d next %d, want %d %d",
		 svc_state_id(st), svc_event_name(ev), r->action, r->next, a, next);
}

static void test_table(void)
{
	row("row: inactive x start waits for deps", SVC_INACTIVE, EV_START, A_WANT, SVC_WAITING);
	row("row: waiting x deps-ready launches", SVC_WAITING, EV_DEPS_READY, A_LAUNCH, FSM_BY_ACTION);
	row("row: waiting x deps-failed fails", SVC_WAITING, EV_DEPS_FAILED, A_DEP_FAILED, SVC_FAILED);
	row("row: starting x launch-ok runs", SVC_STARTING, EV_LAUNCH_OK, A_LAUNCHED, FSM_BY_ACTION);
	row("row: starting x setup-timeout cleans up", SVC_STARTING, EV_SETUP_TIMEOUT, A_SETUP_TIMEOUT,
	    SVC_CLEANUP);
	row("row: starting x main-exited reads the report first", SVC_STARTING, EV_MAIN_EXITED,
	    A_EARLY_EXIT, FSM_BY_ACTION);
	row("row: starting x stop aborts", SVC_STARTING, EV_STOP, A_ABORT, SVC_CLEANUP);
	row("row: running x stop: ExecStop= or KillSignal", SVC_RUNNING, EV_STOP, A_STOP,
	    FSM_BY_ACTION);
	row("row: running x main-exited cleans up", SVC_RUNNING, EV_MAIN_EXITED, A_EXITED, SVC_CLEANUP);
	row("row: stopping x timer kills hard", SVC_STOPPING, EV_TIMER, A_KILL_HARD, FSM_KEEP);
	row("row: cleanup x cgroup-empty decides", SVC_CLEANUP, EV_CGROUP_EMPTY, A_DECIDE, FSM_BY_ACTION);
	row("row: cleanup x timer bounds the wait", SVC_CLEANUP, EV_TIMER, A_CLEANUP_TIMER, FSM_KEEP);
	row("row: cleanup x start is kept for later", SVC_CLEANUP, EV_START, A_START_LATER, FSM_KEEP);
	row("row: backoff x timer waits for deps again", SVC_BACKOFF, EV_TIMER, A_BACKOFF_DONE,
	    SVC_WAITING);
	row("row: failed x reset-failed", SVC_FAILED, EV_RESET_FAILED, A_WANT, SVC_INACTIVE);
	row("row: failed x timer ignored", SVC_FAILED, EV_TIMER, A_NONE, FSM_KEEP);

	/* issue #11: readiness, control processes, reload */
	row("row: start-pre x ctl-exited: next command, the main, or cleanup", SVC_START_PRE,
	    EV_CTL_EXITED, A_CTL_DONE, FSM_BY_ACTION);
	row("row: start-pre x timer: the command's bound", SVC_START_PRE, EV_TIMER, A_CTL_TIMEOUT,
	    FSM_BY_ACTION);
	row("row: start-pre x stop kills the command", SVC_START_PRE, EV_STOP, A_CTL_ABORT,
	    SVC_CLEANUP);
	row("row: starting x ready is kept for launch-ok", SVC_STARTING, EV_READY, A_READY_EARLY,
	    FSM_KEEP);
	row("row: start-wait x ready", SVC_START_WAIT, EV_READY, A_READY, FSM_BY_ACTION);
	row("row: start-wait x timer: TimeoutStartSec", SVC_START_WAIT, EV_TIMER, A_START_TIMEOUT,
	    FSM_BY_ACTION);
	row("row: start-wait x main-exited: forking's start, or an end", SVC_START_WAIT,
	    EV_MAIN_EXITED, A_START_EXITED, FSM_BY_ACTION);
	row("row: start-wait x stop: KillSignal (no ExecStop= before ready)", SVC_START_WAIT,
	    EV_STOP, A_KILL, FSM_BY_ACTION);
	row("row: start-post x ctl-exited", SVC_START_POST, EV_CTL_EXITED, A_CTL_DONE,
	    FSM_BY_ACTION);
	row("row: start-post x main-exited", SVC_START_POST, EV_MAIN_EXITED, A_EXITED, SVC_CLEANUP);
	row("row: running x reload", SVC_RUNNING, EV_RELOAD, A_RELOAD, FSM_BY_ACTION);
	row("row: running x ready again is ignored", SVC_RUNNING, EV_READY, A_NONE, FSM_KEEP);
	row("row: reloading x ctl-exited", SVC_RELOADING, EV_CTL_EXITED, A_CTL_DONE, FSM_BY_ACTION);
	row("row: reloading x timer: 90 s", SVC_RELOADING, EV_TIMER, A_CTL_TIMEOUT, FSM_BY_ACTION);
	row("row: reloading x stop", SVC_RELOADING, EV_STOP, A_STOP, FSM_BY_ACTION);
	row("row: reloading x main-exited", SVC_RELOADING, EV_MAIN_EXITED, A_EXITED, SVC_CLEANUP);
	row("row: stop-cmd x ctl-exited", SVC_STOP_CMD, EV_CTL_EXITED, A_CTL_DONE, FSM_BY_ACTION);
	row("row: stop-cmd x timer", SVC_STOP_CMD, EV_TIMER, A_CTL_TIMEOUT, FSM_BY_ACTION);
	row("row: stop-cmd x main-exited: the commands go on", SVC_STOP_CMD, EV_MAIN_EXITED,
	    A_MAIN_GONE, FSM_KEEP);
	row("row: stop-cmd x stop: already stopping", SVC_STOP_CMD, EV_STOP, A_NONE, FSM_KEEP);
	CHECK_STR("names: start-wait shows as starting", svc_state_name(SVC_START_WAIT), "starting");
	CHECK_STR("names: reloading shows as running", svc_state_name(SVC_RELOADING), "running");
	CHECK_STR("names: stop-cmd shows as stopping", svc_state_name(SVC_STOP_CMD), "stopping");
	CHECK("fsm_is_down: a control process is no down state",
	      !fsm_is_down(SVC_START_PRE) && !fsm_is_down(SVC_STOP_CMD) &&
		      !fsm_is_down(SVC_RELOADING) && !fsm_is_down(SVC_START_WAIT) &&
		      fsm_is_down(SVC_WAITING));

	/* a unit holding a process or a cgroup never becomes "down" on one
	 * event: it goes through cleanup (an action that decides returns
	 * one of its own up states, or cleanup: sup_act.c) */
	bool ok = true;
	char why[128] = "";
	for (int st = 0; st < SVC_STATE_COUNT; st++)
		for (int ev = 0; ev < EV_COUNT; ev++) {
			const struct fsm_row *r = fsm_row((enum svc_state)st, (enum svc_event)ev);

			if (fsm_is_down((enum svc_state)st) || st == SVC_CLEANUP || r->next < 0 ||
			    !fsm_is_down((enum svc_state)r->next))
				continue;
			ok = false;
			snprintf(why, sizeof why, "%s x %s -> %d", svc_state_id((enum svc_state)st),
				 svc_event_name((enum svc_event)ev), r->next);
		}
	t_report("table: no process is dropped without cleanup", ok, "%s", why);

	/* the reserved row (watchdog) exists and does nothing yet */
	ok = true;
	for (int st = 0; st < SVC_STATE_COUNT; st++)
		ok &= fsm_row((enum svc_state)st, EV_WATCHDOG)->action == A_NONE;
	CHECK("table: reserved rows ignored", ok);
	CHECK("table: out of range is ignored",
	      fsm_row(SVC_STATE_COUNT, EV_START)->action == A_NONE &&
		      fsm_row(SVC_RUNNING, EV_COUNT)->next == FSM_KEEP);

	/* every state can be left again (no trap) by start or reset */
	ok = true;
	for (int st = 0; st < SVC_STATE_COUNT; st++) {
		bool out = false;

		for (int ev = 0; ev < EV_COUNT; ev++)
			out |= fsm_row((enum svc_state)st, (enum svc_event)ev)->next != FSM_KEEP;
		ok &= out;
	}
	CHECK("table: every state has a way out", ok);
	CHECK_STR("names: waiting shows as starting", svc_state_name(SVC_WAITING), "starting");
	CHECK_STR("names: cleanup shows as stopping", svc_state_name(SVC_CLEANUP), "stopping");
	CHECK_STR("names: internal id", svc_state_id(SVC_CLEANUP), "cleanup");
}

/* ---- a fake supervisor -------------------------------------------------------------- */

#define NU 3

static struct fake {
	int64_t now;                /* fake monotonic ms */
	struct svc u[NU];
	char log[2048];             /* "name:action " in order */
	unsigned changes;
	bool launch_fails;          /* the next launch fails */
	bool cgroup_slow;           /* cleanup waits for EV_CGROUP_EMPTY from the test */
	int64_t timer_at[NU];       /* armed timer, 0 = none */
	struct start_limit limit[NU];
	uint64_t backoff[NU];
	int requires[NU];           /* index of a Requires= unit, -1 */
	bool notify;                /* Type=notify: launched -> start-wait */
	bool ready_early[NU];
	int pre;                    /* ExecStartPre= commands */
	int ctl_idx[NU];
	bool ctl_fails;
} F;

static struct fsm fsm;

static int idx(const struct svc *s)
{
	return (int)(s - F.u);
}

static void note(const struct svc *s, const char *what)
{
	size_t l = strlen(F.log);

	snprintf(F.log + l, sizeof F.log - l, "%s:%s ", s->name, what);
}

static int fake_act(struct fsm *f, struct svc *s, enum fsm_action a, enum svc_event ev)
{
	int i = idx(s);

	(void)ev;
	switch (a) {
	case A_WANT:
		note(s, "want");
		F.limit[i] = (struct start_limit){ 0 };
		F.backoff[i] = 0;
		F.timer_at[i] = 0;
		break;
	case A_LAUNCH:
		note(s, "launch");
		if (!policy_start_allowed(&F.limit[i], 10000, 5, F.now)) {
			s->last.reason = REASON_START_LIMIT;
			return SVC_FAILED;
		}
		s->stop_requested = false;
		F.timer_at[i] = F.now + 30000;
		if (F.pre) {
			F.ctl_idx[i] = 0;
			return SVC_START_PRE;
		}
		s->pid = 100 + i;
		if (F.launch_fails) {
			s->last.reason = REASON_START_FAILED;
			fsm_raise(f, s, EV_LAUNCH_FAILED);
		}
		return SVC_STARTING;
	case A_LAUNCHED:
		note(s, "launched");
		F.timer_at[i] = 0;
		if (F.notify && !F.ready_early[i]) {
			F.timer_at[i] = F.now + 90000;   /* TimeoutStartSec= */
			return SVC_START_WAIT;
		}
		return SVC_RUNNING;
	case A_READY_EARLY:
		note(s, "ready-early");
		F.ready_early[i] = true;
		break;
	case A_READY:
		note(s, "ready");
		F.timer_at[i] = 0;
		return SVC_RUNNING;
	case A_START_TIMEOUT:
		note(s, "start-timeout");
		s->last.reason = REASON_START_FAILED;
		F.timer_at[i] = F.now + 5000;
		return SVC_STOPPING;
	case A_CTL_DONE:
		note(s, F.ctl_fails ? "ctl-failed" : "ctl-ok");
		if (s->state == SVC_START_PRE) {
			if (F.ctl_fails) {
				s->last.reason = REASON_START_FAILED;
				fsm_raise(f, s, EV_CGROUP_EMPTY);
				return SVC_CLEANUP;
			}
			if (++F.ctl_idx[i] < F.pre)
				return FSM_KEEP;
			s->pid = 100 + i;
			return SVC_STARTING;
		}
		return FSM_KEEP;
	case A_LAUNCH_FAILED:
	case A_SETUP_TIMEOUT:
	case A_ABORT:
	case A_EARLY_EXIT:
	case A_EXITED:
		note(s, a == A_EXITED ? "exited" : a == A_ABORT ? "abort" :
			a == A_SETUP_TIMEOUT ? "timeout" : a == A_EARLY_EXIT ? "early" : "failed");
		if (a == A_SETUP_TIMEOUT)
			s->last.reason = REASON_START_FAILED;
		if (a == A_ABORT)
			s->stop_requested = true;
		s->pid = 0;
		F.timer_at[i] = 0;
		/* the cgroup: empty at once, or later (the test says when) */
		if (!F.cgroup_slow)
			fsm_raise(f, s, EV_CGROUP_EMPTY);
		return a == A_EARLY_EXIT ? SVC_CLEANUP : FSM_KEEP;
	case A_KILL:
	case A_STOP:
		note(s, "kill");
		s->stop_requested = true;
		F.timer_at[i] = F.now + 5000;
		return SVC_STOPPING;
	case A_KILL_HARD:
		note(s, "sigkill");
		break;
	case A_CLEANUP_TIMER:
		note(s, "cleanup-timeout");
		break;
	case A_DECIDE: {
		struct policy_end in = { .last = &s->last, .restart = RESTART_ON_FAILURE,
					 .want_up = s->want_up, .stop_requested = s->stop_requested,
					 .start_asked = s->start_asked,
					 .dep_failed = s->failed_dep[0] != '\0' };
		enum policy_verdict v = policy_after_end(&in);

		note(s, "decide");
		s->stop_requested = false;
		s->start_asked = false;
		s->failed_dep[0] = '\0';
		switch (v) {
		case PV_BACKOFF:
			F.timer_at[i] = F.now + (int64_t)policy_backoff(&F.backoff[i], 100, 1000, 1);
			s->restarts++;
			return SVC_BACKOFF;
		case PV_START:
			return SVC_WAITING;
		case PV_INACTIVE:
			return SVC_INACTIVE;
		case PV_EXITED:
			return SVC_EXITED;
		case PV_DEP_FAILED:
			s->last.reason = REASON_DEP_FAILED;
			return SVC_FAILED;
		default:
			return SVC_FAILED;
		}
	}
	case A_DISARM:
		F.timer_at[i] = 0;
		break;
	case A_DEP_FAILED:
		note(s, "dep-failed");
		s->last.reason = REASON_DEP_FAILED;
		s->failed_dep[0] = '\0';
		break;
	case A_BACKOFF_DONE:
		note(s, "backoff-done");
		break;
	case A_START_LATER:
		s->start_asked = true;
		break;
	default:
		break;
	}
	return FSM_KEEP;
}

static void fake_changed(struct fsm *f, struct svc *s, enum svc_state old)
{
	(void)old;
	F.changes++;
	/* Requires= propagation, as sup_act.c's hook does it */
	if (s->state == SVC_FAILED && old != SVC_FAILED)
		for (int j = 0; j < NU; j++)
			if (F.requires[j] == idx(s) &&
			    (F.u[j].state == SVC_RUNNING || F.u[j].state == SVC_STARTING ||
			     F.u[j].state == SVC_BACKOFF)) {
				snprintf(F.u[j].failed_dep, sizeof F.u[j].failed_dep, "%s", s->name);
				fsm_raise(f, &F.u[j], EV_DEPS_FAILED);
			}
}

/* deps: everything waiting may start (dependencies are deps.c's; the
 * rules are tested in test_policy) */
static bool idle_quiet;   /* raise a start on u2 once and say nothing */

static bool fake_idle(struct fsm *f)
{
	bool raised = false;

	if (idle_quiet) {
		idle_quiet = false;
		fsm_raise(f, &F.u[2], EV_START);
		return false;
	}

	for (int i = 0; i < NU; i++)
		if (F.u[i].state == SVC_WAITING) {
			fsm_raise(f, &F.u[i], EV_DEPS_READY);
			raised = true;
		}
	return raised;
}

static const struct fsm_ops fake_ops = { fake_act, fake_changed, fake_idle };

static void reset(void)
{
	memset(&F, 0, sizeof F);
	memset(&fsm, 0, sizeof fsm);
	fsm.ops = &fake_ops;
	F.now = 5000000;
	for (int i = 0; i < NU; i++) {
		snprintf(F.u[i].name, sizeof F.u[i].name, "u%d", i);
		F.requires[i] = -1;
	}
}

/* Advance the fake clock to the next armed timer of u and fire it. */
static void fire_timer(int i)
{
	if (!F.timer_at[i])
		return;
	F.now = F.timer_at[i];
	F.timer_at[i] = 0;
	fsm_raise(&fsm, &F.u[i], F.u[i].state == SVC_STARTING ? EV_SETUP_TIMEOUT : EV_TIMER);
}

static void test_lifecycle(void)
{
	struct svc *u = &F.u[0];

	reset();
	fsm_raise(&fsm, u, EV_START);
	CHECK_STR("life: start -> launch in flight", svc_state_id(u->state), "starting");
	CHECK_STR("life: actions so far", F.log, "u0:want u0:launch ");
	fsm_raise(&fsm, u, EV_LAUNCH_OK);
	CHECK_INT("life: launch-ok -> running", u->state, SVC_RUNNING);
	fsm_raise(&fsm, u, EV_MAIN_EXITED);
	/* exited raised cgroup-empty while it ran: queued, then decided */
	CHECK_INT("life: a crash backs off", u->state, SVC_BACKOFF);
	CHECK("life: the queued event ran after the exit",
	      strstr(F.log, "u0:exited u0:decide ") != NULL);
	CHECK_INT("life: one restart counted", u->restarts, 1);
	CHECK_INT("life: the setter saw each change (inactive waiting starting running cleanup backoff)",
		  F.changes, 5);

	/* crash loop with the fake clock: 5 starts in 10 s, then the limit */
	int launches = 1;
	for (int round = 0; round < 10 && u->state == SVC_BACKOFF; round++) {
		fire_timer(0);
		if (u->state == SVC_STARTING) {
			launches++;
			fsm_raise(&fsm, u, EV_LAUNCH_OK);
			fsm_raise(&fsm, u, EV_MAIN_EXITED);
		}
	}
	CHECK_INT("life: crash loop stops at the start limit", u->state, SVC_FAILED);
	CHECK_INT("life: after StartLimitBurst=5 launches", launches, 5);
	CHECK_INT("life: reason start limit", u->last.reason, REASON_START_LIMIT);
	fsm_raise(&fsm, u, EV_START);
	CHECK_INT("life: an operator's start lifts the limit", u->state, SVC_STARTING);

	/* stop while running, the timer's SIGKILL, then the exit */
	fsm_raise(&fsm, u, EV_LAUNCH_OK);
	fsm_raise(&fsm, u, EV_STOP);
	CHECK_INT("stop: stopping", u->state, SVC_STOPPING);
	fire_timer(0);
	CHECK("stop: SIGKILL after TimeoutStopSec", strstr(F.log, "u0:sigkill") != NULL);
	fsm_raise(&fsm, u, EV_MAIN_EXITED);
	CHECK_INT("stop: a stopped unit is inactive, not restarted", u->state, SVC_INACTIVE);

	/* restart: stop, then start again once down */
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_LAUNCH_OK);
	fsm_raise(&fsm, u, EV_RESTART);
	fsm_raise(&fsm, u, EV_MAIN_EXITED);
	CHECK_INT("restart: launched again", u->state, SVC_STARTING);
}

static void test_setup(void)
{
	struct svc *u = &F.u[0];

	/* a setup that hangs: the timer fails the unit (Restart=on-failure: backoff) */
	reset();
	fsm_raise(&fsm, u, EV_START);
	fire_timer(0);
	CHECK("setup: timed out", strstr(F.log, "u0:timeout u0:decide") != NULL);
	CHECK_INT("setup: a failed start backs off", u->state, SVC_BACKOFF);

	/* a stop during the setup aborts it, and is no failure */
	reset();
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_STOP);
	CHECK_INT("setup: stop during the setup -> inactive", u->state, SVC_INACTIVE);
	CHECK("setup: aborted", strstr(F.log, "u0:abort") != NULL);

	/* the child was reaped before its report was read */
	reset();
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_MAIN_EXITED);
	CHECK("setup: report read first", strstr(F.log, "u0:early u0:decide") != NULL);

	/* a launch that fails at once */
	reset();
	F.launch_fails = true;
	fsm_raise(&fsm, u, EV_START);
	CHECK_INT("setup: failed launch backs off", u->state, SVC_BACKOFF);
	CHECK_INT("setup: the policy restarts a failed start", u->restarts, 1);

	/* the cgroup empties later: the unit waits in cleanup; a start then is kept */
	reset();
	F.cgroup_slow = true;
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_LAUNCH_OK);
	fsm_raise(&fsm, u, EV_STOP);
	fsm_raise(&fsm, u, EV_MAIN_EXITED);
	CHECK_INT("cleanup: waits for the cgroup", u->state, SVC_CLEANUP);
	fsm_raise(&fsm, u, EV_START);
	CHECK_INT("cleanup: no start before the cgroup is gone", u->state, SVC_CLEANUP);
	fsm_raise(&fsm, u, EV_CGROUP_EMPTY);
	CHECK_INT("cleanup: then starts", u->state, SVC_STARTING);

	/* review-pid1: the unit ended by itself (exit 0, no restart by its
	 * policy) and its cgroup empties later (a process of it in D state,
	 * or just dying): `sandboxctl start` then says "will start once
	 * stopped"; it must, as after a stop */
	reset();
	F.cgroup_slow = true;
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_LAUNCH_OK);
	u->last.reason = REASON_EXITED;
	u->last.code = 0;
	fsm_raise(&fsm, u, EV_MAIN_EXITED);
	CHECK_INT("cleanup-own-end: waits for the cgroup", u->state, SVC_CLEANUP);
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_CGROUP_EMPTY);
	CHECK_INT("cleanup-own-end: a start asked meanwhile is kept", u->state, SVC_STARTING);
	/* and a stop after it wins */
	reset();
	F.cgroup_slow = true;
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_LAUNCH_OK);
	u->last.reason = REASON_EXITED;
	u->last.code = 0;
	fsm_raise(&fsm, u, EV_MAIN_EXITED);
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_STOP);
	fsm_raise(&fsm, u, EV_CGROUP_EMPTY);
	CHECK_INT("cleanup-own-end: a stop after the start wins", u->state, SVC_INACTIVE);
}

static void test_requires(void)
{
	struct svc *db = &F.u[0], *web = &F.u[1];

	reset();
	F.requires[1] = 0;
	fsm_raise(&fsm, db, EV_START);
	fsm_raise(&fsm, web, EV_START);
	fsm_raise(&fsm, db, EV_LAUNCH_OK);
	fsm_raise(&fsm, web, EV_LAUNCH_OK);
	/* db fails for good (start limit: 5 tries), web must follow */
	for (int i = 0; i < 20 && db->state != SVC_FAILED; i++) {
		if (db->state == SVC_RUNNING || db->state == SVC_STARTING) {
			if (db->state == SVC_STARTING)
				fsm_raise(&fsm, db, EV_LAUNCH_OK);
			fsm_raise(&fsm, db, EV_MAIN_EXITED);
		}
		fire_timer(0);
	}
	CHECK_INT("requires: db failed", db->state, SVC_FAILED);
	CHECK_INT("requires: web is being stopped", web->state, SVC_STOPPING);
	fsm_raise(&fsm, web, EV_MAIN_EXITED);
	CHECK_INT("requires: web failed too", web->state, SVC_FAILED);
	CHECK_INT("requires: because of its dependency", web->last.reason, REASON_DEP_FAILED);
}

static void test_queue(void)
{
	struct svc *u = &F.u[0];

	reset();
	/* raised while the queue runs: kept, in order, at most SVC_EVQ per unit */
	bool was = fsm_batch_begin(&fsm);
	for (int i = 0; i < SVC_EVQ + 3; i++)
		fsm_raise(&fsm, u, EV_TIMER);
	CHECK_INT("queue: held during a batch", u->evq_n, SVC_EVQ);
	CHECK_INT("queue: overflow counted", fsm.dropped, 3);
	fsm_raise(&fsm, &F.u[1], EV_START);
	fsm_forget(&fsm, u);
	CHECK("queue: forgotten unit off the list", !u->queued && fsm.head == &F.u[1]);
	fsm_batch_end(&fsm, was);
	CHECK_INT("queue: the batch ran", F.u[1].state, SVC_STARTING);
	CHECK("queue: empty after", fsm.head == NULL && fsm.tail == NULL && !fsm.running);

	/* what the idle hook queued runs even when it does not say so */
	reset();
	idle_quiet = true;
	fsm_raise(&fsm, u, EV_START);
	CHECK_INT("queue: the hook's events run", F.u[2].state, SVC_STARTING);
}

/* Type=notify and ExecStartPre= through the table. */
static void test_readiness(void)
{
	struct svc *u = &F.u[0];

	CHECK("struct svc stays in musl's 672-byte class", sizeof(struct svc) <= 672);

	reset();
	F.notify = true;
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_LAUNCH_OK);
	CHECK_INT("notify: launched, not ready", u->state, SVC_START_WAIT);
	CHECK_STR("notify: shown as starting", svc_state_name(u->state), "starting");
	fsm_raise(&fsm, u, EV_READY);
	CHECK_INT("notify: READY=1 -> running", u->state, SVC_RUNNING);

	reset();
	F.notify = true;
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_READY);   /* the datagram before the launch's EOF */
	CHECK_INT("notify: an early READY=1 keeps it starting", u->state, SVC_STARTING);
	fsm_raise(&fsm, u, EV_LAUNCH_OK);
	CHECK_INT("notify: an early READY=1 counts at launch-ok", u->state, SVC_RUNNING);

	reset();
	F.notify = true;
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_LAUNCH_OK);
	fire_timer(0);
	CHECK_INT("notify: TimeoutStartSec stops it", u->state, SVC_STOPPING);
	fsm_raise(&fsm, u, EV_MAIN_EXITED);
	CHECK_INT("notify: a start timeout is a failure (restarted by on-failure)", u->state,
		  SVC_BACKOFF);

	reset();
	F.pre = 2;
	fsm_raise(&fsm, u, EV_START);
	CHECK_INT("pre: the first command runs", u->state, SVC_START_PRE);
	fsm_raise(&fsm, u, EV_CTL_EXITED);
	CHECK_INT("pre: then the second", u->state, SVC_START_PRE);
	fsm_raise(&fsm, u, EV_CTL_EXITED);
	CHECK_INT("pre: then the main", u->state, SVC_STARTING);

	reset();
	F.pre = 1;
	F.ctl_fails = true;
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_CTL_EXITED);
	CHECK_INT("pre: a failure fails the start (backoff by on-failure)", u->state, SVC_BACKOFF);
	CHECK("pre: the main never launched", strstr(F.log, "u0:launched") == NULL);

	reset();
	F.pre = 1;
	fsm_raise(&fsm, u, EV_START);
	fsm_raise(&fsm, u, EV_STOP);
	CHECK_INT("pre: a stop kills the command", u->state, SVC_CLEANUP);
}

int main(void)
{
	test_table();
	test_lifecycle();
	test_setup();
	test_requires();
	test_queue();
	test_readiness();
	return t_exit();
}
