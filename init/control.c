/* The control socket. Everything is non-blocking and bounded: a fixed pool
 * of connections, one request line each, replies held in a per-connection
 * buffer and written as the socket drains, a timer per slot that drops
 * clients that say nothing or stop reading. Nothing here may exit or
 * block PID 1, whatever a client sends. */
#include "control_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "peer.h"
#include "status_fmt.h"
#include "sup.h"
#include "../lib/clock.h"


#if CONFIG_CONTROL_SOCKET

/* ---- the server ------------------------------------------------------------- */

struct control_state control;

static const char no_reply_room[] = "1\nthe reply does not fit (over 1 MiB) or PID 1 is out of memory\n";

void control_arm(struct conn *c, int ms)
{
	struct itimerspec its = { .it_value = { .tv_sec = ms / 1000,
						.tv_nsec = (long)(ms % 1000) * 1000000 } };

	timerfd_settime(c->tw.fd, 0, &its, NULL);
	c->armed = ms != 0;
}

/* Discard what the client sent beyond its request, so that closing does
 * not turn into a reset that could eat the reply it has yet to read. */
static void drain_input(int fd)
{
	char buf[4096];

	for (int i = 0; i < 16; i++)
		if (recv(fd, buf, sizeof buf, MSG_DONTWAIT) <= 0)
			break;
}

void control_conn_close(struct conn *c)
{
	if (!c->used)
		return;
	loop_del(&control.sv->loop, &c->w);
	drain_input(c->w.fd);
	close(c->w.fd);
	c->w.fd = -1;
	control_arm(c, 0);
	sf_buf_reset(&c->out);
	c->follow[0] = '\0';
	c->follow_svc = NULL;
	c->used = false;
	c->gen++;
}

static void want(struct conn *c, uint32_t events)
{
	struct err e;

	if (events == c->events)
		return;
	if (loop_mod(&control.sv->loop, &c->w, events, &e) < 0) {
		control_conn_close(c);
		return;
	}
	c->events = events;
}

void control_flush(struct conn *c)
{
	bool progress = false;

	for (;;) {
		while (c->out.len) {
			ssize_t n = send(c->w.fd, c->out.p, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n <= 0) {
				control_conn_close(c);   /* gone, or broken: nothing to tell it */
				return;
			}
			sf_buf_consume(&c->out, (size_t)n);
			progress = true;
		}
		/* a follower took all it had: the lines waiting for it in the
		 * ring, a bounded batch at a time (no more than the ring holds) */
		if (c->out.len || c->phase != PH_FOLLOWING)
			break;
		control_follow_refill(c);
		if (c->out.failed) {
			control_conn_close(c);   /* out of memory */
			return;
		}
		if (!c->out.len)
			break;
	}
	if (c->out.len) {
		/* dropped when it reads nothing for CONTROL_IDLE_MS */
		if (progress || !c->armed)
			control_arm(c, CONTROL_IDLE_MS);
		want(c, c->phase == PH_FOLLOWING ? EPOLLIN | EPOLLRDHUP | EPOLLOUT : EPOLLOUT);
	} else if (c->phase == PH_FOLLOWING) {
		sf_buf_reset(&c->out);   /* no heap kept while idle */
		control_arm(c, 0);
		want(c, EPOLLIN | EPOLLRDHUP);
	} else {
		control_conn_close(c);
	}
}

void control_reply_begin(struct conn *c, int code)
{
	sf_buf_reset(&c->out);
	sf_buf_printf(&c->out, "%d\n", code);
}

void control_reply_send(struct conn *c)
{
	if (c->out.failed) {
		sf_buf_reset(&c->out);
		sf_buf_puts(&c->out, no_reply_room);
		c->phase = PH_WRITING;
	} else if (c->phase != PH_FOLLOWING) {
		c->phase = PH_WRITING;
	}
	control_arm(c, CONTROL_IDLE_MS);
	control_flush(c);
}

/* A message line by line, escaped: it may quote unit files (reload's
 * errors name rejected files and values), and none of their bytes may
 * reach the administrator's terminal raw. */
static void put_msg(struct sf_buf *b, const char *msg)
{
	while (*msg) {
		const char *nl = strchr(msg, '\n');
		size_t n = nl ? (size_t)(nl - msg) : strlen(msg);

		sf_buf_add_escaped(b, msg, n);
		sf_buf_puts(b, "\n");
		msg += nl ? n + 1 : n;
	}
}

