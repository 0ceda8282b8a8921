/* systemd's system call sets as data: see syscall_groups.h. The member
 * lists follow systemd's src/shared/seccomp-util.c of 2025 (the groups
 * systemd.exec(5) documents), each sorted, one NUL after each name and a
 * second NUL at the end: a name is used in place, never copied. Left
 * out: the 110 names that are no call of x86-64 or arm64 (32-bit ones
 * such as mmap2, _llseek, chown32 and the *_time64 calls, s390's, riscv's,
 * socketcall, ipc): libseccomp knows them on these architectures only as
 * pseudo-calls, which filter nothing, and every i386 call is killed
 * anyway. Calls newer than this libseccomp stay (listmount, mseal, ...):
 * skipped until the library knows them. */
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
	  "io_cancel\0io_destroy\0io_getevents\0io_pgetevents\0io_setup\0io_submit\0"
	  "io_uring_enter\0io_uring_register\0io_uring_setup\0" },
	{ "basic-io",
	  "close\0close_range\0dup\0dup2\0dup3\0lseek\0pread64\0preadv\0preadv2\0pwrite64\0"
	  "pwritev\0pwritev2\0read\0readv\0write\0writev\0" },
	{ "chown",
	  "chown\0fchown\0fchownat\0lchown\0" },
	{ "clock",
	  "adjtimex\0clock_adjtime\0clock_settime\0settimeofday\0" },
	{ "cpu-emulation",
	  "modify_ldt\0" },
	{ "debug",
	  "lookup_dcookie\0perf_event_open\0pidfd_getfd\0ptrace\0" },
	{ "default",
	  "@sandbox\0arch_prctl\0brk\0clock_getres\0clock_gettime\0clock_nanosleep\0execve\0exit\0"
	  "exit_group\0futex\0futex_waitv\0get_robust_list\0get_thread_area\0getegid\0geteuid\0"
	  "getgid\0getgroups\0getpgid\0getpgrp\0getpid\0getppid\0getrandom\0getresgid\0getresuid\0"
	  "getrlimit\0getsid\0gettid\0gettimeofday\0getuid\0lsm_get_self_attr\0lsm_list_modules\0"
	  "membarrier\0mmap\0mprotect\0mseal\0munmap\0nanosleep\0pause\0prlimit64\0"
	  "restart_syscall\0rseq\0rt_sigreturn\0sched_getaffinity\0sched_yield\0set_robust_list\0"
	  "set_thread_area\0set_tid_address\0time\0uretprobe\0" },
	{ "file-system",
	  "access\0chdir\0chmod\0close\0creat\0faccessat\0faccessat2\0fallocate\0fchdir\0fchmod\0"
	  "fchmodat\0fchmodat2\0fcntl\0fgetxattr\0file_getattr\0file_setattr\0flistxattr\0"
	  "fremovexattr\0fsetxattr\0fstat\0fstatfs\0ftruncate\0futimesat\0getcwd\0getdents\0"
	  "getdents64\0getxattr\0getxattrat\0inotify_add_watch\0inotify_init\0inotify_init1\0"
	  "inotify_rm_watch\0lgetxattr\0link\0linkat\0listmount\0listxattr\0listxattrat\0"
	  "llistxattr\0lremovexattr\0lsetxattr\0lstat\0mkdir\0mkdirat\0mknod\0mknodat\0newfstatat\0"
	  "open\0open_tree\0openat\0openat2\0readlink\0readlinkat\0removexattr\0removexattrat\0"
	  "rename\0renameat\0renameat2\0rmdir\0setxattr\0setxattrat\0stat\0statfs\0statmount\0"
	  "statx\0symlink\0symlinkat\0truncate\0unlink\0unlinkat\0utime\0utimensat\0utimes\0" },
	{ "io-event",
	  "epoll_create\0epoll_create1\0epoll_ctl\0epoll_ctl_old\0epoll_pwait\0epoll_pwait2\0"
	  "epoll_wait\0epoll_wait_old\0eventfd\0eventfd2\0poll\0ppoll\0pselect6\0select\0" },
	{ "ipc",
	  "memfd_create\0mq_getsetattr\0mq_notify\0mq_open\0mq_timedreceive\0mq_timedsend\0"
	  "mq_unlink\0msgctl\0msgget\0msgrcv\0msgsnd\0pipe\0pipe2\0process_madvise\0"
	  "process_vm_readv\0process_vm_writev\0semctl\0semget\0semop\0semtimedop\0shmat\0shmctl\0"
	  "shmdt\0shmget\0" },
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
	  "accept\0accept4\0bind\0connect\0getpeername\0getsockname\0getsockopt\0listen\0recvfrom\0"
	  "recvmmsg\0recvmsg\0sendmmsg\0sendmsg\0sendto\0setsockopt\0shutdown\0socket\0socketpair\0" },
	{ "obsolete",
	  "_sysctl\0afs_syscall\0create_module\0get_kernel_syms\0getpmsg\0putpmsg\0query_module\0"
	  "security\0sysfs\0tuxcall\0uselib\0ustat\0vserver\0" },
	{ "pkey",
	  "pkey_alloc\0pkey_free\0pkey_mprotect\0" },
	{ "privileged",
	  "@chown\0@clock\0@module\0@raw-io\0@reboot\0@swap\0_sysctl\0acct\0bpf\0capset\0chroot\0"
	  "fanotify_init\0fanotify_mark\0nfsservctl\0open_by_handle_at\0pivot_root\0quotactl\0"
	  "quotactl_fd\0setdomainname\0setfsuid\0setgroups\0sethostname\0setresuid\0setreuid\0"
	  "setuid\0vhangup\0" },
	{ "process",
	  "capget\0clone\0clone3\0execveat\0fork\0getrusage\0kill\0pidfd_open\0pidfd_send_signal\0"
	  "prctl\0rt_sigqueueinfo\0rt_tgsigqueueinfo\0setns\0tgkill\0times\0tkill\0unshare\0vfork\0"
	  "wait4\0waitid\0" },
	{ "raw-io",
	  "ioperm\0iopl\0" },
	{ "reboot",
	  "kexec_file_load\0kexec_load\0reboot\0" },
	{ "resources",
	  "ioprio_set\0mbind\0migrate_pages\0move_pages\0sched_setaffinity\0sched_setattr\0"
	  "sched_setparam\0sched_setscheduler\0set_mempolicy\0set_mempolicy_home_node\0"
	  "setpriority\0setrlimit\0" },
	{ "sandbox",
	  "landlock_add_rule\0landlock_create_ruleset\0landlock_restrict_self\0seccomp\0" },
	{ "setuid",
	  "setgid\0setgroups\0setregid\0setresgid\0setresuid\0setreuid\0setuid\0" },
	{ "signal",
	  "rt_sigaction\0rt_sigpending\0rt_sigprocmask\0rt_sigsuspend\0rt_sigtimedwait\0"
	  "sigaltstack\0signalfd\0signalfd4\0" },
	{ "swap",
	  "swapoff\0swapon\0" },
	{ "sync",
	  "fdatasync\0fsync\0msync\0sync\0sync_file_range\0syncfs\0" },
	{ "system-service",
	  "@aio\0@basic-io\0@chown\0@default\0@file-system\0@io-event\0@ipc\0@keyring\0@memlock\0"
	  "@network-io\0@process\0@resources\0@setuid\0@signal\0@sync\0@timer\0capget\0capset\0"
	  "copy_file_range\0fadvise64\0flock\0get_mempolicy\0getcpu\0getpriority\0ioctl\0"
	  "ioprio_get\0kcmp\0madvise\0mremap\0name_to_handle_at\0personality\0readahead\0"
	  "remap_file_pages\0sched_get_priority_max\0sched_get_priority_min\0sched_getattr\0"
	  "sched_getparam\0sched_getscheduler\0sched_rr_get_interval\0sched_yield\0sendfile\0"
	  "setfsgid\0setfsuid\0setpgid\0setsid\0splice\0sysinfo\0tee\0umask\0uname\0userfaultfd\0"
	  "vmsplice\0" },
	{ "timer",
	  "alarm\0getitimer\0setitimer\0timer_create\0timer_delete\0timer_getoverrun\0"
	  "timer_gettime\0timer_settime\0timerfd_create\0timerfd_gettime\0timerfd_settime\0times\0" },
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
 * well past the last one (x86-64 has about 460). */
#define KNOWN_NR_MAX 1024

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
	names = calloc(KNOWN_NR_MAX + 1, sizeof *names);
	for (int nr = 0; names && nr < KNOWN_NR_MAX; nr++)
		if ((names[n] = seccomp_syscall_resolve_num_arch(arch, nr)))
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
		for (int nr = 0; !known && nr < KNOWN_NR_MAX; nr++) {
			char *name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr);

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
