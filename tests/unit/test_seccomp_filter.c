/* SystemCallFilter= with systemd's groups and combination rules, the
 * hardening keys (RestrictAddressFamilies=, MemoryDenyWriteExecute=,
 * LockPersonality=, RestrictRealtime=, RestrictSUIDSGID=): what the
 * parser makes of them, and what the compiled filter does to real calls
 * on this kernel (each in a child under no_new_privs). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "qemu_user.h"
#include "seccomp_api.h"
#include "config.h"
#include "../../config/oci.h"
#include "../../config/seccomp_rules.h"
#include "../../config/syscall_groups.h"
#include "../../config/unit.h"
#include "../../init/bpfcache.h"
#include "../../rootfs/fail.h"
#include "../../sandbox/seccomp.h"

#include "sandbox_parse.h"

#if CONFIG_SECCOMP
static bool has(const struct spec *s, const char *name)
{
	return strv_contains(&s->seccomp.names, name);
}

/* The unit must be rejected with exactly this one message. */
static void rejects(const char *name, const char *sandbox, const char *want)
{
	char w[2048];
	struct spec *s = parse(sandbox);

	snprintf(w, sizeof w, "%s\n", want);
	if (s) {
		t_report(name, false, "accepted");
		spec_free(s);
		return;
	}
	CHECK_STR(name, msgs, w);
}

static void test_groups_parse(void)
{
	char line[256], name[128];
	bool all = true;

	static const char *const syscall_group_names[] = {
		"@aio", "@basic-io", "@chown", "@clock", "@cpu-emulation", "@debug", "@default",
		"@file-system", "@io-event", "@ipc", "@keyring", "@known", "@memlock", "@module",
		"@mount", "@network-io", "@obsolete", "@pkey", "@privileged", "@process", "@raw-io",
		"@reboot", "@resources", "@sandbox", "@setuid", "@signal", "@swap", "@sync",
		"@system-service", "@timer", NULL,
	};

	for (const char *const *g = syscall_group_names; *g; g++) {
		for (int deny = 0; deny < 2; deny++) {
			struct spec *s;

			snprintf(line, sizeof line, "SystemCallFilter=%s%s\n", deny ? "~" : "", *g);
			s = parse(line);
			if (!s || d.count) {
				t_report("groups-parse", false, "%s: %s", line, msgs);
				all = false;
			}
			/* an allow list of any group has at least @default */
			if (s && !deny && !has(s, "execve")) {
				t_report("groups-allow-has-default", false, "%s", *g);
				all = false;
			}
			spec_free(s);
		}
	}
	CHECK("every-group-parses-both-ways", all);
	CHECK("group-list-complete", syscall_group_known("@system-service") &&
	      syscall_group_known("@known") && !syscall_group_known("@bogus"));

	/* each group's members: every name libseccomp knows lands in a
	 * deny list (SeccompProfile=none: nothing else in it) */
	struct spec *s = parse("SeccompProfile=none\nSystemCallFilter=~@mount\n");
	CHECK("mount-group", s && has(s, "mount") && has(s, "umount2") && has(s, "pivot_root") &&
	      has(s, "fsopen") && has(s, "chroot") && !has(s, "read"));
	spec_free(s);
	s = parse("SeccompProfile=none\nSystemCallFilter=~@privileged\n");
	/* nested groups: @privileged holds @chown, @clock, @module ... */
	CHECK("nested-groups", s && has(s, "fchownat") && has(s, "settimeofday") &&
	      has(s, "init_module") && has(s, "reboot") && has(s, "swapon") &&
	      has(s, "setuid") && !has(s, "setgid"));
	/* @raw-io: x86-64's port calls, 32-bit arm's PCI ones, none on arm64 */
#if defined(__x86_64__)
	CHECK("nested-groups-raw-io", s && has(s, "iopl") && !has(s, "pciconfig_read"));
#elif defined(__arm__)
	CHECK("nested-groups-raw-io", s && has(s, "pciconfig_read") && !has(s, "iopl"));
#else
	CHECK("nested-groups-raw-io", s && !has(s, "iopl") && !has(s, "pciconfig_read"));
#endif
	spec_free(s);
	s = parse("SeccompProfile=none\nSystemCallFilter=~@known\n");
	CHECK("known-group", s && has(s, "read") && has(s, "io_uring_setup") &&
	      s->seccomp.names.n > 300);
	spec_free(s);
	/* names of other architectures are skipped quietly */
	s = parse("SeccompProfile=none\nSystemCallFilter=~@default\n");
	CHECK("default-group-quiet", s && !strstr(notes, "not known") && has(s, "brk") &&
	      has(s, "execve"));
	spec_free(s);
	(void)name;
}

