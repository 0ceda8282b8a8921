/* The unit log ring: order, timestamps, partial lines, splitting,
 * eviction of exactly the oldest lines, followers (since) and tail; and
 * what an idle log costs (issue #10: PID 1 keeps one per unit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "qemu_user.h"
#include "config.h"
#include "init/logbuf.h"

#define MAXL 4096

struct got {
	size_t n;
	char text[MAXL][LOG_LINE_MAX + 1];
	int64_t ts[MAXL];
	int stream[MAXL];
};

static struct got g;

static void collect(void *ctx, const struct log_line *l)
{
	struct got *c = ctx;

	if (c->n < MAXL) {
		memcpy(c->text[c->n], l->text, l->len);
		c->text[c->n][l->len] = '\0';
		c->ts[c->n] = l->ts_ms;
		c->stream[c->n] = l->stream;
	}
	c->n++;
}

static size_t tail(const struct logbuf *lb, size_t n)
{
	g.n = 0;
	return logbuf_tail(lb, n, collect, &g);
}

static size_t since(const struct logbuf *lb, uint64_t seq)
{
	g.n = 0;
	return logbuf_since(lb, seq, collect, &g);
}

static void feed_str(struct logbuf *lb, int stream, const char *s, int64_t ts)
{
	logbuf_feed(lb, stream, s, strlen(s), ts);
}

static void test_order(void)
{
	struct logbuf lb;

	CHECK_INT("init", logbuf_init(&lb, 4096), 0);
	feed_str(&lb, 1, "alpha\nbeta\n", 1000);
	feed_str(&lb, 2, "oops\n", 1500);
	feed_str(&lb, 1, "\ngamma\n", 2000);
	CHECK_INT("order: count", tail(&lb, 0), 5);
	CHECK_STR("order: 1st", g.text[0], "alpha");
	CHECK_STR("order: 2nd", g.text[1], "beta");
	CHECK_STR("order: 3rd", g.text[2], "oops");
	CHECK_STR("order: empty line kept", g.text[3], "");
	CHECK_STR("order: 5th", g.text[4], "gamma");
	CHECK_INT("order: ts 1st", g.ts[0], 1000);
	CHECK_INT("order: ts 3rd", g.ts[2], 1500);
	CHECK_INT("order: ts 5th", g.ts[4], 2000);
	CHECK_INT("order: stream stdout", g.stream[0], 1);
	CHECK_INT("order: stream stderr", g.stream[2], 2);
	CHECK_U64("order: total", lb.lines_total, 5);
	CHECK_U64("order: none dropped", lb.lines_dropped, 0);
	logbuf_free(&lb);
}

static void test_partial(void)
{
	struct logbuf lb;

	logbuf_init(&lb, 4096);
	feed_str(&lb, 1, "hel", 10);
	feed_str(&lb, 2, "err-", 11);
	feed_str(&lb, 1, "lo", 12);
	CHECK_INT("partial: held until newline", tail(&lb, 0), 0);
	feed_str(&lb, 1, "\nwor", 13);
	CHECK_INT("partial: completed line", tail(&lb, 0), 1);
	CHECK_STR("partial: joined", g.text[0], "hello");
	CHECK_INT("partial: stamped when complete", g.ts[0], 13);
	feed_str(&lb, 2, "part\n", 14);
	tail(&lb, 0);
	CHECK_STR("partial: streams apart", g.text[1], "err-part");
	logbuf_flush(&lb, 20);
	CHECK_INT("partial: flush stores the rest", tail(&lb, 0), 3);
	CHECK_STR("partial: flushed text", g.text[2], "wor");
	CHECK_INT("partial: flushed ts", g.ts[2], 20);
	logbuf_flush(&lb, 21);
	CHECK_INT("partial: second flush adds nothing", tail(&lb, 0), 3);
	logbuf_free(&lb);
}

static void test_split(void)
{
	struct logbuf lb;
	char big[2600];
	bool ok = true;

	logbuf_init(&lb, 16384);
	for (size_t i = 0; i < 2500; i++)
		big[i] = (char)('a' + i % 26);
	big[2500] = '\n';
	logbuf_feed(&lb, 1, big, 2501, 5);
	CHECK_INT("split: 2500 bytes -> 3 lines", tail(&lb, 0), 3);
	CHECK_INT("split: 1st piece", strlen(g.text[0]), LOG_LINE_MAX);
	CHECK_INT("split: 3rd piece", strlen(g.text[2]), 2500 - 2 * LOG_LINE_MAX);
	for (size_t i = 0; i < 2500; i++)
		if (g.text[i / LOG_LINE_MAX][i % LOG_LINE_MAX] != big[i])
			ok = false;
	CHECK("split: pieces are the line", ok);

	/* exactly LOG_LINE_MAX, its newline in the next read: one line */
	logbuf_feed(&lb, 1, big, LOG_LINE_MAX, 6);
	logbuf_feed(&lb, 1, "\n", 1, 7);
	CHECK_INT("split: exactly max is one line", tail(&lb, 0), 4);
	CHECK_INT("split: exactly max length", strlen(g.text[3]), LOG_LINE_MAX);
	logbuf_free(&lb);
}

