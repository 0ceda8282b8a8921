/* Compiled seccomp filters shared between units: most units have the
 * same rules (the default profile), so each DISTINCT rule set is compiled
 * once and its program kept while a unit refers to it (refcounted), not
 * once per unit. */
#ifndef SBX_BPFCACHE_H
#define SBX_BPFCACHE_H

#include "../config/spec.h"
#include "../lib/err.h"
#include "../sandbox/seccomp.h"

struct bpf_ref;

/* The filter of r (r->enabled), compiled now or shared; NULL with e set
 * when it cannot be compiled or memory is short. */
struct bpf_ref *bpfcache_get(const struct seccomp_rules *r, struct err *e);
const struct sbx_bpf *bpfcache_prog(const struct bpf_ref *b);
/* Drop one reference (NULL: nothing); the last frees the program. */
void bpfcache_put(struct bpf_ref *b);

#endif
