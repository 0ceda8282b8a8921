/*
 * probe: a static helper that test services run inside sandboxes to report what
 * the sandbox lets them do. Every verb prints plain lines that shell tests grep;
 * errors are printed by errno name (EPERM), never by number.
 *
 *   probe memhog MB            allocate and touch MB MiB, 1 MiB at a time
 *   probe forkbomb N [--hold]  fork N sleeping children; forked=K wanted=N errno=E;
 *                              --hold: then keep them (and sleep) instead of ending them
 *   probe zombies N [--orphan] leave N unreaped zombies (or orphans for the reaper)
 *   probe syscall NAME|all     try a privileged syscall with harmless arguments (and
 *                              the hardening keys' forms: socket-inet, mmap-wx, ...:
 *                              probe syscall list)
 *   probe fds                  open fd numbers
 *   probe caps                 capability, NoNewPrivs and Seccomp lines of status
 *   probe ids                  uids, gids, groups
 *   probe rlimit NAME          soft and hard limit
 *   probe exit N | sleep S | ignore-term | i386-syscall | x32-syscall
 *   probe write PATH | exe-write
 *   probe dgram [--fds N] [--repeat N] PATH DATA
 *                              DATA as datagrams to a unix datagram socket (each
 *                              with N fds of /dev/null attached): sent=K errno=E
 *   probe ns OP TYPE[+TYPE...]  try to make (or enter) namespaces; OP is clone,
 *                              clone-vfork, clone3, thread-clone, i386-clone,
 *                              unshare, setns, setns-pidfd, setns-any; TYPE is
 *                              mnt cgroup uts ipc user pid net time. Prints
 *                              OP TYPES: errno E | new namespace | same namespace
 *                              | ok | killed by SIG
 *   probe sock [--euid N] [--repeat N] PATH DATA
 *                              one request on a unix stream socket, reply printed
 *   probe notify MSG           MSG as one datagram to $NOTIFY_SOCKET (sd_notify)
 *   probe fuse-hang DIR        mount a FUSE file system on DIR that never answers
 *   probe fuse-stall DIR       the same, but it answers FUSE_INIT and takes every
 *                              request unanswered: the caller sleeps unkillably
 *                              (a hung FUSE or NFS server): every lookup under DIR
 *                              blocks until this process dies (its end of
 *                              /dev/fuse closes and the kernel aborts the mount)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/fuse.h>

#define MIB (1024L * 1024L)

/* Unbuffered so that a line printed just before the OOM killer or a seccomp kill
 * strikes is not lost in a stdio buffer. */
static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;
	size_t off = 0;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	while (off < (size_t)n) {
		ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

struct name { int num; const char *name; };

#define N(x) { x, #x }
static const struct name errnos[] = {
	N(EPERM), N(ENOENT), N(ESRCH), N(EINTR), N(EIO), N(ENXIO), N(E2BIG),
	N(ENOEXEC), N(EBADF), N(ECHILD), N(EAGAIN), N(ENOMEM), N(EACCES), N(EFAULT),
	N(ENOTBLK), N(EBUSY), N(EEXIST), N(EXDEV), N(ENODEV), N(ENOTDIR), N(EISDIR),
	N(EINVAL), N(ENFILE), N(EMFILE), N(ENOTTY), N(ETXTBSY), N(EFBIG), N(ENOSPC),
	N(ESPIPE), N(EROFS), N(EMLINK), N(EPIPE), N(EDOM), N(ERANGE), N(EDEADLK),
	N(ENAMETOOLONG), N(ENOLCK), N(ENOSYS), N(ENOTEMPTY), N(ELOOP), N(ENOMSG),
	N(EIDRM), N(ENOSTR), N(ENODATA), N(ETIME), N(ENOSR), N(ENOLINK), N(EPROTO),
	N(EBADMSG), N(EOVERFLOW), N(EILSEQ), N(EUSERS), N(ENOTSOCK), N(EDESTADDRREQ),
	N(EMSGSIZE), N(EPROTOTYPE), N(ENOPROTOOPT), N(EPROTONOSUPPORT), N(EOPNOTSUPP),
	N(EAFNOSUPPORT), N(EADDRINUSE), N(EADDRNOTAVAIL), N(ENETDOWN), N(ENETUNREACH),
	N(ECONNABORTED), N(ECONNRESET), N(ENOBUFS), N(EISCONN), N(ENOTCONN),
	N(ETIMEDOUT), N(ECONNREFUSED), N(EHOSTUNREACH), N(EALREADY), N(EINPROGRESS),
	N(ESTALE), N(EDQUOT), N(ECANCELED), N(ENOKEY), N(EKEYEXPIRED), N(EKEYREVOKED),
	N(EKEYREJECTED), N(EOWNERDEAD), N(ENOTRECOVERABLE), N(ERFKILL), N(EHWPOISON),
	N(EMEDIUMTYPE), N(ENOMEDIUM),
};

static const struct name signals[] = {
	N(SIGHUP), N(SIGINT), N(SIGQUIT), N(SIGILL), N(SIGTRAP), N(SIGABRT), N(SIGBUS),
	N(SIGFPE), N(SIGKILL), N(SIGUSR1), N(SIGSEGV), N(SIGUSR2), N(SIGPIPE),
	N(SIGALRM), N(SIGTERM), N(SIGCHLD), N(SIGCONT), N(SIGSTOP), N(SIGTSTP),
	N(SIGXCPU), N(SIGXFSZ), N(SIGSYS),
};
#undef N

static const char *lookup(const struct name *t, size_t n, int num, char *buf, size_t len,
			  const char *prefix)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].num == num)
			return t[i].name;
	snprintf(buf, len, "%s%d", prefix, num);
	return buf;
}

static const char *ename(int e)
{
	static char buf[16];

	return lookup(errnos, sizeof(errnos) / sizeof(errnos[0]), e, buf, sizeof(buf), "E");
}

static const char *signame(int s)
{
	static char buf[16];

	return lookup(signals, sizeof(signals) / sizeof(signals[0]), s, buf, sizeof(buf), "SIG");
}

static int usage(void)
{
	static const char text[] =
		"usage: probe VERB [ARGS]\n"
		"  memhog MB | forkbomb N | zombies N [--orphan] | syscall NAME|all|list\n"
		"  fds | caps | ids | rlimit NAME | exit N | sleep S | ignore-term\n"
		"  i386-syscall | x32-syscall | write PATH | exe-write | tcflow off|on TTY\n"
		"  sigqueue PID SIG FAKEPID\n"
		"  dgram [--fds N] [--repeat N] PATH DATA\n"
		"  ns clone|clone-vfork|clone3|thread-clone|i386-clone|unshare|setns|\n"
		"     setns-pidfd|setns-any mnt|cgroup|uts|ipc|user|pid|net|time[+...]\n"
		"  sock [--euid N] [--repeat N] PATH DATA\n"
		"  fuse-hang DIR\n"
		"  fuse-stall DIR\n"
		"  notify MSG\n";

	if (write(STDERR_FILENO, text, sizeof(text) - 1) < 0)
		return 2;
	return 2;
}

static int number(const char *s, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return (errno || end == s || *end || *v < 0) ? -1 : 0;
}

static void sleep_forever(void) __attribute__((noreturn));
static void sleep_forever(void)
{
	for (;;)
		pause();
}

