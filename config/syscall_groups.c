/* systemd's system call sets as data: see syscall_groups.h. The member
 * lists follow systemd's src/shared/seccomp-util.c of 2025 (the groups
 * systemd.exec(5) documents), each sorted, one NUL after each name and a
 * second NUL at the end: a name is used in place, never copied. One list
 * for every architecture, as systemd's: the calls of 32-bit arm are in it
 * (mmap2, _llseek, chown32, set_tls, sigreturn, the *_time64 calls), and a
 * unit takes only the members its build's architecture has
 * (seccomp_syscall_known), so x86-64 and arm64 units hold none of those
 * and an arm unit none of x86-64's. Two are ours, libseccomp's arm names
 * of calls systemd lists under other names: arm_sync_file_range
 * (sync_file_range2) and arm_fadvise64_64 (fadvise64_64). Left out: the
 * names that are no call of x86-64, arm64 or 32-bit arm (i386's oldstat,
 * socketcall and ipc, s390's, riscv's): every foreign call is killed by
 * the architecture check anyway. Calls newer than this libseccomp stay
 * (listmount, mseal, ...): skipped until the library knows them. */
#include "syscall_groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#if CONFIG_SECCOMP
#include <seccomp.h>
#endif

struct group {
	const char *name;      /* without the '@' */
	const char *members;   /* "a\0b\0\0" */
};

