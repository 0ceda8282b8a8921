#include "status_fmt.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
#include "syslog.h"
#include "../cgroup/cgroup.h"
#include "../config/values.h"
#include "../lib/json.h"
#include "../lib/rlimits.h"
#include "../lib/utf8.h"

/* ---- the buffer ------------------------------------------------------------- */

void sf_buf_init(struct sf_buf *b, size_t limit)
{
	b->p = b->inl;
	b->len = 0;
	b->cap = sizeof b->inl;
	b->limit = limit < sizeof b->inl ? sizeof b->inl : limit;
	b->failed = false;
}

void sf_buf_free(struct sf_buf *b)
{
	if (b->p != b->inl)
		free(b->p);
	b->p = b->inl;
	b->cap = sizeof b->inl;
	b->len = 0;
}

void sf_buf_reset(struct sf_buf *b)
{
	sf_buf_free(b);
	b->failed = false;
}

void sf_buf_consume(struct sf_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

/* Room for n more bytes (plus a NUL for vsnprintf). */
static bool reserve(struct sf_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (b->failed)
		return false;
	if (n >= b->limit || b->len + n >= b->limit) {
		b->failed = true;
		return false;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return true;
	for (cap = b->cap * 2; cap < want; cap *= 2)
		;
	if (cap > b->limit)
		cap = b->limit;
	p = b->p == b->inl ? malloc(cap) : realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	if (b->p == b->inl)
		memcpy(p, b->inl, b->len);
	b->p = p;
	b->cap = cap;
	return true;
}

void sf_buf_add(struct sf_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void sf_buf_add_escaped(struct sf_buf *b, const char *s, size_t n)
{
	if (n > SIZE_MAX / 4 || !reserve(b, 4 * n))
		return;
	b->len += sf_escape(s, n, b->p + b->len);
}

void sf_buf_puts(struct sf_buf *b, const char *s)
{
	sf_buf_add(b, s, strlen(s));
}

void sf_buf_printf(struct sf_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		sf_buf_add(b, small, (size_t)n);
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ---- small conversions ------------------------------------------------------ */

void sf_read_namespaces(pid_t pid, struct sf_facts *f)
{
	static const char *const names[6] = { "pid", "net", "ipc", "uts", "mnt", "cgroup" };

	for (int i = 0; i < 6; i++) {
		char path[64];
		ssize_t n = -1;

		if (pid > 0) {
			snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, names[i]);
			n = readlink(path, f->ns[i], sizeof f->ns[i] - 1);
		}
		f->ns[i][n > 0 ? n : 0] = '\0';
	}
}

void sf_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	uint64_t unit = 1024;
	int u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 "B", bytes);
		return;
	}
	while (u < 5 && bytes / unit >= 1024) {
		unit *= 1024;
		u++;
	}
	uint64_t whole = bytes / unit, rem = bytes % unit;

	if (whole >= 100) {
		snprintf(buf, len, "%" PRIu64 "%c", whole + (rem >= unit - rem), units[u]);
		return;
	}
	/* rem < unit <= 2^60: rem * 10 cannot overflow */
	uint64_t tenths = (rem * 10 + unit / 2) / unit;

	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (tenths == 0)
		snprintf(buf, len, "%" PRIu64 "%c", whole, units[u]);
	else
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", whole, tenths, units[u]);
}

void sf_duration(char *buf, size_t len, int64_t ms)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;

	if (s < 60)
		snprintf(buf, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m", s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, "%" PRId64 "d%02" PRId64 "h", s / 86400, s / 3600 % 24);
}

void sf_iso8601(char *buf, size_t len, int64_t ms, bool with_ms)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)t * 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, len, "-");
		return;
	}
	if (with_ms)
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void sf_last_exit_short(const struct svc_exit *x, char *buf, size_t len)
{
	switch (x->reason) {
	case REASON_START_FAILED:
		snprintf(buf, len, "start failed");
		break;
	case REASON_DEP_FAILED:
		snprintf(buf, len, "dependency failed");
		break;
	case REASON_BAD_UNIT:
		snprintf(buf, len, "bad unit");
		break;
	default:
		/* the rest carry no message: the supervisor's own wording */
		svc_exit_describe(x, buf, len);
	}
}

