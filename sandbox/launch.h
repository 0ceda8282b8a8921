/* Launch one unit in its sandbox: a running child (pid + pidfd + the stdio
 * it was given or pipes it made), or a precise error such as "web:
 * pivot_root into /srv/web: Invalid argument" (unit: step path: errno).
 *
 * The parent only prepares data (the mount plan, normalized paths; no path
 * of the unit is touched), clones, writes the id maps and says "go". The
 * child (sandbox/child.c) does everything that touches a path the unit
 * names -- the kernel file system check against the mount table, the root,
 * bind sources, the cwd -- and reports a failure as a fixed record over an
 * O_CLOEXEC socket; EOF on it means execve succeeded. Before the execve
 * the process that execs sends one short record whose pid the kernel
 * attaches (the main pid), and a join's relay its handover (child.h).
 *
 * Asynchronous (PID 1): sbx_launch_begin() returns right after "go";
 * the caller watches l->sock and calls sbx_launch_end() when it is
 * readable, or sbx_launch_abort() when its own timer says the setup took
 * too long. Many launches may be in flight, each its own struct
 * sbx_launch, so units set up in parallel. Synchronous (sandboxctl run,
 * tests): sbx_launch(). */
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
/* stdout/stderr only: the spec's StandardOutput=/StandardError= file: or
 * append: path, opened by the launch child before it enters the sandbox
 * (sandbox/stdfile.h: no symlink, a regular file with one link); the
 * same path for both shares one open file. The
 * caller opens no path of the unit's (issue #10). */
#define SBX_STDIO_SPEC_FILE (-4)

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
	/* Enter namespaces instead of making them (issue #11): a pidfd of a
	 * process of another sandbox -- JoinsNamespaceOf=: join_ns =
	 * NS_BIT(NS_NET) | NS_BIT(NS_IPC) -- or of this unit's running
	 * service -- ExecStartPost=, ExecReload=, ExecStop=: join_ns = the
	 * unit's namespaces; with NS_MOUNT no rootfs is set up, the command
	 * runs in the service's own tree, and with NS_PID it is a process of
	 * the service's pid namespace. -1: none.
	 * What the launcher makes of it (sandbox/join.h):
	 * - join_ns is masked with the unit's own Namespaces= (systemd joins
	 *   only the namespaces a unit would have made); what is left is
	 *   entered with setns on the pidfd, never through /proc paths.
	 * - Only NET and IPC (JoinsNamespaceOf=): the rest of the sandbox is
	 *   made as usual (its own mount, pid, uts namespaces, rootfs); lo is
	 *   the joined namespace's. Refused with a user namespace of the
	 *   unit's own: a process in a new user namespace holds no
	 *   capability over another one's network namespace.
	 * - Any other type (a command in the running service: NS_MOUNT, or
	 *   NS_PID for a unit without a mount namespace): all of the unit's
	 *   namespaces are entered, whatever join_ns says; no namespace
	 *   is made, no rootfs set up, no reaper started; the command gets the
	 *   unit's ids, caps, limits, no_new_privs, filter and cwd (resolved
	 *   in the service's root) as the service did. With NS_PID the launch
	 *   child is a relay (join.h): sbx_launch_end() returns 2 once the
	 *   command exists -- the command is the caller's own child,
	 *   l->pid/l->pidfd are now its pid and pidfd (take them as the
	 *   process to reap before going back to any other event: the command
	 *   waits for that before it runs); the relay exits 0 by itself and
	 *   is reaped by end() when it can, else by the caller's
	 *   reap-everything loop, as any stranger (its exit means nothing:
	 *   a failure of the relay comes as a report, like any setup
	 *   step's). Everything else is as for any launch. */
	int join_pidfd;
	unsigned join_ns;
	/* Host paths of PID 1's per-unit datagram sockets, bound into the
	 * sandbox: notify at SBX_NOTIFY_PATH with NOTIFY_SOCKET set in the
	 * environment, log at /dev/log. Without a mount namespace the notify
	 * socket's host path is NOTIFY_SOCKET and there is no /dev/log of
	 * the unit's own. NULL: none. */
	const char *notify_sock;
	const char *log_sock;
};

/* Where a unit's notify socket is inside its sandbox: in the sandbox's
 * own /dev tmpfs, which exists whatever its RootDirectory=. */
#define SBX_NOTIFY_PATH "/dev/.notify"


#define SBX_LAUNCH_OPTS_INIT { \
	.stdio = { SBX_STDIO_INHERIT, SBX_STDIO_INHERIT, SBX_STDIO_INHERIT }, \
	.cgroup_fd = -1, .join_pidfd = -1 }

