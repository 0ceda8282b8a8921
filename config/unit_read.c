/* Reading unit files: the file and its drop-ins (through rfile: regular
 * files only, never a blocking open), within one byte budget; logical
 * lines for inih.
 *
 * inih tracks sections and calls us once per key, but it reads lines of at
 * most 200 bytes and takes " ;" inside a value as a comment. So inih is fed
 * through our own reader: it joins systemd's backslash continuations,
 * rejects malformed lines with a precise message, and hands inih each
 * "Key=Value" line as "Key=@" while keeping the real value, untouched and
 * of any length, for the handler. The line number of every message is the
 * line the logical line started on. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../lib/rfile.h"
#include "unit.h"
#include "unit_parse.h"

/* [Install] is systemd's: its keys are read and ignored (unit_compat.c) */
static const char *const sections[] = { "Unit", "Service", "Sandbox", "Resources", "Install" };

struct reader {
	struct parse *p;
	const char *pos, *end;
	int next_line;
	char *logical;             /* the current logical line */
	size_t logical_cap;
};

/* Doubling: a logical line made of many continuation lines costs linear
 * time, not a copy of the line so far per piece. */
static bool grow(struct reader *r, size_t need)
{
	size_t cap = r->logical_cap ? r->logical_cap : 256;

	if (need <= r->logical_cap)
		return true;
	while (cap < need)
		cap *= 2;
	char *n = realloc(r->logical, cap);
	if (!n)
		return false;
	r->logical = n;
	r->logical_cap = cap;
	return true;
}

/* Next logical line into r->logical (backslash continuations joined with a
 * blank, as systemd does); false at the end of the text. */
static bool next_logical(struct reader *r)
{
	size_t n = 0;
	bool more = true;

	if (r->pos >= r->end)
		return false;
	r->p->line = r->next_line;
	while (more && r->pos < r->end) {
		const char *eol = memchr(r->pos, '\n', (size_t)(r->end - r->pos));
		size_t len = eol ? (size_t)(eol - r->pos) : (size_t)(r->end - r->pos);
		const char *line = r->pos;

		r->pos += len + (eol ? 1 : 0);
		r->next_line++;
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		/* a comment line inside a continuation is skipped, as in systemd */
		if (n && (line[0] == '#' || line[0] == ';'))
			continue;
		more = len && line[len - 1] == '\\';
		if (more)
			len--;
		if (!grow(r, n + len + 2)) {
			unit_oom(r->p);
			return false;
		}
		memcpy(r->logical + n, line, len);
		n += len;
		if (more)
			r->logical[n++] = ' ';
	}
	r->logical[n] = '\0';
	return true;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static bool known_section(const char *name)
{
	for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
		if (strcmp(name, sections[i]) == 0)
			return true;
	return false;
}

static bool key_name_ok(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') ||
		      (*k >= '0' && *k <= '9') || *k == '_' || *k == '-' || *k == '.'))
			return false;
	return true;
}

/* inih's ini_reader: hand over one checked, simplified line. */
static char *feed_inih(char *str, int num, void *stream)
{
	struct reader *r = stream;
	struct parse *p = r->p;

	if (p->d->count - p->errors_before >= UNIT_PROBLEMS_MAX)
		unit_give_up(p);
	if (p->oom || p->gave_up || !next_logical(r))
		return NULL;
	str[0] = '\0';
	char *l = trim(r->logical);

	if (!*l || *l == '#' || *l == ';')
		return str;
	if (*l == '[') {
		char *close = strchr(l, ']');

		if (!close || close[1]) {
			diag_at(p->d, p->file, p->line, NULL, NULL,
				"\"%s\": a section header is [Name] alone on its line", l);
			p->section_bad = true;
			return str;
		}
		*close = '\0';
		p->section = NULL;
		p->section_bad = !known_section(l + 1);
		if (p->section_bad) {
			diag_at(p->d, p->file, p->line, l + 1, NULL,
				"unknown section (Unit, Service, Sandbox, Resources or Install)");
			return str;
		}
		snprintf(str, (size_t)num, "[%s]\n", l + 1);
		p->section = NULL;
		for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
			if (strcmp(l + 1, sections[i]) == 0)
				p->section = sections[i];
		return str;
	}
	char *eq = strchr(l, '=');
	if (!eq) {
		diag_at(p->d, p->file, p->line, NULL, NULL,
			"\"%s\": expected Key=Value, [Section] or a # comment", l);
		return str;
	}
	*eq = '\0';
	char *key = trim(l);
	if (!key_name_ok(key) || strlen(key) + 4 > (size_t)num) {
		diag_at(p->d, p->file, p->line, NULL, NULL, "\"%s\" is not a key name", key);
		return str;
	}
	if (p->section_bad)
		return str;   /* already reported: the section is unknown */
	if (!p->section) {
		diag_at(p->d, p->file, p->line, NULL, key,
			"outside of any section; put it under [Unit], [Service], [Sandbox] or [Resources]");
		return str;
	}
	p->value = trim(eq + 1);
	snprintf(str, (size_t)num, "%s=@\n", key);
	return str;
}