static int do_memhog(long mb)
{
	long page = sysconf(_SC_PAGESIZE);

	if (page <= 0)
		page = 4096;
	for (long i = 1; i <= mb; i++) {
		char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			out("memhog: failed at %ld MiB: errno %s\n", i, ename(errno));
			return 1;
		}
		for (long off = 0; off < MIB; off += page)
			p[off] = (char)(i | 1);
		out("memhog: %ld MiB\n", i);
	}
	out("memhog: done %ld MiB\n", mb);
	return 0;
}

static int do_forkbomb(long n, int hold)
{
	pid_t *kids = calloc((size_t)n + 1, sizeof(*kids));
	long forked = 0;
	int first = 0;

	if (!kids) {
		out("forkbomb: errno %s\n", ename(errno));
		return 1;
	}
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			if (!first)
				first = errno;
			continue;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			sleep_forever();
		}
		kids[forked++] = pid;
	}
	out("forkbomb: forked=%ld wanted=%ld errno=%s\n", forked, n,
	    first ? ename(first) : "none");
	if (hold)
		sleep_forever();
	for (long i = 0; i < forked; i++)
		kill(kids[i], SIGKILL);
	for (long i = 0; i < forked; i++)
		while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
			;
	free(kids);
	return 0;
}

/* Each grandchild waits until it has been handed to the reaper before it exits, so
 * that the zombie is the reaper's to collect, not the middle child's. They wait
 * blocked on a pipe that the middle child's exit closes, then poll getppid()
 * only for the moment the hand-over takes: a thousand processes polling all
 * along would starve the forks under emulation. */
static int do_zombies(long n, int orphan)
{
	int gate[2];

	if (!orphan) {
		long made = 0;

		for (long i = 0; i < n; i++) {
			pid_t pid = fork();

			if (pid == 0)
				_exit(0);
			if (pid > 0)
				made++;
		}
		out("zombies: %ld children exited unreaped\n", made);
		sleep_forever();
	}

	if (pipe2(gate, O_CLOEXEC) < 0) {
		out("zombies: pipe errno %s\n", ename(errno));
		return 1;
	}
	pid_t mid = fork();

	if (mid < 0) {
		out("zombies: fork errno %s\n", ename(errno));
		return 1;
	}
	if (mid == 0) {
		pid_t me = getpid();
		long made = 0;
		int first = 0;

		for (long i = 0; i < n; i++) {
			pid_t pid = fork();

			if (pid == 0) {
				char c;

				close(gate[1]);
				while (read(gate[0], &c, 1) < 0 && errno == EINTR)
					;
				for (int t = 0; t < 5000 && getppid() == me; t++)
					usleep(1000);
				_exit(0);
			}
			if (pid > 0)
				made++;
			else if (!first)
				first = errno;
		}
		if (made < n)
			out("zombies: forked %ld of %ld, errno %s\n", made, n, ename(first));
		_exit(0);
	}
	close(gate[1]);
	close(gate[0]);
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	out("zombies: %ld orphans handed to the reaper\n", n);
	sleep_forever();
	return 0;
}

/* --- syscall verbs: each returns 0 or -errno and undoes whatever it managed to do. */

static int tmp_dir(char *buf, size_t len)
{
	static const char *const bases[] = { "/tmp", "/run", "/dev/shm", "." };

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		snprintf(buf, len, "%s/probe.XXXXXX", bases[i]);
		if (mkdtemp(buf))
			return 0;
	}
	return -1;
}

static int sc_mount(void)
{
	char dir[64];
	int r;

	if (tmp_dir(dir, sizeof(dir)) < 0)
		/* Nowhere to mount on: a propagation change on / asks the same question. */
		return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ? -errno : 0;
	r = mount("probe", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=4k") < 0 ? -errno : 0;
	if (r == 0)
		umount2(dir, MNT_DETACH);
	rmdir(dir);
	return r;
}

/* Never a mount root, so a permitted call fails with EINVAL and changes nothing. */
static int sc_umount(void)
{
	return umount2("/proc/self/fd", 0) < 0 ? -errno : 0;
}

static int sc_pivot_root(void)
{
	return syscall(SYS_pivot_root, "/nonexistent-probe", "/nonexistent-probe") < 0 ? -errno : 0;
}

static int sc_unshare_ns(void) { return unshare(CLONE_NEWNS) < 0 ? -errno : 0; }
static int sc_unshare_user(void) { return unshare(CLONE_NEWUSER) < 0 ? -errno : 0; }
static int sc_unshare_net(void) { return unshare(CLONE_NEWNET) < 0 ? -errno : 0; }

static int sc_setns(void)
{
	int fd = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = setns(fd, CLONE_NEWNS) < 0 ? -errno : 0;
	close(fd);
	return r;
}

/* Bad magic: EPERM without CAP_SYS_BOOT, EINVAL with it; nothing reboots. */
static int sc_reboot(void)
{
	return syscall(SYS_reboot, 0, 0, 0, NULL) < 0 ? -errno : 0;
}

/* An unknown architecture in the flags: EINVAL once past the permission check. */
static int sc_kexec_load(void)
{
	return syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0x00ff0000UL) < 0 ? -errno : 0;
}

static int sc_kexec_file_load(void)
{
	return syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0UL) < 0 ? -errno : 0;
}

/* An empty image: ENOEXEC once past the permission check. */
static int sc_init_module(void)
{
	return syscall(SYS_init_module, NULL, 0UL, "") < 0 ? -errno : 0;
}

static int sc_finit_module(void)
{
	return syscall(SYS_finit_module, -1, "", 0) < 0 ? -errno : 0;
}

static int sc_delete_module(void)
{
	return syscall(SYS_delete_module, "probe_no_such_module", O_NONBLOCK) < 0 ? -errno : 0;
}

/* BPF_MAP_CREATE of map type 0: EINVAL once past the permission check. */
static int sc_bpf(void)
{
	unsigned char attr[128] = { 0 };
	long fd = syscall(SYS_bpf, 0, attr, sizeof(attr));

	if (fd < 0)
		return -errno;
	close((int)fd);
	return 0;
}

static int sc_ptrace(void)
{
	return syscall(SYS_ptrace, 0L /* PTRACE_TRACEME */, 0L, NULL, NULL) < 0 ? -errno : 0;
}

static int sc_swapon(void)
{
	return syscall(SYS_swapon, "/nonexistent-probe", 0) < 0 ? -errno : 0;
}

static int sc_settime(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -errno;
	return clock_settime(CLOCK_REALTIME, &ts) < 0 ? -errno : 0;
}

static int sc_sethostname(void)
{
	char name[HOST_NAME_MAX + 1] = { 0 };

	if (gethostname(name, sizeof(name) - 1) < 0)
		return -errno;
	return sethostname(name, strlen(name)) < 0 ? -errno : 0;
}

static int sc_chroot(void) { return chroot("/") < 0 ? -errno : 0; }

static int sc_mknod(void)
{
	char dir[64], node[80];
	int r;

	if (tmp_dir(dir, sizeof(dir)) < 0)
		return -errno;
	snprintf(node, sizeof(node), "%s/null", dir);
	r = mknod(node, S_IFCHR | 0600, makedev(1, 3)) < 0 ? -errno : 0;
	unlink(node);
	rmdir(dir);
	return r;
}