/* A model of the ring: record sizes in a queue, oldest evicted first. */
static void test_flood(void)
{
	enum { RING = 4096, HDR = 19 };
	static size_t sizes[200000];
	size_t head = 0, tailq = 0, used = 0;
	uint64_t dropped = 0;
	struct logbuf lb;
	char line[128];
	size_t n, fed = 0;
	bool ok = true;

	logbuf_init(&lb, RING);
	/* varied lengths, so records wrap at every offset of the ring */
	for (n = 0; fed < 12 * RING; n++) {
		int len = snprintf(line, sizeof line, "line %zu %.*s\n", n, (int)(n * 7 % 53),
				   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		size_t need = HDR + (size_t)len - 1;

		logbuf_feed(&lb, 1, line, (size_t)len, (int64_t)n);
		while (RING - used < need) {
			used -= sizes[tailq++];
			dropped++;
		}
		sizes[head++] = need;
		used += need;
		fed += (size_t)len;
	}
	CHECK("flood: wrote > 10x the ring", fed > 10 * RING);
	CHECK_U64("flood: total", lb.lines_total, n);
	CHECK_U64("flood: dropped = evicted (model)", lb.lines_dropped, dropped);
	CHECK_U64("flood: bytes used (model)", lb.used, used);
	size_t kept = head - tailq;
	CHECK_INT("flood: kept the newest", tail(&lb, 0), kept);
	for (size_t i = 0; i < kept && i < MAXL; i++) {
		size_t k = n - kept + i;

		snprintf(line, sizeof line, "line %zu %.*s", k, (int)(k * 7 % 53),
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		if (strcmp(g.text[i], line) != 0 || g.ts[i] != (int64_t)k) {
			t_report("flood: content", false, "line %zu: got \"%s\", want \"%s\"", i,
				 g.text[i], line);
			ok = false;
			break;
		}
	}
	if (ok)
		CHECK("flood: content", true);
	logbuf_free(&lb);

	/* equal lines: capacity is exactly floor(ring / record) */
	logbuf_init(&lb, RING);
	for (n = 0; n < 10 * RING / 10; n++) {
		snprintf(line, sizeof line, "%010zu\n", n);   /* 10 chars: 29-byte records */
		feed_str(&lb, 1, line, 0);
	}
	CHECK_U64("flood: equal lines kept", lb.lines_total - lb.lines_dropped, RING / 29);
	CHECK_U64("flood: equal lines dropped", lb.lines_dropped, n - RING / 29);
	tail(&lb, 1);
	snprintf(line, sizeof line, "%010zu", n - 1);
	CHECK_STR("flood: newest kept", g.text[0], line);
	logbuf_free(&lb);
}

static void test_since_tail(void)
{
	struct logbuf lb;
	char line[64];

	logbuf_init(&lb, 65536);
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof line, "n%d\n", i);
		feed_str(&lb, 1, line, i);
	}
	CHECK_INT("tail(10): count", tail(&lb, 10), 10);
	CHECK_STR("tail(10): first", g.text[0], "n90");
	CHECK_STR("tail(10): last", g.text[9], "n99");
	CHECK_INT("tail(500): all", tail(&lb, 500), 100);

	uint64_t seq = logbuf_next_seq(&lb);
	CHECK_U64("next_seq", seq, 100);
	CHECK_INT("since(next): nothing", since(&lb, seq), 0);
	feed_str(&lb, 2, "new1\nnew2\nnew3\npart", 200);
	CHECK_INT("since: exactly the new", since(&lb, seq), 3);
	CHECK_STR("since: first new", g.text[0], "new1");
	CHECK_STR("since: last new", g.text[2], "new3");
	CHECK_INT("since: far future", since(&lb, 1000), 0);
	logbuf_free(&lb);

	/* a follower whose lines were evicted gets what is left */
	logbuf_init(&lb, 2048);
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof line, "n%d\n", i);
		feed_str(&lb, 1, line, i);
	}
	size_t k = lb.lines_total - lb.lines_dropped;
	CHECK_INT("since(evicted): what is kept", since(&lb, 0), k);
	snprintf(line, sizeof line, "n%zu", 1000 - k);
	CHECK_STR("since(evicted): oldest kept", g.text[0], line);
	logbuf_free(&lb);
}

