/* Exact little parsers for the kernel's text files: see scan.h. */
#include "scan.h"

#include <limits.h>
#include <string.h>

#include "procfs.h"

static bool is_blank(char c)
{
	return c != '\0' && strchr(" \t\n\v\f\r", c) != NULL;
}

static const char *skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

bool scan_u64(const char **s, uint64_t *v)
{
	const char *p = skip_blanks(*s);
	uint64_t n = 0;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*v = n;
	*s = p;
	return true;
}

bool scan_word_end(const char *p)
{
	return *p == '\0' || is_blank(*p);
}

const char *scan_skip(const char *s, unsigned n)
{
	for (; n > 0; n--) {
		s = skip_blanks(s);
		if (*s == '\0')
			return NULL;
		while (!scan_word_end(s))
			s++;
	}
	return s;
}

size_t scan_word(const char **s, char *out, size_t size)
{
	const char *p = skip_blanks(*s), *w = p;
	size_t len, keep;

	while (!scan_word_end(p))
		p++;
	len = (size_t)(p - w);
	keep = len < size - 1 ? len : size - 1;
	memcpy(out, w, keep);
	out[keep] = '\0';
	*s = p;
	return len;
}

/* A mount id: a whole word that fits a long. */
static bool scan_id(const char **p, long *id)
{
	uint64_t v;

	if (!scan_u64(p, &v) || !scan_word_end(*p) || v > LONG_MAX)
		return false;
	*id = (long)v;
	return true;
}

bool scan_mountinfo_line(const char *line, struct scan_mount *m)
{
	const char *dash = strstr(line, " - "), *p = line;

	if (!dash || !scan_id(&p, &m->id) || !scan_id(&p, &m->parent))
		return false;
	p = scan_skip(p, 2);   /* MAJ:MIN and ROOT */
	/* the mount point must come before the separator */
	if (!p || p >= dash || scan_word(&p, m->mp, sizeof m->mp) == 0)
		return false;
	p = dash + 3;
	if (scan_word(&p, m->type, sizeof m->type) == 0)
		return false;
	mountinfo_unescape(m->mp);
	return true;
}
