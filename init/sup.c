/* The supervisor: starts units in dependency order, reaps, classifies
 * exits (exit code, signal, OOM kill), restarts by policy with backoff and
 * a start limit, and stops on request. Single-threaded, driven by the
 * loop; failures are logged and recorded on the unit, never fatal. */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "control.h"
#include "outfile.h"
#include "../cgroup/cgroup.h"
#include "../config/oci.h"
#include "../config/unit.h"
#include "../config/units.h"
#include "../config/values.h"
#include "../rootfs/mountapi.h"
#include "../sandbox/launch.h"

#define READ_CHUNK 4096
#define READ_BUDGET (64 * 1024)   /* per wake-up, so one chatty unit cannot starve the rest */

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An output file: a regular file (outfile.c checked it), which never says
 * EAGAIN; a write error drops the rest (the unit's ring keeps its lines). */
static void write_file(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

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
	for (size_t i = 0; i < sv->n; i++)
		if (!sv->svcs[i]->removed && strcmp(sv->svcs[i]->name, n) == 0)
			return sv->svcs[i];
	return NULL;
}

/* ---- runtime state files: RUN_DIR/units/NAME/{status,pid,config.json} ---- */

/* RUN_DIR/units/NAME as a dirfd, reached below RUN_DIR (the admin's)
 * without following any symlink: should a unit ever see the run folder
 * (issue #9 item 12 rewrote it from inside one), a link planted there
 * cannot make PID 1 write anywhere else. -1: no state files this time. */
static int state_dirfd(struct sup *sv, const struct svc *s)
{
	char sub[UNIT_NAME_MAX + 8];
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int run = open(sv->run_dir, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (run < 0)
		return -1;
	snprintf(sub, sizeof sub, "units/%s", s->name);
	fd = sys_openat2(run, sub, &how);
	if (fd < 0 && errno == ENOSYS)   /* before Linux 5.6: the last component only */
		fd = openat(run, sub, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	close(run);
	return fd;
}

/* A fresh temp file (O_EXCL: never an existing file or link) of dfd. */
static int open_tmp(int dfd, const char *tmp)
{
	unlinkat(dfd, tmp, 0);
	return openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		      0644);
}

static void write_atomic(struct sup *sv, const struct svc *s, const char *file,
			 const char *data, size_t len)
{
	char tmp[64];
	int dfd = state_dirfd(sv, s);

	if (dfd < 0)
		return;   /* inspection files only: the unit runs without them */
	snprintf(tmp, sizeof tmp, ".%s.tmp", file);
	int fd = open_tmp(dfd, tmp);
	if (fd >= 0) {
		bool ok = write(fd, data, len) == (ssize_t)len;

		close(fd);
		if (!ok || renameat(dfd, tmp, dfd, file) < 0)
			unlinkat(dfd, tmp, 0);
	}
	close(dfd);
}

static void state_dir(struct sup *sv, const struct svc *s)
{
	char dir[512];

	snprintf(dir, sizeof dir, "%s/units", sv->run_dir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof dir, "%s/units/%s", sv->run_dir, s->name);
	mkdir(dir, 0755);
}

static void write_status_file(struct sup *sv, const struct svc *s)
{
	char buf[1024], last[300];

	svc_exit_describe(&s->last, last, sizeof last);
	int n = snprintf(buf, sizeof buf,
			 "state=%s\nsince_ms=%lld\npid=%d\nrestarts=%u\noom_kills=%u\n"
			 "last_reason=%s\nlast_exit_code=%d\nlast=%s\n",
			 svc_state_name(s->state), (long long)s->since_ms, (int)s->pid,
			 s->restarts, s->oom_kills, svc_reason_name(s->last.reason),
			 s->last.code, last);
	if (n > 0)
		write_atomic(sv, s, "status", buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
	n = snprintf(buf, sizeof buf, "%d\n", (int)s->pid);
	write_atomic(sv, s, "pid", buf, (size_t)n);
}

static void write_config_json(struct sup *sv, const struct svc *s)
{
	struct err e;
	int dfd, fd;

	if (!CONFIG_OCI_SPEC || !s->spec || (dfd = state_dirfd(sv, s)) < 0)
		return;
	fd = open_tmp(dfd, ".config.json.tmp");
	if (fd >= 0) {
		int rc = oci_write_spec(s->spec, fd, &e);

		close(fd);
		if (rc < 0 || renameat(dfd, ".config.json.tmp", dfd, "config.json") < 0)
			unlinkat(dfd, ".config.json.tmp", 0);
	}
	close(dfd);
}

/* ---- the one state setter -------------------------------------------------- */

/* Boot is done when no unit waits to be started any more: every unit has
 * been launched once (or has failed). Timed from the kernel's start. */
static void note_boot_done(struct sup *sv)
{
	struct timespec ts;

	if (sv->all_running_ms)
		return;
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svcs[i]->state == SVC_STARTING)
			return;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	sv->all_running_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (sv->pid1)
		sup_log(sv, "all units started, %lld ms after the kernel started",
			(long long)sv->all_running_ms);
	else
		sup_log(sv, "all units started in %lld ms", (long long)(mono_ms() - sv->boot_mono_ms));
}

static void kick(struct sup *sv);
static void dependency_failed(struct sup *sv, struct svc *failed);

static void set_state(struct sup *sv, struct svc *s, enum svc_state st)
{
	enum svc_state old = s->state;

	s->state = st;
	s->since_ms = real_ms();
	if (sv->debug || st == SVC_FAILED)
		sup_log(sv, "%s: %s -> %s", s->name, svc_state_name(old), svc_state_name(st));
	write_status_file(sv, s);
	note_boot_done(sv);
	if (st == SVC_FAILED && old != SVC_FAILED)
		dependency_failed(sv, s);
	if (st != SVC_STOPPING && st != SVC_BACKOFF)
		kick(sv);
}

static void set_last(struct svc *s, enum svc_reason r, int code, int sig, const char *msg)
{
	s->last.reason = r;
	s->last.code = code;
	s->last.signal = sig;
	s->last.at_ms = real_ms();
	snprintf(s->last.msg, sizeof s->last.msg, "%s", msg ? msg : "");
}

static void arm_timer(struct svc *s, uint64_t ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 },
	};

	if (ms == 0)
		its.it_value.tv_nsec = 1;   /* 0 would disarm */
	timerfd_settime(s->timer_fd, 0, &its, NULL);
}

