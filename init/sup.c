/* The supervisor's requests and kernel events: sandboxctl's start, stop,
 * restart and reset-failed, SIGCHLD, shutdown. Each becomes an event of
 * the unit's state machine (fsm.c); nothing here waits on a unit. */
#include "sup_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "console.h"
#include "svcmap.h"
#include "../cgroup/cgroup.h"
#include "../config/unit.h"

struct sup *sup_the;

void sup_log(struct sup *sv, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	(void)sv;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* queued, never waited for: console.c */
	console_line("sandboxd: ", buf, strlen(buf), true);
}

struct svc *sup_find(struct sup *sv, const char *name)
{
	char n[UNIT_NAME_MAX + 1];

	if (unit_name_normalize(name, n) < 0)
		return NULL;
	return svcmap_by_name(sv, n);
}

void sup_raise(struct sup *sv, struct svc *s, enum svc_event ev)
{
	fsm_raise(&sv->fsm, s, ev);
}

int sup_recheck_wait_ms(const struct sup *sv)
{
	int64_t left;

	if (!sv->recheck_ms)
		return -1;
	left = sv->recheck_ms - clock_mono_ms();
	return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

void sup_recheck(struct sup *sv)
{
	bool was;

	if (!sv->recheck_ms || clock_mono_ms() < sv->recheck_ms)
		return;
	sv->recheck_ms = 0;
	was = fsm_batch_begin(&sv->fsm);
	sv->deps_dirty = true;
	fsm_batch_end(&sv->fsm, was);
}

/* ---- requests --------------------------------------------------------------- */

int sup_start(struct sup *sv, struct svc *s, char *msg, size_t len)
{
	if (!s->spec) {
		snprintf(msg, len, "%s: the unit file has errors: %s", s->name,
			 svc_exit_msg(&s->last));
		return -1;
	}
	switch (s->state) {
	case SVC_RUNNING:
	case SVC_WAITING:
	case SVC_STARTING:
		snprintf(msg, len, "%s is already %s", s->name, svc_state_name(s->state));
		return 0;
	case SVC_STOPPING:
	case SVC_CLEANUP:
		sup_raise(sv, s, EV_START);
		snprintf(msg, len, "%s will start once stopped", s->name);
		return 0;
	default:
		break;
	}
	sup_raise(sv, s, EV_START);
	snprintf(msg, len, "%s: %s", s->name, svc_state_name(s->state));
	return 0;
}

int sup_stop(struct sup *sv, struct svc *s, char *msg, size_t len)
{
	sup_raise(sv, s, EV_STOP);
	snprintf(msg, len, "%s: %s", s->name, svc_state_name(s->state));
	return 0;
}

int sup_restart(struct sup *sv, struct svc *s, char *msg, size_t len)
{
	if (s->state == SVC_RUNNING) {
		sup_raise(sv, s, EV_RESTART);
		snprintf(msg, len, "%s: restarting", s->name);
		return 0;
	}
	return sup_start(sv, s, msg, len);
}

int sup_reset_failed(struct sup *sv, struct svc *s, char *msg, size_t len)
{
	sup_raise(sv, s, EV_RESET_FAILED);
	snprintf(msg, len, "%s: %s", s->name, svc_state_name(s->state));
	return 0;
}

void sup_request_shutdown(struct sup *sv, enum shutdown_kind k)
{
	if (sv->shutdown == SHUTDOWN_NONE)
		sv->shutdown = k;
}

long long sup_memory_current(struct sup *sv, struct svc *s)
{
	uint64_t b;
	struct err e;

	(void)sv;
	if (s->cgroup_fd < 0 || cg_memory_current(s->cgroup_fd, &b, &e) < 0)
		return -1;
	return (long long)b;
}

/* ---- the kernel's news ---------------------------------------------------------- */

void sup_reap(struct sup *sv)
{
	bool reaped_unit = false;

	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		struct svc *s;

		if (pid <= 0) {
			/* none left to reap (or ECHILD); at shutdown the next
			 * layer of dependencies goes, once per batch */
			if (reaped_unit && sv->stopping_all)
				sup_stop_all(sv);
			return;
		}
		/* anything else is an orphan, or the child of a launch that
		 * failed or was aborted: reaped, nothing to record */
		if (!(s = svcmap_by_pid(sv, pid)))
			continue;
		s->wstatus = status;
		sup_raise(sv, s, EV_MAIN_EXITED);
		reaped_unit = true;
	}
}

/* ---- shutdown support --------------------------------------------------------- */

void sup_stop_all(struct sup *sv)
{
	bool was = fsm_batch_begin(&sv->fsm);

	sv->stopping_all = true;
	deps_mark_needed(sv);
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];

		/* what is not up yet never will be */
		if (s->state == SVC_BACKOFF || s->state == SVC_WAITING || s->state == SVC_STARTING)
			sup_raise(sv, s, EV_STOP);
		/* dependants first; the rest follow as they go (called again on each exit) */
		else if (s->state == SVC_RUNNING && !s->needed)
			sup_raise(sv, s, EV_STOP);
	}
	fsm_batch_end(&sv->fsm, was);
}

bool sup_all_stopped(struct sup *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!fsm_is_down(sv->svcs[i]->state))
			return false;
	return true;
}

uint64_t sup_longest_stop_timeout(struct sup *sv)
{
	uint64_t m = 0;

	/* TimeoutStopSec=infinity does not hold the shutdown forever: 90 s,
	 * systemd's default stop timeout, then the rest of the shutdown */
	for (size_t i = 0; i < sv->n; i++) {
		uint64_t t = sv->svcs[i]->spec ? sv->svcs[i]->spec->timeout_stop_ms : 0;

		if (t == LIMIT_INFINITY)
			t = 90000;
		if (t > m)
			m = t;
	}
	return m;
}
