/* A grow-only allocator: everything a parsed unit owns lives in one arena
 * and is released with it, so a unit is freed by one call and a failed
 * parse leaks nothing. Every allocation can fail and returns NULL then.
 * Chunks start small and double (PID 1 keeps one arena per unit). */
#ifndef SBX_ARENA_H
#define SBX_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
};

void *arena_alloc(struct arena *a, size_t size);          /* zeroed */
/* old (of old_size bytes, from this arena, or NULL) grown to size: in
 * place when it is the newest allocation and there is room (a vector
 * built by pushes costs its final size, not the sum of its steps), else
 * copied to a new block; the bytes past old_size are zeroed. */
void *arena_realloc(struct arena *a, void *old, size_t old_size, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Bytes handed out, and bytes malloc'ed for the chunks (headers too). */
void arena_usage(const struct arena *a, size_t *used, size_t *reserved);
void arena_free(struct arena *a);

#endif