static void disarm_timer(struct svc *s)
{
	struct itimerspec its = { 0 };

	timerfd_settime(s->timer_fd, 0, &its, NULL);
}

/* ---- stdio ----------------------------------------------------------------- */

struct tee_ctx {
	struct sup *sv;
	struct svc *s;
};


/* Copy new output to the console (prefixed by the unit's name) or file. */
static void tee_output(struct sup *sv, struct svc *s, int stream, const char *buf, size_t n)
{
	const struct output *o = stream == 1 ? &s->spec->std_out : &s->spec->std_err;

	(void)sv;
	if (o->kind == OUTPUT_CONSOLE) {
		char prefix[UNIT_NAME_MAX + 4];
		size_t start = 0;

		snprintf(prefix, sizeof prefix, "[%s] ", s->name);
		for (size_t i = 0; i <= n; i++) {
			if (i == n || buf[i] == '\n') {
				/* escaped and queued: a unit's bytes never reach the
				 * console raw, nor stall PID 1 (console.c) */
				if (i > start || i < n)
					console_line(prefix, buf + start, i - start, false);
				start = i + 1;
			}
		}
	} else if ((o->kind == OUTPUT_FILE || o->kind == OUTPUT_APPEND) && s->file_fd[stream - 1] >= 0) {
		write_file(s->file_fd[stream - 1], buf, n);
	}
}

static void close_stream(struct sup *sv, struct svc *s, int stream)
{
	struct loop_watch *w = stream == 1 ? &s->out_watch : &s->err_watch;
	int *fd = stream == 1 ? &s->out_fd : &s->err_fd;

	if (*fd < 0)
		return;
	loop_del(&sv->loop, w);
	close(*fd);
	*fd = -1;
	w->fd = -1;
}

/* Read what the unit wrote, bounded per wake-up; false at EOF. */
static bool drain(struct sup *sv, struct svc *s, int stream)
{
	int fd = stream == 1 ? s->out_fd : s->err_fd;
	char buf[READ_CHUNK];
	size_t budget = READ_BUDGET;

	while (fd >= 0 && budget) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0)
			return false;
		logbuf_feed(&s->log, stream, buf, (size_t)n, real_ms());
		tee_output(sv, s, stream, buf, (size_t)n);
		control_log_appended(sv, s);
		budget -= (size_t)n < budget ? (size_t)n : budget;
	}
	return true;
}

/* ---- start ------------------------------------------------------------------ */

static struct sup *the_sup;   /* watches carry the svc; the supervisor is one */

static void on_output(struct loop_watch *w, uint32_t events)
{
	struct svc *s = w->ctx;
	int stream = w == &s->out_watch ? 1 : 2;

	(void)events;
	if (w->fd < 0)
		return;
	/* Only read() decides (EOF or an error): the events may be stale, a
	 * hang-up of the pipe of a process that was reaped and restarted
	 * earlier in this batch, whose new pipe got the same fd number. */
	if (!drain(the_sup, s, stream)) {
		logbuf_flush(&s->log, real_ms());
		control_log_appended(the_sup, s);
		close_stream(the_sup, s, stream);
	}
}