static int sc_keyctl(void)
{
	/* KEYCTL_GET_KEYRING_ID of the session keyring, without creating it. */
	return syscall(SYS_keyctl, 0, -3, 0) < 0 ? -errno : 0;
}

static int sc_perf_event_open(void)
{
	unsigned char attr[128] = { 0 };
	long fd;

	attr[4] = 112; /* attr.size = PERF_ATTR_SIZE_VER5 */
	fd = syscall(SYS_perf_event_open, attr, 0, -1, -1, 0UL);
	if (fd < 0)
		return -errno;
	close((int)fd);
	return 0;
}

static int sc_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close((int)fd);
	return 0;
}

static int sc_io_uring_setup(void)
{
	unsigned char params[128] = { 0 };
	long fd = syscall(SYS_io_uring_setup, 1, params);

	if (fd < 0)
		return -errno;
	close((int)fd);
	return 0;
}

/* Shocker (CVE-2014-3519): CAP_DAC_READ_SEARCH is checked before the bad fd. */
static int sc_open_by_handle_at(void)
{
	unsigned char handle[16] = { 0 };
	long fd = syscall(SYS_open_by_handle_at, -1, handle, O_RDONLY);

	if (fd < 0)
		return -errno;
	close((int)fd);
	return 0;
}

static int sc_acct(void) { return syscall(SYS_acct, NULL) < 0 ? -errno : 0; }

static int sc_iopl(void)
{
#ifdef SYS_iopl
	return syscall(SYS_iopl, 3) < 0 ? -errno : 0;
#else
	return -ENOSYS;
#endif
}

static int sc_personality(void)
{
	/* Asks for READ_IMPLIES_EXEC, then puts the old persona back. */
	long old = syscall(SYS_personality, 0xffffffffUL);
	long r;

	if (old < 0)
		return -errno;
	r = syscall(SYS_personality, 0x0400000UL);
	if (r < 0)
		return -errno;
	syscall(SYS_personality, (unsigned long)old);
	return 0;
}

/* The hardening keys (RestrictAddressFamilies=, MemoryDenyWriteExecute=,
 * LockPersonality=, RestrictRealtime=, RestrictSUIDSGID=): each a refused
 * and an allowed form, by raw syscall so that libc takes no other path. */
static int sc_fd_result(long fd)
{
	if (fd < 0)
		return -errno;
	close((int)fd);
	return 0;
}

static int sc_socket_inet(void) { return sc_fd_result(syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0)); }
static int sc_socket_unix(void) { return sc_fd_result(syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0)); }
static int sc_socket_netlink(void)
{
	return sc_fd_result(syscall(SYS_socket, AF_NETLINK, SOCK_DGRAM, 0 /* NETLINK_ROUTE */));
}

/* AF_NETLINK in the low 32 bits, garbage above: the kernel reads an int.
 * A 32-bit architecture's registers have nothing above (and a long long
 * handed to syscall() there lands in a register pair it does not read):
 * no call, as the i386 verbs elsewhere. */
static int sc_socket_netlink_hi(void)
{
#if ULONG_MAX > 0xffffffffUL
	return sc_fd_result(syscall(SYS_socket, 0x100000000L | AF_NETLINK, SOCK_DGRAM, 0));
#else
	return -ENOSYS;
#endif
}

