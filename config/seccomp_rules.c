#include "seccomp_rules.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "config.h"

#if CONFIG_SECCOMP
#include <seccomp.h>
#endif

/* Modelled on the classes Docker's and systemd's profiles deny: kernel
 * code loading, rebooting, mounting (the new mount API too), swap, BPF
 * and perf, the kernel keyring, file handles (the "shocker" escape),
 * userfaultfd, clock setting, namespace creation and entry, quotas,
 * process accounting, raw I/O ports and obsolete calls. One list for
 * every architecture: a name this one lacks (iopl on arm64, the
 * pciconfig_* calls of 32-bit arm, clock_settime64 on 64-bit ones) is
 * left out of its filter, there is no such call to deny. The 32-bit
 * calls that take a 64-bit time (clock_settime64, clock_adjtime64) are
 * listed with their older forms, or a 32-bit service could set the
 * clock through them. */
const char *const seccomp_default_deny[] = {
	"acct", "add_key", "bpf", "clock_adjtime", "clock_adjtime64", "clock_settime",
	"clock_settime64", "create_module", "delete_module", "finit_module", "fsconfig", "fsmount",
	"fsopen", "fspick", "get_kernel_syms", "init_module", "ioperm", "iopl",
	"kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mount",
	"mount_setattr", "move_mount", "name_to_handle_at", "nfsservctl",
	"open_by_handle_at", "open_tree", "pciconfig_iobase", "pciconfig_read",
	"pciconfig_write", "perf_event_open", "pivot_root",
	"query_module", "quotactl", "reboot", "request_key", "setns",
	"settimeofday", "swapoff", "swapon", "_sysctl", "syslog", "umount2",
	"unshare", "uselib", "userfaultfd", "ustat", "vhangup", NULL,
};

/* 32-bit arm returns from a handler installed without SA_SIGINFO through
 * sigreturn (musl's and glibc's restorer), x86-64 and arm64 have only
 * rt_sigreturn. */
const char *const seccomp_always_allow[] = {
	"exit", "exit_group", "rt_sigreturn",
#if defined(__arm__)
	"sigreturn",
#endif
	NULL,
};

bool seccomp_syscall_known(const char *name)
{
#if CONFIG_SECCOMP
	/* The build's own architecture (libseccomp's native one is the one
	 * it was compiled for). A name libseccomp knows but this
	 * architecture lacks (open on arm64, socketcall on x86-64) resolves
	 * to a negative pseudo number: no call to filter, so not known. */
	return seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, name) >= 0;
#else
	(void)name;
	return false;
#endif
}

/* CLONE_NEW* of <linux/sched.h>, by NS_BIT type. CLONE_NEWTIME (0x80) is
 * not among them: in clone(2)'s flags that bit is part of the exit
 * signal (CSIGNAL), and clone(2) cannot make a time namespace; unshare
 * and setns take it and get it filtered below. */
#define SCR_CLONE_NEWTIME 0x00000080ull
static const uint64_t ns_flag[NS_COUNT] = {
	[NS_PID] = 0x20000000ull,     /* CLONE_NEWPID */
	[NS_NET] = 0x40000000ull,     /* CLONE_NEWNET */
	[NS_IPC] = 0x08000000ull,     /* CLONE_NEWIPC */
	[NS_UTS] = 0x04000000ull,     /* CLONE_NEWUTS */
	[NS_MOUNT] = 0x00020000ull,   /* CLONE_NEWNS */
	[NS_CGROUP] = 0x02000000ull,  /* CLONE_NEWCGROUP */
	[NS_USER] = 0x10000000ull,    /* CLONE_NEWUSER */
};

/* clone's flags are its first argument except on s390, whose clone takes
 * the stack first (libseccomp does not reorder arguments per arch). */
#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG 1u
#else
#define CLONE_FLAGS_ARG 0u
#endif

static bool listed(const struct seccomp_rules *r, const char *name)
{
	return strv_contains(&r->names, name);
}

bool seccomp_ns_conditional(const struct seccomp_rules *r, const char *name)
{
	return r->restrict_ns && r->allow_list &&
	       (strcmp(name, "clone") == 0 || strcmp(name, "clone3") == 0 ||
		strcmp(name, "unshare") == 0 || strcmp(name, "setns") == 0);
}

static void add(struct seccomp_arg_rule *out, size_t *n, const char *name,
		enum seccomp_arg_action a, enum seccomp_arg_op op, unsigned arg,
		uint64_t mask, uint64_t value)
{
	if (*n < SECCOMP_NS_RULES_MAX)
		out[(*n)++] = (struct seccomp_arg_rule){ .name = name, .action = a, .op = op, .arg = arg,
						     .mask = mask, .value = value };
}

