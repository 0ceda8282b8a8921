#include "policy.h"

#include <signal.h>

bool policy_start_allowed(struct start_limit *l, uint64_t interval_ms, unsigned burst,
			  int64_t now_ms)
{
	if (burst == 0 || interval_ms == 0)
		return true;
	if (l->begin_ms == 0 || now_ms - l->begin_ms >= (int64_t)interval_ms) {
		l->begin_ms = now_ms ? now_ms : 1;   /* 0 means "none open" */
		l->num = 0;
	}
	if (l->num < burst) {
		l->num++;
		return true;
	}
	return false;
}

/* systemd's "clean" signals: a service that dies of these was asked to. */
static bool clean_signal(int sig)
{
	return sig == SIGHUP || sig == SIGINT || sig == SIGTERM || sig == SIGPIPE;
}

bool policy_wants_restart(enum restart_policy p, const struct svc_exit *x)
{
	bool clean = (x->reason == REASON_EXITED && x->code == 0) ||
		     (x->reason == REASON_KILLED && clean_signal(x->signal));
	bool abnormal = x->reason == REASON_OOM_KILLED ||
			(x->reason == REASON_KILLED && !clean_signal(x->signal));

	switch (p) {
	case RESTART_NO:
		return false;
	case RESTART_ALWAYS:
		return true;
	case RESTART_ON_SUCCESS:
		return clean;
	case RESTART_ON_FAILURE:
		return !clean;
	case RESTART_ON_ABNORMAL:
		return abnormal;
	}
	return false;
}

uint64_t policy_backoff(uint64_t *cur, uint64_t restart_ms, uint64_t max_ms, int64_t ran_ms)
{
	uint64_t delay;

	/* a unit that stayed up for 10x its current delay is healthy again */
	if (*cur == 0 || (ran_ms >= 0 && (uint64_t)ran_ms / 10 >= *cur))
		*cur = restart_ms;
	delay = *cur < max_ms ? *cur : max_ms;
	*cur = *cur > max_ms / 2 ? max_ms : *cur * 2;
	return delay;
}

enum policy_verdict policy_after_end(const struct policy_end *in)
{
	const struct svc_exit *x = in->last;

	if (in->removed)
		return PV_INACTIVE;
	if (in->dep_failed)
		return PV_DEP_FAILED;
	if (in->stop_requested || in->start_asked || !in->want_up)
		return in->want_up && !in->stopping_all ? PV_START : PV_INACTIVE;
	if (x->reason == REASON_OOM_KILLED && in->oom == OOM_REBOOT)
		return PV_REBOOT;
	if (x->reason == REASON_OOM_KILLED && in->oom == OOM_STOP)
		return PV_FAILED;
	if (in->stopping_all)
		return PV_INACTIVE;
	if (policy_wants_restart(in->restart, x))
		return PV_BACKOFF;
	if (x->reason == REASON_EXITED && x->code == 0)
		return in->oneshot ? PV_EXITED : PV_INACTIVE;
	return PV_FAILED;
}

enum dep_verdict policy_dep(bool exists, enum svc_state st, bool required, bool oneshot)
{
	if (!exists)
		return required ? DEP_FAIL : DEP_OK;
	switch (st) {
	case SVC_FAILED:
		return required ? DEP_FAIL : DEP_OK;
	case SVC_WAITING:
	case SVC_STARTING:
	case SVC_BACKOFF:
		return DEP_WAIT;
	case SVC_RUNNING:
		return oneshot ? DEP_WAIT : DEP_OK;
	case SVC_INACTIVE:
		return required ? DEP_START : DEP_OK;
	default:
		/* exited, stopping, cleanup: as today, nothing to wait for */
		return DEP_OK;
	}
}
