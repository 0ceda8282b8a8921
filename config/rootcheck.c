/* `sandboxctl check --root DIR`: see rootcheck.h. Runs in sandboxctl on
 * the build host, never in PID 1; every lookup is an openat2() inside DIR
 * with O_PATH (no FIFO or device is ever opened), so an absolute symlink of
 * the image resolves in the image, never on the build host. */
#include "rootcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ids.h"

struct ctx {
	const struct spec *s;
	struct diag *d;
	unsigned problems;
	int imagefd, unitfd;        /* DIR, and the unit's "/" in it */
	const char *image;          /* DIR as given */
	const char *unit_root;      /* DIR + RootDirectory=, for messages */
};

/* The file the unit's processes see at a path: one of these. */
enum view { V_RUNTIME, V_UNIT, V_HOST };

/* path is prefix or below it, component-wise ("/run" is under "/run", not
 * "/running"); "/" holds everything. */
static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (n == 1 && prefix[0] == '/')
		return true;
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* What is made at boot or at start, never in the image: PID 1 mounts
 * /proc, /sys, /dev and /run over the image's (README, "As PID 1"). */
static bool host_runtime(const char *path)
{
	static const char *const boot[] = { "/proc", "/sys", "/dev", "/run" };

	for (size_t i = 0; i < sizeof boot / sizeof *boot; i++)
		if (under(path, boot[i]))
			return true;
	return false;
}

static const char *const dir_base[EXEC_DIR_COUNT] = {
	[EXEC_DIR_RUNTIME] = "/run", [EXEC_DIR_STATE] = "/var/lib",
	[EXEC_DIR_CACHE] = "/var/cache", [EXEC_DIR_LOGS] = "/var/log",
	[EXEC_DIR_CONFIGURATION] = "/etc",
};

/* Where the unit's path `path` lives. For V_HOST *host is the path in
 * DIR (a bind source plus the rest, in buf). */
static enum view locate(const struct ctx *c, const char *path, const char **host, char *buf,
			size_t len)
{
	const struct spec *s = c->s;
	const struct mount_spec *best = NULL;
	size_t best_len = 0;
	char sub[4096];

	if (under(path, "/proc") || under(path, "/sys") || under(path, "/dev"))
		return V_RUNTIME;
	/* no RootDirectory=: the unit sees PID 1's /run, or a private /tmp
	 * and /run of its own (README, TemporaryFileSystem=) */
	if (!s->root && (under(path, "/run") ||
			 ((s->namespaces & NS_BIT(NS_MOUNT)) && under(path, "/tmp"))))
		return V_RUNTIME;
	for (int k = 0; k < EXEC_DIR_COUNT; k++)
		for (size_t i = 0; i < s->dirs[k].names.n; i++) {
			snprintf(sub, sizeof sub, "%s/%s", dir_base[k], s->dirs[k].names.v[i]);
			if (under(path, sub))
				return V_RUNTIME;
		}
	/* the innermost mount holding the path wins, as in the sandbox */
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct mount_spec *m = &s->mounts[i];
		size_t n = strlen(m->destination);

		if (under(path, m->destination) && (!best || n >= best_len)) {
			best = m;
			best_len = n;
		}
	}
	if (!best)
		return V_UNIT;
	if (best->kind != MOUNT_BIND || host_runtime(best->source))
		return V_RUNTIME;
	if (best_len == 1)   /* a bind on "/": the rest is the whole path */
		best_len = 0;
	if ((size_t)snprintf(buf, len, "%s%s", best->source, path + best_len) >= len)
		return V_RUNTIME;
	*host = buf;
	return V_HOST;
}

/* 0 and *st, or an errno. */
static int look(int dirfd, const char *path, uint64_t resolve, struct stat *st)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = resolve };
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how), err = 0;

	if (fd < 0)
		return errno;
	if (fstat(fd, st) < 0)
		err = errno;
	close(fd);
	return err;
}

static void problem(struct ctx *c, const struct loc *at, const char *section, const char *key,
		    bool warn_only, const char *path, const char *what, const char *where)
{
	if (warn_only) {
		/* systemd's "-": a failure of this command is not the unit's */
		fprintf(stderr, "%s:%d: [%s] %s: warning: %s: %s in %s (\"-\": the unit starts anyway)\n",
			at->file ? at->file : c->s->path, at->line, section, key, path, what, where);
		return;
	}
	c->problems++;
	diag_at(c->d, at->file ? at->file : c->s->path, at->line, section, key, "%s: %s in %s",
		path, what, where);
}

/* The kernel's exec permission for the unit's credentials; root needs one
 * x bit (CAP_DAC_OVERRIDE), as execve(2) says. */
static bool can_exec(const struct spec *s, const struct stat *st)
{
	bool group = st->st_gid == s->gid;

	if (s->uid == 0)
		return st->st_mode & 0111;
	if (st->st_uid == s->uid)
		return st->st_mode & 0100;
	for (size_t i = 0; i < s->n_groups && !group; i++)
		group = st->st_gid == s->groups[i];
	return st->st_mode & (group ? 0010 : 0001);
}

enum want { W_EXEC, W_DIR, W_FILE, W_ANY };

