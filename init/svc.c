#include "svc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../config/values.h"

/* shown names: waiting, start-pre, start-wait and start-post show as
 * starting, reloading as running, stop-cmd and cleanup as stopping */
static const char *const state_names[SVC_STATE_COUNT] = {
	"inactive", "starting", "starting", "starting", "starting", "starting", "running",
	"running", "stopping", "stopping", "stopping", "backoff", "exited", "failed",
};

static const char *const state_ids[SVC_STATE_COUNT] = {
	"inactive", "waiting", "start-pre", "starting", "start-wait", "start-post", "running",
	"reloading", "stop-cmd", "stopping", "cleanup", "backoff", "exited", "failed",
};

static const char *const event_names[EV_COUNT] = {
	"start", "stop", "restart", "deps-ready", "deps-failed", "launch-ok", "launch-failed",
	"setup-timeout", "main-exited", "cgroup-empty", "timer", "reset-failed", "removed",
	"ctl-exited", "ready", "reload", "watchdog",
};

static const char *const reason_names[REASON_COUNT] = {
	"-", "Exited", "Killed", "OOMKilled", "StartFailed", "StartLimitHit",
	"DependencyFailed", "BadUnit",
};

const char *svc_state_name(enum svc_state s)
{
	return s < SVC_STATE_COUNT ? state_names[s] : "?";
}

const char *svc_state_id(enum svc_state s)
{
	return s < SVC_STATE_COUNT ? state_ids[s] : "?";
}

const char *svc_event_name(enum svc_event e)
{
	return e < EV_COUNT ? event_names[e] : "?";
}

const char *svc_reason_name(enum svc_reason r)
{
	return r < REASON_COUNT ? reason_names[r] : "?";
}

void svc_exit_describe(const struct svc_exit *x, char *buf, size_t len)
{
	const char *sig = signal_name(x->signal);

	switch (x->reason) {
	case REASON_NONE:
		snprintf(buf, len, "-");
		break;
	case REASON_EXITED:
		snprintf(buf, len, "exited %d", x->code);
		break;
	case REASON_KILLED:
		if (sig)
			snprintf(buf, len, "killed by %s", sig);
		else
			snprintf(buf, len, "killed by signal %d", x->signal);
		break;
	case REASON_OOM_KILLED:
		snprintf(buf, len, "OOMKilled (%d)", x->code);
		break;
	case REASON_START_FAILED:
		snprintf(buf, len, "start failed: %s", svc_exit_msg(x));
		break;
	case REASON_START_LIMIT:
		snprintf(buf, len, "start limit hit");
		break;
	case REASON_DEP_FAILED:
		snprintf(buf, len, "dependency failed: %s", svc_exit_msg(x));
		break;
	case REASON_BAD_UNIT:
		snprintf(buf, len, "bad unit: %s", svc_exit_msg(x));
		break;
	default:
		snprintf(buf, len, "?");
	}
}

void svc_exit_set_msg(struct svc_exit *x, const char *msg, size_t len)
{
	free(x->msg);
	x->msg = NULL;
	if (!msg || !len)
		return;
	if (len > SVC_MSG_MAX - 1)
		len = SVC_MSG_MAX - 1;
	x->msg = malloc(len + 1);
	if (!x->msg)
		return;   /* the reason and code still say what happened */
	memcpy(x->msg, msg, len);
	x->msg[len] = '\0';
}

const char *svc_exit_msg(const struct svc_exit *x)
{
	return x->msg ? x->msg : "";
}