const char *sf_reason(const struct svc_exit *x)
{
	switch (x->reason) {
	case REASON_NONE:
		return NULL;
	case REASON_EXITED:
		return x->code == 0 ? "Completed" : "Error";
	case REASON_KILLED:
		return "Killed";
	case REASON_OOM_KILLED:
		return "OOMKilled";
	case REASON_START_FAILED:
		return "StartFailed";
	case REASON_START_LIMIT:
		return "StartLimitHit";
	case REASON_DEP_FAILED:
		return "DependencyFailed";
	case REASON_BAD_UNIT:
		return "BadUnit";
	default:
		return "Unknown";
	}
}

/* A process ran and ended: its exit code means something. */
static bool has_exit_code(const struct svc_exit *x)
{
	return x->reason == REASON_EXITED || x->reason == REASON_KILLED ||
	       x->reason == REASON_OOM_KILLED || x->reason == REASON_START_LIMIT;
}

static bool has_uptime(const struct svc *s, const struct sf_facts *f)
{
	return svc_shown_pid(s) > 0 &&
	       (s->state == SVC_RUNNING || s->state == SVC_STOPPING || s->state == SVC_RELOADING ||
		s->state == SVC_START_WAIT || s->state == SVC_START_POST ||
		s->state == SVC_STOP_CMD) &&
	       s->started_mono_ms > 0 && f->now_mono_ms >= s->started_mono_ms;
}

static bool memory_max(const struct svc *s, uint64_t *v)
{
	if (!s->spec || !s->spec->res.memory_max.set ||
	    s->spec->res.memory_max.v == LIMIT_INFINITY)
		return false;
	*v = s->spec->res.memory_max.v;
	return true;
}

/* ---- the table ---------------------------------------------------------------- */

void sf_table(struct sf_buf *b, struct svc *const *svcs, size_t n, sf_facts_fn facts,
	      void *ctx)
{
	int w = 4;

	for (size_t i = 0; i < n; i++) {
		int l = (int)strlen(svcs[i]->name);

		if (l > w)
			w = l;
	}
	sf_buf_printf(b, "%-*s  %-8s  %-7s  %-7s  %-8s  %-13s  %s\n", w, "UNIT", "STATE", "PID",
		      "UPTIME", "RESTARTS", "MEMORY", "LAST EXIT");
	for (size_t i = 0; i < n; i++) {
		const struct svc *s = svcs[i];
		struct sf_facts f = { .mem_current = -1 };
		char pid[16] = "-", up[16] = "-", mem[32] = "-", cur[16], max[16], last[320];
		uint64_t mx;
		bool has_max;

		facts(ctx, s, &f);
		if (svc_shown_pid(s) > 0)
			snprintf(pid, sizeof pid, "%d", (int)svc_shown_pid(s));
		if (has_uptime(s, &f))
			sf_duration(up, sizeof up, f.now_mono_ms - s->started_mono_ms);
		has_max = memory_max(s, &mx);
		if (has_max)
			sf_bytes(max, sizeof max, mx);
		if (f.mem_current >= 0) {
			sf_bytes(cur, sizeof cur, (uint64_t)f.mem_current);
			snprintf(mem, sizeof mem, "%s/%s", cur, has_max ? max : "-");
		} else if (has_max) {
			snprintf(mem, sizeof mem, "-/%s", max);
		}
		sf_last_exit_short(&s->last, last, sizeof last);
		sf_buf_printf(b, "%-*s  %-8s  %-7s  %-7s  %-8u  %-13s  %s\n", w, s->name,
			      svc_state_name(s->state), pid, up, s->restarts, mem, last);
	}
}

/* ---- the detailed view -------------------------------------------------------- */

