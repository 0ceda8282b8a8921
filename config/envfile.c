/* EnvironmentFile= contents (envfile.h): a byte-at-a-time state machine
 * with systemd's states, writing KEY=VALUE into one bounded buffer on the
 * stack. The text comes from a file in a unit's image: nothing in it can
 * make this read or write out of bounds, and every odd byte sequence ends
 * as a skipped assignment, never as a failure of the whole file. */
#include "envfile.h"

#include <stdbool.h>
#include <stdint.h>

enum state {
	PRE_KEY, KEY, PRE_VALUE, VALUE, VALUE_ESCAPE, SQUOTE, DQUOTE, DQUOTE_ESCAPE,
	COMMENT, COMMENT_ESCAPE,
};

struct entry {
	char buf[ENVFILE_ENTRY_MAX + 1];
	size_t n;
	size_t key_blank;     /* where trailing blanks of the key start; SIZE_MAX: none */
	size_t value_blank;   /* the same for an unquoted value */
	bool bad;             /* NUL byte, or too long */
};

static bool is_newline(char c)
{
	return c == '\n' || c == '\r';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || is_newline(c);
}

static void put(struct entry *e, char c)
{
	if (c == '\0' || e->n >= ENVFILE_ENTRY_MAX)
		e->bad = true;
	else
		e->buf[e->n++] = c;
}

static bool name_ok(const char *k, size_t n)
{
	if (n == 0 || (k[0] >= '0' && k[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = k[i];

		if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

/* Well-formed UTF-8: no overlong forms, no surrogates, at most U+10FFFF. */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			len = 2, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			len = 3, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			len = 4, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (n - i < len)
			return false;
		for (size_t j = 1; j < len; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* The assignment is complete: hand it over or count it as skipped. */
static int emit(struct entry *e, size_t key_len, bool chomp,
		void (*add)(void *, const char *, size_t), void *ctx)
{
	if (chomp && e->value_blank != SIZE_MAX)
		e->n = e->value_blank;
	e->buf[e->n] = '\0';
	if (e->bad || !name_ok(e->buf, key_len) ||
	    !utf8_ok((const unsigned char *)e->buf, e->n))
		return 1;
	add(ctx, e->buf, e->n);
	return 0;
}

int envfile_parse(const char *text, size_t len,
		  void (*add)(void *ctx, const char *kv, size_t kvlen), void *ctx)
{
	struct entry e;
	enum state st = PRE_KEY;
	size_t key_len = 0;
	int skipped = 0;

	e.n = 0;
	e.bad = false;
	e.key_blank = e.value_blank = SIZE_MAX;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		switch (st) {
		case PRE_KEY:
			if (c == '#' || c == ';') {
				st = COMMENT;
			} else if (!is_blank(c)) {
				st = KEY;
				e.n = 0;
				e.bad = false;
				e.key_blank = SIZE_MAX;
				put(&e, c);
			}
			break;
		case KEY:
			if (is_newline(c)) {          /* no "=": not an assignment */
				st = PRE_KEY;
			} else if (c == '=') {
				if (e.key_blank != SIZE_MAX)
					e.n = e.key_blank;
				key_len = e.n;
				put(&e, '=');
				e.value_blank = SIZE_MAX;
				st = PRE_VALUE;
			} else {
				if (!is_blank(c))
					e.key_blank = SIZE_MAX;
				else if (e.key_blank == SIZE_MAX)
					e.key_blank = e.n;
				put(&e, c);
			}
			break;
		case PRE_VALUE:
			if (is_newline(c)) {
				skipped += emit(&e, key_len, false, add, ctx);
				st = PRE_KEY;
			} else if (c == '\'') {
				st = SQUOTE;
			} else if (c == '"') {
				st = DQUOTE;
			} else if (c == '\\') {
				st = VALUE_ESCAPE;
			} else if (!is_blank(c)) {
				put(&e, c);
				st = VALUE;
			}
			break;
		case VALUE:
			if (is_newline(c)) {
				skipped += emit(&e, key_len, true, add, ctx);
				st = PRE_KEY;
			} else if (c == '\\') {
				e.value_blank = SIZE_MAX;
				st = VALUE_ESCAPE;
			} else {
				if (!is_blank(c))
					e.value_blank = SIZE_MAX;
				else if (e.value_blank == SIZE_MAX)
					e.value_blank = e.n;
				put(&e, c);
			}
			break;
		case VALUE_ESCAPE:
			if (!is_newline(c))       /* backslash-newline: continued */
				put(&e, c);
			st = VALUE;
			break;
		case SQUOTE:
			if (c == '\'')
				st = PRE_VALUE;
			else
				put(&e, c);
			break;
		case DQUOTE:
			if (c == '"')
				st = PRE_VALUE;
			else if (c == '\\')
				st = DQUOTE_ESCAPE;
			else
				put(&e, c);
			break;
		case DQUOTE_ESCAPE:
			/* as a shell's double quotes: only these lose the backslash */
			if (c == '"' || c == '\\' || c == '`' || c == '$') {
				put(&e, c);
			} else if (c != '\n') {
				put(&e, '\\');
				put(&e, c);
			}
			st = DQUOTE;
			break;
		case COMMENT:
			if (c == '\\')
				st = COMMENT_ESCAPE;
			else if (is_newline(c))
				st = PRE_KEY;
			break;
		case COMMENT_ESCAPE:
			st = COMMENT;
			break;
		}
	}
	/* the last line needs no newline; an open quote ends with the text */
	if (st != PRE_KEY && st != KEY && st != COMMENT && st != COMMENT_ESCAPE)
		skipped += emit(&e, key_len, st == VALUE, add, ctx);
	return skipped;
}