static bool start_limit_hit(struct svc *s)
{
	const struct spec *sp = s->spec;
	int64_t now = mono_ms();
	unsigned burst = sp->start_limit_burst, recent = 0;

	if (burst == 0 || sp->start_limit_interval_ms == 0)
		return false;
	for (unsigned i = 0; i < s->n_starts && i < SVC_START_HISTORY; i++)
		if (now - s->start_times[i] < (int64_t)sp->start_limit_interval_ms)
			recent++;
	return recent >= burst;
}

static void note_start(struct svc *s)
{
	s->start_times[s->n_starts % SVC_START_HISTORY] = mono_ms();
	s->n_starts++;
}

/* StandardOutput=/StandardError= file:/append: (outfile.c): 0 with *fd
 * set (-1 when the stream goes elsewhere), or -1 with the reason in msg. */
static int open_output_file(const struct svc *s, const struct output *o, const char *key, int *fd,
			    char *msg, size_t len)
{
	char why[200];

	*fd = -1;
	if (o->kind != OUTPUT_FILE && o->kind != OUTPUT_APPEND)
		return 0;
	*fd = outfile_open(o->path, o->kind == OUTPUT_APPEND, why, sizeof why);
	if (*fd >= 0)
		return 0;
	(void)s;
	snprintf(msg, len, "%s=%s:%s: %s", key, o->kind == OUTPUT_APPEND ? "append" : "file", o->path, why);
	return -1;
}

static void close_output_files(struct svc *s)
{
	for (int i = 0; i < 2; i++) {
		if (s->file_fd[i] >= 0)
			close(s->file_fd[i]);
		s->file_fd[i] = -1;
	}
}

static void release_cgroup(struct sup *sv, struct svc *s)
{
	struct err e;

	if (s->cgroup_fd >= 0) {
		if (cg_kill(s->cgroup_fd, &e) < 0 && sv->debug)
			sup_log(sv, "%s: %s", s->name, e.msg);
		close(s->cgroup_fd);
		s->cgroup_fd = -1;
	}
	if (s->cgroup[0]) {
		if (cg_remove(s->cgroup, &e) < 0) {
			char m[ERR_MSG_MAX + 64];
			sup_log(sv, "%s: %s", s->name, err_str(&e, m, sizeof m));
		}
		s->cgroup[0] = '\0';
	}
}

static void fail_start(struct sup *sv, struct svc *s, const char *msg);

static void launch(struct sup *sv, struct svc *s)
{
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_child c;
	struct err e;
	char msg[ERR_MSG_MAX + 128];

	if (start_limit_hit(s)) {
		set_last(s, REASON_START_LIMIT, s->last.code, s->last.signal, NULL);
		sup_log(sv, "%s: start limit hit (%u starts within %llu ms)", s->name,
			s->spec->start_limit_burst, (unsigned long long)s->spec->start_limit_interval_ms);
		set_state(sv, s, SVC_FAILED);
		return;
	}
	note_start(s);
	state_dir(sv, s);
	write_config_json(sv, s);

	s->cgroup_fd = -1;
	s->cgroup[0] = '\0';
	s->oom_kills_at_start = 0;
	if (sv->use_cgroups) {
		if (cg_create(s->spec, s->cgroup, sizeof s->cgroup, &s->cgroup_fd, &e) < 0) {
			s->cgroup[0] = '\0';
			fail_start(sv, s, err_str(&e, msg, sizeof msg));
			return;
		}
		if (cg_oom_kills(s->cgroup_fd, &s->oom_kills_at_start, &e) < 0)
			s->oom_kills_at_start = 0;
	} else if (spec_has_resources(s->spec)) {
		fail_start(sv, s, "the unit sets [Resources] but cgroup2 is not usable at /sys/fs/cgroup");
		return;
	}

	/* compiling a filter costs more than loading it: once per unit */
	if (s->spec->seccomp.enabled && !s->bpf_ready) {
		if (sbx_seccomp_compile(&s->spec->seccomp, &s->bpf, &e) < 0) {
			release_cgroup(sv, s);
			fail_start(sv, s, err_str(&e, msg, sizeof msg));
			return;
		}
		s->bpf_ready = true;
	}
	o.bpf = s->bpf_ready ? &s->bpf : NULL;
	o.stdio[0] = SBX_STDIO_NULL;
	o.stdio[1] = s->spec->std_out.kind == OUTPUT_NULL ? SBX_STDIO_NULL : SBX_STDIO_PIPE;
	o.stdio[2] = s->spec->std_err.kind == OUTPUT_NULL ? SBX_STDIO_NULL : SBX_STDIO_PIPE;
	o.cgroup_fd = s->cgroup_fd;
	/* before the launch: a refused output file fails the start */
	if (open_output_file(s, &s->spec->std_out, "StandardOutput", &s->file_fd[0], msg,
			     sizeof msg) < 0 ||
	    open_output_file(s, &s->spec->std_err, "StandardError", &s->file_fd[1], msg,
			     sizeof msg) < 0) {
		close_output_files(s);
		release_cgroup(sv, s);
		fail_start(sv, s, msg);
		return;
	}
	/* issue #9: the run and unit folders are never visible to a unit;
	 * the control socket only to one with ControlAccess=yes */
	const char *hide[] = { sv->run_dir, sv->units_dir, NULL };
	char sock[256];

	o.hide = hide;
	if (snprintf(sock, sizeof sock, "%s/" CONTROL_SOCK_NAME, sv->run_dir) < (int)sizeof sock)
		o.control_sock = sock;
	if (sbx_launch(s->spec, &o, &c, &e) < 0) {
		close_output_files(s);
		release_cgroup(sv, s);
		fail_start(sv, s, err_str(&e, msg, sizeof msg));
		return;
	}
	s->pid = c.pid;
	s->pidfd = c.pidfd;
	s->started_mono_ms = mono_ms();
	s->out_fd = c.stdio[1];
	s->err_fd = c.stdio[2];
	s->out_watch = (struct loop_watch){ .fd = s->out_fd, .fn = on_output, .ctx = s };
	s->err_watch = (struct loop_watch){ .fd = s->err_fd, .fn = on_output, .ctx = s };
	for (int i = 1; i <= 2; i++) {
		int fd = i == 1 ? s->out_fd : s->err_fd;
		struct loop_watch *w = i == 1 ? &s->out_watch : &s->err_watch;

		if (fd < 0)
			continue;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (loop_add(&sv->loop, w, EPOLLIN, &e) < 0) {
			sup_log(sv, "%s: cannot watch its output: %s", s->name, strerror(e.errnum));
			close_stream(sv, s, i);
		}
	}
	if (c.stdio[0] >= 0)
		close(c.stdio[0]);
	if (sv->debug)
		sup_log(sv, "%s: started, pid %d", s->name, (int)s->pid);
	set_state(sv, s, SVC_RUNNING);
}

