/* StandardOutput=file:PATH / append:PATH, opened by PID 1. The file sits
 * where the unit may write (its folder is often bound in), so the unit
 * can swap it between two starts for a symlink to a host file, a FIFO
 * that nobody drains, a device or a hard link: PID 1 must then refuse,
 * never truncate or write through it, never block on it (issue #9 item 6). */
#ifndef SBX_OUTFILE_H
#define SBX_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Open path for writing (append, or truncated once it is known to be
 * safe): no symlink in any component (RESOLVE_NO_SYMLINKS), a regular
 * file with a single link, created 0640 when missing. The fd (O_CLOEXEC,
 * O_NONBLOCK), or -1 with why (the reason, not the path) in why. */
int outfile_open(const char *path, bool append, char *why, size_t len);

#endif