size_t seccomp_ns_rules(const struct seccomp_rules *r, struct seccomp_arg_rule *out)
{
	uint64_t forbidden = 0, allowed = 0;
	size_t n = 0;

	if (!r->restrict_ns)
		return 0;
	for (int t = 0; t < NS_COUNT; t++) {
		if (r->ns_allowed & NS_BIT(t))
			allowed |= ns_flag[t];
		else
			forbidden |= ns_flag[t];
	}
	if (!r->allow_list) {
		/* Everything else is allowed: deny each forbidden flag alone,
		 * so that any combination holding one is caught. */
		for (int t = 0; t < NS_COUNT; t++) {
			uint64_t f = ns_flag[t];

			if (!(forbidden & f))
				continue;
			if (!listed(r, "clone"))
				add(out, &n, "clone", SECCOMP_ARG_DENY, SECCOMP_OP_MASKED_EQ,
				    CLONE_FLAGS_ARG, f, f);
			if (!listed(r, "unshare"))
				add(out, &n, "unshare", SECCOMP_ARG_DENY, SECCOMP_OP_MASKED_EQ, 0, f, f);
			if (!listed(r, "setns"))
				add(out, &n, "setns", SECCOMP_ARG_DENY, SECCOMP_OP_MASKED_EQ, 1, f, f);
		}
		if (!listed(r, "unshare"))
			add(out, &n, "unshare", SECCOMP_ARG_DENY, SECCOMP_OP_MASKED_EQ, 0,
			    SCR_CLONE_NEWTIME, SCR_CLONE_NEWTIME);
		if (!listed(r, "setns")) {
			add(out, &n, "setns", SECCOMP_ARG_DENY, SECCOMP_OP_MASKED_EQ, 1,
			    SCR_CLONE_NEWTIME, SCR_CLONE_NEWTIME);
			/* nstype 0 joins whatever namespace the fd is */
			if (forbidden)
				add(out, &n, "setns", SECCOMP_ARG_DENY, SECCOMP_OP_EQ, 1, 0, 0);
		}
		if (!listed(r, "clone3"))
			add(out, &n, "clone3", SECCOMP_ARG_ENOSYS, SECCOMP_OP_NONE, 0, 0, 0);
		return n;
	}
	/* An allow list: the calls it lists are let through only without a
	 * forbidden flag; setns only with one allowed type named. */
	if (listed(r, "clone"))
		add(out, &n, "clone", SECCOMP_ARG_ALLOW, SECCOMP_OP_MASKED_EQ, CLONE_FLAGS_ARG,
		    forbidden, 0);
	if (listed(r, "unshare"))
		add(out, &n, "unshare", SECCOMP_ARG_ALLOW, SECCOMP_OP_MASKED_EQ, 0,
		    forbidden | SCR_CLONE_NEWTIME, 0);
	if (listed(r, "setns"))
		for (int t = 0; t < NS_COUNT; t++)
			if (allowed & ns_flag[t])
				add(out, &n, "setns", SECCOMP_ARG_ALLOW, SECCOMP_OP_EQ, 1, 0,
				    ns_flag[t]);
	add(out, &n, "clone3", SECCOMP_ARG_ENOSYS, SECCOMP_OP_NONE, 0, 0, 0);
	return n;
}

/* ---- the hardening keys ------------------------------------------------- */

bool seccomp_rules_allow(const struct seccomp_rules *r, const char *name)
{
	if (!r->enabled)
		return true;
	return r->allow_list == strv_contains(&r->names, name);
}

/* Families 0..45 as <linux/socket.h> numbers them, by bit of af_mask. */
static const char af_names[] =
	"UNSPEC\0UNIX\0INET\0AX25\0IPX\0APPLETALK\0NETROM\0BRIDGE\0ATMPVC\0X25\0INET6\0"
	"ROSE\0DECnet\0NETBEUI\0SECURITY\0KEY\0NETLINK\0PACKET\0ASH\0ECONET\0ATMSVC\0RDS\0"
	"SNA\0IRDA\0PPPOX\0WANPIPE\0LLC\0IB\0MPLS\0CAN\0TIPC\0BLUETOOTH\0IUCV\0RXRPC\0ISDN\0"
	"PHONET\0IEEE802154\0CAIF\0ALG\0NFC\0VSOCK\0KCM\0QIPCRTR\0SMC\0XDP\0MCTP\0";

