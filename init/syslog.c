/* /dev/log: syslog datagrams into the unit's log ring (syslog.h). */
#include "syslog.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control.h"
#include "notify.h"
#include "sup_int.h"

#define SYSLOG_BUDGET 64   /* datagrams per wake-up */

/* ---- parsing ------------------------------------------------------------------------ */

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "<PRI>": 1 to 3 digits, at most 191 (facility 23, severity 7).
 * Its length, or 0 when it is not one. */
static size_t read_pri(const char *s, size_t len, int *pri)
{
	size_t i = 1;
	int v = 0;

	if (len < 3 || s[0] != '<')
		return 0;
	while (i < len && i <= 3 && digit(s[i]))
		v = v * 10 + (s[i++] - '0');
	if (i == 1 || i >= len || s[i] != '>' || v > 191)
		return 0;
	*pri = v;
	return i + 1;
}

/* "Mmm dd hh:mm:ss " (the day padded with a blank: "Dec  2"). */
static bool rfc3164_time(const char *s, size_t len)
{
	static const char pat[] = "Aaa Dd Dd:Dd:Dd ";

	if (len < sizeof pat - 1)
		return false;
	for (size_t i = 0; i < sizeof pat - 1; i++) {
		char p = pat[i], c = s[i];

		if ((p == 'A' && !(c >= 'A' && c <= 'Z')) || (p == 'a' && !(c >= 'a' && c <= 'z')) ||
		    (p == 'D' && !digit(c) && !(i == 4 && c == ' ')) || (p == 'd' && !digit(c)) ||
		    ((p == ' ' || p == ':') && c != p))
			return false;
	}
	return true;
}

/* The next blank-separated field of s[*at..len): its start and length;
 * false when none is left. */
static bool field(const char *s, size_t len, size_t *at, const char **f, size_t *n)
{
	size_t i = *at, b;

	if (i >= len)
		return false;
	b = i;
	while (i < len && s[i] != ' ')
		i++;
	*f = s + b;
	*n = i - b;
	*at = i < len ? i + 1 : i;
	return *n > 0;
}

/* RFC 5424 after "<PRI>1 ": "APP[PROCID]: MSG" into out; its length, or
 * SIZE_MAX when malformed. */
static size_t rfc5424(const char *s, size_t len, char *out)
{
	const char *time, *host, *app, *procid, *msgid;
	size_t at = 0, tn, hn, an, pn, mn, k = 0;

	if (!field(s, len, &at, &time, &tn) || !field(s, len, &at, &host, &hn) ||
	    !field(s, len, &at, &app, &an) || !field(s, len, &at, &procid, &pn) ||
	    !field(s, len, &at, &msgid, &mn) || at >= len)
		return SIZE_MAX;
	/* STRUCTURED-DATA: "-" or one or more [ID PARAM="v\]"...] */
	if (s[at] == '-') {
		at++;
	} else {
		while (at < len && s[at] == '[') {
			bool quoted = false;

			for (at++; at < len; at++) {
				if (quoted && s[at] == '\\') {
					at++;
					continue;
				}
				if (s[at] == '"')
					quoted = !quoted;
				else if (!quoted && s[at] == ']')
					break;
			}
			if (at >= len)
				return SIZE_MAX;
			at++;
		}
	}
	if (at < len && s[at] == ' ')
		at++;
	if (len - at >= 3 && memcmp(s + at, "\xef\xbb\xbf", 3) == 0)
		at += 3;
	if (!(an == 1 && app[0] == '-')) {
		memcpy(out, app, an);
		k = an;
		if (!(pn == 1 && procid[0] == '-')) {
			out[k++] = '[';
			memcpy(out + k, procid, pn);
			k += pn;
			out[k++] = ']';
		}
		out[k++] = ':';
		if (at < len)
			out[k++] = ' ';
	}
	memcpy(out + k, s + at, len - at);
	return k + len - at;
}

size_t syslog_parse(const char *msg, size_t len, int *pri, char *out)
{
	const char *nul = memchr(msg, '\0', len);
	size_t p, n;

	if (nul)
		len = (size_t)(nul - msg);
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--;
	*pri = SYSLOG_DEFAULT_PRI;
	p = read_pri(msg, len, pri);
	msg += p;
	len -= p;
	if (p && len >= 2 && msg[0] == '1' && msg[1] == ' ' && (n = rfc5424(msg + 2, len - 2, out)) != SIZE_MAX)
		return n;
	if (p && rfc3164_time(msg, len)) {
		msg += 16;
		len -= 16;
	}
	memcpy(out, msg, len);
	return len;
}

const char *syslog_pri_name(int pri, char *buf)
{
	static const char fac[12][9] = {
		"kern", "user", "mail", "daemon", "auth", "syslog",
		"lpr", "news", "uucp", "cron", "authpriv", "ftp",
	};
	static const char sev[8][8] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
	};
	int f = pri >> 3, v = pri & 7;

	if (pri < 0 || pri > 191)
		snprintf(buf, SYSLOG_PRI_NAME_MAX, "%d", pri);
	else if (f < 12)
		snprintf(buf, SYSLOG_PRI_NAME_MAX, "%s.%s", fac[f], sev[v]);
	else if (f >= 16)
		snprintf(buf, SYSLOG_PRI_NAME_MAX, "local%d.%s", f - 16, sev[v]);
	else
		snprintf(buf, SYSLOG_PRI_NAME_MAX, "fac%d.%s", f, sev[v]);
	return buf;
}

/* ---- reading ------------------------------------------------------------------------- */

/* Up to budget datagrams into the log; true when the socket is empty. */
static bool read_some(struct sup *sv, struct svc *s, int budget)
{
	struct svc_sock *k = s->sock;
	static char buf[SYSLOG_MSG_MAX + 1], text[SYSLOG_MSG_MAX + 1];
	bool got = false, empty = false;

	while (budget-- > 0 && k->log_w.fd >= 0) {
		ssize_t n = recv(k->log_w.fd, buf, sizeof buf - 1, MSG_DONTWAIT | MSG_TRUNC);
		size_t len;
		int pri;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			empty = true;   /* EAGAIN */
			break;
		}
		if ((size_t)n > sizeof buf - 1) {
			/* over SYSLOG_MSG_MAX: its start is kept, the cut counted */
			k->log_dropped++;
			n = (ssize_t)(sizeof buf - 1);
		}
		len = syslog_parse(buf, (size_t)n, &pri, text);
		if (!len) {
			k->log_dropped++;
			continue;
		}
		logbuf_append(&s->log, LOGBUF_SYSLOG(pri), text, len, clock_real_ms());
		k->log_msgs++;
		got = true;
	}
	/* followers once per wake-up, not once per message */
	if (got)
		control_log_appended(sv, s);
	return empty;
}

void syslog_on_readable(struct loop_watch *w, uint32_t events)
{
	struct svc *s = w->ctx;

	(void)events;
	if (w->fd < 0 || !s->sock)
		return;
	read_some(sup_the, s, SYSLOG_BUDGET);
}

void syslog_drain(struct sup *sv, struct svc *s)
{
	if (s->sock)
		read_some(sv, s, SYSLOG_BUDGET);
}