static void test_no_ring(void)
{
	struct logbuf lb;

	logbuf_init(&lb, 4096);
	logbuf_free(&lb);   /* a freed log counts lines and keeps none */
	feed_str(&lb, 1, "a\nb\nc\n", 1);
	feed_str(&lb, 2, "d", 1);
	CHECK("no ring: no partial buffer after free", lb.partial[1] == NULL);
	logbuf_flush(&lb, 2);
	CHECK_U64("no ring: lines counted", lb.lines_total, 4);
	CHECK_U64("no ring: all dropped", lb.lines_dropped, 4);
	CHECK_INT("no ring: tail empty", tail(&lb, 0), 0);
	CHECK_INT("no ring: since empty", since(&lb, 0), 0);
}

/* Nothing allocated until a line or a partial line needs it, and a
 * partial line's buffer freed with its newline. */
static void test_lazy(void)
{
	struct logbuf lb;

	logbuf_init(&lb, 0);
	CHECK("lazy: no ring before the first line", lb.ring == NULL);
	CHECK("lazy: default size", lb.size == (size_t)CONFIG_LOG_BUFFER_KB * 1024);
	feed_str(&lb, 1, "no newline yet", 1);
	CHECK("lazy: no ring for a partial line", lb.ring == NULL);
	CHECK("lazy: partial buffer while pending", lb.partial[0] != NULL && lb.partial[1] == NULL);
	CHECK("lazy: partial buffer small", lb.partial_cap[0] < LOG_LINE_MAX);
	feed_str(&lb, 1, ", now\n", 2);
	CHECK("lazy: partial buffer freed with its newline", lb.partial[0] == NULL);
	CHECK("lazy: ring made by the first line", lb.ring != NULL);
	CHECK_INT("lazy: the joined line", tail(&lb, 0), 1);
	CHECK_STR("lazy: its text", g.text[0], "no newline yet, now");
	feed_str(&lb, 2, "x", 3);
	logbuf_flush(&lb, 4);
	CHECK("lazy: flush frees the partial buffer", lb.partial[1] == NULL);
	CHECK_INT("lazy: flushed", tail(&lb, 0), 2);
	logbuf_free(&lb);
	CHECK("lazy: freed", lb.ring == NULL && lb.partial[0] == NULL && lb.partial[1] == NULL);
}

/* A partial line that grows past its buffer's doubling steps, fed one
 * byte at a time, and one that reaches LOG_LINE_MAX that way. */
static void test_partial_growth(void)
{
	struct logbuf lb;
	char want[LOG_LINE_MAX + 1];

	logbuf_init(&lb, 16384);
	for (size_t i = 0; i < 700; i++) {
		want[i] = (char)('a' + i % 26);
		logbuf_feed(&lb, 2, want + i, 1, 1);
	}
	want[700] = '\0';
	logbuf_feed(&lb, 2, "\n", 1, 2);
	CHECK_INT("partial growth: one line", tail(&lb, 0), 1);
	CHECK_STR("partial growth: the bytes in order", g.text[0], want);
	for (size_t i = 0; i < LOG_LINE_MAX + 5; i++)
		logbuf_feed(&lb, 1, "z", 1, 3);
	CHECK_INT("partial growth: LOG_LINE_MAX stored, 5 pending", tail(&lb, 0), 2);
	CHECK_INT("partial growth: split length", g.n == 2 ? strlen(g.text[1]) : 0, LOG_LINE_MAX);
	CHECK_INT("partial growth: pending", lb.partial_len[0], 5);
	logbuf_free(&lb);
}

