/* A grow-only allocator: everything a parsed unit owns lives in one arena
 * and is released with it, so a unit is freed by one call and a failed
 * parse leaks nothing. Every allocation can fail and returns NULL then. */
#ifndef SBX_ARENA_H
#define SBX_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
};

void *arena_alloc(struct arena *a, size_t size);          /* zeroed */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void arena_free(struct arena *a);

#endif
