/* lib/fmt: sandboxd's printf engine (the vfprintf of the musl build)
 * against C17's printf: every flag, width, precision, length and
 * conversion it makes, the edges of each integer type, and the
 * conversions it refuses. Under glibc (the sanitizer tier) each case is
 * also compared with glibc's own vsnprintf. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <wchar.h>

#include "../../lib/fmt.h"
#include "check.h"

/* The checks write formats on purpose that C allows and compilers warn of
 * ("%+ d", "%-05d", "%+u", a NULL %s, a cut snprintf). */
#pragma GCC diagnostic ignored "-Wformat"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* fmt_vfprintf of fmt into a memory stream: the text and the return */
static char *format(int *ret, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static char *format(int *ret, const char *fmt, va_list ap)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	*ret = fmt_vfprintf(f, fmt, ap);
	fclose(f);
	return buf;
}

static __attribute__((format(printf, 3, 4)))
void same(const char *name, const char *want, const char *fmt, ...)
{
	va_list ap, ap2;
	int ret = 0;
	char n[160];

	va_start(ap, fmt);
	va_copy(ap2, ap);
	char *got = format(&ret, fmt, ap);
	t_report(name, got && strcmp(got, want) == 0, "\"%s\" gave \"%s\", want \"%s\"",
		 fmt, got ? got : "(no stream)", want);
	snprintf(n, sizeof n, "%s: returns the length", name);
	CHECK_INT(n, ret, (long long)strlen(want));
#ifdef __GLIBC__
	char ref[512];
	vsnprintf(ref, sizeof ref, fmt, ap2);
	snprintf(n, sizeof n, "%s: as glibc", name);
	t_report(n, got && strcmp(got, ref) == 0, "\"%s\": \"%s\", glibc \"%s\"",
		 fmt, got ? got : "", ref);
#endif
	va_end(ap2);
	va_end(ap);
	free(got);
}

/* a format fmt_vfprintf refuses: -1, EINVAL, the text before it kept */
static void refused(const char *name, const char *want, const char *fmt, ...)
{
	va_list ap;
	int ret = 0;

	va_start(ap, fmt);
	errno = 0;
	char *got = format(&ret, fmt, ap);
	int e = errno;
	va_end(ap);
	t_report(name, ret == -1 && e == EINVAL && got && strcmp(got, want) == 0,
		 "\"%s\": returned %d, errno %d, text \"%s\"", fmt, ret, e, got ? got : "");
	free(got);
}

static void test_text(void)
{
	same("text: plain", "sandboxd", "sandboxd");
	same("text: empty", "", "%s", "");
	same("text: %%", "100% sure", "100%% sure");
	same("s: string", "[web]", "[%s]", "web");
	same("s: width", "[   web]", "[%6s]", "web");
	same("s: left", "[web   ]", "[%-6s]", "web");
	same("s: narrower width", "[sandbox]", "[%3s]", "sandbox");
	same("s: precision cuts", "[sand]", "[%.4s]", "sandbox");
	same("s: precision past the end", "[web]", "[%.10s]", "web");
	same("s: *.* ", "[  san]", "[%*.*s]", 5, 3, "sandbox");
	same("s: .* stops before a NUL", "[ab]", "[%.*s]", 5, "ab");
	same("s: -* ", "[ok    ]", "[%-*s]", 6, "ok");
	same("s: negative * is -", "[ok    ]", "[%*s]", -6, "ok");
	same("s: negative precision is none", "[sandbox]", "[%.*s]", -1, "sandbox");
	same("c: char", "<x>", "<%c>", 'x');
	same("c: width", "<  x>", "<%3c>", 'x');
	same("c: left", "<x  >", "<%-3c>", 'x');
	same("mixed", "unit web: exit 3 (SIGTERM)", "unit %s: exit %d (%s)", "web", 3, "SIGTERM");
}

static void test_signed(void)
{
	same("d: 0", "0", "%d", 0);
	same("d: negative", "-42", "%d", -42);
	same("d: INT_MAX", "2147483647", "%d", INT_MAX);
	same("d: INT_MIN", "-2147483648", "%d", INT_MIN);
	same("i: same as d", "-7", "%i", -7);
	same("d: width", "[   42]", "[%5d]", 42);
	same("d: left", "[42   ]", "[%-5d]", 42);
	same("d: zero pad", "[00042]", "[%05d]", 42);
	same("d: zero pad negative", "[-0042]", "[%05d]", -42);
	same("d: 02d of 7", "07", "%02d", 7);
	same("d: 03d of 1234", "1234", "%03d", 1234);
	same("d: plus", "+5", "%+d", 5);
	same("d: space", " 5", "% d", 5);
	same("d: plus beats space", "+5", "%+ d", 5);
	same("d: plus negative", "-5", "%+d", -5);
	same("d: precision", "[  007]", "[%5.3d]", 7);
	same("d: precision ignores 0", "[  007]", "[%05.3d]", 7);
	same("d: - beats 0", "[42   ]", "[%-05d]", 42);
	same("d: .0 of 0 is empty", "[]", "[%.0d]", 0);
	same("d: width .0 of 0", "[   ]", "[%3.0d]", 0);
	same("hhd: wraps to signed char", "-1", "%hhd", 255);
	same("hd: wraps to short", "-32768", "%hd", 32768);
	same("ld: LONG_MIN", LONG_MIN == INT64_MIN ? "-9223372036854775808" : "-2147483648", "%ld", LONG_MIN);
	same("lld: LLONG_MIN", "-9223372036854775808", "%lld", LLONG_MIN);
	same("lld: LLONG_MAX", "9223372036854775807", "%lld", LLONG_MAX);
	same("jd: INTMAX_MIN", "-9223372036854775808", "%jd", INTMAX_MIN);
	same("zd: ssize_t", "-3", "%zd", (ssize_t)-3);
	same("td: ptrdiff_t", "-9", "%td", (ptrdiff_t)-9);
	same("PRId64", "-1", "%" PRId64, (int64_t)-1);
}

