#include "ids.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../lib/rfile.h"
#include "strset.h"

#define DB_MAX (4u << 20)

static bool at_load = true;
static int image_fd = -1;
static const char *image_dir;

void ids_set_image_root(int dirfd, const char *dir)
{
	image_fd = dirfd;
	image_dir = dir;
}

void ids_set_resolve_at_load(bool on)
{
	at_load = on;
}

bool ids_resolve_at_load(void)
{
	return at_load;
}

struct db {
	char *text;             /* NUL-terminated; NULL if unreadable */
	int errnum;
	const char *why;        /* when errnum is 0: what was wrong with the file */
	const char *path;       /* for messages */
};

/* The root itself is opened without following a symlink anywhere on its
 * path, as the launcher opens it; then the file is resolved inside it,
 * never leaving it (RESOLVE_IN_ROOT: "/" and ".." stop at the root, an
 * absolute symlink is taken relative to it; no /proc magic links). */
static void db_load(struct db *db, struct spec *s, const char *rel)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	const char *root = s->root ? s->root : "/";
	struct rfile f;
	int rootfd;

	*db = (struct db){ 0 };
	db->path = arena_printf(&s->arena, "%s%s/%s", image_fd >= 0 ? image_dir : "",
				s->root ? s->root : "", rel);
	if (!db->path)
		db->path = rel;
	if (image_fd >= 0)   /* the root inside the image, as the launcher will open it */
		how.resolve |= RESOLVE_IN_ROOT;
	rootfd = (int)syscall(SYS_openat2, image_fd >= 0 ? image_fd : AT_FDCWD, root, &how,
			      sizeof how);
	if (rootfd < 0) {
		db->errnum = errno;
		db->path = image_fd < 0 ? root : arena_printf(&s->arena, "%s%s", image_dir, root);
		if (!db->path)
			db->path = root;
		return;
	}
	if (rfile_read(rootfd, rel, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, DB_MAX, &f) < 0) {
		db->errnum = f.errnum;
		db->why = f.why;
	} else {
		db->text = f.text;
	}
	close(rootfd);
}

/* One pass over the file for every key of `keys` (names or numbers as
 * text, each inserted with its index i): the line whose field
 * `match_field` equals key i gives field `want` as a number in out[i], and
 * found[i] is set; the first such line wins. O(file + keys), however many
 * keys a unit asks for. */
static void db_lookup(const struct db *db, const struct strset *keys, int match_field, int want,
		      unsigned long *out, bool *found)
{
	for (const char *line = db->text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *f[4] = { line, NULL, NULL, NULL };
		size_t flen[4] = { 0 }, i;
		int nf = 0;

		for (const char *c = line; nf < 4 && c <= line + len; c++) {
			if (c == line + len || *c == ':') {
				flen[nf] = (size_t)(c - f[nf]);
				if (++nf < 4)
					f[nf] = c + 1;
			}
		}
		if (nf > want && line[0] != '#' &&
		    strset_get(keys, f[match_field], flen[match_field], &i) && !found[i]) {
			char *end;
			unsigned long v = strtoul(f[want], &end, 10);

			/* digits only (strtoul takes a sign and blanks: "-1"),
			 * and a valid id: (uid_t)-1 is "unchanged" to
			 * setresuid(2), 2^32 and up are cut to 32 bits (2^32 is
			 * uid 0); a numeric User= refuses them too */
			if (end != f[want] && end == f[want] + flen[want] &&
			    f[want][0] >= '0' && f[want][0] <= '9' && v < 4294967295ul) {
				out[i] = v;
				found[i] = true;
			}
		}
		line = eol ? eol + 1 : line + len;
	}
}

/* One key: 0 and *out, or -1. */
static int db_lookup_one(const struct db *db, const char *key, int match_field, int want,
			 unsigned long *out)
{
	struct strset keys = { 0 };
	bool found = false;

	if (strset_put(&keys, key, strlen(key), 0, NULL) < 0)
		return -1;
	db_lookup(db, &keys, match_field, want, out, &found);
	strset_clear(&keys);
	return found ? 0 : -1;
}

