/* Name resolution in the launch child. See userdb.h. */
#include "userdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../rootfs/mountapi.h"

#define DB_MAX (4u << 20)      /* as config/ids.c: larger is refused */
#define DB_LINE_MAX 1024       /* of a longer line, the fields in these */

/* The message of a failure (f->path), and the streaming buffers: .bss of
 * the child's copy. */
static char msg[400];
static char chunk[4096];
static char line[DB_LINE_MAX];

/* Bounded string building without stdio (the child's rule). */
static size_t put(char *buf, size_t size, size_t at, const char *str)
{
	while (str && *str && at + 1 < size)
		buf[at++] = *str++;
	buf[at] = '\0';
	return at;
}

static void utoa(unsigned long v, char *buf, size_t size)
{
	char tmp[24];
	size_t n = 0, at = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < sizeof tmp);
	while (n && at + 1 < size)
		buf[at++] = tmp[--n];
	buf[at] = '\0';
}

/* f = (step, "A B C D" joined into msg, errnum) */
static int failed(struct step_fail *f, const char *step, const char *a, const char *b,
		  const char *c, const char *d, int errnum)
{
	size_t at = put(msg, sizeof msg, 0, a);

	at = put(msg, sizeof msg, at, b);
	at = put(msg, sizeof msg, at, c);
	put(msg, sizeof msg, at, d);
	return step_failed(f, step, msg, errnum);
}

struct db {
	int fd;
	int errnum;            /* open failed: errno, or 0 with why */
	const char *why;
	char path[300];        /* ROOT/etc/passwd, for messages */
};

static void db_open(struct db *db, const char *root, const char *rel)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st, st2;
	char self[32];
	int rootfd, pathfd;

	db->fd = -1;
	db->errnum = 0;
	db->why = NULL;
	put(db->path, sizeof db->path, put(db->path, sizeof db->path,
					   put(db->path, sizeof db->path, 0, root), "/"), rel);
	rootfd = sys_openat2(AT_FDCWD, root ? root : "/", &how);
	if (rootfd < 0) {
		db->errnum = errno;
		return;
	}
	/* O_PATH opens nothing (a FIFO does not wait, no driver is called);
	 * only a regular file is reopened for reading, through that fd. */
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	pathfd = sys_openat2(rootfd, rel, &how);
	close(rootfd);
	if (pathfd < 0) {
		db->errnum = errno;
		return;
	}
	if (fstat(pathfd, &st) < 0) {
		db->errnum = errno;
	} else if (!S_ISREG(st.st_mode)) {
		db->why = "not a regular file";
	} else if ((unsigned long long)st.st_size > DB_MAX) {
		db->why = "too large";
	} else {
		char n[16];

		utoa((unsigned long)pathfd, n, sizeof n);
		put(self, sizeof self, put(self, sizeof self, 0, "/proc/self/fd/"), n);
		db->fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (db->fd < 0)
			db->errnum = errno;
		else if (fstat(db->fd, &st2) < 0 || st2.st_ino != st.st_ino ||
			 st2.st_dev != st.st_dev) {
			close(db->fd);
			db->fd = -1;
			db->why = "changed while being opened";
		}
	}
	close(pathfd);
}

static void db_close(struct db *db)
{
	if (db->fd >= 0)
		close(db->fd);
	db->fd = -1;
}

/* A line's first four ':' fields. */
struct fields {
	const char *f[4];
	size_t len[4];
	int n;
};

static bool field_is(const struct fields *x, int i, const char *s)
{
	return x->n > i && strlen(s) == x->len[i] && memcmp(x->f[i], s, x->len[i]) == 0;
}

/* Field i as a number, whole, and a valid id: below 4294967295, which is
 * (uid_t)-1, "leave it unchanged" to setresuid(2) (the launch child's
 * uid 0 would stay), as a numeric User= refuses it; 2^32 and up would be
 * cut to 32 bits (4294967296 is 0). A line with any other is no entry. */
static bool field_num(const struct fields *x, int i, unsigned long *v)
{
	unsigned long long n = 0;

	if (x->n <= i || x->len[i] == 0 || x->len[i] > 10)
		return false;
	for (size_t k = 0; k < x->len[i]; k++) {
		if (x->f[i][k] < '0' || x->f[i][k] > '9')
			return false;
		n = n * 10 + (unsigned long long)(x->f[i][k] - '0');
	}
	if (n >= 4294967295ull)
		return false;
	*v = (unsigned long)n;
	return true;
}

