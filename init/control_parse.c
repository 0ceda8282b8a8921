/* The request line (lib/control_proto.h) as PID 1 reads it: pure, exposed for
 * the unit tests and the fuzzer. */
#include "control.h"

#include <stdio.h>
#include <string.h>

#include "../config/unit.h"

#define MAX_WORDS 4

static int bad(char *msg, size_t len, const char *fmt, const char *w, size_t wlen)
{
	/* quote at most 64 bytes of what the client sent */
	snprintf(msg, len, fmt, (int)(wlen > 64 ? 64 : wlen), w);
	return CONTROL_BAD_REQUEST;
}

static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

static bool parse_count(const char *w, size_t n, unsigned long *v)
{
	unsigned long x = 0;

	if (n == 0 || n > 9)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return false;
		x = x * 10 + (unsigned long)(w[i] - '0');
	}
	*v = x;
	return true;
}

int control_parse(const char *line, size_t len, struct control_req *r, char *msg,
		  size_t msglen)
{
	const char *w[MAX_WORDS];
	size_t wl[MAX_WORDS], nw = 0, i;

	memset(r, 0, sizeof *r);
	msg[0] = '\0';
	if (len == 0) {
		snprintf(msg, msglen, "empty request");
		return CONTROL_BAD_REQUEST;
	}
	if (len >= CONTROL_REQ_MAX) {
		snprintf(msg, msglen, "request longer than %d bytes", CONTROL_REQ_MAX - 1);
		return CONTROL_BAD_REQUEST;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c > 0x7e) {
			snprintf(msg, msglen, "request is not text (byte 0x%02x at %zu)", c, i);
			return CONTROL_BAD_REQUEST;
		}
	}
	for (i = 0; i < len;) {
		const char *sp = memchr(line + i, ' ', len - i);
		size_t end = sp ? (size_t)(sp - line) : len;

		if (end == i || (sp && end + 1 == len)) {
			snprintf(msg, msglen, "words of a request are separated by single spaces");
			return CONTROL_BAD_REQUEST;
		}
		if (nw == MAX_WORDS) {
			snprintf(msg, msglen, "too many words in the request");
			return CONTROL_BAD_REQUEST;
		}
		w[nw] = line + i;
		wl[nw++] = end - i;
		i = sp ? end + 1 : len;
	}

	int v = control_verb_find(w[0], wl[0]);

	if (v < 0)
		return bad(msg, msglen, "unknown request \"%.*s\"", w[0], wl[0]);
	r->verb = (enum control_verb)v;
	enum control_args args = control_verb_args(r->verb);
	const char *word = control_verb_word(r->verb);

	size_t want_min = 1, want_max = 1;
	switch (args) {
	case CONTROL_ARGS_NONE:
		break;
	case CONTROL_ARGS_UNIT_OPT:
		want_max = 2;
		break;
	case CONTROL_ARGS_UNIT:
		want_min = want_max = 2;
		break;
	case CONTROL_ARGS_LOGS:
	case CONTROL_ARGS_KILL:
		want_min = want_max = 4;
		break;
	}
	if (nw < want_min) {
		snprintf(msg, msglen, "%s: which unit?", word);
		return CONTROL_BAD_REQUEST;
	}
	if (nw > want_max) {
		snprintf(msg, msglen, "%s: too many arguments", word);
		return CONTROL_BAD_REQUEST;
	}
	if (nw >= 2) {
		char name[UNIT_NAME_MAX + 8];

		if (wl[1] >= sizeof name)
			return bad(msg, msglen, "\"%.*s\" is not a unit name", w[1], wl[1]);
		memcpy(name, w[1], wl[1]);
		name[wl[1]] = '\0';
		if (unit_name_normalize(name, r->unit) < 0)
			return bad(msg, msglen, "\"%.*s\" is not a unit name", w[1], wl[1]);
		r->has_unit = true;
	}
	if (args == CONTROL_ARGS_LOGS) {
		if (!parse_count(w[2], wl[2], &r->lines))
			return bad(msg, msglen, "logs: \"%.*s\" is not a line count", w[2], wl[2]);
		if (word_is(w[3], wl[3], "1"))
			r->follow = true;
		else if (!word_is(w[3], wl[3], "0"))
			return bad(msg, msglen, "logs: follow is 0 or 1, not \"%.*s\"", w[3], wl[3]);
	}
	if (args == CONTROL_ARGS_KILL) {
		unsigned long sig;

		if (!parse_count(w[2], wl[2], &sig) || sig < 1 || sig > 64)
			return bad(msg, msglen, "kill: \"%.*s\" is not a signal number (1-64)", w[2],
				   wl[2]);
		r->signo = (int)sig;
		if (word_is(w[3], wl[3], "all"))
			r->all = true;
		else if (!word_is(w[3], wl[3], "main"))
			return bad(msg, msglen, "kill: whom is main or all, not \"%.*s\"", w[3], wl[3]);
	}
	return 0;
}
