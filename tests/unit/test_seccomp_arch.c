/* SystemCallArchitectures=native per architecture, at the BPF level: the
 * compiled filters run through a small classic-BPF interpreter here (no
 * filter is loaded, so the checks hold under qemu-user too, where
 * seccomp(2) is not emulated). For every call number of a foreign
 * architecture the filter must answer KILL_PROCESS: on x86-64 i386 and
 * the x32 numbers (bit 30), on arm64 the AArch32 compat calls
 * (AUDIT_ARCH_ARM), on 32-bit arm any other architecture value. Then
 * what the groups, the hardening keys and the OCI export hold on this
 * architecture. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "check.h"
#include "seccomp_api.h"
#include "config.h"
#include "../../config/oci.h"
#include "../../config/seccomp_rules.h"
#include "../../config/unit.h"
#include "../../sandbox/seccomp.h"

/* <linux/audit.h> values, spelled out: the test must not take them from
 * the headers of the architecture it checks */
#define A_X86_64 0xc000003eu
#define A_I386 0x40000003u
#define A_AARCH64 0xc00000b7u
#define A_ARM 0x40000028u
#define A_ARMEB 0x00000028u
#define A_RISCV64 0xc00000f3u

#if defined(__x86_64__)
#define NATIVE A_X86_64
#define NATIVE_NAME "x86_64"
#define OCI_ARCH "SCMP_ARCH_X86_64"
#define FOREIGN A_I386, A_AARCH64, A_ARM
#elif defined(__aarch64__)
#define NATIVE A_AARCH64
#define NATIVE_NAME "aarch64"
#define OCI_ARCH "SCMP_ARCH_AARCH64"
/* A_ARM first: the compat calls of a 32-bit process, what must die */
#define FOREIGN A_ARM, A_ARMEB, A_X86_64, A_I386
#elif defined(__arm__)
#define NATIVE A_ARM
#define NATIVE_NAME "arm"
#define OCI_ARCH "SCMP_ARCH_ARM"
#define FOREIGN A_AARCH64, A_ARMEB, A_X86_64, A_I386, A_RISCV64
#endif

#if CONFIG_SECCOMP && defined(NATIVE)

static const uint32_t foreign[] = { FOREIGN };

struct sd {
	int32_t nr;
	uint32_t arch;
	uint64_t ip;
	uint64_t args[6];
};

#define BAD 0xdeadbeefu   /* an instruction this interpreter does not know */

/* Classic BPF as seccomp runs it: A and X, 16 words of scratch, loads
 * from struct seccomp_data only, forward jumps. */
static uint32_t run_bpf(const struct sbx_bpf *b, const struct sd *d)
{
	uint32_t a = 0, x = 0, mem[16] = { 0 };
	unsigned char raw[sizeof *d];

	memcpy(raw, d, sizeof raw);
	for (unsigned pc = 0; pc < b->len; pc++) {
		const struct sock_filter *f = &b->insns[pc];
		uint32_t k = f->k, src = BPF_SRC(f->code) == BPF_X ? x : k;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS) && k % 4 == 0 && k + 4 <= sizeof raw)
				memcpy(&a, raw + k, 4);
			else if (f->code == (BPF_LD | BPF_MEM) && k < 16)
				a = mem[k];
			else if (f->code == (BPF_LD | BPF_IMM))
				a = k;
			else
				return BAD;
			break;
		case BPF_LDX:
			if (f->code == (BPF_LDX | BPF_MEM) && k < 16)
				x = mem[k];
			else if (f->code == (BPF_LDX | BPF_IMM))
				x = k;
			else
				return BAD;
			break;
		case BPF_ST:
		case BPF_STX:
			if (k >= 16)
				return BAD;
			mem[k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a = src < 32 ? a << src : 0; break;
			case BPF_RSH: a = src < 32 ? a >> src : 0; break;
			case BPF_NEG: a = -a; break;
			default: return BAD;
			}
			break;
		case BPF_JMP: {
			bool t;

			if (BPF_OP(f->code) == BPF_JA) {
				pc += k;
				continue;
			}
			switch (BPF_OP(f->code)) {
			case BPF_JEQ: t = a == src; break;
			case BPF_JGT: t = a > src; break;
			case BPF_JGE: t = a >= src; break;
			case BPF_JSET: t = (a & src) != 0; break;
			default: return BAD;
			}
			pc += t ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return BAD;
		}
	}
	return BAD;   /* ran off the end: the kernel refuses such a program */
}