struct sbx_child {
	pid_t pid;                 /* in the caller's pid namespace */
	int pidfd;                 /* O_CLOEXEC */
	int stdio[3];              /* our ends of SBX_STDIO_PIPE, else -1 */
	int exit_code;             /* after a failed launch: SBX_EXIT_*, or 0
				    * when no child was started */
	/* The service's own pid in the caller's pid namespace: pid, or with
	 * Init= the reaper's child (reported by the service itself with
	 * SCM_CREDENTIALS before execve, so the kernel translates it).
	 * 0 when not known. */
	pid_t main_pid;
	/* Type=forking with Init=: the read end (O_NONBLOCK | O_CLOEXEC) of
	 * the reaper's channel. The reaper writes one record, an int wait
	 * status, when the started process (its child, which forks the
	 * daemon and exits) ends; it then keeps the pid namespace (its exit
	 * would kill every process in it): it reaps until it has no child
	 * left and exits with the last status it reaped, and forwards the
	 * signals it gets to every process of the namespace (to the started
	 * process while it lives). EOF without a record: the reaper died
	 * first (its own exit status says how). -1 when not forking or
	 * without Init=: then the started process is c->pid itself, the
	 * caller's own child, whose exit the caller reaps as usual.
	 * Type=forking with a pid namespace and without Init= is refused:
	 * the started process would be the namespace's init. */
	int reaper_fd;
};

/* One launch in flight. */
struct sbx_launch {
	pid_t pid;                 /* -1 when no child was made */
	int pidfd;                 /* O_CLOEXEC */
	int sock;                  /* our end of the launch socket, O_NONBLOCK |
				    * O_CLOEXEC: watch it for EPOLLIN */
	int stdio[3];              /* our ends of SBX_STDIO_PIPE, else -1 */
	int exit_code;             /* after begin failed: SBX_EXIT_SETUP */
	/* private: what end() needs */
	char name[UNIT_NAME_MAX + 1];
	bool relay;                /* l->pid is a join's relay, no handover yet */
	pid_t relay_pid;           /* after the handover: the relay, to reap */
	int relay_pidfd;
	pid_t main_pid;            /* from the SBX_MSG_STARTED record; 0: none */
	int reaper_fd;             /* sbx_child.reaper_fd until end() */
};

/* Everything up to and including "go": clone3 (into the cgroup), id maps,
 * oom_score_adj, "go", and for a caller without a compiled filter
 * (o->bpf NULL) its compilation, sent to the child, which sets up
 * meanwhile. Never waits for the child. The mount plan is freed before
 * returning: the child has its own copy.
 * 0: the child runs its setup: watch l->sock.
 * -1: nothing is running (a child made was killed and reaped: it had not
 *     been told "go", so it could not be anywhere but waiting for it);
 *     e says why, l->exit_code = SBX_EXIT_SETUP, l->pid = -1, fds -1. */
int sbx_launch_begin(const struct spec *s, const struct sbx_launch_opts *o,
		     struct sbx_launch *l, struct err *e);

/* When l->sock is readable, or once the child was reaped (its report, if
 * any, is still in the socket). Never blocks; reaps nothing but a join's
 * relay (through its pidfd, WNOHANG).
 * 2: a join's relay handed the command over: l->pid and l->pidfd are the
 *    command's now (see join_pidfd); keep watching.
 * 1: nothing yet (EAGAIN): keep watching.
 * 0: the service exec'd: c gets pid, pidfd and stdio (moved out of l).
 * -1: setup failed: e = "unit: step path: errno", c->exit_code =
 *     SBX_EXIT_*; c->pid and c->pidfd are still set (c->stdio closed):
 *     the child exits by itself, and the CALLER reaps it.
 * In the last two cases l->sock is closed and l holds no fd any more. */
int sbx_launch_end(struct sbx_launch *l, struct sbx_child *c, struct err *e);

/* The setup took too long (the caller's timer): SIGKILL through the
 * pidfd and close every fd of l. l->pid stays set: the caller still reaps
 * it, whenever it dies (a child stuck in the kernel, on a hung network
 * file system say, may take long: never wait for it). */
void sbx_launch_abort(struct sbx_launch *l);

/* The synchronous form (sandboxctl run, tests): begin, wait for the report
 * up to SBX_SETUP_TIMEOUT_S, end. On failure the child, if any, is reaped
 * and c->pid is -1, c->exit_code SBX_EXIT_*. */
int sbx_launch(const struct spec *s, const struct sbx_launch_opts *o, struct sbx_child *c,
	       struct err *e);

/* A wait status as the shell reports it: the exit code, or 128+N for a
 * death by signal N. */
int sbx_exit_code(int wstatus);

#endif
