/* The launch child, from clone3 to execve. It runs on memory the parent
 * prepared (a copy-on-write image, not shared): no allocation, no stdio,
 * only syscalls and string copies; on failure one record to the parent and
 * _exit. The order of the steps is the sandbox's security, see launch.h
 * and docs: mounts before credentials (they need CAP_SYS_ADMIN), the
 * bounding set before setuid, seccomp last so that no setup call is
 * filtered. CVE-2024-21626: before the first path lookup the child keeps
 * only the service's stdio (0 1 2), this record's socket (3, O_CLOEXEC),
 * and when asked the pidfd of a join (4, closed once entered) and the
 * reaper's channel (5); every other fd of PID 1 or sandboxctl is closed, so
 * no lookup (mount source, /proc/self/fd/N, the cwd) can reach through
 * one. */
#include "child.h"

#include <errno.h>
#include <linux/filter.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../rootfs/mountapi.h"
#include "../rootfs/mounts.h"
#include "caps.h"
#include "hostprep.h"
#include "envfile_read.h"
#include "join.h"
#include "launch.h"
#include "netlo.h"
#include "ns.h"
#include "reaper.h"
#include "stdfile.h"
#include "userdb.h"

void (*sbx_child_test_hook)(void);

/* The report socket's fd in the child, right above stdio, then the pidfd
 * of a join and the reaper's channel. finish() closes everything above
 * CHILD_SOCK_FD. */
#define CHILD_SOCK_FD 3
#define CHILD_JOIN_FD 4
#define CHILD_CHAN_FD 5
#define CHILD_FIRST_FREE 6