/* systemd.exec(5): the first line picks allow or deny; an allow list
 * starts as @default; later lines of the same kind add, of the other
 * kind take away. */
static void test_combination(void)
{
	struct spec *s;

	/* systemd's own units and Debian's redis */
	s = parse("SystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources\n");
	if (!CHECK("system-service-parses", s && d.count == 0)) {
		printf("# %s", msgs);
		return;
	}
	CHECK("system-service-allow-list", s->seccomp.enabled && s->seccomp.allow_list);
	CHECK("system-service-has", has(s, "read") && has(s, "openat") && has(s, "socket") &&
	      has(s, "epoll_pwait") && has(s, "execve") && has(s, "clone") && has(s, "setgid"));
	CHECK("tilde-privileged-removes", !has(s, "setuid") && !has(s, "chown") &&
	      !has(s, "capset") && !has(s, "bpf"));
	CHECK("tilde-resources-removes", !has(s, "sched_setscheduler") && !has(s, "setrlimit") &&
	      !has(s, "nice"));
	/* the profile stays on top: what it denies stays out of the list */
	CHECK("profile-on-top", !has(s, "name_to_handle_at") && !has(s, "userfaultfd") &&
	      !has(s, "unshare") && !has(s, "setns"));
	spec_free(s);

	/* allow lines add to each other */
	s = parse("SeccompProfile=none\nSystemCallFilter=read\nSystemCallFilter=@mount\n");
	CHECK("allow-lines-add", s && has(s, "read") && has(s, "mount") && has(s, "brk") &&
	      !has(s, "openat"));
	spec_free(s);
	/* a deny list first: later allow lines take away from it */
	s = parse("SeccompProfile=none\nSystemCallFilter=~@mount\nSystemCallFilter=mount\n");
	CHECK("deny-then-allow-removes", s && !s->seccomp.allow_list && has(s, "umount2") &&
	      !has(s, "mount"));
	spec_free(s);
	/* ... but the profile still denies it */
	s = parse("SystemCallFilter=~@mount\nSystemCallFilter=mount\n");
	CHECK("deny-then-allow-profile-keeps", s && has(s, "mount"));
	spec_free(s);
	/* an empty assignment starts again */
	s = parse("SeccompProfile=none\nSystemCallFilter=read\nSystemCallFilter=\n"
		  "SystemCallFilter=~mount\n");
	CHECK("empty-resets", s && !s->seccomp.allow_list && has(s, "mount") && !has(s, "read"));
	spec_free(s);
	/* names and groups mix on one line, in order */
	s = parse("SeccompProfile=none\nSystemCallFilter=~@mount @swap ptrace\n");
	CHECK("mixed-line", s && has(s, "mount") && has(s, "swapon") && has(s, "ptrace"));
	spec_free(s);
	/* add and remove many times: the list never holds more than the
	 * distinct names */
	s = parse("SeccompProfile=none\nSystemCallFilter=~@known\nSystemCallFilter=@known\n"
		  "SystemCallFilter=~@known\nSystemCallFilter=@file-system\n");
	CHECK("remove-and-add-back", s && has(s, "read") && !has(s, "openat") && has(s, "socket"));
	spec_free(s);
}

