/* The actions of the unit state machine (fsm.c's table): what each row
 * does to the kernel. None of them waits: a launch is begun and its
 * report read when the loop says its socket is readable; a cgroup is
 * released when cgroup.events says it is empty; every wait on a unit is
 * bounded by its timer. */
#include "sup_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfcache.h"
#include "control.h"
#include "notify.h"
#include "policy.h"
#include "sup_dirs.h"
#include "svcmap.h"
#include "../cgroup/cgroup.h"
#include "../sandbox/launch.h"
#include "../sandbox/outcome.h"

#define MSG_MAX (ERR_MSG_MAX + 128)

/* ---- timers ----------------------------------------------------------------- */

void sup_timer_arm(struct svc *s, uint64_t ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 },
	};

	if (ms == 0)
		its.it_value.tv_nsec = 1;   /* 0 would disarm */
	timerfd_settime(s->timer_fd, 0, &its, NULL);
}

void sup_timer_disarm(struct svc *s)
{
	struct itimerspec its = { 0 };

	timerfd_settime(s->timer_fd, 0, &its, NULL);
}

/* TimeoutStopSec=0 or infinity (LIMIT_INFINITY): no SIGKILL timer at a
 * stop (kill_soft arms none), and the cleanup never gives up on the group
 * (cleanup_begin); this finite bound is for the rest. */
static uint64_t stop_bound(const struct svc *s)
{
	if (!s->spec || s->spec->timeout_stop_ms == LIMIT_INFINITY)
		return 5000;
	return s->spec->timeout_stop_ms;
}

/* One timer per unit; what it means depends on the state: the setup's
 * bound while a launch is in flight, else RestartSec, TimeoutStopSec or
 * the cleanup's bound (EV_TIMER). */
void sup_on_timer(struct loop_watch *w, uint32_t events)
{
	struct svc *s = w->ctx;
	uint64_t ticks;

	(void)events;
	if (w->fd < 0 || read(w->fd, &ticks, sizeof ticks) != sizeof ticks)
		return;
	sup_raise(sup_the, s, s->state == SVC_STARTING ? EV_SETUP_TIMEOUT : EV_TIMER);
}

static void set_last(struct svc *s, enum svc_reason r, int code, int sig, const char *msg)
{
	s->last.reason = r;
	s->last.code = code;
	s->last.signal = sig;
	s->last.at_ms = clock_real_ms();
	svc_exit_set_msg(&s->last, msg, msg ? strnlen(msg, SVC_MSG_MAX) : 0);
}

/* A start that failed before or during the setup (exit_code: the launch
 * child's SBX_EXIT_*, 0 before there was one): the reason, then the same
 * way down as every other end (cleanup, then the restart policy). */
static void start_failed(struct sup *sv, struct svc *s, int exit_code, const char *msg)
{
	struct sbx_outcome o;

	sbx_outcome_start_failed(exit_code, &o);
	sup_log(sv, "%s: %s", s->name, msg);
	set_last(s, REASON_START_FAILED, o.code, 0, msg);
}

/* ---- the cgroup ------------------------------------------------------------- */

/* How often the cleanup looks again besides cgroup.events (which says
 * nothing when an empty group is still busy: cg_release_poll). */
#define CLEANUP_TICK_MS 100

static void cleanup_done(struct sup *sv, struct svc *s)
{
	if (s->cg_watch.fd >= 0) {
		loop_del(&sv->loop, &s->cg_watch);
		close(s->cg_watch.fd);
		s->cg_watch.fd = -1;
	}
	if (s->cgroup_fd >= 0)
		close(s->cgroup_fd);
	s->cgroup_fd = -1;
	s->cgroup[0] = '\0';
	sup_timer_disarm(s);
	notify_close(sv, s);   /* drained, closed, unlinked: the next start makes them anew */
	/* RuntimeDirectory=: a child removes it first, then EV_CGROUP_EMPTY */
	if (sup_dirs_remove(sv, s))
		return;
	sup_raise(sv, s, EV_CGROUP_EMPTY);
}

static void cleanup_poll(struct sup *sv, struct svc *s)
{
	struct err e;
	char m[MSG_MAX];
	int fd = s->cg_watch.fd, r;

	/* poll closes the fd when it is done: out of epoll first (a launch
	 * child forked meanwhile may hold a copy of it) */
	loop_del(&sv->loop, &s->cg_watch);
	r = cg_release_poll(s->cgroup, &fd, &e);
	if (r == 1) {
		loop_add(&sv->loop, &s->cg_watch, EPOLLPRI, &e);   /* else the tick alone */
		return;
	}
	s->cg_watch.fd = -1;
	if (r < 0)
		sup_log(sv, "%s: %s", s->name, err_str(&e, m, sizeof m));
	cleanup_done(sv, s);
}

