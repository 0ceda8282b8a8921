/* Small files of the kernel's (procfs, /etc/hostname at boot) read whole
 * into a caller's buffer, and the escapes of /proc/self/mountinfo. One copy
 * for PID 1, the peer checks, the cgroup cap and the launcher's plan. */
#ifndef SBX_PROCFS_H
#define SBX_PROCFS_H

#include <sys/types.h>

/* Read path (relative to dirfd, or absolute with AT_FDCWD) whole into buf,
 * NUL-terminated, without blocking; its length, or -1 with errno set when
 * it cannot be read or does not fit (EFBIG). */
ssize_t procfs_read(int dirfd, const char *path, char *buf, size_t size);

/* In place: the octal escapes (\040 for a blank, \134 for a backslash) of a
 * mountinfo path. */
void mountinfo_unescape(char *s);

#endif
