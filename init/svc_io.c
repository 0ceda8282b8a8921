/* A unit's stdio and files: its output pipes read into its log (and to
 * the console), and the inspection files of
 * RUN_DIR/units/NAME/ (status, pid, config.json), written atomically. */
#include "sup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "control.h"
#include "../config/oci.h"
#include "../lib/wfile.h"
#include "../rootfs/mountapi.h"

#define READ_CHUNK 4096
#define READ_BUDGET (64 * 1024)   /* per wake-up, so one chatty unit cannot starve the rest */

/* ---- output ----------------------------------------------------------------- */

/* Copy new output to the console (prefixed by the unit's name). A
 * StandardOutput= file is the launch child's to open (PID 1 never opens
 * a path a unit names): the service writes it directly, not through us. */
static void tee_output(struct svc *s, int stream, const char *buf, size_t n)
{
	const struct output *o = stream == 1 ? &s->spec->std_out : &s->spec->std_err;

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
	bool more = true, got = false;

	while (fd >= 0 && budget) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			more = n < 0 && errno == EAGAIN;
			break;
		}
		logbuf_feed(&s->log, stream, buf, (size_t)n, clock_real_ms());
		if (s->spec)
			tee_output(s, stream, buf, (size_t)n);
		got = true;
		budget -= (size_t)n < budget ? (size_t)n : budget;
	}
	/* followers once per wake-up, not once per read */
	if (got)
		control_log_appended(sv, s);
	return more;
}

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
	if (!drain(sup_the, s, stream)) {
		logbuf_flush(&s->log, clock_real_ms());
		control_log_appended(sup_the, s);
		close_stream(sup_the, s, stream);
	}
}

void svc_io_watch_output(struct sup *sv, struct svc *s, int out_fd, int err_fd)
{
	struct err e;

	/* A Type=forking unit whose daemon PID 1 never knew ends without an
	 * exit (kill_or_cleanup: no main_gone), and its pipes stay with the
	 * daemon: overwritten, they would stay in epoll with this svc's
	 * watches (a hang-up PID 1 spins on, or reads into the next run's). */
	if (s->out_fd >= 0 || s->err_fd >= 0)
		svc_io_close_output(sv, s);
	s->out_fd = out_fd;
	s->err_fd = err_fd;
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
}

void svc_io_forget_output(struct sup *sv, struct svc *s)
{
	close_stream(sv, s, 1);
	close_stream(sv, s, 2);
}

void svc_io_close_output(struct sup *sv, struct svc *s)
{
	/* what the unit wrote last is still in the pipe */
	for (int i = 1; i <= 2; i++) {
		drain(sv, s, i);
		close_stream(sv, s, i);
	}
	logbuf_flush(&s->log, clock_real_ms());
	control_log_appended(sv, s);
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

bool svc_io_owns_dir(struct sup *sv, const struct svc *s)
{
	return !s->removed || !sup_find(sv, s->name);
}

static void write_atomic(struct sup *sv, const struct svc *s, const char *file,
			 const char *data, size_t len)
{
	struct err e;
	int dfd = svc_io_owns_dir(sv, s) ? state_dirfd(sv, s) : -1;

	if (dfd < 0)
		return;   /* inspection files only: the unit runs without them */
	wfile_replace(dfd, file, data, len, 0644, &e);
	close(dfd);
}

/* Made below the run folder without following a link either: mkdirat()
 * never follows its last component, and units/ is opened O_NOFOLLOW. */
void svc_io_state_dir(struct sup *sv, const struct svc *s)
{
	int run = open(sv->run_dir, O_PATH | O_DIRECTORY | O_CLOEXEC), units;

	if (run < 0)
		return;
	mkdirat(run, "units", 0755);
	units = openat(run, "units", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (units >= 0) {
		mkdirat(units, s->name, 0755);
		/* review11: the notify and log sockets in it are mode 0666 (the
		 * unit's User= sends); a unit with a mount namespace reaches
		 * them by the binds of its /dev, never by this path, so nobody
		 * else (a host user, a unit without a mount namespace) may
		 * reach them through the folder: it is PID 1's alone. A unit
		 * without one is given the path: its folder is searchable
		 * (again, when its unit file changed). */
		if (s->spec) {
			int d = openat(units, s->name,
				       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (d >= 0) {
				fchmod(d, s->spec->namespaces & NS_BIT(NS_MOUNT) ? 0700 : 0755);
				close(d);
			}
		}
		close(units);
	}
	close(run);
}

void svc_io_write_status(struct sup *sv, const struct svc *s)
{
	char buf[1024], last[300];

	svc_exit_describe(&s->last, last, sizeof last);
	/* one key per line: a message from a unit file (a path with a
	 * newline in it) must not add lines of its own */
	for (char *c = last; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	int n = snprintf(buf, sizeof buf,
			 "state=%s\nsince_ms=%lld\npid=%d\nrestarts=%u\noom_kills=%u\n"
			 "last_reason=%s\nlast_exit_code=%d\nlast=%s\n",
			 svc_state_name(s->state), (long long)s->since_ms, (int)svc_shown_pid(s),
			 s->restarts, s->oom_kills, svc_reason_name(s->last.reason),
			 s->last.code, last);
	if (n > 0)
		write_atomic(sv, s, "status", buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
	n = snprintf(buf, sizeof buf, "%d\n", (int)svc_shown_pid(s));
	write_atomic(sv, s, "pid", buf, (size_t)n);
}

void svc_io_write_config(struct sup *sv, const struct svc *s)
{
	struct err e;
	char tmp[64];
	int dfd, fd;

	if (!CONFIG_OCI_SPEC || !s->spec || !svc_io_owns_dir(sv, s) ||
	    (dfd = state_dirfd(sv, s)) < 0)
		return;
	fd = wfile_begin(dfd, "config.json", tmp, sizeof tmp, 0644);
	if (fd >= 0)
		wfile_commit(dfd, fd, tmp, "config.json", oci_write_spec(s->spec, fd, &e) == 0);
	close(dfd);
}
