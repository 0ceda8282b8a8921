/* The built-in seccomp profile and syscall-name checks. The resolved rule
 * set (struct seccomp_rules in spec.h) is what the launcher compiles and
 * what `spec` exports. */
#ifndef SBX_SECCOMP_RULES_H
#define SBX_SECCOMP_RULES_H

#include <stdbool.h>

/* SeccompProfile=default: dangerous syscalls no service should need. */
extern const char *const seccomp_default_deny[];

/* Always allowed under an allow-list, or no service could start or end. */
extern const char *const seccomp_always_allow[];

/* Whether libseccomp knows the name on x86-64. Builds without
 * CONFIG_SECCOMP cannot tell and return false. */
bool seccomp_syscall_known(const char *name);

#endif