void control_reply_text(struct conn *c, int code, const char *msg)
{
	control_reply_begin(c, code);
	put_msg(&c->out, msg);
	control_reply_send(c);
}

static void conn_read(struct conn *c)
{
	for (;;) {
		if (c->req_len == sizeof c->req && c->denied) {
			control_handle(c, c->req, c->req_len);
			return;
		}
		if (c->req_len == sizeof c->req) {
			char msg[64];

			snprintf(msg, sizeof msg, "request longer than %d bytes", CONTROL_REQ_MAX - 1);
			control_reply_text(c, CONTROL_BAD_REQUEST, msg);
			return;
		}
		ssize_t n = recv(c->w.fd, c->req + c->req_len, sizeof c->req - c->req_len,
				 MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			control_conn_close(c);
			return;
		}
		if (n == 0) {
			if (c->req_len && c->denied)
				control_handle(c, c->req, c->req_len);
			else if (c->req_len)
				control_reply_text(c, CONTROL_BAD_REQUEST, "request without a newline");
			else
				control_conn_close(c);
			return;
		}
		char *nl = memchr(c->req + c->req_len, '\n', (size_t)n);

		c->req_len += (size_t)n;
		if (nl) {
			c->phase = PH_WRITING;   /* no second request on this connection */
			control_handle(c, c->req, (size_t)(nl - c->req));
			return;
		}
	}
}

/* A follower only ever closes: anything it sends is ignored. */
static void follow_read(struct conn *c)
{
	char buf[512];

	/* bounded: level-triggered epoll brings us back for the rest */
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(c->w.fd, buf, sizeof buf, MSG_DONTWAIT);

		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		control_conn_close(c);
		return;
	}
}

/* Events are hints: a slot closed and reused within one batch may see
 * its predecessor's, so every handler only acts on what a syscall says. */
static void on_conn(struct loop_watch *w, uint32_t events)
{
	struct conn *c = w->ctx;

	(void)events;
	if (!c->used)
		return;
	switch (c->phase) {
	case PH_READING:
		conn_read(c);
		break;
	case PH_WRITING:
		control_flush(c);
		break;
	case PH_FOLLOWING:
		follow_read(c);
		if (c->used && c->out.len)
			control_flush(c);
		break;
	case PH_WAITING:
		follow_read(c);   /* a client that hangs up is closed */
		break;
	}
}

void control_wait_for(struct conn *c, const struct svc *s)
{
	c->phase = PH_WAITING;
	c->follow_svc = s;
	sf_buf_reset(&c->out);
	control_arm(c, CONTROL_WAIT_MS);
	want(c, EPOLLIN | EPOLLRDHUP);
}

static void on_timer(struct loop_watch *w, uint32_t events)
{
	struct conn *c = w->ctx;
	uint64_t ticks;

	(void)events;
	if (read(w->fd, &ticks, sizeof ticks) != sizeof ticks || !c->used)
		return;
	c->armed = false;
	if (c->phase == PH_READING) {
		static const char msg[] = "2\nno request within 5 s\n";

		send(c->w.fd, msg, sizeof msg - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		control_conn_close(c);
	} else if (c->phase == PH_WAITING) {
		static const char msg[] = "1\nno answer from the unit in time\n";

		send(c->w.fd, msg, sizeof msg - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		control_conn_close(c);
	} else if (c->out.len) {
		control_conn_close(c);   /* no progress writing for CONTROL_IDLE_MS */
	}
}

static void refuse(int fd, const char *msg)
{
	send(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77   /* Linux 6.5 */
#endif

/* Root, and outside every unit or in a unit with ControlAccess=yes: a
 * unit's root is root too, so uid 0 alone proves nothing (issue #9). */
static bool peer_allowed(int fd, char *msg, size_t msglen)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	int pidfd = -1;
	socklen_t plen = sizeof pidfd;
	struct peer p;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof cred) {
		snprintf(msg, msglen, "permission denied: the caller's credentials cannot be read");
		return false;
	}
	if (cred.uid != 0) {
		snprintf(msg, msglen, "permission denied: the control socket serves root only");
		return false;
	}
	/* a pidfd of the peer closes pid reuse where the kernel has one */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &plen) < 0 || plen != sizeof pidfd)
		pidfd = -1;
	peer_classify(control.sv, cred.pid, pidfd, &p);
	if (pidfd >= 0)
		close(pidfd);
	if (peer_may_control(control.sv, &p, msg, msglen))
		return true;
	/* on the console at most once a second: a unit looping on connect()
	 * must not flood it (the caller gets the whole message anyway) */
	static int64_t last;
	static bool said;
	static unsigned quiet;
	int64_t now = clock_mono_ms();

	if (said && now - last < 1000) {
		quiet++;
		return false;
	}
	said = true;
	last = now;
	sup_log(control.sv, "control socket: refused pid %d: %s%s (%u more refused since the last such "
		"message)", (int)cred.pid, p.kind == PEER_UNIT ? "inside unit " : "",
		p.kind == PEER_UNIT ? p.unit : p.how, quiet);
	quiet = 0;
	return false;
}