static void test_messages(void)
{
	struct spec *s;

	/* a call newer than libseccomp: skipped with a note, as systemd */
	s = parse("SystemCallFilter=~mount frobnicate riscv_hwprobe\n");
	CHECK("unknown-name-accepted", s && d.count == 0 && has(s, "mount") && !has(s, "frobnicate"));
	CHECK_STR("unknown-name-note", notes,
		  "web.unit:4: [Sandbox] SystemCallFilter: note: system call \"frobnicate\" is not "
		  "known to this build's libseccomp on this architecture: skipped\n"
		  "web.unit:4: [Sandbox] SystemCallFilter: note: system call \"riscv_hwprobe\" is not "
		  "known to this build's libseccomp on this architecture: skipped\n");
	spec_free(s);
	/* unknown names: sixteen notes at most */
	{
		static char line[4096];
		size_t n = (size_t)sprintf(line, "SystemCallFilter=~");
		size_t notes_n = 0;

		for (int i = 0; i < 100; i++)
			n += (size_t)sprintf(line + n, "frob%d ", i);
		sprintf(line + n, "\n");
		s = parse(line);
		for (const char *c = notes; (c = strstr(c, "note: ")); c++)
			notes_n++;
		CHECK("unknown-names-notes-capped", s && notes_n == 16 &&
		      strstr(notes, "further unknown names are skipped without a note"));
		spec_free(s);
	}
	/* an allow list naming what the profile denies: accepted, stays denied */
	s = parse("SystemCallFilter=read write\nSystemCallFilter=mount\n");
	CHECK("profile-denied-accepted", s && d.count == 0 && has(s, "read") && !has(s, "mount"));
	CHECK_STR("profile-denied-note", notes,
		  "web.unit:5: [Sandbox] SystemCallFilter: note: mount is denied by "
		  "SeccompProfile=default: it stays denied\n");
	spec_free(s);
	/* however many names come before it (calls of x86-64, arm64 and
	 * 32-bit arm alike, so that no other note joins) */
	s = parse("SystemCallFilter=read write openat close fstat lseek epoll_pwait mprotect "
		  "munmap brk rt_sigaction rt_sigprocmask ioctl pread64 pwrite64 readv writev "
		  "faccessat pipe2 pselect6 sched_yield mremap msync mincore madvise shmget shmat "
		  "shmctl dup dup3 rt_sigsuspend nanosleep getitimer timer_create setitimer getpid "
		  "sendfile socket connect accept sendto recvfrom sendmsg recvmsg shutdown bind "
		  "listen getsockname getpeername socketpair setsockopt getsockopt clone getrusage "
		  "times execve exit wait4 kill uname semget semop semctl shmdt msgget msgsnd "
		  "msgrcv msgctl fcntl flock fsync bpf\n");
	CHECK_STR("profile-denied-note-after-70", notes,
		  "web.unit:4: [Sandbox] SystemCallFilter: note: bpf is denied by "
		  "SeccompProfile=default: it stays denied\n");
	spec_free(s);
	/* Debian's deny lines name calls the profile denies too: quiet */
	s = parse("SystemCallFilter=~@privileged @resources @mount\n");
	CHECK("deny-profile-names-quiet", s && d.count == 0 && !notes[0]);
	spec_free(s);
	/* without the profile the name is allowed, and nothing to say */
	s = parse("SeccompProfile=none\nSystemCallFilter=read mount\n");
	CHECK("profile-none-allows", s && has(s, "mount") && !notes[0]);
	spec_free(s);
	s = parse("SystemCallFilter=~execve\n");
	CHECK_STR("execve-refused-note", notes,
		  "web.unit:4: [Sandbox] SystemCallFilter: note: the filter refuses execve: the "
		  "service cannot be started\n");
	spec_free(s);
	rejects("unknown-group", "SystemCallFilter=@system-service @bogus\n",
		"web.unit:4: [Sandbox] SystemCallFilter: unknown system call group \"@bogus\" "
		"(systemd's: @aio @basic-io @chown @clock @cpu-emulation @debug @default "
		"@file-system @io-event @ipc @keyring @memlock @module @mount @network-io "
		"@obsolete @pkey @privileged @process @raw-io @reboot @resources @sandbox @setuid "
		"@signal @swap @sync @system-service @timer @known) (system call names and @groups, "
		"or ~names to deny)");
	rejects("per-call-errno", "SystemCallFilter=~@mount:EPERM\n",
		"web.unit:4: [Sandbox] SystemCallFilter: \"@mount:EPERM\": an errno of its own per "
		"call is not supported (SystemCallErrorNumber= sets the one errno) (system call "
		"names and @groups, or ~names to deny)");

	/* no message anywhere advises dropping the profile */
	CHECK("no-advice", !strstr(msgs, "SeccompProfile=none") && !strstr(notes, "SeccompProfile=none"));

	/* each group reference costs its size: capped */
	char *text = malloc(300 * 32 + 64), *p = text;

	if (text) {
		p += sprintf(p, "SystemCallFilter=~read\n");
		for (int i = 0; i < 100; i++)
			p += sprintf(p, "SystemCallFilter=~@mount\n");
		s = parse(text);
		CHECK("group-cap", !s && strstr(msgs, "more than 64 system call groups named") &&
		      d.count == 1);
		spec_free(s);
		free(text);
	}
	/* a unit file of 1 MiB that names @known on every line: the cap
	 * keeps it linear (a generous bound that shows it did not hang) */
	size_t len = 1u << 20;
	char *big = malloc(len + 64);

	if (big) {
		struct timespec t0, t1;
		size_t n = (size_t)sprintf(big, "[Service]\nExecStart=/bin/true\n[Sandbox]\n");

		while (n + 32 < len)
			n += (size_t)sprintf(big + n, "SystemCallFilter=%s@known\n", n & 32 ? "~" : "");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		msgs[0] = notes[0] = '\0';
		d.count = 0;
		s = unit_parse_text("web", "web.unit", big, &d);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;

		printf("# 1 MiB of SystemCallFilter=@known lines: %.1f ms\n", ms);
		CHECK("group-cap-1mib-linear", !s && strstr(msgs, "more than 64") && ms < 10000);
		spec_free(s);
		free(big);
	}
}

