/* Control processes (systemd's word): the ExecStartPre=, ExecStartPost=,
 * ExecReload= and ExecStop= commands of a unit, each launched in the
 * unit's sandbox with sbx_launch_begin() like the main one, and never
 * waited for: its report, its output and its end come through the loop,
 * its bound is the unit's timer (fsm.c's rows say what the end does).
 * At most one runs per unit at a time, as in systemd. Also the service's
 * own pid (sup_main_pid_found) and its pidfd.
 *
 * A unit's struct svc_run exists from its launch (A_LAUNCH) to the
 * restart policy's verdict (A_DECIDE): an idle unit carries none. */
#include "sup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "mainpid.h"
#include "svcmap.h"
#include "../sandbox/launch.h"
#include "../sandbox/outcome.h"

static const char *const keys[CTL_COUNT] = {
	[CTL_PRE] = "ExecStartPre=", [CTL_POST] = "ExecStartPost=",
	[CTL_RELOAD] = "ExecReload=", [CTL_STOP] = "ExecStop=",
};

const char *sup_ctl_key(enum ctl_kind k)
{
	return (unsigned)k < CTL_COUNT ? keys[k] : "?";
}

const struct exec_list *sup_ctl_list(const struct svc *s, enum ctl_kind k)
{
	static const struct exec_list none;
	const struct spec *sp = s->spec;

	if (!sp)
		return &none;
	switch (k) {
	case CTL_PRE:
		return &sp->exec_start_pre;
	case CTL_POST:
		return &sp->exec_start_post;
	case CTL_RELOAD:
		return &sp->exec_reload;
	case CTL_STOP:
		return &sp->exec_stop;
	default:
		return &none;
	}
}

/* systemd's bounds: TimeoutStartSec= for the start's commands,
 * TimeoutStopSec= for ExecStop=, 90 s for a reload (LIMIT_INFINITY: none) */
uint64_t sup_ctl_bound_ms(const struct svc *s, enum ctl_kind k)
{
	if (!s->spec)
		return 90000;
	switch (k) {
	case CTL_PRE:
	case CTL_POST:
		return s->spec->timeout_start_ms;
	case CTL_STOP:
		return s->spec->timeout_stop_ms;
	default:
		return SUP_RELOAD_TIMEOUT_MS;
	}
}

/* The command's program, for messages: reload may have swapped the spec
 * (and its lists) under a running command. */
static const char *ctl_prog(const struct svc *s)
{
	const struct exec_list *l = sup_ctl_list(s, (enum ctl_kind)s->run->kind);

	return s->run->idx < l->n ? l->v[s->run->idx].argv[0] : "?";
}

static bool ctl_ignored(const struct svc *s)
{
	const struct exec_list *l = sup_ctl_list(s, (enum ctl_kind)s->run->kind);

	return s->run->idx < l->n && l->v[s->run->idx].ignore_failure;
}

/* ---- the run's lifetime ---------------------------------------------------- */

/* The control process in flight: allocated from its launch to its end. */
struct svc_ctl {
	struct svc_ctl *next;          /* the live list */
	struct svc *svc;
	struct sbx_launch *launch;     /* its setup in flight, else NULL */
	struct loop_watch launch_watch, out_watch, err_watch;
	int64_t began_ms;              /* monotonic: its launch */
	pid_t pid;                     /* to reap (the relay's, then the command's), 0: none */
	int pidfd;
};

/* the control processes running: the reaper looks here for a pid that is
 * no unit's main process (a handful at a time, not every unit) */
static struct svc_ctl *live;

struct svc_run *sup_run_get(struct svc *s)
{
	struct svc_run *r = s->run;

	if (r)
		return r;
	if (!(r = calloc(1, sizeof *r)))
		return NULL;
	r->main_pidfd = -1;
	s->run = r;
	return r;
}

const char *sup_run_why(const struct svc_run *r)
{
	return r && r->why ? r->why : "";
}

/* The failure's text, on the heap only when there is one. Out of memory:
 * none (the verdict stands). */