/* ---- after an exit ------------------------------------------------------------ */

static bool clean_signal(int sig)
{
	return sig == SIGHUP || sig == SIGINT || sig == SIGTERM || sig == SIGPIPE;
}

static bool wants_restart(const struct spec *sp, const struct svc_exit *x)
{
	bool clean = (x->reason == REASON_EXITED && x->code == 0) ||
		     (x->reason == REASON_KILLED && clean_signal(x->signal));
	bool abnormal = x->reason == REASON_OOM_KILLED ||
			(x->reason == REASON_KILLED && !clean_signal(x->signal));

	switch (sp->restart) {
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

static void schedule_restart(struct sup *sv, struct svc *s)
{
	const struct spec *sp = s->spec;
	int64_t ran = mono_ms() - s->started_mono_ms;

	/* a unit that stayed up for 10x its current delay is healthy again */
	if (s->backoff_ms == 0 || ran >= (int64_t)(10 * s->backoff_ms))
		s->backoff_ms = sp->restart_sec_ms;
	uint64_t delay = s->backoff_ms;
	s->backoff_ms = s->backoff_ms * 2 > sp->restart_max_sec_ms ? sp->restart_max_sec_ms
								 : s->backoff_ms * 2;
	if (delay > sp->restart_max_sec_ms)
		delay = sp->restart_max_sec_ms;
	if (sv->debug)
		sup_log(sv, "%s: restarting in %llu ms", s->name, (unsigned long long)delay);
	arm_timer(s, delay);
	set_state(sv, s, SVC_BACKOFF);
}

static void fail_start(struct sup *sv, struct svc *s, const char *msg)
{
	sup_log(sv, "%s: %s", s->name, msg);
	set_last(s, REASON_START_FAILED, 0, 0, msg);
	s->started_mono_ms = mono_ms();
	if (!s->stop_requested && s->spec->restart != RESTART_NO &&
	    s->spec->restart != RESTART_ON_SUCCESS && s->spec->restart != RESTART_ON_ABNORMAL)
		schedule_restart(sv, s);
	else
		set_state(sv, s, SVC_FAILED);
}

static void classify_exit(struct sup *sv, struct svc *s, int status)
{
	uint64_t ooms = 0;
	struct err e;
	int code = 0, sig = 0;

	if (WIFSIGNALED(status)) {
		sig = WTERMSIG(status);
		code = 128 + sig;
	} else {
		code = WEXITSTATUS(status);
		/* Under Init=yes our reaper is the main process and reports a
		 * service killed by signal N as 128+N, as a shell would. */
		if (s->spec->init && code > 128 && code <= 128 + 64)
			sig = code - 128;
	}
	if (s->cgroup_fd >= 0 && cg_oom_kills(s->cgroup_fd, &ooms, &e) == 0 &&
	    ooms > s->oom_kills_at_start) {
		s->oom_kills += (unsigned)(ooms - s->oom_kills_at_start);
		set_last(s, REASON_OOM_KILLED, 137, sig ? sig : SIGKILL, NULL);
	} else if (sig) {
		set_last(s, REASON_KILLED, code, sig, NULL);
	} else {
		set_last(s, REASON_EXITED, code, 0, NULL);
	}
	(void)sv;
}

static void on_exit_of(struct sup *sv, struct svc *s, int status)
{
	const struct spec *sp = s->spec;
	char what[300];

	classify_exit(sv, s, status);
	/* what the unit wrote last is still in the pipe */
	for (int i = 1; i <= 2; i++) {
		drain(sv, s, i);
		close_stream(sv, s, i);
	}
	logbuf_flush(&s->log, real_ms());
	control_log_appended(sv, s);
	for (int i = 0; i < 2; i++) {
		if (s->file_fd[i] >= 0)
			close(s->file_fd[i]);
		s->file_fd[i] = -1;
	}
	release_cgroup(sv, s);
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->pidfd = -1;
	s->pid = 0;
	disarm_timer(s);

	svc_exit_describe(&s->last, what, sizeof what);
	if (s->last.reason == REASON_OOM_KILLED || sv->debug ||
	    (s->last.reason != REASON_EXITED || s->last.code != 0))
		sup_log(sv, "%s: %s", s->name, what);

	if (s->removed || s->stop_requested) {
		s->stop_requested = false;
		if (s->failed_dep[0]) {
			set_last(s, REASON_DEP_FAILED, s->last.code, s->last.signal, s->failed_dep);
			s->failed_dep[0] = '\0';
			set_state(sv, s, SVC_FAILED);
		} else if (s->restart_requested && !s->removed && !sv->stopping_all) {
			s->restart_requested = false;
			set_state(sv, s, SVC_STARTING);
		} else {
			set_state(sv, s, SVC_INACTIVE);
		}
		return;
	}
	if (s->last.reason == REASON_OOM_KILLED && sp->oom_policy == OOM_REBOOT) {
		sup_log(sv, "%s: OOMPolicy=reboot: rebooting", s->name);
		set_state(sv, s, SVC_FAILED);
		sup_request_shutdown(sv, SHUTDOWN_REBOOT);
		return;
	}
	if (s->last.reason == REASON_OOM_KILLED && sp->oom_policy == OOM_STOP) {
		set_state(sv, s, SVC_FAILED);
		return;
	}
	if (sv->stopping_all) {
		set_state(sv, s, SVC_INACTIVE);
		return;
	}
	if (wants_restart(sp, &s->last)) {
		s->restarts++;
		schedule_restart(sv, s);
		return;
	}
	if (sp->type == SERVICE_ONESHOT && s->last.reason == REASON_EXITED && s->last.code == 0)
		set_state(sv, s, SVC_EXITED);
	else if (s->last.reason == REASON_EXITED && s->last.code == 0)
		set_state(sv, s, SVC_INACTIVE);
	else
		set_state(sv, s, SVC_FAILED);
}

void sup_reap(struct sup *sv)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid <= 0)
			return;   /* none left to reap (or ECHILD) */
		for (size_t i = 0; i < sv->n; i++) {
			struct svc *s = sv->svcs[i];

			if (s->pid == pid) {
				on_exit_of(sv, s, status);
				if (sv->stopping_all)
					sup_stop_all(sv);   /* the next layer of dependencies */
				break;
			}
		}
		/* anything else was an orphan: reaped, nothing to record */
	}
}

