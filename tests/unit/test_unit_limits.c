/* What a unit file may cost (issue #9, items 15 and 16): a unit at each
 * documented cap parses, one past it is refused with a message naming the
 * cap, and each parse is timed against a generous bound (1 s; they take
 * milliseconds) with the figure printed as a comment. */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "../../config/unit.h"
#include "../../config/unit_parse.h"
#include "../../config/units.h"

/* 1 s; sanitizers make every memory access several times slower */
#if defined(__SANITIZE_ADDRESS__)
#define BOUND_MS 4000.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BOUND_MS 4000.0
#endif
#endif
#ifndef BOUND_MS
#define BOUND_MS 1000.0
#endif

static char msgs[1 << 16];
static unsigned n_msgs;

static void collect(void *ctx, const char *msg)
{
	size_t n = strlen(msgs);

	(void)ctx;
	n_msgs++;
	if (n + strlen(msg) + 2 < sizeof msgs)
		snprintf(msgs + n, sizeof msgs - n, "%s\n", msg);
}

static struct diag d = { .emit = collect };

/* A growing text buffer; exits on allocation failure (a test, not PID 1). */
struct buf {
	char *p;
	size_t n, cap;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int need;

	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	while (b->n + (size_t)need + 1 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 4096;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			exit(2);
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)need + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)need;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Parse text; check it is accepted (want == NULL) or refused with a
 * message containing want; check the time. */
static void timed(const char *name, const char *text, const char *want)
{
	char tname[160];
	double t0, ms;
	struct spec *s;

	msgs[0] = '\0';
	n_msgs = 0;
	d.count = 0;
	t0 = now_ms();
	s = unit_parse_text("web", "web.unit", text, &d);
	ms = now_ms() - t0;
	if (want)
		t_report(name, !s && strstr(msgs, want) != NULL, "want a message with \"%s\", got %s%.300s",
			 want, s ? "a spec; " : "", msgs);
	else
		t_report(name, s != NULL, "refused: %.300s", msgs);
	snprintf(tname, sizeof tname, "%s: parses in well under a second", name);
	t_report(tname, ms < BOUND_MS, "%.1f ms", ms);
	printf("# %s: %.1f ms, %zu bytes\n", name, ms, strlen(text));
	spec_free(s);
}

static const char head[] = "[Service]\nExecStart=/bin/true\n";

static void test_mounts(void)
{
	struct buf b = { 0 };

	for (int extra = 0; extra <= 1; extra++) {
		b.n = 0;
		add(&b, "%s[Sandbox]\n", head);
		for (int i = 0; i < UNIT_MOUNTS_MAX + extra; i++) {
			if (i % 3 == 2)
				add(&b, "TemporaryFileSystem=/t%d:size=1m\n", i);
			else
				add(&b, "%s=/m%d:/d%d\n", i % 3 ? "BindReadOnlyPaths" : "BindPaths", i, i);
		}
		timed(extra ? "mounts past the cap" : "mounts at the cap", b.p,
		      extra ? "more than 256 mounts" : NULL);
	}
	free(b.p);
}

static void test_env(void)
{
	struct buf b = { 0 };

	add(&b, "%sEnvironment=", head);
	for (int i = 0; i < UNIT_LIST_MAX; i++)
		add(&b, "K%d=%d ", i, i);
	add(&b, "\n");
	timed("Environment= at the cap", b.p, NULL);
	add(&b, "Environment=ONE_MORE=1\n");
	timed("Environment= past the cap", b.p, "more than 4096 variables");

	/* ~1 MiB of reassignments of the same 4096 keys: each costs O(1) */
	b.n = 0;
	add(&b, "%s", head);
	while (b.n < UNIT_BYTES_MAX - 40000) {
		add(&b, "Environment=");
		for (int i = 0; i < 4000; i++)
			add(&b, "K%d=x ", (int)((b.n * 7 + (size_t)i) % UNIT_LIST_MAX));
		add(&b, "\n");
	}
	timed("1 MiB of Environment= reassignments", b.p, NULL);

	b.n = 0;
	add(&b, "%sEnvironment=", head);
	for (int i = 0; i < 100000; i++)
		add(&b, "K%d=1 ", i);
	add(&b, "\n");
	timed("100000 Environment= keys on one line", b.p, "too many words in one value");
	free(b.p);
}

