/* setns through a pidfd, and the relay into a pid namespace. See join.h. */
#include "join.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../config/spec.h"
#include "child.h"
#include "launch.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

uint64_t sbx_join_setns_flags(unsigned ns)
{
	static const uint64_t flag[NS_COUNT] = {
		[NS_PID] = CLONE_NEWPID, [NS_NET] = CLONE_NEWNET, [NS_IPC] = CLONE_NEWIPC,
		[NS_UTS] = CLONE_NEWUTS, [NS_MOUNT] = CLONE_NEWNS, [NS_CGROUP] = CLONE_NEWCGROUP,
		[NS_USER] = CLONE_NEWUSER,
	};
	uint64_t f = 0;

	for (int t = 0; t < NS_COUNT; t++)
		if (ns & NS_BIT(t))
			f |= flag[t];
	return f;
}

int sbx_join_enter(int pidfd, uint64_t flags, struct step_fail *f)
{
	/* One call: with a pidfd the kernel enters every namespace or none,
	 * the user namespace first; the mount namespace's root becomes our
	 * root and cwd (finish() then resolves the cwd inside it). */
	if (setns(pidfd, (int)flags) < 0)
		return step_failed(f, (flags & CLONE_NEWNS) ?
				   "enter the namespaces of the running service" :
				   "join the namespaces (JoinsNamespaceOf=) of the unit's process",
				   NULL, errno);
	close(pidfd);
	return 0;
}

/* struct clone_args of <linux/sched.h>, which clashes with musl's sched.h */
struct relay_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

static int handover(int sock, pid_t pid, int pidfd)
{
	struct sbx_msg m = { .kind = SBX_MSG_HANDOVER, .pid = pid };
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof m };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof u.buf,
	};
	struct cmsghdr *cm;
	char ack = 0;
	ssize_t n;

	memset(&u, 0, sizeof u);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pidfd, sizeof pidfd);
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof m)
		return -1;
	/* Until the caller has taken the command's pid as the one to reap,
	 * the command must not run (it could exit, and a caller reaping
	 * every child would take its status for a stranger's). EOF: the
	 * caller gave up on this launch. */
	do
		n = recv(sock, &ack, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n != 1 || ack != SBX_JOIN_ACK) {
		errno = n < 0 ? errno : EPROTO;
		return -1;
	}
	return 0;
}

int sbx_join_relay(int sock, struct step_fail *f)
{
	struct relay_clone_args a;
	int gate[2], pidfd = -1, err;
	pid_t pid;

	if (pipe2(gate, O_CLOEXEC) < 0)
		return step_failed(f, "create the relay's gate", NULL, errno);
	memset(&a, 0, sizeof a);
	/* CLONE_PARENT: the caller's child, not ours; exit_signal must be 0
	 * with it (the relay's own, SIGCHLD, is the one used) */
	a.flags = CLONE_PARENT | CLONE_PIDFD;
	a.pidfd = (uint64_t)(uintptr_t)&pidfd;
	pid = (pid_t)syscall(SYS_clone3, &a, sizeof a);
	if (pid < 0) {
		err = errno;
		close(gate[0]);
		close(gate[1]);
		return step_failed(f, "start the command in the service's pid namespace", NULL,
				   err);
	}
	if (pid == 0) {
		char g = 0;
		ssize_t n;

		close(gate[1]);
		do   /* 'g': acked; EOF: the relay died or gave up */
			n = read(gate[0], &g, 1);
		while (n < 0 && errno == EINTR);
		close(gate[0]);
		if (n != 1 || g != 'g')
			_exit(SBX_EXIT_SETUP);
		return 0;
	}
	close(gate[0]);
	if (handover(sock, pid, pidfd) < 0 || write(gate[1], "g", 1) != 1) {
		err = errno;
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		return step_failed(f, "hand the command over to the caller", NULL, err);
	}
	_exit(0);
}
