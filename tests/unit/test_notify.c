/* Issue #11's notify and syslog sockets and the main-pid mapping: the
 * parsers (sd_notify lines, syslog formats, PID files) against good and
 * malformed input, then the real sockets served in this process's loop
 * (STATUS=, READY=1, fds sent, too long, NUL, a sender outside the unit,
 * syslog lines with their priority), MAINPID= mapping through real
 * processes (and a real pid namespace when root), and PIDFile= read by
 * the reader child (a regular file, a FIFO, a symlink). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "qemu_user.h"
#include "init/logbuf.h"
#include "init/mainpid.h"
#include "init/notify.h"
#include "init/status_fmt.h"
#include "init/sup_int.h"
#include "init/syslog.h"
#include "sandbox/launch.h"

#define L(lit) lit, sizeof lit - 1

/* ---- parsers ------------------------------------------------------------------------ */

static void test_notify_parse(void)
{
	struct notify_msg m;
	char big[NOTIFY_MSG_MAX + 2];

	CHECK_INT("np-ok", notify_parse(L("READY=1\nSTATUS=up and running\nMAINPID=42\n"), &m), 0);
	CHECK("np-ready", m.ready);
	CHECK("np-status", m.has_status && m.status_len == 14 && !memcmp(m.status, "up and running", 14));
	CHECK_INT("np-mainpid", m.mainpid, 42);
	CHECK("np-no-stopping", !m.stopping && !m.reloading);

	notify_parse(L("READY=0\nSTOPPING=1\nRELOADING=1"), &m);
	CHECK("np-ready-0", !m.ready && m.stopping && m.reloading);

	notify_parse(L("WATCHDOG=1\nEXTEND_TIMEOUT_USEC=5\nERRNO=2\nBUSERROR=x\nFDSTORE=1\nFOO=bar\nnoequals"), &m);
	CHECK_INT("np-ignored", m.ignored, 5);
	CHECK_INT("np-unknown", m.unknown, 2);
	CHECK("np-ignored-not-ready", !m.ready && !m.has_status && !m.has_mainpid);

	notify_parse(L("MAINPID=abc"), &m);
	CHECK("np-mainpid-bad", m.has_mainpid && m.mainpid == 0);
	notify_parse(L("MAINPID=0"), &m);
	CHECK("np-mainpid-0", m.has_mainpid && m.mainpid == 0);
	notify_parse(L("MAINPID=99999999999"), &m);
	CHECK("np-mainpid-huge", m.has_mainpid && m.mainpid == 0);
	notify_parse(L("MAINPID=-5"), &m);
	CHECK("np-mainpid-neg", m.has_mainpid && m.mainpid == 0);
	notify_parse(L("READY=1x"), &m);
	CHECK("np-ready-1x", !m.ready);
	notify_parse(L("XREADY=1"), &m);
	CHECK("np-xready", !m.ready && m.unknown == 1);
	notify_parse(L("STATUS="), &m);
	CHECK("np-status-empty", m.has_status && m.status_len == 0);
	notify_parse(L("\n\n\n"), &m);
	CHECK("np-empty-lines", !m.ready && !m.unknown);

	CHECK_INT("np-nul", notify_parse(L("READY=1\0STATUS=x"), &m), -1);
	memset(big, 'a', sizeof big);
	memcpy(big, "STATUS=", 7);
	CHECK_INT("np-max", notify_parse(big, NOTIFY_MSG_MAX, &m), 0);
	CHECK_INT("np-too-long", notify_parse(big, NOTIFY_MSG_MAX + 1, &m), -1);
}

static void test_clean_status(void)
{
	char out[NOTIFY_STATUS_MAX], in[600];

	notify_clean_status("a\tb\nc\x1b[2Jd\x7f", 11, out);
	CHECK_STR("status-controls", out, "a?b?c?[2Jd?");
	memset(in, 'x', sizeof in);
	notify_clean_status(in, sizeof in, out);
	CHECK_INT("status-bounded", strlen(out), NOTIFY_STATUS_MAX - 1);
	/* a 3-byte sequence across the cut goes whole */
	memset(in, 'x', sizeof in);
	memcpy(in + NOTIFY_STATUS_MAX - 2, "\xe2\x82\xac", 3);
	notify_clean_status(in, sizeof in, out);
	CHECK_INT("status-utf8-cut", strlen(out), NOTIFY_STATUS_MAX - 2);
}

