/* What a request does once read: status, logs (and their followers),
 * start/stop/..., reload, shutdown. */
#include "control_conn.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sup.h"
#include "../lib/clock.h"

#if CONFIG_CONTROL_SOCKET
static void facts_of(void *ctx, const struct svc *s, struct sf_facts *f)
{
	f->now_ms = clock_real_ms();
	f->now_mono_ms = clock_mono_ms();
	f->mem_current = sup_memory_current(ctx, (struct svc *)s);
}

/* ---- logs ---- */

struct log_out {
	struct sf_buf *b;
	size_t skip_bytes;   /* oldest lines dropped to fit the reply */
	size_t bytes, lines, skipped;
};

static void log_measure(void *ctx, const struct log_line *l)
{
	struct log_out *o = ctx;

	o->bytes += sf_log_line_len(l);
	o->lines++;
}

static void log_emit(void *ctx, const struct log_line *l)
{
	struct log_out *o = ctx;

	if (o->skip_bytes) {
		size_t n = sf_log_line_len(l);

		o->skip_bytes -= n < o->skip_bytes ? n : o->skip_bytes;
		o->skipped++;
		return;
	}
	sf_log_line(o->b, l);
}

static int followers(void)
{
	int n = 0;

	for (int i = 0; i < CONTROL_MAX_CONN; i++)
		n += control.c[i].used && control.c[i].phase == PH_FOLLOWING;
	return n;
}

static void do_logs(struct conn *c, struct svc *s, const struct control_req *r)
{
	struct log_out o = { .b = &c->out };
	size_t budget = CONTROL_REPLY_MAX - 4096;

	if (r->follow && followers() >= CONTROL_MAX_FOLLOW) {
		char msg[160];

		snprintf(msg, sizeof msg, "logs -f: %d followers already (the limit); the other "
			 "connections are kept for short requests", CONTROL_MAX_FOLLOW);
		control_reply_text(c, CONTROL_FAILED, msg);
		return;
	}

	control_reply_begin(c, CONTROL_OK);
	logbuf_tail(&s->log, r->lines, log_measure, &o);
	if (o.bytes > budget) {
		/* the newest lines that fit: a tail cut short at its old end */
		o.skip_bytes = o.bytes - budget;
		sf_buf_printf(&c->out, "(older lines not shown: the reply is limited to %u bytes)\n",
			      CONTROL_REPLY_MAX);
	}
	logbuf_tail(&s->log, r->lines, log_emit, &o);
	if (r->follow && !c->out.failed) {
		c->phase = PH_FOLLOWING;
		snprintf(c->follow, sizeof c->follow, "%s", s->name);
		c->follow_svc = s;
		c->follow_seq = logbuf_next_seq(&s->log);
	}
	control_reply_send(c);
}

/* A follower's lines wait in the unit's ring, not in its queue: they are
 * formatted only while its queue holds less than FOLLOW_QUEUE bytes, at
 * most FOLLOW_BATCH bytes of the ring at a time (a line's text grows at
 * most 4 times escaped, and its timestamp is shorter than its record's
 * header plus 12). So a unit writing as fast as it can costs PID 1 no
 * more per follower than that follower reads, and a follower that falls
 * behind loses the lines the ring evicted (it is told how many), instead
 * of PID 1 formatting every line for every follower as it is read. */
#define FOLLOW_QUEUE (64 * 1024)
#define FOLLOW_BATCH (64 * 1024)
_Static_assert(FOLLOW_QUEUE + 4 * (FOLLOW_BATCH + LOGBUF_REC_BYTES(LOG_LINE_MAX)) <
	       CONTROL_REPLY_MAX, "a batch always fits in the reply buffer");

static void push_line(void *ctx, const struct log_line *l)
{
	struct conn *c = ctx;

	sf_log_line(&c->out, l);
	c->follow_seq = l->seq + 1;
}

static void follow_fill(struct conn *c, const struct svc *s)
{
	uint64_t next = logbuf_next_seq(&s->log);
	uint64_t oldest = s->log.lines_dropped;   /* the ring holds [dropped, total) */

	if (c->follow_svc != s || c->follow_seq > next) {
		/* reload replaced the unit: its log starts afresh */
		c->follow_svc = s;
		c->follow_seq = 0;
	}
	if (c->follow_seq < oldest && oldest <= next) {
		sf_buf_printf(&c->out, "(%" PRIu64 " lines lost: this follower fell behind the log)\n",
			      oldest - c->follow_seq);
		c->follow_seq = oldest;
	}
	while (c->follow_seq < next && c->out.len < FOLLOW_QUEUE && !c->out.failed)
		if (!logbuf_since_max(&s->log, c->follow_seq, FOLLOW_BATCH, push_line, c))
			break;
}

void control_follow_refill(struct conn *c)
{
	const struct svc *s;

	if (c->phase != PH_FOLLOWING || !(s = sup_find(control.sv, c->follow)))
		return;
	follow_fill(c, s);
}

void control_log_appended(struct sup *sv, struct svc *s)
{
	(void)sv;
	/* A unit removed by reload lost its followers then
	 * (control_unit_gone); one following the name since follows the
	 * unit of that name added after, while the removed one may still
	 * write (its ExecStop=, its last output): matched by name, those
	 * lines went to the new unit's followers, and each turn between
	 * the two sent one or the other's whole log again. */
	if (!control.open || s->removed)
		return;
	for (int i = 0; i < CONTROL_MAX_CONN; i++) {
		struct conn *c = &control.c[i];

		if (!c->used || c->phase != PH_FOLLOWING || strcmp(c->follow, s->name) != 0)
			continue;
		if (c->out.len >= FOLLOW_QUEUE && c->follow_svc == s)
			continue;   /* the lines wait in the ring until it drains */
		follow_fill(c, s);
		if (c->out.failed) {
			control_conn_close(c);   /* out of memory */
			continue;
		}
		control_flush(c);
	}
}

