#include "reaper.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static _Noreturn void reap(pid_t service, const sigset_t *set)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);

		if (sig < 0)
			continue;   /* EINTR (SIGCONT after SIGSTOP) */
		if (sig != SIGCHLD) {
			kill(service, sig);
			continue;
		}
		for (;;) {
			int st;
			pid_t p = waitpid(-1, &st, WNOHANG);

			if (p <= 0)
				break;
			/* Leaving now lets the kernel kill what is left of the
			 * pid namespace with its init. */
			if (p == service)
				_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		}
	}
}

int sbx_reaper_start(struct step_fail *f)
{
	sigset_t set;
	pid_t pid;

	/* Blocked before the fork so none arrives in between; sigwaitinfo
	 * picks them up. As a namespace's init the reaper would otherwise
	 * drop signals it has no handler for. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(&set, forwarded[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return step_failed(f, "block signals in the reaper", NULL, errno);
	/* Without a pid namespace (not the parser's default), orphans still
	 * come to us rather than to the host's init. */
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return step_failed(f, "become a subreaper", NULL, errno);

	/* A raw fork: the process is itself a raw clone3 child, whose libc
	 * thread bookkeeping is stale; fork() has no business with it. */
	pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return step_failed(f, "fork the service", NULL, errno);
	if (pid == 0)
		return 0;

	/* Nothing of ours stays open in the sandbox: the launch pipe (so the
	 * parent sees EOF when the service execs), cgroup and rootfs fds. */
	syscall(SYS_close_range, 3u, ~0u, 0u);
	if (chdir("/") < 0) {
		/* the root is always there */
	}
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	reap(pid, &set);
}