static void on_cgroup_events(struct loop_watch *w, uint32_t events)
{
	struct svc *s = w->ctx;

	(void)events;
	if (w->fd < 0 || s->state != SVC_CLEANUP)
		return;
	cleanup_poll(sup_the, s);
}

/* The main process is gone: kill what is left in the cgroup and remove
 * it through the loop: cgroup.events says when it empties, a tick covers
 * what it does not say, TimeoutStopSec bounds the wait. */
static void cleanup_begin(struct sup *sv, struct svc *s)
{
	struct err e;
	char m[MSG_MAX];
	int fd = -1, r;
	uint64_t bound;

	s->cleanup_rounds = 0;
	/* a control process still running (its unit failed meanwhile) goes
	 * with the rest of the group */
	sup_ctl_kill(sv, s);
	if (!s->cgroup[0]) {
		cleanup_done(sv, s);
		return;
	}
	if (s->spec && s->spec->kill_mode == KILL_PROCESS && !s->removed && !sv->stopping_all) {
		/* KillMode=process: what is left stays (systemd leaves it);
		 * the group is kept, and the next start runs in it */
		sup_timer_disarm(s);
		notify_close(sv, s);
		sup_raise(sv, s, EV_CGROUP_EMPTY);
		return;
	}
	r = cg_release_begin(s->cgroup, s->cgroup_fd, &fd, &e);
	if (r <= 0) {
		if (r < 0)
			sup_log(sv, "%s: %s", s->name, err_str(&e, m, sizeof m));
		cleanup_done(sv, s);
		return;
	}
	s->cg_watch = (struct loop_watch){ .fd = fd, .fn = on_cgroup_events, .ctx = s };
	/* unwatched (no room in epoll), the tick alone reads it */
	loop_add(&sv->loop, &s->cg_watch, EPOLLPRI, &e);
	bound = s->spec ? s->spec->timeout_stop_ms : 5000;
	/* TimeoutStopSec=infinity: waited for as long as it takes */
	s->cleanup_deadline_ms = bound == LIMIT_INFINITY ? INT64_MAX
							 : clock_mono_ms() + (int64_t)bound;
	sup_timer_arm(s, CLEANUP_TICK_MS);
}

/* The tick: look again; past TimeoutStopSec SIGKILL once more (poll
 * does), and after another round give up on it (logged; the next start's
 * cg_create says so if processes still live there). */
static void cleanup_timer(struct sup *sv, struct svc *s)
{
	int64_t now = clock_mono_ms();
	uint64_t bound = stop_bound(s);

	if (s->cg_watch.fd >= 0 || s->cgroup[0]) {
		cleanup_poll(sv, s);
		if (s->state != SVC_CLEANUP || !s->cgroup[0])
			return;
	}
	if (now >= s->cleanup_deadline_ms && s->cleanup_deadline_ms != INT64_MAX) {
		if (++s->cleanup_rounds >= 2) {
			sup_log(sv, "%s: giving up on emptying its cgroup %s", s->name, s->cgroup);
			cleanup_done(sv, s);
			return;
		}
		sup_log(sv, "%s: its cgroup did not empty within %llu ms: killing again", s->name,
			(unsigned long long)bound);
		s->cleanup_deadline_ms = now + (int64_t)bound;
	}
	sup_timer_arm(s, CLEANUP_TICK_MS);
}

/* ---- launching ---------------------------------------------------------------- */

static void on_launch_report(struct loop_watch *w, uint32_t events);

static void launch_forget(struct sup *sv, struct svc *s)
{
	if (!s->launch)
		return;
	if (s->launch_watch.fd >= 0)
		loop_del(&sv->loop, &s->launch_watch);
	s->launch_watch.fd = -1;
	free(s->launch);
	s->launch = NULL;
	if (sv->launching)
		sv->launching--;
}

/* log and console: a pipe to us; file:/append: the launch child opens
 * it (a refused file fails the start with its reason) */
static int stdio_of(const struct output *o)
{
	switch (o->kind) {
	case OUTPUT_NULL:
		return SBX_STDIO_NULL;
	case OUTPUT_FILE:
	case OUTPUT_APPEND:
		return SBX_STDIO_SPEC_FILE;
	default:
		return SBX_STDIO_PIPE;
	}
}

void sup_launch_opts(struct sup *sv, struct svc *s, struct sbx_launch_opts *o, char *sock,
		     size_t socklen)
{
	/* issue #9: the run and unit folders are never visible to a unit;
	 * the control socket only to one with ControlAccess=yes */
	static const char *hide[3];

	hide[0] = sv->run_dir;
	hide[1] = sv->units_dir;
	o->hide = hide;
	o->bpf = s->bpf ? bpfcache_prog(s->bpf) : NULL;
	o->stdio[0] = SBX_STDIO_NULL;
	o->stdio[1] = stdio_of(&s->spec->std_out);
	o->stdio[2] = stdio_of(&s->spec->std_err);
	o->cgroup_fd = s->cgroup_fd;
	if (snprintf(sock, socklen, "%s/" CONTROL_SOCK_NAME, sv->run_dir) < (int)socklen)
		o->control_sock = sock;
}

