#include "seccomp_rules.h"

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
 * process accounting, raw I/O ports and obsolete calls. */
const char *const seccomp_default_deny[] = {
	"acct", "add_key", "bpf", "clock_adjtime", "clock_settime",
	"create_module", "delete_module", "finit_module", "fsconfig", "fsmount",
	"fsopen", "fspick", "get_kernel_syms", "init_module", "ioperm", "iopl",
	"kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mount",
	"mount_setattr", "move_mount", "name_to_handle_at", "nfsservctl",
	"open_by_handle_at", "open_tree", "perf_event_open", "pivot_root",
	"query_module", "quotactl", "reboot", "request_key", "setns",
	"settimeofday", "swapoff", "swapon", "_sysctl", "syslog", "umount2",
	"unshare", "uselib", "userfaultfd", "ustat", "vhangup", NULL,
};

const char *const seccomp_always_allow[] = {
	"execve", "exit", "exit_group", "rt_sigreturn", NULL,
};

bool seccomp_syscall_known(const char *name)
{
#if CONFIG_SECCOMP
	return seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name) != __NR_SCMP_ERROR;
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
		out[(*n)++] = (struct seccomp_arg_rule){ name, a, op, arg, mask, value };
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
