/* The per-unit notify and log sockets: made at launch, read in the loop,
 * closed when the unit is down (notify.h says why each rule is there).
 * The log socket's messages are parsed in syslog.c, PIDFile= and
 * MAINPID= are mapped in mainpid.c. */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mainpid.h"
#include "sup_int.h"
#include "syslog.h"
#include "../rootfs/mountapi.h"
#include "../sandbox/launch.h"

#define NOTIFY_BUDGET 16          /* datagrams per wake-up */
#define MAINPID_BUDGET 2          /* MAINPID= mappings per wake-up (each may read
				   * MAINPID_SCAN_MAX procfs files): the rest wait */
#define NOTIFY_RCVBUF (64 * 1024)
#define SCM_FDS_MAX 253           /* the kernel's SCM_MAX_FD */

/* ---- parsing -------------------------------------------------------------------- */

static bool is_var(const char *line, size_t len, const char *var, const char **val,
		   size_t *vlen)
{
	size_t n = strlen(var);

	if (len <= n || memcmp(line, var, n) != 0 || line[n] != '=')
		return false;
	*val = line + n + 1;
	*vlen = len - n - 1;
	return true;
}

static bool is_one(const char *v, size_t n)
{
	return n == 1 && v[0] == '1';
}

/* systemd's parse_pid: a decimal pid > 0; 0 when not one */
static pid_t parse_pid(const char *v, size_t n)
{
	long long p = 0;

	if (!n || n > 10)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		p = p * 10 + (v[i] - '0');
	}
	return p > 0 && p <= 0x7fffffff ? (pid_t)p : 0;
}

int notify_parse(const char *buf, size_t len, struct notify_msg *m)
{
	static const char *const ignored[] = {
		"WATCHDOG", "WATCHDOG_USEC", "EXTEND_TIMEOUT_USEC", "ERRNO", "BUSERROR",
		"FDSTORE", "FDSTOREREMOVE", "FDNAME", "FDPOLL", "MONOTONIC_USEC", "NOTIFYACCESS",
		"BARRIER", "EXIT_STATUS",
	};

	memset(m, 0, sizeof *m);
	if (len > NOTIFY_MSG_MAX || memchr(buf, '\0', len))
		return -1;
	while (len) {
		const char *nl = memchr(buf, '\n', len), *v;
		size_t n = nl ? (size_t)(nl - buf) : len, vn;
		const char *eq = memchr(buf, '=', n);

		if (!n) {
			/* an empty line: nothing */
		} else if (is_var(buf, n, "READY", &v, &vn)) {
			m->ready = is_one(v, vn);
		} else if (is_var(buf, n, "STOPPING", &v, &vn)) {
			m->stopping = is_one(v, vn);
		} else if (is_var(buf, n, "RELOADING", &v, &vn)) {
			m->reloading = is_one(v, vn);
		} else if (is_var(buf, n, "STATUS", &v, &vn)) {
			m->has_status = true;
			m->status = v;
			m->status_len = vn;
		} else if (is_var(buf, n, "MAINPID", &v, &vn)) {
			m->has_mainpid = true;
			m->mainpid = parse_pid(v, vn);
		} else {
			bool known = false;

			for (size_t i = 0; eq && i < sizeof ignored / sizeof *ignored; i++)
				if ((size_t)(eq - buf) == strlen(ignored[i]) &&
				    memcmp(buf, ignored[i], (size_t)(eq - buf)) == 0)
					known = true;
			if (known)
				m->ignored++;
			else
				m->unknown++;
		}
		buf += n + (nl != NULL);
		len -= n + (nl != NULL);
	}
	return 0;
}