int seccomp_af_from_name(const char *name)
{
	int n = 0;

	if (strncmp(name, "AF_", 3) != 0)
		return -1;
	if (strcmp(name + 3, "LOCAL") == 0)
		return 1;            /* the POSIX name of AF_UNIX */
	for (const char *a = af_names; *a; a += strlen(a) + 1, n++)
		if (strcmp(a, name + 3) == 0)
			return n;
	return -1;
}

/* <asm-generic> values, the same on x86-64, arm64 and 32-bit arm */
#define H_PROT_WRITE 0x2u
#define H_PROT_EXEC 0x4u
#define H_SHM_EXEC 0100000u
#define H_S_ISUID 04000u
#define H_S_ISGID 02000u
#define H_O_CREAT 0100u
#define H_O_TMPFILE_BIT 020000000u   /* __O_TMPFILE: creates a file too */
#define H_SCHED_OTHER_BATCH_IDLE ((1u << 0) | (1u << 3) | (1u << 5))
#define U32_MAX 0xffffffffull
#define AF_ALL ((1ull << 46) - 1)     /* AF_UNSPEC .. AF_MCTP: AF_MAX is 46 */

struct gen {
	const struct seccomp_rules *r;
	struct seccomp_arg_rule *out;
	size_t n;
};

static void emit(struct gen *g, const char *name, enum seccomp_arg_action a, int errnum,
		 enum seccomp_arg_op op, unsigned arg, uint64_t mask, uint64_t value,
		 struct seccomp_arg_cmp and)
{
	/* under a deny list everything not refused is allowed already */
	if (a == SECCOMP_ARG_ALLOW && !g->r->allow_list)
		return;
	/* a call this architecture lacks (open and chmod on arm64, mmap2 on
	 * 64-bit ones) has nothing to filter; its successor (openat,
	 * fchmodat, mmap) gets the same rules */
	if (CONFIG_SECCOMP && !seccomp_syscall_known(name))
		return;
	if (g->n < SECCOMP_HARDEN_RULES_MAX)
		g->out[g->n++] = (struct seccomp_arg_rule){
			.name = name, .action = a, .op = op, .arg = arg, .mask = mask,
			.value = value, .and = and, .errnum = errnum,
		};
}

static const struct seccomp_arg_cmp no_cmp;

static void cmp1(struct gen *g, const char *name, enum seccomp_arg_action a, int errnum,
		 enum seccomp_arg_op op, unsigned arg, uint64_t mask, uint64_t value)
{
	emit(g, name, a, errnum, op, arg, mask, value, no_cmp);
}

/* A small-number argument (a family, a policy; an int to the kernel,
 * which ignores the upper 32 bits of the register): the values 0..63
 * whose bit is set in `allowed` pass, every other one gets errnum. The
 * rules cover all 2^64 values once each: below the first and above the
 * last value that passes are refused by range (upper bits set: above),
 * the values between one by one. A deny list with nothing allowed gets
 * one refusal of the call; with everything below 64 allowed the refusal
 * of the rest. */
static void small_int(struct gen *g, const char *name, unsigned arg, uint64_t allowed,
		      int errnum)
{
	int lo = -1, hi = -1;

	for (int v = 0; v < 64; v++)
		if (allowed >> v & 1) {
			if (lo < 0)
				lo = v;
			hi = v;
		}
	if (lo < 0) {
		cmp1(g, name, SECCOMP_ARG_ERRNO, errnum, SECCOMP_OP_NONE, 0, 0, 0);
		return;
	}
	if (lo > 0)
		cmp1(g, name, SECCOMP_ARG_ERRNO, errnum, SECCOMP_OP_LT, arg, 0, (uint64_t)lo);
	cmp1(g, name, SECCOMP_ARG_ERRNO, errnum, SECCOMP_OP_GT, arg, 0, (uint64_t)hi);
	for (int v = lo; v <= hi; v++)
		cmp1(g, name, allowed >> v & 1 ? SECCOMP_ARG_ALLOW : SECCOMP_ARG_ERRNO, errnum,
		     SECCOMP_OP_EQ, arg, 0, (uint64_t)v);
}

/* A mode argument: refused with S_ISUID or S_ISGID, allowed without. */
static void sxid_mode(struct gen *g, const char *name, unsigned arg)
{
	cmp1(g, name, SECCOMP_ARG_ERRNO, EPERM, SECCOMP_OP_MASKED_EQ, arg, H_S_ISUID, H_S_ISUID);
	cmp1(g, name, SECCOMP_ARG_ERRNO, EPERM, SECCOMP_OP_MASKED_EQ, arg, H_S_ISGID, H_S_ISGID);
	cmp1(g, name, SECCOMP_ARG_ALLOW, 0, SECCOMP_OP_MASKED_EQ, arg, H_S_ISUID | H_S_ISGID, 0);
}

