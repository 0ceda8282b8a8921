/* sbx_launch_begin/_end/_abort and sbx_launch: prepare, clone3, "go",
 * the child's report. See launch.h. */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <poll.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "join.h"
#include "ns.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#define SBX_CLONE_INTO_CGROUP 0x200000000ull
#define CAP_SYS_ADMIN_BIT 21

/* struct clone_args of <linux/sched.h>, which clashes with musl's sched.h */
struct sbx_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

int sbx_exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Give the child fds >= 3 (so dup2 onto 0..2 cannot clobber one another)
 * and keep our ends of pipes. */
static int prepare_stdio(const struct sbx_launch_opts *o, int child[3], int ours[3],
			 struct err *e)
{
	for (int i = 0; i < 3; i++) {
		int v = o->stdio[i], p[2];

		child[i] = ours[i] = -1;
		if (v == SBX_STDIO_INHERIT || v == SBX_STDIO_SPEC_FILE)
			continue;   /* the child's own, or its file (open_stdfiles) */
		if (v == SBX_STDIO_NULL) {
			child[i] = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (child[i] < 0)
				return err_set(e, errno, "open /dev/null");
		} else if (v == SBX_STDIO_PIPE) {
			if (pipe2(p, O_CLOEXEC) < 0)
				return err_set(e, errno, "create a pipe for fd %d", i);
			child[i] = i == 0 ? p[0] : p[1];
			ours[i] = i == 0 ? p[1] : p[0];
		} else {
			child[i] = fcntl(v, F_DUPFD_CLOEXEC, 3);
			if (child[i] < 0)
				return err_set(e, errno, "duplicate fd %d", v);
		}
		if (child[i] < 3) {
			int fd = fcntl(child[i], F_DUPFD_CLOEXEC, 3);

			close(child[i]);
			child[i] = fd;
			if (fd < 0)
				return err_set(e, errno, "duplicate fd for %d", i);
		}
	}
	return 0;
}

static int write_oom_score(pid_t pid, int adj, struct err *e)
{
	char path[48], val[16];
	int fd, n;

	snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int)pid);
	n = snprintf(val, sizeof val, "%d", adj);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "open %s", path);
	if (write(fd, val, (size_t)n) != n) {
		int err = errno;

		close(fd);
		return err_set(e, err, "write %s", path);
	}
	close(fd);
	return 0;
}

static int join_cgroup(int cgfd, pid_t pid, struct err *e)
{
	char val[16];
	int fd = openat(cgfd, "cgroup.procs", O_WRONLY | O_CLOEXEC), n;

	if (fd < 0)
		return err_set(e, errno, "open cgroup.procs");
	n = snprintf(val, sizeof val, "%d", (int)pid);
	if (write(fd, val, (size_t)n) != n) {
		int err = errno;

		close(fd);
		return err_set(e, err, "write %d to cgroup.procs", (int)pid);
	}
	close(fd);
	return 0;
}

static pid_t do_clone(uint64_t flags, int cgfd, int *pidfd, bool *joined)
{
	struct sbx_clone_args a = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};
	pid_t pid;

	*joined = false;
	if (cgfd >= 0) {
		a.flags |= SBX_CLONE_INTO_CGROUP;
		a.cgroup = (uint64_t)cgfd;
		pid = (pid_t)syscall(SYS_clone3, &a, sizeof a);
		if (pid >= 0) {
			*joined = true;
			return pid;
		}
		if (errno != EINVAL && errno != E2BIG)
			return -1;
		/* Before Linux 5.7: the handshake joins it instead. */
		a.flags &= ~SBX_CLONE_INTO_CGROUP;
		a.cgroup = 0;
	}
	return (pid_t)syscall(SYS_clone3, &a, sizeof a);
}

static bool needs_mounts(const struct spec *s)
{
	return s->root || s->n_mounts || s->masked_paths.n || s->readonly_paths.n ||
	       s->root_readonly;
}

static void launch_reset(struct sbx_launch *l)
{
	l->pid = -1;
	l->pidfd = l->sock = -1;
	l->stdio[0] = l->stdio[1] = l->stdio[2] = -1;
	l->exit_code = 0;
	l->relay = false;
	l->relay_pid = 0;
	l->relay_pidfd = -1;
	l->main_pid = 0;
	l->reaper_fd = -1;
}