static void copy_str(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	for (; src && src[i] && i + 1 < n; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static _Noreturn void fail(const struct sbx_ctx *c, const struct step_fail *f, int code)
{
	struct sbx_report r;

	memset(&r, 0, sizeof r);
	r.errnum = f->errnum;
	r.exit_code = code;
	copy_str(r.step, sizeof r.step, f->step);
	copy_str(r.path, sizeof r.path, f->path);
	send(c->sock, &r, sizeof r, MSG_NOSIGNAL);
	_exit(code);
}

static int set_rlimits(const struct spec *s, struct step_fail *f)
{
	static const char *const names[SPEC_RLIMITS] = {
		"CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE",
		"MEMLOCK", "AS", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME",
	};

	for (int i = 0; i < SPEC_RLIMITS; i++) {
		struct rlimit rl;

		if (!s->rlimits[i].set)
			continue;
		/* LIMIT_INFINITY and RLIM_INFINITY are both all ones */
		rl.rlim_cur = (rlim_t)s->rlimits[i].soft;
		rl.rlim_max = (rlim_t)s->rlimits[i].hard;
		if (syscall(SYS_prlimit64, 0, i, &rl, NULL) < 0)
			return step_failed(f, "set the resource limit", names[i], errno);
	}
	return 0;
}

/* StandardOutput=/StandardError= files (SBX_STDIO_SPEC_FILE) onto 1 and
 * 2, opened here, as root, in the host's tree (our copy of it), before
 * anything of the sandbox is set up: the path is the host's. */
static int open_stdfiles(const struct sbx_ctx *c, struct step_fail *f)
{
	for (int i = 1; i <= 2; i++) {
		const struct output *o = c->stdfile[i], *out = c->stdfile[1];
		int fd;

		if (!o)
			continue;
		if (i == 2 && out && out->kind == o->kind && strcmp(out->path, o->path) == 0) {
			/* one file for both: one open file, one offset */
			if (dup2(1, 2) < 0)
				return step_failed(f, "duplicate stdout onto stderr", NULL, errno);
			continue;
		}
		fd = sbx_stdfile_open(i == 1 ? "StandardOutput" : "StandardError", o->path,
				      o->kind == OUTPUT_APPEND, f);
		if (fd < 0)
			return -1;
		/* opened O_NONBLOCK (as PID 1 did); the service gets the
		 * file's ordinary flags */
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0 || dup2(fd, i) < 0) {
			int err = errno;

			close(fd);
			return step_failed(f, "set up the output file", o->path, err);
		}
		close(fd);
	}
	return 0;
}

/* The program the parent compiled while we set up: one message on the
 * launch socket, whole (SEQPACKET). In .bss: no allocation here. */
static struct sock_filter late_insns[BPF_MAXINSNS];
static struct sbx_bpf late_bpf;

static const struct sbx_bpf *late_filter(const struct sbx_ctx *c, struct step_fail *f)
{
	ssize_t n;

	do
		n = recv(c->sock, late_insns, sizeof late_insns, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0 || n % (ssize_t)sizeof late_insns[0]) {
		step_failed(f, "receive the seccomp filter", NULL, n < 0 ? errno : EPROTO);
		errno = EPROTO;
		return NULL;
	}
	late_bpf.insns = late_insns;
	late_bpf.len = (unsigned short)(n / (ssize_t)sizeof late_insns[0]);
	return &late_bpf;
}

/* The namespaces not made by clone3: those entered (a join, the named
 * network namespace) and the cgroup one; lo up in a network namespace of
 * our own; a join into a pid namespace becomes the relay here (and only
 * the command comes back). After the ids were read from the host's view
 * of the unit's root, before the rootfs. */
static int enter_namespaces(struct sbx_ctx *c, struct step_fail *f)
{
	const struct spec *s = c->s;
	unsigned own = s->namespaces & ~c->join_ns;

	if (c->join_fd >= 0) {
		if (sbx_join_enter(c->join_fd, c->join_flags, f) < 0)
			return -1;
		c->join_fd = -1;
	}
	if (!c->exec_join) {
		if ((own & NS_BIT(NS_NET)) && s->netns_path) {
			if (sbx_net_enter_path(s->netns_path, f) < 0)
				return -1;
		} else if ((own & NS_BIT(NS_NET)) && sbx_net_lo_up(f) < 0) {
			return -1;
		}
		if (sbx_ns_child_cgroup(own, f) < 0)
			return -1;
	}
	if (c->relay) {
		/* The filter the parent compiles is read now: once the
		 * command runs, only the relay reads the socket (the ack). */
		if (c->bpf_late) {
			if (!(c->bpf = late_filter(c, f)))
				return -1;
			c->bpf_late = false;
		}
		if (sbx_join_relay(c->sock, f) < 0)
			return -1;
	}
	return 0;
}

/* Everything shared by the reaper and the service: namespaces, mounts,
 * hostname, limits, credentials. */
static int setup(struct sbx_ctx *c, struct step_fail *f)
{
	const struct spec *s = c->s;
	/* static: SPEC_MAX_GROUPS gids stay off the stack */
	static struct sbx_ids ids;

	/* Modes of what we create (device nodes, mount points) are exact. */
	if (open_stdfiles(c, f) < 0)
		return -1;
	/* EnvironmentFile= from the host's tree, as the output files */
	if (sbx_env_build(s, c->notify, &c->envp, f) < 0)
		return -1;
	umask(0);
	/* Names read here, from the unit's root as the host has it, never
	 * by PID 1 (userdb.h); before a join enters the service's tree */
	if (sbx_ids_resolve(s, &ids, f) < 0)
		return -1;
	/* tmpfs uid=NAME, RuntimeDirectory= ...: on the host's side, with
	 * the ids just resolved, before a join enters other namespaces; what
	 * the rootfs needs left in the plan. Not for a command in the running
	 * service: its folders exist. */
	if (!c->exec_join && sbx_host_prepare(s, &ids, c->plan, f) < 0)
		return -1;
	if (enter_namespaces(c, f) < 0)
		return -1;
	if (c->plan && rootfs_setup(c->plan, f) < 0)
		return -1;
	if (sbx_ns_hostname(s->namespaces & ~c->join_ns, s->hostname, f) < 0 ||
	    set_rlimits(s, f) < 0)
		return -1;
	umask(s->umask);
	if (sbx_creds_apply(s, &ids, f) < 0)
		return -1;
	if (c->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return step_failed(f, "set no_new_privs", NULL, errno);
	/* after the uid change, which clears it */
	if (c->die_with_parent && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return step_failed(f, "set the parent-death signal", NULL, errno);
	return 0;
}

/* The service's last steps before execve. */
static int finish(const struct sbx_ctx *c, struct step_fail *f)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	const char *cwd = c->s->cwd ? c->s->cwd : "/";
	/* The cwd is a path the unit or its rootfs can shape: resolved
	 * inside the (new) root, never through a magic link such as
	 * /proc/self/fd/N, and entered by fd. As the service's uid, so
	 * that its search permissions apply. */
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int root, dir;

	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return step_failed(f, "open", "/", errno);
	dir = sys_openat2(root, cwd, &how);
	close(root);
	if (dir < 0)
		return step_failed(f, "chdir", cwd, errno);
	if (fchdir(dir) < 0) {
		int err = errno;

		close(dir);
		return step_failed(f, "chdir", cwd, err);
	}
	close(dir);
	/* A service starts with default signal handling, whatever the
	 * launcher (or PID 1) blocked or ignored. */
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Only 0 1 2 and the report socket (3, O_CLOEXEC: it goes at
	 * execve) are open since keep_fds; what the setup opened is closed. */
	syscall(SYS_close_range, (unsigned)CHILD_SOCK_FD + 1, ~0u, 0u);
	if (c->bpf || c->bpf_late) {
		/* Once filtered, even the report of a failed execve may be
		 * refused (an allow list without write): check the program
		 * now, and load the filter as the very last step. */
		if (access(c->argv[0], X_OK) < 0)
			return step_failed(f, "exec", c->argv[0], errno);
		if (sbx_seccomp_exec_refused(&c->s->seccomp, c->argv[0], f))
			return -1;
		if (sbx_seccomp_load(c->bpf_late ? late_filter(c, f) : c->bpf) < 0)
			return f->step[0] ? -1 : step_failed(f, "load the seccomp filter", NULL, errno);
	}
	return 0;
}

/* The process that execs the service (with Init= the reaper's child, in
 * a join the relay's command) says so: the caller's end has SO_PASSCRED,
 * so the kernel attaches our pid as the caller's pid namespace sees it.
 * Before the filter, which may refuse sendmsg. */
static int report_started(const struct sbx_ctx *c, struct step_fail *f)
{
	struct sbx_msg m = { .kind = SBX_MSG_STARTED };

	if (send(c->sock, &m, sizeof m, MSG_NOSIGNAL) != (ssize_t)sizeof m)
		return step_failed(f, "report the service's pid", NULL, errno);
	return 0;
}

static int exec_code(int err)
{
	return err == ENOENT || err == ENOTDIR ? SBX_EXIT_NOTFOUND : SBX_EXIT_NOEXEC;
}

/* Renumber what the child needs to fixed fds (the service's stdio onto
 * 0 1 2, the report socket onto CHILD_SOCK_FD) and close everything else:
 * the parent's control socket, its O_PATH fd on "/", cgroup directories,
 * epoll, signalfd, pidfds and log pipes. Runs before any path lookup. The
 * copies are taken above CHILD_SOCK_FD first so that no dup2 can clobber
 * a source still to be copied. */
static int keep_fds(struct sbx_ctx *c)
{
	int tmp[6];

	for (int i = 0; i < 3; i++) {
		tmp[i] = -1;
		if (c->stdio[i] >= 0 &&
		    (tmp[i] = fcntl(c->stdio[i], F_DUPFD_CLOEXEC, CHILD_FIRST_FREE)) < 0)
			return -1;
	}
	tmp[3] = fcntl(c->sock, F_DUPFD_CLOEXEC, CHILD_FIRST_FREE);
	if (tmp[3] < 0)
		return -1;
	tmp[4] = tmp[5] = -1;
	if (c->join_fd >= 0 && (tmp[4] = fcntl(c->join_fd, F_DUPFD_CLOEXEC, CHILD_FIRST_FREE)) < 0)
		return -1;
	if (c->chan_fd >= 0 && (tmp[5] = fcntl(c->chan_fd, F_DUPFD_CLOEXEC, CHILD_FIRST_FREE)) < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		/* dup2 clears O_CLOEXEC: these are the service's */
		if (tmp[i] >= 0 && dup2(tmp[i], i) < 0)
			return -1;
		/* An inherited 0..2 that the caller left closed is free, or
		 * holds one of its own O_CLOEXEC fds (a cgroup folder, say):
		 * the service gets the host's /dev/null there instead. */
		if (tmp[i] < 0 && (fcntl(i, F_GETFD) & FD_CLOEXEC)) {
			int null = open("/dev/null", O_RDWR | O_NOFOLLOW);

			if (null < 0 || (null != i && (dup2(null, i) < 0 || close(null) < 0)))
				return -1;
		}
	}
	if (dup3(tmp[3], CHILD_SOCK_FD, O_CLOEXEC) < 0)
		return -1;
	if (tmp[4] >= 0 ? dup3(tmp[4], CHILD_JOIN_FD, O_CLOEXEC) < 0 :
	    (close(CHILD_JOIN_FD) < 0 && errno != EBADF))
		return -1;
	if (tmp[5] >= 0 ? dup3(tmp[5], CHILD_CHAN_FD, O_CLOEXEC) < 0 :
	    (close(CHILD_CHAN_FD) < 0 && errno != EBADF))
		return -1;
	if (syscall(SYS_close_range, (unsigned)CHILD_FIRST_FREE, ~0u, 0u) < 0)
		return -1;
	c->sock = CHILD_SOCK_FD;
	c->join_fd = tmp[4] >= 0 ? CHILD_JOIN_FD : -1;
	c->chan_fd = tmp[5] >= 0 ? CHILD_CHAN_FD : -1;
	c->parent_sock = -1;
	c->stdio[0] = c->stdio[1] = c->stdio[2] = -1;
	return 0;
}

_Noreturn void sbx_child_main(const struct sbx_ctx *parent_ctx)
{
	struct sbx_ctx ctx = *parent_ctx;
	const struct sbx_ctx *c = &ctx;
	struct step_fail f = { 0 };
	char go;

	/* Until execve replaces it, this process is the host's sandboxd:
	 * keep its /proc/PID/exe out of reach (see reaper.h). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (keep_fds(&ctx) < 0) {
		step_failed(&f, "close the launcher's fds", NULL, errno);
		fail(parent_ctx, &f, SBX_EXIT_SETUP);
	}
	/* Wait for the parent: id maps written, cgroup joined. EOF means it
	 * gave up on us. */
	if (recv(c->sock, &go, 1, 0) != 1)
		_exit(SBX_EXIT_SETUP);
	if (sbx_child_test_hook)
		sbx_child_test_hook();
	if (setup(&ctx, &f) < 0)
		fail(c, &f, SBX_EXIT_SETUP);
	if (c->s->init && !c->exec_join && sbx_reaper_start(c->chan_fd, &f) < 0)
		fail(c, &f, SBX_EXIT_SETUP);
	if (report_started(c, &f) < 0)
		fail(c, &f, SBX_EXIT_SETUP);
	if (finish(c, &f) < 0)
		fail(c, &f, strcmp(f.step, "exec") == 0 ? exec_code(f.errnum) : SBX_EXIT_SETUP);
	execve(c->argv[0], (char *const *)c->argv, (char *const *)c->envp);
	step_failed(&f, "exec", c->argv[0], errno);
	fail(c, &f, exec_code(f.errnum));
}