static void test_hardening_parse(void)
{
	struct spec *s;

	s = parse("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n");
	CHECK("af-allow", s && s->seccomp.af_restrict && !s->seccomp.af_deny &&
	      s->seccomp.af_mask == ((1ull << AF_UNIX) | (1ull << AF_INET) | (1ull << AF_INET6)));
	spec_free(s);
	s = parse("RestrictAddressFamilies=~AF_PACKET\nRestrictAddressFamilies=~AF_NETLINK\n"
		  "RestrictAddressFamilies=AF_PACKET\n");
	CHECK("af-deny-add-remove", s && s->seccomp.af_restrict && s->seccomp.af_deny &&
	      s->seccomp.af_mask == 1ull << AF_NETLINK);
	spec_free(s);
	s = parse("RestrictAddressFamilies=none\nRestrictAddressFamilies=AF_UNIX\n");
	CHECK("af-none-then-add", s && s->seccomp.af_restrict && !s->seccomp.af_deny &&
	      s->seccomp.af_mask == 1ull << AF_UNIX);
	spec_free(s);
	s = parse("RestrictAddressFamilies=AF_INET\nRestrictAddressFamilies=\n");
	CHECK("af-empty-resets", s && !s->seccomp.af_restrict);
	spec_free(s);
	rejects("af-unknown", "RestrictAddressFamilies=AF_UNIX AF_BOGUS\n",
		"web.unit:4: [Sandbox] RestrictAddressFamilies: unknown address family \"AF_BOGUS\" "
		"(AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, ...) (AF_ names, ~names to "
		"deny, or none)");
	s = parse("SeccompProfile=none\nMemoryDenyWriteExecute=yes\nLockPersonality=yes\n"
		  "RestrictRealtime=yes\nRestrictSUIDSGID=yes\n");
	CHECK("bools", s && s->seccomp.mdwe && s->seccomp.lock_personality &&
	      s->seccomp.restrict_realtime && s->seccomp.restrict_suid_sgid);
	/* the hardening keys alone make a filter: a deny list of nothing */
	CHECK("hardening-alone-filters", s && s->seccomp.enabled && !s->seccomp.allow_list &&
	      s->seccomp.names.n == 0);
	spec_free(s);
	/* a hardening key is a filter: the kernel wants no_new_privs for it */
	rejects("hardening-needs-nnp", "SeccompProfile=none\nNoNewPrivileges=no\nLockPersonality=yes\n",
		"web.unit:5: [Sandbox] NoNewPrivileges: \"no\" needs CAP_SYS_ADMIN or no seccomp "
		"filter (SeccompProfile=none, no SystemCallFilter=, RestrictNamespaces= or hardening "
		"key): the kernel loads a filter only under no_new_privs");
	rejects("bool-bad", "LockPersonality=perhaps\n",
		"web.unit:4: [Sandbox] LockPersonality: \"perhaps\" is not a boolean (yes or no)");
}

/* Load r's filter in a child under no_new_privs, run fn there: its
 * return (0 or an errno), or 200+signal when killed. */