/* ---- dependencies ---------------------------------------------------------- */

/* 1 ready, 0 wait, -1 a required unit failed (named in *why) */
static int deps_state(struct sup *sv, struct svc *s, const char **why)
{
	const struct spec *sp = s->spec;
	int rc = 1;

	for (int l = 0; l < 2; l++) {
		const struct strv *list = l ? &sp->requires : &sp->after;

		for (size_t i = 0; i < list->n; i++) {
			struct svc *d = sup_find(sv, list->v[i]);
			bool oneshot;

			if (!d) {
				if (l) {
					*why = list->v[i];
					return -1;
				}
				continue;
			}
			oneshot = d->spec && d->spec->type == SERVICE_ONESHOT;
			switch (d->state) {
			case SVC_FAILED:
				if (l) {
					*why = d->name;
					return -1;
				}
				break;
			case SVC_STARTING:
			case SVC_BACKOFF:
				rc = 0;
				break;
			case SVC_RUNNING:
				if (oneshot)
					rc = 0;
				break;
			case SVC_INACTIVE:
				if (l) {
					char m[64];
					sup_start(sv, d, m, sizeof m);
					rc = 0;
				}
				break;
			default:
				break;
			}
		}
	}
	return rc;
}

static bool kicking;

/* Start every STARTING unit whose dependencies are ready, until nothing moves. */
static void kick(struct sup *sv)
{
	bool moved = true;

	if (kicking)
		return;   /* set_state() calls back in here */
	kicking = true;
	while (moved && !sv->stopping_all) {
		moved = false;
		for (size_t i = 0; i < sv->n; i++) {
			struct svc *s = sv->svcs[i];
			const char *why = NULL;
			int r;

			if (s->state != SVC_STARTING || s->removed || !s->spec)
				continue;
			r = deps_state(sv, s, &why);
			if (r < 0) {
				set_last(s, REASON_DEP_FAILED, 0, 0, why);
				set_state(sv, s, SVC_FAILED);
				moved = true;
			} else if (r > 0) {
				launch(sv, s);
				moved = true;
			}
		}
	}
	kicking = false;
}