static void limit_bytes(struct sf_buf *b, const char *key, const struct u64_opt *o, int *n)
{
	char v[32];

	if (!o->set)
		return;
	if (o->v == LIMIT_INFINITY)
		snprintf(v, sizeof v, "infinity");
	else
		sf_bytes(v, sizeof v, o->v);
	sf_buf_printf(b, " %s=%s", key, v);
	(*n)++;
}

static void limit_num(struct sf_buf *b, const char *key, const struct u64_opt *o, int *n)
{
	if (!o->set)
		return;
	if (o->v == LIMIT_INFINITY)
		sf_buf_printf(b, " %s=infinity", key);
	else
		sf_buf_printf(b, " %s=%" PRIu64, key, o->v);
	(*n)++;
}

static void rlimit_value(char *buf, size_t len, uint64_t v)
{
	if (v == LIMIT_INFINITY)
		snprintf(buf, len, "infinity");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

static void limits(struct sf_buf *b, const struct spec *sp)
{
	const struct resources *r = &sp->res;
	int n = 0;

	sf_buf_puts(b, "Limits:");
	limit_bytes(b, "MemoryMax", &r->memory_max, &n);
	limit_bytes(b, "MemoryHigh", &r->memory_high, &n);
	limit_bytes(b, "MemorySwapMax", &r->memory_swap_max, &n);
	limit_num(b, "CPUWeight", &r->cpu_weight, &n);
	if (r->cpu_shares.set) {
		sf_buf_printf(b, " CPUShares=%" PRIu64 " (cpu.weight %" PRIu64 ")", r->cpu_shares.v,
			      cg_shares_to_weight(r->cpu_shares.v));
		n++;
	}
	if (r->cpu_quota_permyriad.set) {
		char cm[64];
		uint64_t q = r->cpu_quota_permyriad.v;

		if (q == LIMIT_INFINITY)
			sf_buf_puts(b, " CPUQuota=infinity");
		else if (q % 100)
			sf_buf_printf(b, " CPUQuota=%" PRIu64 ".%02" PRIu64 "%%", q / 100, q % 100);
		else
			sf_buf_printf(b, " CPUQuota=%" PRIu64 "%%", q / 100);
		if (cg_cpu_max(cm, sizeof cm, q, r->cpu_period_us) == 0)
			sf_buf_printf(b, " (cpu.max %s)", cm);
		n++;
	}
	if (r->cpus) {
		sf_buf_printf(b, " AllowedCPUs=%s", r->cpus);
		n++;
	}
	if (r->mems) {
		sf_buf_printf(b, " AllowedMemoryNodes=%s", r->mems);
		n++;
	}
	limit_num(b, "TasksMax", &r->tasks_max, &n);
	limit_num(b, "IOWeight", &r->io_weight, &n);
	for (int i = 0; i < SPEC_RLIMITS; i++) {
		const struct rlimit_spec *rl = &sp->rlimits[i];
		char soft[24], hard[24];

		if (!rl->set)
			continue;
		rlimit_value(soft, sizeof soft, rl->soft);
		rlimit_value(hard, sizeof hard, rl->hard);
		if (rl->soft == rl->hard)
			sf_buf_printf(b, " %s=%s", rlimits_table[i].key, soft);
		else
			sf_buf_printf(b, " %s=%s:%s", rlimits_table[i].key, soft, hard);
		n++;
	}
	if (!n)
		sf_buf_puts(b, " none");
	sf_buf_puts(b, "\n");
}

/* Log text goes to an operator's terminal and to the console: control
 * characters other than tab become \xHH, and so do the C1 controls
 * (U+0080..U+009F: U+009B is a CSI to the Linux console and to 8-bit
 * terminals) and every byte that is not part of valid UTF-8. Each input
 * byte gives at most 4 output bytes. A trailing CR (CRLF output) is
 * dropped. */
size_t sf_escape(const char *text, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)text;
	size_t k = 0;

	if (n && s[n - 1] == '\r')
		n--;
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len = utf8_seq(s + i, n - i);
		bool control = c < 0x80 ? (c < 0x20 && c != '\t') || c == 0x7f
					: len == 0 || (c == 0xc2 && s[i + 1] < 0xa0);

		if (control) {
			/* an escaped sequence goes byte by byte */
			len = len ? len : 1;
			for (size_t j = 0; j < len; j++, k += 4)
				if (out) {
					out[k] = '\\';
					out[k + 1] = 'x';
					out[k + 2] = hex[s[i + j] >> 4];
					out[k + 3] = hex[s[i + j] & 15];
				}
		} else {
			if (out)
				memcpy(out + k, s + i, len);
			k += len;
		}
		i += len;
	}
	return k;
}