static const struct group groups[] = {
	{ "aio",
	  "io_cancel\0io_destroy\0io_getevents\0io_pgetevents\0io_pgetevents_time64\0"
	  "io_setup\0io_submit\0io_uring_enter\0io_uring_register\0io_uring_setup\0" },
	{ "basic-io",
	  "_llseek\0close\0close_range\0dup\0dup2\0dup3\0lseek\0pread64\0preadv\0preadv2\0"
	  "pwrite64\0pwritev\0pwritev2\0read\0readv\0write\0writev\0" },
	{ "chown",
	  "chown\0chown32\0fchown\0fchown32\0fchownat\0lchown\0lchown32\0" },
	{ "clock",
	  "adjtimex\0clock_adjtime\0clock_adjtime64\0clock_settime\0clock_settime64\0"
	  "settimeofday\0" },
	{ "cpu-emulation",
	  "modify_ldt\0" },
	{ "debug",
	  "lookup_dcookie\0perf_event_open\0pidfd_getfd\0ptrace\0" },
	{ "default",
	  "@sandbox\0arch_prctl\0brk\0cacheflush\0clock_getres\0clock_getres_time64\0"
	  "clock_gettime\0clock_gettime64\0clock_nanosleep\0clock_nanosleep_time64\0"
	  "execve\0exit\0exit_group\0futex\0futex_time64\0futex_waitv\0get_robust_list\0"
	  "get_thread_area\0getegid\0getegid32\0geteuid\0geteuid32\0getgid\0getgid32\0"
	  "getgroups\0getgroups32\0getpgid\0getpgrp\0getpid\0getppid\0getrandom\0"
	  "getresgid\0getresgid32\0getresuid\0getresuid32\0getrlimit\0getsid\0gettid\0"
	  "gettimeofday\0getuid\0getuid32\0lsm_get_self_attr\0lsm_list_modules\0"
	  "membarrier\0mmap\0mmap2\0mprotect\0mseal\0munmap\0nanosleep\0pause\0prlimit64\0"
	  "restart_syscall\0rseq\0rt_sigreturn\0sched_getaffinity\0sched_yield\0"
	  "set_robust_list\0set_thread_area\0set_tid_address\0set_tls\0sigreturn\0time\0"
	  "ugetrlimit\0uretprobe\0" },
	{ "file-system",
	  "access\0chdir\0chmod\0close\0creat\0faccessat\0faccessat2\0fallocate\0fchdir\0"
	  "fchmod\0fchmodat\0fchmodat2\0fcntl\0fcntl64\0fgetxattr\0file_getattr\0"
	  "file_setattr\0flistxattr\0fremovexattr\0fsetxattr\0fstat\0fstat64\0fstatat64\0"
	  "fstatfs\0fstatfs64\0ftruncate\0ftruncate64\0futimesat\0getcwd\0getdents\0"
	  "getdents64\0getxattr\0getxattrat\0inotify_add_watch\0inotify_init\0"
	  "inotify_init1\0inotify_rm_watch\0lgetxattr\0link\0linkat\0listmount\0listxattr\0"
	  "listxattrat\0llistxattr\0lremovexattr\0lsetxattr\0lstat\0lstat64\0mkdir\0"
	  "mkdirat\0mknod\0mknodat\0newfstatat\0open\0open_tree\0openat\0openat2\0"
	  "readlink\0readlinkat\0removexattr\0removexattrat\0rename\0renameat\0renameat2\0"
	  "rmdir\0setxattr\0setxattrat\0stat\0stat64\0statfs\0statfs64\0statmount\0statx\0"
	  "symlink\0symlinkat\0truncate\0truncate64\0unlink\0unlinkat\0utime\0utimensat\0"
	  "utimensat_time64\0utimes\0" },
	{ "io-event",
	  "_newselect\0epoll_create\0epoll_create1\0epoll_ctl\0epoll_ctl_old\0epoll_pwait\0"
	  "epoll_pwait2\0epoll_wait\0epoll_wait_old\0eventfd\0eventfd2\0poll\0ppoll\0"
	  "ppoll_time64\0pselect6\0pselect6_time64\0select\0" },
	{ "ipc",
	  "memfd_create\0mq_getsetattr\0mq_notify\0mq_open\0mq_timedreceive\0"
	  "mq_timedreceive_time64\0mq_timedsend\0mq_timedsend_time64\0mq_unlink\0msgctl\0"
	  "msgget\0msgrcv\0msgsnd\0pipe\0pipe2\0process_madvise\0process_vm_readv\0"
	  "process_vm_writev\0semctl\0semget\0semop\0semtimedop\0semtimedop_time64\0shmat\0"
	  "shmctl\0shmdt\0shmget\0" },
	{ "keyring",
	  "add_key\0keyctl\0request_key\0" },
	{ "memlock",
	  "mlock\0mlock2\0mlockall\0munlock\0munlockall\0" },
	{ "module",
	  "delete_module\0finit_module\0init_module\0" },
	{ "mount",
	  "chroot\0fsconfig\0fsmount\0fsopen\0fspick\0mount\0mount_setattr\0move_mount\0"
	  "open_tree_attr\0pivot_root\0umount2\0" },
	{ "network-io",
	  "accept\0accept4\0bind\0connect\0getpeername\0getsockname\0getsockopt\0listen\0"
	  "recv\0recvfrom\0recvmmsg\0recvmmsg_time64\0recvmsg\0send\0sendmmsg\0sendmsg\0"
	  "sendto\0setsockopt\0shutdown\0socket\0socketpair\0" },
	{ "obsolete",
	  "_sysctl\0afs_syscall\0bdflush\0create_module\0get_kernel_syms\0getpmsg\0"
	  "putpmsg\0query_module\0security\0sysfs\0tuxcall\0uselib\0ustat\0vserver\0" },
	{ "pkey",
	  "pkey_alloc\0pkey_free\0pkey_mprotect\0" },
	{ "privileged",
	  "@chown\0@clock\0@module\0@raw-io\0@reboot\0@swap\0_sysctl\0acct\0bpf\0capset\0"
	  "chroot\0fanotify_init\0fanotify_mark\0nfsservctl\0open_by_handle_at\0"
	  "pivot_root\0quotactl\0quotactl_fd\0setdomainname\0setfsuid\0setfsuid32\0"
	  "setgroups\0setgroups32\0sethostname\0setresuid\0setresuid32\0setreuid\0"
	  "setreuid32\0setuid\0setuid32\0vhangup\0" },
	{ "process",
	  "capget\0clone\0clone3\0execveat\0fork\0getrusage\0kill\0pidfd_open\0"
	  "pidfd_send_signal\0prctl\0rt_sigqueueinfo\0rt_tgsigqueueinfo\0setns\0tgkill\0"
	  "times\0tkill\0unshare\0vfork\0wait4\0waitid\0" },
	{ "raw-io",
	  "ioperm\0iopl\0pciconfig_iobase\0pciconfig_read\0pciconfig_write\0" },
	{ "reboot",
	  "kexec_file_load\0kexec_load\0reboot\0" },
	{ "resources",
	  "ioprio_set\0mbind\0migrate_pages\0move_pages\0nice\0sched_setaffinity\0"
	  "sched_setattr\0sched_setparam\0sched_setscheduler\0set_mempolicy\0"
	  "set_mempolicy_home_node\0setpriority\0setrlimit\0" },
	{ "sandbox",
	  "landlock_add_rule\0landlock_create_ruleset\0landlock_restrict_self\0seccomp\0" },
	{ "setuid",
	  "setgid\0setgid32\0setgroups\0setgroups32\0setregid\0setregid32\0setresgid\0"
	  "setresgid32\0setresuid\0setresuid32\0setreuid\0setreuid32\0setuid\0setuid32\0" },
	{ "signal",
	  "rt_sigaction\0rt_sigpending\0rt_sigprocmask\0rt_sigsuspend\0rt_sigtimedwait\0"
	  "rt_sigtimedwait_time64\0sigaction\0sigaltstack\0signalfd\0signalfd4\0"
	  "sigpending\0sigprocmask\0sigsuspend\0" },
	{ "swap",
	  "swapoff\0swapon\0" },
	{ "sync",
	  "arm_sync_file_range\0fdatasync\0fsync\0msync\0sync\0sync_file_range\0syncfs\0" },
	{ "system-service",
	  "@aio\0@basic-io\0@chown\0@default\0@file-system\0@io-event\0@ipc\0@keyring\0"
	  "@memlock\0@network-io\0@process\0@resources\0@setuid\0@signal\0@sync\0@timer\0"
	  "arm_fadvise64_64\0capget\0capset\0copy_file_range\0fadvise64\0flock\0"
	  "get_mempolicy\0getcpu\0getpriority\0ioctl\0ioprio_get\0kcmp\0madvise\0mremap\0"
	  "name_to_handle_at\0personality\0readahead\0remap_file_pages\0"
	  "sched_get_priority_max\0sched_get_priority_min\0sched_getattr\0sched_getparam\0"
	  "sched_getscheduler\0sched_rr_get_interval\0sched_rr_get_interval_time64\0"
	  "sched_yield\0sendfile\0sendfile64\0setfsgid\0setfsgid32\0setfsuid\0setfsuid32\0"
	  "setpgid\0setsid\0splice\0sysinfo\0tee\0umask\0uname\0userfaultfd\0vmsplice\0" },
	{ "timer",
	  "alarm\0getitimer\0setitimer\0timer_create\0timer_delete\0timer_getoverrun\0"
	  "timer_gettime\0timer_gettime64\0timer_settime\0timer_settime64\0timerfd_create\0"
	  "timerfd_gettime\0timerfd_gettime64\0timerfd_settime\0timerfd_settime64\0times\0" },
};