static void launch_close(struct sbx_launch *l)
{
	close_fd(&l->sock);
	close_fd(&l->pidfd);
	close_fd(&l->relay_pidfd);
	close_fd(&l->reaper_fd);
	for (int i = 0; i < 3; i++)
		close_fd(&l->stdio[i]);
}

/* Send the filter compiled while the child sets up. A child that already
 * failed has closed its end: its report is in the socket and says why. */
static int send_late_filter(const struct spec *s, int sock, struct err *e)
{
	struct sbx_bpf own = { 0 };
	size_t len;
	int rc = 0;

	if (sbx_seccomp_compile(&s->seccomp, &own, e) < 0)
		return -1;
	len = (size_t)own.len * sizeof(struct sock_filter);
	if (send(sock, own.insns, len, MSG_NOSIGNAL) != (ssize_t)len && errno != EPIPE &&
	    errno != ECONNRESET)
		rc = err_set(e, errno, "send the seccomp filter to the launch child");
	sbx_bpf_free(&own);
	return rc;
}

int sbx_launch_begin(const struct spec *s, const struct sbx_launch_opts *o,
		     struct sbx_launch *l, struct err *e)
{
	static const char *const no_env[] = { NULL };
	const char *const *argv = o->argv ? o->argv : s->args.v;
	struct rootfs_plan plan;
	struct sbx_ctx ctx = { .s = s, .argv = argv, .join_fd = -1, .chan_fd = -1 };
	int sv[2] = { -1, -1 }, child_io[3] = { -1, -1, -1 }, one = 1, chan[2] = { -1, -1 };
	bool have_plan = false, joined;
	/* launch.h: a join enters only namespaces the unit has; past the
	 * network and IPC ones it is a command in the running service,
	 * which enters all of them and makes none */
	unsigned join = o->join_pidfd >= 0 ? o->join_ns & s->namespaces : 0, made;
	bool exec_join = join & ~(NS_BIT(NS_NET) | NS_BIT(NS_IPC));
	uint64_t clone_flags;
	pid_t pid;

	memset(l, 0, sizeof *l);
	launch_reset(l);
	l->exit_code = SBX_EXIT_SETUP;
	snprintf(l->name, sizeof l->name, "%s", s->name);

	if (!argv || !argv[0])
		return err_set(e, 0, "%s: no command to run", s->name);
	if (argv[0][0] != '/')
		return err_set(e, 0, "%s: exec %s: not an absolute path", s->name, argv[0]);
	ctx.envp = s->env.v ? s->env.v : no_env;
	/* where the service finds the notify socket: in its own /dev (the
	 * mount namespace's), else at PID 1's path */
	if (o->notify_sock)
		ctx.notify = (s->namespaces & NS_BIT(NS_MOUNT)) ? SBX_NOTIFY_PATH : o->notify_sock;

	/* Without a compiled filter from the caller, it is compiled after
	 * clone3, while the child builds its sandbox, and sent to it: the
	 * 0.7 ms of libseccomp overlap the child's setup. */
	ctx.bpf = s->seccomp.enabled ? o->bpf : NULL;
	ctx.bpf_late = s->seccomp.enabled && !o->bpf;
	/* seccomp(2) wants no_new_privs or CAP_SYS_ADMIN; like systemd's
	 * SystemCallFilter=, a filtered service without CAP_SYS_ADMIN gets
	 * no_new_privs rather than no filter. */
	ctx.nnp = s->no_new_privs ||
		  (s->seccomp.enabled && !(s->caps & (1ull << CAP_SYS_ADMIN_BIT)));
	ctx.die_with_parent = o->flags & SBX_DIE_WITH_PARENT;

	if (exec_join)
		join = s->namespaces;
	made = exec_join ? 0 : s->namespaces & ~join;
	if (s->netns_path)
		made &= ~NS_BIT(NS_NET);
	if ((made & NS_BIT(NS_USER)) && ((join & (NS_BIT(NS_NET) | NS_BIT(NS_IPC))) ||
					 ((s->namespaces & NS_BIT(NS_NET)) && s->netns_path)))
		return err_set(e, EINVAL, "%s: JoinsNamespaceOf= and NetworkNamespacePath= "
			       "cannot be combined with a user namespace of the unit's own "
			       "(Namespaces=user)", s->name);
	if (s->type == SERVICE_FORKING && !exec_join && (made & NS_BIT(NS_PID)) && !s->init)
		return err_set(e, EINVAL, "%s: Type=forking in a pid namespace needs Init=yes "
			       "(the first process would be its init, and its exit kill the daemon)",
			       s->name);
	clone_flags = sbx_ns_clone_flags(made);
	ctx.join_ns = join;
	ctx.join_flags = sbx_join_setns_flags(join);
	ctx.join_fd = join ? o->join_pidfd : -1;
	ctx.exec_join = exec_join;
	ctx.relay = l->relay = exec_join && (join & NS_BIT(NS_PID));

