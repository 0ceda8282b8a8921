/* Paths inside a rootfs, resolved as if the rootfs were "/": absolute
 * symlinks and ".." cannot climb out of it (openat2 RESOLVE_IN_ROOT), and
 * magic links (/proc/self/fd/N ...) are refused. Every mount destination,
 * masked and read-only path goes through here into an O_PATH fd that the
 * mount then targets; no path string is resolved a second time. The
 * rootfs_open/rootfs_mkpath half runs in the launch child: no allocation. */
#ifndef SBX_ROOTFS_RESOLVE_H
#define SBX_ROOTFS_RESOLVE_H

#include <stddef.h>

#include "fail.h"

enum rootfs_kind { ROOTFS_DIR, ROOTFS_FILE };

/* "/a/./b//../c" -> "/a/c"; ".." never goes above "/". The result is only a
 * spelling: resolution still happens inside the root. Parent side; -1 when
 * in is not absolute or out is too small. */
int rootfs_normalize(const char *in, char *out, size_t len);

/* O_PATH|O_CLOEXEC fd of path inside rootfd (plus extra open flags such as
 * O_DIRECTORY); -1 with f filled ("resolve", path, errno) on failure. */
int rootfs_open(int rootfd, const char *path, int oflags, struct step_fail *f);

/* As rootfs_open, but creates what is missing, one component at a time:
 * directories, and the last component as `kind` (an empty file for file
 * bind mounts). path must be normalized. A dangling symlink is not
 * followed to create its target (ELOOP). */
int rootfs_mkpath(int rootfd, const char *path, enum rootfs_kind kind, struct step_fail *f);

#endif
