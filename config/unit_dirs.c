/* RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=,
 * ConfigurationDirectory=, their ...DirectoryMode= and
 * RuntimeDirectoryPreserve=, and ReadWritePaths=, InaccessiblePaths=,
 * NoExecPaths=, ExecPaths= (systemd.exec(5)), in [Service] as Debian's
 * .service files have them and in [Sandbox]. The launch child creates the
 * folders (sandbox/execdirs.c); here only the names are checked: relative,
 * clean (no ".", "..", empty component or ":LINK" form), and never one of
 * PID 1's own folders. The paths are mounts (rootfs/mounts.c,
 * rootfs/execpaths.c). */
#include <stddef.h>
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

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (!path[n] || path[n] == '/');
}

/* The path keys: absolute, clean; "-" (missing: skipped) kept in the
 * string; systemd's "+" (relative to RootDirectory=) is what a path here
 * always is with a root, so it is refused rather than read twice. */
void unit_set_exec_paths(struct parse *p, const struct key_def *k, const char *v)
{
	bool masks = strcmp(k->name, "InaccessiblePaths") == 0;
	struct strv *sv = masks ? &p->s->masked_paths : unit_field(p, k), words = { 0 };
	const char *why;

	if (!*v) {
		/* masked_paths holds the defaults too: no reset of those */
		if (masks)
			unit_bad(p, k, "an empty value (a reset) is not supported");
		else
			strv_clear(sv);
		return;
	}
	if (!unit_split(p, k, v, &words))
		return;
	p->paths_loc = unit_here(p);
	for (size_t i = 0; i < words.n; i++) {
		const char *w = words.v[i], *path = w + (w[0] == '-');

		if (path[0] == '+') {
			unit_bad(p, k, "\"%s\": the \"+\" prefix is not supported (with "
				 "RootDirectory= every path is inside it)", w);
			continue;
		}
		if ((why = unit_path_problem(path))) {
			unit_bad(p, k, "\"%s\": %s", w, why);
			continue;
		}
		/* re-allowing exec on the sandbox's own kernel and device
		 * file systems is never wanted (/proc/self/exe ...) */
		if (k->off == offsetof(struct spec, exec_paths) &&
		    (under(path, "/proc") || under(path, "/sys") || under(path, "/dev"))) {
			unit_bad(p, k, "\"%s\": not under /proc, /sys or /dev", w);
			continue;
		}
		if (masks) {
			/* a mask of a missing path is nothing already */
			if (unit_list_add(p, k, sv, &p->masked_set, path, UNIT_PATHS_MAX, "paths",
					  false) < 0)
				return;
			p->masked_loc = unit_here(p);
		} else if (!strv_contains(sv, w)) {
			if (sv->n >= UNIT_PATHS_MAX) {
				unit_bad(p, k, "more than %d paths", UNIT_PATHS_MAX);
				return;
			}
			if (strv_push(&p->s->arena, sv, w) < 0) {
				unit_oom(p);
				return;
			}
		}
	}
}

void unit_dirs_finish(struct parse *p)
{
	static const char *const pid1[] = { CONFIG_RUN_DIR, CONFIG_UNIT_DIR };
	struct spec *s = p->s;

	if (!(s->namespaces & NS_BIT(NS_MOUNT)) && p->paths_loc.line &&
	    (s->readwrite_paths.n || s->noexec_paths.n || s->exec_paths.n))
		diag_at(p->d, p->paths_loc.file, p->paths_loc.line, NULL, NULL,
			"ReadWritePaths=, NoExecPaths= and ExecPaths= need the mount namespace "
			"(see Namespaces=)");

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
