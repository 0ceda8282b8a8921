/* `sandboxctl status` rendering (table, detail, JSON) of hand-built units,
 * the request parser against garbage, and the control socket itself:
 * PID 1's side served in this process's loop, real clients forked. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "init/control.h"
#include "ctl/ctl_remote.h"
#include "init/peer.h"
#include "init/status_fmt.h"
#include "init/sup.h"

#define T0 1714564800000LL   /* 2024-05-01T12:00:00Z */

/* ---- a small JSON validator ---------------------------------------------------- */

struct jp {
	const char *p, *end;
	int depth;
};

static void jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static bool jp_value(struct jp *j);

static bool jp_lit(struct jp *j, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, s, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool jp_string(struct jp *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	for (j->p++; j->p < j->end; j->p++) {
		unsigned char c = (unsigned char)*j->p;

		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (++j->p >= j->end)
				return false;
			if (*j->p == 'u') {
				for (int i = 0; i < 4; i++)
					if (++j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p))
						return false;
			} else if (!strchr("\"\\/bfnrt", *j->p)) {
				return false;
			}
		}
	}
	return false;
}

static bool jp_number(struct jp *j)
{
	const char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return false;
	if (*j->p == '0')
		j->p++;
	else
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	return j->p > s;
}

static bool jp_container(struct jp *j, char close, bool obj)
{
	if (++j->depth > 32)
		return false;
	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		jp_ws(j);
		if (obj) {
			if (!jp_string(j))
				return false;
			jp_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!jp_value(j))
			return false;
		jp_ws(j);
		if (j->p >= j->end)
			return false;
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ != close)
			return false;
		j->depth--;
		return true;
	}
}

static bool jp_value(struct jp *j)
{
	jp_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		return jp_container(j, '}', true);
	case '[':
		return jp_container(j, ']', false);
	case '"':
		return jp_string(j);
	case 't':
		return jp_lit(j, "true");
	case 'f':
		return jp_lit(j, "false");
	case 'n':
		return jp_lit(j, "null");
	default:
		return jp_number(j);
	}
}

static bool json_valid(const char *s, size_t n)
{
	struct jp j = { .p = s, .end = s + n };

	if (!jp_value(&j))
		return false;
	jp_ws(&j);
	return j.p == j.end;
}

/* ---- hand-built units ---------------------------------------------------------- */

static struct spec web_spec, hog_spec;
static struct svc *web, *hog, *crash, *killed, *broken;

static struct svc *new_svc(const char *name, struct spec *sp, enum svc_state st)
{
	struct svc *s = calloc(1, sizeof *s);

	if (!s)
		exit(1);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->spec = sp;
	s->state = st;
	s->since_ms = T0;
	s->pidfd = s->out_fd = s->err_fd = s->cgroup_fd = s->timer_fd = -1;
	logbuf_init(&s->log, 4096);
	return s;
}

static void build_units(void)
{
	char line[64];

	web_spec.description = "Busybox web server";
	web_spec.res.memory_max = (struct u64_opt){ true, 64 << 20 };
	web_spec.res.cpu_weight = (struct u64_opt){ true, 100 };
	web_spec.res.cpu_quota_permyriad = (struct u64_opt){ true, 5000 };
	web_spec.res.cpu_period_us = 100000;
	web_spec.res.tasks_max = (struct u64_opt){ true, 64 };
	web_spec.rlimits[RLIMIT_NOFILE] = (struct rlimit_spec){ true, 1024, 4096 };
	hog_spec.description = "eats memory";
	hog_spec.res.memory_max = (struct u64_opt){ true, 32 << 20 };

	web = new_svc("web", &web_spec, SVC_RUNNING);
	web->pid = 1234;
	web->started_mono_ms = 1000;
	snprintf(web->cgroup, sizeof web->cgroup, "/sys/fs/cgroup/sandboxd/web");
	for (int i = 0; i < 12; i++) {
		snprintf(line, sizeof line, "request %d\n", i);
		logbuf_feed(&web->log, 1, line, strlen(line), T0 + i * 1000);
	}
	logbuf_feed(&web->log, 2, "bad \x1b[31mred\r\n", 15, T0 + 12345);

	hog = new_svc("memhog", &hog_spec, SVC_BACKOFF);
	hog->restarts = 3;
	hog->oom_kills = 3;
	hog->last = (struct svc_exit){ .reason = REASON_OOM_KILLED, .code = 137, .signal = 9,
				       .at_ms = T0 - 10000 };

	crash = new_svc("crashloop", NULL, SVC_FAILED);
	crash->restarts = 5;
	crash->last = (struct svc_exit){ .reason = REASON_START_LIMIT, .code = 1, .at_ms = T0 };

	killed = new_svc("killed", NULL, SVC_INACTIVE);
	killed->last = (struct svc_exit){ .reason = REASON_KILLED, .code = 137, .signal = 9,
					  .at_ms = T0 };

	broken = new_svc("broken", NULL, SVC_FAILED);
	broken->last = (struct svc_exit){ .reason = REASON_BAD_UNIT, .at_ms = T0 };
	static const char bad[] = "broken.unit:3: [Service] ExecStart: \"caf\xc3\xa9 \xff\" \"quoted\"";
	svc_exit_set_msg(&broken->last, bad, sizeof bad - 1);
}

