/* A byte ring of records: header (ts_ms, seq, len, stream) then the text.
 * Records may wrap around the end of the ring, so every byte of it holds
 * log text; readers copy a wrapped record into a line buffer first.
 *
 * Memory: PID 1 keeps one log per unit, and most units are quiet. The ring
 * is an anonymous private mapping made when the first line is stored, so
 * a unit that never writes costs no page, and one that wrote a few lines
 * costs the pages those lines reached (the kernel backs a page when it is
 * first written). A partial line is kept in a small malloc'ed buffer that
 * grows up to LOG_LINE_MAX and is freed when its newline arrives; complete
 * lines are stored straight from the bytes read. */
#include "logbuf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

/* ts_ms 8, seq 8, len 2, stream 1: packed, copied byte-wise */
#define HDR_SIZE 19

_Static_assert(LOG_LINE_MAX <= UINT16_MAX, "a record's len is 16 bits");
_Static_assert(LOGBUF_REC_BYTES(0) == HDR_SIZE, "logbuf.h knows the header's size");
_Static_assert(LOGBUF_SYSLOG(191) <= UINT8_MAX, "a record's stream is 8 bits");

struct rec {
	int64_t ts_ms;
	uint64_t seq;
	uint16_t len;
	uint8_t stream;
};

#define PARTIAL_MIN 64   /* first size of a partial line's buffer */

int logbuf_init(struct logbuf *lb, size_t size)
{
	memset(lb, 0, sizeof *lb);
	if (!size)
		size = (size_t)CONFIG_LOG_BUFFER_KB * 1024;
	/* room for the longest line keeps "only the oldest are evicted"
	 * true, which logbuf_tail() relies on */
	if (size < HDR_SIZE + LOG_LINE_MAX)
		size = HDR_SIZE + LOG_LINE_MAX;
	lb->size = size;
	return 0;
}

static size_t map_len(size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t p = page > 0 ? (size_t)page : 4096;

	return (size + p - 1) / p * p;
}

void logbuf_free(struct logbuf *lb)
{
	if (lb->ring)
		munmap(lb->ring, map_len(lb->size));
	for (int i = 0; i < 2; i++) {
		free(lb->partial[i]);
		lb->partial[i] = NULL;
		lb->partial_len[i] = lb->partial_cap[i] = 0;
	}
	lb->ring = NULL;
	lb->size = lb->head = lb->used = 0;
}

/* Map the ring at its first line. MAP_NORESERVE: the pages are backed
 * as lines reach them, and a unit's log must not count against the
 * commit limit for pages it may never fill. A failed mapping drops this
 * line (counted) and is tried again at the next. */
static bool ring_ready(struct logbuf *lb)
{
	void *p;

	if (lb->ring)
		return true;
	if (!lb->size)
		return false;   /* freed */
	p = mmap(NULL, map_len(lb->size), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return false;
	lb->ring = p;
	return true;
}

static size_t wrap(const struct logbuf *lb, size_t off)
{
	return off >= lb->size ? off - lb->size : off;
}

static void ring_put(struct logbuf *lb, const void *src, size_t n)
{
	size_t first = lb->size - lb->head;

	if (first > n)
		first = n;
	memcpy(lb->ring + lb->head, src, first);
	memcpy(lb->ring, (const char *)src + first, n - first);
	lb->head = wrap(lb, lb->head + n);
}

static void ring_get(const struct logbuf *lb, size_t off, void *dst, size_t n)
{
	size_t first = lb->size - off;

	if (first > n)
		first = n;
	memcpy(dst, lb->ring + off, first);
	memcpy((char *)dst + first, lb->ring, n - first);
}

static void get_hdr(const struct logbuf *lb, size_t off, struct rec *r)
{
	unsigned char h[HDR_SIZE];

	ring_get(lb, off, h, sizeof h);
	memcpy(&r->ts_ms, h, 8);
	memcpy(&r->seq, h + 8, 8);
	memcpy(&r->len, h + 16, 2);
	r->stream = h[18];
}

static size_t oldest(const struct logbuf *lb)
{
	return wrap(lb, lb->head + lb->size - lb->used);
}

static void store(struct logbuf *lb, int stream, const char *text, size_t len, int64_t now_ms)
{
	uint64_t seq = lb->lines_total++;
	size_t need = HDR_SIZE + len;
	unsigned char h[HDR_SIZE];
	uint16_t len16 = (uint16_t)len;

	if (need > lb->size || !ring_ready(lb)) {
		lb->lines_dropped++;
		return;
	}
	while (lb->size - lb->used < need) {
		struct rec r;

		get_hdr(lb, oldest(lb), &r);
		lb->used -= HDR_SIZE + r.len;
		lb->lines_dropped++;
	}
	memcpy(h, &now_ms, 8);
	memcpy(h + 8, &seq, 8);
	memcpy(h + 16, &len16, 2);
	h[18] = (unsigned char)stream;
	ring_put(lb, h, sizeof h);
	ring_put(lb, text, len);
	lb->used += need;
}

static int stream_index(int stream)
{
	return stream == 2 ? 1 : 0;
}

static void partial_drop(struct logbuf *lb, int i)
{
	free(lb->partial[i]);
	lb->partial[i] = NULL;
	lb->partial_len[i] = lb->partial_cap[i] = 0;
}

/* Append n bytes (partial_len + n <= LOG_LINE_MAX) to stream i's pending
 * line, growing its buffer by doubling. Out of memory: what is pending and
 * these bytes are stored as a line of their own, so no byte is lost while
 * there is a ring to keep it. */
static void partial_add(struct logbuf *lb, int i, const char *data, size_t n, int64_t now_ms)
{
	size_t want = (size_t)lb->partial_len[i] + n;

	if (!lb->size) {
		/* freed: nothing is kept, so allocate nothing (counted, dropped) */
		store(lb, i + 1, data, n, now_ms);
		return;
	}
	if (want > lb->partial_cap[i]) {
		size_t cap = lb->partial_cap[i] ? lb->partial_cap[i] : PARTIAL_MIN;
		char *p;

		while (cap < want)
			cap *= 2;
		if (cap > LOG_LINE_MAX)
			cap = LOG_LINE_MAX;
		p = realloc(lb->partial[i], cap);
		if (!p) {
			if (lb->partial_len[i])
				store(lb, i + 1, lb->partial[i], lb->partial_len[i], now_ms);
			partial_drop(lb, i);
			store(lb, i + 1, data, n, now_ms);
			return;
		}
		lb->partial[i] = p;
		lb->partial_cap[i] = (uint16_t)cap;
	}
	memcpy(lb->partial[i] + lb->partial_len[i], data, n);
	lb->partial_len[i] = (uint16_t)want;
}

/* Store stream i's pending line plus n more bytes as one line, and drop
 * the buffer. */
static void partial_finish(struct logbuf *lb, int i, const char *data, size_t n, int64_t now_ms)
{
	partial_add(lb, i, data, n, now_ms);
	if (lb->partial_len[i])   /* 0: partial_add stored it already */
		store(lb, i + 1, lb->partial[i], lb->partial_len[i], now_ms);
	partial_drop(lb, i);
}

void logbuf_feed(struct logbuf *lb, int stream, const char *data, size_t len, int64_t now_ms)
{
	int i = stream_index(stream);

	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t seg = nl ? (size_t)(nl - data) : len;
		size_t room = LOG_LINE_MAX - lb->partial_len[i];

		if (seg > room) {
			/* a line longer than LOG_LINE_MAX: store what fits as
			 * one line and go on with the rest as the next */
			if (lb->partial_len[i])
				partial_finish(lb, i, data, room, now_ms);
			else
				store(lb, i + 1, data, room, now_ms);
			data += room;
			len -= room;
			continue;
		}
		if (!nl) {
			partial_add(lb, i, data, seg, now_ms);
			return;
		}
		if (lb->partial_len[i])
			partial_finish(lb, i, data, seg, now_ms);
		else
			store(lb, i + 1, data, seg, now_ms);
		data += seg + 1;
		len -= seg + 1;
	}
}

