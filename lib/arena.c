/* Chunks are sized to what the arena's owner turns out to need: PID 1
 * keeps one arena per unit for as long as the unit exists, and a plain
 * unit's spec needs about 1.4 kB (its strings and default lists: the
 * default profile's syscall list is shared, not copied), so a fixed 4 kB
 * chunk was mostly air. The first
 * chunk holds such a spec, each later one doubles the last (up to
 * CHUNK_STEP_MAX), so the slack stays below what is used; a request too big
 * for the next step gets a chunk of its own, put behind the current one so
 * that the current one's room is not abandoned. */
#include "arena.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Data bytes of an arena's first chunk: with its 32-byte header the
 * chunk is a 1632-byte malloc, exactly one of musl's size classes. A plain
 * unit's spec outgrew 1312 bytes with issue #11's fields (its default
 * mounts carry more), and a second chunk of twice the size cost every
 * unit 2.7 kB: bench/memory/idle-units.sh went from 7.25 to 5.02 kB per
 * unit with this size. */
#define CHUNK_FIRST 1600
#define CHUNK_STEP_MAX 16384     /* growth stops doubling here */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	size_t last;                 /* offset of the newest allocation, for arena_realloc */
	_Alignas(16) unsigned char data[];
};

static size_t round16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

static struct arena_chunk *chunk_new(size_t cap)
{
	struct arena_chunk *c;

	if (cap > SIZE_MAX - sizeof *c)
		return NULL;
	c = malloc(sizeof *c + cap);
	if (!c)
		return NULL;
	c->used = c->last = 0;
	c->size = cap;
	c->next = NULL;
	return c;
}

void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->head;
	size_t need = round16(size);
	void *p;

	if (need < size)
		return NULL;
	if (!c || c->size - c->used < need) {
		size_t step = !c ? CHUNK_FIRST : c->size >= CHUNK_STEP_MAX / 2 ? CHUNK_STEP_MAX : c->size * 2;

		if (c && need > step / 2 && c->size - c->used >= 128) {
			/* big, and the current chunk still has room: a chunk of
			 * its own, behind the current one */
			struct arena_chunk *big = chunk_new(need);

			if (!big)
				return NULL;
			big->used = need;
			big->next = c->next;
			c->next = big;
			memset(big->data, 0, size);
			return big->data;
		}
		c = chunk_new(need > step ? need : step);
		if (!c)
			return NULL;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->last = c->used;
	c->used += need;
	memset(p, 0, size);
	return p;
}

void *arena_realloc(struct arena *a, void *old, size_t old_size, size_t size)
{
	struct arena_chunk *c = a->head;
	/* a zero-size block has the address of the one after it: never
	 * taken for the newest */
	bool newest = c && old_size && old == c->data + c->last;
	void *p;

	if (!old)
		return arena_alloc(a, size);
	if (size <= old_size)
		return old;
	/* the newest allocation of the current chunk grows in place */
	if (newest && round16(size) >= size &&
	    c->size - c->last >= round16(size)) {
		memset((unsigned char *)old + old_size, 0, size - old_size);
		c->used = c->last + round16(size);
		return old;
	}
	p = arena_alloc(a, size);
	if (!p)
		return NULL;
	memcpy(p, old, old_size);
	/* the old block was the newest of a chunk that had no room: its
	 * bytes are free again for what comes next there */
	if (newest)
		c->used = c->last;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p)
		memcpy(p, s, n);
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_usage(const struct arena *a, size_t *used, size_t *reserved)
{
	*used = *reserved = 0;
	for (const struct arena_chunk *c = a->head; c; c = c->next) {
		*used += c->used;
		*reserved += sizeof *c + c->size;
	}
}

void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}