static void test_facts(void *ctx, const struct svc *s, struct sf_facts *f)
{
	(void)ctx;
	f->now_ms = T0 + 192000;
	f->now_mono_ms = 1000 + 192000;
	f->mem_current = s == web ? 12897485 : -1;   /* 12.3M */
}

/* Line n (0-based) of the buffer. */
static const char *line_of(const struct sf_buf *b, int n, char *out, size_t len)
{
	const char *p = b->p, *end = b->p + b->len;

	for (; n > 0 && p < end; n--) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		p = nl ? nl + 1 : end;
	}
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);

	if (k >= len)
		k = len - 1;
	memcpy(out, p, k);
	out[k] = '\0';
	return out;
}

static bool has(const struct sf_buf *b, const char *s)
{
	return memmem(b->p, b->len, s, strlen(s)) != NULL;
}

static void test_conversions(void)
{
	char buf[64];

	sf_bytes(buf, sizeof buf, 12897485);
	CHECK_STR("bytes 12.3M", buf, "12.3M");
	sf_bytes(buf, sizeof buf, 64 << 20);
	CHECK_STR("bytes 64M", buf, "64M");
	sf_bytes(buf, sizeof buf, 512);
	CHECK_STR("bytes 512B", buf, "512B");
	sf_bytes(buf, sizeof buf, 1536);
	CHECK_STR("bytes 1.5K", buf, "1.5K");
	sf_bytes(buf, sizeof buf, 150ull << 30);
	CHECK_STR("bytes 150G", buf, "150G");
	sf_bytes(buf, sizeof buf, UINT64_MAX);
	CHECK_STR("bytes max", buf, "16E");
	sf_duration(buf, sizeof buf, 192000);
	CHECK_STR("duration 3m12s", buf, "3m12s");
	sf_duration(buf, sizeof buf, 45999);
	CHECK_STR("duration 45s", buf, "45s");
	sf_duration(buf, sizeof buf, (2 * 3600 + 5 * 60 + 7) * 1000LL);
	CHECK_STR("duration 2h05m", buf, "2h05m");
	sf_duration(buf, sizeof buf, (3 * 86400 + 4 * 3600) * 1000LL);
	CHECK_STR("duration 3d04h", buf, "3d04h");
	sf_iso8601(buf, sizeof buf, T0 + 123, true);
	CHECK_STR("iso8601 ms", buf, "2024-05-01T12:00:00.123Z");
	sf_iso8601(buf, sizeof buf, T0, false);
	CHECK_STR("iso8601", buf, "2024-05-01T12:00:00Z");
}

static void test_table(void)
{
	struct svc *all[] = { web, hog, crash, killed, broken };
	struct sf_buf b;
	char l[256];

	sf_buf_init(&b, 1 << 20);
	sf_table(&b, all, 5, test_facts, NULL);
	CHECK_STR("table: header", line_of(&b, 0, l, sizeof l),
		  "UNIT       STATE     PID      UPTIME   RESTARTS  MEMORY         LAST EXIT");
	CHECK_STR("table: running", line_of(&b, 1, l, sizeof l),
		  "web        running   1234     3m12s    0         12.3M/64M      -");
	CHECK_STR("table: OOM killed", line_of(&b, 2, l, sizeof l),
		  "memhog     backoff   -        -        3         -/32M          OOMKilled (137)");
	CHECK_STR("table: start limit", line_of(&b, 3, l, sizeof l),
		  "crashloop  failed    -        -        5         -              start limit hit");
	CHECK_STR("table: killed", line_of(&b, 4, l, sizeof l),
		  "killed     inactive  -        -        0         -              killed by SIGKILL");
	CHECK_STR("table: bad unit", line_of(&b, 5, l, sizeof l),
		  "broken     failed    -        -        0         -              bad unit");
	CHECK_STR("table: nothing more", line_of(&b, 6, l, sizeof l), "");
	CHECK("table: buffer ok", !b.failed);
	sf_buf_free(&b);
}