static bool requires_unit(const struct svc *s, const char *name)
{
	return s->spec && strv_contains(&s->spec->requires, name);
}

static void stop_now(struct sup *sv, struct svc *s);

static void dependency_failed(struct sup *sv, struct svc *failed)
{
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];

		if (!requires_unit(s, failed->name) || s->removed)
			continue;
		if (s->state == SVC_RUNNING) {
			snprintf(s->failed_dep, sizeof s->failed_dep, "%s", failed->name);
			stop_now(sv, s);
		} else if (s->state == SVC_BACKOFF) {
			disarm_timer(s);
			set_last(s, REASON_DEP_FAILED, 0, 0, failed->name);
			set_state(sv, s, SVC_FAILED);
		}
		/* STARTING units notice it in kick() */
	}
}

/* ---- timers and stopping ------------------------------------------------------ */

static void on_timer(struct loop_watch *w, uint32_t events)
{
	struct svc *s = w->ctx;
	struct sup *sv = the_sup;
	uint64_t ticks;
	struct err e;

	(void)events;
	if (w->fd < 0 || read(w->fd, &ticks, sizeof ticks) != sizeof ticks)
		return;
	if (s->state == SVC_BACKOFF) {
		set_state(sv, s, SVC_STARTING);
	} else if (s->state == SVC_STOPPING && s->pid) {
		sup_log(sv, "%s: did not stop within %llu ms: killing it", s->name,
			(unsigned long long)s->spec->timeout_stop_ms);
		if (s->cgroup_fd < 0 || cg_kill(s->cgroup_fd, &e) < 0)
			syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
	}
}

static void stop_now(struct sup *sv, struct svc *s)
{
	s->stop_requested = true;
	if (s->state == SVC_RUNNING && s->pid) {
		if (syscall(SYS_pidfd_send_signal, s->pidfd, s->spec->kill_signal, NULL, 0) < 0)
			kill(s->pid, s->spec->kill_signal);
		/* a stopped process would never act on the signal */
		syscall(SYS_pidfd_send_signal, s->pidfd, SIGCONT, NULL, 0);
		arm_timer(s, s->spec->timeout_stop_ms);
		set_state(sv, s, SVC_STOPPING);
	} else if (s->state == SVC_BACKOFF || s->state == SVC_STARTING) {
		disarm_timer(s);
		s->stop_requested = false;
		set_state(sv, s, SVC_INACTIVE);
	} else if (s->state != SVC_STOPPING) {
		s->stop_requested = false;
	}
}

/* ---- requests --------------------------------------------------------------- */

int sup_start(struct sup *sv, struct svc *s, char *msg, size_t len)
{
	if (!s->spec) {
		snprintf(msg, len, "%s: the unit file has errors: %s", s->name, s->last.msg);
		return -1;
	}
	switch (s->state) {
	case SVC_RUNNING:
	case SVC_STARTING:
		snprintf(msg, len, "%s is already %s", s->name, svc_state_name(s->state));
		return 0;
	case SVC_STOPPING:
		s->restart_requested = true;
		snprintf(msg, len, "%s will start once stopped", s->name);
		return 0;
	case SVC_BACKOFF:
		disarm_timer(s);
		break;
	default:
		break;
	}
	/* an operator's start lifts the start limit and the backoff */
	s->n_starts = 0;
	s->backoff_ms = 0;
	s->stop_requested = false;
	set_state(sv, s, SVC_STARTING);
	snprintf(msg, len, "%s: %s", s->name, svc_state_name(s->state));
	return 0;
}

int sup_stop(struct sup *sv, struct svc *s, char *msg, size_t len)
{
	s->restart_requested = false;
	stop_now(sv, s);
	snprintf(msg, len, "%s: %s", s->name, svc_state_name(s->state));
	return 0;
}