static void unresolved(struct diag *d, const struct loc *at, const char *key,
		       const char *what, const char *name, const struct db *db)
{
	if (!db->text)
		diag_at(d, at->file, at->line, "Service", key,
			"cannot resolve %s \"%s\": %s: %s", what, name, db->path,
			db->errnum ? strerror(db->errnum) : db->why);
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
		if (db_lookup_one(&passwd, s->user_name, 0, 2, &v) < 0)
			unresolved(d, &s->user_loc, "User", "user", s->user_name, &passwd);
		else
			s->uid = (uid_t)v;
	}
	/* With no Group=, the user's own primary group: a name's from its own
	 * line (not from another line with the same uid), a number's from the
	 * first line with it; a numeric user with no passwd entry gets the
	 * same number as gid rather than root's group. */
	if (!s->group_loc.line) {
		snprintf(num, sizeof num, "%lu", (unsigned long)s->uid);
		if (s->user_name)
			s->gid = db_lookup_one(&passwd, s->user_name, 0, 3, &v) == 0 ? (gid_t)v
										  : (gid_t)s->uid;
		else
			s->gid = db_lookup_one(&passwd, num, 2, 3, &v) == 0 ? (gid_t)v : (gid_t)s->uid;
	}
	if (s->group_name || s->supp_group_names.n)
		db_load(&group, s, "etc/group");
	/* Group= and every supplementary name in one pass: index 0 is Group=,
	 * i + 1 the i-th supplementary name (at most SPEC_MAX_GROUPS). */
	unsigned long gids[SPEC_MAX_GROUPS + 1];
	bool found[SPEC_MAX_GROUPS + 1] = { false };
	struct strset keys = { 0 };
	size_t n_supp = s->supp_group_names.n < SPEC_MAX_GROUPS ? s->supp_group_names.n
								 : SPEC_MAX_GROUPS;
	bool oom = s->group_name &&
		   strset_put(&keys, s->group_name, strlen(s->group_name), 0, NULL) < 0;

	for (size_t i = 0; i < n_supp && !oom; i++) {
		const char *g = s->supp_group_names.v[i];

		if (!(g[0] >= '0' && g[0] <= '9') && !strset_get(&keys, g, strlen(g), NULL))
			oom = strset_put(&keys, g, strlen(g), i + 1, NULL) < 0;
	}
	if (oom) {
		diag_at(d, s->path, 0, NULL, NULL, "out of memory");
	} else {
		db_lookup(&group, &keys, 0, 2, gids, found);
		if (s->group_name) {
			if (!found[0])
				unresolved(d, &s->group_loc, "Group", "group", s->group_name, &group);
			else
				s->gid = (gid_t)gids[0];
		}
	}
	s->n_groups = 0;
	/* only a unit with supplementary groups pays for them */
	if (n_supp && !oom && !s->groups) {
		s->groups = arena_alloc(&s->arena, SPEC_MAX_GROUPS * sizeof *s->groups);
		if (!s->groups) {
			oom = true;
			diag_at(d, s->path, 0, NULL, NULL, "out of memory");
		}
	}
	for (size_t i = 0; i < n_supp && !oom && s->n_groups < SPEC_MAX_GROUPS; i++) {
		const char *g = s->supp_group_names.v[i];
		size_t k = 0;

		if (g[0] >= '0' && g[0] <= '9')
			s->groups[s->n_groups++] = (gid_t)strtoul(g, NULL, 10);
		else if (strset_get(&keys, g, strlen(g), &k) && found[k])
			s->groups[s->n_groups++] = (gid_t)gids[k];
		else
			unresolved(d, &s->supp_loc, "SupplementaryGroups", "group", g, &group);
	}
	strset_clear(&keys);
	free(passwd.text);
	free(group.text);
	return d->count == before ? 0 : -1;
}