/* open/openat: the mode counts only when the flags create a file. */
static void sxid_open(struct gen *g, const char *name, unsigned flags, unsigned mode)
{
	static const uint32_t creating[] = { H_O_CREAT, H_O_TMPFILE_BIT };
	static const uint32_t bits[] = { H_S_ISUID, H_S_ISGID };

	for (int c = 0; c < 2; c++)
		for (int b = 0; b < 2; b++)
			emit(g, name, SECCOMP_ARG_ERRNO, EPERM, SECCOMP_OP_MASKED_EQ, flags,
			     creating[c], creating[c],
			     (struct seccomp_arg_cmp){ SECCOMP_OP_MASKED_EQ, mode, bits[b], bits[b] });
	cmp1(g, name, SECCOMP_ARG_ALLOW, 0, SECCOMP_OP_MASKED_EQ, flags,
	     H_O_CREAT | H_O_TMPFILE_BIT, 0);
	cmp1(g, name, SECCOMP_ARG_ALLOW, 0, SECCOMP_OP_MASKED_EQ, mode, H_S_ISUID | H_S_ISGID, 0);
}

/* Whether rules for name belong in the filter: not for a call that it
 * refuses outright anyway. */
static bool callable(const struct gen *g, const char *name)
{
	return seccomp_rules_allow(g->r, name);
}

static void harden_af(struct gen *g)
{
	static const char *const calls[] = { "socket", "socketpair" };
	const struct seccomp_rules *r = g->r;

	for (int i = 0; i < 2; i++) {
		if (!callable(g, calls[i]))
			continue;
		if (r->af_deny && !r->allow_list) {
			/* the families named, whatever the upper bits */
			for (int v = 0; v < 64; v++)
				if (r->af_mask >> v & 1)
					cmp1(g, calls[i], SECCOMP_ARG_ERRNO, EAFNOSUPPORT,
					     SECCOMP_OP_MASKED_EQ, 0, U32_MAX, (uint64_t)v);
			continue;
		}
		/* no family reaches 64 (AF_MAX is 46): all but the ones
		 * named is all below 64 but those */
		small_int(g, calls[i], 0, r->af_deny ? ~r->af_mask & AF_ALL : r->af_mask, EAFNOSUPPORT);
	}
}

static void harden_mdwe(struct gen *g)
{
	static const char *const protect[] = { "mprotect", "pkey_mprotect" };
	const uint64_t wx = H_PROT_WRITE | H_PROT_EXEC;

	/* 32-bit arm maps through mmap2 (its mmap is the old ABI's, absent
	 * from EABI): the same prot argument; emit() keeps the one this
	 * architecture has */
	static const char *const map[] = { "mmap", "mmap2" };

	for (int i = 0; i < 2; i++)
		if (callable(g, map[i])) {
			cmp1(g, map[i], SECCOMP_ARG_ERRNO, EPERM, SECCOMP_OP_MASKED_EQ, 2, wx, wx);
			cmp1(g, map[i], SECCOMP_ARG_ALLOW, 0, SECCOMP_OP_MASKED_EQ, 2, wx, 0);
			cmp1(g, map[i], SECCOMP_ARG_ALLOW, 0, SECCOMP_OP_MASKED_EQ, 2, wx,
			     H_PROT_WRITE);
			cmp1(g, map[i], SECCOMP_ARG_ALLOW, 0, SECCOMP_OP_MASKED_EQ, 2, wx,
			     H_PROT_EXEC);
		}
	/* as systemd: no mapping becomes executable later, written or not */
	for (int i = 0; i < 2; i++)
		if (callable(g, protect[i])) {
			cmp1(g, protect[i], SECCOMP_ARG_ERRNO, EPERM, SECCOMP_OP_MASKED_EQ, 2,
			     H_PROT_EXEC, H_PROT_EXEC);
			cmp1(g, protect[i], SECCOMP_ARG_ALLOW, 0, SECCOMP_OP_MASKED_EQ, 2,
			     H_PROT_EXEC, 0);
		}
	if (callable(g, "shmat")) {
		cmp1(g, "shmat", SECCOMP_ARG_ERRNO, EPERM, SECCOMP_OP_MASKED_EQ, 2, H_SHM_EXEC,
		     H_SHM_EXEC);
		cmp1(g, "shmat", SECCOMP_ARG_ALLOW, 0, SECCOMP_OP_MASKED_EQ, 2, H_SHM_EXEC, 0);
	}
}

