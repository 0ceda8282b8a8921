/* review11 (rev-sock): PID 1 must never signal a main pid it could not pin
 * with a pidfd. MAINPID= and PIDFile= name a process of the unit that PID 1
 * checks, then opens a pidfd on; if the process is gone by then (it exited
 * and was reaped by its parent in the unit), pidfd_open fails and the pid
 * number is free: a host process may get it, and `sandboxctl kill`, a
 * KillMode=process/mixed stop or ReloadSignal= must not reach that one.
 * Shown in a pid namespace of the test's own, where ns_last_pid makes the
 * reuse happen on demand. Needs root (else a skip). The second check:
 * the pid is checked again once PID 1 holds its pidfd. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "qemu_user.h"
#include "init/mainpid.h"
#include "init/sup.h"
#include "init/sup_int.h"
#include "init/svc.h"

static int set_last_pid(pid_t p)
{
	char b[24];
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -1;
	n = snprintf(b, sizeof b, "%d", (int)p);
	n = write(fd, b, (size_t)n) == n ? 0 : -1;
	close(fd);
	return n;
}

/* In the new pid namespace (we are its init): 0 when the stale pid was
 * not signalled, 1 when the stand-in host process was, 2: setup failed. */
static int in_ns(void)
{
	static struct svc s;
	static struct svc_run r;
	pid_t gone, victim;
	int st;

	s.pidfd = -1;
	s.pid = 1;   /* the launched process: some other pid */
	r.main_pidfd = -1;
	s.run = &r;
	if ((gone = fork()) == 0)
		_exit(0);
	if (gone < 0 || waitpid(gone, &st, 0) != gone)
		return 2;
	/* what MAINPID= named, checked, then gone before its pidfd */
	sup_main_pid_set(NULL, &s, gone);
	if (set_last_pid(gone - 1) < 0)
		return 2;
	if ((victim = fork()) == 0) {
		pause();
		_exit(0);
	}
	if (victim != gone) {
		kill(victim, SIGKILL);
		return 2;
	}
	/* sandboxctl kill UNIT: the main pid */
	sup_signal_main(&s, SIGTERM);
	usleep(200 * 1000);
	if (waitpid(victim, &st, WNOHANG) == victim)
		return WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM ? 1 : 2;
	kill(victim, SIGKILL);
	waitpid(victim, &st, 0);
	return 0;
}

/* The race itself: MAINPID= named G, a child of the unit's process U,
 * checked; G exits and U reaps it; a host process V gets G's number; only
 * then does PID 1 hold a pidfd (sup_main_pid_found). It must not take V
 * as the unit's main pid. 0: V was not taken, 1: it was, 2: setup. */
static int in_ns_race(void)
{
	static struct sup sv = { .run_dir = "/nonexistent-review11" };
	static struct svc s;
	static struct svc_run r;
	int p[2], st, rc;
	pid_t u, g = 0, v;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", 0, NULL) < 0 || pipe(p) < 0) {
		perror("review11-mainpid-recheck: namespace setup");
		return 2;
	}
	if ((u = fork()) == 0) {
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		waitpid(c, NULL, 0);
		if (write(p[1], &c, sizeof c) != sizeof c)
			_exit(1);
		pause();
		_exit(0);
	}
	if (u < 0 || read(p[0], &g, sizeof g) != sizeof g)
		return 2;
	if (set_last_pid(g - 1) < 0)
		return 2;
	if ((v = fork()) == 0) {
		pause();
		_exit(0);
	}
	if (v != g) {
		fprintf(stderr, "review11-mainpid-recheck: pid %d, not %d\n", (int)v, (int)g);
		kill(v, SIGKILL);
		kill(u, SIGKILL);
		return 2;
	}
	strcpy(s.name, "r11");
	s.state = SVC_RUNNING;
	s.pid = u;
	s.pidfd = -1;
	r.main_pidfd = -1;
	s.run = &r;
	sup_main_pid_found(&sv, &s, g, NULL);
	rc = s.main_pid == v ? 1 : 0;
	kill(v, SIGKILL);
	kill(u, SIGKILL);
	waitpid(v, &st, 0);
	waitpid(u, &st, 0);
	return rc;
}

/* Leave without the exit handlers: after unshare(CLONE_NEWPID) the ASan
 * build's LeakSanitizer cannot stop the world (its tracer would be born in
 * the new pid namespace) and fails the run; leaks are the other tests' job. */
static _Noreturn void leave(void)
{
	int r = t_exit();

	fflush(NULL);
	_exit(r);
}

int main(void)
{
	pid_t c;
	int st, a, b;

	/* under qemu-user, the pids this test makes land elsewhere (seen:
	 * pid 3 where 2 was due) and the run hung until its timeout */
	if (qu_refuses(QU_PID_REUSE)) {
		t_skip("review11-mainpid-stale", qu_why(QU_PID_REUSE));
		t_skip("review11-mainpid-recheck", qu_why(QU_PID_REUSE));
		return t_exit();
	}
	if (geteuid() != 0 || unshare(CLONE_NEWPID) < 0) {
		t_skip("review11-mainpid-stale", "needs root and a pid namespace");
		return t_exit();
	}
	/* one init for the namespace: both cases run in it */
	if ((c = fork()) == 0) {
		a = in_ns();
		b = in_ns_race();
		_exit(a * 4 + b);
	}
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st)) {
		t_skip("review11-mainpid-stale", "could not set up the pid reuse");
		leave();
	}
	a = WEXITSTATUS(st) / 4;
	b = WEXITSTATUS(st) % 4;
	if (a == 2)
		t_skip("review11-mainpid-stale", "could not set up the pid reuse");
	else
		t_report("review11-mainpid-stale", a == 0,
			 "a main pid PID 1 could not open a pidfd on was signalled by number: "
			 "the process that got the pid next was killed");
	if (b == 2)
		t_skip("review11-mainpid-recheck", "could not set up the pid reuse");
	else
		t_report("review11-mainpid-recheck", b == 0,
			 "a main pid that ended between its check and its pidfd was replaced "
			 "by the process that got its number, outside the unit");
	leave();
}