/* Everything before the first clone that may fail: the start limit, the
 * state folder, the cgroup, the filter, the run. SVC_START_PRE (the
 * first ExecStartPre= runs), SVC_STARTING, or SVC_FAILED when the start
 * limit is hit. */
static int launch_main(struct sup *sv, struct svc *s);

static int launch(struct sup *sv, struct svc *s)
{
	const struct spec *sp = s->spec;
	struct err e;
	char msg[MSG_MAX];

	if (!policy_start_allowed(&s->limit, sp->start_limit_interval_ms, sp->start_limit_burst,
				  clock_mono_ms())) {
		set_last(s, REASON_START_LIMIT, s->last.code, s->last.signal, NULL);
		sup_log(sv, "%s: start limit hit (%u starts within %llu ms)", s->name,
			sp->start_limit_burst, (unsigned long long)sp->start_limit_interval_ms);
		return SVC_FAILED;
	}
	s->started_mono_ms = clock_mono_ms();
	s->stop_requested = false;
	/* config.json once per spec, not per start (its folder was made
	 * with the unit) */
	if (!s->config_written) {
		svc_io_write_config(sv, s);
		s->config_written = true;
	}
	if (!sup_run_get(s)) {
		start_failed(sv, s, 0, "cannot launch: out of memory");
		goto failed;
	}

	if (s->cgroup_fd >= 0 && s->cgroup[0]) {
		/* KillMode=process kept the group of the last run: its
		 * processes stay, and the new run joins them, as in systemd */
	} else if (sv->use_cgroups) {
		s->cgroup_fd = -1;
		s->cgroup[0] = '\0';
		s->oom_kills_at_start = 0;
		if (cg_create(sp, s->cgroup, sizeof s->cgroup, &s->cgroup_fd, &e) < 0) {
			s->cgroup[0] = '\0';
			goto failed_err;
		}
	} else if (spec_has_resources(sp)) {
		start_failed(sv, s, 0, "the unit sets [Resources] but cgroup2 is not usable at /sys/fs/cgroup");
		goto failed;
	} else {
		s->cgroup_fd = -1;
		s->cgroup[0] = '\0';
	}
	if (s->cgroup_fd >= 0 && cg_oom_kills(s->cgroup_fd, &s->oom_kills_at_start, &e) < 0)
		s->oom_kills_at_start = 0;
	/* compiling a filter costs more than loading it: once per rule set */
	if (sp->seccomp.enabled && !s->bpf && !(s->bpf = bpfcache_get(&sp->seccomp, &e)))
		goto failed_err;
	if (sp->exec_start_pre.n) {
		sup_ctl_start(sv, s, CTL_PRE, 0);
		return SVC_START_PRE;
	}
	return launch_main(sv, s);

failed_err:
	if (e.errnum == EMFILE || e.errnum == ENFILE)
		sup_note_nofile(sv);
	start_failed(sv, s, 0, err_str(&e, msg, sizeof msg));
failed:
	sup_raise(sv, s, EV_LAUNCH_FAILED);
	return SVC_STARTING;
}

/* The main process: sbx_launch_begin and the setup timer. SVC_STARTING
 * (a failure comes as EV_LAUNCH_FAILED). */
static int launch_main(struct sup *sv, struct svc *s)
{
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	const struct spec *sp = s->spec;
	struct err e;
	char msg[MSG_MAX], sock[256];

	sup_launch_opts(sv, s, &o, sock, sizeof sock);
	nsgroup_join_opts(sv, s, &o);
	if (notify_open(sv, s, &o, &e) < 0)   /* NOTIFY_SOCKET and /dev/log (init/notify.c) */
		goto failed_err;
	if (!(s->launch = calloc(1, sizeof *s->launch))) {
		start_failed(sv, s, 0, "cannot launch: out of memory");
		goto failed;
	}
	sv->launching++;
	if (sbx_launch_begin(sp, &o, s->launch, &e) < 0) {
		launch_forget(sv, s);
		goto failed_err;
	}
	s->launch_watch = (struct loop_watch){ .fd = s->launch->sock, .fn = on_launch_report, .ctx = s };
	if (loop_add(&sv->loop, &s->launch_watch, EPOLLIN, &e) < 0) {
		/* without the watch we would never hear of it: stop it now */
		s->launch_watch.fd = -1;
		sbx_launch_abort(s->launch);
		launch_forget(sv, s);
		goto failed_err;
	}
	svcmap_set_pid(sv, s, s->launch->pid);
	sup_timer_arm(s, (uint64_t)SBX_SETUP_TIMEOUT_S * 1000);
	if (sv->debug)
		sup_log(sv, "%s: launching, pid %d", s->name, (int)s->pid);
	return SVC_STARTING;

failed_err:
	if (e.errnum == EMFILE || e.errnum == ENFILE)
		sup_note_nofile(sv);
	start_failed(sv, s, 0, err_str(&e, msg, sizeof msg));
failed:
	sup_raise(sv, s, EV_LAUNCH_FAILED);
	return SVC_STARTING;
}