int unit_read_text(struct parse *p, const char *file, const char *text, size_t len)
{
	struct reader r = { .p = p, .pos = text, .end = text + len, .next_line = 1 };

	p->file = arena_strdup(&p->s->arena, file);
	if (!p->file) {
		unit_oom(p);
		return -1;
	}
	if (memchr(text, '\0', len)) {
		diag_at(p->d, p->file, 0, NULL, NULL, "contains a NUL byte; not a text file");
		return -1;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		r.pos += 3;
	/* FNV-1a over names and contents: `reload` restarts a unit only when
	 * something it was read from changed. */
	uint64_t h = p->s->source_hash ? p->s->source_hash : 14695981039346656037ull;
	for (const char *c = file; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 1099511628211ull;
	p->s->source_hash = h;
	memset(p->seen, 0, sizeof p->seen);
	p->section = NULL;
	p->section_bad = false;
	/* Our reader reports every malformed line itself, so inih's own
	 * return value (the first line it disliked) carries nothing new. */
	ini_parse_stream(feed_inih, &r, unit_on_key, p);
	free(r.logical);
	return p->oom || p->gave_up ? -1 : 0;
}

/* `sandboxctl check --root DIR`: a unit folder or file under DIR is the
 * image's, and is read inside it (RESOLVE_IN_ROOT), so that an absolute
 * symlink of the image (/etc/sandboxd -> /etc/...) points into the image,
 * never at the build host's files, as every other path of the check. */
static int image_fd = -1;
static const char *image_dir;

void unit_read_set_image(int dirfd, const char *dir)
{
	image_fd = dirfd;
	image_dir = dir;
}

/* path inside the image ("/etc/sandboxd/x.unit"), or NULL: not under it */
static const char *in_image(const char *path)
{
	size_t n = image_fd >= 0 ? strlen(image_dir) : 0;

	while (n > 1 && image_dir[n - 1] == '/')
		n--;
	if (image_fd < 0 || strncmp(path, image_dir, n) != 0 || path[n] != '/')
		return NULL;
	return path + n;
}

DIR *unit_opendir(const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = in_image(path);
	DIR *dp;
	int fd;

	if (!rel)
		return opendir(path);
	fd = (int)syscall(SYS_openat2, image_fd, rel, &how, sizeof how);
	if (fd < 0)
		return NULL;
	if (!(dp = fdopendir(fd)))
		close(fd);
	return dp;
}

/* Everything a unit reads counts against one budget, so that drop-ins
 * cannot multiply the cap of the file: 256 drop-ins of 1 MiB each would
 * otherwise be 256 MiB of text for PID 1 to hold and parse. */
int unit_read_file(struct parse *p, const char *path)
{
	struct rfile f;
	const char *rel = in_image(path);
	int rc;

	if (rfile_read(rel ? image_fd : AT_FDCWD, rel ? rel : path,
		       rel ? RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS : 0, UNIT_BYTES_MAX - p->bytes,
		       &f) < 0) {
		if (f.errnum == ENOMEM)
			unit_oom(p);
		else if (f.errnum)
			diag_at(p->d, path, 0, NULL, NULL, "cannot read: %s", strerror(f.errnum));
		else if (strcmp(f.why, "too large") == 0 && p->bytes) {
			diag_at(p->d, path, 0, NULL, NULL,
				"the unit and its drop-ins are larger than 1 MiB together; "
				"no further drop-in is read");
			p->gave_up = true;
		} else if (strcmp(f.why, "too large") == 0)
			diag_at(p->d, path, 0, NULL, NULL, "larger than 1 MiB");
		else
			diag_at(p->d, path, 0, NULL, NULL, "%s", f.why);
		return -1;
	}
	p->bytes += f.len;
	rc = unit_read_text(p, path, f.text, f.len);
	free(f.text);
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* NAME.unit.d/ *.conf in lexical order, as systemd applies drop-ins. */
void unit_read_dropins(struct parse *p, const char *unit_path)
{
	char dir[4096], path[4096 + 256];
	char *names[UNIT_DROPINS_MAX];
	size_t n = 0;
	DIR *dp;
	struct dirent *de;

	if ((size_t)snprintf(dir, sizeof dir, "%s.d", unit_path) >= sizeof dir)
		return;
	dp = unit_opendir(dir);
	if (!dp) {
		if (errno != ENOENT)
			diag_at(p->d, dir, 0, NULL, NULL, "cannot read drop-ins: %s", strerror(errno));
		return;
	}
	while ((de = readdir(dp))) {
		size_t len = strlen(de->d_name);

		if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0 || de->d_name[0] == '.')
			continue;
		if (n == UNIT_DROPINS_MAX) {
			diag_at(p->d, dir, 0, NULL, NULL, "more than %d drop-ins", UNIT_DROPINS_MAX);
			break;
		}
		if (!(names[n] = arena_strdup(&p->s->arena, de->d_name))) {
			unit_oom(p);
			break;
		}
		n++;
	}
	closedir(dp);
	qsort(names, n, sizeof *names, cmp_name);
	for (size_t i = 0; i < n && !p->oom && !p->gave_up; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unit_read_file(p, path);
	}
}

