/* The sandbox's /dev: a fresh tmpfs with the usual character devices, its
 * own devpts, shm and mqueue, and the fd/stdin/stdout/stderr links. Nothing
 * of the rootfs's own /dev is used, so a rootfs whose dev/null or dev/pts
 * is a symlink cannot redirect a mount (CVE-2025-31133, CVE-2025-52565). */
#ifndef SBX_ROOTFS_DEV_H
#define SBX_ROOTFS_DEV_H

#include <stdbool.h>

#include "fail.h"

enum rootfs_dev { DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM, DEV_TTY, DEV_COUNT };

/* O_PATH fd of the host's /dev/NAME, opened before pivot_root and checked
 * with fstat to be the expected character device (1:3 for null ...). */
int rootfs_host_dev(enum rootfs_dev d, struct step_fail *f);

/* Build /dev inside rootfd (child side, before pivot_root); ns is the
 * sandbox's NS_BIT() set: /dev/mqueue only with an IPC namespace, host
 * nodes bound instead of made in a user namespace. *nullfd gets
 * the sandbox's /dev/null mount (a bind of the checked host node), the
 * source for masking files later; *devmnt the /dev tmpfs mount, which
 * must still be the root's /dev after pivot_root. */
int rootfs_dev_setup(int rootfd, unsigned ns, int *nullfd, int *devmnt, struct step_fail *f);

#endif