void notify_clean_status(const char *text, size_t len, char *out)
{
	size_t n = len < NOTIFY_STATUS_MAX - 1 ? len : NOTIFY_STATUS_MAX - 1;

	/* cut before a UTF-8 sequence that would not fit whole */
	if (n < len)
		while (n && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[n] = '\0';
}

/* ---- the accessors ----------------------------------------------------------------- */

const char *notify_status_text(const struct svc *s)
{
	return s->sock && s->sock->status ? s->sock->status : "";
}

bool notify_stopping(const struct svc *s)
{
	return s->sock && s->sock->stopping;
}

bool notify_reloading(const struct svc *s)
{
	return s->sock && s->sock->reloading;
}

/* ---- reading ----------------------------------------------------------------------- */

/* The first drop of a run is said; the rest are counted (status shows them). */
static void dropped(struct sup *sv, struct svc *s, uint64_t *count, const char *what)
{
	(*count)++;
	if (!s->sock->drop_said || sv->debug) {
		s->sock->drop_said = true;
		sup_log(sv, "%s: %s dropped (further drops are counted in its status)", s->name, what);
	}
}

static void set_status(struct svc_sock *k, const char *text, size_t len)
{
	char clean[NOTIFY_STATUS_MAX];

	notify_clean_status(text, len, clean);
	free(k->status);
	/* empty clears it, as systemd; out of memory: none, never a failure */
	k->status = clean[0] ? strdup(clean) : NULL;
}

static void act_on(struct sup *sv, struct svc *s, const struct notify_msg *m)
{
	struct svc_sock *k = s->sock;

	k->notify_msgs++;
	if (sv->debug && (m->ignored || m->unknown))
		sup_log(sv, "%s: notify: %u variable(s) ignored, %u unknown", s->name, m->ignored,
			m->unknown);
	if (m->has_status)
		set_status(k, m->status, m->status_len);
	if (m->stopping)
		k->stopping = true;
	if (m->reloading && !m->ready)
		k->reloading = true;
	/* the main pid before READY=1, as systemd: readiness then finds it */
	if (m->has_mainpid) {
		pid_t host = m->mainpid ? mainpid_resolve(s, m->mainpid) : 0;

		if (host > 0)
			sup_main_pid_found(sv, s, host, NULL);
		else
			dropped(sv, s, &k->notify_dropped, "a MAINPID= that is not a process of the unit");
	}
	/* the supervisor may have acted on the pid: is the unit still up? */
	if (m->ready && s->sock == k) {
		k->reloading = false;
		sup_raise(sv, s, EV_READY);
	}
}

/* Close every fd a datagram carried (a unit must never make PID 1 hold
 * its fds: FDSTORE is not supported) and find the sender's credentials. */
static bool scan_cmsgs(struct msghdr *mh, struct ucred *cred)
{
	bool have = false;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS) {
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int *fds = (int *)(void *)CMSG_DATA(c);

			for (size_t i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, fds + i, sizeof fd);
				if (fd >= 0)
					close(fd);
			}
		} else if (c->cmsg_type == SCM_CREDENTIALS &&
			   c->cmsg_len >= CMSG_LEN(sizeof *cred)) {
			memcpy(cred, CMSG_DATA(c), sizeof *cred);
			have = true;
		}
	}
	return have;
}

/* A sender that exited before its message was read (systemd-notify
 * --ready and `probe notify` send and exit at once) can no longer be
 * looked up in /proc. Its message is still the unit's when the socket is
 * reachable only from inside the unit's sandbox (bound into its own /dev;
 * the host path lies in a 0700 folder of PID 1's, svc_io.c), the
 * pid check is defence in depth, and MAINPID= is checked apart
 * (mainpid_resolve). A pid number already reused is looked up as the new
 * process's and dropped if it is not the unit's. */
static bool sender_gone(const struct svc *s, pid_t pid)
{
	/* only where the socket is the unit's alone: with a mount namespace
	 * its folder is 0700 and the unit reaches it through its own /dev;
	 * without one the unit is handed the host path, which others can
	 * reach too */
	return s->spec && (s->spec->namespaces & NS_BIT(NS_MOUNT)) && kill(pid, 0) < 0 &&
	       errno == ESRCH;
}

static void on_notify(struct loop_watch *w, uint32_t events)
{
	struct svc *s = w->ctx;
	struct sup *sv = sup_the;
	char buf[NOTIFY_MSG_MAX + 1];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(SCM_FDS_MAX * sizeof(int))];
	} ctl;
	pid_t checked = 0;   /* the last sender found in the unit, this wake-up */
	int mapped = 0;

	(void)events;
	for (int i = 0; i < NOTIFY_BUDGET && w->fd >= 0 && s->sock; i++) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
				     .msg_controllen = sizeof ctl.b };
		struct ucred cred = { 0 };
		struct notify_msg m;
		ssize_t n = recvmsg(w->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
		bool have_cred;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;   /* EAGAIN: empty */
		}
		have_cred = scan_cmsgs(&mh, &cred);
		if (mh.msg_flags & MSG_TRUNC || (size_t)n > NOTIFY_MSG_MAX) {
			dropped(sv, s, &s->sock->notify_dropped, "a notify message over 4096 bytes");
			continue;
		}
		if (!have_cred || cred.pid <= 0 ||
		    (cred.pid != checked && !mainpid_in_unit(s, cred.pid) && !sender_gone(s, cred.pid))) {
			dropped(sv, s, &s->sock->notify_dropped,
				"a notify message from a process outside the unit");
			continue;
		}
		checked = cred.pid;
		if (notify_parse(buf, (size_t)n, &m) < 0) {
			dropped(sv, s, &s->sock->notify_dropped, "a notify message with a NUL byte");
			continue;
		}
		act_on(sv, s, &m);
		if (m.has_mainpid && ++mapped >= MAINPID_BUDGET)
			break;   /* the next wake-up reads on (level-triggered) */
	}
}

/* ---- making and closing -------------------------------------------------------------- */

static struct svc_sock *graveyard;

static int unit_dirfd(struct sup *sv, const struct svc *s)
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
	if (fd < 0 && errno == ENOSYS)
		fd = openat(run, sub, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	close(run);
	return fd;
}

