/* `sandboxctl status` rendering: the table, the detailed view and JSON,
 * as pure functions of struct svc plus the few facts that need a syscall
 * (clocks, memory.current, namespace ids), gathered by the caller. The
 * output goes to a bounded buffer. */
#ifndef SBX_STATUS_FMT_H
#define SBX_STATUS_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "logbuf.h"
#include "svc.h"

/* A growing output buffer of at most `limit` bytes. Errors are sticky:
 * past the limit or out of memory, `failed` is set and nothing more is
 * added. Starts in `inl` (so a short error reply needs no allocation);
 * not to be copied or moved once in use. */
struct sf_buf {
	char *p;
	size_t len, cap, limit;
	bool failed;
	char inl[256];
};

void sf_buf_init(struct sf_buf *b, size_t limit);
void sf_buf_free(struct sf_buf *b);
/* Empty it, keeping no heap memory. */
void sf_buf_reset(struct sf_buf *b);
/* Drop the first n bytes (written to the socket). */
void sf_buf_consume(struct sf_buf *b, size_t n);
void sf_buf_add(struct sf_buf *b, const char *s, size_t n);
void sf_buf_puts(struct sf_buf *b, const char *s);
void sf_buf_printf(struct sf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What the unit record itself cannot say. */
struct sf_facts {
	int64_t now_ms;            /* CLOCK_REALTIME */
	int64_t now_mono_ms;       /* CLOCK_MONOTONIC, for uptimes */
	long long mem_current;     /* bytes, -1 = unknown */
	char ns[6][40];            /* pid net ipc uts mnt cgroup: "pid:[4026531836]" or "" */
};

/* Namespace ids of pid from /proc/PID/ns/ (empty strings when pid <= 0 or
 * unreadable). Not pure: the one reader of the file system here. */
void sf_read_namespaces(pid_t pid, struct sf_facts *f);

/* "12.3M", "64M", "512B". */
void sf_bytes(char *buf, size_t len, uint64_t bytes);
/* "45s", "3m12s", "2h05m", "3d04h". */
void sf_duration(char *buf, size_t len, int64_t ms);
/* "2024-05-01T12:00:00Z" (with_ms: "...:00.123Z"), UTC. */
void sf_iso8601(char *buf, size_t len, int64_t ms, bool with_ms);
/* The table's LAST EXIT column: "exited 3", "killed by SIGKILL",
 * "OOMKilled (137)", "start failed", "start limit hit", "-" ... */
void sf_last_exit_short(const struct svc_exit *x, char *buf, size_t len);
/* Reason for "Last State": Completed, Error, OOMKilled, Killed,
 * StartFailed, StartLimitHit, DependencyFailed, BadUnit; NULL for none. */
const char *sf_reason(const struct svc_exit *x);

/* Fills f for s: the caller's window on clocks, cgroups and /proc. */
typedef void (*sf_facts_fn)(void *ctx, const struct svc *s, struct sf_facts *f);

/* `status`: a header line and one row per unit. */
void sf_table(struct sf_buf *b, struct svc *const *svcs, size_t n, sf_facts_fn facts,
	      void *ctx);
/* `status UNIT`, with the last `log_lines` log lines. */
void sf_detail(struct sf_buf *b, const struct svc *s, const struct sf_facts *f,
	       size_t log_lines);
/* `status-json UNIT`: one object; `status-json`: {"units": [...]}. */
void sf_json_unit(struct sf_buf *b, const struct svc *s, const struct sf_facts *f);
void sf_json_list(struct sf_buf *b, struct svc *const *svcs, size_t n, sf_facts_fn facts,
		  void *ctx);

/* One log line as `logs` prints it: "2024-05-01T12:00:00.123Z text\n",
 * control characters escaped (\xHH) so a unit cannot drive the terminal. */
void sf_log_line(struct sf_buf *b, const struct log_line *l);
/* Its length, without rendering. */
size_t sf_log_line_len(const struct log_line *l);
/* Log text made safe for a terminal, the one escaping for `logs` and the
 * console: control bytes other than tab become \xHH, a trailing CR is
 * dropped. Writes to out (room for 4 * n) unless NULL; returns the
 * length. */
size_t sf_escape(const char *s, size_t n, char *out);
/* n bytes of s, escaped as sf_escape does, onto b. */
void sf_buf_add_escaped(struct sf_buf *b, const char *s, size_t n);

#endif
