/* Seccomp: the filter is compiled with libseccomp in the parent (PID 1
 * compiles once per unit and keeps it in memory; `sandboxctl run` compiles
 * on every start, about 0.7 ms, while the launch child sets up, and sends
 * it over the launch socket); the launch child only hands the finished
 * BPF program to seccomp(2). No compiled filter is ever read from a file:
 * a file is something a unit might write. */
#ifndef SBX_SECCOMP_H
#define SBX_SECCOMP_H

#include "../config/spec.h"
#include "../lib/err.h"

struct sock_filter;

struct sbx_bpf {
	struct sock_filter *insns;   /* malloc'ed */
	unsigned short len;          /* instructions */
};

/* Build the filter of r (r->enabled must be set) for the native
 * architecture only: the build's own calls are checked against the rules;
 * a call of any other architecture kills the process (i386 and x32 on
 * x86-64, 32-bit arm compat calls on arm64). With an allow list, exit,
 * exit_group and rt_sigreturn (and sigreturn on arm) are always allowed. With r->restrict_ns,
 * clone, unshare and setns are filtered by their namespace flags and
 * clone3 answers ENOSYS; the hardening keys filter their calls by
 * argument (config/seccomp_rules.h).
 * Fails with a clear message in builds without CONFIG_SECCOMP. */
int sbx_seccomp_compile(const struct seccomp_rules *r, struct sbx_bpf *out, struct err *e);
void sbx_bpf_free(struct sbx_bpf *b);

struct step_fail;

/* Child side, before the filter is loaded: whether the unit's own rules
 * refuse execve. Then true, with f = "exec PROG: refused by the unit's
 * system call filter (execve)" (errno 0), so that the launch says why
 * instead of ending in a bare 126 or SIGSYS. No allocation. */
bool sbx_seccomp_exec_refused(const struct seccomp_rules *r, const char *prog,
			      struct step_fail *f);

/* Child side: install the filter. 0, or -1 with errno. */
int sbx_seccomp_load(const struct sbx_bpf *b);

#endif
