/* PID 1's per-unit datagram sockets in the sandbox (issue #11): the
 * notify socket at /dev/.notify (sandbox/launch.h's SBX_NOTIFY_PATH) and
 * the syslog socket at /dev/log, both in the sandbox's own /dev tmpfs
 * (dev.h), which exists whatever the unit's root. The host socket files
 * sit in PID 1's run folder, which the sandbox covers (hide.h): they are
 * opened O_PATH before the cover, checked to be sockets, and bound onto
 * empty files in /dev before /dev is made read-only. Child side: no
 * allocation. */
#ifndef SBX_ROOTFS_UNITSOCK_H
#define SBX_ROOTFS_UNITSOCK_H

#include "fail.h"

/* The file names in /dev; SBX_NOTIFY_PATH is "/dev/" ROOTFS_NOTIFY_NAME. */
#define ROOTFS_NOTIFY_NAME ".notify"
#define ROOTFS_LOG_NAME "log"

enum { UNITSOCK_NOTIFY, UNITSOCK_LOG, UNITSOCK_COUNT };

/* O_PATH fds of the host sockets (a NULL path: -1); -1 with f =
 * ("open", path, errno), or ENOTSOCK when a path is not a socket. */
int rootfs_unitsock_open(const char *const path[UNITSOCK_COUNT], int fd[UNITSOCK_COUNT],
			 struct step_fail *f);

/* Bind each open one onto /dev/NAME in devfd (the /dev tmpfs mount),
 * read-write (sendmsg needs the file), nosuid, nodev, noexec. */
int rootfs_unitsock_bind(int devfd, const int fd[UNITSOCK_COUNT], struct step_fail *f);

#endif
