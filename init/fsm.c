#include "fsm.h"

#include <stddef.h>

/* Stored rows: `to` 0 = stay (the default of every row not written
 * below, so an event a state does not expect is ignored), BY = the
 * action decides, TO(S) = state S. */
struct row {
	unsigned char action;
	signed char to;
};

#define TO(st) ((signed char)((st) + 1))
#define BY ((signed char)-1)

/* One line per row that does something. Reading guide, per state:
 * what starts it, what stops it, what the kernel tells it. */
static const struct row table[SVC_STATE_COUNT][EV_COUNT] = {
	[SVC_INACTIVE] = {
		[EV_START]        = { A_WANT, TO(SVC_WAITING) },
		[EV_RESTART]      = { A_WANT, TO(SVC_WAITING) },
	},
	[SVC_WAITING] = {
		/* START_PRE, STARTING, or FAILED (start limit) */
		[EV_DEPS_READY]   = { A_LAUNCH, BY },
		[EV_DEPS_FAILED]  = { A_DEP_FAILED, TO(SVC_FAILED) },
		[EV_STOP]         = { A_NONE, TO(SVC_INACTIVE) },
		[EV_REMOVED]      = { A_NONE, TO(SVC_INACTIVE) },
	},
	[SVC_START_PRE] = {
		[EV_CTL_EXITED]   = { A_CTL_DONE, BY },     /* START_PRE, STARTING, CLEANUP */
		[EV_TIMER]        = { A_CTL_TIMEOUT, BY },  /* CLEANUP, or on (a "-" command) */
		[EV_STOP]         = { A_CTL_ABORT, TO(SVC_CLEANUP) },
		[EV_RESTART]      = { A_CTL_ABORT, TO(SVC_CLEANUP) },
		[EV_REMOVED]      = { A_CTL_ABORT, TO(SVC_CLEANUP) },
		[EV_DEPS_FAILED]  = { A_CTL_ABORT, TO(SVC_CLEANUP) },
	},
	[SVC_STARTING] = {
		/* START_WAIT, START_POST, RUNNING; STOPPING if a stop came */
		[EV_LAUNCH_OK]    = { A_LAUNCHED, BY },
		[EV_LAUNCH_FAILED] = { A_LAUNCH_FAILED, TO(SVC_CLEANUP) },
		[EV_SETUP_TIMEOUT] = { A_SETUP_TIMEOUT, TO(SVC_CLEANUP) },
		/* CLEANUP; START_WAIT, START_POST or RUNNING: a Type=forking
		 * start's exit 0, reaped before its report was read */
		[EV_MAIN_EXITED]  = { A_EARLY_EXIT, BY },
		[EV_STOP]         = { A_ABORT, TO(SVC_CLEANUP) },
		[EV_REMOVED]      = { A_ABORT, TO(SVC_CLEANUP) },
		[EV_DEPS_FAILED]  = { A_ABORT, TO(SVC_CLEANUP) },
		/* the datagram may beat the launch socket's EOF */
		[EV_READY]        = { A_READY_EARLY, 0 },
	},
	[SVC_START_WAIT] = {
		[EV_READY]        = { A_READY, BY },        /* START_POST, RUNNING */
		[EV_TIMER]        = { A_START_TIMEOUT, BY },     /* STOPPING, CLEANUP */
		[EV_MAIN_EXITED]  = { A_START_EXITED, BY }, /* START_WAIT (forking), CLEANUP */
		[EV_STOP]         = { A_KILL, BY },   /* STOPPING, CLEANUP */
		[EV_RESTART]      = { A_KILL, BY },   /* STOPPING, CLEANUP */
		[EV_REMOVED]      = { A_KILL, BY },   /* STOPPING, CLEANUP */
		[EV_DEPS_FAILED]  = { A_KILL, BY },   /* STOPPING, CLEANUP */
	},
	[SVC_START_POST] = {
		[EV_CTL_EXITED]   = { A_CTL_DONE, BY },     /* START_POST, RUNNING, STOPPING */
		[EV_TIMER]        = { A_CTL_TIMEOUT, BY },
		[EV_MAIN_EXITED]  = { A_EXITED, TO(SVC_CLEANUP) },
		[EV_STOP]         = { A_STOP, BY },         /* STOPPING (no ExecStop=: not started) */
		[EV_RESTART]      = { A_STOP, BY },
		[EV_REMOVED]      = { A_STOP, BY },
		[EV_DEPS_FAILED]  = { A_STOP, BY },
	},
	[SVC_RUNNING] = {
		[EV_MAIN_EXITED]  = { A_EXITED, TO(SVC_CLEANUP) },
		[EV_STOP]         = { A_STOP, BY },         /* STOP_CMD, STOPPING */
		[EV_RESTART]      = { A_STOP, BY },
		[EV_REMOVED]      = { A_STOP, BY },
		[EV_DEPS_FAILED]  = { A_STOP, BY },
		[EV_RELOAD]       = { A_RELOAD, BY },       /* RELOADING, or stay (a signal) */
		/* EV_READY again (RELOADING=1 ... READY=1): ignored; EV_WATCHDOG reserved */
	},
	[SVC_RELOADING] = {
		[EV_CTL_EXITED]   = { A_CTL_DONE, BY },     /* RELOADING, RUNNING */
		[EV_TIMER]        = { A_CTL_TIMEOUT, BY },  /* RUNNING */
		[EV_MAIN_EXITED]  = { A_EXITED, TO(SVC_CLEANUP) },
		[EV_STOP]         = { A_STOP, BY },
		[EV_RESTART]      = { A_STOP, BY },
		[EV_REMOVED]      = { A_STOP, BY },
		[EV_DEPS_FAILED]  = { A_STOP, BY },
	},
	[SVC_STOP_CMD] = {
		[EV_CTL_EXITED]   = { A_CTL_DONE, BY },     /* STOP_CMD, STOPPING, CLEANUP */
		[EV_TIMER]        = { A_CTL_TIMEOUT, BY },  /* STOPPING, CLEANUP */
		[EV_MAIN_EXITED]  = { A_MAIN_GONE, 0 },
	},
	[SVC_STOPPING] = {
		[EV_MAIN_EXITED]  = { A_EXITED, TO(SVC_CLEANUP) },
		[EV_TIMER]        = { A_KILL_HARD, 0 },
	},
	[SVC_CLEANUP] = {
		[EV_CGROUP_EMPTY] = { A_DECIDE, BY },  /* BACKOFF, WAITING, EXITED, INACTIVE, FAILED */
		[EV_TIMER]        = { A_CLEANUP_TIMER, 0 },
		/* the end may be the unit's own (no stop asked): the start
		 * must outlive the restart policy's verdict on that end */
		[EV_START]        = { A_START_LATER, 0 },
		[EV_RESTART]      = { A_START_LATER, 0 },
	},
	[SVC_BACKOFF] = {
		[EV_TIMER]        = { A_BACKOFF_DONE, TO(SVC_WAITING) },
		[EV_START]        = { A_WANT, TO(SVC_WAITING) },
		[EV_RESTART]      = { A_WANT, TO(SVC_WAITING) },
		[EV_STOP]         = { A_DISARM, TO(SVC_INACTIVE) },
		[EV_REMOVED]      = { A_DISARM, TO(SVC_INACTIVE) },
		[EV_DEPS_FAILED]  = { A_DEP_FAILED, TO(SVC_FAILED) },
	},
	[SVC_EXITED] = {
		[EV_START]        = { A_WANT, TO(SVC_WAITING) },
		[EV_RESTART]      = { A_WANT, TO(SVC_WAITING) },
		[EV_STOP]         = { A_NONE, TO(SVC_INACTIVE) },
	},
	[SVC_FAILED] = {
		[EV_START]        = { A_WANT, TO(SVC_WAITING) },
		[EV_RESTART]      = { A_WANT, TO(SVC_WAITING) },
		[EV_RESET_FAILED] = { A_WANT, TO(SVC_INACTIVE) },
	},
};