static void test_detail(void)
{
	struct sf_facts f = { .mem_current = -1 };
	struct sf_buf b;
	char l[256];

	test_facts(NULL, hog, &f);
	sf_buf_init(&b, 1 << 20);
	sf_detail(&b, hog, &f, 10);
	CHECK_STR("detail: unit", line_of(&b, 0, l, sizeof l), "Unit: memhog");
	CHECK_STR("detail: description", line_of(&b, 1, l, sizeof l), "Description: eats memory");
	CHECK_STR("detail: state", line_of(&b, 2, l, sizeof l),
		  "State: backoff since 2024-05-01T12:00:00Z (3m12s ago)");
	CHECK_STR("detail: main pid", line_of(&b, 3, l, sizeof l), "Main PID: -");
	CHECK_STR("detail: no namespaces", line_of(&b, 5, l, sizeof l), "Namespaces: -");
	CHECK_STR("detail: limits", line_of(&b, 6, l, sizeof l), "Limits: MemoryMax=32M");
	CHECK("detail: OOMKilled last state",
	      has(&b, "\nLast State: Terminated  Reason: OOMKilled  Exit Code: 137\n"));
	CHECK("detail: finished", has(&b, "\n  Finished: 2024-05-01T11:59:50Z\n"));
	CHECK("detail: restart count", has(&b, "\nRestart Count: 3\n"));
	CHECK("detail: oom kills", has(&b, "\nOOM Kills: 3\n"));
	CHECK("detail: no log", has(&b, "\nLog: 0 lines, 0 dropped\n"));
	sf_buf_free(&b);

	memset(&f, 0, sizeof f);
	test_facts(NULL, web, &f);
	snprintf(f.ns[0], sizeof f.ns[0], "pid:[4026532201]");
	snprintf(f.ns[1], sizeof f.ns[1], "net:[4026532204]");
	sf_buf_init(&b, 1 << 20);
	sf_detail(&b, web, &f, 10);
	CHECK_STR("detail: running state", line_of(&b, 2, l, sizeof l),
		  "State: running since 2024-05-01T12:00:00Z (3m12s ago)");
	CHECK_STR("detail: pid", line_of(&b, 3, l, sizeof l), "Main PID: 1234");
	CHECK_STR("detail: uptime", line_of(&b, 4, l, sizeof l), "Uptime: 3m12s");
	CHECK_STR("detail: cgroup", line_of(&b, 5, l, sizeof l),
		  "CGroup: /sys/fs/cgroup/sandboxd/web");
	CHECK_STR("detail: namespaces", line_of(&b, 6, l, sizeof l),
		  "Namespaces: pid:[4026532201] net:[4026532204]");
	CHECK_STR("detail: all limits", line_of(&b, 7, l, sizeof l),
		  "Limits: MemoryMax=64M CPUWeight=100 CPUQuota=50% (cpu.max 50000 100000) "
		  "TasksMax=64 LimitNOFILE=1024:4096");
	CHECK_STR("detail: memory", line_of(&b, 8, l, sizeof l), "Memory: 12.3M (max 64M)");
	CHECK_STR("detail: never exited", line_of(&b, 9, l, sizeof l), "Last State: none");
	CHECK("detail: log counts", has(&b, "\nLog: 13 lines, 0 dropped\n"));
	CHECK("detail: last 10 log lines", has(&b, "\nLast 10 log lines:\n"
					       "  2024-05-01T12:00:03.000Z request 3\n"));
	CHECK("detail: 11th from the end not shown", !has(&b, "request 2\n"));
	CHECK("detail: control characters escaped, CR dropped",
	      has(&b, "  2024-05-01T12:00:12.345Z bad \\x1b[31mred\n"));
	sf_buf_free(&b);

	sf_buf_init(&b, 1 << 20);
	sf_detail(&b, killed, &f, 10);
	CHECK("detail: killed with signal",
	      has(&b, "\nLast State: Terminated  Reason: Killed  Exit Code: 137  Signal: 9\n"));
	CHECK("detail: no spec, no limits", has(&b, "\nLimits: -\n"));
	sf_buf_free(&b);

	sf_buf_init(&b, 1 << 20);
	sf_detail(&b, broken, &f, 10);
	CHECK("detail: bad unit, no exit code", has(&b, "\nLast State: Terminated  Reason: BadUnit\n"));
	CHECK("detail: bad unit message", has(&b, "\n  Message: broken.unit:3: [Service]"));
	sf_buf_free(&b);

	crash->last.code = 0;
	killed->last = (struct svc_exit){ .reason = REASON_EXITED, .code = 0 };
	CHECK_STR("reason: exit 0 is Completed", sf_reason(&killed->last), "Completed");
	killed->last.code = 3;
	CHECK_STR("reason: exit 3 is Error", sf_reason(&killed->last), "Error");
	killed->last = (struct svc_exit){ .reason = REASON_KILLED, .code = 137, .signal = 9,
					  .at_ms = T0 };
	crash->last.code = 1;
}