	if (exec_join) {
		/* the service's own tree, as it is: nothing to plan */
	} else if (s->namespaces & NS_BIT(NS_MOUNT)) {
		/* strings only: the child opens and checks every path */
		if (rootfs_plan_build(s, &plan, e) < 0)
			return err_wrap(e, "%s: ", s->name);
		have_plan = true;
		plan.hide = o->hide;
		plan.control_sock = s->control_access ? o->control_sock : NULL;
		plan.notify_sock = o->notify_sock;
		plan.log_sock = o->log_sock;
		ctx.plan = &plan;
	} else if (needs_mounts(s)) {
		return err_set(e, 0, "%s: RootDirectory=, mounts, masked and read-only paths "
			       "need the mount namespace", s->name);
	}

	for (int i = 0; i < 3; i++) {
		const struct output *out = i == 1 ? &s->std_out : &s->std_err;

		if (o->stdio[i] != SBX_STDIO_SPEC_FILE)
			continue;
		if (i == 0 || (out->kind != OUTPUT_FILE && out->kind != OUTPUT_APPEND) ||
		    !out->path) {
			err_set(e, EINVAL, "%s: fd %d: no file: or append: output to open", s->name,
				i);
			goto fail;
		}
		ctx.stdfile[i] = out;
	}
	if (prepare_stdio(o, child_io, l->stdio, e) < 0) {
		err_wrap(e, "%s: ", s->name);
		goto fail;
	}
	/* SEQPACKET: the child's report arrives whole; MSG_NOSIGNAL spares
	 * us SIGPIPE when the child is already gone. Our end non-blocking:
	 * end() only ever takes what is there. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		err_set(e, errno, "%s: socketpair", s->name);
		goto fail;
	}
	/* The kernel attaches the sender's pid, in our pid namespace, to
	 * every record: SBX_MSG_STARTED is nothing else */
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0) {
		err_set(e, errno, "%s: set SO_PASSCRED on the launch socket", s->name);
		goto fail;
	}
	/* the reaper's channel (launch.h): both ends non-blocking, the
	 * reaper never waits on it */
	if (s->type == SERVICE_FORKING && s->init && !exec_join) {
		if (pipe2(chan, O_NONBLOCK | O_CLOEXEC) < 0) {
			err_set(e, errno, "%s: create the reaper's channel", s->name);
			goto fail;
		}
		l->reaper_fd = chan[0];
		chan[0] = -1;
	}
	ctx.chan_fd = chan[1];
	memcpy(ctx.stdio, child_io, sizeof ctx.stdio);
	ctx.sock = sv[1];
	ctx.parent_sock = sv[0];

	pid = do_clone(clone_flags, o->cgroup_fd, &l->pidfd, &joined);
	if (pid < 0) {
		err_set(e, errno, "%s: clone3", s->name);
		goto fail;
	}
	if (pid == 0)
		sbx_child_main(&ctx);
	l->pid = pid;
	l->sock = sv[0];
	sv[0] = -1;
	close_fd(&sv[1]);
	close_fd(&chan[1]);
	for (int i = 0; i < 3; i++)
		close_fd(&child_io[i]);
	if (have_plan) {
		rootfs_plan_free(&plan);
		have_plan = false;
	}

	if ((clone_flags & CLONE_NEWUSER) && sbx_ns_write_maps(pid, e) < 0)
		goto kill;
	if (o->cgroup_fd >= 0 && !joined && join_cgroup(o->cgroup_fd, pid, e) < 0)
		goto kill;
	if (s->oom_score_adj_set && write_oom_score(pid, s->oom_score_adj, e) < 0)
		goto kill;
	if (send(l->sock, "g", 1, MSG_NOSIGNAL) != 1) {
		err_set(e, errno, "start the launch child");
		goto kill;
	}
	if (ctx.bpf_late && send_late_filter(s, l->sock, e) < 0)
		goto kill;
	if (fcntl(l->sock, F_SETFL, O_NONBLOCK) < 0) {
		err_set(e, errno, "make the launch socket non-blocking");
		goto kill;
	}
	l->exit_code = 0;
	return 0;