static void sp(const char *name, const char *in, size_t len, int want_pri, const char *want)
{
	char out[1024];
	int pri = -1;
	size_t n = syslog_parse(in, len, &pri, out);

	out[n] = '\0';
	t_report(name, pri == want_pri && strcmp(out, want) == 0, "got <%d> \"%s\", want <%d> \"%s\"",
		 pri, out, want_pri, want);
}

#define SP(name, lit, pri, want) sp(name, lit, sizeof lit - 1, pri, want)

static void test_syslog_parse(void)
{
	char name[SYSLOG_PRI_NAME_MAX];

	/* musl's and glibc's syslog(3) */
	SP("sl-3164", "<27>Dec  2 09:33:00 redis[12]: can't open\n", 27, "redis[12]: can't open");
	SP("sl-3164-day2", "<14>Nov 28 23:01:59 logger: hi", 14, "logger: hi");
	SP("sl-3164-crlf", "<14>Nov 28 23:01:59 x: y\r\n\n", 14, "x: y");
	SP("sl-trailing-nul", "<30>Jan  1 00:00:00 d: m\n\0", 30, "d: m");
	SP("sl-nul-cuts", "<30>d: before\0after", 30, "d: before");
	SP("sl-no-time", "<30>d[1]: m", 30, "d[1]: m");
	SP("sl-no-pri", "plain text", SYSLOG_DEFAULT_PRI, "plain text");
	SP("sl-bad-pri", "<abc>text", SYSLOG_DEFAULT_PRI, "<abc>text");
	SP("sl-pri-too-big", "<192>text", SYSLOG_DEFAULT_PRI, "<192>text");
	SP("sl-pri-4-digits", "<0013>text", SYSLOG_DEFAULT_PRI, "<0013>text");
	SP("sl-pri-unclosed", "<13", SYSLOG_DEFAULT_PRI, "<13");
	SP("sl-pri-only", "<13>", 13, "");
	SP("sl-pri-max", "<191>x", 191, "x");
	SP("sl-pri-0", "<0>Oct 10 10:10:10 kernel: panic", 0, "kernel: panic");
	SP("sl-time-bad", "<13>Dec 2 09:33:00 x: y", 13, "Dec 2 09:33:00 x: y");
	/* RFC 5424 */
	SP("sl-5424", "<165>1 2003-10-11T22:14:15.003Z host app 1234 ID47 - hello there", 165,
	   "app[1234]: hello there");
	SP("sl-5424-sd", "<165>1 2003-10-11T22:14:15Z h evntslog - ID47 [exampleSDID@32473 iut=\"3\" x=\"a\\]b\"][y@1 z=\"\"] \xef\xbb\xbfmsg",
	   165, "evntslog: msg");
	SP("sl-5424-nil", "<13>1 - - - - - -", 13, "");
	SP("sl-5424-app-nil", "<13>1 - - - 77 - - m", 13, "m");
	SP("sl-5424-short", "<13>1 only", 13, "1 only");
	SP("sl-5424-sd-open", "<13>1 t h a p m [unclosed", 13, "1 t h a p m [unclosed");
	SP("sl-empty", "", SYSLOG_DEFAULT_PRI, "");
	SP("sl-newlines", "\n\n", SYSLOG_DEFAULT_PRI, "");

	CHECK_STR("pri-daemon-err", syslog_pri_name(27, name), "daemon.err");
	CHECK_STR("pri-user-notice", syslog_pri_name(13, name), "user.notice");
	CHECK_STR("pri-local7-debug", syslog_pri_name(191, name), "local7.debug");
	CHECK_STR("pri-authpriv", syslog_pri_name(10 * 8 + 4, name), "authpriv.warning");
	CHECK_STR("pri-fac12", syslog_pri_name(12 * 8 + 6, name), "fac12.info");
	CHECK_STR("pri-kern-emerg", syslog_pri_name(0, name), "kern.emerg");
}

