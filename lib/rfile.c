#include "rfile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_how(int dirfd, const char *path, int flags, uint64_t resolve)
{
	if (!resolve)
		return openat(dirfd, path, flags);
	struct open_how how = { .flags = (uint64_t)flags, .resolve = resolve };

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

static int fail(struct rfile *f, int errnum, const char *why, int fd1, int fd2)
{
	if (fd1 >= 0)
		close(fd1);
	if (fd2 >= 0)
		close(fd2);
	free(f->text);
	f->text = NULL;
	f->len = 0;
	f->errnum = errnum;
	f->why = why;
	return -1;
}

int rfile_read(int dirfd, const char *path, uint64_t resolve, size_t max, struct rfile *f)
{
	const int rd = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	struct stat st, st2;
	char self[64];
	int pathfd, fd;
	size_t n = 0;

	*f = (struct rfile){ 0 };
	/* O_PATH opens nothing: a FIFO does not wait for a writer, a device's
	 * driver is not called. */
	pathfd = open_how(dirfd, path, O_PATH | O_CLOEXEC, resolve);
	if (pathfd < 0)
		return fail(f, errno, NULL, -1, -1);
	if (fstat(pathfd, &st) < 0)
		return fail(f, errno, NULL, pathfd, -1);
	if (!S_ISREG(st.st_mode))
		return fail(f, 0, "not a regular file", pathfd, -1);
	if ((uint64_t)st.st_size > max)
		return fail(f, 0, "too large", pathfd, -1);
	/* Reopen the very file just checked. Through /proc when it is there
	 * (no second lookup, so no race); else by name again, and the inode
	 * must be the same one. */
	snprintf(self, sizeof self, "/proc/self/fd/%d", pathfd);
	fd = open(self, rd);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		fd = open_how(dirfd, path, rd, resolve);
	if (fd < 0)
		return fail(f, errno, NULL, pathfd, -1);
	if (fstat(fd, &st2) < 0)
		return fail(f, errno, NULL, pathfd, fd);
	if (!S_ISREG(st2.st_mode) || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino)
		return fail(f, 0, "changed while being opened", pathfd, fd);
	close(pathfd);
	pathfd = -1;

	/* Room for one byte more than the size: a file that grows is noticed. */
	f->text = malloc((size_t)st2.st_size + 2);
	if (!f->text)
		return fail(f, ENOMEM, NULL, fd, -1);
	ssize_t got = rfile_read_fd(fd, f->text, (size_t)st2.st_size + 2);
	if (got < 0 && errno != EFBIG)
		return fail(f, errno, NULL, fd, -1);
	close(fd);
	n = (size_t)got;
	if (got < 0 || n > (size_t)st2.st_size || n > max)
		return fail(f, 0, "changed while being read", -1, -1);
	f->text[n] = '\0';
	f->len = n;
	return 0;
}

ssize_t rfile_read_fd(int fd, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0) {
		errno = EFBIG;
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size - 1) {
			errno = EFBIG;
			return -1;
		}
	}
	buf[len] = '\0';
	return (ssize_t)len;
}