kill:
	err_wrap(e, "%s: ", s->name);
	/* Before "go" the child only waits in recv(); after it (a failed
	 * filter), SIGKILL still ends it before any service runs. Reaped
	 * here so that "nothing is running" holds. */
	syscall(SYS_pidfd_send_signal, l->pidfd, SIGKILL, NULL, 0);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	l->pid = -1;
fail:
	close_fd(&sv[0]);
	close_fd(&sv[1]);
	close_fd(&chan[1]);
	for (int i = 0; i < 3; i++)
		close_fd(&child_io[i]);
	launch_close(l);
	if (have_plan)
		rootfs_plan_free(&plan);
	return -1;
}

/* One record of the launch socket: n bytes into rep, the sender's pid
 * (SCM_CREDENTIALS) and at most one fd (SCM_RIGHTS; any other is closed). */
static ssize_t recv_record(int sock, struct sbx_report *rep, pid_t *sender, int *fd)
{
	struct iovec iov = { .iov_base = rep, .iov_len = sizeof *rep };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof u.buf,
	};
	ssize_t n;

	*sender = 0;
	*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return n;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred uc;

			memcpy(&uc, CMSG_DATA(cm), sizeof uc);
			*sender = uc.pid;
		} else if (cm->cmsg_type == SCM_RIGHTS) {
			size_t nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < nfd; i++) {
				int f;

				memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof f);
				if (*fd < 0)
					*fd = f;
				else
					close(f);
			}
		}
	}
	return n;
}

/* The relay handed the command over (join.h): it becomes l->pid. */
static int take_handover(struct sbx_launch *l, const struct sbx_msg *m, int fd, struct err *e)
{
	char ack = SBX_JOIN_ACK;

	if (!l->relay || fd < 0 || m->pid <= 0) {
		if (fd >= 0)
			close(fd);
		return err_set(e, EPROTO, "%s: read the launch child's report", l->name);
	}
	/* The command is the caller's child, in the service's pid namespace
	 * from its clone: the service can kill it at once, and a caller that
	 * reaps every child may have reaped it as a stranger before reading
	 * this. Taken then, its pid would be waited for forever and, once
	 * reused, signalled (a stranger killed). Gone: no handover. */
	{
		siginfo_t si;

		memset(&si, 0, sizeof si);
		if (waitid((idtype_t)3 /* P_PIDFD */, (id_t)fd, &si,
			   WEXITED | WNOHANG | WNOWAIT) < 0) {
			int err = errno;

			close(fd);
			return err_set(e, err, "%s: the joined command ended before its handover",
				       l->name);
		}
	}
	l->relay = false;
	l->relay_pid = l->pid;
	l->relay_pidfd = l->pidfd;
	l->pid = m->pid;
	l->pidfd = fd;
	l->main_pid = m->pid;
	if (send(l->sock, &ack, 1, MSG_DONTWAIT | MSG_NOSIGNAL) != 1)
		return err_set(e, errno, "%s: let the joined command run", l->name);
	return 2;
}

/* The relay exits right after the ack: reaped here if it is gone, else
 * by the caller's own reaping of strangers. Through its pidfd: its pid
 * may be another process's by now, reaped meanwhile by the caller. */
static void reap_relay(struct sbx_launch *l)
{
	siginfo_t si;

	if (l->relay_pidfd < 0)
		return;
	memset(&si, 0, sizeof si);
	if (waitid((idtype_t)3 /* P_PIDFD */, (id_t)l->relay_pidfd, &si, WEXITED | WNOHANG) == 0 &&
	    si.si_pid != 0)
		l->relay_pid = 0;
	close_fd(&l->relay_pidfd);
}