static void accept_one(int fd)
{
	struct conn *c = NULL;
	struct err e;
	char deny[sizeof c->deny_msg];
	bool denied = !peer_allowed(fd, deny, sizeof deny);
	int n_denied = 0;

	for (int i = 0; i < CONTROL_MAX_CONN; i++) {
		if (!control.c[i].used && !c)
			c = &control.c[i];
		n_denied += control.c[i].used && control.c[i].denied;
	}
	/* A refused peer gets a slot only while few hold one (its reply then
	 * waits for its request, so that a client still sending does not lose
	 * it to a broken pipe); past that it is answered and closed now: a
	 * unit reconnecting in a loop must not lock the administrator out. */
	if (denied && n_denied >= CONTROL_MAX_DENIED) {
		char msg[sizeof deny + 8];
		size_t n = strlen(deny);

		snprintf(msg, sizeof msg, "%d\n%s%s", CONTROL_REFUSED, deny,
			 n && deny[n - 1] == '\n' ? "" : "\n");
		refuse(fd, msg);
		return;
	}
	if (!c) {
		refuse(fd, "1\ntoo many connections to PID 1 at once; try again\n");
		return;
	}
	c->w = (struct loop_watch){ .fd = fd, .fn = on_conn, .ctx = c };
	c->events = EPOLLIN | EPOLLRDHUP;
	if (loop_add(&control.sv->loop, &c->w, c->events, &e) < 0) {
		c->w.fd = -1;
		refuse(fd, "1\nPID 1 cannot watch the connection\n");
		return;
	}
	c->used = true;
	c->phase = PH_READING;
	c->req_len = 0;
	c->follow[0] = '\0';
	c->follow_svc = NULL;
	sf_buf_init(&c->out, CONTROL_REPLY_MAX);
	c->denied = denied;
	memcpy(c->deny_msg, deny, sizeof deny);
	control_arm(c, denied ? CONTROL_DENIED_MS : CONTROL_IDLE_MS);
}

static void on_listen(struct loop_watch *w, uint32_t events)
{
	(void)events;
	/* bounded per wake-up: the loop has other work */
	for (int i = 0; i < 4 * CONTROL_MAX_CONN; i++) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			accept_one(fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if ((errno == EMFILE || errno == ENFILE) && control.spare_fd >= 0) {
			/* level-triggered epoll would spin on a connection we
			 * cannot take: take it with the spare fd and drop it */
			close(control.spare_fd);
			fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd >= 0)
				refuse(fd, "1\nPID 1 is out of file descriptors\n");
			control.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (fd >= 0)
				continue;
		}
		return;
	}
}

/* ---- open / close ---------------------------------------------------------- */

static int parent_dir(const char *path, struct err *e)
{
	char dir[sizeof control.path];
	char *slash;

	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "creating %s", dir);
	return 0;
}

/* A socket file left by a supervisor that is gone is replaced; one that
 * answers belongs to a live supervisor. */
static int clear_path(const char *path, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_set(e, errno, "control socket %s", path);
	if (S_ISSOCK(st.st_mode)) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return err_set(e, errno, "socket");
		memcpy(sa.sun_path, path, strlen(path));
		rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
		if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS) {
			close(fd);
			return err_set(e, EADDRINUSE, "another supervisor listens on %s", path);
		}
		close(fd);
	} else if (!S_ISLNK(st.st_mode)) {
		return err_set(e, EEXIST, "%s exists and is not a socket", path);
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return err_set(e, errno, "removing the stale %s", path);
	return 0;
}

