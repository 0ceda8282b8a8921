#include "reaper.h"

#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

#if defined(__x86_64__)
#define REAPER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define REAPER_ARCH AUDIT_ARCH_AARCH64
#elif defined(__arm__)
#define REAPER_ARCH AUDIT_ARCH_ARM
#elif defined(__i386__)
#define REAPER_ARCH AUDIT_ARCH_I386
#endif

#ifdef SYS_rt_sigtimedwait
#define SBX_SYS_SIGTIMEDWAIT SYS_rt_sigtimedwait
#else
#define SBX_SYS_SIGTIMEDWAIT SYS_rt_sigtimedwait_time64
#endif

#define ALLOW(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* The channel's fd in the reaper (Type=forking): the launch socket's
 * number, taken over once the socket is closed. */
#define REAPER_CHAN_FD 3

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LO offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LO (offsetof(struct seccomp_data, args[0]) + 4)
#endif

/* The reaper's own filter: the calls reap() makes, nothing else, on the
 * native architecture only (an x32 number has bit 30 set and matches none).
 * The reaper is sandboxd's code with the unit's capabilities; a unit given
 * CAP_SYS_PTRACE could otherwise inject calls into it (execve, unshare,
 * mount) that the service's own filter refuses. Raw BPF: no allocation in
 * the launch child, and the unit's profile need not allow wait4 or kill. */
static int reaper_filter(void)
{
#ifdef REAPER_ARCH
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, REAPER_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* write: the channel's one record, on its fd only */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LO),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, REAPER_CHAN_FD, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		ALLOW(SYS_close),
		ALLOW(SBX_SYS_SIGTIMEDWAIT),
		ALLOW(SYS_wait4),
		ALLOW(SYS_kill),
		ALLOW(SYS_exit_group),
		ALLOW(SYS_exit),
		ALLOW(SYS_rt_sigreturn),
		ALLOW(SYS_restart_syscall),
		/* asks only where signals would run; a sanitizer's noreturn
		 * hook calls it before reap() */
		ALLOW(SYS_sigaltstack),
		/* the last step before reaping: it lets the service go */
		ALLOW(SYS_close_range),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog fp = { .len = sizeof prog / sizeof prog[0], .filter = prog };

	/* it execs nothing: no_new_privs costs it nothing */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
		return errno == EINVAL ? 0 : -1;   /* a kernel without seccomp */
#endif
	return 0;
}

static int code_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Raw system calls only: exactly the ones reaper_filter() allows, whatever
 * a libc wrapper (or a sanitizer's interceptor) would add. chan: forking
 * mode (reaper.h), else -1. */
static _Noreturn void reap(pid_t service, const sigset_t *set, int chan, bool pidns)
{
	bool started = true;   /* the service (forking: the started process) lives */
	int last = 0;

	for (;;) {
		siginfo_t si;
		long sig = syscall(SBX_SYS_SIGTIMEDWAIT, set, &si, NULL, _NSIG / 8);

		if (sig < 0)
			continue;   /* EINTR (SIGCONT after SIGSTOP) */
		if (sig != SIGCHLD) {
			if (started)
				syscall(SYS_kill, service, (int)sig);
			else if (pidns)
				syscall(SYS_kill, -1, (int)sig);   /* all but us */
			continue;
		}
		for (;;) {
			int st;
			long p = syscall(SYS_wait4, -1, &st, WNOHANG, NULL);

			if (p == 0)
				break;
			if (p < 0) {
				/* ECHILD: nobody left (forking mode only: before,
				 * the started process was our child) */
				if (!started)
					syscall(SYS_exit_group, code_of(last));
				break;
			}
			last = st;
			if (p != service)
				continue;
			/* Leaving now lets the kernel kill what is left of the
			 * pid namespace with its init. */
			if (chan < 0)
				syscall(SYS_exit_group, code_of(st));
			/* forking: the daemon carries on; the record is 4
			 * bytes on an empty non-blocking pipe */
			syscall(SYS_write, chan, &st, sizeof st);
			syscall(SYS_close, chan);
			chan = -1;
			started = false;
		}
	}
}

int sbx_reaper_start(int chan, struct step_fail *f)
{
	sigset_t set;
	pid_t pid;
	bool pidns;

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
	pidns = getpid() == 1;
	if (!pidns && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return step_failed(f, "become a subreaper", NULL, errno);

	/* The service waits on this pipe until the reaper is non-dumpable
	 * and filtered: before that, a service with CAP_SYS_PTRACE could
	 * attach to it, and even a plain one could read its /proc files. */
	int gate[2];

	if (pipe2(gate, O_CLOEXEC) < 0)
		return step_failed(f, "create the reaper's gate", NULL, errno);
	/* A raw fork: the process is itself a raw clone3 child, whose libc
	 * thread bookkeeping is stale; fork() has no business with it. */
	pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		int err = errno;

		close(gate[0]);
		close(gate[1]);
		return step_failed(f, "fork the service", NULL, err);
	}
	if (pid == 0) {
		char c;
		ssize_t n;

		close(gate[1]);
		do   /* EOF: the reaper is ready; anything else cannot happen */
			n = read(gate[0], &c, 1);
		while (n < 0 && errno == EINTR);
		close(gate[0]);
		return 0;
	}

	if (chdir("/") < 0) {
		/* the root is always there */
	}
	/* the channel on the launch socket's number: the socket goes (the
	 * parent's EOF is the service's execve), the filter allows write
	 * on that fd alone */
	if (chan >= 0 && dup3(chan, REAPER_CHAN_FD, O_CLOEXEC) < 0) {
		kill(pid, SIGKILL);
		_exit(SBX_EXIT_SETUP);
	}
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (reaper_filter() < 0) {
		/* no sandbox without its reaper's filter: take the service down */
		kill(pid, SIGKILL);
		_exit(SBX_EXIT_SETUP);
	}
	/* Nothing of ours stays open in the sandbox: the launch socket (so
	 * the parent sees EOF when the service execs), cgroup and rootfs
	 * fds, and the gate, whose closing lets the service go on. */
	syscall(SYS_close_range, chan >= 0 ? REAPER_CHAN_FD + 1u : 3u, ~0u, 0u);
	reap(pid, &set, chan >= 0 ? REAPER_CHAN_FD : -1, pidns);
}
