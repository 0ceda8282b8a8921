#include "strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct strset_slot {
	const char *key;        /* NULL = empty; TOMBSTONE = removed */
	size_t len;
	size_t val;
	uint32_t hash;
};

static const char tombstone_mark;
#define TOMBSTONE (&tombstone_mark)

/* FNV-1a: the keys come from a file, but a unit can only slow down its own
 * parse by choosing colliding names, and every list is capped. */
static uint32_t hash_of(const char *key, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	return h;
}

/* The slot holding key, or the first free one on its probe path. */
static struct strset_slot *find(const struct strset *set, const char *key, size_t len,
				uint32_t h, bool for_insert)
{
	struct strset_slot *free_slot = NULL;
	size_t mask = set->cap - 1;

	for (size_t i = h & mask, step = 0; step < set->cap; i = (i + 1) & mask, step++) {
		struct strset_slot *s = &set->slots[i];

		if (!s->key)
			return for_insert && free_slot ? free_slot : (for_insert ? s : NULL);
		if (s->key == TOMBSTONE) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			return s;
	}
	return for_insert ? free_slot : NULL;
}

static int grow(struct strset *set)
{
	size_t cap = set->cap ? set->cap : 8;

	/* live entries decide the new size; tombstones are dropped */
	while (cap / 4 * 3 <= set->n + 1)
		cap *= 2;
	if (cap > SIZE_MAX / sizeof(struct strset_slot))
		return -1;
	struct strset_slot *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return -1;
	struct strset old = *set;

	set->slots = slots;
	set->cap = cap;
	set->used = set->n;
	for (size_t i = 0; i < old.cap; i++) {
		struct strset_slot *s = &old.slots[i];

		if (s->key && s->key != TOMBSTONE)
			*find(set, s->key, s->len, s->hash, true) = *s;
	}
	free(old.slots);
	return 0;
}

bool strset_get(const struct strset *set, const char *key, size_t len, size_t *val)
{
	if (!set->cap)
		return false;
	struct strset_slot *s = find(set, key, len, hash_of(key, len), false);

	if (!s || s->key == TOMBSTONE || !s->key)
		return false;
	if (val)
		*val = s->val;
	return true;
}

int strset_put(struct strset *set, const char *key, size_t len, size_t val, size_t *old)
{
	uint32_t h = hash_of(key, len);

	if (set->cap) {
		struct strset_slot *s = find(set, key, len, h, false);

		if (s && s->key && s->key != TOMBSTONE) {
			if (old)
				*old = s->val;
			s->val = val;
			return 0;
		}
	}
	if ((set->used + 1) * 4 >= set->cap * 3 && grow(set) < 0)
		return -1;
	struct strset_slot *s = find(set, key, len, h, true);

	if (!s->key)
		set->used++;
	*s = (struct strset_slot){ .key = key, .len = len, .val = val, .hash = h };
	set->n++;
	return 1;
}

bool strset_del(struct strset *set, const char *key, size_t len, size_t *val)
{
	if (!set->cap)
		return false;
	struct strset_slot *s = find(set, key, len, hash_of(key, len), false);

	if (!s || !s->key || s->key == TOMBSTONE)
		return false;
	if (val)
		*val = s->val;
	s->key = TOMBSTONE;
	set->n--;
	return true;
}

void strset_clear(struct strset *set)
{
	free(set->slots);
	*set = (struct strset){ 0 };
}