/* A datagram socket bound at dirfd/name, mode 0666 (the unit's User=
 * must be able to send; the folder hides it from everyone else). Bound
 * through /proc/self/fd: the run folder's path may be longer than
 * sun_path. */
static int make_sock(int dirfd, const char *name, bool creds, int rcvbuf)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1, saved;

	if (fd < 0)
		return -1;
	snprintf(a.sun_path, sizeof a.sun_path, "/proc/self/fd/%d/%s", dirfd, name);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		goto fail;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		goto fail;
	if (fchmodat(dirfd, name, 0666, 0) < 0 ||
	    (creds && setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0) {
		saved = errno;
		unlinkat(dirfd, name, 0);
		errno = saved;
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static void watch_close(struct sup *sv, struct loop_watch *w)
{
	if (w->fd < 0)
		return;
	loop_del(&sv->loop, w);
	close(w->fd);
	w->fd = -1;
}

static int add_watch(struct sup *sv, struct loop_watch *w, int fd, loop_fn fn, struct svc *s,
		     struct err *e)
{
	*w = (struct loop_watch){ .fd = fd, .fn = fn, .ctx = s };
	if (loop_add(&sv->loop, w, EPOLLIN, e) < 0) {
		close(fd);
		w->fd = -1;
		return -1;
	}
	return 0;
}

/* The host paths handed to the launcher: it copies what it needs before
 * sbx_launch_begin() returns, so one pair serves every launch and a
 * running unit keeps no path (issue #10: PID 1's memory per unit). */
static char notify_path[PATH_MAX], log_path[PATH_MAX];

int notify_open(struct sup *sv, struct svc *s, struct sbx_launch_opts *o, struct err *e)
{
	struct svc_sock *k = s->sock;
	int dirfd = -1, fd;
	const char *step = "notify", *path = notify_path;

	snprintf(notify_path, sizeof notify_path, "%s/units/%s/notify", sv->run_dir, s->name);
	snprintf(log_path, sizeof log_path, "%s/units/%s/log", sv->run_dir, s->name);
	if (!k) {
		if (!(k = calloc(1, sizeof *k)))
			return err_set(e, ENOMEM, "%s: making its notify socket", s->name);
		k->notify_w.fd = k->log_w.fd = k->pidfile_w.fd = -1;
		s->sock = k;
		svc_io_state_dir(sv, s);
		if ((dirfd = unit_dirfd(sv, s)) < 0)
			goto fail;
		if ((fd = make_sock(dirfd, "notify", true, NOTIFY_RCVBUF)) < 0 ||
		    add_watch(sv, &k->notify_w, fd, on_notify, s, e) < 0)
			goto fail;
		if (s->spec && s->spec->syslog_socket) {
			step = "log";
			path = log_path;
			if ((fd = make_sock(dirfd, "log", false, SYSLOG_RCVBUF)) < 0 ||
			    add_watch(sv, &k->log_w, fd, syslog_on_readable, s, e) < 0)
				goto fail;
		}
		close(dirfd);
	}
	o->notify_sock = notify_path;
	o->log_sock = k->log_w.fd >= 0 ? log_path : NULL;
	return 0;
fail:
	{
		int saved = errno;

		if (errno == EMFILE || errno == ENFILE)
			sup_note_nofile(sv);
		if (dirfd >= 0)
			close(dirfd);
		notify_close(sv, s);
		err_set(e, saved, "%s: making its %s socket %s", s->name, step, path);
		/* a Type=notify unit could never be ready without it; any
		 * other runs without them, as it ran before there were any */
		if (s->spec && s->spec->type == SERVICE_NOTIFY)
			return -1;
		{
			char m[ERR_MSG_MAX + 64];

			sup_log(sv, "%s (it starts without NOTIFY_SOCKET and /dev/log)",
				err_str(e, m, sizeof m));
		}
		o->notify_sock = o->log_sock = NULL;
		return 0;
	}
}

void notify_close(struct sup *sv, struct svc *s)
{
	struct svc_sock *k = s->sock;
	int dirfd;

	if (!k)
		return;
	/* the last lines the unit logged are still queued */
	if (k->log_w.fd >= 0)
		syslog_drain(sv, s);
	watch_close(sv, &k->notify_w);
	watch_close(sv, &k->log_w);
	watch_close(sv, &k->pidfile_w);   /* the reader dies on its write or its alarm */
	/* the unit re-added since it was removed has its own there now */
	if (svc_io_owns_dir(sv, s) && (dirfd = unit_dirfd(sv, s)) >= 0) {
		unlinkat(dirfd, "notify", 0);
		unlinkat(dirfd, "log", 0);
		close(dirfd);
	}
	free(k->status);
	k->status = NULL;
	s->sock = NULL;
	k->grave_next = graveyard;
	graveyard = k;
}

void notify_collect(void)
{
	while (graveyard) {
		struct svc_sock *k = graveyard;

		graveyard = k->grave_next;
		free(k);
	}
}
