/* sandbox/launch.h as PID 1 uses it (issue #10), as root: the asynchronous
 * launch (begin/end/abort: a child that succeeds, one that fails a step,
 * one whose setup hangs, several in flight), User=/Group= names resolved by
 * the launch child, and StandardOutput= files opened by it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "qemu_user.h"
#include "sandbox/child.h"
#include "sandbox/launch.h"

/* A spec as the parser would leave it, without a rootfs. */
static void base_spec(struct spec *s, const char **argv, size_t argc)
{
	static const char *env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

	memset(s, 0, sizeof *s);
	strcpy(s->name, "t");
	s->args.v = argv;
	s->args.n = argc;
	s->env.v = env;
	s->env.n = 1;
	s->cwd = "/";
	s->umask = 022;
	s->namespaces = NS_BIT(NS_PID) | NS_BIT(NS_MOUNT) | NS_BIT(NS_IPC) | NS_BIT(NS_UTS);
	s->hostname = "t";
	s->caps = (1ull << 5) | (1ull << 29);
	s->no_new_privs = true;
}

/* ---- the asynchronous launch (issue #10) --------------------------------- */

/* Whether l->sock becomes readable within ms. */
static bool readable(const struct sbx_launch *l, int ms)
{
	struct pollfd p = { .fd = l->sock, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/* begin, wait for the socket, end: end's result, c filled. */
static int begin_end(const struct spec *s, struct sbx_child *c, struct err *e)
{
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_launch l;
	int rc = 1;

	o.stdio[0] = SBX_STDIO_NULL;
	memset(c, 0, sizeof *c);
	c->pid = -1;
	if (sbx_launch_begin(s, &o, &l, e) < 0)
		return -2;
	for (int i = 0; i < 100 && rc == 1; i++)
		if (readable(&l, 100))
			rc = sbx_launch_end(&l, c, e);
	if (rc == 1) {
		pid_t pid = l.pid;

		sbx_launch_abort(&l);
		waitpid(pid, NULL, 0);
	}
	return rc;
}

static int reap_code(struct sbx_child *c)
{
	int st = 0;

	if (c->pid <= 0)
		return -1;
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
	return sbx_exit_code(st);
}

static void hang_forever(void)
{
	for (;;)
		pause();
}

static void test_launch_async(void)
{
	static const char *exit3[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_launch l, many[4];
	struct sbx_child c;
	struct spec s;
	struct err e = { 0 };
	int rc, code;

	if (geteuid() != 0) {
		t_skip("launch-async", "not root");
		return;
	}
	/* a child that succeeds: EOF on the socket, the service runs */
	base_spec(&s, exit3, 3);
	rc = begin_end(&s, &c, &e);
	t_report("launch-async-ok", rc == 0 && c.pid > 0 && c.pidfd >= 0, "rc %d: %s", rc,
		 e.msg);
	code = reap_code(&c);
	CHECK_INT("launch-async-ok-exit", code, 3);

	/* one that fails a step: the report, the child left to the caller */
	base_spec(&s, exit3, 3);
	s.cwd = "/no/such/dir";
	rc = begin_end(&s, &c, &e);
	t_report("launch-async-step-fails", rc == -1 && c.pid > 0 && c.pidfd >= 0 &&
		 c.exit_code == SBX_EXIT_SETUP && e.errnum == ENOENT, "rc %d pid %d code %d: %s",
		 rc, (int)c.pid, c.exit_code, e.msg);
	CHECK_STR("launch-async-step-msg", e.msg, "t: chdir /no/such/dir");
	code = reap_code(&c);
	CHECK_INT("launch-async-step-child-exits", code, SBX_EXIT_SETUP);

	/* reaped before its report was read: the report is still there */
	o.stdio[0] = SBX_STDIO_NULL;
	rc = sbx_launch_begin(&s, &o, &l, &e);
	if (rc == 0) {
		int st = 0;

		waitpid(l.pid, &st, 0);
		rc = sbx_launch_end(&l, &c, &e);
		if (c.pidfd >= 0)
			close(c.pidfd);
	}
	t_report("launch-async-report-after-reap", rc == -1 && strstr(e.msg, "chdir") &&
		 l.sock == -1, "rc %d: %s", rc, e.msg);

	/* a kernel file system bound in: refused by the child now, the
	 * same text as when the parent refused it */
	{
		struct mount_spec m = { .kind = MOUNT_BIND, .source = "/proc",
					.destination = "/tmp/k" };

		base_spec(&s, exit3, 3);
		s.mounts = &m;
		s.n_mounts = 1;
		rc = begin_end(&s, &c, &e);
		t_report("launch-async-kernel-fs-refused-in-child", rc == -1 && c.pid > 0 &&
			 c.exit_code == SBX_EXIT_SETUP && e.errnum == EPERM &&
			 strstr(e.msg, "t: bind /proc: holds the kernel's proc file system at /proc"),
			 "rc %d code %d: %s", rc, c.exit_code, e.msg);
		reap_code(&c);
	}

	/* a setup that hangs: nothing to read, aborted, then reaped */
	base_spec(&s, exit3, 3);
	sbx_child_test_hook = hang_forever;
	rc = sbx_launch_begin(&s, &o, &l, &e);
	sbx_child_test_hook = NULL;
	if (rc == 0) {
		pid_t pid = l.pid;
		bool quiet = !readable(&l, 300);
		int end = sbx_launch_end(&l, &c, &e), st = 0;
		pid_t got;

		t_report("launch-async-hang-nothing-yet", quiet && end == 1 && l.sock >= 0,
			 "readable %d end %d", !quiet, end);
		sbx_launch_abort(&l);
		t_report("launch-async-abort-closes", l.sock == -1 && l.pidfd == -1 &&
			 l.pid == pid, "sock %d pidfd %d pid %d", l.sock, l.pidfd, (int)l.pid);
		got = waitpid(pid, &st, 0);
		t_report("launch-async-abort-killed", got == pid && WIFSIGNALED(st) &&
			 WTERMSIG(st) == SIGKILL, "got %d status %#x", (int)got, st);
	} else {
		t_report("launch-async-hang", false, "begin: %s", e.msg);
	}

	/* several in flight at once, one hanging among them */
	rc = 0;
	for (int i = 0; i < 4; i++) {
		base_spec(&s, exit3, 3);
		sbx_child_test_hook = i == 1 ? hang_forever : NULL;
		rc |= sbx_launch_begin(&s, &o, &many[i], &e);
	}
	sbx_child_test_hook = NULL;
	if (rc == 0) {
		int done = 0, codes = 0;

		for (int i = 0; i < 4; i++) {
			int r = 1;

			if (i == 1) {
				pid_t pid = many[i].pid;

				sbx_launch_abort(&many[i]);
				waitpid(pid, NULL, 0);
				continue;
			}
			for (int k = 0; k < 50 && r == 1; k++)
				if (readable(&many[i], 100))
					r = sbx_launch_end(&many[i], &c, &e);
			done += r == 0;
			codes += r == 0 && reap_code(&c) == 3;
		}
		t_report("launch-async-several", done == 3 && codes == 3, "%d started, %d exit 3",
			 done, codes);
	} else {
		t_report("launch-async-several", false, "begin: %s", e.msg);
	}

	/* begin's own failure: nothing runs, no fd is left */
	base_spec(&s, exit3, 3);
	s.args.v = NULL;
	rc = sbx_launch_begin(&s, &o, &l, &e);
	t_report("launch-async-begin-fails", rc == -1 && l.pid == -1 && l.sock == -1 &&
		 l.exit_code == SBX_EXIT_SETUP, "rc %d pid %d", rc, (int)l.pid);
}

/* ---- User=/Group= names resolved by the launch child (issue #10) ------- */

/* Launch s with stdout on a pipe; what it printed, its exit code. */
static int run_out(const struct spec *s, char *out, size_t len, struct err *e)
{
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_child c;
	size_t got = 0;
	ssize_t n;
	int st = 0;

	out[0] = '\0';
	o.stdio[0] = SBX_STDIO_NULL;
	o.stdio[1] = SBX_STDIO_PIPE;
	if (sbx_launch(s, &o, &c, e) < 0)
		return -c.exit_code;
	while (got + 1 < len && (n = read(c.stdio[1], out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(c.stdio[1]);
	waitpid(c.pid, &st, 0);
	close(c.pidfd);
	return sbx_exit_code(st);
}

static void test_launch_ids(void)
{
	static const char *ids[] = { "/bin/sh", "-c", "echo $(id -u) $(id -g) $(id -G)", NULL };
	static char root[] = "/tmp/sbx-test-ids.XXXXXX";
	static const char *supp[] = { "nogroup", "5" };
	char out[128], path[160];
	struct spec s;
	struct err e = { 0 };
	int code;

	if (geteuid() != 0 || access("/bin/sh", X_OK) < 0) {
		t_skip("launch-ids", "not root");
		return;
	}
	/* the parent leaves the names alone: the child reads /etc/passwd */
	base_spec(&s, ids, 3);
	s.user_name = "nobody";
	s.user_loc.line = 3;
	code = run_out(&s, out, sizeof out, &e);
	t_report("launch-ids-user-by-name", code == 0 && strcmp(out, "65534 65534 65534\n") == 0,
		 "code %d out \"%s\": %s", code, out, e.msg);

	base_spec(&s, ids, 3);
	s.user_name = "daemon";
	s.user_loc.line = 3;
	s.group_name = "nogroup";
	s.group_loc.line = 4;
	s.supp_group_names.v = supp;
	s.supp_group_names.n = 2;
	s.supp_loc.line = 5;
	code = run_out(&s, out, sizeof out, &e);
	t_report("launch-ids-groups-by-name", code == 0 &&
		 strcmp(out, "1 65534 65534 5\n") == 0, "code %d out \"%s\": %s", code, out,
		 e.msg);

	/* a numeric user without Group=: its passwd line's group */
	base_spec(&s, ids, 3);
	s.uid = 1;
	s.user_loc.line = 3;
	code = run_out(&s, out, sizeof out, &e);
	t_report("launch-ids-numeric-user-primary-group", code == 0 &&
		 strcmp(out, "1 1 1\n") == 0, "code %d out \"%s\": %s", code, out, e.msg);

	/* ids past 16 bits, as given: 32-bit arm's plain setresuid and
	 * setgroups take 16-bit ids (100000 became 34464, a second group 0) */
	static gid_t big[] = { 100001, 100002 };

	base_spec(&s, ids, 3);
	s.uid = 100000;
	s.gid = 100001;
	s.groups = big;
	s.n_groups = 2;
	code = run_out(&s, out, sizeof out, &e);
	t_report("launch-ids-past-16-bits", code == 0 &&
		 strcmp(out, "100000 100001 100001 100002\n") == 0, "code %d out \"%s\": %s", code,
		 out, e.msg);

	base_spec(&s, ids, 3);
	s.user_name = "nobody-here";
	s.user_loc.line = 3;
	code = run_out(&s, out, sizeof out, &e);
	t_report("launch-ids-unknown-user", code == -SBX_EXIT_SETUP &&
		 strcmp(e.msg, "t: user nobody-here: not found in /etc/passwd") == 0 &&
		 e.errnum == 0, "code %d: %s (errno %d)", code, e.msg, e.errnum);

	/* in a RootDirectory: its own files, a FIFO never opened */
	if (!mkdtemp(root)) {
		t_report("launch-ids-root", false, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof path, "%s/etc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/etc/passwd", root);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	base_spec(&s, ids, 3);
	s.root = root;
	s.user_name = "nobody";
	s.user_loc.line = 3;
	code = run_out(&s, out, sizeof out, &e);
	snprintf(path, sizeof path, "t: user nobody: not found in %s/etc/passwd", root);
	t_report("launch-ids-root-passwd", code == -SBX_EXIT_SETUP && strcmp(e.msg, path) == 0,
		 "code %d: %s", code, e.msg);
	snprintf(path, sizeof path, "%s/etc/group", root);
	mkfifo(path, 0644);
	s.user_name = NULL;
	s.user_loc.line = 0;
	s.group_name = "nogroup";
	s.group_loc.line = 4;
	code = run_out(&s, out, sizeof out, &e);
	snprintf(path, sizeof path, "t: group nogroup: %s/etc/group: not a regular file", root);
	t_report("launch-ids-root-group-fifo", code == -SBX_EXIT_SETUP && strcmp(e.msg, path) == 0,
		 "code %d: %s", code, e.msg);
	snprintf(path, sizeof path, "%s/etc/group", root);
	unlink(path);
	snprintf(path, sizeof path, "%s/etc/passwd", root);
	unlink(path);
	snprintf(path, sizeof path, "%s/etc", root);
	rmdir(path);
	rmdir(root);
}

/* ---- several launches in flight: one's fds never reach another's service */

/* (no pipeline: the shell would hold its pipe while ls looks.)
 * A hangs in its setup, holding its launch socket, its pidfd and the
 * read end of its stdout pipe in this process; B's service (with and
 * without the Init= reaper in front of it) must have 0 1 2 and nothing
 * else, whatever this process held when B was cloned. */
static void test_launch_inflight_fds(void)
{
	static const char *fds[] = { "/bin/sh", "-c", "ls /proc/$$/fd; exit 0",
				     NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_launch a;
	struct spec s;
	struct err e = { 0 };
	char out[256];
	int code;

	if (geteuid() != 0 || access("/bin/sh", X_OK) < 0) {
		t_skip("launch-inflight-fds", "not root");
		return;
	}
	o.stdio[0] = SBX_STDIO_NULL;
	o.stdio[1] = SBX_STDIO_PIPE;
	base_spec(&s, fds, 3);
	sbx_child_test_hook = hang_forever;
	code = sbx_launch_begin(&s, &o, &a, &e);
	sbx_child_test_hook = NULL;
	if (code < 0) {
		t_report("launch-inflight-fds", false, "begin A: %s", e.msg);
		return;
	}
	for (int init = 0; init < 2; init++) {
		base_spec(&s, fds, 3);
		s.init = init;
		code = run_out(&s, out, sizeof out, &e);
		t_report(init ? "launch-inflight-fds-reaper" : "launch-inflight-fds",
			 code == 0 && strcmp(out, "0\n1\n2\n") == 0,
			 "B's service with A in flight: code %d, fds \"%s\": %s", code, out, e.msg);
	}
	pid_t pid = a.pid;

	sbx_launch_abort(&a);
	waitpid(pid, NULL, 0);
}

/* A short record on the report socket (fd 3 in the child), then nothing:
 * no child of ours writes one, so end() kills it and says so; the caller
 * still reaps it. */
static void partial_report(void)
{
	send(3, "xx", 2, MSG_NOSIGNAL);
	for (;;)
		pause();
}

static void test_launch_partial_report(void)
{
	static const char *t[] = { "/bin/true", NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_launch l;
	struct sbx_child c;
	struct spec s;
	struct err e = { 0 };
	int rc = 1, st = 0;

	if (geteuid() != 0) {
		t_skip("launch-partial-report", "not root");
		return;
	}
	o.stdio[0] = SBX_STDIO_NULL;
	base_spec(&s, t, 1);
	sbx_child_test_hook = partial_report;
	rc = sbx_launch_begin(&s, &o, &l, &e);
	sbx_child_test_hook = NULL;
	if (rc < 0) {
		t_report("launch-partial-report", false, "begin: %s", e.msg);
		return;
	}
	rc = 1;
	for (int i = 0; i < 100 && rc == 1; i++)
		if (readable(&l, 100))
			rc = sbx_launch_end(&l, &c, &e);
	if (rc == 1) {
		pid_t pid = l.pid;

		sbx_launch_abort(&l);
		waitpid(pid, NULL, 0);
		t_report("launch-partial-report", false, "no report within 10 s");
		return;
	}
	t_report("launch-partial-report", rc == -1 && e.errnum == EPROTO &&
		 c.exit_code == SBX_EXIT_SETUP && l.sock == -1, "rc %d errno %d code %d: %s", rc,
		 e.errnum, c.exit_code, e.msg);
	waitpid(c.pid, &st, 0);
	t_report("launch-partial-report-killed", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		 "the child ended with status 0x%x", st);
	close(c.pidfd);
}

/* ---- StandardOutput= files opened by the launch child (issue #10) ------- */

static int run_files(struct spec *s, struct err *e)
{
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_child c;
	int st = 0;

	o.stdio[0] = SBX_STDIO_NULL;
	o.stdio[1] = o.stdio[2] = SBX_STDIO_SPEC_FILE;
	if (sbx_launch(s, &o, &c, e) < 0)
		return -c.exit_code;
	waitpid(c.pid, &st, 0);
	close(c.pidfd);
	return sbx_exit_code(st);
}

static const char *slurp_file(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_launch_stdfile(void)
{
	static const char *both[] = { "/bin/sh", "-c", "echo out; echo err >&2", NULL };
	static char dir[] = "/tmp/sbx-test-stdfile.XXXXXX";
	char path[128], other[128], want[300];
	struct spec s;
	struct err e = { 0 };
	int code, fd;

	if (geteuid() != 0 || !mkdtemp(dir)) {
		t_skip("launch-stdfile", "not root or no /tmp");
		return;
	}
	snprintf(path, sizeof path, "%s/out.log", dir);
	base_spec(&s, both, 3);
	s.std_out = (struct output){ .kind = OUTPUT_FILE, .path = path };
	s.std_err = s.std_out;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	(void)!write(fd, "old old old old\n", 16);
	close(fd);
	code = run_files(&s, &e);
	t_report("launch-stdfile-file-truncated-shared", code == 0 &&
		 strcmp(slurp_file(path), "out\nerr\n") == 0, "code %d \"%s\": %s", code,
		 slurp_file(path), e.msg);
	s.std_out.kind = s.std_err.kind = OUTPUT_APPEND;
	code = run_files(&s, &e);
	t_report("launch-stdfile-append", code == 0 &&
		 strcmp(slurp_file(path), "out\nerr\nout\nerr\n") == 0, "code %d \"%s\": %s",
		 code, slurp_file(path), e.msg);
	unlink(path);
	code = run_files(&s, &e);
	t_report("launch-stdfile-created", code == 0 && strcmp(slurp_file(path), "out\nerr\n") == 0,
		 "code %d \"%s\": %s", code, slurp_file(path), e.msg);

	/* swapped by the unit: a FIFO nobody reads, a symlink, a hard link */
	unlink(path);
	mkfifo(path, 0600);
	s.std_out.kind = s.std_err.kind = OUTPUT_FILE;
	code = run_files(&s, &e);
	snprintf(want, sizeof want, "t: open StandardOutput=file:%s: not a regular file (a FIFO)",
		 path);
	t_report("launch-stdfile-fifo-refused", code == -SBX_EXIT_SETUP && strcmp(e.msg, want) == 0,
		 "code %d: %s", code, e.msg);
	unlink(path);
	snprintf(other, sizeof other, "%s/host", dir);
	close(open(other, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	symlink(other, path);
	code = run_files(&s, &e);
	t_report("launch-stdfile-symlink-refused", code == -SBX_EXIT_SETUP &&
		 strstr(e.msg, "symlink") && !slurp_file(other)[0],
		 "code %d: %s", code, e.msg);
	unlink(path);
	link(other, path);
	code = run_files(&s, &e);
	t_report("launch-stdfile-hardlink-refused", code == -SBX_EXIT_SETUP &&
		 strstr(e.msg, "a regular file with 2 hard links") && !slurp_file(other)[0],
		 "code %d: %s", code, e.msg);
	unlink(path);
	unlink(other);

	/* nor a device: one a unit planted could be /dev/mem's numbers */
	s.std_out.path = s.std_err.path = "/dev/null";
	code = run_files(&s, &e);
	t_report("launch-stdfile-char-device-refused", code == -SBX_EXIT_SETUP &&
		 strstr(e.msg, "not a regular file (a character device)"), "code %d: %s", code,
		 e.msg);

	/* asked for a file the spec does not name */
	s.std_out.kind = OUTPUT_LOG;
	code = run_files(&s, &e);
	t_report("launch-stdfile-none-refused", code < 0 && strstr(e.msg, "no file: or append:"),
		 "code %d: %s", code, e.msg);
	rmdir(dir);
}

int main(void)
{
	qu_need(QU_CLONE3);
	test_launch_async();
	test_launch_ids();
	test_launch_inflight_fds();
	test_launch_partial_report();
	test_launch_stdfile();
	qu_done();
	return t_exit();
}