/* The service itself: the launched process, or with Init= the reaper's
 * child (the launcher reports it). 0 until known. */
static void main_pid_of(struct sup *sv, struct svc *s, const struct sbx_child *c)
{
	pid_t p = c->main_pid > 0 ? c->main_pid : s->spec && s->spec->init ? 0 : c->pid;

	sup_main_pid_set(sv, s, p);
}

/* The launch socket is readable (a report, or EOF: the service exec'd). */
static void on_launch_report(struct loop_watch *w, uint32_t events)
{
	struct svc *s = w->ctx;
	struct sup *sv = sup_the;
	struct sbx_child c;
	struct err e;
	char msg[MSG_MAX];
	int r;

	(void)events;
	if (!s->launch || w->fd < 0)
		return;
	/* out of epoll before end() closes the socket: a launch child
	 * forked meanwhile may still hold a copy of it, which would keep
	 * the registration (and its events) alive */
	loop_del(&sv->loop, w);
	r = sbx_launch_end(s->launch, &c, &e);
	if (r == 1) {
		if (loop_add(&sv->loop, w, EPOLLIN, &e) < 0)
			sup_log(sv, "%s: cannot watch its launch: %s", s->name, strerror(e.errnum));
		return;   /* the setup timer still bounds it */
	}
	w->fd = -1;
	launch_forget(sv, s);
	if (r == 0) {
		s->pidfd = c.pidfd;
		if (c.stdio[0] >= 0)
			close(c.stdio[0]);
		svc_io_watch_output(sv, s, c.stdio[1], c.stdio[2]);
		main_pid_of(sv, s, &c);
		if (c.reaper_fd >= 0)
			sup_reaper_watch(sv, s, c.reaper_fd);
		sup_raise(sv, s, EV_LAUNCH_OK);
		return;
	}
	/* the child exits by itself: reaped as an orphan (sup_reap) */
	if (c.pidfd >= 0)
		close(c.pidfd);
	svcmap_set_pid(sv, s, 0);
	start_failed(sv, s, c.exit_code, err_str(&e, msg, sizeof msg));
	sup_raise(sv, s, EV_LAUNCH_FAILED);
}

/* The sandbox setup is stopped before it reported: the timer (timeout)
 * or a stop request. The child is SIGKILLed and reaped as an orphan
 * whenever it dies (one stuck in the kernel may take long). */
static void launch_abort(struct sup *sv, struct svc *s, bool timeout)
{
	if (s->launch) {
		if (s->launch_watch.fd >= 0)
			loop_del(&sv->loop, &s->launch_watch);
		s->launch_watch.fd = -1;
		sbx_launch_abort(s->launch);
		launch_forget(sv, s);
	}
	svcmap_set_pid(sv, s, 0);
	if (timeout) {
		char m[128];

		snprintf(m, sizeof m, "the sandbox setup did not finish within %d s",
			 SBX_SETUP_TIMEOUT_S);
		start_failed(sv, s, SBX_EXIT_SETUP, m);
	}
	cleanup_begin(sv, s);
}

/* ---- ends --------------------------------------------------------------------- */

/* Why the main process ended (sandbox/outcome.c decides, for us and
 * for sandboxctl run alike): exit code, signal, or an OOM kill of its
 * cgroup. */
static void classify(struct svc *s, int status)
{
	static const enum svc_reason reason[] = {
		[SBX_END_EXITED] = REASON_EXITED, [SBX_END_KILLED] = REASON_KILLED,
		[SBX_END_OOM_KILLED] = REASON_OOM_KILLED, [SBX_END_START_FAILED] = REASON_START_FAILED,
	};
	uint64_t ooms = s->oom_kills_at_start;
	struct sbx_outcome o;
	struct err e;

	if (s->cgroup_fd < 0 || cg_oom_kills(s->cgroup_fd, &ooms, &e) < 0 ||
	    ooms < s->oom_kills_at_start)
		ooms = s->oom_kills_at_start;
	sbx_outcome_of_wait(status, s->spec && s->spec->init, s->oom_kills_at_start, ooms, &o);
	if (o.kind == SBX_END_OOM_KILLED)
		s->oom_kills += (unsigned)(ooms - s->oom_kills_at_start);
	set_last(s, reason[o.kind], o.code, o.signal, NULL);
}