static int sc_socketpair_unix(void)
{
	int sv[2];

	if (syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -errno;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static int sc_map(int prot)
{
#ifdef SYS_mmap
	void *p = (void *)syscall(SYS_mmap, NULL, 4096UL, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
#else
	/* 32-bit ARM has only mmap2 (offset in pages; 0 either way) */
	void *p = (void *)syscall(SYS_mmap2, NULL, 4096UL, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
#endif

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, 4096);
	return 0;
}

static int sc_mmap_wx(void) { return sc_map(PROT_READ | PROT_WRITE | PROT_EXEC); }
static int sc_mmap_rx(void) { return sc_map(PROT_READ | PROT_EXEC); }
static int sc_mmap_rw(void) { return sc_map(PROT_READ | PROT_WRITE); }

/* written first, then made executable: the JIT's way around W^X */
static int sc_mprotect_x(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long r;

	if (p == MAP_FAILED)
		return -errno;
	r = syscall(SYS_mprotect, p, 4096UL, PROT_READ | PROT_EXEC);
	r = r < 0 ? -errno : 0;
	munmap(p, 4096);
	return (int)r;
}

static int sc_persona(unsigned long v)
{
	long old = syscall(SYS_personality, 0xffffffffUL);

	if (syscall(SYS_personality, v) < 0)
		return -errno;
	if (old >= 0)
		syscall(SYS_personality, (unsigned long)old);
	return 0;
}

static int sc_personality_linux32(void) { return sc_persona(0x0008 /* PER_LINUX32 */); }
static int sc_personality_linux(void) { return sc_persona(0 /* PER_LINUX */); }
static int sc_personality_query(void)
{
	return syscall(SYS_personality, 0xffffffffUL) < 0 ? -errno : 0;
}
/* READ_IMPLIES_EXEC: every readable mapping would be executable */
static int sc_personality_rie(void) { return sc_persona(0x0400000); }
/* a read of the clock's state (modes 0): the call that can also set it */
static int sc_adjtimex_read(void)
{
	long long tx[26] = { 0 };   /* 208 bytes: the kernel's struct timex or more */

	return syscall(SYS_adjtimex, tx) < 0 ? -errno : 0;
}

static int sc_sched(int policy)
{
	struct sched_param sp = { .sched_priority = policy == SCHED_FIFO ? 1 : 0 };

	return syscall(SYS_sched_setscheduler, 0, policy, &sp) < 0 ? -errno : 0;
}

static int sc_sched_fifo(void) { return sc_sched(SCHED_FIFO); }
static int sc_sched_batch(void) { return sc_sched(SCHED_BATCH); }

/* in the probe's own folder of /tmp, removed after */
static int sc_mode_call(int which, mode_t mode)
{
	char dir[] = "/tmp/probe-sxid.XXXXXX", path[64];
	long r;

	if (!mkdtemp(dir))
		return -errno;
	snprintf(path, sizeof path, "%s/f", dir);
	if (which == 0) {
		int fd = open(path, O_WRONLY | O_CREAT, 0600);

		if (fd >= 0)
			close(fd);
#ifdef SYS_chmod
		r = syscall(SYS_chmod, path, mode);
#else
		/* aarch64 has only the *at calls; the filter sees the same mode */
		r = syscall(SYS_fchmodat, AT_FDCWD, path, mode);
#endif
	} else if (which == 1) {
		r = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT, mode);
		if (r >= 0)
			close((int)r);
	} else {
#ifdef SYS_mkdir
		r = syscall(SYS_mkdir, path, mode);
#else
		r = syscall(SYS_mkdirat, AT_FDCWD, path, mode);
#endif
	}
	r = r < 0 ? -errno : 0;
	unlink(path);
	rmdir(path);
	rmdir(dir);
	return (int)r;
}

static int sc_chmod_suid(void) { return sc_mode_call(0, 04755); }
static int sc_chmod_sgid(void) { return sc_mode_call(0, 02755); }
static int sc_chmod_plain(void) { return sc_mode_call(0, 0755); }
static int sc_creat_suid(void) { return sc_mode_call(1, 04755); }
static int sc_creat_plain(void) { return sc_mode_call(1, 0644); }
static int sc_mkdir_sgid(void) { return sc_mode_call(2, 02755); }

/* The same through the i386 entry point (int 0x80), where socket calls
 * go through socketcall(2) and no filter rule on socket() applies: a
 * native-only filter must kill them. */
static long i386_call(long nr, long a, long b)
{
#if defined(__x86_64__)
	long ret = nr;

	__asm__ volatile("int $0x80" : "+a"(ret) : "b"(a), "c"(b) : "r8", "r9", "r10", "r11", "memory");
	return ret;
#else
	(void)nr, (void)a, (void)b;
	return -ENOSYS;
#endif
}

static int i386_result(long r)
{
	if (r < 0 && r > -4096)
		return (int)r;
	return 0;
}

/* socketcall(SYS_SOCKET, {AF_NETLINK, SOCK_DGRAM, 0}); the arguments in
 * static data, below 4 GiB in this non-PIE static program */
static unsigned int i386_sock_args[3] = { AF_NETLINK, SOCK_DGRAM, 0 };
static int sc_i386_socketcall(void)
{
	return i386_result(i386_call(102 /* socketcall */, 1 /* SYS_SOCKET */,
				     (long)(uintptr_t)i386_sock_args));
}
static int sc_i386_personality(void)
{
	return i386_result(i386_call(136 /* personality */, 0x0008 /* PER_LINUX32 */, 0));
}

struct scall { const char *name; int (*fn)(void); };

static const struct scall scalls[] = {
	{ "mount", sc_mount },
	{ "umount", sc_umount },
	{ "pivot_root", sc_pivot_root },
	{ "unshare", sc_unshare_ns },
	{ "unshare-user", sc_unshare_user },
	{ "unshare-net", sc_unshare_net },
	{ "setns", sc_setns },
	{ "reboot", sc_reboot },
	{ "kexec_load", sc_kexec_load },
	{ "kexec_file_load", sc_kexec_file_load },
	{ "init_module", sc_init_module },
	{ "finit_module", sc_finit_module },
	{ "delete_module", sc_delete_module },
	{ "bpf", sc_bpf },
	{ "ptrace", sc_ptrace },
	{ "swapon", sc_swapon },
	{ "settime", sc_settime },
	{ "sethostname", sc_sethostname },
	{ "chroot", sc_chroot },
	{ "mknod", sc_mknod },
	{ "keyctl", sc_keyctl },
	{ "perf_event_open", sc_perf_event_open },
	{ "userfaultfd", sc_userfaultfd },
	{ "io_uring_setup", sc_io_uring_setup },
	{ "open_by_handle_at", sc_open_by_handle_at },
	{ "acct", sc_acct },
	{ "iopl", sc_iopl },
	{ "personality", sc_personality },
	{ "socket-inet", sc_socket_inet },
	{ "socket-unix", sc_socket_unix },
	{ "socket-netlink", sc_socket_netlink },
	{ "socket-netlink-hi", sc_socket_netlink_hi },
	{ "socketpair-unix", sc_socketpair_unix },
	{ "mmap-wx", sc_mmap_wx },
	{ "mmap-rx", sc_mmap_rx },
	{ "mmap-rw", sc_mmap_rw },
	{ "mprotect-x", sc_mprotect_x },
	{ "personality-linux32", sc_personality_linux32 },
	{ "personality-linux", sc_personality_linux },
	{ "personality-query", sc_personality_query },
	{ "personality-rie", sc_personality_rie },
	{ "adjtimex-read", sc_adjtimex_read },
	{ "sched-fifo", sc_sched_fifo },
	{ "sched-batch", sc_sched_batch },
	{ "chmod-suid", sc_chmod_suid },
	{ "chmod-sgid", sc_chmod_sgid },
	{ "chmod-plain", sc_chmod_plain },
	{ "creat-suid", sc_creat_suid },
	{ "creat-plain", sc_creat_plain },
	{ "mkdir-sgid", sc_mkdir_sgid },
	{ "i386-socketcall", sc_i386_socketcall },
	{ "i386-personality", sc_i386_personality },
};

/* Runs fn in a child so that a seccomp kill is reported rather than fatal, and
 * whatever the call changed dies with the child. Prints NAME: ok | errno E | killed. */
static int run_child(const char *name, int (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid < 0) {
		/* No room for a child (pids limit): ask in this process instead. */
		int r = fn();

		if (r < 0)
			out("%s: errno %s\n", name, ename(-r));
		else
			out("%s: ok\n", name);
		return r < 0;
	}
	if (pid == 0) {
		int r = fn();

		if (r < 0)
			out("%s: errno %s\n", name, ename(-r));
		else
			out("%s: ok\n", name);
		_exit(r < 0);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			out("%s: waitpid errno %s\n", name, ename(errno));
			return 1;
		}
	}
	if (WIFSIGNALED(st)) {
		out("%s: killed by %s\n", name, signame(WTERMSIG(st)));
		return 1;
	}
	return WEXITSTATUS(st);
}

static int do_syscall(const char *name)
{
	size_t n = sizeof(scalls) / sizeof(scalls[0]);

	if (strcmp(name, "list") == 0) {
		for (size_t i = 0; i < n; i++)
			out("%s\n", scalls[i].name);
		return 0;
	}
	if (strcmp(name, "all") == 0) {
		for (size_t i = 0; i < n; i++)
			run_child(scalls[i].name, scalls[i].fn);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, scalls[i].name) == 0) {
			run_child(name, scalls[i].fn);
			return 0;
		}
	out("probe: unknown syscall %s (try: probe syscall list)\n", name);
	return 2;
}

static int do_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	char line[4096];
	size_t len = 0;
	int nums[1024];
	size_t n = 0;
	struct dirent *de;

	if (!d) {
		out("fds: errno %s\n", ename(errno));
		return 1;
	}
	while ((de = readdir(d)) && n < sizeof(nums) / sizeof(nums[0])) {
		long v;

		if (de->d_name[0] == '.' || number(de->d_name, &v) < 0 || v == dirfd(d))
			continue;
		nums[n++] = (int)v;
	}
	closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && nums[j - 1] > nums[j]; j--) {
			int t = nums[j];

			nums[j] = nums[j - 1];
			nums[j - 1] = t;
		}
	line[0] = 0;
	for (size_t i = 0; i < n && len < sizeof(line) - 16; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %d", nums[i]);
	out("fds:%s\n", line);
	return 0;
}

static int do_caps(void)
{
	static const char *const keys[] = {
		"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:",
		"Seccomp:", "Seccomp_filters:",
	};
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];

	if (!f) {
		out("caps: errno %s\n", ename(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f))
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0)
				out("%s", line);
	fclose(f);
	return 0;
}

static int do_ids(void)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	gid_t groups[256];
	int n = getgroups(sizeof(groups) / sizeof(groups[0]), groups);
	char list[2048] = "";
	size_t len = 0;

	getresuid(&ru, &eu, &su);
	getresgid(&rg, &eg, &sg);
	for (int i = 0; i < n && len < sizeof(list) - 16; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%u", i ? "," : "",
					(unsigned)groups[i]);
	out("uid=%u gid=%u euid=%u egid=%u suid=%u sgid=%u groups=%s\n", (unsigned)ru,
	    (unsigned)rg, (unsigned)eu, (unsigned)eg, (unsigned)su, (unsigned)sg, list);
	return 0;
}