int sup_restart(struct sup *sv, struct svc *s, char *msg, size_t len)
{
	if (s->state == SVC_RUNNING) {
		s->restart_requested = true;
		stop_now(sv, s);
		snprintf(msg, len, "%s: restarting", s->name);
		return 0;
	}
	return sup_start(sv, s, msg, len);
}

int sup_reset_failed(struct sup *sv, struct svc *s, char *msg, size_t len)
{
	if (s->state == SVC_FAILED) {
		s->n_starts = 0;
		s->backoff_ms = 0;
		set_state(sv, s, SVC_INACTIVE);
	}
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

/* ---- units ------------------------------------------------------------------ */

static struct svc *svc_new(struct sup *sv, const char *name, struct spec *spec)
{
	struct svc *s;
	struct err e;

	if (sv->n == SUP_MAX_UNITS || !(s = calloc(1, sizeof *s))) {
		sup_log(sv, "%s: cannot supervise: %s", name,
			sv->n == SUP_MAX_UNITS ? "too many units" : "out of memory");
		return NULL;
	}
	snprintf(s->name, sizeof s->name, "%s", name);
	s->spec = spec;
	s->pidfd = s->out_fd = s->err_fd = s->cgroup_fd = -1;
	s->file_fd[0] = s->file_fd[1] = -1;
	s->out_watch.fd = s->err_watch.fd = -1;
	s->since_ms = real_ms();
	logbuf_init(&s->log, (size_t)CONFIG_LOG_BUFFER_KB * 1024);
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	s->timer_watch = (struct loop_watch){ .fd = s->timer_fd, .fn = on_timer, .ctx = s };
	if (s->timer_fd < 0 || loop_add(&sv->loop, &s->timer_watch, EPOLLIN, &e) < 0) {
		sup_log(sv, "%s: cannot make its timer: %s", name, strerror(errno));
		if (s->timer_fd >= 0)
			close(s->timer_fd);
		logbuf_free(&s->log);
		free(s);
		return NULL;
	}
	sv->svcs[sv->n++] = s;
	return s;
}

static void forget_bpf(struct svc *s)
{
	if (s->bpf_ready)
		sbx_bpf_free(&s->bpf);
	s->bpf_ready = false;
}

static void svc_free(struct sup *sv, struct svc *s)
{
	forget_bpf(s);
	loop_del(&sv->loop, &s->timer_watch);
	close(s->timer_fd);
	logbuf_free(&s->log);
	spec_free(s->spec);
	free(s);
}

struct diag_first {
	char first[256];
	char all[2048];
	size_t n;
	struct sup *sv;
};

static void diag_collect(void *ctx, const char *msg)
{
	struct diag_first *c = ctx;
	size_t len = strlen(c->all);

	if (!c->first[0])
		snprintf(c->first, sizeof c->first, "%s", msg);
	if (len < sizeof c->all - 1)
		snprintf(c->all + len, sizeof c->all - len, "%s\n", msg);
	sup_log(c->sv, "%s", msg);
}

/* A bad unit is shown as failed with the first message about it. */
static void add_bad_units(struct sup *sv, const struct unit_set *set, const char *msgs)
{
	for (size_t i = 0; i < set->n_bad; i++) {
		struct svc *s = sup_find(sv, set->bad[i]);
		char needle[UNIT_NAME_MAX + 16];
		const char *m = NULL;

		if (s)
			continue;
		if (!(s = svc_new(sv, set->bad[i], NULL)))
			continue;
		snprintf(needle, sizeof needle, "/%s.unit", set->bad[i]);
		for (const char *line = msgs; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
			const char *eol = strchr(line, '\n');
			size_t n = eol ? (size_t)(eol - line) : strlen(line);
			const char *hit = strstr(line, needle);

			if (hit && (size_t)(hit - line) < n) {
				m = line;
				snprintf(s->last.msg, sizeof s->last.msg, "%.*s", (int)n, line);
				break;
			}
		}
		if (!m)
			snprintf(s->last.msg, sizeof s->last.msg, "%s", "has errors (see sandboxctl check)");
		s->last.reason = REASON_BAD_UNIT;
		s->last.at_ms = real_ms();
		s->state = SVC_FAILED;
		write_status_file(sv, s);
	}
}

int sup_init(struct sup *sv, struct err *e)
{
	struct diag_first c = { .sv = sv };
	struct diag d = { .emit = diag_collect, .ctx = &c };
	struct unit_set set = { 0 };

	the_sup = sv;
	sv->boot_mono_ms = mono_ms();
	if (units_add_dir(&set, sv->units_dir, &d) < 0 && set.n == 0)
		err_set(e, 0, "%s", c.first);
	units_check_deps(&set, &d);
	for (size_t i = 0; i < set.n; i++) {
		struct svc *s = svc_new(sv, set.units[i]->name, set.units[i]);

		if (s) {
			set.units[i] = NULL;   /* owned by the svc now */
			state_dir(sv, s);
			s->state = SVC_STARTING;
		}
	}
	add_bad_units(sv, &set, c.all);
	for (size_t i = 0; i < set.n; i++)
		spec_free(set.units[i]);
	set.n = 0;
	units_free(&set);
	kick(sv);
	return 0;
}

/* ---- reload ------------------------------------------------------------------ */

int sup_reload(struct sup *sv, char *msg, size_t len)
{
	struct diag_first c = { .sv = sv };
	struct diag d = { .emit = diag_collect, .ctx = &c };
	struct unit_set set = { 0 };
	size_t added = 0, removed = 0, changed = 0, n = 0;

	if (units_add_dir(&set, sv->units_dir, &d) < 0 && set.n == 0 && set.n_bad == 0) {
		snprintf(msg, len, "reload: %s", c.first);
		units_free(&set);
		return -1;
	}
	units_check_deps(&set, &d);
	for (size_t i = 0; i < sv->n; i++)
		sv->svcs[i]->mark = false;
	for (size_t i = 0; i < set.n; i++) {
		struct spec *ns = set.units[i];
		struct svc *s = sup_find(sv, ns->name);

		if (!s) {
			if ((s = svc_new(sv, ns->name, ns))) {
				set.units[i] = NULL;
				s->mark = true;
				added++;
				char m[128];
				sup_start(sv, s, m, sizeof m);
			}
			continue;
		}
		s->mark = true;
		if (s->spec && s->spec->source_hash == ns->source_hash)
			continue;
		/* changed, or fixed: swap the spec, restart if it was up */
		bool was_up = s->state == SVC_RUNNING || s->state == SVC_STARTING ||
			      s->state == SVC_BACKOFF || s->state == SVC_STOPPING;
		bool was_bad = !s->spec;
		if (s->pid) {
			/* the running process keeps the old spec until it stops */
			s->restart_requested = true;
			stop_now(sv, s);
		}
		spec_free(s->spec);   /* the running process no longer reads it */
		forget_bpf(s);
		s->spec = ns;
		set.units[i] = NULL;
		changed++;
		if (!s->pid && (was_up || was_bad)) {
			char m[128];
			s->n_starts = 0;
			if (s->state == SVC_BACKOFF)
				disarm_timer(s);
			s->state = SVC_INACTIVE;
			sup_start(sv, s, m, sizeof m);
		}
	}
	/* units whose file is now bad keep running as they are */
	for (size_t i = 0; i < set.n_bad; i++) {
		struct svc *s = sup_find(sv, set.bad[i]);
		if (s)
			s->mark = true;
	}
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];

		if (s->mark || s->removed)
			continue;
		s->removed = true;
		removed++;
		control_unit_gone(sv, s);
		stop_now(sv, s);
	}
	add_bad_units(sv, &set, c.all);
	for (size_t i = 0; i < set.n; i++)
		spec_free(set.units[i]);
	set.n = 0;
	n = set.n_bad;
	units_free(&set);
	kick(sv);
	snprintf(msg, len, "reload: %zu added, %zu removed, %zu changed%s%s", added, removed, changed,
		 n ? "; units with errors (kept as they were):\n" : "", n ? c.all : "");
	return n ? -1 : 0;
}