static void test_lists(void)
{
	struct buf b = { 0 };

	for (int extra = 0; extra <= 1; extra++) {
		b.n = 0;
		add(&b, "[Unit]\n");
		for (int i = 0; i < UNIT_LIST_MAX + extra; i++)
			add(&b, "%sunit-%d", i % 1000 ? " " : "\nAfter=", i);
		add(&b, "\n%s", head);
		timed(extra ? "After= past the cap" : "After= at the cap", b.p,
		      extra ? "more than 4096 units" : NULL);
	}
	/* the default masked paths count too */
	for (int extra = 0; extra <= 1; extra++) {
		struct spec *def = unit_parse_text("web", "web.unit", head, &d);
		int room = UNIT_PATHS_MAX - (def ? (int)def->masked_paths.n : 0);

		spec_free(def);
		b.n = 0;
		add(&b, "%s[Sandbox]\nMaskedPaths=", head);
		for (int i = 0; i < room + extra; i++)
			add(&b, "/masked/%d ", i);
		add(&b, "\n");
		timed(extra ? "MaskedPaths= past the cap" : "MaskedPaths= at the cap", b.p,
		      extra ? "more than 256 paths" : NULL);
	}
	/* the same few paths, 1 MiB of them: a lookup each, no rescans */
	b.n = 0;
	add(&b, "%s[Sandbox]\n", head);
	while (b.n < UNIT_BYTES_MAX - 40000) {
		add(&b, "ReadOnlyPaths=");
		for (int i = 0; i < 4000; i++)
			add(&b, "/r/%d ", i % 200);
		add(&b, "\n");
	}
	timed("1 MiB of repeated ReadOnlyPaths=", b.p, NULL);

	for (int extra = 0; extra <= 1; extra++) {
		b.n = 0;
		add(&b, "[Service]\nExecStart=/bin/echo");
		for (int i = 1; i < UNIT_WORDS_MAX + extra; i++)
			add(&b, " a%d", i);
		add(&b, "\n");
		timed(extra ? "words past the cap" : "words at the cap", b.p,
		      extra ? "too many words in one value" : NULL);
	}
#if CONFIG_SECCOMP
	/* adds and removes of the same names, 1 MiB of them */
	b.n = 0;
	add(&b, "%s[Sandbox]\nSeccompProfile=none\nSystemCallFilter=read\n", head);
	while (b.n < UNIT_BYTES_MAX - 40000) {
		add(&b, "SystemCallFilter=");
		add(&b, "%s", (b.n / 100) % 2 ? "~" : "");
		for (int i = 0; i < 2000; i++)
			add(&b, "getpid write ");
		add(&b, "\n");
	}
	timed("1 MiB of SystemCallFilter= adds and removes", b.p, NULL);
#endif
	free(b.p);
}

static void test_size_and_problems(void)
{
	struct buf b = { 0 };

	add(&b, "%s", head);
	while (b.n < UNIT_BYTES_MAX - 100)
		add(&b, "# a comment line to fill the file up to its cap\n");
	timed("a unit of almost 1 MiB", b.p, NULL);
	while (b.n <= UNIT_BYTES_MAX)
		add(&b, "# one more\n");
	timed("a unit over 1 MiB", b.p, "larger than 1 MiB");

	b.n = 0;
	add(&b, "%s", head);
	for (int i = 0; i < 60000; i++)
		add(&b, "Nonsense%d=1\n", i);
	timed("60000 bad lines", b.p, "more than 50 problems; the rest of the unit is not read");
	CHECK_INT("problems are capped per unit", n_msgs, UNIT_PROBLEMS_MAX + 1);
	free(b.p);
}

