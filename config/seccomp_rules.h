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

/* Always allowed under an allow-list, or no process could end or return
 * from a signal handler (execve is not among them: a filter may refuse
 * it, see seccomp_rules_allow). Per architecture (sigreturn on arm). */
extern const char *const seccomp_always_allow[];

/* Whether name is a system call of the build's architecture, as its
 * libseccomp numbers them: false for a name it does not know and for one
 * it knows only on other architectures (iopl on arm64, mmap2 on x86-64).
 * Builds without CONFIG_SECCOMP cannot tell and return false. */
bool seccomp_syscall_known(const char *name);

/* The argument-filtered rules of RestrictNamespaces=, as data, so that the
 * compiler (sandbox/seccomp.c) and the OCI export write the same filter. */
enum seccomp_arg_action {
	SECCOMP_ARG_DENY,    /* the unit's action (errno or kill) */
	SECCOMP_ARG_ALLOW,
	SECCOMP_ARG_ENOSYS,  /* clone3: libc falls back to clone */
	SECCOMP_ARG_ERRNO,   /* the rule's own errnum (the hardening keys, as systemd's) */
};
enum seccomp_arg_op {
	SECCOMP_OP_NONE, SECCOMP_OP_MASKED_EQ, SECCOMP_OP_EQ, SECCOMP_OP_GT, SECCOMP_OP_LT,
};

struct seccomp_arg_cmp {
	enum seccomp_arg_op op;      /* NONE: no comparison */
	unsigned arg;                /* argument index */
	uint64_t mask, value;        /* (arg & mask) == value; EQ/GT/LT: arg op value */
};

struct seccomp_arg_rule {
	const char *name;            /* system call */
	enum seccomp_arg_action action;
	enum seccomp_arg_op op;      /* NONE: the call whatever its arguments */
	unsigned arg;                /* argument index */
	uint64_t mask, value;        /* (arg & mask) == value; EQ/GT/LT: arg op value */
	struct seccomp_arg_cmp and;  /* a second comparison on another argument, or op NONE */
	int errnum;                  /* SECCOMP_ARG_ERRNO */
	int raw_nr;                  /* this architecture's number when libseccomp may not
				      * know name; 0: none */
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

/* The hardening keys as systemd implements them (RestrictAddressFamilies=,
 * MemoryDenyWriteExecute=, LockPersonality=, RestrictRealtime=,
 * RestrictSUIDSGID=), as rules on the calls' arguments, into
 * out[SECCOMP_HARDEN_RULES_MAX]; returns how many. systemd loads each key
 * as a filter of its own (default allow); here they join the unit's one
 * filter, so each call's rules split its arguments into what is allowed
 * and what is refused with systemd's errno, without overlap: under a
 * deny list only the refusals are written (the rest is allowed anyway),
 * under an allow list both, and only for calls the list allows (the
 * others stay refused with the unit's action). Calls the filter refuses
 * outright get no rules. */
#define SECCOMP_HARDEN_RULES_MAX 256
size_t seccomp_harden_rules(const struct seccomp_rules *r, struct seccomp_arg_rule *out);

/* Whether name's allow-list entry is replaced by conditional rules (of
 * RestrictNamespaces= or the hardening keys): given the latter's rules. */
bool seccomp_conditional(const struct seccomp_rules *r, const char *name,
			 const struct seccomp_arg_rule *harden, size_t n_harden);

/* Whether the filter of r lets the call `name` through (whatever its
 * arguments): no filter, an allow list naming it, a deny list that does
 * not. No allocation (the launch child asks it about execve). */
bool seccomp_rules_allow(const struct seccomp_rules *r, const char *name);

/* AF_ names by number (bit n of af_mask is family n): "AF_INET" -> 2;
 * -1 for a name that is not one. */
int seccomp_af_from_name(const char *name);

#endif
