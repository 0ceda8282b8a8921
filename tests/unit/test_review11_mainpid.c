/* review11 (rev-sock): PID 1 must never signal a main pid it could not pin
 * with a pidfd. MAINPID= and PIDFile= name a process of the unit that PID 1
 * checks, then opens a pidfd on; if the process is gone by then (it exited
 * and was reaped by its parent in the unit), pidfd_open fails and the pid
 * number is free: a host process may get it, and `sandboxctl kill`, a
 * KillMode=process/mixed stop or ReloadSignal= must not reach that one.
 * Shown in a pid namespace of the test's own, where ns_last_pid makes the
 * reuse happen on demand. Needs root (else a skip). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
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

int main(void)
{
	pid_t c;
	int st;

	if (geteuid() != 0 || unshare(CLONE_NEWPID) < 0) {
		t_skip("review11-mainpid-stale", "needs root and a pid namespace");
		return t_exit();
	}
	if ((c = fork()) == 0)
		_exit(in_ns());
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) == 2) {
		t_skip("review11-mainpid-stale", "could not set up the pid reuse");
		return t_exit();
	}
	t_report("review11-mainpid-stale", WEXITSTATUS(st) == 0,
		 "a main pid PID 1 could not open a pidfd on was signalled by number: "
		 "the process that got the pid next was killed");
	return t_exit();
}
