/* A unit's log: timestamped lines in a ring of CONFIG_LOG_BUFFER_KB. When
 * full, the oldest lines are evicted and counted, never the newest; PID 1
 * never blocks on it. An idle unit's log costs PID 1 this struct alone: the
 * ring is mapped at the first line and only the pages lines have reached
 * are resident; a partial line's buffer exists only while one is pending. */
#ifndef SBX_LOGBUF_H
#define SBX_LOGBUF_H

#include <stddef.h>
#include <stdint.h>

#define LOG_LINE_MAX 1024     /* longer lines are split, the split counted */

struct logbuf {
	char *ring;               /* NULL until the first line (or its mapping failed) */
	size_t size, head, used;  /* ring bytes, write offset, bytes in use */
	uint64_t lines_total;     /* lines ever appended */
	uint64_t lines_dropped;   /* evicted or not stored */
	/* partial line per stream (1 stdout, 2 stderr) until its newline:
	 * malloc'ed while one is pending, NULL otherwise */
	char *partial[2];
	uint16_t partial_len[2], partial_cap[2];
};

/* Set up an empty log of size ring bytes (0: CONFIG_LOG_BUFFER_KB).
 * Allocates nothing, so it cannot fail; returns 0. */
int logbuf_init(struct logbuf *lb, size_t size);
/* Release the ring and the partial lines; later lines are counted and
 * dropped (the unit is going away). */
void logbuf_free(struct logbuf *lb);

/* Bytes read from the unit's stream (1 or 2): complete lines are stored
 * with the wall-clock time in ms; a trailing partial line is kept. */
void logbuf_feed(struct logbuf *lb, int stream, const char *data, size_t len, int64_t now_ms);
/* Store what is left of the partial lines (the stream closed). */
void logbuf_flush(struct logbuf *lb, int64_t now_ms);

/* A record's stream: 1 stdout, 2 stderr, or a syslog message (/dev/log,
 * init/syslog.c) with its priority (facility * 8 + severity, 0..191)
 * kept, as journald keeps it: LOGBUF_SYSLOG(pri). */
#define LOGBUF_SYSLOG_BASE 64
#define LOGBUF_SYSLOG(pri) (LOGBUF_SYSLOG_BASE + (pri))
#define LOGBUF_IS_SYSLOG(stream) ((stream) >= LOGBUF_SYSLOG_BASE)
#define LOGBUF_SYSLOG_PRI(stream) ((stream) - LOGBUF_SYSLOG_BASE)
/* One whole message as a line of its own (no partial line is touched):
 * split at LOG_LINE_MAX, each piece a record of that stream. */
void logbuf_append(struct logbuf *lb, int stream, const char *text, size_t len, int64_t now_ms);

struct log_line {
	int64_t ts_ms;
	uint64_t seq;             /* logbuf_next_seq() when it was appended */
	int stream;
	const char *text;         /* not NUL-terminated */
	size_t len;
};

/* Call fn for the last n lines (all if n == 0), oldest first. Returns how
 * many were visited. */
size_t logbuf_tail(const struct logbuf *lb, size_t n,
		   void (*fn)(void *ctx, const struct log_line *l), void *ctx);

/* Sequence number of the next line appended: a follower (`logs -f`)
 * remembers it and asks for lines from there on. */
uint64_t logbuf_next_seq(const struct logbuf *lb);
size_t logbuf_since(const struct logbuf *lb, uint64_t seq,
		    void (*fn)(void *ctx, const struct log_line *l), void *ctx);
/* The same, but only the oldest of those lines, until their records
 * (LOGBUF_REC_BYTES each) reach max_bytes of the ring (at least one
 * line): a follower is fed as its socket drains, never all at once. */
#define LOGBUF_REC_BYTES(len) (19 + (size_t)(len))
size_t logbuf_since_max(const struct logbuf *lb, uint64_t seq, size_t max_bytes,
			void (*fn)(void *ctx, const struct log_line *l), void *ctx);

#endif
