#include "words.h"

#include <stdbool.h>
#include <string.h>

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One escape after a backslash at *p; the decoded byte goes to *out. */
static int unescape(const char **p, char *out)
{
	static const char from[] = "\\\"' ntrabfv";
	static const char to[] = "\\\"' \n\t\r\a\b\f\v";
	char c = **p;
	const char *hit;

	if (c == 'x') {
		int hi = hex_val((*p)[1]), lo = hi < 0 ? -1 : hex_val((*p)[2]);

		if (lo < 0 || (hi == 0 && lo == 0))
			return -1;
		*out = (char)(hi * 16 + lo);
		*p += 3;
		return 0;
	}
	if (!c || !(hit = strchr(from, c)))
		return -1;
	*out = to[hit - from];
	(*p)++;
	return 0;
}

int words_split(struct arena *a, const char *text, size_t max, struct strv *sv,
		const char **why)
{
	size_t count = 0;

	size_t len = strlen(text);
	char *buf = arena_alloc(a, len + 1);   /* a word is never longer than the text */

	if (!buf) {
		*why = "out of memory";
		return -1;
	}
	const char *p = text;
	for (;;) {
		size_t n = 0;
		bool in_word = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return 0;
		while (*p && *p != ' ' && *p != '\t') {
			in_word = true;
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');

				if (!end) {
					*why = "unterminated single quote";
					return -1;
				}
				memcpy(buf + n, p + 1, (size_t)(end - p - 1));
				n += (size_t)(end - p - 1);
				p = end + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\') {
						p++;
						if (unescape(&p, &buf[n++]) < 0) {
							*why = "bad backslash escape";
							return -1;
						}
					} else {
						buf[n++] = *p++;
					}
				}
				if (*p != '"') {
					*why = "unterminated double quote";
					return -1;
				}
				p++;
			} else if (*p == '\\') {
				p++;
				if (unescape(&p, &buf[n++]) < 0) {
					*why = "bad backslash escape";
					return -1;
				}
			} else {
				buf[n++] = *p++;
			}
		}
		if (in_word) {
			if (++count > max) {
				*why = "too many words in one value";
				return -1;
			}
			char *w = arena_strndup(a, buf, n);

			if (!w || strv_push(a, sv, w) < 0) {
				*why = "out of memory";
				return -1;
			}
		}
	}
}