static uint32_t verdict(const struct sbx_bpf *b, uint32_t arch, int32_t nr, uint64_t arg2)
{
	struct sd d = { .nr = nr, .arch = arch, .args = { 0, 0, arg2 } };

	return run_bpf(b, &d);
}

static uint32_t verdict_a0(const struct sbx_bpf *b, int32_t nr, uint64_t arg0)
{
	struct sd d = { .nr = nr, .arch = NATIVE, .args = { arg0 } };

	return run_bpf(b, &d);
}

static const char *deny_names[] = { "mount", "unshare", NULL };
static const char *allow_names[] = { "read", "write", "exit", "exit_group", NULL };

static bool compile(struct sbx_bpf *b, const char **names, bool allow, bool harden,
		    const char *what)
{
	struct seccomp_rules r = { .enabled = true, .allow_list = allow, .errnum = EPERM };
	struct err e = { 0 };

	while (names[r.names.n])
		r.names.n++;
	r.names.v = names;
	r.restrict_ns = harden;
	r.mdwe = harden;
	r.lock_personality = harden;
	return t_report(what, sbx_seccomp_compile(&r, b, &e) == 0, "%s", e.msg);
}

/* Every number a foreign task could pass (the whole table range and
 * arm's private calls above 0x0f0000, and a few beyond), by every
 * foreign architecture value: all killed. */
static void sweep_foreign(const struct sbx_bpf *b, const char *name)
{
	static const int32_t extra[] = { 0x0f0000, 0x0f0001, 0x0f0002, 0x0f0005, 0x0f0006,
					 0x0f07ff, 0x900000, 0x40000000, -1, INT32_MAX };
	unsigned bad = 0, n = 0;
	char why[160] = "";

	for (size_t f = 0; f < sizeof foreign / sizeof foreign[0]; f++)
		for (int32_t i = 0; i < 1024 + (int32_t)(sizeof extra / sizeof extra[0]); i++) {
			int32_t nr = i < 1024 ? i : extra[i - 1024];
			uint32_t v = verdict(b, foreign[f], nr, 0);

			n++;
			if (v != SECCOMP_RET_KILL_PROCESS && !bad++)
				snprintf(why, sizeof why, "arch 0x%08x nr %d: 0x%08x", foreign[f],
					 (int)nr, v);
		}
	t_report(name, bad == 0, "%u of %u not killed, first %s", bad, n, why);
}