static int do_rlimit(const char *arg)
{
#define R(x) { RLIMIT_##x, #x }
	static const struct name lims[] = {
		R(CPU), R(FSIZE), R(DATA), R(STACK), R(CORE), R(RSS), R(NPROC), R(NOFILE),
		R(MEMLOCK), R(AS), R(LOCKS), R(SIGPENDING), R(MSGQUEUE), R(NICE), R(RTPRIO),
		R(RTTIME),
	};
#undef R
	const char *name = strncasecmp(arg, "RLIMIT_", 7) == 0 ? arg + 7 : arg;

	for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		struct rlimit rl;
		char soft[32], hard[32];

		if (strcasecmp(name, lims[i].name))
			continue;
		if (getrlimit(lims[i].num, &rl) < 0) {
			out("%s: errno %s\n", lims[i].name, ename(errno));
			return 1;
		}
		if (rl.rlim_cur == RLIM_INFINITY)
			snprintf(soft, sizeof(soft), "unlimited");
		else
			snprintf(soft, sizeof(soft), "%llu", (unsigned long long)rl.rlim_cur);
		if (rl.rlim_max == RLIM_INFINITY)
			snprintf(hard, sizeof(hard), "unlimited");
		else
			snprintf(hard, sizeof(hard), "%llu", (unsigned long long)rl.rlim_max);
		out("%s: %s %s\n", lims[i].name, soft, hard);
		return 0;
	}
	out("probe: unknown rlimit %s\n", arg);
	return 2;
}

static int do_sleep(long s)
{
	struct timespec ts = { .tv_sec = s, .tv_nsec = 0 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

static int do_ignore_term(void)
{
	signal(SIGTERM, SIG_IGN);
	out("ignore-term: pid %d ignores SIGTERM\n", (int)getpid());
	sleep_forever();
	return 0;
}

/* A FUSE server that never reads a request: the kernel's FUSE_INIT stays
 * unanswered, so every request on the mount but the root's own (a lookup
 * under DIR, a getattr of DIR) waits for it, killably, as on a hung
 * server. Prints "fuse-hang: mounted DIR" and sleeps until killed; the
 * kernel aborts the connection when our /dev/fuse fd closes with us. */
static int do_fuse_hang(const char *dir)
{
	char opts[128];
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		out("fuse-hang: open /dev/fuse: %s\n", ename(errno));
		return 1;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("probe-hang", dir, "fuse", MS_NOSUID | MS_NODEV, opts) < 0) {
		out("fuse-hang: mount %s: %s\n", dir, ename(errno));
		return 1;
	}
	out("fuse-hang: mounted %s\n", dir);
	sleep_forever();
	return 0;
}

/* A FUSE server that answers FUSE_INIT and then reads every request and
 * answers none: a request it took is past the point where a fatal signal
 * could withdraw it (fs/fuse/dev.c request_wait_answer), so whoever made
 * it sleeps uninterruptibly (D state) and SIGKILL does not end it, as on
 * an NFS or FUSE server that hangs mid-request. Prints "fuse-stall:
 * mounted DIR"; the kernel aborts the connection when we die, and the
 * sleepers get ENOTCONN. */
static int do_fuse_stall(const char *dir)
{
	static char buf[1 << 17];
	char opts[128];
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		out("fuse-stall: open /dev/fuse: %s\n", ename(errno));
		return 1;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("probe-stall", dir, "fuse", MS_NOSUID | MS_NODEV, opts) < 0) {
		out("fuse-stall: mount %s: %s\n", dir, ename(errno));
		return 1;
	}
	out("fuse-stall: mounted %s\n", dir);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		struct fuse_in_header *in = (struct fuse_in_header *)buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)sizeof *in)
			break;
		if (in->opcode == FUSE_INIT) {
			struct {
				struct fuse_out_header h;
				struct fuse_init_out o;
			} r;

			memset(&r, 0, sizeof r);
			r.h.len = sizeof r;
			r.h.unique = in->unique;
			r.o.major = FUSE_KERNEL_VERSION;
			r.o.minor = FUSE_KERNEL_MINOR_VERSION;
			r.o.max_write = 4096;
			r.o.max_background = 16;
			r.o.congestion_threshold = 12;
			if (write(fd, &r, sizeof r) != (ssize_t)sizeof r)
				out("fuse-stall: init reply: %s\n", ename(errno));
			else
				out("fuse-stall: init answered\n");
		}
		/* anything else: taken, never answered */
	}
	out("fuse-stall: read /dev/fuse: %s\n", ename(errno));
	sleep_forever();
	return 0;
}

/* getpid through the i386 entry point: a filter that only knows the x86_64 ABI
 * lets it through (and a good one kills or refuses it). */
static int i386_getpid(void)
{
#if defined(__x86_64__)
	long ret = 20; /* __NR_getpid on i386 */

	__asm__ volatile("int $0x80" : "+a"(ret) : : "r8", "r9", "r10", "r11", "memory");
	if (ret < 0 && ret > -4096)
		return (int)ret;
	out("i386-syscall: getpid=%ld\n", ret);
	return 0;
#else
	return -ENOSYS;
#endif
}

static int do_i386(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		int r = i386_getpid();

		if (r < 0)
			out("i386-syscall: errno %s\n", ename(-r));
		_exit(r < 0);
	}
	if (pid < 0) {
		out("i386-syscall: fork errno %s\n", ename(errno));
		return 1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		out("i386-syscall: killed by %s\n", signame(WTERMSIG(st)));
		return 1;
	}
	return WEXITSTATUS(st);
}

/* getpid through the x32 ABI (the number with bit 30 set): a filter that
 * ignores that bit lets it through; a kernel without CONFIG_X86_X32_ABI
 * answers ENOSYS when nothing filters it. */
static int do_x32(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
#if defined(__x86_64__)
		long r = syscall(0x40000000L | SYS_getpid);

		if (r < 0) {
			out("x32-syscall: errno %s\n", ename(errno));
			_exit(1);
		}
		out("x32-syscall: getpid=%ld\n", r);
		_exit(0);
#else
		out("x32-syscall: errno ENOSYS\n");
		_exit(1);
#endif
	}
	if (pid < 0) {
		out("x32-syscall: fork errno %s\n", ename(errno));
		return 1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		out("x32-syscall: killed by %s\n", signame(WTERMSIG(st)));
		return 1;
	}
	return WEXITSTATUS(st);
}

/* ---- namespaces: can this process make or enter one? ---- */

static const struct nstype {
	const char *name;
	const char *child_file;    /* /proc/self/ns/ of a clone child */
	const char *self_file;     /* /proc/self/ns/ after unshare */
	unsigned long flag;
} nstypes[] = {
	{ "mnt", "mnt", "mnt", CLONE_NEWNS },
	{ "cgroup", "cgroup", "cgroup", CLONE_NEWCGROUP },
	{ "uts", "uts", "uts", CLONE_NEWUTS },
	{ "ipc", "ipc", "ipc", CLONE_NEWIPC },
	{ "user", "user", "user", CLONE_NEWUSER },
	{ "pid", "pid", "pid_for_children", CLONE_NEWPID },
	{ "net", "net", "net", CLONE_NEWNET },
	{ "time", "time", "time_for_children", CLONE_NEWTIME },
};

