/* Writing small files: all of a buffer to an fd, and a file replaced whole
 * (a temp file beside it, then rename) so that a reader sees the old
 * content or the new, never half. For PID 1's state files (status, pid,
 * config.json) and the client's output. */
#ifndef SBX_WFILE_H
#define SBX_WFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Write all n bytes (EINTR retried). 0, or -1 with errno set (EIO when a
 * write made no progress). A non-blocking fd that would block fails with
 * EAGAIN: use it on files and on fds that may block. */
int wfile_write_all(int fd, const void *p, size_t n);

/* A fresh temp file ".NAME.tmp" in dirfd, its name in tmp: an existing
 * file or link of that name is removed first and never opened (O_EXCL,
 * O_NOFOLLOW). The fd, or -1 (errno). */
int wfile_begin(int dirfd, const char *name, char *tmp, size_t tmplen, mode_t mode);
/* Close fd; when ok, rename tmp over name; else, or when the rename
 * fails, remove tmp. 0, or -1 (errno; 0 for !ok). */
int wfile_commit(int dirfd, int fd, const char *tmp, const char *name, bool ok);

/* NAME in dirfd replaced by data: begin, write, commit. */
int wfile_replace(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		  struct err *e);

#endif
