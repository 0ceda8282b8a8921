/* Launch one unit in its sandbox: sbx_launch() takes a spec and returns a
 * running child (pid + pidfd + the stdio it was given or pipes it made), or
 * a precise error such as "web: pivot_root into /srv/web: Invalid
 * argument" (unit: step path: errno).
 *
 * Everything heavy happens here, before clone3: paths, the mount plan, the
 * seccomp filter. The child (sandbox/child.c) waits until the parent has
 * written its id maps and put it into its cgroup, then only runs syscalls
 * on that prepared data and reports a failure as a fixed record over an
 * O_CLOEXEC socket; EOF on it means execve succeeded. sbx_launch returns
 * once that is known. */
#ifndef SBX_LAUNCH_H
#define SBX_LAUNCH_H

#include <sys/types.h>

#include "../config/spec.h"
#include "../lib/err.h"
#include "seccomp.h"

/* stdio[] values besides an fd of the caller's */
#define SBX_STDIO_INHERIT (-1)   /* the service shares the caller's */
#define SBX_STDIO_NULL (-2)      /* /dev/null */
#define SBX_STDIO_PIPE (-3)      /* a pipe; the caller gets the other end */

/* flags */
#define SBX_DIE_WITH_PARENT 0x1u /* SIGKILL the sandbox if the caller dies */

/* How long the caller waits for the child's setup before killing it. */
#define SBX_SETUP_TIMEOUT_S 30

/* Exit statuses of a launch child that never reached the service. */
#define SBX_EXIT_SETUP 125       /* a setup step failed */
#define SBX_EXIT_NOEXEC 126      /* the program is not executable */
#define SBX_EXIT_NOTFOUND 127    /* the program does not exist */

struct sbx_launch_opts {
	const char *const *argv;   /* the whole command line; NULL: s->args */
	int stdio[3];              /* an fd, or SBX_STDIO_* */
	int cgroup_fd;             /* the unit's cgroup (O_DIRECTORY), -1: none */
	const struct sbx_bpf *bpf; /* s->seccomp compiled beforehand; NULL: here */
	unsigned flags;
	/* Host folders no unit may see (the run folder, the unit folder):
	 * covered with an empty read-only tmpfs in the sandbox's copy of the
	 * host's mount tree, before anything is bound from it. NULL-ended;
	 * NULL: none. Needs the mount namespace. */
	const char *const *hide;
	/* PID 1's control socket: bound back, alone, into its covered
	 * folder for a unit with ControlAccess=yes. NULL: none. */
	const char *control_sock;
};

#define SBX_LAUNCH_OPTS_INIT { \
	.stdio = { SBX_STDIO_INHERIT, SBX_STDIO_INHERIT, SBX_STDIO_INHERIT }, \
	.cgroup_fd = -1 }

struct sbx_child {
	pid_t pid;                 /* in the caller's pid namespace */
	int pidfd;                 /* O_CLOEXEC */
	int stdio[3];              /* our ends of SBX_STDIO_PIPE, else -1 */
	int exit_code;             /* after a failed launch: SBX_EXIT_*, or 0
				    * when no child was started */
};

int sbx_launch(const struct spec *s, const struct sbx_launch_opts *o, struct sbx_child *c,
	       struct err *e);

/* A wait status as the shell reports it: the exit code, or 128+N for a
 * death by signal N. */
int sbx_exit_code(int wstatus);

#endif
