/* The unit tests under qemu-user. `./build.sh test --arch aarch64|armhf`
 * runs them in qemu-aarch64-static / qemu-arm-static with SBX_QEMU_USER=1
 * in their environment; nothing else sets it. The emulator refuses some
 * system calls a real kernel has (Debian 12's QEMU 7.2 answers clone3 and
 * openat2 with ENOSYS) and fakes some /proc files: the checks that need
 * one of those are skipped there, and only there. A check is skipped when
 * both hold: SBX_QEMU_USER=1, and the emulator refuses the exact operation
 * (asked again here, with the errno it gives), so that a real kernel that
 * lacks the call still fails the check. Usage, around the checks:
 *
 *	qu_need(QU_CLONE3);
 *	... checks that launch ...
 *	qu_done();
 */
#ifndef SBX_TEST_QEMU_USER_H
#define SBX_TEST_QEMU_USER_H

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

enum qu_op {
	QU_CLONE3,	/* clone3(2): every launch */
	QU_OPENAT2,	/* openat2(2): RESOLVE_IN_ROOT lookups */
	QU_PROC_SELF,	/* /proc/self/smaps_rollup describes the emulator */
	QU_PID_REUSE,	/* pid numbers on demand in a pid namespace */
	QU_SECCOMP,	/* seccomp(2): loading a filter */
};

/* Where the skipped checks are made instead: the x86-64 suite on its own
 * kernel, and the arm64 QEMU tiers, which launch units on a real arm64
 * kernel. */
#define QU_ELSEWHERE "; made on a real kernel by ./build.sh test and, on arm64, by the QEMU tiers"

static inline bool qu_active(void)
{
	const char *v = getenv("SBX_QEMU_USER");

	return v && strcmp(v, "1") == 0;
}

/* In a new pid namespace, is the second process pid 2? On a kernel, yes;
 * under QEMU 7.2 a forked child gets 3 (the emulator starts a thread of
 * its own in every new process). 1 when it is not, 0 when it is or the
 * namespace cannot be made (then the test's own skip says why). */
static inline bool qu_pid_numbers_taken(void)
{
	pid_t c = fork(), w;
	int st;

	if (c == 0) {
		pid_t init, second;

		if (unshare(CLONE_NEWPID) < 0)
			_exit(0);
		init = fork();
		if (init == 0) {
			second = fork();
			if (second == 0)
				_exit(0);
			if (second > 0)
				waitpid(second, NULL, 0);
			_exit(second > 0 && second != 2 ? 1 : 0);
		}
		if (init < 0 || waitpid(init, &st, 0) != init)
			_exit(0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 0);
	}
	if (c < 0)
		return false;
	do
		w = waitpid(c, &st, 0);
	while (w < 0 && errno == EINTR);
	return w == c && WIFEXITED(st) && WEXITSTATUS(st) == 1;
}

/* True when the emulator refuses OP. A real kernel answers clone3 with a
 * NULL, zero-size argument EINVAL, and openat2 of "/" with an fd; QEMU 7.2
 * answers both ENOSYS. /proc/self's memory files cannot be asked exactly:
 * under qemu-user they are the emulator's own (its translated code grows
 * them), always. */
static inline bool qu_refuses(enum qu_op op)
{
	if (!qu_active())
		return false;
	switch (op) {
	case QU_CLONE3:
		return syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS;
	case QU_OPENAT2: {
		struct open_how how = { .flags = O_PATH | O_CLOEXEC };
		long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);

		if (fd >= 0) {
			close((int)fd);
			return false;
		}
		return errno == ENOSYS;
	}
	case QU_PID_REUSE:
		return qu_pid_numbers_taken();
	case QU_SECCOMP: {
		/* a kernel with seccomp (3.17+) knows SECCOMP_GET_ACTION_AVAIL
		 * (2, 4.14+) and says 0 for SECCOMP_RET_KILL_PROCESS; QEMU 7.2
		 * does not emulate seccomp(2) at all */
		unsigned action = 0x80000000u;

		return syscall(SYS_seccomp, 2, 0, &action) < 0 && errno == ENOSYS;
	}
	case QU_PROC_SELF:
		return true;
	}
	return false;
}

static inline const char *qu_why(enum qu_op op)
{
	switch (op) {
	case QU_CLONE3:
		return "qemu-user cannot clone3 (ENOSYS)" QU_ELSEWHERE;
	case QU_OPENAT2:
		return "qemu-user cannot openat2 (ENOSYS)" QU_ELSEWHERE;
	case QU_PROC_SELF:
		return "qemu-user's /proc/self/smaps_rollup is the emulator's, not the program's" QU_ELSEWHERE;
	case QU_PID_REUSE:
		return "qemu-user's own threads take pid numbers in a pid namespace" QU_ELSEWHERE;
	case QU_SECCOMP:
		return "qemu-user cannot load a seccomp filter (seccomp(2): ENOSYS); test_seccomp_arch "
		       "checks the filters without loading them" QU_ELSEWHERE;
	}
	return "qemu-user";
}

/* The checks from here to qu_done() need OP: under an emulator that
 * refuses it, they report skip. Returns true when they will. */
static inline bool qu_need(enum qu_op op)
{
	if (!qu_refuses(op))
		return false;
	t_skip_why = qu_why(op);
	return true;
}

static inline void qu_done(void)
{
	t_skip_why = NULL;
}

#endif