static void test_mainpid_parse(void)
{
	CHECK_INT("pf-plain", mainpid_parse("123", 3), 123);
	CHECK_INT("pf-newline", mainpid_parse("123\n", 4), 123);
	CHECK_INT("pf-blanks", mainpid_parse(" 42 \r\n", 6), 42);
	CHECK_INT("pf-empty", mainpid_parse("", 0), 0);
	CHECK_INT("pf-zero", mainpid_parse("0\n", 2), 0);
	CHECK_INT("pf-junk", mainpid_parse("12x\n", 4), 0);
	CHECK_INT("pf-two", mainpid_parse("12 13\n", 6), 0);
	CHECK_INT("pf-neg", mainpid_parse("-1\n", 3), 0);
	CHECK_INT("pf-huge", mainpid_parse("99999999999\n", 12), 0);
	CHECK_INT("pf-max", mainpid_parse("2147483647", 10), 2147483647);
	CHECK_INT("pf-over", mainpid_parse("2147483648", 10), 0);
}

/* ---- logs with a priority ------------------------------------------------------------- */

static char got_line[8192];
static unsigned len_mismatch;   /* sf_log_line_len() != what sf_log_line() wrote */

static void grab(void *ctx, const struct log_line *l)
{
	struct sf_buf *b = ctx;

	sf_buf_reset(b);
	sf_log_line(b, l);
	snprintf(got_line, sizeof got_line, "%.*s", (int)b->len, b->p);
	len_mismatch += sf_log_line_len(l) != b->len;
}

static void test_log_prefix(void)
{
	struct logbuf lb;
	struct sf_buf b;
	char big[LOG_LINE_MAX * 2 + 10];

	logbuf_init(&lb, 64 * 1024);
	sf_buf_init(&b, 1 << 20);
	logbuf_append(&lb, LOGBUF_SYSLOG(27), "redis[12]: oops", 15, 1714564800000LL);
	logbuf_tail(&lb, 1, grab, &b);
	CHECK_STR("log-syslog-prefix", got_line,
		  "2024-05-01T12:00:00.000Z <daemon.err> redis[12]: oops\n");
	logbuf_feed(&lb, 1, "plain\n", 6, 1714564800000LL);
	logbuf_tail(&lb, 1, grab, &b);
	CHECK_STR("log-stdout-no-prefix", got_line, "2024-05-01T12:00:00.000Z plain\n");
	logbuf_append(&lb, LOGBUF_SYSLOG(14), "a\nb\x1b", 4, 1714564800000LL);
	logbuf_tail(&lb, 1, grab, &b);
	CHECK_STR("log-syslog-escaped", got_line,
		  "2024-05-01T12:00:00.000Z <user.info> a\\x0ab\\x1b\n");
	memset(big, 'z', sizeof big);
	uint64_t before = lb.lines_total;
	logbuf_append(&lb, LOGBUF_SYSLOG(14), big, sizeof big, 1714564800000LL);
	CHECK_U64("log-syslog-split", lb.lines_total - before, 3);
	logbuf_tail(&lb, 0, grab, &b);
	CHECK_INT("log-len-measured", len_mismatch, 0);
	sf_buf_free(&b);
	logbuf_free(&lb);
}

/* ---- the sockets, served in this process's loop ------------------------------------- */

static struct sup sv;
static char run_dir[64];

static struct svc *new_unit(const char *name, bool syslog_on)
{
	struct svc *s = calloc(1, sizeof *s);
	struct spec *sp = calloc(1, sizeof *sp);

	snprintf(s->name, sizeof s->name, "%s", name);
	sp->syslog_socket = syslog_on;
	s->spec = sp;
	s->pidfd = s->out_fd = s->err_fd = s->cgroup_fd = s->timer_fd = -1;
	logbuf_init(&s->log, 64 * 1024);
	return s;
}

static int send_dgram(const char *path, const void *buf, size_t len, int pass_fd)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} c;
	struct msghdr mh = { .msg_name = &a, .msg_namelen = sizeof a, .msg_iov = &iov, .msg_iovlen = 1 };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	if (pass_fd >= 0) {
		struct cmsghdr *h;

		memset(&c, 0, sizeof c);
		mh.msg_control = c.b;
		mh.msg_controllen = sizeof c.b;
		h = CMSG_FIRSTHDR(&mh);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &pass_fd, sizeof(int));
	}
	r = (int)sendmsg(fd, &mh, MSG_DONTWAIT);
	close(fd);
	return r;
}

static void serve(void)
{
	for (int i = 0; i < 4; i++)
		loop_run_once(&sv.loop, 50);
}

