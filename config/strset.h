/* A set of strings, each with a number, for the parser's lists: lookups
 * and inserts in O(1) on average, so that a list of n words costs O(n),
 * not O(n^2) (issue #9, item 16). Keys are not copied: they point into
 * strings that outlive the set (the spec's arena). The table is malloc'd
 * and grows by doubling; it lives only while a unit is parsed. */
#ifndef SBX_STRSET_H
#define SBX_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset_slot;

struct strset {
	struct strset_slot *slots;
	size_t cap;     /* a power of two, or 0 */
	size_t used;    /* live entries and tombstones */
	size_t n;       /* live entries */
};

/* The first len bytes of key: true and *val when present. */
bool strset_get(const struct strset *set, const char *key, size_t len, size_t *val);
/* Insert or update. 1 = added, 0 = updated (*old = the previous value, if
 * old is not NULL), -1 = out of memory (the set is unchanged). */
int strset_put(struct strset *set, const char *key, size_t len, size_t val, size_t *old);
/* Remove; true if it was there (*val = its value, if val is not NULL). */
bool strset_del(struct strset *set, const char *key, size_t len, size_t *val);
/* Empty it and free the table. */
void strset_clear(struct strset *set);

#endif
