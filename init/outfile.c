/* Output files opened without trusting the path (outfile.h). The file is
 * first reached as an O_PATH fd (opening that has no side effect, even on
 * a device or a FIFO), checked with fstat, and only then reopened for
 * writing through that fd, so that what was checked is what is written. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../rootfs/mountapi.h"

static const char *type_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symlink, not followed";
	return "not a regular file";
}

static int open_how(const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = sys_openat2(AT_FDCWD, path, &how);

	/* before Linux 5.6: only the last component is checked (O_NOFOLLOW) */
	if (fd < 0 && errno == ENOSYS)
		fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, mode);
	return fd;
}

static int fail(char *why, size_t len, const char *what, int errnum)
{
	if (errnum)
		snprintf(why, len, "%s: %s", what, strerror(errnum));
	else
		snprintf(why, len, "%s", what);
	return -1;
}

int outfile_open(const char *path, bool append, char *why, size_t len)
{
	int wflags = O_WRONLY | O_NONBLOCK | O_NOCTTY | (append ? O_APPEND : 0);
	struct stat st, st2;
	char self[40];
	int pfd, fd;

	pfd = open_how(path, O_PATH, 0);
	if (pfd < 0 && errno == ENOENT) {
		/* missing: create it; O_EXCL refuses whatever appeared meanwhile */
		fd = open_how(path, wflags | O_CREAT | O_EXCL, 0640);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return fail(why, len, "cannot create it", errno);
		pfd = open_how(path, O_PATH, 0);
	}
	if (pfd < 0) {
		if (errno == ELOOP || errno == EXDEV)
			return fail(why, len, "a symlink in its path (not followed)", 0);
		return fail(why, len, "cannot open it", errno);
	}
	if (fstat(pfd, &st) < 0) {
		int err = errno;

		close(pfd);
		return fail(why, len, "fstat", err);
	}
	if (!S_ISREG(st.st_mode)) {
		close(pfd);
		snprintf(why, len, "not a regular file (%s)", type_name(st.st_mode));
		return -1;
	}
	if (st.st_nlink > 1) {
		/* a hard link may be a host file under another name */
		close(pfd);
		snprintf(why, len, "a regular file with %lu hard links (refused: one may be "
			 "another file of the host)", (unsigned long)st.st_nlink);
		return -1;
	}
	/* reopen what was checked: the fd's magic link names that inode */
	snprintf(self, sizeof self, "/proc/self/fd/%d", pfd);
	fd = open(self, wflags | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)   /* no /proc: by name, then compare */
		fd = open_how(path, wflags, 0);
	close(pfd);
	if (fd < 0)
		return fail(why, len, "cannot open it for writing", errno);
	if (fstat(fd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino ||
	    !S_ISREG(st2.st_mode)) {
		close(fd);
		return fail(why, len, "it changed while being opened", 0);
	}
	/* truncation only now that the file is known to be the unit's own */
	if (!append && ftruncate(fd, 0) < 0) {
		int err = errno;

		close(fd);
		return fail(why, len, "cannot truncate it", err);
	}
	return fd;
}