static void test_json(void)
{
	struct svc *all[] = { web, hog, crash, killed, broken };
	struct sf_facts f = { .mem_current = -1 };
	struct sf_buf b;

	sf_buf_init(&b, 1 << 20);
	sf_json_list(&b, all, 5, test_facts, NULL);
	CHECK("json list: valid", json_valid(b.p, b.len));
	CHECK("json list: units", has(&b, "{\n  \"units\": [\n    {\n      \"name\": \"web\","));
	CHECK("json list: OOMKilled", has(&b, "\"reason\": \"OOMKilled\""));
	CHECK("json list: exit code", has(&b, "\"exit_code\": 137"));
	CHECK("json list: memory", has(&b, "\"memory_current\": 12897485,\n"
				       "      \"memory_max\": 67108864,"));
	CHECK("json list: unknown memory is null", has(&b, "\"memory_current\": null"));
	CHECK("json list: uptime", has(&b, "\"uptime_s\": 192,"));
	CHECK("json list: bad UTF-8 replaced, quotes escaped",
	      has(&b, "\"message\": \"broken.unit:3: [Service] ExecStart: \\\"caf\xc3\xa9 "
		      "\\ufffd\\\" \\\"quoted\\\"\""));
	sf_buf_free(&b);

	test_facts(NULL, hog, &f);
	sf_buf_init(&b, 1 << 20);
	sf_json_unit(&b, hog, &f);
	CHECK("json unit: valid", json_valid(b.p, b.len));
	CHECK("json unit: last", has(&b, "\"last\": {\n    \"reason\": \"OOMKilled\",\n"
				     "    \"exit_code\": 137,\n    \"signal\": 9,\n"
				     "    \"at\": \"2024-05-01T11:59:50Z\",\n    \"message\": null\n  }"));
	CHECK("json unit: pid null", has(&b, "\"pid\": null,"));
	sf_buf_free(&b);

	struct svc *none[1];
	sf_buf_init(&b, 1 << 20);
	sf_json_list(&b, none, 0, test_facts, NULL);
	CHECK_STR("json list: empty", b.len ? (b.p[b.len] = '\0', b.p) : "",
		  "{\n  \"units\": []\n}\n");
	sf_buf_free(&b);

	/* the validator itself rejects what it should */
	CHECK("validator: rejects trailing comma", !json_valid("[1,]", 4));
	CHECK("validator: rejects raw control", !json_valid("\"a\x01\"", 4));
}

static void test_buf_limit(void)
{
	struct sf_buf b;
	char big[1000];

	memset(big, 'x', sizeof big);
	sf_buf_init(&b, 4096);
	for (int i = 0; i < 10; i++)
		sf_buf_add(&b, big, sizeof big);
	CHECK("buf: limit reached fails", b.failed);
	CHECK("buf: stays bounded", b.len < 4096);
	sf_buf_reset(&b);
	CHECK("buf: reset clears", !b.failed && b.len == 0 && b.p == b.inl);
	sf_buf_printf(&b, "%0600d", 7);
	CHECK_INT("buf: long printf", b.len, 600);
	sf_buf_consume(&b, 599);
	CHECK("buf: consume", b.len == 1 && b.p[0] == '7');
	sf_buf_free(&b);
}

/* ---- the request parser ---------------------------------------------------------- */

static int parse(const char *s, size_t n, struct control_req *r, char *msg)
{
	return control_parse(s, n, r, msg, 256);
}