int sbx_launch_end(struct sbx_launch *l, struct sbx_child *c, struct err *e)
{
	struct sbx_report rep;
	pid_t sender;
	ssize_t n;
	int fd;

	memset(c, 0, sizeof *c);
	c->pid = -1;
	c->pidfd = -1;
	c->reaper_fd = -1;
	c->stdio[0] = c->stdio[1] = c->stdio[2] = -1;
	for (;;) {
		struct sbx_msg m;

		n = recv_record(l->sock, &rep, &sender, &fd);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		if (n != (ssize_t)sizeof m)
			break;
		memcpy(&m, &rep, sizeof m);
		if (m.kind == SBX_MSG_HANDOVER) {
			int r = take_handover(l, &m, fd, e);

			if (r == 2)
				return 2;
			n = -1;
			errno = e->errnum;
			break;
		}
		if (fd >= 0)
			close(fd);
		if (m.kind != SBX_MSG_STARTED) {
			n = -1;
			errno = EPROTO;
			break;
		}
		if (sender > 0)
			l->main_pid = sender;
	}
	if (fd >= 0)
		close(fd);

	c->pid = l->pid;
	c->pidfd = l->pidfd;
	l->pidfd = -1;
	close_fd(&l->sock);
	reap_relay(l);
	if (n == 0 && l->relay) {
		/* the relay and the command are gone without a handover */
		n = -1;
		errno = EPROTO;
	}
	if (n == 0) {
		/* EOF: execve closed the child's O_CLOEXEC end */
		memcpy(c->stdio, l->stdio, sizeof c->stdio);
		l->stdio[0] = l->stdio[1] = l->stdio[2] = -1;
		c->main_pid = l->main_pid;
		c->reaper_fd = l->reaper_fd;
		l->reaper_fd = -1;
		return 0;
	}
	for (int i = 0; i < 3; i++)
		close_fd(&l->stdio[i]);
	close_fd(&l->reaper_fd);
	if (n == (ssize_t)sizeof rep) {
		rep.step[sizeof rep.step - 1] = rep.path[sizeof rep.path - 1] = '\0';
		c->exit_code = rep.exit_code;
		return err_set(e, rep.errnum, "%s: %s%s%s", l->name, rep.step,
			       rep.path[0] ? " " : "", rep.path);
	}
	/* A short record cannot come from our child: kill it */
	{
		int err = n < 0 ? errno : EPROTO;

		syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
		c->exit_code = SBX_EXIT_SETUP;
		return err_set(e, err, "%s: read the launch child's report", l->name);
	}
}

void sbx_launch_abort(struct sbx_launch *l)
{
	/* before a handover the relay: the command it may have made waits
	 * for it, and goes when it dies */
	if (l->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, l->pidfd, SIGKILL, NULL, 0);
	else if (l->pid > 0)
		kill(l->pid, SIGKILL);
	launch_close(l);
	l->exit_code = SBX_EXIT_SETUP;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int sbx_launch(const struct spec *s, const struct sbx_launch_opts *o, struct sbx_child *c,
	       struct err *e)
{
	struct sbx_launch l;
	long long deadline;
	int rc;

	memset(c, 0, sizeof *c);
	c->pid = -1;
	c->pidfd = -1;
	c->reaper_fd = -1;
	c->stdio[0] = c->stdio[1] = c->stdio[2] = -1;
	if (sbx_launch_begin(s, o, &l, e) < 0) {
		c->exit_code = l.exit_code;
		return -1;
	}
	deadline = now_ms() + SBX_SETUP_TIMEOUT_S * 1000LL;
	while ((rc = sbx_launch_end(&l, c, e)) >= 1) {
		struct pollfd p = { .fd = l.sock, .events = POLLIN };
		long long left = deadline - now_ms();

		if (left <= 0) {
			pid_t pid = l.pid;

			sbx_launch_abort(&l);
			reap(pid);
			if (l.relay_pid > 0)
				reap(l.relay_pid);
			err_set(e, ETIMEDOUT, "%s: the sandbox setup did not finish within %d s",
				s->name, SBX_SETUP_TIMEOUT_S);
			c->pid = -1;
			c->exit_code = SBX_EXIT_SETUP;
			return -1;
		}
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR) {
			pid_t pid = l.pid;

			err_set(e, errno, "%s: wait for the launch child", s->name);
			sbx_launch_abort(&l);
			reap(pid);
			c->pid = -1;
			c->exit_code = SBX_EXIT_SETUP;
			return -1;
		}
	}
	/* a join's relay: it exits right after the handover (no other
	 * reaper here could have taken its pid) */
	if (l.relay_pid > 0)
		reap(l.relay_pid);
	if (rc < 0) {
		reap(c->pid);
		close_fd(&c->pidfd);
		c->pid = -1;
	}
	return rc;
}