#define TS_LEN 24   /* "2024-05-01T12:00:00.123Z" */

/* A syslog line (/dev/log) shows its priority after the time:
 * "<daemon.err> ", as journald keeps it (init/syslog.h). */
static size_t pri_prefix(const struct log_line *l, char *buf)
{
	char name[SYSLOG_PRI_NAME_MAX];

	if (!LOGBUF_IS_SYSLOG(l->stream))
		return 0;
	return (size_t)snprintf(buf, SYSLOG_PRI_NAME_MAX + 4, "<%s> ",
				syslog_pri_name(LOGBUF_SYSLOG_PRI(l->stream), name));
}

size_t sf_log_line_len(const struct log_line *l)
{
	char pre[SYSLOG_PRI_NAME_MAX + 4];

	return TS_LEN + 1 + pri_prefix(l, pre) + sf_escape(l->text, l->len, NULL) + 1;
}

void sf_log_line(struct sf_buf *b, const struct log_line *l)
{
	/* the lines of one read share their time: formatted once */
	static int64_t ts_ms = INT64_MIN;
	static char ts[40];
	static size_t ts_len;
	char line[sizeof ts + SYSLOG_PRI_NAME_MAX + 4 + 4 * LOG_LINE_MAX + 1];
	size_t k;

	if (l->ts_ms != ts_ms || !ts_len) {
		sf_iso8601(ts, sizeof ts - 1, l->ts_ms, true);
		ts_len = strlen(ts);
		ts[ts_len++] = ' ';
		ts_ms = l->ts_ms;
	}
	memcpy(line, ts, ts_len);
	k = ts_len;
	k += pri_prefix(l, line + k);
	if (l->len <= LOG_LINE_MAX) {
		k += sf_escape(l->text, l->len, line + k);
		line[k++] = '\n';
		sf_buf_add(b, line, k);
	}
}

struct detail_log {
	struct sf_buf *b;
};

static void detail_log_line(void *ctx, const struct log_line *l)
{
	struct detail_log *d = ctx;

	sf_buf_puts(d->b, "  ");
	sf_log_line(d->b, l);
}

/* What status shows of a Description=: its first DESC_MAX bytes, cut
 * before a UTF-8 sequence. A unit file may hold 1 MiB, and one unit must
 * not make the status of every unit too big for the reply (a byte can
 * grow 6 times escaped in JSON). The spec export shows it whole. */
#define DESC_MAX 256