struct nsreq {
	const char *op, *types;
	unsigned long flags;
	const struct nstype *last;   /* the one whose id is compared */
	char before[64];             /* its id in this process */
};

static void ns_id(const char *file, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", file);
	n = readlink(path, buf, len - 1);
	buf[n < 0 ? 0 : n] = '\0';
}

/* In a clone child: 0 when its namespace differs from the parent's. */
static _Noreturn void ns_child(const struct nsreq *q)
{
	char now[64];

	ns_id(q->last->child_file, now, sizeof(now));
	_exit(now[0] && strcmp(now, q->before) != 0 ? 0 : 3);
}

/* Waits for a clone child and prints what it found. */
static int ns_reap(const struct nsreq *q, long pid)
{
	int st;

	if (pid < 0) {
		out("%s %s: errno %s\n", q->op, q->types, ename(errno));
		return 1;
	}
	while (waitpid((pid_t)pid, &st, __WALL) < 0) {
		if (errno != EINTR) {
			out("%s %s: waitpid errno %s\n", q->op, q->types, ename(errno));
			return 1;
		}
	}
	if (WIFSIGNALED(st))
		out("%s %s: child killed by %s\n", q->op, q->types, signame(WTERMSIG(st)));
	else
		out("%s %s: %s namespace\n", q->op, q->types,
		    WEXITSTATUS(st) == 0 ? "new" : "same");
	return 0;
}

static void *ns_thread(void *arg)
{
	const struct nsreq *q = arg;
	long pid = syscall(SYS_clone, q->flags | SIGCHLD, 0UL, NULL, NULL, 0UL);

	if (pid == 0)
		ns_child(q);
	if (pid < 0)
		pid = -errno;
	return (void *)pid;
}

/* struct clone_args of <linux/sched.h>, version 0 (64 bytes) */
struct probe_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static int ns_op(struct nsreq *q)
{
	long pid = -1;
	int fd, r;

	if (strcmp(q->op, "clone") == 0 || strcmp(q->op, "clone-vfork") == 0) {
		/* clone(2) as fork does it: no new stack, the copy returns here */
		unsigned long f = q->flags | SIGCHLD;

		if (q->op[5])
			f |= CLONE_VFORK;
		pid = syscall(SYS_clone, f, 0UL, NULL, NULL, 0UL);
		if (pid == 0)
			ns_child(q);
		return ns_reap(q, pid);
	}
	if (strcmp(q->op, "clone3") == 0) {
		struct probe_clone_args a = { .flags = q->flags, .exit_signal = SIGCHLD };

		pid = syscall(SYS_clone3, &a, sizeof(a));
		if (pid == 0)
			ns_child(q);
		return ns_reap(q, pid);
	}
	if (strcmp(q->op, "thread-clone") == 0) {
		/* the filter is per thread: one made after it must carry it */
		pthread_t t;
		void *res;

		if ((r = pthread_create(&t, NULL, ns_thread, q)) != 0) {
			out("%s %s: pthread_create errno %s\n", q->op, q->types, ename(r));
			return 1;
		}
		pthread_join(t, &res);
		pid = (long)res;
		if (pid < 0)
			errno = (int)-pid;
		return ns_reap(q, pid < 0 ? -1 : pid);
	}
	if (strcmp(q->op, "i386-clone") == 0) {
#if defined(__x86_64__)
		long ret = 120;   /* __NR_clone on i386: flags, stack, ptid, tls, ctid */

		__asm__ volatile("int $0x80"
				 : "+a"(ret)
				 : "b"(q->flags | SIGCHLD), "c"(0L), "d"(0L), "S"(0L), "D"(0L)
				 : "r8", "r9", "r10", "r11", "memory");
		if (ret == 0)
			ns_child(q);
		if (ret < 0 && ret > -4096) {
			errno = (int)-ret;
			ret = -1;
		}
		return ns_reap(q, ret);
#else
		out("%s %s: errno ENOSYS\n", q->op, q->types);
		return 1;
#endif
	}
	if (strcmp(q->op, "unshare") == 0) {
		char now[64];

		if (unshare((int)q->flags) < 0) {
			out("%s %s: errno %s\n", q->op, q->types, ename(errno));
			return 1;
		}
		/* pid_for_children reads empty until the new namespace has
		 * its first process: that is a new one too */
		ns_id(q->last->self_file, now, sizeof(now));
		out("%s %s: %s namespace\n", q->op, q->types,
		    strcmp(now, q->before) ? "new" : "same");
		return 0;
	}
	if (strncmp(q->op, "setns", 5) == 0) {
		/* This process's own namespace: nothing changes when it is
		 * allowed, so what is checked is whether the call is refused. */
		char path[64];
		int type = strcmp(q->op, "setns-any") == 0 ? 0 : (int)q->flags;

		if (strcmp(q->op, "setns-pidfd") == 0) {
			fd = (int)syscall(SYS_pidfd_open, getpid(), 0u);
		} else {
			snprintf(path, sizeof(path), "/proc/self/ns/%s", q->last->self_file);
			fd = open(path, O_RDONLY | O_CLOEXEC);
		}
		if (fd < 0) {
			out("%s %s: open errno %s\n", q->op, q->types, ename(errno));
			return 1;
		}
		r = setns(fd, type);
		if (r < 0)
			out("%s %s: errno %s\n", q->op, q->types, ename(errno));
		else
			out("%s %s: ok\n", q->op, q->types);
		close(fd);
		return r < 0;
	}
	return usage();
}

/* Runs the attempt in a child, so that a kill is reported and whatever
 * it changed dies with it; then checks that this process's namespaces
 * did not change. */
static int do_ns(const char *op, const char *types)
{
	static const char *const own[] = { "mnt", "cgroup", "uts", "ipc", "user", "pid", "net" };
	struct nsreq q = { .op = op, .types = types };
	char list[128], before[7][64], after[64], *save = NULL;
	int st, bad = 0;
	pid_t pid;

	snprintf(list, sizeof(list), "%s", types);
	for (char *w = strtok_r(list, "+", &save); w; w = strtok_r(NULL, "+", &save)) {
		size_t i = 0;

		while (i < sizeof(nstypes) / sizeof(nstypes[0]) && strcmp(nstypes[i].name, w))
			i++;
		if (i == sizeof(nstypes) / sizeof(nstypes[0]))
			return usage();
		q.flags |= nstypes[i].flag;
		q.last = &nstypes[i];
	}
	if (!q.last)
		return usage();
	ns_id(strcmp(op, "unshare") == 0 ? q.last->self_file : q.last->child_file,
	      q.before, sizeof(q.before));
	for (size_t i = 0; i < 7; i++)
		ns_id(own[i], before[i], sizeof(before[i]));
	pid = fork();
	if (pid == 0)
		_exit(ns_op(&q));
	if (pid < 0) {
		out("%s %s: fork errno %s\n", op, types, ename(errno));
		return 1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st))
		out("%s %s: killed by %s\n", op, types, signame(WTERMSIG(st)));
	for (size_t i = 0; i < 7; i++) {
		ns_id(own[i], after, sizeof(after));
		if (strcmp(after, before[i]) != 0) {
			out("%s %s: this process's %s namespace changed\n", op, types, own[i]);
			bad = 1;
		}
	}
	return bad || WIFSIGNALED(st) ? 1 : WEXITSTATUS(st);
}