static int under(const struct seccomp_rules *r, int (*fn)(void))
{
	struct sbx_bpf b;
	struct err e = { 0 };
	int st;
	pid_t pid;

	if (sbx_seccomp_compile(r, &b, &e) < 0) {
		printf("# compile: %s\n", e.msg);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || sbx_seccomp_load(&b) < 0)
			_exit(199);
		_exit(fn());
	}
	sbx_bpf_free(&b);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFSIGNALED(st) ? 200 + WTERMSIG(st) : WEXITSTATUS(st);
}

static int fd_errno(long fd)
{
	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

static int sock_inet(void) { return fd_errno(syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0)); }
static int sock_unix(void) { return fd_errno(syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0)); }
static int sock_netlink(void) { return fd_errno(syscall(SYS_socket, AF_NETLINK, SOCK_DGRAM, 0)); }
/* Upper bits of a 64-bit register (a 32-bit one has none to set) */
#if __SIZEOF_LONG__ == 8
#define HI(v) (v)
#else
#define HI(v) 0L
#endif
static int sock_netlink_hi(void)
{
	return fd_errno(syscall(SYS_socket, HI(0x700000000L) | AF_NETLINK, SOCK_DGRAM, 0));
}
static int sock_packet_hi(void)
{
	return fd_errno(syscall(SYS_socket, HI(0x100000000L) | AF_PACKET, SOCK_DGRAM, 0));
}

static int pair_unix(void)
{
	int sv[2];

	if (syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return errno;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

/* 32-bit arm maps with mmap2 only (its filter rules are mmap2's) */
#ifdef SYS_mmap
#define SYS_MAP SYS_mmap
#else
#define SYS_MAP SYS_mmap2
#endif
static int map(int prot)
{
	void *p = (void *)syscall(SYS_MAP, NULL, 4096UL, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);

	return p == MAP_FAILED ? errno : 0;
}

static int map_wx(void) { return map(PROT_READ | PROT_WRITE | PROT_EXEC); }
static int map_rx(void) { return map(PROT_READ | PROT_EXEC); }
static int map_rw(void) { return map(PROT_READ | PROT_WRITE); }

static int protect_x(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 99;
	return syscall(SYS_mprotect, p, 4096UL, PROT_READ | PROT_EXEC) < 0 ? errno : 0;
}

static int persona(unsigned long v) { return syscall(SYS_personality, v) < 0 ? errno : 0; }
static int persona_linux32(void) { return persona(0x0008); }
static int persona_linux(void) { return persona(0); }
static int persona_query(void) { return persona(0xffffffffUL); }
static int persona_hi(void) { return persona(HI(0x100000008UL) | 0x0008); }
static int persona_rie(void) { return persona(0x0400000UL); }

/* without CAP_SYS_NICE SCHED_FIFO fails anyway (EPERM): ask for one the
 * kernel gives to anyone as a control */
static int sched(int policy)
{
	struct sched_param sp = { 0 };

	return syscall(SYS_sched_setscheduler, 0, policy, &sp) < 0 ? errno : 0;
}

static int sched_batch(void) { return sched(SCHED_BATCH); }
static int sched_rr_bad_prio(void) { return sched(SCHED_RR); }   /* EINVAL unfiltered */

static char tmpdir[64];

static int mode_call(int which, mode_t mode)
{
	char path[128];
	long r;

	snprintf(path, sizeof path, "%s/f%d-%o", tmpdir, which, (unsigned)mode);
	if (which == 0) {
		int fd = open(path, O_WRONLY | O_CREAT, 0600);

		if (fd >= 0)
			close(fd);
#ifdef SYS_chmod
		r = syscall(SYS_chmod, path, mode);
#else
		/* arm64 has only the *at calls, filtered alike */
		r = syscall(SYS_fchmodat, AT_FDCWD, path, mode);
#endif
	} else if (which == 1) {
		r = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT, mode);
		if (r >= 0)
			close((int)r);
	} else if (which == 2) {
#ifdef SYS_mkdir
		r = syscall(SYS_mkdir, path, mode);
#else
		r = syscall(SYS_mkdirat, AT_FDCWD, path, mode);
#endif
	} else {
		/* no O_CREAT: the mode argument is not looked at */
		r = syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY, 04755);
		if (r >= 0)
			close((int)r);
	}
	return r < 0 ? errno : 0;
}