static size_t desc_len(const char *d)
{
	size_t n = strnlen(d, DESC_MAX + 1);

	if (n <= DESC_MAX)
		return n;
	n = DESC_MAX;
	while (n && ((unsigned char)d[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* What the unit said on NOTIFY_SOCKET (STATUS=), and what its sockets
 * dropped (init/notify.c): only while it is up. */
static void sf_notify(struct sf_buf *b, const struct svc *s)
{
	const char *st = notify_status_text(s);

	if (st[0]) {
		sf_buf_puts(b, "Status: ");
		sf_buf_add_escaped(b, st, strlen(st));
		sf_buf_puts(b, "\n");
	}
	if (s->sock && (s->sock->notify_dropped || s->sock->log_dropped))
		sf_buf_printf(b, "Dropped: %" PRIu64 " notify, %" PRIu64 " syslog messages\n",
			      s->sock->notify_dropped, s->sock->log_dropped);
}

void sf_detail(struct sf_buf *b, const struct svc *s, const struct sf_facts *f,
	       size_t log_lines)
{
	const struct svc_exit *x = &s->last;
	const char *reason = sf_reason(x);
	char t[48], d[32], mem[32], max[32];
	uint64_t mx;

	sf_buf_printf(b, "Unit: %s\n", s->name);
	/* what a unit file says goes out escaped, as its output does */
	sf_buf_puts(b, "Description: ");
	if (s->spec && s->spec->description)
		sf_buf_add_escaped(b, s->spec->description, desc_len(s->spec->description));
	else
		sf_buf_puts(b, "-");
	sf_buf_puts(b, "\n");
	sf_iso8601(t, sizeof t, s->since_ms, false);
	sf_duration(d, sizeof d, f->now_ms - s->since_ms);
	sf_buf_printf(b, "State: %s since %s (%s ago)\n", svc_state_name(s->state), t, d);
	/* the service, not the sandbox's reaper (Init=): that one apart */
	if (svc_shown_pid(s) > 0)
		sf_buf_printf(b, "Main PID: %d\n", (int)svc_shown_pid(s));
	else
		sf_buf_puts(b, "Main PID: -\n");
	if (s->pid > 0 && s->pid != svc_shown_pid(s))
		sf_buf_printf(b, "Reaper: %d\n", (int)s->pid);
	if (has_uptime(s, f)) {
		sf_duration(d, sizeof d, f->now_mono_ms - s->started_mono_ms);
		sf_buf_printf(b, "Uptime: %s\n", d);
	}
	sf_buf_printf(b, "CGroup: %s\n", s->cgroup[0] ? s->cgroup : "-");
	sf_notify(b, s);

	sf_buf_puts(b, "Namespaces:");
	int nns = 0;
	for (int i = 0; i < 6; i++) {
		if (f->ns[i][0]) {
			sf_buf_printf(b, " %.*s", (int)sizeof f->ns[i], f->ns[i]);
			nns++;
		}
	}
	sf_buf_puts(b, nns ? "\n" : " -\n");

	if (s->spec)
		limits(b, s->spec);
	else
		sf_buf_puts(b, "Limits: -\n");
	if (f->mem_current >= 0) {
		sf_bytes(mem, sizeof mem, (uint64_t)f->mem_current);
		if (memory_max(s, &mx)) {
			sf_bytes(max, sizeof max, mx);
			sf_buf_printf(b, "Memory: %s (max %s)\n", mem, max);
		} else {
			sf_buf_printf(b, "Memory: %s\n", mem);
		}
	}

	if (!reason) {
		sf_buf_puts(b, "Last State: none\n");
	} else {
		sf_buf_printf(b, "Last State: Terminated  Reason: %s", reason);
		if (has_exit_code(x))
			sf_buf_printf(b, "  Exit Code: %d", x->code);
		if (x->reason == REASON_KILLED || (x->reason == REASON_START_LIMIT && x->signal))
			sf_buf_printf(b, "  Signal: %d", x->signal);
		sf_buf_puts(b, "\n");
		if (x->at_ms > 0) {
			sf_iso8601(t, sizeof t, x->at_ms, false);
			sf_buf_printf(b, "  Finished: %s\n", t);
		}
		if (x->msg) {
			sf_buf_puts(b, "  Message: ");
			sf_buf_add_escaped(b, x->msg, strlen(x->msg));
			sf_buf_puts(b, "\n");
		}
	}
	sf_buf_printf(b, "Restart Count: %u\n", s->restarts);
	sf_buf_printf(b, "OOM Kills: %u\n", s->oom_kills);
	sf_buf_printf(b, "Log: %" PRIu64 " lines, %" PRIu64 " dropped\n", s->log.lines_total,
		      s->log.lines_dropped);
	if (log_lines) {
		struct detail_log dl = { .b = b };

		sf_buf_printf(b, "Last %zu log lines:\n", log_lines);
		if (!logbuf_tail(&s->log, log_lines, detail_log_line, &dl))
			sf_buf_puts(b, "  (none)\n");
	}
}

/* ---- JSON ------------------------------------------------------------------------ */

/* Into the reply buffer, whose own limit and failure are sticky. */
static void to_buf(void *ctx, const char *p, size_t n)
{
	sf_buf_add(ctx, p, n);
}

static void json_unit(struct json *j, const struct svc *s, const struct sf_facts *f)
{
	const struct svc_exit *x = &s->last;
	char since[48], at[48];
	uint64_t mx = 0;
	bool has_max = memory_max(s, &mx);
	bool up = has_uptime(s, f);

	sf_iso8601(since, sizeof since, s->since_ms, false);
	json_obj_begin(j);
	json_kv_str(j, "name", s->name);
	json_kv_str(j, "state", svc_state_name(s->state));
	json_kv_str(j, "since", since);
	json_kv_int_or_null(j, "pid", svc_shown_pid(s) > 0, svc_shown_pid(s));
	json_kv_int_or_null(j, "reaper_pid", s->pid > 0 && s->pid != svc_shown_pid(s), s->pid);
	json_kv_int_or_null(j, "uptime_s", up, up ? (f->now_mono_ms - s->started_mono_ms) / 1000 : 0);
	json_kv_uint(j, "restarts", s->restarts);
	json_kv_uint(j, "oom_kills", s->oom_kills);
	json_kv_int_or_null(j, "memory_current", f->mem_current >= 0, f->mem_current);
	json_kv_uint_or_null(j, "memory_max", has_max, mx);
	json_key(j, "last");
	json_obj_begin(j);
	json_kv_str(j, "reason", sf_reason(x));
	json_kv_int_or_null(j, "exit_code", has_exit_code(x), x->code);
	json_kv_int_or_null(j, "signal", x->reason == REASON_KILLED || (has_exit_code(x) && x->signal),
			    x->signal);
	if (x->reason != REASON_NONE && x->at_ms > 0) {
		sf_iso8601(at, sizeof at, x->at_ms, false);
		json_kv_str(j, "at", at);
	} else {
		json_kv_str(j, "at", NULL);
	}
	json_key(j, "message");
	if (x->reason != REASON_NONE && x->msg)
		json_strn(j, x->msg, strlen(x->msg));
	else
		json_null(j);
	json_obj_end(j);
	json_kv_str(j, "cgroup", s->cgroup[0] ? s->cgroup : NULL);
	json_key(j, "description");
	if (s->spec && s->spec->description)
		json_strn(j, s->spec->description, desc_len(s->spec->description));
	else
		json_null(j);
	json_kv_uint(j, "log_lines", s->log.lines_total);
	json_kv_uint(j, "log_dropped", s->log.lines_dropped);
	json_kv_str(j, "status_text", notify_status_text(s)[0] ? notify_status_text(s) : NULL);
	json_obj_end(j);
}

/* The shapes are fixed, so json_finish() can only fail on the buffer's
 * limit, which the buffer itself records (b->failed). */
void sf_json_unit(struct sf_buf *b, const struct svc *s, const struct sf_facts *f)
{
	struct json j;
	struct err e;

	json_init_sink(&j, to_buf, b);
	json_unit(&j, s, f);
	json_finish(&j, &e);
}

void sf_json_list(struct sf_buf *b, struct svc *const *svcs, size_t n, sf_facts_fn facts,
		  void *ctx)
{
	struct json j;
	struct err e;

	json_init_sink(&j, to_buf, b);
	json_obj_begin(&j);
	json_key(&j, "units");
	json_arr_begin(&j);
	for (size_t i = 0; i < n; i++) {
		struct sf_facts f = { .mem_current = -1 };

		facts(ctx, svcs[i], &f);
		json_unit(&j, svcs[i], &f);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j, &e);
}