static bool has_event(const struct svc *s, enum svc_event ev)
{
	for (unsigned i = 0; i < s->evq_n; i++)
		if (s->evq[(s->evq_head + i) % SVC_EVQ] == ev)
			return true;
	return false;
}

static int count_fds(void)
{
	char path[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		n += access(path, F_OK) == 0;
	}
	return n;
}

static pid_t sleeper(void)
{
	pid_t p = fork();

	if (p == 0) {
		for (;;)
			pause();
	}
	return p;
}

static void test_sockets(void)
{
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct svc *s = new_unit("web", true);
	struct err e;
	struct stat st;
	struct svc_sock *k;
	char big[NOTIFY_MSG_MAX + 100];
	int p[2], fds_before;
	pid_t other;

	s->pid = getpid();   /* the senders below are "the unit" */
	if (notify_open(&sv, s, &o, &e) < 0) {
		t_report("sock-open", false, "%s", e.msg);
		return;
	}
	k = s->sock;
	CHECK("sock-open", k && o.notify_sock && o.log_sock);
	CHECK("sock-notify-is-socket", stat(o.notify_sock, &st) == 0 && S_ISSOCK(st.st_mode) &&
				       (st.st_mode & 0777) == 0666);
	CHECK("sock-log-is-socket", stat(o.log_sock, &st) == 0 && S_ISSOCK(st.st_mode) &&
				    (st.st_mode & 0777) == 0666);
	CHECK("sock-open-again-same", notify_open(&sv, s, &o, &e) == 0 && s->sock == k);

	send_dgram(o.notify_sock, "STATUS=Ready to\x1b accept\nREADY=1\n", 32, -1);
	serve();
	CHECK_STR("sock-status", notify_status_text(s), "Ready to? accept");
	CHECK("sock-ready-raised", has_event(s, EV_READY));
	CHECK_U64("sock-msgs", k->notify_msgs, 1);

	/* too long, and a NUL: dropped whole, STATUS kept */
	memset(big, 'x', sizeof big);
	memcpy(big, "STATUS=big", 10);
	send_dgram(o.notify_sock, big, sizeof big, -1);
	send_dgram(o.notify_sock, "STATUS=nul\0READY=1", 18, -1);
	serve();
	CHECK_STR("sock-dropped-kept-status", notify_status_text(s), "Ready to? accept");
	CHECK_U64("sock-dropped-count", k->notify_dropped, 2);

	/* an fd sent is closed at once: the pipe's last reader is ours */
	if (pipe2(p, O_CLOEXEC) == 0) {
		fds_before = count_fds();
		send_dgram(o.notify_sock, "STATUS=with fd", 14, p[0]);
		serve();
		CHECK_INT("sock-fd-not-kept", count_fds(), fds_before);
		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		CHECK("sock-fd-closed-no-reader", write(p[1], "x", 1) < 0 && errno == EPIPE);
		close(p[1]);
		CHECK_STR("sock-fd-msg-still-read", notify_status_text(s), "with fd");
	}

	/* a sender that is not a process of the unit */
	other = sleeper();
	s->pid = other;
	send_dgram(o.notify_sock, "STATUS=intruder\nREADY=1", 23, -1);
	s->evq_n = 0;
	serve();
	CHECK_STR("sock-outsider-dropped", notify_status_text(s), "with fd");
	CHECK("sock-outsider-no-ready", !has_event(s, EV_READY));
	s->pid = getpid();

	/* MAINPID= of a process of the unit: its host pid (here the same
	 * namespace); of a process outside it: refused */
	s->pid = getpid();
	{
		char m[64];
		int n = snprintf(m, sizeof m, "MAINPID=%d", (int)getpid());

		s->main_pid = 0;
		send_dgram(o.notify_sock, m, (size_t)n, -1);
		serve();
		CHECK_INT("sock-mainpid-self", s->main_pid, getpid());
	}

	/* syslog */
	send_dgram(o.log_sock, "<27>Dec  2 09:33:00 redis[12]: can't open config\n", 49, -1);
	send_dgram(o.log_sock, "no priority", 11, -1);
	serve();
	{
		struct sf_buf b;

		sf_buf_init(&b, 1 << 20);
		got_line[0] = '\0';
		logbuf_tail(&s->log, 2, grab, &b);
		CHECK("sock-syslog-last", strstr(got_line, " <user.notice> no priority\n") != NULL);
		logbuf_tail(&s->log, 0, grab, &b);
		sf_buf_free(&b);
		CHECK_U64("sock-syslog-count", k->log_msgs, 2);
		CHECK_U64("sock-syslog-lines", s->log.lines_total, 2);
	}

	/* down: what is queued is read once, then the files go */
	send_dgram(o.log_sock, "<30>last: words", 15, -1);
	notify_close(&sv, s);
	CHECK("sock-closed", s->sock == NULL);
	CHECK_U64("sock-drained-at-close", s->log.lines_total, 3);
	CHECK("sock-unlinked", stat(o.notify_sock, &st) < 0 && errno == ENOENT);
	CHECK_STR("sock-status-gone", notify_status_text(s), "");
	notify_collect();

	/* SyslogSocket=no: no log socket */
	s->spec->syslog_socket = false;
	o = (struct sbx_launch_opts)SBX_LAUNCH_OPTS_INIT;
	CHECK("sock-no-syslog", notify_open(&sv, s, &o, &e) == 0 && o.notify_sock && !o.log_sock);
	notify_close(&sv, s);
	notify_collect();

	/* no unit folder: a simple unit starts without them, a notify one not */
	sv.run_dir = "/nonexistent-sandboxd-run";
	o = (struct sbx_launch_opts)SBX_LAUNCH_OPTS_INIT;
	CHECK("sock-fail-simple-starts", notify_open(&sv, s, &o, &e) == 0 && !o.notify_sock &&
					 !o.log_sock && !s->sock);
	s->spec->type = SERVICE_NOTIFY;
	CHECK("sock-fail-notify-refused", notify_open(&sv, s, &o, &e) < 0 && !s->sock &&
					  strstr(e.msg, "making its notify socket"));
	s->spec->type = SERVICE_SIMPLE;
	notify_collect();
	sv.run_dir = run_dir;

	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	logbuf_free(&s->log);
	free(s->spec);
	free(s);
}