static void set_why(struct svc_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_why(struct svc_run *r, const char *fmt, ...)
{
	char buf[SVC_MSG_MAX];
	va_list ap;

	free(r->why);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	r->why = strdup(buf);
}

static void reaper_close(struct sup *sv, struct svc_run *r)
{
	if (!r->reaper_w)
		return;
	loop_del(&sv->loop, r->reaper_w);
	close(r->reaper_w->fd);
	free(r->reaper_w);
	r->reaper_w = NULL;
}

void sup_run_free(struct sup *sv, struct svc *s)
{
	struct svc_run *r = s->run;

	if (!r)
		return;
	sup_ctl_kill(sv, s);
	if (r->main_pidfd >= 0)
		close(r->main_pidfd);
	reaper_close(sv, r);
	free(r->why);
	s->run = NULL;
	free(r);
}

/* ---- output: into the unit's log, as the main's ------------------------------ */

static void close_out(struct sup *sv, struct loop_watch *w)
{
	if (w->fd < 0)
		return;
	loop_del(&sv->loop, w);
	close(w->fd);
	w->fd = -1;
}

/* Read what it wrote, bounded per wake-up; false at EOF or error. */
static bool drain(struct sup *sv, struct svc *s, struct svc_ctl *c, struct loop_watch *w)
{
	char buf[4096];
	size_t budget = 64 * 1024;
	bool more = true, got = false;

	while (w->fd >= 0 && budget) {
		ssize_t n = read(w->fd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			more = n < 0 && errno == EAGAIN;
			break;
		}
		logbuf_feed(&s->log, w == &c->out_watch ? 1 : 2, buf, (size_t)n, clock_real_ms());
		got = true;
		budget -= (size_t)n < budget ? (size_t)n : budget;
	}
	if (got)
		control_log_appended(sv, s);
	return more;
}

static void on_output(struct loop_watch *w, uint32_t events)
{
	struct svc_ctl *c = w->ctx;

	(void)events;
	if (w->fd < 0)
		return;
	if (!drain(sup_the, c->svc, c, w)) {
		logbuf_flush(&c->svc->log, clock_real_ms());
		control_log_appended(sup_the, c->svc);
		close_out(sup_the, w);
	}
}

static void watch_output(struct sup *sv, struct svc_ctl *c, const struct sbx_child *ch)
{
	struct err e;

	if (ch->stdio[0] >= 0)
		close(ch->stdio[0]);
	for (int i = 1; i <= 2; i++) {
		struct loop_watch *w = i == 1 ? &c->out_watch : &c->err_watch;

		*w = (struct loop_watch){ .fd = ch->stdio[i], .fn = on_output, .ctx = c };
		if (w->fd < 0)
			continue;
		fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_NONBLOCK);
		if (loop_add(&sv->loop, w, EPOLLIN, &e) < 0)
			close_out(sv, w);
	}
}

static void close_output(struct sup *sv, struct svc_ctl *c)
{
	if (c->out_watch.fd < 0 && c->err_watch.fd < 0)
		return;
	for (int i = 1; i <= 2; i++) {
		struct loop_watch *w = i == 1 ? &c->out_watch : &c->err_watch;

		drain(sv, c->svc, c, w);
		close_out(sv, w);
	}
	logbuf_flush(&c->svc->log, clock_real_ms());
	control_log_appended(sv, c->svc);
}

/* ---- starting one ------------------------------------------------------------ */

static void on_report(struct loop_watch *w, uint32_t events);

static void launch_forget(struct sup *sv, struct svc_ctl *c)
{
	if (c->launch_watch.fd >= 0)
		loop_del(&sv->loop, &c->launch_watch);
	c->launch_watch.fd = -1;
	free(c->launch);
	c->launch = NULL;
}

/* The control process is gone (ended, killed, never started): its
 * output read, its fds closed, off the live list and freed. A process
 * still to reap is reaped as an orphan. */