static int chmod_suid(void) { return mode_call(0, 04755); }
static int chmod_sgid(void) { return mode_call(0, 02755); }
static int chmod_plain(void) { return mode_call(0, 0755); }
static int creat_suid(void) { return mode_call(1, 04755); }
static int creat_plain(void) { return mode_call(1, 0644); }
static int mkdir_sgid(void) { return mode_call(2, 02755); }
static int open_nocreat(void) { return mode_call(3, 0); }
static int openat2_call(void) { return syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) < 0 ? errno : 0; }

static void run_hardening(const char *tag, struct seccomp_rules *r)
{
	char n[96];

#define T(what, fn, want) do { \
		snprintf(n, sizeof n, "%s-%s", tag, what); \
		CHECK_INT(n, under(r, fn), want); \
	} while (0)

	r->af_restrict = true;
	r->af_deny = false;
	r->af_mask = (1ull << AF_UNIX) | (1ull << AF_INET);
	T("af-inet-allowed", sock_inet, 0);
	T("af-unix-allowed", sock_unix, 0);
	T("af-netlink-refused", sock_netlink, EAFNOSUPPORT);
	T("af-netlink-upper-bits-refused", sock_netlink_hi, EAFNOSUPPORT);
	T("af-socketpair-unix", pair_unix, 0);
	r->af_deny = true;
	r->af_mask = (1ull << AF_NETLINK) | (1ull << AF_PACKET);
	T("af-deny-inet-allowed", sock_inet, 0);
	T("af-deny-netlink-refused", sock_netlink, EAFNOSUPPORT);
	T("af-deny-netlink-upper-bits-refused", sock_netlink_hi, EAFNOSUPPORT);
	T("af-deny-packet-upper-bits-refused", sock_packet_hi, EAFNOSUPPORT);
	r->af_deny = false;
	r->af_mask = 0;   /* RestrictAddressFamilies=none */
	T("af-none-unix-refused", sock_unix, EAFNOSUPPORT);
	r->af_restrict = false;

	r->mdwe = true;
	T("mdwe-wx-refused", map_wx, EPERM);
	T("mdwe-rx-allowed", map_rx, 0);
	T("mdwe-rw-allowed", map_rw, 0);
	T("mdwe-w-then-x-refused", protect_x, EPERM);
	r->mdwe = false;
	T("no-mdwe-wx-allowed", map_wx, 0);

	r->lock_personality = true;
	T("persona-linux32-refused", persona_linux32, EPERM);
	T("persona-read-implies-exec-refused", persona_rie, EPERM);
	T("persona-upper-bits-refused", persona_hi, EPERM);
	T("persona-linux-allowed", persona_linux, 0);
	T("persona-query-allowed", persona_query, 0);
	r->lock_personality = false;

	r->restrict_realtime = true;
	T("rt-rr-refused", sched_rr_bad_prio, EPERM);
	T("rt-batch-allowed", sched_batch, 0);
	r->restrict_realtime = false;
	T("no-rt-rr-einval", sched_rr_bad_prio, EINVAL);

	r->restrict_suid_sgid = true;
	T("sxid-chmod-suid-refused", chmod_suid, EPERM);
	T("sxid-chmod-sgid-refused", chmod_sgid, EPERM);
	T("sxid-chmod-plain-allowed", chmod_plain, 0);
	T("sxid-creat-suid-refused", creat_suid, EPERM);
	T("sxid-creat-plain-allowed", creat_plain, 0);
	T("sxid-mkdir-sgid-refused", mkdir_sgid, EPERM);
	T("sxid-open-nocreat-allowed", open_nocreat, 0);
	T("sxid-openat2-enosys", openat2_call, ENOSYS);
	r->restrict_suid_sgid = false;
	T("no-sxid-chmod-suid-allowed", chmod_suid, 0);
#undef T
}