static void test_parser(void)
{
	struct control_req r;
	char msg[256];
	static char big[5000];

	CHECK_INT("parse: status", parse("status", 6, &r, msg), 0);
	CHECK("parse: status has no unit", r.verb == CTLV_STATUS && !r.has_unit);
	CHECK_INT("parse: status UNIT", parse("status web.unit", 15, &r, msg), 0);
	CHECK_STR("parse: unit normalized", r.unit, "web");
	CHECK_INT("parse: status-json", parse("status-json", 11, &r, msg), 0);
	CHECK("parse: status-json verb", r.verb == CTLV_STATUS_JSON);
	CHECK_INT("parse: logs", parse("logs web 10 1", 13, &r, msg), 0);
	CHECK("parse: logs fields", r.verb == CTLV_LOGS && r.lines == 10 && r.follow);
	CHECK_INT("parse: reset-failed", parse("reset-failed a@b_c-d.e", 22, &r, msg), 0);
	CHECK_INT("parse: poweroff", parse("poweroff", 8, &r, msg), 0);

	CHECK_INT("parse: binary", parse("\x00\xff", 2, &r, msg), CONTROL_BAD_REQUEST);
	CHECK("parse: binary message", strstr(msg, "not text") != NULL);
	memset(big, 'a', sizeof big);
	CHECK_INT("parse: 5000-byte line", parse(big, sizeof big, &r, msg), CONTROL_BAD_REQUEST);
	CHECK("parse: too long message", strstr(msg, "longer than") != NULL);
	CHECK_INT("parse: unknown verb", parse("frobnicate web", 14, &r, msg),
		  CONTROL_BAD_REQUEST);
	CHECK_STR("parse: unknown message", msg, "unknown request \"frobnicate\"");
	CHECK_INT("parse: missing unit", parse("start", 5, &r, msg), CONTROL_BAD_REQUEST);
	CHECK_STR("parse: missing unit message", msg, "start: which unit?");
	CHECK_INT("parse: empty", parse("", 0, &r, msg), CONTROL_BAD_REQUEST);
	CHECK_INT("parse: double space", parse("stop  web", 9, &r, msg), CONTROL_BAD_REQUEST);
	CHECK_INT("parse: trailing space", parse("status ", 7, &r, msg), CONTROL_BAD_REQUEST);
	CHECK_INT("parse: too many", parse("status a b", 10, &r, msg), CONTROL_BAD_REQUEST);
	CHECK_INT("parse: reload takes a unit", parse("reload x", 8, &r, msg), 0);
	CHECK("parse: reload's unit", r.verb == CTLV_RELOAD && r.has_unit && !strcmp(r.unit, "x"));
	CHECK_INT("parse: reload alone", parse("reload", 6, &r, msg), 0);
	CHECK("parse: reload alone has no unit", r.verb == CTLV_RELOAD && !r.has_unit);
	CHECK_INT("parse: reload takes one unit", parse("reload x y", 10, &r, msg),
		  CONTROL_BAD_REQUEST);
	CHECK_INT("parse: kill", parse("kill web 10 main", 16, &r, msg), 0);
	CHECK("parse: kill's words", r.verb == CTLV_KILL && r.signo == 10 && !r.all &&
					     !strcmp(r.unit, "web"));
	CHECK_INT("parse: kill all", parse("kill web 9 all", 14, &r, msg), 0);
	CHECK("parse: kill all's words", r.all && r.signo == 9);
	CHECK_INT("parse: kill signal 0", parse("kill web 0 main", 15, &r, msg),
		  CONTROL_BAD_REQUEST);
	CHECK_INT("parse: kill signal 65", parse("kill web 65 main", 16, &r, msg),
		  CONTROL_BAD_REQUEST);
	CHECK_INT("parse: kill by name is the client's", parse("kill web TERM main", 18, &r, msg),
		  CONTROL_BAD_REQUEST);
	CHECK_INT("parse: kill whom", parse("kill web 9 some", 15, &r, msg), CONTROL_BAD_REQUEST);
	CHECK_INT("parse: kill needs whom", parse("kill web 9", 10, &r, msg), CONTROL_BAD_REQUEST);
	CHECK_INT("parse: bad unit name", parse("start ../etc", 12, &r, msg),
		  CONTROL_BAD_REQUEST);
	CHECK_INT("parse: logs count", parse("logs web x 1", 12, &r, msg), CONTROL_BAD_REQUEST);
	CHECK_INT("parse: logs follow", parse("logs web 1 2", 12, &r, msg), CONTROL_BAD_REQUEST);
	CHECK_INT("parse: logs short", parse("logs web", 8, &r, msg), CONTROL_BAD_REQUEST);
	CHECK_INT("parse: tab", parse("status\tweb", 10, &r, msg), CONTROL_BAD_REQUEST);
	CHECK_INT("parse: CR", parse("status\r", 7, &r, msg), CONTROL_BAD_REQUEST);

	/* random bytes and random words: only 0 or 2, never anything else */
	static const char *const words[] = { "status", "logs", "web", "1", "0", " ", "start",
					     "x", "", "\xff", "status-json", "99999999999" };
	unsigned seed = 12345, odd = 0;
	char buf[128];

	for (int i = 0; i < 200000; i++) {
		size_t n = 0;

		seed = seed * 1103515245 + 12345;
		if (i % 2) {
			n = (seed >> 16) % sizeof buf;
			for (size_t k = 0; k < n; k++) {
				seed = seed * 1103515245 + 12345;
				buf[k] = (char)(seed >> 16);
			}
		} else {
			for (int k = 0; k < (int)((seed >> 16) % 6); k++) {
				seed = seed * 1103515245 + 12345;
				const char *w = words[(seed >> 16) % 12];
				size_t wl = strlen(w);

				if (n + wl + 1 > sizeof buf)
					break;
				if (k)
					buf[n++] = ' ';
				memcpy(buf + n, w, wl);
				n += wl;
			}
		}
		int rc = parse(buf, n, &r, msg);
		if ((rc != 0 && rc != CONTROL_BAD_REQUEST) || (rc && !msg[0]))
			odd++;
	}
	CHECK_INT("parse: random input gives 0 or 2 with a message", odd, 0);
}

/* ---- the socket, end to end ------------------------------------------------------ */

#if CONFIG_CONTROL_SOCKET

static struct sup sv;
static char rundir[64], sock[128];
static char out_file[128], err_file[128];

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Serve in this process while the child runs fn; the child's stdout and
 * stderr go to files. Returns its exit status (-1 when killed). */
static int serve_child(int (*fn)(void *), void *arg, void (*during)(void))
{
	int st, fd;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(out_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		fd = open(err_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		int rc = fn(arg);

		fflush(NULL);
		_exit(rc);
	}
	int64_t start = mono_ms();
	while (waitpid(pid, &st, WNOHANG) == 0) {
		loop_run_once(&sv.loop, 20);
		if (during)
			during();
		if (mono_ms() - start > 20000) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return buf;
}

struct argv_ {
	int argc;
	char *argv[8];
};

static int run_ctl(void *arg)
{
	struct argv_ *a = arg;

	return ctl_remote(a->argc, a->argv);
}

#define CTL(...) (&(struct argv_){ .argc = sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *), \
				   .argv = { __VA_ARGS__ } })

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, sock, strlen(sock));
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	return fd;
}

/* Read until EOF (or 8 s) and print it. */
static int relay(int fd)
{
	char buf[8192];
	struct timeval tv = { .tv_sec = 8 };
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	if (n < 0)
		printf("[recv: %s]", strerror(errno));
	return 0;
}