static void ctl_free(struct sup *sv, struct svc *s)
{
	struct svc_ctl *c = s->run->ctl;

	if (!c)
		return;
	if (c->launch)
		launch_forget(sv, c);
	close_output(sv, c);
	if (c->pidfd >= 0)
		close(c->pidfd);
	for (struct svc_ctl **pp = &live; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	s->run->ctl = NULL;
	free(c);
}

/* The command ended (or never started): the verdict, then the FSM. */
static void finish(struct sup *sv, struct svc *s, bool ok, const char *what)
{
	struct svc_run *r = s->run;
	bool ignore = ctl_ignored(s);

	ctl_free(sv, s);
	r->ok = ok || ignore;
	free(r->why);
	r->why = NULL;
	if (!ok) {
		set_why(r, "%s%s%s%s", sup_ctl_key((enum ctl_kind)r->kind), ctl_prog(s),
			what[0] == ':' ? "" : " ", what);
		/* a failure that counts is logged where it counts (the
		 * start's failure, the reload's answer, the stop) */
		if (ignore)
			sup_log(sv, "%s: %s (ignored: \"-\")", s->name, sup_run_why(r));
	}
	sup_raise(sv, s, EV_CTL_EXITED);
}

static void ended(struct sup *sv, struct svc *s, int status)
{
	char what[64];

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		finish(sv, s, true, "");
		return;
	}
	/* ExecStop= in a unit with a pid namespace of its own: once the
	 * service it stopped is gone, the namespace's init (the reaper, or
	 * the service) ends and the kernel SIGKILLs what is left in it, this
	 * command too (Debian nginx's start-stop-daemon --retry waits for the
	 * very end it caused). PID 1's own kills (timeout, stop) forget the
	 * command before it is reaped, so a SIGKILL seen here is not
	 * PID 1's: the command's job is done. */
	if (s->run->kind == CTL_STOP && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
	    s->spec && (s->spec->namespaces & NS_BIT(NS_PID))) {
		sup_log(sv, "%s: %s%s ended with the service's pid namespace", s->name,
			sup_ctl_key(CTL_STOP), ctl_prog(s));
		finish(sv, s, true, "");
		return;
	}
	if (WIFSIGNALED(status))
		snprintf(what, sizeof what, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(what, sizeof what, "exited %d", sbx_exit_code(status));
	finish(sv, s, false, what);
}

/* "ExecStartPre=/bin/x: the sandbox's message" */
static void failed_to_start(struct sup *sv, struct svc *s, const char *msg)
{
	char what[ERR_MSG_MAX + 64];

	snprintf(what, sizeof what, ": %s", msg);
	finish(sv, s, false, what);
}

void sup_ctl_start(struct sup *sv, struct svc *s, enum ctl_kind k, unsigned idx)
{
	struct svc_run *r = s->run;
	const struct spec *sp = s->spec;
	const struct exec_cmd *cmd = &sup_ctl_list(s, k)->v[idx];
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	char sock[256], msg[ERR_MSG_MAX + 64];
	uint64_t bound = sup_ctl_bound_ms(s, k);
	struct svc_ctl *c;
	struct err e;

	r->kind = (uint8_t)k;
	r->idx = idx;
	r->ok = false;
	r->timed_out = false;
	sup_ctl_kill(sv, s);   /* none should be left: one at a time */
	if (!(c = calloc(1, sizeof *c)) || !(c->launch = calloc(1, sizeof *c->launch))) {
		free(c);
		failed_to_start(sv, s, "out of memory");
		return;
	}
	c->svc = s;
	c->pidfd = -1;
	c->launch_watch.fd = c->out_watch.fd = c->err_watch.fd = -1;
	c->began_ms = clock_mono_ms();
	c->next = live;
	live = c;
	r->ctl = c;
	sup_launch_opts(sv, s, &o, sock, sizeof sock);
	o.argv = cmd->argv;
	o.stdio[1] = o.stdio[2] = SBX_STDIO_PIPE;
	if (k == CTL_PRE) {
		/* a fresh sandbox like the main's, in its namespace group */
		nsgroup_join_opts(sv, s, &o);
	} else if (s->pidfd >= 0) {
		/* into the running service, as `crun exec` */
		o.join_pidfd = s->pidfd;
		o.join_ns = sp->namespaces;
	}
	if (sv->debug)
		sup_log(sv, "%s: %s%s", s->name, sup_ctl_key(k), cmd->argv[0]);
	if (sbx_launch_begin(sp, &o, c->launch, &e) < 0) {
		failed_to_start(sv, s, err_str(&e, msg, sizeof msg));
		return;
	}
	c->launch_watch = (struct loop_watch){ .fd = c->launch->sock, .fn = on_report, .ctx = c };
	if (loop_add(&sv->loop, &c->launch_watch, EPOLLIN, &e) < 0) {
		c->launch_watch.fd = -1;
		sbx_launch_abort(c->launch);   /* reaped as an orphan */
		failed_to_start(sv, s, "cannot watch its launch");
		return;
	}
	c->pid = c->launch->pid;
	/* the setup is bounded as the main's is, the command by its key */
	sup_timer_arm(s, bound < (uint64_t)SBX_SETUP_TIMEOUT_S * 1000 ? bound
								 : (uint64_t)SBX_SETUP_TIMEOUT_S * 1000);
}

/* The rest of the command's bound, once its setup is done. */
static void arm_bound(struct svc *s)
{
	struct svc_run *r = s->run;
	uint64_t bound = sup_ctl_bound_ms(s, (enum ctl_kind)r->kind);
	int64_t spent = clock_mono_ms() - r->ctl->began_ms;

	if (bound == LIMIT_INFINITY)
		sup_timer_disarm(s);
	else
		sup_timer_arm(s, spent >= 0 && (uint64_t)spent < bound ? bound - (uint64_t)spent : 0);
}

/* Read the report: 0 exec'd, -1 failed (finished: c is freed), 1
 * nothing yet, 2 a join's relay handed the command over (c->pid is the
 * command's now). */
static int read_report(struct sup *sv, struct svc *s)
{
	struct svc_ctl *c = s->run->ctl;
	struct sbx_child ch;
	struct err e;
	char msg[ERR_MSG_MAX + 64];
	int rc;

	if (c->launch_watch.fd >= 0)
		loop_del(&sv->loop, &c->launch_watch);   /* before end() closes it */
	rc = sbx_launch_end(c->launch, &ch, &e);
	if (rc == 2)
		c->pid = c->launch->pid;   /* reaped as the command from now on */
	if (rc == 1 || rc == 2) {
		if (loop_add(&sv->loop, &c->launch_watch, EPOLLIN, &e) < 0)
			c->launch_watch.fd = -1;   /* the timer still bounds it */
		return rc;
	}
	c->launch_watch.fd = -1;
	launch_forget(sv, c);
	if (rc == 0) {
		c->pidfd = ch.pidfd;
		if (ch.reaper_fd >= 0)
			close(ch.reaper_fd);   /* a command's end is its reaper's */
		watch_output(sv, c, &ch);
		return 0;
	}
	/* it exits by itself and is reaped as an orphan */
	if (ch.pidfd >= 0)
		close(ch.pidfd);
	c->pid = 0;
	failed_to_start(sv, s, err_str(&e, msg, sizeof msg));
	return -1;
}

static void on_report(struct loop_watch *w, uint32_t events)
{
	struct svc_ctl *c = w->ctx;
	struct svc *s = c->svc;
	int rc;

	(void)events;
	if (w->fd < 0 || !c->launch)
		return;
	/* a handover may come with the report behind it: read on */
	while ((rc = read_report(sup_the, s)) == 2 && s->run->ctl && s->run->ctl->launch)
		;
	if (rc == 0)
		arm_bound(s);
}

bool sup_ctl_reaped(struct sup *sv, pid_t pid, int status)
{
	struct svc_ctl *c;
	struct svc *s;

	for (c = live; c && c->pid != pid; c = c->next)
		;
	if (!c)
		return false;
	s = c->svc;
	if (c->launch) {
		/* reaped before its report was read: a setup failure says
		 * why; EOF says it exec'd, and this is its end */
		int rc = read_report(sv, s);

		if (rc == 2 || rc < 0)
			return true;   /* 2: the relay's end, which means nothing */
		if (rc == 1) {
			c->pid = 0;
			failed_to_start(sv, s, "the sandbox setup ended without a report");
			return true;
		}
	}
	c->pid = 0;
	ended(sv, s, status);
	return true;
}

bool sup_ctl_running(const struct svc *s)
{
	return s->run && s->run->ctl;
}

void sup_ctl_kill(struct sup *sv, struct svc *s)
{
	struct svc_ctl *c = s->run ? s->run->ctl : NULL;

	if (!c)
		return;
	if (c->launch) {
		if (c->launch_watch.fd >= 0)
			loop_del(&sv->loop, &c->launch_watch);
		c->launch_watch.fd = -1;
		sbx_launch_abort(c->launch);   /* SIGKILL; reaped as an orphan */
		/* after a relay's handover the command is its own process */
		if (c->pid > 0 && c->pid != c->launch->pid)
			kill(c->pid, SIGKILL);
	} else if (c->pid > 0) {
		/* the pidfd's failure (ESRCH) means reaped: its pid may be a
		 * stranger's by now, never signalled by number then */
		if (c->pidfd >= 0)
			syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
		else
			kill(c->pid, SIGKILL);
	}
	ctl_free(sv, s);
}

/* A_CTL_TIMEOUT: the command (or its setup) outlived its bound. */
void sup_ctl_timeout(struct sup *sv, struct svc *s)
{
	struct svc_run *r = s->run;
	enum ctl_kind k = (enum ctl_kind)r->kind;
	uint64_t bound = sup_ctl_bound_ms(s, k);
	bool setup = r->ctl && r->ctl->launch;

	sup_ctl_kill(sv, s);
	if (setup)
		set_why(r, "%s%s: the sandbox setup did not finish within %d s", sup_ctl_key(k),
			ctl_prog(s), SBX_SETUP_TIMEOUT_S);
	else
		set_why(r, "%s%s did not finish within %llu ms: killed", sup_ctl_key(k), ctl_prog(s),
			(unsigned long long)bound);
	sup_log(sv, "%s: %s", s->name, sup_run_why(r));
	r->ok = false;   /* a timeout is a failure, "-" or not (as systemd) */
	r->timed_out = true;
}

/* Every process of the unit's cgroup: its cgroup.procs (a kernel file,
 * read in bounded chunks). -1 when it cannot be read. */
int sup_kill_group(const struct svc *s, int sig, unsigned *n)
{
	char buf[4096], part[16];
	size_t plen = 0;
	int fd = s->cgroup_fd >= 0 ? openat(s->cgroup_fd, "cgroup.procs",
					   O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
	ssize_t k;

	if (fd < 0)
		return -1;
	while ((k = read(fd, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < k; i++) {
			if (buf[i] != '\n') {
				if (plen < sizeof part - 1)
					part[plen++] = buf[i];
				continue;
			}
			part[plen] = '\0';
			plen = 0;
			long pid = strtol(part, NULL, 10);

			if (pid > 0 && kill((pid_t)pid, sig) == 0)
				(*n)++;
		}
	close(fd);
	return 0;
}

/* ---- the service's own pid ---------------------------------------------------- */

/* s->main_pid's pidfd, when it is not the process PID 1 launched (the
 * reaper's child, a forking daemon): signals reach it without a pid race. */
void sup_main_pid_set(struct sup *sv, struct svc *s, pid_t pid)
{
	struct svc_run *r = s->run;

	(void)sv;
	s->main_pid = pid;
	if (!r)
		return;
	if (r->main_pidfd >= 0)
		close(r->main_pidfd);
	r->main_pidfd = -1;
	if (pid > 0 && pid != s->pid) {
		r->main_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		/* the pid was checked before the pidfd pinned it: look again
		 * now that it cannot be reused, or keep no main pid at all */
		if (r->main_pidfd < 0 || !mainpid_in_unit(s, pid)) {
			if (r->main_pidfd >= 0)
				close(r->main_pidfd);
			r->main_pidfd = -1;
			s->main_pid = 0;
		}
	}
}

/* Signal the service itself (KillMode=mixed/process, sandboxctl kill,
 * ReloadSignal=): its main pid; the launched process when it is the
 * same or none is known (with Init=, the reaper forwards the signal). */
int sup_signal_main(struct svc *s, int sig)
{
	int fd = s->run && s->main_pid > 0 && s->main_pid != s->pid ? s->run->main_pidfd : s->pidfd;
	pid_t pid = s->main_pid > 0 ? s->main_pid : s->pid;

	if (pid <= 0)
		return -1;
	if (fd >= 0)
		return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
	/* never by number a process PID 1 did not launch: that number may
	 * be a stranger's by now */
	if (pid != s->pid) {
		errno = ESRCH;
		return -1;
	}
	return kill(pid, sig);
}

/* The reaper's record: the started process's wait status. Exit 0: the
 * daemon runs (PIDFile= names it); else the start failed. EOF: the
 * reaper itself ended (its exit is the unit's, reaped as usual). */
static void on_reaper(struct loop_watch *w, uint32_t events)
{
	struct svc *s = w->ctx;
	struct sup *sv = sup_the;
	int st;
	ssize_t n = read(w->fd, &st, sizeof st);

	(void)events;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	reaper_close(sv, s->run);   /* one record, then nothing */
	if (n != (ssize_t)sizeof st || s->state != SVC_START_WAIT)
		return;
	sup_main_pid_set(sv, s, 0);   /* the started process, gone */
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		if (sup_forking_started(sv, s))
			sup_raise(sv, s, EV_READY);
		return;
	}
	/* the start failed now, as at TimeoutStartSec= (its row) */
	if (WIFSIGNALED(st))
		set_why(s->run, "the started process was killed by signal %d", WTERMSIG(st));
	else
		set_why(s->run, "the started process exited %d", sbx_exit_code(st));
	s->run->no_main = true;
	sup_raise(sv, s, EV_TIMER);
}

void sup_reaper_watch(struct sup *sv, struct svc *s, int fd)
{
	struct loop_watch *w = s->run ? calloc(1, sizeof *w) : NULL;
	struct err e;

	if (w) {
		*w = (struct loop_watch){ .fd = fd, .fn = on_reaper, .ctx = s };
		if (loop_add(&sv->loop, w, EPOLLIN, &e) == 0) {
			s->run->reaper_w = w;
			return;
		}
		free(w);
	}
	/* unheard, the start is bounded by TimeoutStartSec= */
	sup_log(sv, "%s: cannot watch its reaper's channel", s->name);
	close(fd);
}

bool sup_forking_started(struct sup *sv, struct svc *s)
{
	if (!s->spec->pid_file)
		return true;
	/* its answer (or its failure, logged) comes through
	 * sup_main_pid_found(); TimeoutStartSec= bounds the wait */
	mainpid_file_begin(sv, s);
	return false;
}

void sup_reload_done(struct sup *sv, struct svc *s, bool ok, const char *why)
{
	if (ok && sv->debug)
		sup_log(sv, "%s: reloaded", s->name);
	else if (!ok)
		sup_log(sv, "%s: reload failed: %s", s->name, why && *why ? why : "?");
	control_unit_reloaded(sv, s, ok, why && *why ? why : ok ? "reloaded" : "reload failed");
}

void sup_main_pid_found(struct sup *sv, struct svc *s, pid_t host_pid_or_0, const char *why)
{
	if (host_pid_or_0 <= 0) {
		sup_log(sv, "%s: no main pid: %s", s->name, why ? why : "unknown");
		/* STARTING with its launch over: early_exit (sup_act.c) takes a
		 * start reaped before its report for one that went on to
		 * START_WAIT, and begins the PIDFile= read before the row sets
		 * that state; the read's failure found at once must fail the
		 * start there too (the EV_TIMER is handled after the row), not
		 * leave it waiting for TimeoutStartSec= (or forever) */
		if ((s->state == SVC_START_WAIT || (s->state == SVC_STARTING && !s->launch)) &&
		    s->spec && s->spec->type == SERVICE_FORKING && s->run) {
			/* the start fails now, as at TimeoutStartSec= (its row) */
			set_why(s->run, "no main pid: %s", why ? why : "unknown");
			s->run->no_main = true;
			sup_raise(sv, s, EV_TIMER);
		}
		return;
	}
	if (s->pid <= 0 && fsm_is_down(s->state) == false) {
		/* a forking daemon, reparented to PID 1 (or to us, the
		 * subreaper): reaped as the unit's main process from now on */
		int fd = (int)syscall(SYS_pidfd_open, host_pid_or_0, 0);

		if (fd < 0) {
			sup_log(sv, "%s: main pid %d: %s", s->name, (int)host_pid_or_0, strerror(errno));
			return;
		}
		/* review11: checked again with the pidfd open (see below) */
		if (!mainpid_in_unit(s, host_pid_or_0)) {
			close(fd);
			sup_main_pid_found(sv, s, 0, "it ended before PID 1 held it");
			return;
		}
		if (s->pidfd >= 0)
			close(s->pidfd);
		s->pidfd = fd;
		svcmap_set_pid(sv, s, host_pid_or_0);
	}
	sup_main_pid_set(sv, s, host_pid_or_0);
	/* review11: the caller checked the pid before PID 1 held a pidfd on
	 * it: the process may have ended since and its number gone to a host
	 * process, which the pidfd now names. Checked again with the pidfd
	 * open, the number is the unit's process's or the pidfd is of a dead
	 * one (signals to it fail). */
	if (host_pid_or_0 != s->pid &&
	    (s->main_pid != host_pid_or_0 || !mainpid_in_unit(s, host_pid_or_0))) {
		sup_main_pid_set(sv, s, 0);
		sup_main_pid_found(sv, s, 0, "it ended before PID 1 held it");
		return;
	}
	if (sv->debug)
		sup_log(sv, "%s: main pid %d%s%s", s->name, (int)host_pid_or_0, why ? ": " : "",
			why ? why : "");
	svc_io_write_status(sv, s);
	if (s->state == SVC_START_WAIT && s->spec && s->spec->type == SERVICE_FORKING)
		sup_raise(sv, s, EV_READY);
}