/* One path of the unit's own view. */
static void check_unit_path(struct ctx *c, const char *path, enum want w, const struct loc *at,
			    const char *section, const char *key, bool warn_only)
{
	const char *host = NULL, *where = c->unit_root;
	char buf[4096], why[96];
	struct stat st;
	int err;

	switch (locate(c, path, &host, buf, sizeof buf)) {
	case V_RUNTIME:
		return;
	case V_HOST:
		/* a bind source is opened with no symlink on its path; what is
		 * below it is the unit's to resolve */
		err = look(c->imagefd, host, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, &st);
		where = c->image;
		path = host;
		break;
	default:
		err = look(c->unitfd, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, &st);
		break;
	}
	if (err) {
		problem(c, at, section, key, warn_only, path, strerror(err), where);
		return;
	}
	if (w == W_DIR && !S_ISDIR(st.st_mode)) {
		problem(c, at, section, key, warn_only, path, "not a folder", where);
	} else if (w == W_EXEC && !S_ISREG(st.st_mode)) {
		problem(c, at, section, key, warn_only, path, "not a regular file", where);
	} else if (w == W_EXEC && !can_exec(c->s, &st)) {
		snprintf(why, sizeof why, "not executable by uid %u gid %u (mode %04o, owner %u:%u)",
			 (unsigned)c->s->uid, (unsigned)c->s->gid, (unsigned)(st.st_mode & 07777),
			 (unsigned)st.st_uid, (unsigned)st.st_gid);
		problem(c, at, section, key, warn_only, path, why, where);
	}
}

/* One path of the appliance's own tree (DIR), opened as the launch child
 * opens it: with no symlink on the way when no_symlinks. */
static void check_host_path(struct ctx *c, const char *path, enum want w, bool no_symlinks,
			    const struct loc *at, const char *section, const char *key)
{
	uint64_t r = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
	struct stat st;
	int err;

	if (host_runtime(path))
		return;
	err = look(c->imagefd, path, r, &st);
	if (err == ELOOP && no_symlinks)
		problem(c, at, section, key, false, path,
			"a symlink on the way (the launcher follows none)", c->image);
	else if (err)
		problem(c, at, section, key, false, path, strerror(err), c->image);
	else if (w == W_DIR && !S_ISDIR(st.st_mode))
		problem(c, at, section, key, false, path, "not a folder", c->image);
	else if (w == W_FILE && !S_ISREG(st.st_mode))
		problem(c, at, section, key, false, path, "not a regular file", c->image);
}

unsigned rootcheck_unit(struct spec *s, int imagefd, const char *image, struct diag *d)
{
	static const char *const list_keys[] = { "ExecStartPre", "ExecStartPost", "ExecStop",
						 "ExecReload" };
	const struct exec_list *lists[] = { &s->exec_start_pre, &s->exec_start_post, &s->exec_stop,
					    &s->exec_reload };
	struct ctx c = { .s = s, .d = d, .imagefd = imagefd, .unitfd = imagefd, .image = image,
			 .unit_root = image };
	struct loc file = { s->path, 0 };
	char root_shown[4096];

	if (s->root) {
		struct open_how how = {
			.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
		};
		unsigned before = c.problems;

		check_host_path(&c, s->root, W_DIR, true, &s->root_loc, "Sandbox", "RootDirectory");
		if (c.problems != before)
			return c.problems;   /* nothing of the unit's tree can be looked at */
		c.unitfd = (int)syscall(SYS_openat2, imagefd, s->root, &how, sizeof how);
		if (c.unitfd < 0) {
			problem(&c, &s->root_loc, "Sandbox", "RootDirectory", false, s->root,
				strerror(errno), image);
			return c.problems;
		}
		snprintf(root_shown, sizeof root_shown, "%s%s", image, s->root);
		c.unit_root = root_shown;
	}
	/* the names now, in the tree that is known to be there; the
	 * credentials are what the exec permission is checked for */
	unsigned before = d->count;
	ids_resolve(s, d);
	c.problems += d->count - before;
	if (s->args.n)
		check_unit_path(&c, s->args.v[0], W_EXEC, &s->exec_loc, "Service", "ExecStart", false);
	for (size_t l = 0; l < sizeof lists / sizeof *lists; l++)
		for (size_t i = 0; i < lists[l]->n; i++) {
			const struct exec_cmd *e = &lists[l]->v[i];

			if (e->argv && e->argv[0])
				check_unit_path(&c, e->argv[0], W_EXEC, &e->loc, "Service",
						list_keys[l], e->ignore_failure);
		}
	/* the spec keeps no line for these two: the file is named */
	if (s->cwd && strcmp(s->cwd, "/") != 0)
		check_unit_path(&c, s->cwd, W_DIR, &file, "Service", "WorkingDirectory", false);
	for (size_t i = 0; i < s->env_files.n; i++)
		if (s->env_files.v[i][0] != '-')
			check_host_path(&c, s->env_files.v[i], W_FILE, false, &file, "Service",
					"EnvironmentFile");
	for (size_t i = 0; i < s->n_mounts; i++)
		if (s->mounts[i].kind == MOUNT_BIND)
			check_host_path(&c, s->mounts[i].source, W_ANY, true, &s->mounts[i].loc,
					"Sandbox",
					s->mounts[i].readonly ? "BindReadOnlyPaths" : "BindPaths");
	if (c.unitfd != imagefd)
		close(c.unitfd);
	return c.problems;
}