/* The main process was reaped (s->wstatus): record why, collect its last
 * output, then release its cgroup. */
static void main_gone(struct sup *sv, struct svc *s)
{
	char what[300];

	/* a start that failed first (TimeoutStartSec=, ExecStartPost=)
	 * keeps that reason: the end it caused is no news */
	if (!s->run || !s->run->keep_last)
		classify(s, s->wstatus);
	svc_io_close_output(sv, s);
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->pidfd = -1;
	svcmap_set_pid(sv, s, 0);
	sup_main_pid_set(sv, s, 0);
	sup_timer_disarm(s);
	svc_exit_describe(&s->last, what, sizeof what);
	if (sv->debug || s->last.reason != REASON_EXITED || s->last.code != 0)
		sup_log(sv, "%s: %s", s->name, what);
}

static void exited(struct sup *sv, struct svc *s)
{
	if (s->state == SVC_RELOADING)
		sup_reload_done(sv, s, false, "the service ended during the reload");
	main_gone(sv, s);
	cleanup_begin(sv, s);
}

static int launched(struct sup *sv, struct svc *s);
static int start_exited(struct sup *sv, struct svc *s);

/* Reaped before its report was read: read it first (a setup failure
 * says why; EOF says it exec'd and is the exit itself). SVC_CLEANUP,
 * or for Type=forking what the report then the exit would have made
 * of it: its started process exits at once by design, and was taken
 * for the unit's end when reaped first (the daemon left untracked). */
static int early_exit(struct sup *sv, struct svc *s)
{
	struct sbx_child c;
	struct err e;
	char msg[MSG_MAX];
	int r;

	if (s->launch_watch.fd >= 0)
		loop_del(&sv->loop, &s->launch_watch);   /* before end() closes it */
	s->launch_watch.fd = -1;
	r = s->launch ? sbx_launch_end(s->launch, &c, &e) : 1;
	launch_forget(sv, s);
	if (r == 0) {
		s->pidfd = c.pidfd;
		if (c.stdio[0] >= 0)
			close(c.stdio[0]);
		svc_io_watch_output(sv, s, c.stdio[1], c.stdio[2]);
		main_pid_of(sv, s, &c);
		if (c.reaper_fd >= 0)
			sup_reaper_watch(sv, s, c.reaper_fd);
		if (s->spec && s->spec->type == SERVICE_FORKING &&
		    launched(sv, s) == SVC_START_WAIT)
			return start_exited(sv, s);
		exited(sv, s);
		return SVC_CLEANUP;
	}
	if (r < 0) {
		if (c.pidfd >= 0)
			close(c.pidfd);
		start_failed(sv, s, c.exit_code, err_str(&e, msg, sizeof msg));
	} else {
		snprintf(msg, sizeof msg, "the sandbox setup ended without a report (exit status %d)",
			 sbx_exit_code(s->wstatus));
		start_failed(sv, s, SBX_EXIT_SETUP, msg);
	}
	svcmap_set_pid(sv, s, 0);
	sup_timer_disarm(s);
	cleanup_begin(sv, s);
	return SVC_CLEANUP;
}

static void send_signal(struct svc *s, int sig)
{
	if (s->pidfd < 0 || syscall(SYS_pidfd_send_signal, s->pidfd, sig, NULL, 0) < 0)
		if (s->pid > 0)
			kill(s->pid, sig);
}

/* KillSignal= per KillMode=: control-group signals the launched process
 * (with Init= the reaper, which passes it on), the group is SIGKILLed at
 * the end; mixed and process signal the service itself (its main pid, not
 * the reaper: the reaper's end would end the whole pid namespace).
 * requested: a stop asked for (its end is no failure); else a start that
 * failed (TimeoutStartSec=, ExecStartPost=), whose reason is kept. */
static void kill_soft(struct svc *s, bool requested)
{
	int sig = s->spec ? s->spec->kill_signal : SIGTERM;
	uint64_t bound = s->spec ? s->spec->timeout_stop_ms : 0;

	if (requested)
		s->stop_requested = true;
	else if (s->run)
		s->run->keep_last = true;
	unsigned n = 0;

	if (s->spec && s->spec->kill_mode != KILL_CONTROL_GROUP && s->main_pid > 0) {
		sup_signal_main(s, sig);
		sup_signal_main(s, SIGCONT);
	} else if (sup_kill_group(s, sig, &n) == 0) {
		/* control-group: every process of the group, as systemd */
		sup_kill_group(s, SIGCONT, &n);
	} else {
		send_signal(s, sig);
		/* a stopped process would never act on the signal */
		send_signal(s, SIGCONT);
	}
	/* TimeoutStopSec=infinity: no SIGKILL */
	if (bound == LIMIT_INFINITY)
		sup_timer_disarm(s);
	else
		sup_timer_arm(s, bound);
}

