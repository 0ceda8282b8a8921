/* Issue #11, helper "dirs", through the real launcher as root: PID 1's
 * notify and syslog sockets bound at /dev/.notify and /dev/log (the
 * directories, tmpfs names and exec paths are tested with the supervisor
 * in tests/host/execdirs.sh). The service is the host's /bin/sh, with
 * python3 (when there) to send the datagrams. Skips without root. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "qemu_user.h"
#include "sandbox/launch.h"

/* A spec as the parser would leave it, on the system's root. */
static void base_spec(struct spec *s, const char **argv)
{
	static const char *env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

	memset(s, 0, sizeof *s);
	strcpy(s->name, "t");
	s->args.v = argv;
	for (s->args.n = 0; argv[s->args.n]; s->args.n++)
		;
	s->env.v = env;
	s->env.n = 1;
	s->cwd = "/";
	s->umask = 022;
	s->namespaces = NS_BIT(NS_PID) | NS_BIT(NS_MOUNT) | NS_BIT(NS_IPC) | NS_BIT(NS_UTS);
	s->hostname = "t";
	s->caps = (1ull << 5) | (1ull << 29);
	s->no_new_privs = true;
	for (int i = 0; i < EXEC_DIR_COUNT; i++)
		s->dirs[i].mode = 0755;
}

/* Launch and wait: the exit code, or -1 with e set (the launch failed). */
static int run(const struct spec *s, const struct sbx_launch_opts *opts, struct err *e)
{
	struct sbx_launch_opts o = opts ? *opts : (struct sbx_launch_opts)SBX_LAUNCH_OPTS_INIT;
	struct sbx_child c;
	int st;

	o.stdio[0] = SBX_STDIO_NULL;
	e->msg[0] = '\0';
	if (sbx_launch(s, &o, &c, e) < 0)
		return -1;
	while (waitpid(c.pid, &st, 0) < 0 && errno == EINTR)
		;
	close(c.pidfd);
	return sbx_exit_code(st);
}

static int dgram_at(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* ---- the sockets (item 6) ------------------------------------------------- */

static void test_socket_binds(void)
{
	static char dir[] = "/var/tmp/sbx-test-sock.XXXXXX";
	char notify[128], log[128], hidden[64];
	/* both are sockets at their paths, and a datagram sent to /dev/log
	 * arrives at the host's socket (python3 sends it, when there) */
	const char *sh[] = { "/bin/sh", "-c",
		"test -S /dev/.notify && test -S /dev/log || exit 1; "
		"command -v python3 >/dev/null || exit 0; "
		"exec python3 -c 'import socket; s = socket.socket(socket.AF_UNIX, "
		"socket.SOCK_DGRAM); s.sendto(b\"<13>t: hello\", \"/dev/log\"); "
		"s.sendto(b\"READY=1\", \"/dev/.notify\")'", NULL };
	const char *absent[] = { "/bin/sh", "-c", "! test -e /dev/.notify && ! test -e /dev/log",
				 NULL };
	const char *hide[] = { hidden, NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct spec s;
	struct err e;
	int nfd, lfd, code;

	if (!mkdtemp(dir)) {
		t_report("socket-binds", false, "mkdtemp: %s", strerror(errno));
		return;
	}
	/* in a folder the sandbox hides, as PID 1's run folder is */
	snprintf(hidden, sizeof hidden, "%s/run", dir);
	snprintf(notify, sizeof notify, "%s/notify", hidden);
	snprintf(log, sizeof log, "%s/log", hidden);
	mkdir(hidden, 0755);
	nfd = dgram_at(notify);
	lfd = dgram_at(log);
	if (nfd < 0 || lfd < 0) {
		t_report("socket-binds", false, "bind the test sockets: %s", strerror(errno));
		goto out;
	}
	base_spec(&s, sh);
	o.hide = hide;
	o.notify_sock = notify;
	o.log_sock = log;
	code = run(&s, &o, &e);
	t_report("socket-binds", code == 0, "code %d: %s", code, e.msg);
	if (access("/usr/bin/python3", X_OK) == 0) {
		char buf[64] = "";
		ssize_t n = recv(lfd, buf, sizeof buf - 1, MSG_DONTWAIT);

		t_report("socket-binds-log-arrives", n == 12 && memcmp(buf, "<13>t: hello", 12) == 0,
			 "read %zd \"%s\"", n, n > 0 ? buf : "");
		memset(buf, 0, sizeof buf);
		n = recv(nfd, buf, sizeof buf - 1, MSG_DONTWAIT);
		t_report("socket-binds-notify-arrives", n == 7 && memcmp(buf, "READY=1", 7) == 0,
			 "read %zd \"%s\"", n, n > 0 ? buf : "");
	} else {
		t_skip("socket-binds-log-arrives", "no /usr/bin/python3 to send a datagram");
	}
	s.root_readonly = true;
	code = run(&s, &o, &e);
	t_report("socket-binds-readonly-root", code == 0, "code %d: %s", code, e.msg);
	s.root_readonly = false;

	/* none asked: none there */
	base_spec(&s, absent);
	code = run(&s, NULL, &e);
	t_report("socket-binds-none", code == 0, "code %d: %s", code, e.msg);

	/* a path that is no socket is refused, by name */
	base_spec(&s, absent);
	o.notify_sock = hidden;
	code = run(&s, &o, &e);
	t_report("socket-binds-not-a-socket", code < 0 && e.errnum == ENOTSOCK &&
		 strstr(e.msg, hidden), "code %d: %s", code, e.msg);
out:
	if (nfd >= 0)
		close(nfd);
	if (lfd >= 0)
		close(lfd);
	unlink(notify);
	unlink(log);
	rmdir(hidden);
	rmdir(dir);
}

int main(void)
{
	if (geteuid() != 0) {
		t_skip("mounts", "not root");
		return t_exit();
	}
	qu_need(QU_CLONE3);
	test_socket_binds();
	qu_done();
	return t_exit();
}