static void test_hardening_run(void)
{
	struct spec *s = parse("SeccompProfile=none\nLockPersonality=yes\n");

	/* qemu-user does not emulate seccomp(2): the filters are checked
	 * without loading them in test_seccomp_arch; a kernel that cannot
	 * load one fails below */
	if (qu_need(QU_SECCOMP)) {
		t_skip("hardening-run", t_skip_why);
		qu_done();
		spec_free(s);
		return;
	}
	spec_free(s);

	if (!mkdtemp(strcpy(tmpdir, "/tmp/sbx-sxid-XXXXXX"))) {
		t_report("hardening-tmpdir", false, "%s", strerror(errno));
		return;
	}
	/* under the default profile (a deny list) */
	s = parse("");
	if (s) {
		run_hardening("deny", &s->seccomp);
		spec_free(s);
	}
	/* under systemd's service allow list: the allowed parts must stay
	 * allowed, the refused parts get systemd's errno */
	s = parse("SystemCallFilter=@system-service\n");
	if (s) {
		run_hardening("allow", &s->seccomp);
		spec_free(s);
	}
	/* an allow list without the call: the unit's errno, whatever the key */
	/* (a list that still runs a sanitizer's runtime: ASan build) */
	s = parse("SystemCallFilter=@system-service\nSystemCallFilter=~@network-io\n"
		  "SystemCallErrorNumber=EACCES\nRestrictAddressFamilies=AF_INET\n");
	if (s) {
		CHECK_INT("allow-unlisted-socket-unit-errno", under(&s->seccomp, sock_inet), EACCES);
		spec_free(s);
	}
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
}

static void test_exec_refused(void)
{
	struct spec *s = parse("SystemCallFilter=~execve\n");
	struct step_fail f = { 0 };

	if (!s)
		return;
	CHECK("exec-refused-decided", !seccomp_rules_allow(&s->seccomp, "execve") &&
	      sbx_seccomp_exec_refused(&s->seccomp, "/usr/bin/x", &f));
	CHECK_STR("exec-refused-step", f.step, "exec");
	CHECK_STR("exec-refused-path", f.path,
		  "/usr/bin/x: refused by the unit's system call filter (execve)");
	CHECK_INT("exec-refused-errno", f.errnum, 0);
	spec_free(s);
	s = parse("SystemCallFilter=@basic-io\n");
	CHECK("exec-allowed-by-default-group", s && !sbx_seccomp_exec_refused(&s->seccomp, "/x", &f));
	spec_free(s);
	s = parse("SystemCallFilter=@basic-io\nSystemCallFilter=~execve\n");
	CHECK("exec-removed-from-allow-list", s && sbx_seccomp_exec_refused(&s->seccomp, "/x", &f));
	spec_free(s);
}

/* Two units whose rules differ only in one hardening field never share
 * a compiled filter; the same rules do. */
static void test_bpfcache(void)
{
	struct spec *a = parse(""), *b = parse("");
	struct err e = { 0 };

	if (!a || !b)
		return;
	struct bpf_ref *ra = bpfcache_get(&a->seccomp, &e), *rb;
	bool *fields[] = { &b->seccomp.mdwe, &b->seccomp.lock_personality,
			   &b->seccomp.restrict_realtime, &b->seccomp.restrict_suid_sgid,
			   &b->seccomp.af_restrict };
	const char *names[] = { "mdwe", "personality", "realtime", "suid", "af" };

	rb = bpfcache_get(&b->seccomp, &e);
	CHECK("bpfcache-same-shared", ra && ra == rb);
	bpfcache_put(rb);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		char n[64];

		*fields[i] = true;
		rb = bpfcache_get(&b->seccomp, &e);
		snprintf(n, sizeof n, "bpfcache-%s-apart", names[i]);
		CHECK(n, rb && rb != ra);
		bpfcache_put(rb);
		*fields[i] = false;
	}
	b->seccomp.af_restrict = true;
	b->seccomp.af_mask = 1ull << AF_INET;
	struct bpf_ref *r1 = bpfcache_get(&b->seccomp, &e);

	b->seccomp.af_mask = 1ull << AF_INET6;
	rb = bpfcache_get(&b->seccomp, &e);
	CHECK("bpfcache-af-mask-apart", r1 && rb && r1 != rb);
	bpfcache_put(rb);
	b->seccomp.af_deny = true;
	rb = bpfcache_get(&b->seccomp, &e);
	CHECK("bpfcache-af-deny-apart", rb && rb != r1);
	bpfcache_put(rb);
	bpfcache_put(r1);
	bpfcache_put(ra);
	spec_free(a);
	spec_free(b);
}

#endif

int main(void)
{
	t_seccomp_api();
#if CONFIG_SECCOMP
	test_groups_parse();
	test_combination();
	test_messages();
	test_hardening_parse();
	test_hardening_run();
	test_exec_refused();
	test_bpfcache();
#else
	struct spec *s = parse("MemoryDenyWriteExecute=yes\n");

	CHECK("hardening-needs-seccomp", !s && strstr(msgs, "CONFIG_SECCOMP"));
	spec_free(s);
#endif
	return t_exit();
}