static void kill_hard(struct sup *sv, struct svc *s)
{
	struct err e;

	sup_log(sv, "%s: did not stop within %llu ms: killing it", s->name,
		(unsigned long long)(s->spec ? s->spec->timeout_stop_ms : 0));
	if (s->spec && s->spec->kill_mode == KILL_PROCESS && s->main_pid > 0) {
		sup_signal_main(s, SIGKILL);   /* the rest stays */
		return;
	}
	if (s->cgroup_fd < 0 || cg_kill(s->cgroup_fd, &e) < 0) {
		if (s->main_pid > 0)
			sup_signal_main(s, SIGKILL);
		send_signal(s, SIGKILL);
	}
}

/* Down, and its cgroup gone: what now (policy.c decides). */
static int decide(struct sup *sv, struct svc *s)
{
	const struct spec *sp = s->spec;
	struct policy_end in = {
		.last = &s->last,
		.restart = sp ? sp->restart : RESTART_NO,
		.oom = sp ? sp->oom_policy : OOM_RESTART,
		.oneshot = sp && sp->type == SERVICE_ONESHOT,
		.want_up = s->want_up,
		.stop_requested = s->stop_requested,
		.start_asked = s->start_asked,
		.dep_failed = s->failed_dep[0] != '\0',
		.removed = s->removed,
		.stopping_all = sv->stopping_all,
	};
	enum policy_verdict v = policy_after_end(&in);
	int next = SVC_FAILED;

	s->stop_requested = false;
	s->start_asked = false;
	sup_run_free(sv, s);
	switch (v) {
	case PV_INACTIVE:
		next = SVC_INACTIVE;
		break;
	case PV_START:
		next = SVC_WAITING;
		break;
	case PV_BACKOFF: {
		uint64_t delay = policy_backoff(&s->backoff_ms, sp->restart_sec_ms,
						sp->restart_max_sec_ms,
						clock_mono_ms() - s->started_mono_ms);

		if (s->last.reason != REASON_START_FAILED)
			s->restarts++;
		if (sv->debug)
			sup_log(sv, "%s: restarting in %llu ms", s->name, (unsigned long long)delay);
		sup_timer_arm(s, delay);
		next = SVC_BACKOFF;
		break;
	}
	case PV_EXITED:
		next = SVC_EXITED;
		break;
	case PV_DEP_FAILED:
		set_last(s, REASON_DEP_FAILED, s->last.code, s->last.signal, s->failed_dep);
		break;
	case PV_REBOOT:
		sup_log(sv, "%s: OOMPolicy=reboot: rebooting", s->name);
		sup_request_shutdown(sv, SHUTDOWN_REBOOT);
		break;
	case PV_FAILED:
		break;
	}
	s->failed_dep[0] = '\0';
	return next;
}

/* ---- readiness and control processes (issue #11) ------------------------------- */

/* Ready (exec'd, READY=1, the forking daemon known): ExecStartPost=
 * first, then running (After= waits until then). */
static int ready(struct sup *sv, struct svc *s)
{
	sup_timer_disarm(s);
	if (s->spec->exec_start_post.n && s->run) {
		sup_ctl_start(sv, s, CTL_POST, 0);
		return SVC_START_POST;
	}
	if (sv->debug)
		sup_log(sv, "%s: ready", s->name);
	return SVC_RUNNING;
}

static int launched(struct sup *sv, struct svc *s)
{
	const struct spec *sp = s->spec;

	sup_timer_disarm(s);
	if (sv->debug)
		sup_log(sv, "%s: started, pid %d, main pid %d", s->name, (int)s->pid,
			(int)s->main_pid);
	if (!s->want_up)
		sup_raise(sv, s, EV_STOP);
	if (sp->type != SERVICE_NOTIFY && sp->type != SERVICE_FORKING)
		return ready(sv, s);
	if (sp->type == SERVICE_NOTIFY && s->run && s->run->ready_early)
		return ready(sv, s);
	/* TimeoutStartSec= bounds exec -> ready */
	if (sp->timeout_start_ms != LIMIT_INFINITY)
		sup_timer_arm(s, sp->timeout_start_ms);
	return SVC_START_WAIT;
}

/* KillSignal, or, when PID 1 knows no process of the unit (a forking
 * daemon whose pid was never found), straight to the group's cleanup:
 * no exit would ever end the stop. */