static void test_arch_sweeps(void)
{
	struct sbx_bpf deny, allow, hard;
	char name[96];

	if (!compile(&deny, deny_names, false, false, "seccomp-arch-compile-deny") ||
	    !compile(&allow, allow_names, true, false, "seccomp-arch-compile-allow") ||
	    !compile(&hard, allow_names, true, true, "seccomp-arch-compile-hardened"))
		return;

	/* the native calls are filtered by the rules, not by the arch check */
	CHECK_INT("seccomp-arch-native-allowed", verdict(&deny, NATIVE, SYS_getpid, 0),
		  SECCOMP_RET_ALLOW);
	CHECK_INT("seccomp-arch-native-denied", verdict(&deny, NATIVE, SYS_unshare, 0),
		  SECCOMP_RET_ERRNO | EPERM);
	CHECK_INT("seccomp-arch-native-allow-list-read", verdict(&allow, NATIVE, SYS_read, 0),
		  SECCOMP_RET_ALLOW);
	CHECK_INT("seccomp-arch-native-allow-list-other", verdict(&allow, NATIVE, SYS_getpid, 0),
		  SECCOMP_RET_ERRNO | EPERM);
	{
		/* the deny list lets the rest of the native table through:
		 * the sweeps below are not trivially true */
		unsigned allowed = 0;

		for (int32_t nr = 0; nr < 400; nr++)
			allowed += verdict(&deny, NATIVE, nr, 0) == SECCOMP_RET_ALLOW;
		t_report("seccomp-arch-native-table-open", allowed >= 300, "%u of 400 allowed",
			 allowed);
	}

	snprintf(name, sizeof name, "seccomp-arch-%s-foreign-killed-deny", NATIVE_NAME);
	sweep_foreign(&deny, name);
	snprintf(name, sizeof name, "seccomp-arch-%s-foreign-killed-allow", NATIVE_NAME);
	sweep_foreign(&allow, name);
	snprintf(name, sizeof name, "seccomp-arch-%s-foreign-killed-hardened", NATIVE_NAME);
	sweep_foreign(&hard, name);

#if defined(__x86_64__)
	/* x32: the native arch value with bit 30 in the number */
	unsigned bad = 0;

	for (int32_t nr = 0; nr < 1024; nr++)
		bad += verdict(&deny, NATIVE, 0x40000000 | nr, 0) != SECCOMP_RET_KILL_PROCESS;
	t_report("seccomp-arch-x32-killed", bad == 0, "%u x32 numbers not killed", bad);
#elif defined(__aarch64__)
	/* the arm calls of a 32-bit process: getpid (20), unshare (337) */
	CHECK_INT("seccomp-arch-compat-arm-getpid-killed", verdict(&deny, A_ARM, 20, 0),
		  SECCOMP_RET_KILL_PROCESS);
	CHECK_INT("seccomp-arch-compat-arm-unshare-killed", verdict(&deny, A_ARM, 337, 0),
		  SECCOMP_RET_KILL_PROCESS);
#elif defined(__arm__)
	/* arm's private calls are native calls: set_tls (musl and glibc
	 * set the thread pointer with it) passes a deny list, and an allow
	 * list that does not name it refuses it by the rules */
	CHECK_INT("seccomp-arch-arm-set-tls-deny-list", verdict(&deny, NATIVE, 0x0f0005, 0),
		  SECCOMP_RET_ALLOW);
	CHECK_INT("seccomp-arch-arm-set-tls-allow-list", verdict(&allow, NATIVE, 0x0f0005, 0),
		  SECCOMP_RET_ERRNO | EPERM);
	/* sigreturn (119) is always allowed under an allow list, as
	 * rt_sigreturn: a handler installed without SA_SIGINFO returns
	 * through it */
	CHECK_INT("seccomp-arch-arm-sigreturn-allowed", verdict(&allow, NATIVE, 119, 0),
		  SECCOMP_RET_ALLOW);
#endif

	/* MemoryDenyWriteExecute= on the call this architecture maps with */
#ifdef SYS_mmap2
	const int32_t map = SYS_mmap2;
#else
	const int32_t map = SYS_mmap;
#endif
	struct seccomp_rules m = { .enabled = true, .errnum = EPERM, .mdwe = true };
	struct sbx_bpf mb;
	struct err e = { 0 };

	if (t_report("seccomp-arch-mdwe-compile", sbx_seccomp_compile(&m, &mb, &e) == 0, "%s",
		     e.msg)) {
		CHECK_INT("seccomp-arch-mdwe-wx-refused",
			  verdict(&mb, NATIVE, map, PROT_WRITE | PROT_EXEC), SECCOMP_RET_ERRNO | EPERM);
		CHECK_INT("seccomp-arch-mdwe-rx-allowed", verdict(&mb, NATIVE, map, PROT_READ | PROT_EXEC),
			  SECCOMP_RET_ALLOW);
		sbx_bpf_free(&mb);
	}
	sbx_bpf_free(&deny);
	sbx_bpf_free(&allow);
	sbx_bpf_free(&hard);
}

/* io_uring runs its operations in the kernel without a system call the
 * filter sees: IORING_OP_SOCKET (Linux 5.19) makes a socket of any
 * family, IORING_OP_OPENAT/OPENAT2 and IORING_OP_MKDIRAT create files
 * with any mode. A unit that restricts families or set-id modes must not
 * get a ring, or the rules on socket(2), openat(2) and mkdirat(2) are
 * bypassed: io_uring_setup refused, by a deny list and by an allow list
 * that names it (@system-service holds @aio). */
