/* The resource limits sandboxd knows, once: the unit key (LimitNOFILE=),
 * the OCI name (RLIMIT_NOFILE), and whether the value is in bytes (so a
 * size suffix is accepted). The unit parser's key table, the spec export
 * and `status` all read it. */
#ifndef SBX_RLIMITS_H
#define SBX_RLIMITS_H

#include <stdbool.h>
#include <sys/resource.h>

/* X(NAME, BYTES) for each RLIMIT_NAME, in the kernel's order: for tables
 * that must be built at compile time (the unit key table). */
#define RLIMITS_EACH(X) \
	X(CPU, false) X(FSIZE, true) X(DATA, true) X(STACK, true) \
	X(CORE, true) X(RSS, true) X(NPROC, false) X(NOFILE, false) \
	X(MEMLOCK, true) X(AS, true) X(LOCKS, false) X(SIGPENDING, false) \
	X(MSGQUEUE, true) X(NICE, false) X(RTPRIO, false) X(RTTIME, false)

#define RLIMITS_N 16   /* RLIMIT_CPU .. RLIMIT_RTTIME */
_Static_assert(RLIMIT_RTTIME + 1 == RLIMITS_N, "the kernel's limits are 0 .. RLIMIT_RTTIME");

struct rlimits_entry {
	const char *key;   /* "LimitNOFILE" */
	const char *oci;   /* "RLIMIT_NOFILE" */
	bool bytes;
};

/* Indexed by RLIMIT_* number. */
extern const struct rlimits_entry rlimits_table[RLIMITS_N];

#endif