static int do_write(const char *path)
{
	static const char text[] = "probe\n";
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		out("write %s: errno %s\n", path, ename(errno));
		return 1;
	}
	if (write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1) {
		out("write %s: errno %s\n", path, ename(errno));
		close(fd);
		return 1;
	}
	if (close(fd) < 0) {
		out("write %s: errno %s\n", path, ename(errno));
		return 1;
	}
	out("write %s: ok\n", path);
	return 0;
}

/* Reports one attempt; an fd opened for writing counts as WROTE. No byte is ever
 * written: a zero-length write proves the fd is writable without harming the file. */
static int exe_report(const char *what, int fd)
{
	if (fd < 0) {
		out("exe-write %s: errno %s\n", what, ename(errno));
		return 0;
	}
	if (write(fd, "", 0) < 0) {
		out("exe-write %s: opened, write errno %s\n", what, ename(errno));
		close(fd);
		return 0;
	}
	out("exe-write %s: WROTE\n", what);
	close(fd);
	return 1;
}

/* CVE-2019-5736: a process in the sandbox must not get a writable fd on the binary
 * of the runtime that put it there, by name or by reopening an fd through /proc. */
/* Stop (off) or restart (on) a terminal's output, as XOFF from the far
 * end would: a console that does not drain, for PID 1's console tests. */
static int do_tcflow(const char *how, const char *path)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		out("tcflow: %s: errno %s\n", path, ename(errno));
		return 1;
	}
	if (tcflow(fd, strcmp(how, "off") == 0 ? TCOOFF : TCOON) < 0) {
		out("tcflow: %s %s: errno %s\n", how, path, ename(errno));
		close(fd);
		return 1;
	}
	close(fd);
	out("tcflow: %s %s\n", how, path);
	return 0;
}

static int do_exe_write(void)
{
	static const char *const targets[] = { "/proc/self/exe", "/proc/1/exe" };
	char ppid_exe[64];
	const char *all[3];
	int wrote = 0;

	snprintf(ppid_exe, sizeof(ppid_exe), "/proc/%d/exe", (int)getppid());
	all[0] = targets[0];
	all[1] = targets[1];
	all[2] = ppid_exe;
	for (size_t i = 0; i < 3; i++) {
		static const struct { int flags; const char *name; } opens[] = {
			{ O_RDONLY, "O_RDONLY" }, { O_PATH, "O_PATH" },
		};
		char what[160];

		snprintf(what, sizeof(what), "%s O_WRONLY", all[i]);
		wrote += exe_report(what, open(all[i], O_WRONLY | O_CLOEXEC));
		for (size_t j = 0; j < 2; j++) {
			int fd = open(all[i], opens[j].flags | O_CLOEXEC);
			char again[64];

			if (fd < 0) {
				snprintf(what, sizeof(what), "%s %s", all[i], opens[j].name);
				exe_report(what, -1);
				continue;
			}
			snprintf(again, sizeof(again), "/proc/self/fd/%d", fd);
			snprintf(what, sizeof(what), "%s %s reopen", all[i], opens[j].name);
			wrote += exe_report(what, open(again, O_WRONLY | O_CLOEXEC));
			close(fd);
		}
	}
	out("exe-write: %s\n", wrote ? "WROTE" : "blocked");
	return wrote ? 1 : 0;
}

/* DATA's escapes: \n, \\ and \xHH (so that a NUL can be sent). */
static size_t unescape(const char *s, char *out)
{
	size_t n = 0;

	while (*s) {
		if (s[0] == '\\' && s[1] == 'n') {
			out[n++] = '\n';
			s += 2;
		} else if (s[0] == '\\' && s[1] == '\\') {
			out[n++] = '\\';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
			char hex[3] = { s[2], s[3], 0 };

			out[n++] = (char)strtol(hex, NULL, 16);
			s += 4;
		} else {
			out[n++] = *s++;
		}
	}
	return n;
}

/* DATA (escapes as for sock) REPEAT times as datagrams to PATH, each with
 * N fds of /dev/null attached (SCM_RIGHTS); waits while the queue is full
 * (bounded: 10 s in all). Prints "dgram: sent=K errno=E". */
static int do_dgram(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long nfds = 0, repeat = 1, sent = 0;
	int i = 2, fd, fds[16], err = 0;
	char *data, cbuf[CMSG_SPACE(sizeof(fds))];
	size_t dlen;
	time_t end = time(NULL) + 10;

	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		long *v = strcmp(argv[i], "--fds") == 0 ? &nfds :
			  strcmp(argv[i], "--repeat") == 0 ? &repeat : NULL;

		if (!v || number(argv[i + 1], v) < 0)
			return usage();
	}
	if (argc - i != 2 || strlen(argv[i]) >= sizeof(sa.sun_path) || repeat < 1 ||
	    nfds < 0 || nfds > 16)
		return usage();
	memcpy(sa.sun_path, argv[i], strlen(argv[i]));
	if (!(data = malloc(strlen(argv[i + 1]) + 1)))
		return 1;
	dlen = unescape(argv[i + 1], data);
	for (long k = 0; k < nfds; k++)
		fds[k] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	while (fd >= 0 && sent < repeat) {
		struct iovec iov = { .iov_base = data, .iov_len = dlen };
		struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa),
				     .msg_iov = &iov, .msg_iovlen = 1 };

		if (nfds) {
			struct cmsghdr *c;

			memset(cbuf, 0, sizeof(cbuf));
			mh.msg_control = cbuf;
			mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
			memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
		}
		if (sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
			sent++;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || time(NULL) >= end) {
			err = errno;
			break;
		}
		usleep(10000);
	}
	if (fd < 0)
		err = errno;
	free(data);
	out("dgram: sent=%ld errno=%s\n", sent, err ? ename(err) : "0");
	return err ? 1 : 0;
}

/* Effective uid N with CAP_DAC_OVERRIDE kept: a 0600 root socket lets us
 * connect, and the server's SO_PEERCRED (the euid at connect) says N. The
 * real and saved uids stay 0, so the permitted set survives the change. */
static int become_euid(long uid)
{
	struct { uint32_t version; int pid; } hdr = { 0x20080522, 0 };   /* _LINUX_CAPABILITY_VERSION_3 */
	struct { uint32_t effective, permitted, inheritable; } data[2];

	if (setresgid((gid_t)-1, (gid_t)uid, (gid_t)-1) < 0 ||
	    setresuid((uid_t)-1, (uid_t)uid, (uid_t)-1) < 0)
		return -errno;
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	data[0].effective |= 1u << 1;   /* CAP_DAC_OVERRIDE */
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

/* sd_notify(3) as libsystemd sends it: MSG (escapes as for sock, e.g.
 * "READY=1\\nSTATUS=up") as one datagram to $NOTIFY_SOCKET (a path, or
 * "@name" for the abstract namespace). Prints "notify: ok" or the errno. */
static int do_notify(const char *msg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	socklen_t len;
	size_t dlen;
	char *data;
	int fd;

	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path)) {
		out("notify: NOTIFY_SOCKET %s\n", path && *path ? "too long" : "not set");
		return 1;
	}
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(sizeof(sa.sun_family) + strlen(path));
	if (!(data = malloc(strlen(msg) + 1)))
		return 1;
	dlen = unescape(msg, data);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, data, dlen, MSG_NOSIGNAL, (struct sockaddr *)&sa, len) < 0) {
		out("notify: errno %s\n", ename(errno));
		return 1;
	}
	out("notify: ok\n");
	return 0;
}