static void close_fds(void)
{
	if (!control.sv)
		return;   /* never opened: the zeroed fds are not ours */
	for (int i = 0; i < CONTROL_MAX_CONN; i++) {
		struct conn *c = &control.c[i];

		control_conn_close(c);
		if (c->tw.fd >= 0) {
			loop_del(&control.sv->loop, &c->tw);
			close(c->tw.fd);
			c->tw.fd = -1;
		}
	}
	if (control.lw.fd >= 0) {
		loop_del(&control.sv->loop, &control.lw);
		close(control.lw.fd);
		control.lw.fd = -1;
	}
	if (control.spare_fd >= 0) {
		close(control.spare_fd);
		control.spare_fd = -1;
	}
}

int control_open(struct sup *sv, const char *path, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t plen = strlen(path);
	struct stat st;
	mode_t old;
	int fd;

	if (control.open)
		return err_set(e, EBUSY, "the control socket is already open");
	/* a path socket: an abstract one could be reached from any process
	 * sharing the network namespace, whatever its mount namespace */
	if (plen == 0 || plen >= sizeof sa.sun_path)
		return err_set(e, ENAMETOOLONG, "control socket path \"%s\"", path);
	memcpy(sa.sun_path, path, plen);
	if (parent_dir(path, e) < 0 || clear_path(path, e) < 0)
		return -1;

	control.lw.fd = -1;
	control.spare_fd = -1;
	control.sv = sv;
	for (int i = 0; i < CONTROL_MAX_CONN; i++) {
		control.c[i].used = false;
		control.c[i].w.fd = -1;
		control.c[i].tw.fd = -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(e, errno, "control socket: socket");
	control.lw = (struct loop_watch){ .fd = fd, .fn = on_listen };
	/* 0600 from the start: no window in which others may connect */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		umask(old);
		err_set(e, errno, "binding the control socket %s", path);
		goto fail_noent;
	}
	umask(old);
	if (chmod(path, 0600) < 0) {
		err_set(e, errno, "chmod 0600 %s", path);
		goto fail;
	}
	if (stat(path, &st) < 0) {
		err_set(e, errno, "stat %s", path);
		goto fail;
	}
	control.dev = st.st_dev;
	control.ino = st.st_ino;
	if (listen(fd, 2 * CONTROL_MAX_CONN) < 0) {
		err_set(e, errno, "listen on %s", path);
		goto fail;
	}
	for (int i = 0; i < CONTROL_MAX_CONN; i++) {
		struct conn *c = &control.c[i];
		int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

		if (tfd < 0) {
			err_set(e, errno, "control socket: timerfd_create");
			goto fail;
		}
		c->tw = (struct loop_watch){ .fd = tfd, .fn = on_timer, .ctx = c };
		if (loop_add(&sv->loop, &c->tw, EPOLLIN, e) < 0) {
			close(tfd);
			c->tw.fd = -1;
			goto fail;
		}
	}
	/* the spare: /dev/null, not a directory, so that even a leaked copy
	 * gives a launch child no path anywhere (issue #9 item 1) */
	control.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (loop_add(&sv->loop, &control.lw, EPOLLIN, e) < 0)
		goto fail;
	snprintf(control.path, sizeof control.path, "%s", path);
	control.open = true;
	return 0;

fail:
	unlink(path);
fail_noent:
	close_fds();
	return -1;
}

void control_close_all(struct sup *sv)
{
	struct stat st;

	(void)sv;
	if (!control.open)
		return;
	close_fds();
	/* only our own socket: another supervisor may have taken the path */
	if (stat(control.path, &st) == 0 && st.st_dev == control.dev && st.st_ino == control.ino)
		unlink(control.path);
	control.open = false;
}

#else /* !CONFIG_CONTROL_SOCKET */

int control_open(struct sup *sv, const char *path, struct err *e)
{
	(void)sv;
	(void)path;
	return err_set(e, 0, "this build has no control socket (CONFIG_CONTROL_SOCKET)");
}

void control_close_all(struct sup *sv)
{
	(void)sv;
}

#endif