static void test_unsigned(void)
{
	same("u: UINT_MAX", "4294967295", "%u", UINT_MAX);
	same("u: plus is for signed only", "5", "%+u", 5u);
	same("-8u", "[12      ]", "[%-8u]", 12u);
	same("llu: max", "18446744073709551615", "%llu", ULLONG_MAX);
	same("lu", "123", "%lu", 123ul);
	same("zu: SIZE_MAX", SIZE_MAX == UINT64_MAX ? "18446744073709551615" : "4294967295", "%zu", SIZE_MAX);
	same("ju", "18446744073709551615", "%ju", UINTMAX_MAX);
	same("hhu: wraps", "44", "%hhu", 300);
	same("hu: wraps", "4464", "%hu", 70000);
	same("PRIu64", "18446744073709551615", "%" PRIu64, UINT64_MAX);
	same("x", "ff", "%x", 255u);
	same("X", "FF", "%X", 255u);
	same("02x", "0a", "%02x", 10u);
	same("#x", "0xff", "%#x", 255u);
	same("#X", "0XFF", "%#X", 255u);
	same("#x of 0 has no 0x", "0", "%#x", 0u);
	same("#010x", "0x000000ff", "%#010x", 255u);
	same("#10x", "      0xff", "%#10x", 255u);
	same("llx max", "ffffffffffffffff", "%llx", ULLONG_MAX);
	same("o", "755", "%o", 0755u);
	same("04o", "0022", "%04o", 022u);
	same("#o", "0755", "%#o", 0755u);
	same("#o of 0", "0", "%#o", 0u);
	same("#.0o of 0", "0", "%#.0o", 0u);
	same("#.5o", "00755", "%#.5o", 0755u);
	same(".0x of 0 is empty", "", "%.0x", 0u);
}

/* fmt_vfprintf of fmt, for the cases not compared with glibc */
static __attribute__((format(printf, 2, 3)))
char *fmt_to(int *ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *got = format(ret, fmt, ap);
	va_end(ap);
	return got;
}

static void test_pointer_count(void)
{
	char want[64];
	int ret = 0, n = -1;
	char *got;

	/* musl's %p (glibc writes it its own way): 0x and as many hex digits
	 * as a pointer has; NULL as all zeros without 0x */
	snprintf(want, sizeof want, "[0x%0*" PRIxPTR "]", (int)(2 * sizeof(void *)), (uintptr_t)0x1234);
	got = fmt_to(&ret, "[%p]", (void *)0x1234);
	t_report("p: 0x and every digit", got && strcmp(got, want) == 0, "got \"%s\", want \"%s\"",
		 got ? got : "", want);
	CHECK_INT("p: returns the length", ret, (long long)strlen(want));
	free(got);
	snprintf(want, sizeof want, "[%0*d]", (int)(2 * sizeof(void *)), 0);
	got = fmt_to(&ret, "[%p]", NULL);
	t_report("p: NULL", got && strcmp(got, want) == 0, "got \"%s\", want \"%s\"",
		 got ? got : "", want);
	free(got);
	/* musl's %s of NULL */
	got = fmt_to(&ret, "[%s]", (char *)NULL);
	t_report("s: NULL is (null)", got && strcmp(got, "[(null)]") == 0, "got \"%s\"", got ? got : "");
	free(got);
	got = fmt_to(&ret, "abc%nde", &n);
	CHECK_INT("n: the count so far", n, 3);
	t_report("n: writes nothing", got && strcmp(got, "abcde") == 0, "got \"%s\"", got ? got : "");
	free(got);
	errno = ENOENT;
	got = fmt_to(&ret, "[%m] [%.2m]");
	snprintf(want, sizeof want, "[%s] [%.2s]", strerror(ENOENT), strerror(ENOENT));
	t_report("m: strerror(errno)", got && strcmp(got, want) == 0, "got \"%s\", want \"%s\"",
		 got ? got : "", want);
	free(got);
	/* snprintf's count is the whole text (the musl build's snprintf runs
	 * on fmt_vfprintf through musl's vsnprintf) */
	char small[4];
	CHECK_INT("snprintf: count past the room", snprintf(small, sizeof small, "%d", 123456), 6);
	t_report("snprintf: cut, NUL-terminated", strcmp(small, "123") == 0, "got \"%s\"", small);
}

static void test_refused(void)
{
	refused("refused: f (no floating point)", "x=", "x=%f", 1.5);
	refused("refused: Lg", "", "%Lg", (long double)1.5);
	refused("refused: e", "", "%e", 1.5);
	refused("refused: a", "", "%a", 1.5);
	refused("refused: ls", "", "%ls", L"w");
	refused("refused: lc", "", "%lc", (wint_t)'w');
	refused("refused: unknown conversion", "a", "a%y");
	refused("refused: % at the end", "a", "a%");
}

int main(void)
{
	test_text();
	test_signed();
	test_unsigned();
	test_pointer_count();
	test_refused();
	return t_exit();
}