/* personality(PER_LINUX) and the query personality(0xffffffff) pass;
 * every other value is refused. The kernel reads the low 32 bits: above
 * them is refused by range. A 32-bit value that is neither 0 nor all ones
 * has some bit set whose next bit (cyclically) is clear, so the 32 rules
 * "bit i set, bit i+1 clear" refuse exactly those values. */
static void harden_personality(struct gen *g)
{
	if (!callable(g, "personality"))
		return;
	cmp1(g, "personality", SECCOMP_ARG_ALLOW, 0, SECCOMP_OP_EQ, 0, 0, 0);
	cmp1(g, "personality", SECCOMP_ARG_ALLOW, 0, SECCOMP_OP_EQ, 0, 0, U32_MAX);
	cmp1(g, "personality", SECCOMP_ARG_ERRNO, EPERM, SECCOMP_OP_GT, 0, 0, U32_MAX);
	for (unsigned i = 0; i < 32; i++) {
		uint64_t bit = 1ull << i, next = 1ull << ((i + 1) % 32);

		cmp1(g, "personality", SECCOMP_ARG_ERRNO, EPERM, SECCOMP_OP_MASKED_EQ, 0,
		     bit | next, bit);
	}
}

static void harden_realtime(struct gen *g)
{
	if (callable(g, "sched_setscheduler"))
		small_int(g, "sched_setscheduler", 1, H_SCHED_OTHER_BATCH_IDLE, EPERM);
	/* its policy sits in memory, out of the filter's reach: refused
	 * whole (systemd leaves it alone) */
	if (callable(g, "sched_setattr"))
		cmp1(g, "sched_setattr", SECCOMP_ARG_ERRNO, EPERM, SECCOMP_OP_NONE, 0, 0, 0);
}

/* fchmodat2's number: calls from 403 on have one number on every
 * architecture (x86-64, arm64 and 32-bit arm's EABI alike); elsewhere
 * no number is guessed. */
#if defined(__x86_64__) || defined(__aarch64__) || (defined(__arm__) && defined(__ARM_EABI__))
#define SCR_NR_FCHMODAT2 452
#endif

static void harden_suid_sgid(struct gen *g)
{
	static const struct { const char *name; unsigned arg; } modes[] = {
		{ "chmod", 1 }, { "fchmod", 1 }, { "fchmodat", 2 }, { "fchmodat2", 2 },
		{ "mkdir", 1 }, { "mkdirat", 2 }, { "mknod", 1 }, { "mknodat", 2 },
		{ "creat", 1 },
	};

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		if (!callable(g, modes[i].name))
			continue;
		if (!seccomp_syscall_known(modes[i].name)) {
			/* fchmodat2 (Linux 6.6) is newer than some libseccomp
			 * 2.5.4 builds: refused by number, ENOSYS as systemd
			 * does, so that libc falls back to fchmodat */
#ifdef SCR_NR_FCHMODAT2
			if (strcmp(modes[i].name, "fchmodat2") == 0 && !g->r->allow_list &&
			    g->n < SECCOMP_HARDEN_RULES_MAX)
				g->out[g->n++] = (struct seccomp_arg_rule){
					.name = "fchmodat2", .action = SECCOMP_ARG_ENOSYS,
					.raw_nr = SCR_NR_FCHMODAT2,
				};
#endif
			continue;
		}
		sxid_mode(g, modes[i].name, modes[i].arg);
	}
	if (callable(g, "open"))
		sxid_open(g, "open", 1, 2);
	if (callable(g, "openat"))
		sxid_open(g, "openat", 2, 3);
	/* its flags and mode sit in memory: ENOSYS, so that libc uses openat */
	if (callable(g, "openat2"))
		cmp1(g, "openat2", SECCOMP_ARG_ENOSYS, 0, SECCOMP_OP_NONE, 0, 0, 0);
}

size_t seccomp_harden_rules(const struct seccomp_rules *r, struct seccomp_arg_rule *out)
{
	struct gen g = { .r = r, .out = out };

	if (!r->enabled)
		return 0;
	if (r->af_restrict)
		harden_af(&g);
	if (r->mdwe)
		harden_mdwe(&g);
	if (r->lock_personality)
		harden_personality(&g);
	if (r->restrict_realtime)
		harden_realtime(&g);
	if (r->restrict_suid_sgid)
		harden_suid_sgid(&g);
	return g.n;
}

bool seccomp_conditional(const struct seccomp_rules *r, const char *name,
			 const struct seccomp_arg_rule *harden, size_t n_harden)
{
	if (seccomp_ns_conditional(r, name))
		return true;
	if (!r->allow_list)
		return false;
	for (size_t i = 0; i < n_harden; i++)
		if (strcmp(harden[i].name, name) == 0)
			return true;
	return false;
}
