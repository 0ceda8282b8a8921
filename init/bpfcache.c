#include "bpfcache.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A rule set as one string: the fields that make the filter, then the
 * sorted names. Two units with the same key get the same program. */
struct bpf_ref {
	struct bpf_ref *next;
	unsigned refs;
	struct sbx_bpf prog;
	size_t key_len;
	char key[];
};

static struct bpf_ref *cache;

/* A new field of struct seccomp_rules must join the key below (else two
 * units that differ only in it would share one program): this fails to
 * compile until someone looks. 64 bytes on LP64. */
_Static_assert(sizeof(struct seccomp_rules) == 64 || sizeof(void *) != 8,
	       "struct seccomp_rules changed: update key_of()");

static size_t key_of(const struct seccomp_rules *r, char *buf, size_t len)
{
	size_t n = 0;
	/* Every field of struct seccomp_rules that shapes the program: two
	 * units whose keys differ in any of them must not share one. */
	int w = snprintf(buf, len, "%d %d %d %d %u %d %d %" PRIx64 " %d %d %d %d", r->allow_list,
			 r->kill, r->errnum, r->restrict_ns, r->ns_allowed, r->af_restrict,
			 r->af_deny, r->af_mask, r->mdwe, r->lock_personality,
			 r->restrict_realtime, r->restrict_suid_sgid);

	n = w > 0 ? (size_t)w : 0;
	for (size_t i = 0; i < r->names.n; i++) {
		size_t l = strlen(r->names.v[i]);

		if (buf && n + 1 + l < len) {
			buf[n] = ' ';
			memcpy(buf + n + 1, r->names.v[i], l + 1);
		}
		n += 1 + l;
	}
	return n;
}

struct bpf_ref *bpfcache_get(const struct seccomp_rules *r, struct err *e)
{
	size_t len = key_of(r, NULL, 0) + 1;
	struct bpf_ref *b = malloc(sizeof *b + len);

	if (!b) {
		err_set(e, ENOMEM, "seccomp: keeping the filter");
		return NULL;
	}
	key_of(r, b->key, len);
	b->key_len = len - 1;
	for (struct bpf_ref *c = cache; c; c = c->next) {
		if (c->key_len == b->key_len && memcmp(c->key, b->key, b->key_len) == 0) {
			free(b);
			c->refs++;
			return c;
		}
	}
	if (sbx_seccomp_compile(r, &b->prog, e) < 0) {
		free(b);
		return NULL;
	}
	b->refs = 1;
	b->next = cache;
	cache = b;
	return b;
}

const struct sbx_bpf *bpfcache_prog(const struct bpf_ref *b)
{
	return &b->prog;
}

void bpfcache_put(struct bpf_ref *b)
{
	struct bpf_ref **pp;

	if (!b || --b->refs)
		return;
	for (pp = &cache; *pp; pp = &(*pp)->next)
		if (*pp == b) {
			*pp = b->next;
			break;
		}
	sbx_bpf_free(&b->prog);
	free(b);
}