/* What one scan looks for: keys[i] in field `match`; field `want` of the
 * first line that has it into out[i]. */
struct scan {
	const char *const *keys;
	size_t n_keys;
	int match, want;
	unsigned long *out;
	bool *found;
	size_t left;
};

/* whole: l is the line's every byte; else only its first DB_LINE_MAX,
 * and a field counts only when its ':' is among them (a long GECOS or
 * member list after the fields we read is no reason to skip the line:
 * config/ids.c, `sandboxctl check`, reads it, and the two must agree). */
static void scan_line(struct scan *sc, const char *l, size_t len, bool whole)
{
	struct fields x = { .f = { l }, .n = 0 };
	unsigned long v;

	if (len == 0 || l[0] == '#')
		return;
	for (const char *c = l; x.n < 4 && c <= l + len; c++) {
		if ((c == l + len && whole) || (c < l + len && *c == ':')) {
			x.len[x.n] = (size_t)(c - x.f[x.n]);
			if (++x.n < 4)
				x.f[x.n] = c + 1;
		}
	}
	for (size_t i = 0; i < sc->n_keys; i++)
		if (!sc->found[i] && field_is(&x, sc->match, sc->keys[i]) &&
		    field_num(&x, sc->want, &v)) {
			sc->out[i] = v;
			sc->found[i] = true;
			sc->left--;
		}
}