static void test_io_uring_keys(void)
{
	static const char *uring[] = { "io_uring_setup", "io_uring_enter", "io_uring_register",
				       "socket", "openat", "mkdirat", "exit_group", NULL };
	static const struct { const char *key; bool af, suid; } keys[] = {
		{ "af", true, false }, { "suid-sgid", false, true },
	};

	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
		for (int allow = 0; allow < 2; allow++) {
			struct seccomp_rules r = { .enabled = true, .allow_list = allow,
						   .errnum = EPERM };
			struct sbx_bpf b;
			struct err e = { 0 };
			char name[96];

			if (allow)
				while (uring[r.names.n])
					r.names.n++;
			r.names.v = uring;
			r.af_restrict = keys[k].af;
			r.af_mask = 1ull << 1;   /* AF_UNIX only */
			r.restrict_suid_sgid = keys[k].suid;
			snprintf(name, sizeof name, "seccomp-arch-io-uring-%s-%s-refused", keys[k].key,
				 allow ? "allow-list" : "deny-list");
			if (sbx_seccomp_compile(&r, &b, &e) < 0) {
				t_report(name, false, "compile: %s", e.msg);
				continue;
			}
			uint32_t v = verdict(&b, NATIVE, SYS_io_uring_setup, 0);

			t_report(name, v != SECCOMP_RET_ALLOW,
				 "io_uring_setup passes (0x%08x): its ring's IORING_OP_SOCKET/OPENAT "
				 "bypass the rules", v);
			sbx_bpf_free(&b);
		}
}

#include "sandbox_parse.h"

static bool has(const struct spec *s, const char *name)
{
	return strv_contains(&s->seccomp.names, name);
}

/* Which names a unit holds is decided by the build's architecture. */
static void test_arch_names(void)
{
	struct spec *s = parse("SystemCallFilter=@system-service\n");

	if (!t_report("seccomp-arch-system-service-parses", s && d.count == 0, "%s", msgs))
		return;
	CHECK("seccomp-arch-system-service-basics", has(s, "read") && has(s, "openat") &&
	      has(s, "execve") && has(s, "exit_group"));
#if defined(__x86_64__)
	CHECK("seccomp-arch-x86-64-names", has(s, "open") && has(s, "arch_prctl") &&
	      !has(s, "mmap2") && !has(s, "set_tls") && !has(s, "sigreturn"));
#elif defined(__aarch64__)
	CHECK("seccomp-arch-aarch64-names", has(s, "mmap") && !has(s, "open") &&
	      !has(s, "arch_prctl") && !has(s, "mmap2") && !has(s, "epoll_wait"));
#elif defined(__arm__)
	/* what musl and glibc call on arm before main and on the way */
	CHECK("seccomp-arch-arm-names", has(s, "set_tls") && has(s, "sigreturn") &&
	      has(s, "mmap2") && has(s, "_llseek") && has(s, "clock_gettime64") &&
	      has(s, "fstatat64") && has(s, "fcntl64") && has(s, "cacheflush") &&
	      has(s, "ugetrlimit") && !has(s, "mmap") && !has(s, "arch_prctl"));
#endif
	spec_free(s);

	/* @known: every call of this architecture's table (arm's private
	 * calls above 0x0f0000 too), none of another's */
	s = parse("SeccompProfile=none\nSystemCallFilter=~@known\n");
	if (t_report("seccomp-arch-known-parses", s && d.count == 0, "%s", msgs)) {
#if defined(__x86_64__)
		CHECK("seccomp-arch-known-x86-64", has(s, "iopl") && has(s, "open") &&
		      !has(s, "set_tls") && !has(s, "mmap2"));
#elif defined(__aarch64__)
		CHECK("seccomp-arch-known-aarch64", has(s, "openat") && !has(s, "open") &&
		      !has(s, "iopl") && !has(s, "set_tls"));
#elif defined(__arm__)
		CHECK("seccomp-arch-known-arm", has(s, "set_tls") && has(s, "cacheflush") &&
		      has(s, "breakpoint") && has(s, "mmap2") && !has(s, "mmap") && !has(s, "iopl"));
#endif
		spec_free(s);
	}

	/* the profile's deny list: what this architecture has of it */
	s = parse("SeccompProfile=default\n");
	if (t_report("seccomp-arch-profile-parses", s && d.count == 0, "%s", msgs)) {
		CHECK("seccomp-arch-profile-common", has(s, "mount") && has(s, "bpf") &&
		      has(s, "kexec_load") && has(s, "init_module"));
#if defined(__x86_64__)
		CHECK("seccomp-arch-profile-x86-64", has(s, "iopl") && has(s, "ioperm") &&
		      !has(s, "pciconfig_read") && !has(s, "clock_settime64"));
#elif defined(__aarch64__)
		CHECK("seccomp-arch-profile-aarch64", !has(s, "iopl") && !has(s, "pciconfig_read") &&
		      !has(s, "_sysctl"));
#elif defined(__arm__)
		CHECK("seccomp-arch-profile-arm", has(s, "pciconfig_read") &&
		      has(s, "pciconfig_write") && has(s, "pciconfig_iobase") &&
		      has(s, "clock_settime64") && has(s, "clock_adjtime64") && !has(s, "iopl"));
#endif
		spec_free(s);
	}

	/* an allow list always lets the process return from a handler */
	s = parse("SeccompProfile=none\nSystemCallFilter=read\n");
	if (s) {
#if defined(__arm__)
		CHECK("seccomp-arch-always-sigreturn", has(s, "rt_sigreturn") && has(s, "sigreturn"));
#else
		CHECK("seccomp-arch-always-sigreturn", has(s, "rt_sigreturn") && !has(s, "sigreturn"));
#endif
		spec_free(s);
	}

	/* a name this architecture lacks is skipped with the note any
	 * unknown name gets, and the rest of the line still counts */
#if defined(__x86_64__)
	const char *absent = "set_tls";
#else
	const char *absent = "iopl";
#endif
	char line[128], want[256];

	snprintf(line, sizeof line, "SystemCallFilter=~mount %s\n", absent);
	snprintf(want, sizeof want, "web.unit:4: [Sandbox] SystemCallFilter: note: system call "
		 "\"%s\" is not known to this build's libseccomp on this architecture: skipped\n",
		 absent);
	s = parse(line);
	CHECK("seccomp-arch-absent-name-accepted", s && d.count == 0 && has(s, "mount") &&
	      !has(s, absent));
	CHECK_STR("seccomp-arch-absent-name-note", notes, want);
	spec_free(s);
}

