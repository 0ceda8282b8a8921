/* The supervisor's requests and kernel events: sandboxctl's start, stop,
 * restart and reset-failed, SIGCHLD, shutdown. Each becomes an event of
 * the unit's state machine (fsm.c); nothing here waits on a unit. */
#include "sup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <time.h>

#include "console.h"
#include "svcmap.h"
#include "../cgroup/cgroup.h"
#include "../config/unit.h"
#include "../config/values.h"

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
	case SVC_RELOADING:
	case SVC_WAITING:
	case SVC_START_PRE:
	case SVC_STARTING:
	case SVC_START_WAIT:
	case SVC_START_POST:
		snprintf(msg, len, "%s is already %s", s->name, svc_state_name(s->state));
		return 0;
	case SVC_STOP_CMD:
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
	if (s->state == SVC_RUNNING || s->state == SVC_RELOADING || s->state == SVC_START_PRE ||
	    s->state == SVC_START_WAIT || s->state == SVC_START_POST) {
		sup_raise(sv, s, EV_RESTART);
		snprintf(msg, len, "%s: restarting", s->name);
		return 0;
	}
	return sup_start(sv, s, msg, len);
}

/* A unit whose service runs, for reload and kill. */
static bool has_service(const struct svc *s)
{
	switch (s->state) {
	case SVC_START_WAIT:
	case SVC_START_POST:
	case SVC_RUNNING:
	case SVC_RELOADING:
	case SVC_STOP_CMD:
	case SVC_STOPPING:
		return s->pid > 0 || s->main_pid > 0;
	default:
		return false;
	}
}

int sup_reload_unit(struct sup *sv, struct svc *s, char *msg, size_t len)
{
	int sig;
	const char *name;

	if (!s->spec) {
		snprintf(msg, len, "%s: the unit file has errors: %s", s->name,
			 svc_exit_msg(&s->last));
		return -1;
	}
	if (s->state == SVC_RELOADING) {
		snprintf(msg, len, "%s is reloading already", s->name);
		return -1;
	}
	if (s->state != SVC_RUNNING) {
		snprintf(msg, len, "%s is %s, not running: nothing to reload", s->name,
			 svc_state_name(s->state));
		return -1;
	}
	if (s->spec->exec_reload.n) {
		sup_raise(sv, s, EV_RELOAD);
		snprintf(msg, len, "%s: reloading", s->name);
		return 1;
	}
	sig = s->spec->reload_signal ? s->spec->reload_signal : SIGHUP;
	name = signal_name(sig);
	if (sup_signal_main(s, sig) < 0) {
		snprintf(msg, len, "%s: sending %s to its main process: %s", s->name,
			 name ? name : "the signal", strerror(errno));
		return -1;
	}
	snprintf(msg, len, "%s: sent %s to pid %d", s->name, name ? name : "the reload signal",
		 (int)(s->main_pid > 0 ? s->main_pid : s->pid));
	return 0;
}

int sup_kill(struct sup *sv, struct svc *s, int sig, bool all, char *msg, size_t len)
{
	const char *name = signal_name(sig);
	unsigned n = 0;

	(void)sv;
	if (!has_service(s)) {
		snprintf(msg, len, "%s is %s: no process to signal", s->name, svc_state_name(s->state));
		return -1;
	}
	if (!all) {
		if (sup_signal_main(s, sig) < 0) {
			snprintf(msg, len, "%s: signalling its main process: %s", s->name,
				 strerror(errno));
			return -1;
		}
		snprintf(msg, len, "%s: sent %s to pid %d", s->name, name ? name : "the signal",
			 (int)(s->main_pid > 0 ? s->main_pid : s->pid));
		return 0;
	}
	if (sup_kill_group(s, sig, &n) < 0) {
		/* no cgroup (a host without cgroup2): what PID 1 knows */
		if (s->pid > 0 && kill(s->pid, sig) == 0)
			n++;
		if (s->main_pid > 0 && s->main_pid != s->pid && sup_signal_main(s, sig) == 0)
			n++;
	}
	snprintf(msg, len, "%s: sent %s to %u process%s", s->name, name ? name : "the signal", n,
		 n == 1 ? "" : "es");
	return n ? 0 : -1;
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
		if (!(s = svcmap_by_pid(sv, pid))) {
			sup_ctl_reaped(sv, pid, status);   /* an ExecStartPre= ... */
			continue;
		}
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
		if (s->state == SVC_BACKOFF || s->state == SVC_WAITING || s->state == SVC_STARTING ||
		    s->state == SVC_START_PRE || s->state == SVC_START_WAIT ||
		    s->state == SVC_START_POST)
			sup_raise(sv, s, EV_STOP);
		/* dependants first; the rest follow as they go (called again on each exit) */
		else if ((s->state == SVC_RUNNING || s->state == SVC_RELOADING) && !s->needed)
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

/* TimeoutStopSec=infinity waits for the unit as long as it takes, but a
 * shutdown ends: there it counts as this long */
#define SHUTDOWN_INFINITY_MS 90000   /* systemd's default stop timeout */

uint64_t sup_longest_stop_timeout(struct sup *sv)
{
	uint64_t m = 0;

	for (size_t i = 0; i < sv->n; i++) {
		const struct spec *sp = sv->svcs[i]->spec;
		uint64_t t;

		if (!sp)
			continue;
		t = sp->timeout_stop_ms == LIMIT_INFINITY ? SHUTDOWN_INFINITY_MS : sp->timeout_stop_ms;
		/* ExecStop= has its own TimeoutStopSec= before KillSignal's */
		if (sp->exec_stop.n)
			t *= 2;
		if (t > m)
			m = t;
	}
	return m;
}
