#include "ids.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DB_MAX (4u << 20)

struct db {
	char *text;             /* NUL-terminated; NULL if unreadable */
	int errnum;
	const char *path;       /* for messages */
};

static int open_in_root(const char *root, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return -1;
	int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
	int saved = errno;
	close(rootfd);
	errno = saved;
	return fd;
}

static void db_load(struct db *db, struct spec *s, const char *rel)
{
	const char *root = s->root ? s->root : "/";
	int fd = open_in_root(root, rel);
	size_t n = 0, cap = 4096;

	db->text = NULL;
	db->path = arena_printf(&s->arena, "%s%s%s", s->root ? s->root : "",
				"/", rel);
	if (!db->path)
		db->path = rel;
	if (fd < 0) {
		db->errnum = errno;
		return;
	}
	char *buf = malloc(cap);
	while (buf) {
		ssize_t got;

		if (n + 1 >= cap) {
			char *b = cap < DB_MAX ? realloc(buf, cap * 2) : NULL;
			if (!b) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
			buf = b;
			cap *= 2;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got < 0) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		n += (size_t)got;
	}
	db->errnum = buf ? 0 : (errno ? errno : ENOMEM);
	close(fd);
	if (buf)
		buf[n] = '\0';
	db->text = buf;
}

/* Find the line whose field `match_field` equals key (a name or a number
 * as text) and copy field `want` out as a number. */
static int db_lookup(const struct db *db, const char *key, int match_field, int want,
		     unsigned long *out)
{
	for (const char *line = db->text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *f[4] = { line, NULL, NULL, NULL };
		size_t flen[4] = { 0 };
		int nf = 0;

		for (const char *c = line; nf < 4 && c <= line + len; c++) {
			if (c == line + len || *c == ':') {
				flen[nf] = (size_t)(c - f[nf]);
				if (++nf < 4)
					f[nf] = c + 1;
			}
		}
		if (nf >= 3 && line[0] != '#' && strlen(key) == flen[match_field] &&
		    strncmp(f[match_field], key, flen[match_field]) == 0) {
			char *end;
			unsigned long v = strtoul(f[want], &end, 10);

			if (end != f[want] && end == f[want] + flen[want]) {
				*out = v;
				return 0;
			}
		}
		line = eol ? eol + 1 : line + len;
	}
	return -1;
}

static void unresolved(struct diag *d, const struct loc *at, const char *key,
		       const char *what, const char *name, const struct db *db)
{
	if (!db->text)
		diag_at(d, at->file, at->line, "Service", key,
			"cannot resolve %s \"%s\": %s: %s", what, name, db->path, strerror(db->errnum));
	else
		diag_at(d, at->file, at->line, "Service", key,
			"unknown %s \"%s\" (not in %s)", what, name, db->path);
}

int ids_resolve(struct spec *s, struct diag *d)
{
	struct db passwd = { 0 }, group = { 0 };
	unsigned before = d->count;
	unsigned long v;
	char num[24];

	db_load(&passwd, s, "etc/passwd");
	if (s->user_name) {
		if (db_lookup(&passwd, s->user_name, 0, 2, &v) < 0)
			unresolved(d, &s->user_loc, "User", "user", s->user_name, &passwd);
		else
			s->uid = (uid_t)v;
	}
	/* With no Group=, the user's own primary group; a numeric user with no
	 * passwd entry gets the same number as gid rather than root's group. */
	if (!s->group_loc.line) {
		snprintf(num, sizeof num, "%lu", (unsigned long)s->uid);
		s->gid = db_lookup(&passwd, num, 2, 3, &v) == 0 ? (gid_t)v : (gid_t)s->uid;
	}
	if (s->group_name || s->supp_group_names.n)
		db_load(&group, s, "etc/group");
	if (s->group_name) {
		if (db_lookup(&group, s->group_name, 0, 2, &v) < 0)
			unresolved(d, &s->group_loc, "Group", "group", s->group_name, &group);
		else
			s->gid = (gid_t)v;
	}
	s->n_groups = 0;
	for (size_t i = 0; i < s->supp_group_names.n && s->n_groups < SPEC_MAX_GROUPS; i++) {
		const char *g = s->supp_group_names.v[i];

		if (g[0] >= '0' && g[0] <= '9')
			s->groups[s->n_groups++] = (gid_t)strtoul(g, NULL, 10);
		else if (db_lookup(&group, g, 0, 2, &v) == 0)
			s->groups[s->n_groups++] = (gid_t)v;
		else
			unresolved(d, &s->supp_loc, "SupplementaryGroups", "group", g, &group);
	}
	free(passwd.text);
	free(group.text);
	return d->count == before ? 0 : -1;
}