/* Anonymous kB of this process, -1 if unknown. */
static long anon_kb(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Anonymous: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* What PID 1 pays per unit for its log: the struct alone while the unit
 * is idle, and the pages its lines reached once it writes. */
/* A follower is fed a bounded batch at a time (logbuf_since_max): the
 * oldest lines from seq, until their records reach the byte budget, at
 * least one; each line carries its seq, where the next batch starts. */
static uint64_t last_seq;

static void collect_seq(void *ctx, const struct log_line *l)
{
	collect(ctx, l);
	last_seq = l->seq;
}

static void test_since_max(void)
{
	struct logbuf lb;
	char line[16];
	uint64_t seq = 0;
	size_t total = 0, batches = 0;

	logbuf_init(&lb, 8192);
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof line, "line%03d\n", i);
		feed_str(&lb, 1, line, 1000 + i);
	}
	/* 7-byte lines: 26-byte records; 100 bytes take 4 of them */
	g.n = 0;
	CHECK_INT("since_max: a batch stops at the budget", logbuf_since_max(&lb, 10, 100, collect_seq, &g), 4);
	CHECK_STR("since_max: from seq", g.text[0], "line010");
	CHECK_INT("since_max: seq of the last", (long long)last_seq, 13);
	g.n = 0;
	CHECK_INT("since_max: at least one line", logbuf_since_max(&lb, 50, 1, collect_seq, &g), 1);
	CHECK_STR("since_max: that line", g.text[0], "line050");
	while (seq < logbuf_next_seq(&lb)) {
		g.n = 0;
		size_t n = logbuf_since_max(&lb, seq, 300, collect_seq, &g);

		if (!n)
			break;
		total += n;
		batches++;
		seq = last_seq + 1;
	}
	CHECK_INT("since_max: batches cover every line once", (long long)total, 100);
	CHECK_INT("since_max: in batches of 12", (long long)batches, 9);
	g.n = 0;
	CHECK_INT("since_max: none past the end", logbuf_since_max(&lb, 100, 300, collect_seq, &g), 0);
	logbuf_free(&lb);
}

/* Under ASan the first line of a ring also touches that ring's shadow
 * page (rings are 64 kB apart; a shadow page covers 32 kB): a page of
 * its own per log, which the sandboxd binary does not have. */
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if __has_feature(address_sanitizer) || defined(__SANITIZE_ADDRESS__)
#define PAGES_PER_LINE 2
#else
#define PAGES_PER_LINE 1
#endif

static void test_idle_cost(void)
{
	enum { N = 2000 };
	static struct logbuf lbs[N];
	long a0, a1, a2;

	CHECK("idle cost: the struct is small", sizeof(struct logbuf) <= 96);
	memset(lbs, 0, sizeof lbs);   /* the array's own pages, resident now */
	qu_need(QU_PROC_SELF);
	a0 = anon_kb();
	if (a0 < 0) {
		t_skip("idle cost: idle logs", "no /proc/self/smaps_rollup");
		t_skip("idle cost: one line each", "no /proc/self/smaps_rollup");
		qu_done();
		return;
	}
	for (int i = 0; i < N; i++)
		logbuf_init(&lbs[i], 65536);
	a1 = anon_kb();
	/* main's logbuf_init malloc'ed each ring: 4 kB or more per log */
	t_report("idle cost: idle logs", a1 - a0 <= 64, "%d idle logs of 64 kB grew Anonymous by %ld kB",
		 N, a1 - a0);
	for (int i = 0; i < N; i++)
		feed_str(&lbs[i], 1, "one short line\n", 1);
	a2 = anon_kb();
	t_report("idle cost: one line each", a2 - a1 <= N * 4 * PAGES_PER_LINE + 64,
		 "one line in each of %d logs grew Anonymous by %ld kB (want <= %d page(s) each)",
		 N, a2 - a1, PAGES_PER_LINE);
	qu_done();
	for (int i = 0; i < N; i++)
		logbuf_free(&lbs[i]);
}

int main(void)
{
	test_order();
	test_partial();
	test_split();
	test_flood();
	test_since_tail();
	test_no_ring();
	test_lazy();
	test_partial_growth();
	test_since_max();
	test_idle_cost();
	return t_exit();
}
