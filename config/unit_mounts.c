/* The mount keys (BindPaths=, BindReadOnlyPaths=, TemporaryFileSystem=)
 * and the mounts a unit gets without asking: a private, sized /tmp and
 * /run for a unit that runs on the system's root (issue #9, items 3, 18
 * and 19). Every tmpfs has a size: the unit's, or the build's default. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "unit_parse.h"
#include "values.h"

/* MS_* values, spelled out so config/ needs no <sys/mount.h>. */
#define F_RDONLY 1ul
#define F_NOSUID 2ul
#define F_NODEV 4ul

/* Doubling: n mounts cost O(n) copies in all, where a copy of the whole
 * array per path made 5000 paths cost 871 MiB (item 15). The cap is
 * checked by the callers before. */
static struct mount_spec *new_mount(struct parse *p)
{
	struct spec *s = p->s;

	if (s->n_mounts == p->mounts_cap) {
		size_t cap = p->mounts_cap ? p->mounts_cap * 2 : 8;
		struct mount_spec *m = arena_alloc(&s->arena, cap * sizeof *m);

		if (!m) {
			unit_oom(p);
			return NULL;
		}
		if (s->n_mounts)
			memcpy(m, s->mounts, s->n_mounts * sizeof *m);
		s->mounts = m;
		p->mounts_cap = cap;
	}
	struct mount_spec *m = &s->mounts[s->n_mounts++];

	memset(m, 0, sizeof *m);
	m->loc = unit_here(p);
	return m;
}

static void drop_mounts(struct spec *s, enum mount_kind kind, bool readonly)
{
	size_t j = 0;

	for (size_t i = 0; i < s->n_mounts; i++)
		if (s->mounts[i].kind != kind || s->mounts[i].readonly != readonly)
			s->mounts[j++] = s->mounts[i];
	s->n_mounts = j;
}

/* Room for one more of the unit's own mounts, or reported. */
static bool mount_room(struct parse *p, const struct key_def *k)
{
	if (p->s->n_mounts < UNIT_MOUNTS_MAX)
		return true;
	if (!p->mounts_capped)   /* once per unit, not once per line past it */
		unit_bad(p, k, "more than %d mounts (BindPaths=, BindReadOnlyPaths= and "
			 "TemporaryFileSystem= together)", UNIT_MOUNTS_MAX);
	p->mounts_capped = true;
	return false;
}

/* BindPaths=/BindReadOnlyPaths=: SRC[:DST] ... ; arg = read-only. */
void unit_set_binds(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv words = { 0 };
	const char *why;

	if (!*v) {
		drop_mounts(p->s, MOUNT_BIND, k->arg);
		return;
	}
	if (p->mounts_capped)   /* the unit is bad already: no more work on mounts */
		return;
	if (!unit_split(p, k, v, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		char *src = (char *)words.v[i], *dst = strchr(src, ':');

		if (dst)
			*dst++ = '\0';
		if ((why = unit_path_problem(src)) || (dst && (why = unit_path_problem(dst)))) {
			unit_bad(p, k, "\"%s\": %s", dst && !unit_path_problem(src) ? dst : src, why);
			continue;
		}
		if (!mount_room(p, k))
			return;
		struct mount_spec *m = new_mount(p);
		if (!m)
			return;
		m->kind = MOUNT_BIND;
		m->source = src;
		m->destination = dst ? dst : src;
		m->readonly = k->arg;
	}
}

struct mount_opt {
	const char *name;
	unsigned long set, clear;
};

/* No "dev": a unit's tmpfs is always nodev, or a unit given CAP_MKNOD
 * could make a console or a disk there that works. */
static const struct mount_opt tmpfs_flags[] = {
	{ "ro", F_RDONLY, 0 }, { "rw", 0, F_RDONLY }, { "nosuid", F_NOSUID, 0 },
	{ "suid", 0, F_NOSUID }, { "nodev", F_NODEV, 0 },
	{ "noexec", 8, 0 }, { "exec", 0, 8 }, { "noatime", 1024, 0 },
	{ "strictatime", 1u << 24, 0 }, { "relatime", 1u << 21, 0 },
};
#define N_FLAGS (sizeof tmpfs_flags / sizeof *tmpfs_flags)
/* Flags as the export writes them, in this order. */
static const struct { unsigned long bit; const char *name; } flag_names[] = {
	{ F_RDONLY, "ro" }, { F_NOSUID, "nosuid" }, { F_NODEV, "nodev" }, { 8, "noexec" },
	{ 1024, "noatime" }, { 1u << 24, "strictatime" }, { 1u << 21, "relatime" },
};
static const char *const tmpfs_data_keys[] = { "size=", "nr_inodes=", "mode=", "uid=", "gid=" };

/* The kernel's memparse: digits and an optional k, m, g, t, p or e (and
 * for size= a %). 0 (any spelling) is tmpfs's "no limit". */
static bool tmpfs_number(const char *v, bool percent, bool *zero)
{
	const char *c = v;
	bool nonzero = false;

	while (*c >= '0' && *c <= '9')
		nonzero |= *c++ != '0';
	if (c == v || c - v > 19)
		return false;
	if (*c && strchr("kKmMgGtTpPeE", *c))
		c++;
	else if (percent && *c == '%')
		c++;
	*zero = !nonzero;
	return *c == '\0';
}

/* One data option ("size=8m"): NULL, or what is wrong with it. */
static const char *tmpfs_data_problem(const char *o, bool *unlimited)
{
	const char *v = strchr(o, '=') + 1;
	bool zero = false;
	uint64_t n;

	if (strncmp(o, "size=", 5) == 0 || strncmp(o, "nr_inodes=", 10) == 0) {
		if (!tmpfs_number(v, o[0] == 's', &zero))
			return "is not a number with an optional k, m or g suffix";
		*unlimited |= zero;
	} else if (strncmp(o, "mode=", 5) == 0) {
		unsigned m = 0;

		for (const char *c = v; *c; c++)
			m = *c >= '0' && *c <= '7' && m <= 07777 ? m * 8 + (unsigned)(*c - '0') : ~0u;
		if (!*v || strlen(v) > 5 || m > 07777)
			return "is not an octal mode";
	} else if (parse_u64(v, &n) < 0 || n >= 4294967295u) {
		return "is not a number";
	}
	return NULL;
}

/* uid=NAME / gid=NAME: a user or group name, looked up at launch in the
 * unit's root (sandbox/userdb.h) as User= is. NULL, or what is wrong. */
static const char *tmpfs_id_name_problem(const char *v)
{
	if (!*v || strlen(v) > 64)
		return "is not a number or a user/group name";
	for (const char *c = v; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.'))
			return "is not a number or a user/group name";
	return NULL;
}

/* The options the kernel gets, written out whole for the export. */
static const char *tmpfs_options_text(struct parse *p, unsigned long flags, const char *data)
{
	char buf[512];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof flag_names / sizeof *flag_names; i++)
		if (flags & flag_names[i].bit)
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? "," : "",
					      flag_names[i].name);
	if (*data && n < sizeof buf)
		snprintf(buf + n, sizeof buf - n, "%s%s", n ? "," : "", data);
	return unit_dup(p, buf);
}