struct raw {
	const char *data;
	size_t len;
};

static int run_raw(void *arg)
{
	struct raw *r = arg;
	int fd = raw_connect();

	if (fd < 0)
		return 99;
	if (r->len && send(fd, r->data, r->len, MSG_NOSIGNAL) < 0)
		printf("[send: %s]", strerror(errno));
	return relay(fd);
}

static int run_nobody(void *arg)
{
	(void)arg;
	if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
		return 98;
	int fd = raw_connect();
	if (fd < 0)
		return 99;
	send(fd, "status\n", 7, MSG_NOSIGNAL);
	return relay(fd);
}

static int run_nobody_ctl(void *arg)
{
	if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
		return 98;
	return run_ctl(arg);
}

/* 16 silent clients fill the pool: the 17th is refused at once; the
 * silent ones are dropped after 5 s. */
static int run_flood(void *arg)
{
	int fds[CONTROL_MAX_CONN];
	char buf[256];
	ssize_t n;

	(void)arg;
	for (int i = 0; i < CONTROL_MAX_CONN; i++)
		if ((fds[i] = raw_connect()) < 0)
			return 99;
	usleep(300000);   /* let the server take them first */
	int extra = raw_connect();
	if (extra < 0)
		return 99;
	struct timeval tv = { .tv_sec = 3 };
	setsockopt(extra, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	n = recv(extra, buf, sizeof buf - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	printf("extra:%s|", buf);
	int64_t t0 = mono_ms();
	tv.tv_sec = 10;
	setsockopt(fds[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	n = recv(fds[0], buf, sizeof buf - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	printf("idle:%s|after:%lld|", buf, (long long)(mono_ms() - t0));
	return 0;
}

static bool contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static int follow_fed;
static int64_t follow_t0;

static void feed_follower(void)
{
	char line[64];

	/* after the client had time to read its tail, two lines, one by one */
	if (follow_fed < 2 && mono_ms() - follow_t0 > 300 + follow_fed * 100) {
		snprintf(line, sizeof line, "pushed %d\n", follow_fed++);
		logbuf_feed(&web->log, 1, line, strlen(line), T0 + 100000);
		control_log_appended(&sv, web);
	}
}

/* Read the follow stream until "pushed 1" arrives, then hang up. */
static int run_follow(void *arg)
{
	char buf[8192];
	size_t have = 0;
	ssize_t n;
	int fd = raw_connect();
	struct timeval tv = { .tv_sec = 5 };

	(void)arg;
	if (fd < 0)
		return 99;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	send(fd, "logs web 1 1\n", 13, MSG_NOSIGNAL);
	while (have < sizeof buf - 1 && (n = recv(fd, buf + have, sizeof buf - 1 - have, 0)) > 0) {
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "pushed 1\n"))
			break;
	}
	buf[have] = '\0';
	fputs(buf, stdout);
	return 0;
}

static void test_socket(void)
{
	struct err e;
	struct stat st;
	char out[65536], err[4096];
	int rc;

	snprintf(rundir, sizeof rundir, "/tmp/sbx-ctl-test.XXXXXX");
	if (!mkdtemp(rundir)) {
		t_report("socket: temp dir", false, "%s", strerror(errno));
		return;
	}
	chmod(rundir, 0755);   /* so that only the socket's own mode keeps others out */
	setenv("SANDBOXD_RUN_DIR", rundir, 1);
	snprintf(out_file, sizeof out_file, "%s/out", rundir);
	snprintf(err_file, sizeof err_file, "%s/err", rundir);
	CHECK_INT("socket: path", control_socket_path(sock, sizeof sock), 0);

	sv.console_fd = 2;
	sv.run_dir = rundir;
	static struct svc *table[8];   /* the supervisor's growable table, by hand */

	sv.svcs = table;
	sv.cap = 8;
	sv.svcs[0] = web;
	sv.svcs[1] = hog;
	sv.svcs[2] = crash;
	sv.n = 3;
	if (loop_init(&sv.loop, &e) < 0 || control_open(&sv, sock, &e) < 0) {
		t_report("socket: open", false, "%s", e.msg);
		return;
	}
	CHECK("socket: open", true);
	CHECK("socket: is a socket, mode 0600",
	      stat(sock, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600);

	rc = serve_child(run_ctl, CTL("status"), NULL);
	slurp(out_file, out, sizeof out);
	CHECK_INT("socket: status exit", rc, 0);
	CHECK("socket: status table", contains(out, "UNIT       STATE") &&
				      contains(out, "\nmemhog     backoff   -        -        3"));

	rc = serve_child(run_ctl, CTL("status", "memhog.unit"), NULL);
	slurp(out_file, out, sizeof out);
	CHECK_INT("socket: status UNIT exit", rc, 0);
	CHECK("socket: status UNIT detail",
	      contains(out, "Last State: Terminated  Reason: OOMKilled  Exit Code: 137\n"));

	rc = serve_child(run_ctl, CTL("status", "--json"), NULL);
	slurp(out_file, out, sizeof out);
	CHECK_INT("socket: status --json exit", rc, 0);
	CHECK("socket: status --json parses", json_valid(out, strlen(out)) &&
					      contains(out, "\"units\": ["));

	rc = serve_child(run_ctl, CTL("status", "nope"), NULL);
	slurp(err_file, err, sizeof err);
	CHECK_INT("socket: unknown unit exit 3", rc, 3);
	CHECK_STR("socket: unknown unit message", err, "unit \"nope\" not found\n");

	rc = serve_child(run_ctl, CTL("logs", "web", "-n", "2"), NULL);
	slurp(out_file, out, sizeof out);
	CHECK_INT("socket: logs exit", rc, 0);
	CHECK_STR("socket: logs -n 2", out,
		  "2024-05-01T12:00:11.000Z request 11\n"
		  "2024-05-01T12:00:12.345Z bad \\x1b[31mred\n");

	/* a log bigger than a reply may be: the newest lines that fit */
	struct svc *hugelog = new_svc("big", NULL, SVC_RUNNING);
	char line[128];
	logbuf_free(&hugelog->log);
	logbuf_init(&hugelog->log, 3 << 20);
	for (int i = 0; i < 40000; i++) {
		int n = snprintf(line, sizeof line, "%06d \x01\x02\x03\x04\x05\x06\x07\x08"
				 "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\n", i);
		logbuf_feed(&hugelog->log, 1, line, (size_t)n, T0);
	}
	sv.svcs[3] = hugelog;
	sv.n = 4;
	static char bigout[2 << 20];
	rc = serve_child(run_ctl, CTL("logs", "big"), NULL);
	slurp(out_file, bigout, sizeof bigout);
	size_t blen = strlen(bigout);
	CHECK_INT("socket: huge logs exit", rc, 0);
	CHECK("socket: huge logs bounded", blen > (1 << 20) - 8192 && blen <= (1 << 20));
	CHECK("socket: huge logs say so",
	      strncmp(bigout, "(older lines not shown: the reply is limited to 1048576 bytes)\n"
		      "2024-05-01T12:00:00.000Z ", 88) == 0);
	CHECK("socket: huge logs end with the newest",
	      blen > 100 && strstr(bigout + blen - 100, " 039999 \\x01\\x02") != NULL);
	sv.n = 3;
	logbuf_free(&hugelog->log);
	free(hugelog);

	rc = serve_child(run_ctl, CTL("stop", "nope"), NULL);
	CHECK_INT("socket: stop unknown unit exit 3", rc, 3);

	follow_t0 = mono_ms();
	rc = serve_child(run_follow, NULL, feed_follower);
	slurp(out_file, out, sizeof out);
	CHECK("socket: logs -f gets the tail, then pushed lines",
	      rc == 0 && strcmp(out, "0\n2024-05-01T12:00:12.345Z bad \\x1b[31mred\n"
				     "2024-05-01T12:01:40.000Z pushed 0\n"
				     "2024-05-01T12:01:40.000Z pushed 1\n") == 0);

	struct raw bin = { "\x00\xff\n", 3 };
	rc = serve_child(run_raw, &bin, NULL);
	slurp(out_file, out, sizeof out);
	CHECK("socket: binary -> code 2", rc == 0 && strncmp(out, "2\nrequest is not text", 21) == 0);

	static char big[5001];
	memset(big, 'a', 5000);
	big[5000] = '\n';
	struct raw longl = { big, sizeof big };
	rc = serve_child(run_raw, &longl, NULL);
	slurp(out_file, out, sizeof out);
	CHECK_STR("socket: 5000-byte line -> code 2", out, "2\nrequest longer than 4095 bytes\n");

	struct raw unknown = { "frobnicate\n", 11 };
	rc = serve_child(run_raw, &unknown, NULL);
	slurp(out_file, out, sizeof out);
	CHECK_STR("socket: unknown verb -> code 2", out, "2\nunknown request \"frobnicate\"\n");

	struct raw nonl = { "status", 6 };
	rc = serve_child(run_raw, &nonl, NULL);
	slurp(out_file, out, sizeof out);
	CHECK("socket: no newline yet -> dropped after 5 s",
	      strcmp(out, "2\nno request within 5 s\n") == 0);

	if (geteuid() == 0) {
		rc = serve_child(run_nobody_ctl, CTL("status"), NULL);
		slurp(err_file, err, sizeof err);
		CHECK_INT("socket: non-root cannot connect (0600): exit 4", rc, 4);
		CHECK("socket: non-root message names the socket",
		      contains(err, "sandboxctl: cannot reach PID 1 at ") &&
		      contains(err, "/control.sock: Permission denied\n"));
		/* past the file mode, SO_PEERCRED still refuses */
		chmod(sock, 0666);
		rc = serve_child(run_nobody, NULL, NULL);
		chmod(sock, 0600);
		slurp(out_file, out, sizeof out);
		CHECK_STR("socket: non-root peer refused, code 4", out,
			  "4\npermission denied: the control socket serves root only\n");
	}

	rc = serve_child(run_flood, NULL, NULL);
	slurp(out_file, out, sizeof out);
	CHECK("socket: 17th connection refused at once",
	      contains(out, "extra:1\ntoo many connections to PID 1 at once; try again\n|"));
	CHECK("socket: silent client dropped after 5 s",
	      contains(out, "idle:2\nno request within 5 s\n|"));

	rc = serve_child(run_ctl, CTL("status", "web"), NULL);
	slurp(out_file, out, sizeof out);
	CHECK("socket: still serving after the abuse", rc == 0 && contains(out, "Unit: web\n"));

	control_close_all(&sv);
	CHECK("socket: closed and unlinked", access(sock, F_OK) < 0 && errno == ENOENT);
	rc = serve_child(run_ctl, CTL("status"), NULL);
	slurp(err_file, err, sizeof err);
	CHECK_INT("socket: no PID 1 -> exit 4", rc, 4);
	char want[256];
	snprintf(want, sizeof want, "sandboxctl: cannot reach PID 1 at %s: No such file or directory\n",
		 sock);
	CHECK_STR("socket: no PID 1 message", err, want);

	/* another supervisor's live socket is left alone; once it is gone,
	 * its socket file is replaced */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, sock, strlen(sock));
	CHECK("socket: other listener", fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
					listen(fd, 4) == 0);
	CHECK("socket: live socket not replaced",
	      control_open(&sv, sock, &e) < 0 && e.errnum == EADDRINUSE);
	close(fd);
	CHECK("socket: stale socket replaced", control_open(&sv, sock, &e) == 0);
	rc = serve_child(run_ctl, CTL("status", "crashloop"), NULL);
	slurp(out_file, out, sizeof out);
	CHECK("socket: serving on the replaced socket", rc == 0 && contains(out, "Unit: crashloop\n"));
	control_close_all(&sv);

	unlink(out_file);
	unlink(err_file);
	rmdir(rundir);
}

/* peer.c: who is inside a unit. The test process plays PID 1; a child it
 * forks plays a unit's main process, a grandchild that unit's worker. */
static void test_peer(void)
{
	static struct sup psv;
	struct spec sp = { 0 };
	struct svc *u = new_svc("peerunit", &sp, SVC_RUNNING);
	struct peer p;
	char msg[512];
	int fds[2];

	static struct svc *table[1];

	psv.svcs = table;
	psv.cap = 1;
	psv.svcs[0] = u;
	psv.n = 1;
	peer_classify(&psv, getpid(), -1, &p);
	CHECK("peer: PID 1 itself is outside every unit", p.kind == PEER_OUTSIDE);
	CHECK("peer: outside may control", peer_may_control(&psv, &p, msg, sizeof msg));

	if (pipe(fds) < 0)
		return;
	pid_t child = fork();
	if (child == 0) {
		/* the unit's main process: a worker below it, then wait */
		pid_t w = fork();
		if (w == 0) {
			pause();
			_exit(0);
		}
		char b[16];
		int n = snprintf(b, sizeof b, "%d", (int)w);
		if (write(fds[1], b, (size_t)n) != n)
			_exit(1);
		pause();
		_exit(0);
	}
	char b[16] = "";
	close(fds[1]);
	ssize_t n = read(fds[0], b, sizeof b - 1);
	close(fds[0]);
	pid_t worker = n > 0 ? (pid_t)atoi(b) : -1;
	u->pid = child;

	peer_classify(&psv, worker, -1, &p);
	CHECK("peer: a unit's worker is inside the unit (parent chain)",
	      p.kind == PEER_UNIT && strcmp(p.unit, "peerunit") == 0);
	CHECK("peer: refused without ControlAccess=yes",
	      !peer_may_control(&psv, &p, msg, sizeof msg) && contains(msg, "ControlAccess=yes") &&
		      contains(msg, "\"peerunit\""));
	sp.control_access = true;
	CHECK("peer: allowed with ControlAccess=yes", peer_may_control(&psv, &p, msg, sizeof msg));
	sp.control_access = false;

	kill(worker, SIGKILL);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	peer_classify(&psv, child, -1, &p);
	CHECK("peer: a vanished process is refused", p.kind == PEER_GONE &&
	      !peer_may_control(&psv, &p, msg, sizeof msg));
	peer_classify(&psv, 0, -1, &p);
	CHECK("peer: pid 0 (not visible) is refused", p.kind == PEER_GONE);
	logbuf_free(&u->log);
	free(u);
}

#endif

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	build_units();
	test_conversions();
	test_table();
	test_detail();
	test_json();
	test_buf_limit();
	test_parser();
#if CONFIG_CONTROL_SOCKET
	test_peer();
	test_socket();
#endif
	for (struct svc **s = (struct svc *[]){ web, hog, crash, killed, broken, NULL }; *s; s++) {
		logbuf_free(&(*s)->log);
		svc_exit_set_msg(&(*s)->last, NULL, 0);
		free(*s);
	}
	return t_exit();
}