const struct fsm_row *fsm_row(enum svc_state st, enum svc_event ev)
{
	static struct fsm_row r;

	r.action = A_NONE;
	r.next = FSM_KEEP;
	if ((unsigned)st >= SVC_STATE_COUNT || (unsigned)ev >= EV_COUNT)
		return &r;
	r.action = (enum fsm_action)table[st][ev].action;
	r.next = table[st][ev].to == 0 ? FSM_KEEP : table[st][ev].to == BY ? FSM_BY_ACTION
									 : table[st][ev].to - 1;
	return &r;
}

bool fsm_is_down(enum svc_state st)
{
	return st == SVC_INACTIVE || st == SVC_WAITING || st == SVC_BACKOFF || st == SVC_EXITED ||
	       st == SVC_FAILED || st >= SVC_STATE_COUNT;
}

/* The goal follows the requests whatever the state: a stop during a
 * stop still cancels a start asked meanwhile. */
static void note_intent(struct svc *s, enum svc_event ev)
{
	switch (ev) {
	case EV_START:
	case EV_RESTART:
		s->want_up = true;
		break;
	case EV_STOP:
	case EV_REMOVED:
	case EV_DEPS_FAILED:
		s->want_up = false;
		break;
	default:
		break;
	}
}

void fsm_set_state(struct fsm *f, struct svc *s, enum svc_state st)
{
	enum svc_state old = s->state;

	s->state = st;
	if (f->ops && f->ops->changed)
		f->ops->changed(f, s, old);
}