/* A unit file and its drop-ins share one budget. */
static void test_dropins(void)
{
	char dir[] = "/tmp/sbx-limits-XXXXXX", p[600], cmd[700];
	struct buf b = { 0 };
	FILE *f;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(p, sizeof p, "%s/big.unit.d", dir);
	mkdir(p, 0755);
	add(&b, "%s", head);
	while (b.n < UNIT_BYTES_MAX / 2 + 1000)
		add(&b, "# filler filler filler filler filler filler filler\n");
	for (int i = 0; i < 3; i++) {
		if (i)
			snprintf(p, sizeof p, "%s/big.unit.d/%d.conf", dir, i);
		else
			snprintf(p, sizeof p, "%s/big.unit", dir);
		f = fopen(p, "w");
		if (!f || fwrite(b.p, 1, b.n, f) != b.n || fclose(f) != 0) {
			perror(p);
			exit(1);
		}
	}
	snprintf(p, sizeof p, "%s/big.unit", dir);
	msgs[0] = '\0';
	n_msgs = 0;
	d.count = 0;
	double t0 = now_ms();
	struct spec *s = unit_load(p, &d);
	double ms = now_ms() - t0;

	CHECK("a unit and its drop-ins over 1 MiB together are refused", !s &&
	      strstr(msgs, "1.conf: the unit and its drop-ins are larger than 1 MiB together") &&
	      !strstr(msgs, "2.conf"));
	t_report("drop-ins: parses in well under a second", ms < BOUND_MS, "%.1f ms", ms);
	printf("# a unit and drop-ins past 1 MiB together: %.1f ms\n", ms);
	spec_free(s);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(b.p);
}

/* A folder of 1024 units (the most there may be): every unit After= every
 * unit before it (523776 edges), then a ring of 1024 (one cycle). */
static void test_folder(void)
{
	char dir[] = "/tmp/sbx-limits-XXXXXX", p[600], cmd[700];
	struct buf b = { 0 };

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	for (int ring = 0; ring <= 1; ring++) {
		struct unit_set set = { 0 };

		for (int u = 0; u < 1024; u++) {
			FILE *f;

			b.n = 0;
			add(&b, "[Unit]\n");
			if (ring) {
				add(&b, "After=u%04d\n", (u + 1) % 1024);
			} else {
				for (int t = 0; t < u; t++)
					add(&b, "%su%04d", t % 500 ? " " : "\nAfter=", t);
			}
			add(&b, "\n%s", head);
			snprintf(p, sizeof p, "%s/u%04d.unit", dir, u);
			f = fopen(p, "w");
			if (!f || fwrite(b.p, 1, b.n, f) != b.n || fclose(f) != 0) {
				perror(p);
				exit(1);
			}
		}
		msgs[0] = '\0';
		n_msgs = 0;
		d.count = 0;
		double t0 = now_ms();
		units_add_dir(&set, dir, &d);
		double t1 = now_ms();
		units_check_deps(&set, &d);
		double ms = now_ms() - t1;

		if (ring)
			CHECK("a ring of 1024 units is one cycle, and every unit is bad",
			      set.n == 0 && set.n_bad == 1024 &&
			      strstr(msgs, "dependency cycle: u0000 -> u0001 -> u0002") != NULL);
		else
			t_report("1024 units, each after all before it, are good", set.n == 1024 &&
				 d.count == 0, "%zu good, %u problems: %.200s", set.n, d.count, msgs);
		t_report(ring ? "a 1024-unit ring: dependencies checked in well under a second" :
			 "1024 units, 523776 edges: dependencies checked in well under a second",
			 ms < BOUND_MS, "%.1f ms", ms);
		printf("# %s: loading %.1f ms, dependency check %.1f ms\n",
		       ring ? "1024-unit ring" : "1024 units, 523776 edges", t1 - t0, ms);
		units_free(&set);
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(b.p);
}

int main(void)
{
	test_folder();
	test_mounts();
	test_env();
	test_lists();
	test_size_and_problems();
	test_dropins();
	return t_exit();
}
