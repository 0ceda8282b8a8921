/* Issue #11's launcher side, as root on this host's kernel: lo up in a
 * private network namespace, JoinsNamespaceOf= (a unit in another's
 * network and IPC namespaces), a command run in a running service
 * (sandbox/join.c: all of its namespaces, the relay into its pid
 * namespace and the handover), NetworkNamespacePath=. Every check looks
 * from inside the sandboxes (busybox sh, nc, ip) and compares with what
 * the host sees. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "qemu_user.h"
#include "sandbox/launch.h"

#define BB "/bin/busybox"

/* Connect to 127.0.0.1:PORT until a listener answers "pong" (bounded). */
#define CONNECT(port) \
	"for i in $(" BB " seq 1 50); do r=$(" BB " nc 127.0.0.1 " port \
	" </dev/null 2>/dev/null) && [ -n \"$r\" ] && { echo \"got $r\"; break; }; " \
	BB " sleep 0.1; done; "

/* The namespaces of the shell, one per line: net, ipc, uts */
#define NSLINKS "for n in net ipc uts; do " BB " readlink /proc/self/ns/$n; done; "

static void base_spec(struct spec *s, const char **argv)
{
	static const char *env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	size_t n = 0;

	while (argv[n])
		n++;
	memset(s, 0, sizeof *s);
	strcpy(s->name, "t");
	s->args.v = argv;
	s->args.n = n;
	s->env.v = env;
	s->env.n = 1;
	s->cwd = "/";
	s->umask = 022;
	s->namespaces = NS_BIT(NS_PID) | NS_BIT(NS_MOUNT) | NS_BIT(NS_IPC) | NS_BIT(NS_UTS) |
			NS_BIT(NS_NET);
	s->hostname = "t";
	s->caps = (1ull << 5) | (1ull << 29);
	s->no_new_privs = true;
}

/* Read from fd until `lines` newlines, EOF or 10 s. */
static void read_lines(int fd, char *buf, size_t len, int lines)
{
	size_t got = strlen(buf);

	for (int waited = 0; got + 1 < len && waited < 100;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int seen = 0;
		ssize_t n;

		for (size_t i = 0; i < got; i++)
			seen += buf[i] == '\n';
		if (lines > 0 && seen >= lines)
			break;
		if (poll(&p, 1, 100) == 0) {
			waited++;
			continue;
		}
		n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
	}
}

/* Launch with stdout on a pipe (synchronous: sbx_launch). */
static int start(const struct spec *s, struct sbx_launch_opts *o, struct sbx_child *c,
		 struct err *e)
{
	o->stdio[0] = SBX_STDIO_NULL;
	o->stdio[1] = SBX_STDIO_PIPE;
	return sbx_launch(s, o, c, e);
}

/* The rest of c's output, then its exit code. */
static int finish(struct sbx_child *c, char *out, size_t len)
{
	int st = 0;

	if (c->stdio[1] >= 0) {
		read_lines(c->stdio[1], out, len, 0);
		close(c->stdio[1]);
		c->stdio[1] = -1;
	}
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
	return sbx_exit_code(st);
}

/* The n-th line (0-based) of text into buf. */
static const char *line(const char *text, int n, char *buf, size_t len)
{
	const char *p = text;

	for (; n > 0 && p; n--)
		if ((p = strchr(p, '\n')))
			p++;
	buf[0] = '\0';
	if (p) {
		size_t l = strcspn(p, "\n");

		snprintf(buf, len, "%.*s", (int)(l < len ? l : len - 1), p);
	}
	return buf;
}