static void handle(struct fsm *f, struct svc *s, enum svc_event ev)
{
	const struct fsm_row *r = fsm_row(s->state, ev);
	enum fsm_action a = r->action;
	int next = r->next, got;

	note_intent(s, ev);
	got = a != A_NONE && f->ops && f->ops->act ? f->ops->act(f, s, a, ev) : FSM_KEEP;
	if (next == FSM_BY_ACTION)
		next = got;
	if (next >= 0 && next < SVC_STATE_COUNT)
		fsm_set_state(f, s, (enum svc_state)next);
}

static bool pop(struct fsm *f, struct svc **ps, enum svc_event *ev)
{
	struct svc *s = f->head;

	if (!s)
		return false;
	*ps = s;
	*ev = (enum svc_event)s->evq[s->evq_head];
	s->evq_head = (uint8_t)((s->evq_head + 1) % SVC_EVQ);
	if (--s->evq_n == 0) {
		/* its queue is empty: off the list */
		f->head = s->evq_next;
		if (!f->head)
			f->tail = NULL;
		s->evq_next = NULL;
		s->queued = false;
	} else if (s->evq_next) {
		/* round robin: one event per unit at a time */
		f->head = s->evq_next;
		f->tail->evq_next = s;
		f->tail = s;
		s->evq_next = NULL;
	}
	return true;
}

static void run_queue(struct fsm *f)
{
	f->running = true;
	for (;;) {
		struct svc *u;
		enum svc_event e;

		while (pop(f, &u, &e))
			handle(f, u, e);
		/* the hook may raise events (or queue them without saying) */
		if (f->ops && f->ops->idle)
			f->ops->idle(f);
		if (!f->head)
			break;
	}
	f->running = false;
}

bool fsm_batch_begin(struct fsm *f)
{
	bool was = f->running;

	f->running = true;
	return was;
}

void fsm_batch_end(struct fsm *f, bool was_running)
{
	if (!was_running)
		run_queue(f);   /* else the outer run goes on with them */
}

void fsm_raise(struct fsm *f, struct svc *s, enum svc_event ev)
{
	if (s->evq_n == SVC_EVQ) {
		f->dropped++;
		return;
	}
	s->evq[(s->evq_head + s->evq_n) % SVC_EVQ] = (uint8_t)ev;
	s->evq_n++;
	if (!s->queued) {
		s->queued = true;
		s->evq_next = NULL;
		if (f->tail)
			f->tail->evq_next = s;
		else
			f->head = s;
		f->tail = s;
	}
	if (!f->running)
		run_queue(f);   /* else: after the event being handled */
}

void fsm_forget(struct fsm *f, struct svc *s)
{
	struct svc **pp = &f->head, *prev = NULL;

	if (!s->queued)
		return;
	while (*pp && *pp != s) {
		prev = *pp;
		pp = &(*pp)->evq_next;
	}
	if (*pp) {
		*pp = s->evq_next;
		if (f->tail == s)
			f->tail = prev;
	}
	s->queued = false;
	s->evq_n = 0;
	s->evq_next = NULL;
}
