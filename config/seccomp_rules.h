/* The built-in seccomp profile and syscall-name checks. The resolved rule
 * set (struct seccomp_rules in spec.h) is what the launcher compiles and
 * what `spec` exports. */
#ifndef SBX_SECCOMP_RULES_H
#define SBX_SECCOMP_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

/* SeccompProfile=default: dangerous syscalls no service should need. */
extern const char *const seccomp_default_deny[];

/* Always allowed under an allow-list, or no service could start or end. */
extern const char *const seccomp_always_allow[];

/* Whether libseccomp knows the name on x86-64. Builds without
 * CONFIG_SECCOMP cannot tell and return false. */
bool seccomp_syscall_known(const char *name);

/* The argument-filtered rules of RestrictNamespaces=, as data, so that the
 * compiler (sandbox/seccomp.c) and the OCI export write the same filter. */
enum seccomp_arg_action {
	SECCOMP_ARG_DENY,    /* the unit's action (errno or kill) */
	SECCOMP_ARG_ALLOW,
	SECCOMP_ARG_ENOSYS,  /* clone3: libc falls back to clone */
};
enum seccomp_arg_op { SECCOMP_OP_NONE, SECCOMP_OP_MASKED_EQ, SECCOMP_OP_EQ };

struct seccomp_arg_rule {
	const char *name;            /* system call */
	enum seccomp_arg_action action;
	enum seccomp_arg_op op;      /* NONE: the call whatever its arguments */
	unsigned arg;                /* argument index */
	uint64_t mask, value;        /* (arg & mask) == value; EQ: arg == value */
};

#define SECCOMP_NS_RULES_MAX 32

/* The rules of r->restrict_ns into out[SECCOMP_NS_RULES_MAX]; returns how
 * many (0 without restrict_ns). A deny list gets one deny rule per
 * forbidden flag (calls it already denies outright are left alone); an
 * allow list gets conditional allows for the calls it lists. */
size_t seccomp_ns_rules(const struct seccomp_rules *r, struct seccomp_arg_rule *out);

/* Whether name's allow-list entry is replaced by conditional rules of
 * seccomp_ns_rules (and so must not be allowed outright). */
bool seccomp_ns_conditional(const struct seccomp_rules *r, const char *name);

#endif