void sup_collect(struct sup *sv)
{
	size_t j = 0;

	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];

		if (s->removed && !s->pid && s->state != SVC_STOPPING) {
			svc_free(sv, s);
			continue;
		}
		sv->svcs[j++] = s;
	}
	sv->n = j;
}

/* ---- shutdown support --------------------------------------------------------- */

static bool has_running_dependant(struct sup *sv, const struct svc *s)
{
	for (size_t i = 0; i < sv->n; i++) {
		const struct svc *o = sv->svcs[i];

		if (!o->spec || !o->pid)
			continue;
		if (strv_contains(&o->spec->requires, s->name) || strv_contains(&o->spec->after, s->name))
			return true;
	}
	return false;
}

void sup_stop_all(struct sup *sv)
{
	sv->stopping_all = true;
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];

		if (s->state == SVC_BACKOFF || s->state == SVC_STARTING) {
			disarm_timer(s);
			set_state(sv, s, SVC_INACTIVE);
		}
	}
	/* dependants first; the rest follow as they go (called again on each exit) */
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];

		if (s->state == SVC_RUNNING && !has_running_dependant(sv, s))
			stop_now(sv, s);
	}
}

bool sup_all_stopped(struct sup *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		if (sv->svcs[i]->pid)
			return false;
	return true;
}

uint64_t sup_longest_stop_timeout(struct sup *sv)
{
	uint64_t m = 0;

	for (size_t i = 0; i < sv->n; i++)
		if (sv->svcs[i]->spec && sv->svcs[i]->spec->timeout_stop_ms > m)
			m = sv->svcs[i]->spec->timeout_stop_ms;
	return m;
}
