/* A byte ring of records: header (ts_ms, seq, len, stream) then the text.
 * Records may wrap around the end of the ring, so every byte of it holds
 * log text; readers copy a wrapped record into a line buffer first. */
#include "logbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* ts_ms 8, seq 8, len 2, stream 1: packed, copied byte-wise */
#define HDR_SIZE 19

_Static_assert(LOG_LINE_MAX <= UINT16_MAX, "a record's len is 16 bits");

struct rec {
	int64_t ts_ms;
	uint64_t seq;
	uint16_t len;
	uint8_t stream;
};

int logbuf_init(struct logbuf *lb, size_t size)
{
	memset(lb, 0, sizeof *lb);
	if (!size)
		size = (size_t)CONFIG_LOG_BUFFER_KB * 1024;
	/* room for the longest line keeps "only the oldest are evicted"
	 * true, which logbuf_tail() relies on */
	if (size < HDR_SIZE + LOG_LINE_MAX)
		size = HDR_SIZE + LOG_LINE_MAX;
	lb->ring = malloc(size);
	if (!lb->ring) {
		errno = ENOMEM;
		return -1;
	}
	lb->size = size;
	return 0;
}

void logbuf_free(struct logbuf *lb)
{
	free(lb->ring);
	lb->ring = NULL;
	lb->size = lb->head = lb->used = 0;
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

	if (!lb->ring || need > lb->size) {
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

void logbuf_feed(struct logbuf *lb, int stream, const char *data, size_t len, int64_t now_ms)
{
	int i = stream_index(stream);
	char *part = lb->partial[i];
	size_t *plen = &lb->partial_len[i];

	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t seg = nl ? (size_t)(nl - data) : len;
		size_t room = LOG_LINE_MAX - *plen;

		if (seg > room) {
			/* a line longer than LOG_LINE_MAX: store what fits as
			 * one line and go on with the rest as the next */
			memcpy(part + *plen, data, room);
			store(lb, i + 1, part, LOG_LINE_MAX, now_ms);
			*plen = 0;
			data += room;
			len -= room;
			continue;
		}
		memcpy(part + *plen, data, seg);
		*plen += seg;
		data += seg;
		len -= seg;
		if (nl) {
			store(lb, i + 1, part, *plen, now_ms);
			*plen = 0;
			data++;
			len--;
		}
	}
}

void logbuf_flush(struct logbuf *lb, int64_t now_ms)
{
	for (int i = 0; i < 2; i++) {
		if (lb->partial_len[i]) {
			store(lb, i + 1, lb->partial[i], lb->partial_len[i], now_ms);
			lb->partial_len[i] = 0;
		}
	}
}

uint64_t logbuf_next_seq(const struct logbuf *lb)
{
	return lb->lines_total;
}

/* Visit the stored records with seq >= from, oldest first. */
static size_t visit(const struct logbuf *lb, uint64_t from,
		    void (*fn)(void *ctx, const struct log_line *l), void *ctx)
{
	char text[LOG_LINE_MAX];
	size_t off, left, n = 0;

	if (!lb->ring)
		return 0;
	off = oldest(lb);
	left = lb->used;
	while (left >= HDR_SIZE) {
		struct rec r;
		size_t toff;

		get_hdr(lb, off, &r);
		if ((size_t)HDR_SIZE + r.len > left)
			break;   /* cannot happen while the ring is consistent */
		toff = wrap(lb, off + HDR_SIZE);
		if (r.seq >= from) {
			struct log_line l = { .ts_ms = r.ts_ms, .stream = r.stream, .len = r.len };

			if (toff + r.len <= lb->size) {
				l.text = lb->ring + toff;
			} else {
				ring_get(lb, toff, text, r.len);
				l.text = text;
			}
			fn(ctx, &l);
			n++;
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
	return visit(lb, from, fn, ctx);
}

size_t logbuf_since(const struct logbuf *lb, uint64_t seq,
		    void (*fn)(void *ctx, const struct log_line *l), void *ctx)
{
	if (seq >= lb->lines_total)
		return 0;
	return visit(lb, seq, fn, ctx);
}
