/* Seccomp: the filter is compiled with libseccomp in the parent (PID 1 can
 * compile once per unit and reuse it for every start); the launch child
 * only hands the finished BPF program to seccomp(2). */
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
 * architecture only: x86-64 syscalls are checked against the rules; i386
 * (int 0x80) and x32 calls kill the process. With an allow list, execve,
 * exit, exit_group and rt_sigreturn are always allowed. Fails with a clear
 * message in builds without CONFIG_SECCOMP. */
int sbx_seccomp_compile(const struct seccomp_rules *r, struct sbx_bpf *out, struct err *e);
void sbx_bpf_free(struct sbx_bpf *b);

/* sbx_seccomp_compile through a cache in dir (for `sandboxctl run`, which
 * cannot keep a filter in memory across starts as PID 1 does; compiling
 * costs libseccomp about 0.5 ms, a sixth of a start). A cache file holds
 * the canonical text of the rules and the libseccomp version it was built
 * with, and is used only when that text matches exactly and the file and
 * dir belong to us and are writable by no one else. Any cache failure
 * falls back to compiling; storing is best effort. */
int sbx_seccomp_compile_cached(const struct seccomp_rules *r, const char *dir,
			       struct sbx_bpf *out, struct err *e);

/* Child side: install the filter. 0, or -1 with errno. */
int sbx_seccomp_load(const struct sbx_bpf *b);

#endif
