#include "seccomp.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "../config/seccomp_rules.h"
#include "../rootfs/fail.h"

#if CONFIG_SECCOMP
#include <seccomp.h>

static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, struct err *e)
{
	int nr = seccomp_syscall_resolve_name(name), r;

	if (nr == __NR_SCMP_ERROR)
		return err_set(e, 0, "seccomp: unknown system call %s", name);
	r = seccomp_rule_add(ctx, action, nr, 0);
	/* -EEXIST: listed twice; a negative nr is a call this architecture
	 * does not have (socketcall on x86-64): nothing to filter. */
	if (r == 0 || r == -EEXIST || (nr < 0 && r == -EDOM))
		return 0;
	return err_set(e, -r, "seccomp: add a rule for %s", name);
}

static int to_cmp(const struct seccomp_arg_cmp *c, struct scmp_arg_cmp *out)
{
	static const enum scmp_compare ops[] = {
		[SECCOMP_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ, [SECCOMP_OP_EQ] = SCMP_CMP_EQ,
		[SECCOMP_OP_GT] = SCMP_CMP_GT, [SECCOMP_OP_LT] = SCMP_CMP_LT,
	};

	if (c->op == SECCOMP_OP_NONE)
		return 0;
	*out = (struct scmp_arg_cmp){
		.arg = c->arg,
		.op = ops[c->op],
		.datum_a = c->op == SECCOMP_OP_MASKED_EQ ? c->mask : c->value,
		.datum_b = c->value,
	};
	return 1;
}

/* RestrictNamespaces= and the hardening keys: config/seccomp_rules.c says
 * which rules. */
static int add_arg_rules(scmp_filter_ctx ctx, const struct seccomp_arg_rule *v, size_t n,
			 uint32_t action, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(v[i].name), rc;
		uint32_t a = v[i].action == SECCOMP_ARG_ALLOW ? SCMP_ACT_ALLOW :
			     v[i].action == SECCOMP_ARG_ENOSYS ? SCMP_ACT_ERRNO(ENOSYS) :
			     v[i].action == SECCOMP_ARG_ERRNO ? SCMP_ACT_ERRNO((uint32_t)v[i].errnum) :
			     action;
		struct seccomp_arg_cmp first = { v[i].op, v[i].arg, v[i].mask, v[i].value };
		struct scmp_arg_cmp cmp[2];
		unsigned n_cmp = 0;

		if (nr == __NR_SCMP_ERROR)
			nr = v[i].raw_nr ? v[i].raw_nr : nr;
		if (nr == __NR_SCMP_ERROR)
			return err_set(e, 0, "seccomp: unknown system call %s", v[i].name);
		n_cmp += (unsigned)to_cmp(&first, &cmp[n_cmp]);
		n_cmp += (unsigned)to_cmp(&v[i].and, &cmp[n_cmp]);
		rc = n_cmp ? seccomp_rule_add_array(ctx, a, nr, n_cmp, cmp)
			   : seccomp_rule_add(ctx, a, nr, 0);
		/* -EACCES: the action is the default one (an allow list whose
		 * errno is ENOSYS already answers clone3 so); -EDOM: a call
		 * this architecture does not have */
		if (rc < 0 && rc != -EEXIST && rc != -EACCES && !(nr < 0 && rc == -EDOM))
			return err_set(e, -rc, "seccomp: add the argument rule for %s", v[i].name);
	}
	return 0;
}

int sbx_seccomp_compile(const struct seccomp_rules *r, struct sbx_bpf *out, struct err *e)
{
	uint32_t action = r->kill ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO((uint32_t)r->errnum);
	struct seccomp_arg_rule ns[SECCOMP_NS_RULES_MAX], hard[SECCOMP_HARDEN_RULES_MAX];
	size_t n_ns = seccomp_ns_rules(r, ns), n_hard = seccomp_harden_rules(r, hard);
	scmp_filter_ctx ctx;
	int fd = -1, rc = -1;
	off_t size;

	memset(out, 0, sizeof *out);
	ctx = seccomp_init(r->allow_list ? action : SCMP_ACT_ALLOW);
	if (!ctx)
		return err_set(e, ENOMEM, "seccomp: create a filter");
	/* The context holds only the native architecture (libseccomp's,
	 * the one it was built for), so every other one takes the bad-arch
	 * action: i386 via int 0x80 on x86-64, a 32-bit arm process's
	 * compat calls (AUDIT_ARCH_ARM) on arm64; libseccomp also rejects
	 * x32 numbers (>= 0x40000000) on x86-64 that way. Make that action
	 * a kill of the whole process, not just the thread. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0) {
		err_set(e, EINVAL, "seccomp: set the filter's attributes");
		goto out;
	}
	for (size_t i = 0; i < r->names.n; i++)
		if (!seccomp_conditional(r, r->names.v[i], hard, n_hard) &&
		    add_rule(ctx, r->allow_list ? SCMP_ACT_ALLOW : action, r->names.v[i], e) < 0)
			goto out;
	if (add_arg_rules(ctx, ns, n_ns, action, e) < 0 ||
	    add_arg_rules(ctx, hard, n_hard, action, e) < 0)
		goto out;
	if (r->allow_list)
		for (const char *const *n = seccomp_always_allow; *n; n++)
			if (add_rule(ctx, SCMP_ACT_ALLOW, *n, e) < 0)
				goto out;

	/* libseccomp 2.5 exports only to an fd: a memfd, read back here. */
	fd = (int)syscall(SYS_memfd_create, "seccomp-bpf", 1u /* MFD_CLOEXEC */);
	if (fd < 0) {
		err_set(e, errno, "seccomp: memfd_create");
		goto out;
	}
	if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
		err_set(e, -rc, "seccomp: export the filter");
		rc = -1;
		goto out;
	}
	rc = -1;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS) {
		err_set(e, size < 0 ? errno : E2BIG, "seccomp: filter of %lld bytes",
			(long long)size);
		goto out;
	}
	out->insns = malloc((size_t)size);
	if (!out->insns) {
		err_set(e, ENOMEM, "seccomp: filter of %lld bytes", (long long)size);
		goto out;
	}
	if (pread(fd, out->insns, (size_t)size, 0) != size) {
		err_set(e, errno, "seccomp: read the filter back");
		sbx_bpf_free(out);
		goto out;
	}
	out->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return rc;
}

#else

int sbx_seccomp_compile(const struct seccomp_rules *r, struct sbx_bpf *out, struct err *e)
{
	(void)r;
	memset(out, 0, sizeof *out);
	return err_set(e, 0, "this build has no seccomp support (CONFIG_SECCOMP), "
		       "but the unit filters system calls");
}

#endif

void sbx_bpf_free(struct sbx_bpf *b)
{
	free(b->insns);
	b->insns = NULL;
	b->len = 0;
}

bool sbx_seccomp_exec_refused(const struct seccomp_rules *r, const char *prog,
			      struct step_fail *f)
{
	static const char why[] = ": refused by the unit's system call filter (execve)";
	/* the report's path field holds 400 bytes */
	static char msg[400];
	size_t n = 0;

	if (seccomp_rules_allow(r, "execve"))
		return false;
	for (; prog[n] && n < sizeof msg - sizeof why; n++)
		msg[n] = prog[n];
	memcpy(msg + n, why, sizeof why);
	step_failed(f, "exec", msg, 0);
	return true;
}

int sbx_seccomp_load(const struct sbx_bpf *b)
{
	if (!b)
		return -1;   /* errno set by whoever had no program */
	struct sock_fprog prog = { .len = b->len, .filter = b->insns };

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}