/* ---- main pids ---------------------------------------------------------------------- */

/* A child that forks a grandchild; the grandchild's pid comes back
 * through a pipe (as the child sees it: in its own pid namespace). */
static pid_t family(pid_t *grandchild, bool newns)
{
	int p[2];
	pid_t c;

	if (pipe(p) < 0)
		return -1;
	if (newns && unshare(CLONE_NEWPID) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	c = fork();
	if (c == 0) {
		pid_t g = fork();

		if (g == 0) {
			for (;;)
				pause();
		}
		if (write(p[1], &g, sizeof g) < 0)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], grandchild, sizeof *grandchild) != sizeof *grandchild)
		*grandchild = 0;
	close(p[0]);
	return c;
}

static pid_t host_pid_of_child(pid_t parent)
{
	char path[64], buf[256];
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)parent, (int)parent);
	f = fopen(path, "re");
	if (!f || !fgets(buf, sizeof buf, f)) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	return (pid_t)atoi(buf);
}

static void test_resolve(void)
{
	struct svc *s = new_unit("fam", true);
	pid_t g = 0, c = family(&g, false);

	s->pid = c;
	CHECK_INT("resolve-grandchild", mainpid_resolve(s, g), g);
	CHECK_INT("resolve-self-child", mainpid_resolve(s, c), c);
	CHECK_INT("resolve-outsider", mainpid_resolve(s, getpid()), 0);
	CHECK_INT("resolve-none", mainpid_resolve(s, 0), 0);
	CHECK("in-unit-grandchild", mainpid_in_unit(s, g));
	CHECK("in-unit-outsider", !mainpid_in_unit(s, getpid()));
	kill(g, SIGKILL);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);

	/* a pid namespace of the unit's own: the number it writes is not
	 * the host's */
	if (geteuid() != 0) {
		t_skip("resolve-pidns", "needs root for a pid namespace");
	} else if (qu_refuses(QU_PID_REUSE)) {
		t_skip("resolve-pidns", qu_why(QU_PID_REUSE));
	} else {
		pid_t pid_fd = fork();

		if (pid_fd == 0) {
			/* unshare(CLONE_NEWPID) changes the namespace of our
			 * later children for good: in a child of our own */
			pid_t gg = 0, cc = family(&gg, true);
			pid_t ghost;
			int ok;

			if (cc < 0) {
				printf("skip resolve-pidns: unshare(CLONE_NEWPID): %s\n", strerror(errno));
				_exit(0);
			}
			s->pid = cc;
			ghost = host_pid_of_child(cc);
			ok = gg == 2 && ghost > 2 && mainpid_resolve(s, gg) == ghost &&
			     mainpid_resolve(s, 1) == cc && mainpid_in_unit(s, ghost) &&
			     !mainpid_in_unit(s, getpid());
			printf("%s resolve-pidns%s\n", ok ? "ok" : "not ok", ok ? "" : ": wrong mapping");
			fflush(stdout);
			kill(cc, SIGKILL);
			waitpid(cc, NULL, 0);
			_exit(ok ? 0 : 1);
		}
		int st;

		waitpid(pid_fd, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			t_failed++;
	}
	logbuf_free(&s->log);
	free(s->spec);
	free(s);
}