void logbuf_flush(struct logbuf *lb, int64_t now_ms)
{
	for (int i = 0; i < 2; i++) {
		if (lb->partial_len[i])
			store(lb, i + 1, lb->partial[i], lb->partial_len[i], now_ms);
		partial_drop(lb, i);
	}
}

void logbuf_append(struct logbuf *lb, int stream, const char *text, size_t len, int64_t now_ms)
{
	do {
		size_t n = len > LOG_LINE_MAX ? LOG_LINE_MAX : len;

		store(lb, stream, text, n, now_ms);
		text += n;
		len -= n;
	} while (len);
}

uint64_t logbuf_next_seq(const struct logbuf *lb)
{
	return lb->lines_total;
}

/* Visit the stored records with seq >= from, oldest first, until the
 * visited ones reach max_bytes of the ring (0: all). */
static size_t visit(const struct logbuf *lb, uint64_t from, size_t max_bytes,
		    void (*fn)(void *ctx, const struct log_line *l), void *ctx)
{
	char text[LOG_LINE_MAX];
	size_t off, left, n = 0, bytes = 0;

	if (!lb->ring)
		return 0;
	off = oldest(lb);
	left = lb->used;
	while (left >= HDR_SIZE && (!max_bytes || bytes < max_bytes)) {
		struct rec r;
		size_t toff;

		get_hdr(lb, off, &r);
		if ((size_t)HDR_SIZE + r.len > left)
			break;   /* cannot happen while the ring is consistent */
		toff = wrap(lb, off + HDR_SIZE);
		if (r.seq >= from) {
			struct log_line l = { .ts_ms = r.ts_ms, .seq = r.seq,
						.stream = r.stream, .len = r.len };

			if (toff + r.len <= lb->size) {
				l.text = lb->ring + toff;
			} else {
				ring_get(lb, toff, text, r.len);
				l.text = text;
			}
			fn(ctx, &l);
			n++;
			bytes += HDR_SIZE + r.len;
		}
		off = wrap(lb, toff + r.len);
		left -= HDR_SIZE + r.len;
	}
	return n;
}

/* Every line ever stored got the next seq and only the oldest are
 * evicted, so the ring holds exactly seqs [lines_total - kept, lines_total). */
static uint64_t kept(const struct logbuf *lb)
{
	return lb->lines_total - lb->lines_dropped;
}

size_t logbuf_tail(const struct logbuf *lb, size_t n,
		   void (*fn)(void *ctx, const struct log_line *l), void *ctx)
{
	uint64_t k = kept(lb), from = lb->lines_total - k;

	if (n && n < k)
		from = lb->lines_total - n;
	return visit(lb, from, 0, fn, ctx);
}

size_t logbuf_since(const struct logbuf *lb, uint64_t seq,
		    void (*fn)(void *ctx, const struct log_line *l), void *ctx)
{
	return logbuf_since_max(lb, seq, 0, fn, ctx);
}

size_t logbuf_since_max(const struct logbuf *lb, uint64_t seq, size_t max_bytes,
			void (*fn)(void *ctx, const struct log_line *l), void *ctx)
{
	if (seq >= lb->lines_total)
		return 0;
	return visit(lb, seq, max_bytes, fn, ctx);
}