/* MemoryDenyWriteExecute= without LockPersonality=: personality(
 * READ_IMPLIES_EXEC) makes the kernel add PROT_EXEC to every readable
 * mmap and mprotect, so mmap(PROT_READ|PROT_WRITE), which the rules
 * let through, maps write+execute. The flag must be refused; the query
 * (0xffffffff) and other personalities still pass. */
static void test_mdwe_personality(void)
{
	static const char *names[] = { "personality", "mmap", "mmap2", "mprotect", "exit_group",
				       NULL };
	const uint64_t rie = 0x0400000;   /* READ_IMPLIES_EXEC */
	const int32_t nr = seccomp_syscall_resolve_name("personality");

	for (int allow = 0; allow < 2; allow++) {
		struct seccomp_rules r = { .enabled = true, .allow_list = allow, .errnum = EPERM,
					   .mdwe = true };
		const char *known[8];
		struct sbx_bpf b;
		struct err e = { 0 };
		char name[96];

		for (const char **n = names; *n; n++)
			if (seccomp_syscall_known(*n))
				known[r.names.n++] = *n;
		r.names.v = allow ? known : NULL;
		r.names.n = allow ? r.names.n : 0;
		snprintf(name, sizeof name, "seccomp-arch-mdwe-%s-read-implies-exec",
			 allow ? "allow-list" : "deny-list");
		if (sbx_seccomp_compile(&r, &b, &e) < 0) {
			t_report(name, false, "compile: %s", e.msg);
			continue;
		}
		uint32_t v_rie = verdict_a0(&b, nr, rie), v_hi = verdict_a0(&b, nr, rie | 1u << 31),
			 v_q = verdict_a0(&b, nr, 0xffffffffu), v_0 = verdict_a0(&b, nr, 0);

		t_report(name, v_rie == (SECCOMP_RET_ERRNO | EPERM) &&
			 v_hi == (SECCOMP_RET_ERRNO | EPERM) && v_q == SECCOMP_RET_ALLOW &&
			 v_0 == SECCOMP_RET_ALLOW,
			 "personality(READ_IMPLIES_EXEC) 0x%08x, with bit 31 0x%08x, query 0x%08x, "
			 "PER_LINUX 0x%08x", v_rie, v_hi, v_q, v_0);
		sbx_bpf_free(&b);
	}
}