static const struct group *find(const char *group)
{
	if (group[0] != '@')
		return NULL;
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		if (strcmp(groups[i].name, group + 1) == 0)
			return &groups[i];
	return NULL;
}

bool syscall_group_known(const char *group)
{
	return find(group) || strcmp(group, "@known") == 0;
}

size_t syscall_group_list(char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i <= sizeof groups / sizeof groups[0]; i++) {
		const char *g = i < sizeof groups / sizeof groups[0] ? groups[i].name : "known";
		int w = snprintf(buf + n, len - n, "%s@%s", n ? " " : "", g);

		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	return n;
}

/* Every call libseccomp can name on this architecture, numbered 0 up to
 * well past the last one (x86-64 has about 460), and on 32-bit arm its
 * private calls above 0x0f0000 (breakpoint, cacheflush, usr26, usr32,
 * set_tls, get_tls). */
#define KNOWN_NR_MAX 1024
#define ARM_PRIVATE_BASE 0x0f0000
#define ARM_PRIVATE_N 16

/* The nth number to ask libseccomp about, n < KNOWN_NR_COUNT */
#if defined(__arm__)
#define KNOWN_NR_COUNT (KNOWN_NR_MAX + ARM_PRIVATE_N)
#define KNOWN_NR(n) ((n) < KNOWN_NR_MAX ? (n) : ARM_PRIVATE_BASE + (n) - KNOWN_NR_MAX)
#else
#define KNOWN_NR_COUNT KNOWN_NR_MAX
#define KNOWN_NR(n) (n)
#endif

#if CONFIG_SECCOMP
/* libseccomp's names of this architecture, asked once (about 460 names,
 * 1024 lookups) and kept for the life of the process: a unit file may
 * name @known on every line, and PID 1 reads every unit at each reload.
 * NULL when memory is short. */
static const char *const *known_names(void)
{
	static char **names;
	static bool tried;
	uint32_t arch = seccomp_arch_native();
	size_t n = 0;

	if (tried)
		return (const char *const *)names;
	tried = true;
	names = calloc(KNOWN_NR_COUNT + 1, sizeof *names);
	for (int i = 0; names && i < KNOWN_NR_COUNT; i++)
		if ((names[n] = seccomp_syscall_resolve_num_arch(arch, KNOWN_NR(i))))
			n++;
	return (const char *const *)names;
}
#endif

static int each(const char *group, syscall_name_fn fn, void *ctx, int depth)
{
	const struct group *g = find(group);

	if (strcmp(group, "@known") == 0) {
#if CONFIG_SECCOMP
		const char *const *known = known_names();

		for (size_t i = 0; known && known[i]; i++)
			fn(ctx, known[i], false);
		/* no memory for the list: name by name, each copied */
		for (int i = 0; !known && i < KNOWN_NR_COUNT; i++) {
			char *name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(),
								      KNOWN_NR(i));

			if (name)
				fn(ctx, name, true);
			free(name);
		}
#endif
		return each("@obsolete", fn, ctx, depth + 1);
	}
	/* the data nests three deep at most; the bound only stops a
	 * mistake in it from recursing for ever */
	if (!g || depth > 4)
		return -1;
	for (const char *m = g->members; *m; m += strlen(m) + 1) {
		if (m[0] != '@')
			fn(ctx, m, false);
		else if (each(m, fn, ctx, depth + 1) < 0)
			return -1;
	}
	return 0;
}

int syscall_group_each(const char *group, syscall_name_fn fn, void *ctx)
{
	return each(group, fn, ctx, 0);
}
