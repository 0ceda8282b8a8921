/* Output files opened without trusting the path (stdfile.h): reached first
 * as an O_PATH fd (no side effect, even on a FIFO or a device), checked
 * with fstat, and only then reopened for writing through that fd, so that
 * what was checked is what is written. Runs in the launch child. */
#include "stdfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../rootfs/mountapi.h"

/* The message (f->path): .bss of the child's copy */
static char msg[400];

static size_t put(size_t at, const char *s)
{
	while (s && *s && at + 1 < sizeof msg)
		msg[at++] = *s++;
	msg[at] = '\0';
	return at;
}

static void put_num(char *buf, size_t size, unsigned long v)
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

struct target {
	const char *key, *path;
	bool append;
};

static int fail(const struct target *t, const char *why, const char *why2, int errnum,
		struct step_fail *f)
{
	size_t at = put(0, t->key);

	at = put(at, t->append ? "=append:" : "=file:");
	at = put(at, t->path);
	at = put(at, ": ");
	at = put(at, why);
	put(at, why2);
	return step_failed(f, "open", msg, errnum);
}

static const char *type_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "not a regular file (a FIFO)";
	if (S_ISCHR(m))
		return "not a regular file (a character device)";
	if (S_ISBLK(m))
		return "not a regular file (a block device)";
	if (S_ISSOCK(m))
		return "not a regular file (a socket)";
	if (S_ISDIR(m))
		return "not a regular file (a directory)";
	if (S_ISLNK(m))
		return "not a regular file (a symlink, not followed)";
	return "not a regular file";
}

static int open_how(const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	return sys_openat2(AT_FDCWD, path, &how);
}

int sbx_stdfile_open(const char *key, const char *path, bool append, struct step_fail *f)
{
	const struct target t = { key, path, append };
	int wflags = O_WRONLY | O_NONBLOCK | O_NOCTTY | (append ? O_APPEND : 0);
	struct stat st, st2;
	char self[40], num[24];
	int pfd, fd, err;

	pfd = open_how(path, O_PATH, 0);
	if (pfd < 0 && errno == ENOENT) {
		/* missing: create it; O_EXCL refuses whatever appeared meanwhile */
		fd = open_how(path, wflags | O_CREAT | O_EXCL, 0640);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return fail(&t, "cannot create it", NULL, errno, f);
		pfd = open_how(path, O_PATH, 0);
	}
	if (pfd < 0) {
		if (errno == ELOOP || errno == EXDEV)
			return fail(&t, "a symlink in its path (not followed)", NULL, 0, f);
		return fail(&t, "cannot open it", NULL, errno, f);
	}
	if (fstat(pfd, &st) < 0) {
		err = errno;
		close(pfd);
		return fail(&t, "fstat", NULL, err, f);
	}
	/* No device either: a unit with CAP_MKNOD could leave /dev/mem's
	 * numbers at this path (nodev on its mount only stops its own
	 * opens), and this open runs as root in the host's tree. */
	if (!S_ISREG(st.st_mode)) {
		close(pfd);
		return fail(&t, type_name(st.st_mode), NULL, 0, f);
	}
	if (st.st_nlink > 1) {
		/* a hard link may be a host file under another name */
		close(pfd);
		put_num(num, sizeof num, (unsigned long)st.st_nlink);
		fail(&t, "a regular file with ", num, 0, f);
		put(strlen(msg), " hard links (refused: one may be another file of the host)");
		return -1;
	}
	/* reopen what was checked: the fd's magic link names that inode */
	put_num(num, sizeof num, (unsigned long)pfd);
	memcpy(self, "/proc/self/fd/", 15);
	memcpy(self + 14, num, strlen(num) + 1);
	fd = open(self, wflags | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)   /* no /proc: by name, then compare */
		fd = open_how(path, wflags, 0);
	err = errno;
	close(pfd);
	if (fd < 0)
		return fail(&t, "cannot open it for writing", NULL, err, f);
	if (fstat(fd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino ||
	    !S_ISREG(st2.st_mode)) {
		close(fd);
		return fail(&t, "it changed while being opened", NULL, 0, f);
	}
	/* truncation only now that the file is known to be the unit's own */
	if (!append && ftruncate(fd, 0) < 0) {
		err = errno;
		close(fd);
		return fail(&t, "cannot truncate it", NULL, err, f);
	}
	return fd;
}
