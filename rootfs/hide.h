/* Host folders no unit may see (the run folder with its status files and
 * seccomp cache, the unit folder): each is covered with an empty read-only
 * tmpfs in the sandbox's own copy of the host's mount tree, right after it
 * was made private, so that everything later bound from that tree
 * (RootDirectory=, BindPaths=/run ...) carries the cover. A unit with
 * ControlAccess=yes gets PID 1's control socket bound back, alone, at its
 * path inside the cover. Child side: no allocation. */
#ifndef SBX_ROOTFS_HIDE_H
#define SBX_ROOTFS_HIDE_H

#include "fail.h"

/* hide: NULL-ended host paths (missing ones are skipped); sock: NULL or
 * the socket to re-expose when it sits directly in one of them. *sockfd
 * gets an O_PATH fd of that socket (opened before the cover), or -1. */
int rootfs_hide(const char *const *hide, const char *sock, int *sockfd, struct step_fail *f);

/* After the unit's own mounts, without a RootDirectory: if one of them
 * (a private /run, say) covered the socket's path, bind sockfd there
 * again, inside the unit's mount. Nothing when the path already is the
 * socket. */
int rootfs_expose_sock(int rootfd, const char *sock, int sockfd, struct step_fail *f);

#endif