/* One connection: DATA (REPEAT times), shut the write side, print the reply
 * (at most 4 KiB of it, escaped on one line) once the server closes. */
static int do_sock(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	long euid = -1, repeat = 1;
	int i = 2, fd, r;
	size_t dlen, sent = 0, have = 0;
	char *data, reply[4096];
	int send_errno = 0;

	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		long *v = strcmp(argv[i], "--euid") == 0 ? &euid :
			  strcmp(argv[i], "--repeat") == 0 ? &repeat : NULL;

		if (!v || number(argv[i + 1], v) < 0)
			return usage();
	}
	if (argc - i != 2 || strlen(argv[i]) >= sizeof(sa.sun_path) || repeat < 1)
		return usage();
	memcpy(sa.sun_path, argv[i], strlen(argv[i]));
	data = malloc(strlen(argv[i + 1]) + 1);
	if (!data)
		return 1;
	dlen = unescape(argv[i + 1], data);
	if (euid >= 0 && (r = become_euid(euid)) < 0) {
		out("sock: euid %ld errno %s\n", euid, ename(-r));
		return 1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		out("sock: connect errno %s\n", ename(errno));
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	for (long k = 0; k < repeat && !send_errno; k++) {
		for (size_t off = 0; off < dlen && !send_errno;) {
			ssize_t w = send(fd, data + off, dlen - off, MSG_NOSIGNAL);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				send_errno = w < 0 ? errno : EPIPE;
				break;
			}
			off += (size_t)w;
			sent += (size_t)w;
		}
	}
	free(data);
	shutdown(fd, SHUT_WR);
	if (send_errno)
		out("sock: sent %zu bytes, then errno %s\n", sent, ename(send_errno));
	else
		out("sock: sent %zu bytes\n", sent);
	for (;;) {
		ssize_t n = recv(fd, reply + have, sizeof(reply) - have, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			out("sock: recv errno %s\n", ename(errno));
			break;
		}
		if (n == 0 || (have += (size_t)n) == sizeof(reply))
			break;
	}
	close(fd);
	if (!have) {
		out("sock: no reply\n");
		return 0;
	}
	char line[4 * sizeof(reply) + 1];
	size_t k = 0;

	for (size_t j = 0; j < have; j++) {
		unsigned char c = (unsigned char)reply[j];

		if (c == '\n')
			k += (size_t)snprintf(line + k, sizeof(line) - k, "\\n");
		else if (c < 0x20 || c > 0x7e || c == '\\')
			k += (size_t)snprintf(line + k, sizeof(line) - k, "\\x%02x", c);
		else
			line[k++] = (char)c;
	}
	line[k] = '\0';
	out("sock: reply %s\n", line);
	return 0;
}

/* sigqueue PID SIG FAKEPID: rt_sigqueueinfo with SI_QUEUE and a sender
 * pid of our choosing (the kernel lets a process forge it for a negative
 * si_code): a shutdown signal that pretends to come from FAKEPID. */
static int do_sigqueue(const char *pid, const char *sig, const char *fake)
{
	long p, s, f;
	siginfo_t si;

	if (number(pid, &p) < 0 || number(sig, &s) < 0 || number(fake, &f) < 0) {
		out("probe: sigqueue: not a number\n");
		return 2;
	}
	memset(&si, 0, sizeof si);
	si.si_signo = (int)s;
	si.si_code = SI_QUEUE;
	si.si_pid = (pid_t)f;
	si.si_uid = 0;
	if (syscall(SYS_rt_sigqueueinfo, (pid_t)p, (int)s, &si) < 0) {
		out("sigqueue: %s\n", strerror(errno));
		return 1;
	}
	out("sigqueue: sent\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "";
	long v = 0;

	if ((argc == 3 || (argc == 4 && strcmp(argv[3], "--hold") == 0)) &&
	    strcmp(verb, "forkbomb") == 0) {
		if (number(argv[2], &v) < 0)
			return usage();
		return do_forkbomb(v, argc == 4);
	}
	if (argc == 3 && (strcmp(verb, "memhog") == 0 ||
			  strcmp(verb, "exit") == 0 || strcmp(verb, "sleep") == 0) &&
	    number(argv[2], &v) < 0) {
		out("probe: %s: not a number: %s\n", verb, argv[2]);
		return 2;
	}
	if (argc == 3 && strcmp(verb, "memhog") == 0)
		return do_memhog(v);
	if ((argc == 3 || argc == 4) && strcmp(verb, "zombies") == 0) {
		if (number(argv[2], &v) < 0 || (argc == 4 && strcmp(argv[3], "--orphan")))
			return usage();
		return do_zombies(v, argc == 4);
	}
	if (argc == 3 && strcmp(verb, "syscall") == 0)
		return do_syscall(argv[2]);
	if (argc == 2 && strcmp(verb, "fds") == 0)
		return do_fds();
	if (argc == 2 && strcmp(verb, "caps") == 0)
		return do_caps();
	if (argc == 2 && strcmp(verb, "ids") == 0)
		return do_ids();
	if (argc == 3 && strcmp(verb, "rlimit") == 0)
		return do_rlimit(argv[2]);
	if (argc == 3 && strcmp(verb, "exit") == 0)
		return (int)(v & 255);
	if (argc == 3 && strcmp(verb, "sleep") == 0)
		return do_sleep(v);
	if (argc == 2 && strcmp(verb, "ignore-term") == 0)
		return do_ignore_term();
	if (argc == 2 && strcmp(verb, "i386-syscall") == 0)
		return do_i386();
	if (argc == 2 && strcmp(verb, "x32-syscall") == 0)
		return do_x32();
	if (argc == 4 && strcmp(verb, "ns") == 0)
		return do_ns(argv[2], argv[3]);
	if (argc == 3 && strcmp(verb, "write") == 0)
		return do_write(argv[2]);
	if (argc == 4 && strcmp(verb, "tcflow") == 0 &&
	    (strcmp(argv[2], "off") == 0 || strcmp(argv[2], "on") == 0))
		return do_tcflow(argv[2], argv[3]);
	if (argc == 2 && strcmp(verb, "exe-write") == 0)
		return do_exe_write();
	if (argc >= 4 && strcmp(verb, "dgram") == 0)
		return do_dgram(argc, argv);
	if (argc == 5 && strcmp(verb, "sigqueue") == 0)
		return do_sigqueue(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(verb, "fuse-hang") == 0)
		return do_fuse_hang(argv[2]);
	if (argc == 3 && strcmp(verb, "fuse-stall") == 0)
		return do_fuse_stall(argv[2]);
	if (argc >= 4 && strcmp(verb, "sock") == 0)
		return do_sock(argc, argv);
	if (argc == 3 && strcmp(verb, "notify") == 0)
		return do_notify(argv[2]);
	return usage();
}
