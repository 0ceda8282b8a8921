/* RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=,
 * ConfigurationDirectory=, their ...DirectoryMode= and
 * RuntimeDirectoryPreserve= (systemd.exec(5)), in [Service] as Debian's
 * .service files have them and in [Sandbox]. The launch child creates the
 * folders (sandbox/execdirs.c); here only the names are checked: relative,
 * clean (no ".", "..", empty component or ":LINK" form), and never one of
 * PID 1's own folders. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "execdir.h"
#include "unit_parse.h"
#include "values.h"

/* NULL, or what is wrong with one name */
static const char *dir_name_problem(const char *v)
{
	const char *c = v;

	if (!*v)
		return "empty";
	if (*v == '/')
		return "not a relative path";
	if (strchr(v, ':'))
		return "the NAME:LINK form (a symlink to the folder) is not supported";
	if (strlen(v) >= 1024)
		return "path too long";
	while (*c) {
		const char *s = c;

		while (*c && *c != '/')
			c++;
		if (c == s)
			return "empty path component";
		if ((c - s == 1 && s[0] == '.') || (c - s == 2 && s[0] == '.' && s[1] == '.'))
			return "\".\" and \"..\" components are not allowed";
		for (; s < c; s++)
			if ((unsigned char)*s < 0x20)
				return "control characters are not allowed";
		if (*c == '/' && !*++c)
			return "empty path component";
	}
	return NULL;
}

static size_t dirs_total(const struct spec *s)
{
	size_t n = 0;

	for (int i = 0; i < EXEC_DIR_COUNT; i++)
		n += s->dirs[i].names.n;
	return n;
}

/* arg = enum exec_dir_kind */
void unit_set_exec_dirs(struct parse *p, const struct key_def *k, const char *v)
{
	struct exec_dirs *d = &p->s->dirs[k->arg];
	struct strv words = { 0 };
	const char *why;

	if (!*v) {
		strv_clear(&d->names);
		return;
	}
	if (!unit_split(p, k, v, &words))
		return;
	d->loc = unit_here(p);
	for (size_t i = 0; i < words.n; i++) {
		if ((why = dir_name_problem(words.v[i]))) {
			unit_bad(p, k, "\"%s\": %s", words.v[i], why);
			continue;
		}
		if (strv_contains(&d->names, words.v[i]))
			continue;
		if (dirs_total(p->s) >= EXEC_DIRS_MAX) {
			unit_bad(p, k, "more than %d directories (RuntimeDirectory= ... "
				 "ConfigurationDirectory= together)", EXEC_DIRS_MAX);
			return;
		}
		if (strv_push(&p->s->arena, &d->names, words.v[i]) < 0) {
			unit_oom(p);
			return;
		}
	}
}

/* arg = enum exec_dir_kind; systemd's default 0755 */
void unit_set_exec_dir_mode(struct parse *p, const struct key_def *k, const char *v)
{
	unsigned m = 0;

	if (!*v) {
		p->s->dirs[k->arg].mode = 0755;
		return;
	}
	for (const char *c = v; *c; c++)
		m = *c >= '0' && *c <= '7' && m <= 07777 ? m * 8 + (unsigned)(*c - '0') : ~0u;
	if (strlen(v) > 5 || m > 07777)
		unit_bad(p, k, "\"%s\" is not an octal mode", v);
	else
		p->s->dirs[k->arg].mode = (mode_t)m;
}

void unit_set_runtime_preserve(struct parse *p, const struct key_def *k, const char *v)
{
	bool b;

	if (!*v)
		p->s->runtime_preserve = EXEC_PRESERVE_NO;
	else if (strcmp(v, "restart") == 0)
		p->s->runtime_preserve = EXEC_PRESERVE_RESTART;
	else if (parse_bool(v, &b) == 0)
		p->s->runtime_preserve = b ? EXEC_PRESERVE_YES : EXEC_PRESERVE_NO;
	else
		unit_bad(p, k, "\"%s\" is not yes, no or restart", v);
}

/* Whether a (a folder) is b or holds it, or b holds a: "/run/sandboxd"
 * and "/run/sandboxd/units", "/run" and "/run/sandboxd". */
static bool nested(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), n = na < nb ? na : nb;

	return strncmp(a, b, n) == 0 && (na == nb || (na < nb ? b[n] : a[n]) == '/');
}

void unit_dirs_finish(struct parse *p)
{
	static const char *const pid1[] = { CONFIG_RUN_DIR, CONFIG_UNIT_DIR };
	struct spec *s = p->s;

	for (int k = 0; k < EXEC_DIR_COUNT; k++) {
		const struct exec_dirs *d = &s->dirs[k];

		char key[32];

		snprintf(key, sizeof key, "%sDirectory", exec_dir_key((enum exec_dir_kind)k));
		for (size_t i = 0; i < d->names.n; i++) {
			char path[1200];

			snprintf(path, sizeof path, "%s/%s", exec_dir_base((enum exec_dir_kind)k),
				 d->names.v[i]);
			for (size_t j = 0; j < sizeof pid1 / sizeof *pid1; j++)
				if (nested(path, pid1[j]))
					diag_at(p->d, d->loc.file, d->loc.line, NULL, key,
						"\"%s\": %s is, holds or is inside PID 1's own "
						"folder %s", d->names.v[i], path, pid1[j]);
		}
	}
}
