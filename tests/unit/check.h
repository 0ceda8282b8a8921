/* A tiny test reporter: one `ok NAME` / `not ok NAME: why` line per check,
 * counted by ./build.sh test. Each test program ends with `return t_exit();`. */
#ifndef SBX_TEST_CHECK_H
#define SBX_TEST_CHECK_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static unsigned t_failed;

/* Set (by qu_need() of qemu_user.h) while the checks that follow cannot be
 * made where this runs: each reports `skip NAME: t_skip_why` whatever it
 * found, since a pass there would be as meaningless as a failure. The
 * result still steers the test (t_report returns it), as without. */
static const char *t_skip_why;

static inline __attribute__((format(printf, 3, 4)))
bool t_report(const char *name, bool ok, const char *fmt, ...)
{
	if (t_skip_why) {
		printf("skip %s: %s\n", name, t_skip_why);
	} else if (ok) {
		printf("ok %s\n", name);
	} else {
		va_list ap;

		printf("not ok %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		t_failed++;
	}
	fflush(stdout);
	return ok;
}

/* A check this machine cannot make: `skip NAME: why`, counted apart.
 * Within a qu_need() section the emulator's reason is the true one. */
static inline void t_skip(const char *name, const char *why)
{
	printf("skip %s: %s\n", name, t_skip_why ? t_skip_why : why);
	fflush(stdout);
}

#define CHECK(name, cond) t_report((name), (cond), "%s is false", #cond)

#define CHECK_INT(name, got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	t_report((name), g_ == w_, "got %lld, want %lld", g_, w_); \
} while (0)

#define CHECK_U64(name, got, want) do { \
	uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want); \
	t_report((name), g_ == w_, "got %" PRIu64 ", want %" PRIu64, g_, w_); \
} while (0)

#define CHECK_STR(name, got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	t_report((name), g_ && w_ && strcmp(g_, w_) == 0, "got \"%s\", want \"%s\"", \
		 g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

static inline int t_exit(void)
{
	return t_failed ? 1 : 0;
}

#endif