static void default_size(char *out, size_t len)
{
	if (CONFIG_TMPFS_DEFAULT_SIZE_KB % 1024 == 0)
		snprintf(out, len, "size=%dm", CONFIG_TMPFS_DEFAULT_SIZE_KB / 1024);
	else
		snprintf(out, len, "size=%dk", CONFIG_TMPFS_DEFAULT_SIZE_KB);
}

void unit_set_tmpfs(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv words = { 0 };
	const char *why;

	if (!*v) {
		drop_mounts(p->s, MOUNT_TMPFS, false);
		drop_mounts(p->s, MOUNT_TMPFS, true);
		return;
	}
	if (p->mounts_capped)
		return;
	if (!unit_split(p, k, v, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		char *dst = (char *)words.v[i], *opts = strchr(dst, ':');
		unsigned long flags = F_NOSUID | F_NODEV;   /* unless asked otherwise */
		char data[256] = "";
		const char *id_name[2] = { NULL, NULL };   /* uid=, gid= names */
		bool ok = true, sized = false, unlimited = false;

		if (opts)
			*opts++ = '\0';
		if ((why = unit_path_problem(dst))) {
			unit_bad(p, k, "\"%s\": %s", dst, why);
			continue;
		}
		for (char *o = opts, *next; o && *o && ok; o = next) {
			size_t j;

			next = strchr(o, ',');
			if (next)
				*next++ = '\0';
			for (j = 0; j < N_FLAGS; j++)
				if (strcmp(o, tmpfs_flags[j].name) == 0)
					break;
			if (j < N_FLAGS) {
				flags = (flags | tmpfs_flags[j].set) & ~tmpfs_flags[j].clear;
				continue;
			}
			for (j = 0; j < 5; j++)
				if (strncmp(o, tmpfs_data_keys[j], strlen(tmpfs_data_keys[j])) == 0)
					break;
			if (j == 5 || strlen(data) + strlen(o) + 2 > sizeof data - 32) {
				unit_bad(p, k, "unknown tmpfs option \"%s\"", o);
				ok = false;
			} else if (j >= 3 && !(o[4] >= '0' && o[4] <= '9')) {
				if ((why = tmpfs_id_name_problem(o + 4))) {
					unit_bad(p, k, "\"%s\" %s", o, why);
					ok = false;
				} else {
					id_name[j - 3] = o + 4;
				}
			} else if ((why = tmpfs_data_problem(o, &unlimited))) {
				unit_bad(p, k, "\"%s\" %s", o, why);
				ok = false;
			} else {
				sized |= j == 0;
				if (*data)
					strcat(data, ",");
				strcat(data, o);
			}
		}
		if (!ok || !mount_room(p, k))
			continue;
		/* tmpfs pages are in no process's RSS: without a size the kernel
		 * allows half of RAM per mount, and the global OOM killer picks
		 * an innocent (item 18). */
		if (!sized) {
			char sz[32];

			default_size(sz, sizeof sz);
			if (*data)
				strcat(data, ",");
			strcat(data, sz);
		}
		struct mount_spec *m = new_mount(p);
		if (!m)
			return;
		m->kind = MOUNT_TMPFS;
		m->source = "tmpfs";
		m->destination = dst;
		m->readonly = flags & F_RDONLY;
		m->flags = flags & ~F_RDONLY;
		m->data = unit_dup(p, data);
		m->unlimited = unlimited;
		m->uid_name = id_name[0];
		m->gid_name = id_name[1];
		/* the export shows the names as written */
		for (int n = 0; n < 2; n++)
			if (id_name[n])
				snprintf(data + strlen(data), sizeof data - strlen(data), ",%s=%s",
					 n ? "gid" : "uid", id_name[n]);
		m->options_text = tmpfs_options_text(p, flags, data);
	}
}

/* "/run//" -> "/run": what a destination names, for comparisons (the
 * parser already refused "." and ".." components). */
static size_t norm_len(const char *path, char *out, size_t len)
{
	size_t n = 0;

	for (const char *c = path; *c && n + 1 < len; c++)
		if (!(*c == '/' && n && out[n - 1] == '/'))
			out[n++] = *c;
	while (n > 1 && out[n - 1] == '/')
		n--;
	out[n] = '\0';
	return n;
}

static const char *mount_key(const struct mount_spec *m)
{
	if (m->kind == MOUNT_TMPFS)
		return "TemporaryFileSystem";
	return m->readonly ? "BindReadOnlyPaths" : "BindPaths";
}

/* Prepend a default tmpfs: before the unit's own mounts, so that a bind
 * of the unit's under /run or /tmp lands on top of it. */
static void add_default_tmpfs(struct parse *p, const char *dst, const char *mode)
{
	struct spec *s = p->s;
	char data[64];

	default_size(data, sizeof data);
	if (!new_mount(p))
		return;
	memmove(&s->mounts[1], &s->mounts[0], (s->n_mounts - 1) * sizeof *s->mounts);
	struct mount_spec *m = &s->mounts[0];
	char *d = arena_printf(&s->arena, "mode=%s,%s", mode, data);

	memset(m, 0, sizeof *m);
	m->kind = MOUNT_TMPFS;
	m->source = "tmpfs";
	m->destination = dst;
	m->flags = F_NOSUID | F_NODEV;
	m->data = d;
	m->options_text = d ? tmpfs_options_text(p, m->flags, d) : NULL;
	if (!d)
		unit_oom(p);
}

void unit_mounts_finish(struct parse *p)
{
	struct spec *s = p->s;
	struct strset dests = { 0 };
	bool has_tmp = false, has_run = false;
	bool memory_bound = s->res.memory_max.set && s->res.memory_max.v != LIMIT_INFINITY;

	unit_dirs_finish(p);

	if (s->n_mounts && !(s->namespaces & NS_BIT(NS_MOUNT)))
		diag_at(p->d, s->mounts[0].loc.file, s->mounts[0].loc.line, "Sandbox",
			mount_key(&s->mounts[0]), "mounts need the mount namespace (see Namespaces=)");
	/* Duplicate destinations, through a set: O(n), not every pair. */
	for (size_t i = 0; i < s->n_mounts && !p->oom; i++) {
		const struct mount_spec *m = &s->mounts[i];
		char norm[4096];
		size_t n = norm_len(m->destination, norm, sizeof norm), j;
		char *key = arena_strndup(&s->arena, norm, n);
		int r = key ? strset_put(&dests, key, n, i, &j) : -1;

		if (r < 0) {
			unit_oom(p);
			break;
		}
		if (r == 0) {
			diag_at(p->d, m->loc.file, m->loc.line, "Sandbox", mount_key(m),
				"%s is already a mount destination (%s:%d)", m->destination,
				s->mounts[j].loc.file, s->mounts[j].loc.line);
			strset_put(&dests, key, n, j, NULL);   /* name the first one again */
		}
		has_tmp |= strcmp(norm, "/tmp") == 0;
		has_run |= strcmp(norm, "/run") == 0;
		/* tmpfs is charged to the unit's cgroup: with MemoryMax= that
		 * bounds an unlimited one; without, nothing does */
		if (m->unlimited && !memory_bound)
			diag_at(p->d, m->loc.file, m->loc.line, "Sandbox", mount_key(m),
				"%s: size=0 or nr_inodes=0 (no limit) needs MemoryMax= "
				"(tmpfs pages are in no process's memory but in its cgroup's)",
				m->destination);
	}
	strset_clear(&dests);
	/* A unit on the system's root gets its own /tmp and /run: the
	 * system's are writable by every unit, and /run holds PID 1's run
	 * folder (items 3 and 19). The unit's own mount at either replaces
	 * the default (BindPaths=/run shares the system's); a unit with
	 * ControlAccess=yes keeps the system's /run, where the socket is. */
	if (s->root || !(s->namespaces & NS_BIT(NS_MOUNT)) || p->oom)
		return;
	if (!has_run && !s->control_access)
		add_default_tmpfs(p, "/run", "755");
	if (!has_tmp)
		add_default_tmpfs(p, "/tmp", "1777");
}