static int kill_or_cleanup(struct sup *sv, struct svc *s, bool requested)
{
	if (s->pid > 0 || s->main_pid > 0) {
		kill_soft(s, requested);
		return SVC_STOPPING;
	}
	if (requested)
		s->stop_requested = true;
	else if (s->run)
		s->run->keep_last = true;
	sup_timer_disarm(s);
	cleanup_begin(sv, s);
	return SVC_CLEANUP;
}

static void start_timeout(struct sup *sv, struct svc *s)
{
	char m[128];

	snprintf(m, sizeof m, "did not become ready within %llu s",
		 (unsigned long long)(s->spec->timeout_start_ms / 1000));
	start_failed(sv, s, 0, s->run && s->run->no_main ? sup_run_why(s->run) : m);
}

/* The started process ended before the unit was ready. Type=forking:
 * an exit 0 of the process PID 1 launched is the daemon's start (without
 * a pid namespace; with one the reaper stays and says so on its channel):
 * the main pid is then PIDFile='s, or unknown; else an end as any. */
static int start_exited(struct sup *sv, struct svc *s)
{
	const struct spec *sp = s->spec;

	if (sp->type == SERVICE_FORKING && WIFEXITED(s->wstatus) && WEXITSTATUS(s->wstatus) == 0 &&
	    s->main_pid == s->pid) {
		/* the output pipes stay: the daemon writes to them */
		if (s->pidfd >= 0)
			close(s->pidfd);
		s->pidfd = -1;
		svcmap_set_pid(sv, s, 0);
		sup_main_pid_set(sv, s, 0);
		if (sup_forking_started(sv, s))
			return ready(sv, s);
		return SVC_START_WAIT;   /* the pid file is being read; TimeoutStartSec= bounds it */
	}
	exited(sv, s);
	return SVC_CLEANUP;
}

/* A control process ended (ok or not: s->run): what its list and the
 * state make of it. */
static int ctl_next(struct sup *sv, struct svc *s)
{
	struct svc_run *r = s->run;
	unsigned next = r->idx + 1;
	bool more = r->ok && next < sup_ctl_list(s, (enum ctl_kind)r->kind)->n;

	switch (s->state) {
	case SVC_START_PRE:
		if (more) {
			sup_ctl_start(sv, s, CTL_PRE, next);
			return FSM_KEEP;
		}
		if (r->ok)
			return launch_main(sv, s);
		start_failed(sv, s, 0, sup_run_why(r));
		cleanup_begin(sv, s);
		return SVC_CLEANUP;
	case SVC_START_POST:
		if (more) {
			sup_ctl_start(sv, s, CTL_POST, next);
			return FSM_KEEP;
		}
		if (r->ok) {
			sup_timer_disarm(s);
			return SVC_RUNNING;
		}
		start_failed(sv, s, 0, sup_run_why(r));
		return kill_or_cleanup(sv, s, false);
	case SVC_RELOADING:
		if (more) {
			sup_ctl_start(sv, s, CTL_RELOAD, next);
			return FSM_KEEP;
		}
		sup_timer_disarm(s);
		sup_reload_done(sv, s, r->ok, sup_run_why(r));
		return SVC_RUNNING;
	case SVC_STOP_CMD:
		/* a failed ExecStop= is logged; the stop goes on (as systemd) */
		if (!r->ok && !r->timed_out)
			sup_log(sv, "%s: %s", s->name, sup_run_why(r));
		if (next < sup_ctl_list(s, CTL_STOP)->n && !r->main_gone && !r->timed_out) {
			sup_ctl_start(sv, s, CTL_STOP, next);
			return FSM_KEEP;
		}
		if (r->main_gone) {
			cleanup_begin(sv, s);
			return SVC_CLEANUP;
		}
		return kill_or_cleanup(sv, s, true);
	default:
		return FSM_KEEP;
	}
}

/* A stop of a started unit: a control process running is killed;
 * ExecStop= runs first when the unit was ready (systemd runs it only
 * after a successful start), then KillSignal per KillMode=. */
static int stop(struct sup *sv, struct svc *s)
{
	if (s->state == SVC_RELOADING)
		sup_reload_done(sv, s, false, "stopped during the reload");
	sup_ctl_kill(sv, s);
	s->stop_requested = true;
	if ((s->state == SVC_RUNNING || s->state == SVC_RELOADING) && s->run &&
	    s->spec->exec_stop.n) {
		sup_ctl_start(sv, s, CTL_STOP, 0);
		return SVC_STOP_CMD;
	}
	return kill_or_cleanup(sv, s, true);
}

