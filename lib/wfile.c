#include "wfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int wfile_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int wfile_begin(int dirfd, const char *name, char *tmp, size_t tmplen, mode_t mode)
{
	int n = snprintf(tmp, tmplen, ".%s.tmp", name);

	if (n < 0 || (size_t)n >= tmplen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* a leftover of a crash, or anything planted there: gone, not followed */
	unlinkat(dirfd, tmp, 0);
	return openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		      mode);
}

int wfile_commit(int dirfd, int fd, const char *tmp, const char *name, bool ok)
{
	int saved = 0;

	if (close(fd) < 0 && ok) {
		saved = errno;
		ok = false;
	}
	if (ok && renameat(dirfd, tmp, dirfd, name) == 0)
		return 0;
	if (ok)
		saved = errno;
	unlinkat(dirfd, tmp, 0);
	errno = saved;
	return -1;
}

int wfile_replace(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		  struct err *e)
{
	char tmp[256];
	int fd = wfile_begin(dirfd, name, tmp, sizeof tmp, mode);

	if (fd < 0)
		return err_set(e, errno, "creating a temp file for %s", name);
	bool ok = wfile_write_all(fd, data, len) == 0;
	int werr = errno;

	if (wfile_commit(dirfd, fd, tmp, name, ok) < 0)
		return err_set(e, ok ? errno : werr, "%s %s", ok ? "replacing" : "writing", name);
	return 0;
}