/* One pass over the file from its start. 0, or -1 with errno. */
static int db_scan(const struct db *db, struct scan *sc)
{
	size_t ll = 0, total = 0;
	bool skip = false;
	ssize_t n;

	sc->left = sc->n_keys;
	for (size_t i = 0; i < sc->n_keys; i++)
		sc->found[i] = false;
	while (sc->left) {
		n = pread(db->fd, chunk, sizeof chunk, (off_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		total += (size_t)n;
		if (total > DB_MAX) {
			errno = EFBIG;
			return -1;
		}
		for (ssize_t i = 0; i < n && sc->left; i++) {
			if (chunk[i] == '\0') {
				/* the loader reads the file as a C string: a
				 * NUL ends its line and the file */
				if (ll)
					scan_line(sc, line, ll, !skip);
				return 0;
			}
			if (chunk[i] != '\n') {
				if (ll < sizeof line)
					line[ll++] = chunk[i];
				else
					skip = true;   /* past DB_LINE_MAX: not whole */
				continue;
			}
			scan_line(sc, line, ll, !skip);
			ll = 0;
			skip = false;
		}
	}
	if (sc->left && ll)
		scan_line(sc, line, ll, !skip);
	return 0;
}

/* A lookup failed: the file could not be read, or has no such entry. */
static int unresolved(struct step_fail *f, const char *step, const char *name,
		      const struct db *db, int scan_err)
{
	if (scan_err || (db->fd < 0 && !db->why))
		return failed(f, step, name, ": ", db->path, NULL,
			      scan_err ? scan_err : db->errnum);
	if (db->fd < 0) {
		failed(f, step, name, ": ", db->path, ": ", 0);
		put(msg, sizeof msg, strlen(msg), db->why);
		return -1;
	}
	return failed(f, step, name, ": not found in ", db->path, NULL, 0);
}

static bool numeric(const char *s)
{
	return s[0] >= '0' && s[0] <= '9';
}

int sbx_ids_resolve(const struct spec *s, struct sbx_ids *ids, struct step_fail *f)
{
	const char *keys[SPEC_MAX_GROUPS + 1];
	unsigned long vals[SPEC_MAX_GROUPS + 1];
	bool found[SPEC_MAX_GROUPS + 1];
	size_t n_supp = s->supp_group_names.n < SPEC_MAX_GROUPS ? s->supp_group_names.n
								 : SPEC_MAX_GROUPS;
	struct scan sc = { .keys = keys, .out = vals, .found = found };
	struct db db;
	char num[24];
	int err;

	ids->uid = s->uid;
	ids->gid = s->gid;
	ids->n_groups = s->n_groups < SPEC_MAX_GROUPS ? s->n_groups : SPEC_MAX_GROUPS;
	if (ids->n_groups)
		memcpy(ids->groups, s->groups, ids->n_groups * sizeof ids->groups[0]);
	if (!s->user_loc.line && !s->group_name && !n_supp)
		return 0;   /* nothing named: the numbers as parsed */

	if (s->user_loc.line) {
		db_open(&db, s->root, "etc/passwd");
		if (s->user_name) {
			keys[0] = s->user_name;
			sc.n_keys = 1;
			sc.match = 0;
			sc.want = 2;
			err = db.fd >= 0 && db_scan(&db, &sc) < 0 ? errno : 0;
			if (db.fd < 0 || err || !found[0]) {
				unresolved(f, "user", s->user_name, &db, err);
				db_close(&db);
				return -1;
			}
			ids->uid = (uid_t)vals[0];
		}
		/* With no Group=, the user's own primary group: a name's from
		 * its own line (getpwnam's pw_gid; another line with the same
		 * uid, an alias with gid 0 say, is not this user), a number's
		 * from the first line with it; a numeric user with no passwd
		 * entry gets its number as gid, not root's. */
		if (!s->group_loc.line) {
			utoa((unsigned long)ids->uid, num, sizeof num);
			keys[0] = s->user_name ? s->user_name : num;
			sc.n_keys = 1;
			sc.match = s->user_name ? 0 : 2;
			sc.want = 3;
			ids->gid = (gid_t)ids->uid;
			if (db.fd >= 0 && db_scan(&db, &sc) == 0 && found[0])
				ids->gid = (gid_t)vals[0];
		}
		db_close(&db);
	}

	/* Group= (key 0) and the named supplementary groups in one pass */
	sc.n_keys = 0;
	if (s->group_name)
		keys[sc.n_keys++] = s->group_name;
	for (size_t i = 0; i < n_supp; i++)
		if (!numeric(s->supp_group_names.v[i]))
			keys[sc.n_keys++] = s->supp_group_names.v[i];
	if (sc.n_keys) {
		db_open(&db, s->root, "etc/group");
		sc.match = 0;
		sc.want = 2;
		err = db.fd >= 0 && db_scan(&db, &sc) < 0 ? errno : 0;
		for (size_t i = 0; i < sc.n_keys; i++)
			if (db.fd < 0 || err || !found[i]) {
				unresolved(f, s->group_name && i == 0 ? "group" :
					   "supplementary group", keys[i], &db, err);
				db_close(&db);
				return -1;
			}
		db_close(&db);
	}
	if (s->group_name)
		ids->gid = (gid_t)vals[0];
	if (n_supp) {
		size_t k = s->group_name ? 1 : 0;

		ids->n_groups = 0;
		for (size_t i = 0; i < n_supp; i++) {
			const char *g = s->supp_group_names.v[i];
			unsigned long v = 0;

			if (numeric(g)) {
				for (const char *c = g; *c >= '0' && *c <= '9'; c++)
					v = v * 10 + (unsigned long)(*c - '0');
			} else {
				v = vals[k++];
			}
			ids->groups[ids->n_groups++] = (gid_t)v;
		}
	}
	return 0;
}

int sbx_tmpfs_id(const char *root, bool group, const char *name, const char *dest,
		 unsigned long *out, struct step_fail *f)
{
	const char *keys[1] = { name };
	bool found = false;
	struct scan sc = { .keys = keys, .n_keys = 1, .match = 0, .want = 2, .out = out,
			   .found = &found };
	struct db db;
	size_t at;
	bool opened;
	int err;

	db_open(&db, root, group ? "etc/group" : "etc/passwd");
	opened = db.fd >= 0;
	err = opened && db_scan(&db, &sc) < 0 ? errno : 0;
	db_close(&db);
	if (found && !err)
		return 0;
	at = put(msg, sizeof msg, 0, dest);
	if (!opened || err) {
		at = put(msg, sizeof msg, at, group ? ": group " : ": user ");
		at = put(msg, sizeof msg, at, name);
		at = put(msg, sizeof msg, at, ": ");
		at = put(msg, sizeof msg, at, db.path);
		if (db.why) {
			at = put(msg, sizeof msg, at, ": ");
			put(msg, sizeof msg, at, db.why);
		}
		return step_failed(f, "tmpfs", msg, db.why ? 0 : err ? err : db.errnum);
	}
	at = put(msg, sizeof msg, at, group ? ": no group " : ": no user ");
	at = put(msg, sizeof msg, at, name);
	at = put(msg, sizeof msg, at, " in ");
	put(msg, sizeof msg, at, db.path);
	return step_failed(f, "tmpfs", msg, 0);
}