static void test_lo(void)
{
	static const char *argv[] = { BB, "sh", "-c",
		BB " ip link show lo; " BB " nc -l -p 5555 -e /bin/echo pong & s=$!; "
		CONNECT("5555") "kill $s 2>/dev/null; wait", NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_child c;
	struct spec s;
	struct err e = { 0 };
	char out[2048] = "";
	int code;

	base_spec(&s, argv);
	if (start(&s, &o, &c, &e) < 0) {
		t_report("lo-up", false, "launch: %s", e.msg);
		return;
	}
	code = finish(&c, out, sizeof out);
	t_report("lo-up", strstr(out, "<LOOPBACK,UP") != NULL, "ip link show lo: %s", out);
	t_report("lo-connect", code == 0 && strstr(out, "got pong") != NULL,
		 "code %d, a client of 127.0.0.1:5555 in the sandbox: %s", code, out);
}

static void test_join_net(void)
{
	static const char *server[] = { BB, "sh", "-c",
		NSLINKS
		BB " nc -l -p 5556 -e /bin/echo pong", NULL };
	static const char *client[] = { BB, "sh", "-c",
		NSLINKS CONNECT("5556"),
		NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_child a, b;
	struct spec sa, sb;
	struct err e = { 0 };
	char outa[1024] = "", outb[1024] = "", la[128], lb[128];
	int code_a, code_b;

	base_spec(&sa, server);
	if (start(&sa, &o, &a, &e) < 0) {
		t_report("join-net", false, "launch the server: %s", e.msg);
		return;
	}
	read_lines(a.stdio[1], outa, sizeof outa, 3);
	base_spec(&sb, client);
	o = (struct sbx_launch_opts)SBX_LAUNCH_OPTS_INIT;
	o.join_pidfd = a.pidfd;
	o.join_ns = NS_BIT(NS_NET) | NS_BIT(NS_IPC);
	if (start(&sb, &o, &b, &e) < 0) {
		t_report("join-net", false, "launch the client: %s", e.msg);
		kill(a.pid, SIGKILL);
		finish(&a, outa, sizeof outa);
		return;
	}
	code_b = finish(&b, outb, sizeof outb);
	if (!strstr(outb, "got pong"))
		kill(a.pid, SIGKILL);
	code_a = finish(&a, outa, sizeof outa);
	t_report("join-net", code_b == 0 && code_a == 0 && strstr(outb, "got pong"),
		 "the client in the server's network: code %d/%d, %s", code_a, code_b, outb);
	t_report("join-net-same-net", strcmp(line(outa, 0, la, sizeof la),
					     line(outb, 0, lb, sizeof lb)) == 0 &&
		 strncmp(la, "net:[", 5) == 0, "server %s, client %s", la, lb);
	t_report("join-net-same-ipc", strcmp(line(outa, 1, la, sizeof la),
					     line(outb, 1, lb, sizeof lb)) == 0 &&
		 strncmp(la, "ipc:[", 5) == 0, "server %s, client %s", la, lb);
	t_report("join-net-own-uts", strcmp(line(outa, 2, la, sizeof la),
					    line(outb, 2, lb, sizeof lb)) != 0 &&
		 strncmp(la, "uts:[", 5) == 0 && strncmp(lb, "uts:[", 5) == 0,
		 "server %s, client %s", la, lb);

	/* a user namespace of its own cannot enter another's network */
	base_spec(&sb, client);
	sb.namespaces |= NS_BIT(NS_USER);
	o = (struct sbx_launch_opts)SBX_LAUNCH_OPTS_INIT;
	o.join_pidfd = 0;   /* any fd: refused before it is used */
	o.join_ns = NS_BIT(NS_NET) | NS_BIT(NS_IPC);
	t_report("join-net-userns-refused", start(&sb, &o, &b, &e) < 0 &&
		 strstr(e.msg, "user namespace"), "%s", e.msg);
}

/* A command in a running service (ExecReload= and co.), asynchronously as
 * PID 1 does it: the handover (end() returns 2 with the command's pid),
 * then EOF. The command must see the service's /tmp, hostname and pid
 * namespace, and run as the unit's uid with its caps and no_new_privs;
 * the caller reaps it and gets its status. */
static void test_join_exec_one(bool userns)
{
	static const char *svc[] = { BB, "sh", "-c",
		"echo marker > /tmp/m; echo ready; exec " BB " sleep 30", NULL };
	static const char *cmd[] = { BB, "sh", "-c",
		BB " cat /tmp/m; " BB " hostname; " BB " tr '\\0' ' ' </proc/1/cmdline; echo; echo $$; " BB " id -u; "
		BB " grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status; "
		BB " cat /proc/self/uid_map; exit 7", NULL };
	const char *pfx = userns ? "join-exec-userns" : "join-exec";
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_launch l;
	struct sbx_child a, c;
	struct spec sa, sc;
	struct err e = { 0 };
	char outa[256] = "", out[2048] = "", name[64], want[512], path[64], st[4096] = "";
	pid_t relay = -1;
	int rc = 1, code, twos = 0, fd;
	ssize_t n;

	base_spec(&sa, svc);
	sa.hostname = "svc";
	sa.uid = sa.gid = 1000;
	if (userns)
		sa.namespaces |= NS_BIT(NS_USER);
	if (start(&sa, &o, &a, &e) < 0) {
		t_report(pfx, false, "launch the service: %s", e.msg);
		return;
	}
	read_lines(a.stdio[1], outa, sizeof outa, 1);

	sc = sa;
	sc.args.v = cmd;
	sc.args.n = 3;
	o = (struct sbx_launch_opts)SBX_LAUNCH_OPTS_INIT;
	o.stdio[0] = SBX_STDIO_NULL;
	o.stdio[1] = SBX_STDIO_PIPE;
	o.join_pidfd = a.pidfd;
	o.join_ns = sa.namespaces;
	if (sbx_launch_begin(&sc, &o, &l, &e) < 0) {
		t_report(pfx, false, "begin: %s", e.msg);
		goto out;
	}
	relay = l.pid;
	for (int i = 0; i < 100 && rc >= 1; i++) {
		struct pollfd p = { .fd = l.sock, .events = POLLIN };

		if (poll(&p, 1, 100) == 1 && (rc = sbx_launch_end(&l, &c, &e)) == 2)
			twos++;
	}
	if (rc != 0) {
		t_report(pfx, false, "end: %d %s", rc, e.msg);
		if (rc >= 1)
			sbx_launch_abort(&l);
		waitpid(relay, NULL, 0);
		goto out;
	}
	snprintf(name, sizeof name, "%s-handover", pfx);
	t_report(name, twos == 1 && c.pid > 0 && c.pid != relay && c.main_pid == c.pid,
		 "end() returned 2 %d times, command %d, relay %d, main_pid %d", twos,
		 (int)c.pid, (int)relay, (int)c.main_pid);
	/* the relay exits 0 by itself; end() may have reaped it already */
	{
		int rst = 0;

		snprintf(name, sizeof name, "%s-relay-exits", pfx);
		t_report(name, l.relay_pid == 0 || (waitpid(l.relay_pid, &rst, 0) == l.relay_pid &&
						    WIFEXITED(rst) && WEXITSTATUS(rst) == 0),
			 "relay %d status %#x", (int)l.relay_pid, rst);
	}
	code = finish(&c, out, sizeof out);
	snprintf(name, sizeof name, "%s-status", pfx);
	CHECK_INT(name, code, 7);

	/* what the service's main process has, seen from the host */
	snprintf(path, sizeof path, "/proc/%d/status", (int)a.pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, st, sizeof st - 1);
		st[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	{
		const char *eff = strstr(st, "CapEff:"), *bnd = strstr(st, "CapBnd:");
		const char *nnp = strstr(st, "NoNewPrivs:");

		snprintf(want, sizeof want, "marker\nsvc\n" BB " sleep 30 \n");
		snprintf(name, sizeof name, "%s-sees-service", pfx);
		t_report(name, strncmp(out, want, strlen(want)) == 0,
			 "want /tmp/m, hostname and pid 1 of the service, got: %s", out);
		snprintf(name, sizeof name, "%s-pidns", pfx);
		{
			char l4[32];
			int inner = atoi(line(out, 3, l4, sizeof l4));

			t_report(name, inner > 1 && inner != (int)c.pid, "pid in the service's "
				 "namespace %d (host %d)", inner, (int)c.pid);
		}
		snprintf(name, sizeof name, "%s-creds", pfx);
		{
			const char *at = strstr(out, "1000\n");

			/* grep prints in the file's order: CapEff, CapBnd, NoNewPrivs */
			snprintf(want, sizeof want, "1000\n%.*s%.*s%.*s",
				 eff ? (int)strcspn(eff, "\n") + 1 : 0, eff ? eff : "",
				 bnd ? (int)strcspn(bnd, "\n") + 1 : 0, bnd ? bnd : "",
				 nnp ? (int)strcspn(nnp, "\n") + 1 : 0, nnp ? nnp : "");
			t_report(name, eff && nnp && at && strncmp(at, want, strlen(want)) == 0,
				 "want the service's uid, caps and no_new_privs:\n%s\ngot:\n%s",
				 want, at ? at : out);
		}
	}
	/* in the service's user namespace: its 0..65535 map; else the
	 * host's whole range */
	snprintf(name, sizeof name, "%s-userns", pfx);
	t_report(name, (strstr(out, "65536") != NULL) == userns, "uid_map in the command: %s", out);
out:
	kill(a.pid, SIGKILL);
	finish(&a, outa, sizeof outa);
}

/* review11: the service kills the joined command as soon as it appears in
 * its pid namespace, and the caller (reaping every child, as PID 1) reaps
 * it as a stranger before it reads the handover. The launch must fail
 * then: a handover of a reaped pid would be waited for forever and, once
 * the pid is reused, signalled by number. */
static void test_join_exec_dead(void)
{
	static const char *svc[] = { BB, "sh", "-c", "echo ready; exec " BB " sleep 30", NULL };
	static const char *cmd[] = { BB, "true", NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_launch l;
	struct sbx_child a, c;
	struct spec sa, sc;
	struct err e = { 0 };
	char outa[64] = "", path[64], kids[256] = "";
	struct pollfd p;
	pid_t victim = 0, relay;
	int rc = 1, fd, st;

	base_spec(&sa, svc);
	if (start(&sa, &o, &a, &e) < 0) {
		t_report("join-exec-dead", false, "launch the service: %s", e.msg);
		return;
	}
	read_lines(a.stdio[1], outa, sizeof outa, 1);
	sc = sa;
	sc.args.v = cmd;
	sc.args.n = 2;
	o = (struct sbx_launch_opts)SBX_LAUNCH_OPTS_INIT;
	o.stdio[0] = SBX_STDIO_NULL;
	o.join_pidfd = a.pidfd;
	o.join_ns = sa.namespaces;
	if (sbx_launch_begin(&sc, &o, &l, &e) < 0) {
		t_report("join-exec-dead", false, "begin: %s", e.msg);
		goto out;
	}
	relay = l.pid;
	p = (struct pollfd){ .fd = l.sock, .events = POLLIN };
	poll(&p, 1, 10000);   /* the handover is in the socket */
	/* the command: our child that is neither the service nor the relay */
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		ssize_t n = read(fd, kids, sizeof kids - 1);

		kids[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	for (char *t = strtok(kids, " \n"); t; t = strtok(NULL, " \n"))
		if (atoi(t) != a.pid && atoi(t) != relay)
			victim = atoi(t);
	if (victim <= 0) {
		t_report("join-exec-dead", false, "no command among our children: %s", kids);
		sbx_launch_abort(&l);
		goto out;
	}
	kill(victim, SIGKILL);
	waitpid(victim, &st, 0);   /* reaped as a stranger */
	for (int i = 0; i < 100 && rc >= 1; i++) {
		p = (struct pollfd){ .fd = l.sock, .events = POLLIN };
		if (poll(&p, 1, 100) == 1)
			rc = sbx_launch_end(&l, &c, &e);
	}
	t_report("join-exec-dead", rc < 0, "end() returned %d (pid %d) for a command %d "
		 "already reaped: %s", rc, rc == 0 ? (int)c.pid : 0, (int)victim, e.msg);
	if (rc == 0 && c.pidfd >= 0)
		close(c.pidfd);
	if (rc >= 1)
		sbx_launch_abort(&l);
	waitpid(relay, NULL, 0);
out:
	kill(a.pid, SIGKILL);
	finish(&a, outa, sizeof outa);
}

/* A join given up before the handover was acked (the caller's timer):
 * the relay is killed, and the command it made must exit without running
 * anything (it waits for the relay's go). */
static void test_join_exec_abort(void)
{
	static const char *svc[] = { BB, "sh", "-c", "echo ready; exec " BB " sleep 30", NULL };
	static char mark[] = "/var/tmp/sbx-join-abort.XXXXXX";
	const char *cmd[] = { BB, "touch", mark, NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_launch l;
	struct sbx_child a;
	struct spec sa, sc;
	struct err e = { 0 };
	char outa[64] = "";
	struct pollfd p;
	int fd = mkstemp(mark), st, seen = 0, cmd_code = -1;
	pid_t w;

	if (fd < 0) {
		t_report("join-exec-abort", false, "mkstemp: %s", strerror(errno));
		return;
	}
	close(fd);
	unlink(mark);
	base_spec(&sa, svc);
	if (start(&sa, &o, &a, &e) < 0) {
		t_report("join-exec-abort", false, "launch the service: %s", e.msg);
		return;
	}
	read_lines(a.stdio[1], outa, sizeof outa, 1);
	sc = sa;
	sc.args.v = cmd;
	sc.args.n = 3;
	o = (struct sbx_launch_opts)SBX_LAUNCH_OPTS_INIT;
	o.stdio[0] = SBX_STDIO_NULL;
	o.join_pidfd = a.pidfd;
	o.join_ns = sa.namespaces;
	if (sbx_launch_begin(&sc, &o, &l, &e) < 0) {
		t_report("join-exec-abort", false, "begin: %s", e.msg);
		goto out;
	}
	/* the handover is in the socket: give up without reading it */
	p = (struct pollfd){ .fd = l.sock, .events = POLLIN };
	poll(&p, 1, 10000);
	sbx_launch_abort(&l);
	/* the relay and the command are both our children now */
	for (int i = 0; i < 2; i++) {
		w = waitpid(-1, &st, __WALL);
		if (w < 0)
			break;
		if (w == a.pid) {   /* not expected: the service */
			i--;
			continue;
		}
		seen++;
		if (w != l.pid)
			cmd_code = sbx_exit_code(st);
	}
	t_report("join-exec-abort", seen == 2 && cmd_code == SBX_EXIT_SETUP &&
		 access(mark, F_OK) < 0, "children reaped %d, the command's code %d, %s %s",
		 seen, cmd_code, mark, access(mark, F_OK) == 0 ? "exists: it ran" : "absent");
	unlink(mark);
out:
	kill(a.pid, SIGKILL);
	finish(&a, outa, sizeof outa);
}

/* A unit without a mount namespace: a join of its pid namespace is still
 * a command in the running service (relay, its pid and uts namespaces). */
static void test_join_exec_nomount(void)
{
	static const char *svc[] = { BB, "sh", "-c", "echo ready; exec " BB " sleep 30", NULL };
	static const char *cmd[] = { BB, "sh", "-c", "echo $$; " BB " hostname", NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_child a, c;
	struct spec sa, sc;
	struct err e = { 0 };
	char outa[64] = "", out[256] = "";
	int code;

	base_spec(&sa, svc);
	sa.namespaces &= ~NS_BIT(NS_MOUNT);
	sa.hostname = "svc";
	if (start(&sa, &o, &a, &e) < 0) {
		t_report("join-exec-nomount", false, "launch the service: %s", e.msg);
		return;
	}
	read_lines(a.stdio[1], outa, sizeof outa, 1);
	sc = sa;
	sc.args.v = cmd;
	sc.args.n = 3;
	o = (struct sbx_launch_opts)SBX_LAUNCH_OPTS_INIT;
	o.join_pidfd = a.pidfd;
	o.join_ns = sa.namespaces;
	if (start(&sc, &o, &c, &e) < 0) {
		t_report("join-exec-nomount", false, "launch the command: %s", e.msg);
	} else {
		code = finish(&c, out, sizeof out);
		t_report("join-exec-nomount", code == 0 && atoi(out) > 1 && atoi(out) < 100 &&
			 strstr(out, "\nsvc\n"), "code %d: %s", code, out);
	}
	kill(a.pid, SIGKILL);
	finish(&a, outa, sizeof outa);
}

/* The command runs under the unit's filter: compiled by the caller while
 * the relay sets up (sbx_launch without a compiled filter), read by the
 * relay before it clones the command. uname is denied with EPERM (the
 * same command without the filter prints the hostname, "t"). */
static void test_join_exec_filter(void)
{
#if CONFIG_SECCOMP
	static const char *svc[] = { BB, "sh", "-c", "echo ready; exec " BB " sleep 30", NULL };
	static const char *cmd[] = { BB, "sh", "-c", BB " uname -n; echo rc=$?", NULL };
	static const char *deny[] = { "uname", NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_child a, c;
	struct spec sa, sc;
	struct err e = { 0 };
	char outa[64] = "", out[256] = "";
	int code;

	base_spec(&sa, svc);
	if (start(&sa, &o, &a, &e) < 0) {
		t_report("join-exec-filter", false, "launch the service: %s", e.msg);
		return;
	}
	read_lines(a.stdio[1], outa, sizeof outa, 1);
	sc = sa;
	sc.args.v = cmd;
	sc.args.n = 3;
	sc.seccomp.enabled = true;
	sc.seccomp.errnum = EPERM;
	sc.seccomp.names.v = deny;
	sc.seccomp.names.n = 1;
	o = (struct sbx_launch_opts)SBX_LAUNCH_OPTS_INIT;
	o.join_pidfd = a.pidfd;
	o.join_ns = sa.namespaces;
	if (start(&sc, &o, &c, &e) < 0) {
		t_report("join-exec-filter", false, "launch the command: %s", e.msg);
	} else {
		code = finish(&c, out, sizeof out);
		/* busybox prints the zeroed name uname(2) did not fill */
		t_report("join-exec-filter", code == 0 && strcmp(out, "\nrc=0\n") == 0,
			 "want an empty nodename, got code %d: %s", code, out);
	}
	kill(a.pid, SIGKILL);
	finish(&a, outa, sizeof outa);
#else
	t_skip("join-exec-filter", "a build without CONFIG_SECCOMP");
#endif
}

static void test_join_exec(void)
{
	test_join_exec_one(false);
	test_join_exec_one(true);
	test_join_exec_abort();
	test_join_exec_dead();
	test_join_exec_nomount();
	test_join_exec_filter();
}

/* NetworkNamespacePath=: a named namespace (ip netns add) is entered, its
 * lo left as it is; anything else is refused. */
static void test_netns_path(void)
{
	static const char *argv[] = { BB, "sh", "-c",
		BB " readlink /proc/self/ns/net; " BB " ip link show lo", NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_child c;
	struct spec s;
	struct err e = { 0 };
	char out[1024] = "", cmd[128], path[64], want[64];
	struct stat st;
	int code;

	snprintf(path, sizeof path, "/run/netns/sbx-test-%d", (int)getpid());
	snprintf(cmd, sizeof cmd, "ip netns add sbx-test-%d 2>&1", (int)getpid());
	if (system(cmd) != 0 || stat(path, &st) < 0) {
		t_skip("netns-path", "ip netns add does not work here");
		return;
	}
	base_spec(&s, argv);
	s.netns_path = path;
	if (start(&s, &o, &c, &e) < 0) {
		t_report("netns-path", false, "launch: %s", e.msg);
	} else {
		code = finish(&c, out, sizeof out);
		snprintf(want, sizeof want, "net:[%lu]\n", (unsigned long)st.st_ino);
		t_report("netns-path", code == 0 && strncmp(out, want, strlen(want)) == 0,
			 "want %s got code %d: %s", want, code, out);
		t_report("netns-path-lo-untouched", strstr(out, "<LOOPBACK>") != NULL,
			 "lo of a named namespace is its owner's: %s", out);
	}
	snprintf(cmd, sizeof cmd, "ip netns del sbx-test-%d", (int)getpid());
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", path);

	s.netns_path = "/etc/passwd";
	t_report("netns-path-not-netns", start(&s, &o, &c, &e) < 0 &&
		 strstr(e.msg, "not a network namespace") && c.exit_code == SBX_EXIT_SETUP,
		 "%s", e.msg);
	/* a magic link: the pid behind it could be anyone's by now */
	s.netns_path = "/proc/self/ns/net";
	t_report("netns-path-no-magiclink", start(&s, &o, &c, &e) < 0 && e.errnum == ELOOP,
		 "%s", e.msg);
}

/* The main pid: the service's host pid, reported by the service itself
 * before execve (SCM_CREDENTIALS). With Init= it is the reaper's child;
 * killing it ends the reaper with its status. */
static void test_main_pid(void)
{
	static const char *argv[] = { BB, "sh", "-c", "echo $$; exec " BB " sleep 30", NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_child c;
	struct spec s;
	struct err e = { 0 };
	char out[256], path[64], st[4096], want[64];
	int code, fd;
	ssize_t n;

	for (int init = 0; init < 2; init++) {
		const char *name = init ? "main-pid-init" : "main-pid";

		base_spec(&s, argv);
		s.init = init;
		out[0] = '\0';
		if (start(&s, &o, &c, &e) < 0) {
			t_report(name, false, "launch: %s", e.msg);
			continue;
		}
		read_lines(c.stdio[1], out, sizeof out, 1);
		st[0] = '\0';
		snprintf(path, sizeof path, "/proc/%d/status", (int)c.main_pid);
		if (c.main_pid > 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, st, sizeof st - 1);
			st[n > 0 ? n : 0] = '\0';
			close(fd);
		}
		/* the kernel's own view: host pid, then the pid inside */
		snprintf(want, sizeof want, "NSpid:\t%d\t%d\n", (int)c.main_pid, atoi(out));
		if (init) {
			char ppid[32];

			snprintf(ppid, sizeof ppid, "PPid:\t%d\n", (int)c.pid);
			t_report(name, c.main_pid != c.pid && strstr(st, want) && strstr(st, ppid) &&
				 atoi(out) == 2, "main %d reaper %d, service says %s: %s",
				 (int)c.main_pid, (int)c.pid, out, st);
		} else {
			t_report(name, c.main_pid == c.pid && strstr(st, want) && atoi(out) == 1,
				 "main %d pid %d, service says %s", (int)c.main_pid, (int)c.pid, out);
		}
		kill(c.main_pid > 0 ? c.main_pid : c.pid, SIGTERM);
		code = finish(&c, out, sizeof out);
		if (init)
			CHECK_INT("main-pid-init-killed-reaper-status", code, 128 + SIGTERM);
	}
}

/* The host pid of a child of parent (a scan of /proc), or -1. */
static pid_t child_of(pid_t parent)
{
	char want[32], path[64], st[2048];

	snprintf(want, sizeof want, "\nPPid:\t%d\n", (int)parent);
	for (pid_t p = 2; p < 4194304; p++) {
		int fd;
		ssize_t n;

		snprintf(path, sizeof path, "/proc/%d/status", (int)p);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, st, sizeof st - 1);
		close(fd);
		st[n > 0 ? n : 0] = '\0';
		if (strstr(st, want))
			return p;
	}
	return -1;
}

/* Whether pid is alive and not a zombie. */
static bool alive(pid_t pid)
{
	char path[64], st[512];
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, st, sizeof st - 1);
	close(fd);
	st[n > 0 ? n : 0] = '\0';
	return n > 0 && !strstr(st, "State:\tZ");
}

/* Type=forking with Init=: a shell backgrounds a sleep and exits 0. The
 * channel says 0, the reaper stays; once the sleep is killed (by pid, or
 * by the reaper forwarding a SIGTERM to every process of the namespace)
 * the reaper exits with the sleep's status. */
static void test_forking(void)
{
	static const char *argv[] = { BB, "sh", "-c", BB " sleep 30 & exit 0", NULL };
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_child c;
	struct spec s;
	struct err e = { 0 };
	char out[64];

	for (int how = 0; how < 2; how++) {
		const char *pfx = how ? "forking-term-reaper" : "forking-kill-daemon";
		char name[64];
		struct pollfd p;
		int st = -1, code;
		pid_t daemon = -1;
		ssize_t n = -1;

		base_spec(&s, argv);
		s.type = SERVICE_FORKING;
		s.init = 1;
		if (start(&s, &o, &c, &e) < 0) {
			t_report(pfx, false, "launch: %s", e.msg);
			return;
		}
		p = (struct pollfd){ .fd = c.reaper_fd, .events = POLLIN };
		if (c.reaper_fd >= 0 && poll(&p, 1, 10000) == 1)
			n = read(c.reaper_fd, &st, sizeof st);
		snprintf(name, sizeof name, "%s-channel", pfx);
		t_report(name, n == (ssize_t)sizeof st && WIFEXITED(st) && WEXITSTATUS(st) == 0,
			 "fd %d, read %zd, status %#x", c.reaper_fd, n, st);
		/* the record comes before the reaper goes on reaping */
		snprintf(name, sizeof name, "%s-reaper-stays", pfx);
		daemon = child_of(c.pid);
		t_report(name, alive(c.pid) && daemon > 0 && alive(daemon),
			 "reaper %d alive %d, its child %d", (int)c.pid, alive(c.pid), (int)daemon);
		if (how == 0 && daemon > 0)
			kill(daemon, SIGTERM);
		else
			kill(c.pid, SIGTERM);
		p = (struct pollfd){ .fd = c.pidfd, .events = POLLIN };
		if (poll(&p, 1, 10000) != 1)
			kill(c.pid, SIGKILL);
		if (c.reaper_fd >= 0)
			close(c.reaper_fd);
		out[0] = '\0';
		code = finish(&c, out, sizeof out);
		snprintf(name, sizeof name, "%s-reaper-exit", pfx);
		CHECK_INT(name, code, 128 + SIGTERM);
	}

	/* not forking: no channel */
	base_spec(&s, argv);
	s.init = 1;
	if (start(&s, &o, &c, &e) == 0) {
		t_report("forking-no-channel-otherwise", c.reaper_fd == -1, "fd %d", c.reaper_fd);
		finish(&c, out, sizeof out);
	}
	/* forking in a pid namespace without the reaper: refused */
	base_spec(&s, argv);
	s.type = SERVICE_FORKING;
	t_report("forking-needs-init", start(&s, &o, &c, &e) < 0 && strstr(e.msg, "Init=yes"),
		 "%s", e.msg);
}

/* --live, in the QEMU guest only (it writes /sys/fs/cgroup): a command
 * in a running service is in the unit's cgroup (the relay was cloned into
 * it, the command inherits it), as the service is. */
static void test_join_cgroup_live(void)
{
	static const char *svc[] = { BB, "sh", "-c",
		BB " cat /proc/self/cgroup; exec " BB " sleep 30", NULL };
	static const char *cmd[] = { BB, "sh", "-c", BB " cat /proc/self/cgroup", NULL };
	static const char dir[] = "/sys/fs/cgroup/sbx-join-test";
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_child a, c;
	struct spec sa, sc;
	struct err e = { 0 };
	char outa[128] = "", out[256] = "";
	int cg, code;

	if (access("/tests/guest-init", F_OK) < 0) {
		t_report("join-cgroup-live", false, "not in the QEMU guest: refusing to write cgroups");
		return;
	}
	rmdir(dir);
	if (mkdir(dir, 0755) < 0 || (cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		t_report("join-cgroup-live", false, "make %s: %s", dir, strerror(errno));
		return;
	}
	base_spec(&sa, svc);
	o.cgroup_fd = cg;
	if (start(&sa, &o, &a, &e) < 0) {
		t_report("join-cgroup-live", false, "launch the service: %s", e.msg);
		goto out;
	}
	read_lines(a.stdio[1], outa, sizeof outa, 1);
	sc = sa;
	sc.args.v = cmd;
	sc.args.n = 3;
	o = (struct sbx_launch_opts)SBX_LAUNCH_OPTS_INIT;
	o.cgroup_fd = cg;
	o.join_pidfd = a.pidfd;
	o.join_ns = sa.namespaces;
	if (start(&sc, &o, &c, &e) < 0) {
		t_report("join-cgroup-live", false, "launch the command: %s", e.msg);
	} else {
		code = finish(&c, out, sizeof out);
		t_report("join-cgroup-live", code == 0 && strcmp(out, "0::/sbx-join-test\n") == 0 &&
			 strcmp(outa, out) == 0, "code %d, the service's %s, the command's %s",
			 code, outa, out);
	}
	kill(a.pid, SIGKILL);
	finish(&a, outa, sizeof outa);
out:
	close(cg);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	if (geteuid() != 0 || access(BB, X_OK) < 0) {
		t_skip("join", "needs root and busybox-static");
		return t_exit();
	}
	if (argc > 1 && strcmp(argv[1], "--live") == 0) {
		test_join_cgroup_live();
		return t_exit();
	}
	qu_need(QU_CLONE3);
	test_lo();
	test_join_net();
	test_join_exec();
	test_netns_path();
	test_main_pid();
	test_forking();
	qu_done();
	return t_exit();
}