/* Serve the loop until s->main_pid changes from start or 4 s pass. */
static void wait_main_pid(struct svc *s, pid_t start)
{
	for (int i = 0; i < 80 && s->main_pid == start && s->sock && s->sock->pidfile_w.fd >= 0; i++) {
		loop_run_once(&sv.loop, 50);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

static void test_pidfile(void)
{
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct svc *s = new_unit("forky", false);
	char dir[80], file[112], link[112], fifo[112], buf[32];
	pid_t g = 0, c = family(&g, false);
	struct err e;
	FILE *f;
	int n;

	snprintf(dir, sizeof dir, "%s/pf", run_dir);
	mkdir(dir, 0755);
	snprintf(file, sizeof file, "%s/daemon.pid", dir);
	snprintf(link, sizeof link, "%s/link.pid", dir);
	snprintf(fifo, sizeof fifo, "%s/fifo.pid", dir);
	n = snprintf(buf, sizeof buf, "%d\n", (int)g);
	f = fopen(file, "we");
	fwrite(buf, 1, (size_t)n, f);
	fclose(f);
	symlink(file, link);
	mkfifo(fifo, 0644);

	s->pid = c;
	notify_open(&sv, s, &o, &e);
	s->spec->pid_file = file;
	s->main_pid = 0;
	CHECK_INT("pidfile-begin", mainpid_file_begin(&sv, s), 0);
	wait_main_pid(s, 0);
	CHECK_INT("pidfile-read", s->main_pid, g);

	s->spec->pid_file = link;
	s->main_pid = -7;
	mainpid_file_begin(&sv, s);
	wait_main_pid(s, -7);
	CHECK("pidfile-symlink-refused", s->main_pid == -7 && s->sock->pidfile_w.fd < 0);

	s->spec->pid_file = fifo;
	s->main_pid = -7;
	mainpid_file_begin(&sv, s);
	wait_main_pid(s, -7);
	CHECK("pidfile-fifo-refused", s->main_pid == -7 && s->sock->pidfile_w.fd < 0);

	/* a pid that is not the unit's */
	f = fopen(file, "we");
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	s->spec->pid_file = file;
	s->main_pid = -7;
	mainpid_file_begin(&sv, s);
	wait_main_pid(s, -7);
	CHECK("pidfile-outsider-refused", s->main_pid == -7 && s->sock->pidfile_w.fd < 0);

	notify_close(&sv, s);
	notify_collect();
	kill(g, SIGKILL);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	unlink(file);
	unlink(link);
	unlink(fifo);
	rmdir(dir);
	logbuf_free(&s->log);
	free(s->spec);
	free(s);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

int main(void)
{
	struct err e;

	test_notify_parse();
	test_clean_status();
	test_syslog_parse();
	test_mainpid_parse();
	test_log_prefix();

	snprintf(run_dir, sizeof run_dir, "/tmp/sbx-notify.XXXXXX");
	if (!mkdtemp(run_dir) || loop_init(&sv.loop, &e) < 0) {
		t_report("setup", false, "%s", strerror(errno));
		return t_exit();
	}
	sv.run_dir = run_dir;
	sv.fsm.running = true;   /* events are queued on the unit, not run */
	sup_the = &sv;
	test_sockets();
	test_resolve();
	qu_need(QU_OPENAT2);   /* PIDFile= is read with RESOLVE_IN_ROOT */
	test_pidfile();
	qu_done();
	/* whatever the supervisor wrote there too (state files) */
	nftw(run_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return t_exit();
}