void control_unit_gone(struct sup *sv, struct svc *s)
{
	(void)sv;
	if (!control.open)
		return;
	for (int i = 0; i < CONTROL_MAX_CONN; i++) {
		struct conn *c = &control.c[i];

		if (!c->used || c->phase != PH_FOLLOWING ||
		    (c->follow_svc != s && strcmp(c->follow, s->name) != 0))
			continue;
		/* what is queued still goes out, then the connection closes */
		sf_buf_printf(&c->out, "(unit %s removed by reload)\n", s->name);
		c->phase = PH_WRITING;
		c->follow_svc = NULL;
		c->follow[0] = '\0';
		control_arm(c, CONTROL_IDLE_MS);
		control_flush(c);
	}
}

/* ---- requests ---- */

static bool alive(const struct conn *c, unsigned gen)
{
	return c->used && c->gen == gen;
}

void control_handle(struct conn *c, const char *line, size_t len)
{
	struct sup *sv = control.sv;
	struct control_req r;
	char msg[4096];
	unsigned gen = c->gen;
	struct svc *s = NULL;
	int rc = 0;

	if (c->denied) {
		control_reply_text(c, CONTROL_REFUSED, c->deny_msg);
		return;
	}
	int code = control_parse(line, len, &r, msg, sizeof msg);
	if (code) {
		control_reply_text(c, code, msg);
		return;
	}
	if (r.has_unit && !(s = sup_find(sv, r.unit))) {
		snprintf(msg, sizeof msg, "unit \"%s\" not found", r.unit);
		control_reply_text(c, CONTROL_NOT_FOUND, msg);
		return;
	}
	msg[0] = '\0';
	switch (r.verb) {
	case CTLV_STATUS:
		control_reply_begin(c, CONTROL_OK);
		if (s) {
			struct sf_facts f = { .mem_current = -1 };

			facts_of(sv, s, &f);
			sf_read_namespaces(s->pid, &f);
			sf_detail(&c->out, s, &f, 10);
		} else {
			sf_table(&c->out, sv->svcs, sv->n, facts_of, sv);
		}
		control_reply_send(c);
		return;
	case CTLV_STATUS_JSON:
		control_reply_begin(c, CONTROL_OK);
		if (s) {
			struct sf_facts f = { .mem_current = -1 };

			facts_of(sv, s, &f);
			sf_json_unit(&c->out, s, &f);
		} else {
			sf_json_list(&c->out, sv->svcs, sv->n, facts_of, sv);
		}
		control_reply_send(c);
		return;
	case CTLV_LOGS:
		do_logs(c, s, &r);
		return;
	case CTLV_START:
		rc = sup_start(sv, s, msg, sizeof msg);
		break;
	case CTLV_STOP:
		rc = sup_stop(sv, s, msg, sizeof msg);
		break;
	case CTLV_RESTART:
		rc = sup_restart(sv, s, msg, sizeof msg);
		break;
	case CTLV_RESET_FAILED:
		rc = sup_reset_failed(sv, s, msg, sizeof msg);
		break;
	case CTLV_RELOAD:
		if (!s) {
			rc = sup_reload(sv, msg, sizeof msg);
			break;
		}
		/* waiting first: a reload that ends at once answers it */
		control_wait_for(c, s);
		rc = sup_reload_unit(sv, s, msg, sizeof msg);
		if (!alive(c, gen) || c->phase != PH_WAITING || rc == 1)
			return;   /* answered, or answered when ExecReload= ends */
		c->follow_svc = NULL;
		c->phase = PH_WRITING;
		break;
	case CTLV_KILL:
		rc = sup_kill(sv, s, r.signo, r.all, msg, sizeof msg);
		break;
	case CTLV_POWEROFF:
		sup_request_shutdown(sv, SHUTDOWN_POWEROFF);
		snprintf(msg, sizeof msg, "powering off");
		break;
	case CTLV_REBOOT:
		sup_request_shutdown(sv, SHUTDOWN_REBOOT);
		snprintf(msg, sizeof msg, "rebooting");
		break;
	case CTLV_HALT:
		sup_request_shutdown(sv, SHUTDOWN_HALT);
		snprintf(msg, sizeof msg, "halting");
		break;
	}
	/* the supervisor may have closed us (shutdown): then say nothing */
	if (!alive(c, gen))
		return;
	msg[sizeof msg - 1] = '\0';
	control_reply_text(c, rc < 0 ? CONTROL_FAILED : CONTROL_OK, msg);
}

void control_unit_reloaded(struct sup *sv, struct svc *s, bool ok, const char *why)
{
	(void)sv;
	if (!control.open)
		return;
	for (int i = 0; i < CONTROL_MAX_CONN; i++) {
		struct conn *c = &control.c[i];

		if (!c->used || c->phase != PH_WAITING || c->follow_svc != s)
			continue;
		c->follow_svc = NULL;
		c->phase = PH_WRITING;
		control_reply_text(c, ok ? CONTROL_OK : CONTROL_FAILED, why);
	}
}

#else /* !CONFIG_CONTROL_SOCKET */

void control_unit_reloaded(struct sup *sv, struct svc *s, bool ok, const char *why)
{
	(void)sv;
	(void)s;
	(void)ok;
	(void)why;
}


void control_log_appended(struct sup *sv, struct svc *s)
{
	(void)sv;
	(void)s;
}

void control_unit_gone(struct sup *sv, struct svc *s)
{
	(void)sv;
	(void)s;
}

#endif