static int act(struct fsm *f, struct svc *s, enum fsm_action a, enum svc_event ev)
{
	struct sup *sv = f->ctx;

	(void)ev;
	switch (a) {
	case A_NONE:
	case A_COUNT:
		break;
	case A_WANT:
		/* an operator's start lifts the start limit and the backoff */
		sup_timer_disarm(s);
		s->limit = (struct start_limit){ 0 };
		s->backoff_ms = 0;
		s->failed_dep[0] = '\0';
		break;
	case A_LAUNCH:
		return launch(sv, s);
	case A_LAUNCHED:
		return launched(sv, s);
	case A_LAUNCH_FAILED:
		svcmap_set_pid(sv, s, 0);
		sup_timer_disarm(s);
		cleanup_begin(sv, s);
		break;
	case A_SETUP_TIMEOUT:
		launch_abort(sv, s, true);
		break;
	case A_ABORT:
		s->stop_requested = true;
		launch_abort(sv, s, false);
		break;
	case A_EARLY_EXIT:
		return early_exit(sv, s);
	case A_EXITED:
		exited(sv, s);
		break;
	case A_KILL:
		return kill_or_cleanup(sv, s, true);
	case A_KILL_HARD:
		kill_hard(sv, s);
		break;
	case A_CLEANUP_TIMER:
		cleanup_timer(sv, s);
		break;
	case A_DECIDE:
		return decide(sv, s);
	case A_DISARM:
		sup_timer_disarm(s);
		break;
	case A_DEP_FAILED:
		sup_timer_disarm(s);
		set_last(s, REASON_DEP_FAILED, 0, 0, s->failed_dep);
		s->failed_dep[0] = '\0';
		break;
	case A_BACKOFF_DONE:
		break;
	case A_START_LATER:
		s->start_asked = true;
		break;
	case A_READY_EARLY:
		if (s->run)
			s->run->ready_early = true;
		break;
	case A_READY:
		return ready(sv, s);
	case A_START_TIMEOUT:
		start_timeout(sv, s);
		return kill_or_cleanup(sv, s, false);
	case A_START_EXITED:
		return start_exited(sv, s);
	case A_CTL_TIMEOUT:
		if (!s->run)
			break;
		sup_ctl_timeout(sv, s);
		return ctl_next(sv, s);
	case A_CTL_DONE:
		return s->run ? ctl_next(sv, s) : FSM_KEEP;
	case A_CTL_ABORT:
		s->stop_requested = true;
		cleanup_begin(sv, s);   /* kills the control process */
		break;
	case A_STOP:
		return stop(sv, s);
	case A_RELOAD:
		if (s->run && s->spec->exec_reload.n) {
			sup_ctl_start(sv, s, CTL_RELOAD, 0);
			return SVC_RELOADING;
		}
		break;
	case A_MAIN_GONE:
		main_gone(sv, s);
		if (s->run)
			s->run->main_gone = true;
		break;
	}
	return FSM_KEEP;
}

/* Boot is done when no unit waits to be started any more: every unit has
 * been launched once (or has failed). Timed from the kernel's start. */
static void note_boot_done(struct sup *sv)
{
	struct timespec ts;

	if (sv->all_running_ms)
		return;
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svcs[i]->state == SVC_WAITING || sv->svcs[i]->state == SVC_STARTING)
			return;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	sv->all_running_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (sv->pid1)
		sup_log(sv, "all units started, %lld ms after the kernel started",
			(long long)sv->all_running_ms);
	else
		sup_log(sv, "all units started in %lld ms",
			(long long)(clock_mono_ms() - sv->boot_mono_ms));
}

static void changed(struct fsm *f, struct svc *s, enum svc_state old)
{
	struct sup *sv = f->ctx;

	s->since_ms = clock_real_ms();
	if (sv->debug)
		sup_log(sv, "%s: %s -> %s", s->name, svc_state_id(old), svc_state_id(s->state));
	else if (s->state == SVC_FAILED)
		sup_log(sv, "%s: %s -> %s", s->name, svc_state_name(old), svc_state_name(s->state));
	/* the state files show what status shows: waiting -> starting
	 * changes nothing there (two atomic writes saved per unit at boot);
	 * cleanup does (the pid is gone) */
	if (strcmp(svc_state_name(old), svc_state_name(s->state)) != 0 || s->state == SVC_CLEANUP)
		svc_io_write_status(sv, s);
	sv->deps_dirty = true;
	if (old == SVC_STARTING || old == SVC_WAITING)
		note_boot_done(sv);
	if (s->state == SVC_FAILED && old != SVC_FAILED)
		deps_propagate_failure(sv, s);
}

static bool idle(struct fsm *f)
{
	struct sup *sv = f->ctx;

	if (f->dropped) {
		sup_log(sv, "%u unit events dropped: a unit's event queue was full", f->dropped);
		f->dropped = 0;
	}
	return deps_pass(sv);
}

const struct fsm_ops sup_fsm_ops = { .act = act, .changed = changed, .idle = idle };
