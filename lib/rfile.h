/* Reading a whole small file, one read loop for every kind:
 * - rfile_read(): a file that someone else controls (a unit file, a
 * drop-in, a rootfs's /etc/passwd) without ever blocking or acting on what
 * is not a regular file: it is looked up with O_PATH (no open of a FIFO or
 * a device ever happens), checked with fstat, and only a regular file is
 * reopened for reading through that same fd, non-blocking, with no
 * controlling terminal (issue #9, item 8);
 * - procfs_read() (lib/procfs.h): a file of the kernel's into a caller's
 *   buffer, with no allocation;
 * both read through rfile_read_fd(). */
#ifndef SBX_RFILE_H
#define SBX_RFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rfile {
	char *text;          /* malloc'd, NUL-terminated; the caller frees it */
	size_t len;
	int errnum;          /* on failure: errno of the step that failed, or 0 */
	const char *why;     /* on failure: a static description when errnum is 0 */
};

/* path relative to dirfd (AT_FDCWD for the current folder), resolved with
 * openat2's `resolve` flags (0 = plain openat: symlinks followed). Files
 * over max bytes are refused with why = "too large". 0 or -1. */
int rfile_read(int dirfd, const char *path, uint64_t resolve, size_t max, struct rfile *f);

/* Read the open fd to its end into buf (size - 1 bytes at most, then a
 * NUL); EINTR is retried. Its length, or -1 with errno set: EFBIG when
 * the content does not fit. The fd stays open. */
ssize_t rfile_read_fd(int fd, char *buf, size_t size);

#endif
