#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mountapi.h"

int rootfs_normalize(const char *in, char *out, size_t len)
{
	size_t o = 0;
	const char *p = in;

	if (!in || in[0] != '/' || len < 2)
		return -1;
	out[o++] = '/';
	while (*p) {
		const char *c;
		size_t n;

		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			/* drop the last component, never the leading "/" */
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
			continue;
		}
		if (o > 1)
			out[o++] = '/';
		if (o + n + 1 > len)
			return -1;
		memcpy(out + o, c, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

static int open_in_root(int rootfd, const char *path, int oflags)
{
	struct open_how how = {
		.flags = (uint64_t)(O_PATH | O_CLOEXEC | oflags),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return sys_openat2(rootfd, path, &how);
}

int rootfs_open(int rootfd, const char *path, int oflags, struct step_fail *f)
{
	int fd = open_in_root(rootfd, path, oflags);

	if (fd < 0)
		return step_failed(f, "resolve", path, errno);
	return fd;
}

/* Create `name` in the directory dirfd (which we resolved ourselves) and
 * open it without following anything: if it is, or has just become, a
 * symlink, that is an error rather than a way out. */
static int create_child(int dirfd, const char *name, bool last_file)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	if (last_file) {
		int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				0644);

		if (fd >= 0)
			close(fd);
		else if (errno != EEXIST)
			return -1;
	} else if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST) {
		return -1;
	}
	return sys_openat2(dirfd, name, &how);
}

int rootfs_mkpath(int rootfd, const char *path, enum rootfs_kind kind, struct step_fail *f)
{
	char prefix[PATH_MAX];
	size_t len = strlen(path), i = 0;
	int cur = -1, fd;

	fd = open_in_root(rootfd, path, 0);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : step_failed(f, "resolve", path, errno);
	if (len >= sizeof prefix)
		return step_failed(f, "resolve", path, ENAMETOOLONG);

	/* Walk the components: resolve each prefix from the root (so symlinks
	 * mean what they mean inside the rootfs), create the first missing one
	 * in its resolved parent, and go on from there. */
	while (i < len) {
		size_t start, end;
		int next;

		while (i < len && path[i] == '/')
			i++;
		start = i;
		while (i < len && path[i] != '/')
			i++;
		end = i;
		if (end == start)
			break;
		memcpy(prefix, path, end);
		prefix[end] = '\0';
		next = open_in_root(rootfd, prefix, 0);
		if (next < 0 && errno == ENOENT) {
			char name[NAME_MAX + 1];
			size_t n = end - start;
			bool last = end >= len || path[end + 1] == '\0';

			if (n > NAME_MAX) {
				errno = ENAMETOOLONG;
			} else {
				memcpy(name, path + start, n);
				name[n] = '\0';
				next = create_child(cur >= 0 ? cur : rootfd, name,
						    last && kind == ROOTFS_FILE);
			}
		}
		if (next < 0) {
			int err = errno;

			if (cur >= 0)
				close(cur);
			return step_failed(f, "create", path, err);
		}
		if (cur >= 0)
			close(cur);
		cur = next;
	}
	if (cur < 0)
		return step_failed(f, "create", path, EINVAL);
	return cur;
}
