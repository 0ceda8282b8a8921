/* RuntimeDirectory= ... ConfigurationDirectory= created in the launch
 * child. See execdirs.h. */
#include "execdirs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/execdir.h"
#include "../rootfs/mountapi.h"

/* The path of the failure (f->path): the child's own copy, static. */
static char where[PATH_MAX];

static void path_of(const char *base, const char *name)
{
	size_t n = strlen(base), m = strlen(name);

	if (n + 1 + m >= sizeof where)
		m = sizeof where - n - 2;
	memcpy(where, base, n);
	where[n] = '/';
	memcpy(where + n + 1, name, m);
	where[n + 1 + m] = '\0';
}

/* Whether path is dir, or holds it, or lies inside it. */
static bool nested(const char *path, const char *dir)
{
	size_t a = strlen(path), b = strlen(dir), n;

	while (b > 1 && dir[b - 1] == '/')
		b--;
	n = a < b ? a : b;
	return strncmp(path, dir, n) == 0 && (a == b || (a < b ? dir[n] : path[n]) == '/');
}

/* One component under dirfd: made if missing, then opened with no
 * symlink and no magic link: a planted symlink is ELOOP, not followed. */
static int step_into(int dirfd, const char *name, mode_t mode, bool last)
{
	struct open_how how = {
		/* the last is opened for real (fchown, fchmod); a directory,
		 * so opening it does nothing else */
		.flags = (uint64_t)((last ? O_RDONLY | O_NONBLOCK : O_PATH) | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
		return -1;
	return sys_openat2(dirfd, name, &how);
}

/* BASE/NAME: the fd of the last folder, owned and moded. */
static int create_one(enum exec_dir_kind k, const char *name, mode_t mode,
		      const struct sbx_ids *ids)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	char comp[NAME_MAX + 1];
	const char *c = name;
	int cur, err;

	cur = sys_openat2(AT_FDCWD, exec_dir_base(k), &how);
	if (cur < 0)
		return -1;
	while (*c) {
		const char *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);
		bool last = !end;
		int next;

		if (n > NAME_MAX) {
			close(cur);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, c, n);
		comp[n] = '\0';
		next = step_into(cur, comp, last ? mode : 0755, last);
		err = errno;
		close(cur);
		if (next < 0) {
			errno = err;
			return -1;
		}
		cur = next;
		c = last ? c + n : end + 1;
	}
	/* mkdirat's mode is under the umask and an existing folder keeps
	 * its own: the mode set on what was opened */
	if ((k != EXEC_DIR_CONFIGURATION && fchown(cur, ids->uid, ids->gid) < 0) ||
	    fchmod(cur, mode) < 0) {
		err = errno;
		close(cur);
		errno = err;
		return -1;
	}
	return cur;
}

int sbx_execdirs_create(const struct spec *s, const struct sbx_ids *ids,
			const struct rootfs_plan *p, struct step_fail *f)
{
	size_t idx = 0;

	for (int k = 0; k < EXEC_DIR_COUNT; k++) {
		const struct exec_dirs *d = &s->dirs[k];

		for (size_t i = 0; i < d->names.n; i++, idx++) {
			int fd;

			path_of(exec_dir_base((enum exec_dir_kind)k), d->names.v[i]);
			for (size_t h = 0; p && p->hide && p->hide[h]; h++)
				if (p->hide[h][0] && nested(where, p->hide[h]))
					return step_failed(f, "create (PID 1's own folder)", where,
							   EPERM);
			fd = create_one((enum exec_dir_kind)k, d->names.v[i], d->mode, ids);
			if (fd < 0)
				return step_failed(f, "create", where, errno);
			if (p && idx < p->n_execdirs)
				p->execdirs[idx].fd = fd;
			else
				close(fd);
		}
	}
	return 0;
}