/* The default profile denies clock setting and quotas by every call that
 * does them on this architecture, not by one spelling: adjtimex sets the
 * clock as clock_adjtime(CLOCK_REALTIME) does (ADJ_SETOFFSET, the
 * frequency), quotactl_fd is quotactl on an fd. Checked on the compiled
 * filter, by this architecture's numbers. */
static void test_profile_aliases(void)
{
	static const struct { const char *denied, *alias; } pairs[] = {
		{ "clock_adjtime", "adjtimex" }, { "quotactl", "quotactl_fd" },
	};
	struct spec *s = parse("SeccompProfile=default\n");
	struct sbx_bpf b;
	struct err e = { 0 };

	if (!t_report("seccomp-arch-profile-aliases-compile",
		      s && sbx_seccomp_compile(&s->seccomp, &b, &e) == 0, "%s%s", msgs, e.msg)) {
		spec_free(s);
		return;
	}
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		int d = seccomp_syscall_resolve_name(pairs[i].denied);
		int a = seccomp_syscall_resolve_name(pairs[i].alias);
		char name[96];

		snprintf(name, sizeof name, "seccomp-arch-profile-denies-%s", pairs[i].alias);
		if (d < 0 || a < 0) {
			t_skip(name, "this architecture has no such pair of calls");
			continue;
		}
		uint32_t vd = verdict(&b, NATIVE, d, 0), va = verdict(&b, NATIVE, a, 0);

		t_report(name, vd != SECCOMP_RET_ALLOW && va == vd,
			 "%s answers 0x%08x, %s (the same call) 0x%08x", pairs[i].denied, vd,
			 pairs[i].alias, va);
	}

	/* open_tree_attr (Linux 6.15) is open_tree with mount_setattr's
	 * attributes, both denied; the libseccomp linked here (2.5.4) does
	 * not know it, so the profile skips the name and a 6.15 kernel runs
	 * it. Its number, 467, is one on x86-64, arm64 and arm EABI alike. */
#if defined(__x86_64__) || defined(__aarch64__) || (defined(__arm__) && defined(__ARM_EABI__))
	uint32_t vt = verdict(&b, NATIVE, seccomp_syscall_resolve_name("open_tree"), 0),
		 va = verdict(&b, NATIVE, 467, 0);

	t_report("seccomp-arch-profile-denies-open_tree_attr", vt != SECCOMP_RET_ALLOW && va == vt,
		 "open_tree answers 0x%08x, open_tree_attr (467) 0x%08x", vt, va);
#endif
	sbx_bpf_free(&b);
	spec_free(s);
}

#if CONFIG_OCI_SPEC
/* The export's architectures: the native one alone (a second one would
 * let runc or crun filter that architecture's calls instead of killing
 * them). */
static void test_oci_arch(void)
{
	struct spec *s = parse("SystemCallFilter=@system-service\n");
	char path[] = "/tmp/sbx-oci-arch.XXXXXX", buf[1 << 16];
	struct err e = { 0 };
	int fd = mkstemp(path);
	ssize_t n = -1;

	if (fd >= 0) {
		unlink(path);
		if (s && oci_write_spec(s, fd, &e) == 0 && lseek(fd, 0, SEEK_SET) == 0)
			n = read(fd, buf, sizeof buf - 1);
		close(fd);
	}
	spec_free(s);
	if (!t_report("seccomp-arch-oci-export", n > 0, "%s", e.msg))
		return;
	buf[n] = '\0';
	const char *at = strstr(buf, "\"architectures\": [");
	char want[128];

	snprintf(want, sizeof want, "\"architectures\": [\n        \"%s\"\n      ]", OCI_ARCH);
	t_report("seccomp-arch-oci-native-only", at && strncmp(at, want, strlen(want)) == 0,
		 "got \"%.80s\"", at ? at : "(no architectures)");
}
#endif

#endif

int main(void)
{
	t_seccomp_api();
#if CONFIG_SECCOMP && defined(NATIVE)
	test_arch_sweeps();
	test_io_uring_keys();
	test_mdwe_personality();
	test_arch_names();
	test_profile_aliases();
#if CONFIG_OCI_SPEC
	test_oci_arch();
#endif
#elif CONFIG_SECCOMP
	t_skip("seccomp-arch", "no checks for this architecture");
#else
	t_skip("seccomp-arch", "this build has no seccomp support (CONFIG_SECCOMP)");
#endif
	return t_exit();
}
