/* The arena: zeroed, aligned blocks; chunks that start small and double;
 * a big request that does not abandon the current chunk; vectors that
 * grow in place (what a unit's spec costs PID 1, issue #10). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/arena.h"

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_alloc(void)
{
	struct arena a = { 0 };
	bool ok = true, zero = true;
	size_t used, reserved;

	for (size_t i = 1; i < 2000; i++) {
		unsigned char *p = arena_alloc(&a, i % 300 + 1);

		if (!p || ((uintptr_t)p & 15))
			ok = false;
		else if (!all_zero(p, i % 300 + 1))
			zero = false;
		else
			memset(p, 0xa5, i % 300 + 1);   /* dirty it: a later overlap shows */
	}
	CHECK("alloc: every block 16-byte aligned", ok);
	CHECK("alloc: every block zeroed and apart", zero);
	arena_usage(&a, &used, &reserved);
	CHECK("alloc: usage counted", used > 0 && reserved >= used);
	/* doubling keeps the slack to about what is used (plus headers) */
	t_report("alloc: slack bounded", reserved <= 2 * used + 4096,
		 "used %zu, reserved %zu", used, reserved);
	arena_free(&a);
	CHECK("alloc: freed", a.head == NULL);
	CHECK("alloc: strdup", strcmp(arena_strdup(&a, "abc"), "abc") == 0);
	CHECK("alloc: strndup", strcmp(arena_strndup(&a, "abcdef", 2), "ab") == 0);
	CHECK("alloc: printf", strcmp(arena_printf(&a, "%s-%d", "x", 42), "x-42") == 0);
	CHECK("alloc: huge refused", arena_alloc(&a, SIZE_MAX - 8) == NULL);
	arena_free(&a);
}

/* A plain unit's spec is about 1.4 kB: it must fit the first chunk, a
 * 1632-byte malloc (lib/arena.c), not cost a second chunk or a 4 kB one. */
static void test_small_first(void)
{
	struct arena a = { 0 };
	size_t used, reserved;

	for (int i = 0; i < 14; i++)   /* 14 x 112 bytes */
		arena_alloc(&a, 100);
	arena_usage(&a, &used, &reserved);
	t_report("small first: 1.5 kB in one chunk under 1.7 kB", reserved <= 1632,
		 "%zu bytes used, %zu reserved", used, reserved);
	arena_free(&a);
}

/* A big block while the current chunk has room: the room is still used. */
static void test_big_behind(void)
{
	struct arena a = { 0 };
	size_t u0, r0, u1, r1, u2, r2;
	char *small, *big, *after;

	small = arena_alloc(&a, 16);
	arena_usage(&a, &u0, &r0);
	big = arena_alloc(&a, 3000);
	arena_usage(&a, &u1, &r1);
	after = arena_alloc(&a, 16);
	arena_usage(&a, &u2, &r2);
	CHECK("big behind: blocks", small && big && after);
	CHECK("big behind: its own chunk", r1 - r0 >= 3000 && r1 - r0 < 3000 + 256);
	CHECK("big behind: the small chunk still serves", r2 == r1 && after == small + 16);
	arena_free(&a);
}

static void test_realloc(void)
{
	struct arena a = { 0 };
	const char **v = NULL;
	size_t cap = 0, used, reserved;
	bool ok = true, moved = false;

	/* a vector grown by doubling, nothing else allocated meanwhile */
	for (size_t n = 0; n < 100; n++) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			const char **nv = arena_realloc(&a, v, cap * sizeof *v, ncap * sizeof *v);

			if (!nv) {
				ok = false;
				break;
			}
			if (v && nv != v)
				moved = true;
			if (!all_zero((const unsigned char *)(nv + cap), (ncap - cap) * sizeof *v))
				ok = false;
			v = nv;
			cap = ncap;
		}
		v[n] = "x";
	}
	for (size_t n = 0; ok && n < 100; n++)
		ok = v[n] && strcmp(v[n], "x") == 0;
	CHECK("realloc: contents kept, growth zeroed", ok);
	arena_usage(&a, &used, &reserved);
	/* the sum of the steps (8+16+...+128 pointers) would be 1984 bytes */
	t_report("realloc: the vector costs its final size", used <= 128 * sizeof *v + 512,
		 "used %zu for 128 pointers (moved between chunks: %s)", used, moved ? "yes" : "no");

	/* not the newest block: copied */
	char *p = arena_alloc(&a, 32), *q = arena_alloc(&a, 32), *r;
	memcpy(p, "keep", 5);
	r = arena_realloc(&a, p, 32, 64);
	CHECK("realloc: older block copied", r && r != p && r != q && strcmp(r, "keep") == 0);
	CHECK("realloc: shrink is a no-op", arena_realloc(&a, r, 64, 8) == r);
	CHECK("realloc: NULL is alloc", arena_realloc(&a, NULL, 0, 10) != NULL);
	arena_free(&a);
}

/* A zero-size block has the address of the block allocated after it:
 * growing it must not grow over that block, nor give its room back. */
static void test_realloc_empty(void)
{
	struct arena a = { 0 };
	unsigned char *empty = arena_alloc(&a, 0);
	unsigned char *next = arena_alloc(&a, 16);
	unsigned char *grown, *after;

	CHECK("realloc empty: allocated", empty && next);
	memset(next, 0x5a, 16);
	grown = arena_realloc(&a, empty, 0, 64);
	CHECK("realloc empty: grown", grown != NULL);
	if (grown)
		memset(grown, 0xa5, 64);
	after = arena_alloc(&a, 16);
	if (after)
		memset(after, 0x33, 16);
	CHECK("realloc empty: the next block is intact",
	      next[0] == 0x5a && next[15] == 0x5a);
	arena_free(&a);
}

int main(void)
{
	test_alloc();
	test_small_first();
	test_big_behind();
	test_realloc();
	test_realloc_empty();
	return t_exit();
}
