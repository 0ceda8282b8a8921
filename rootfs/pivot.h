/* Switch the calling process's root to the tree at rootfd. */
#ifndef SBX_ROOTFS_PIVOT_H
#define SBX_ROOTFS_PIVOT_H

#include "fail.h"

/* pivot_root(".", ".") from inside rootfd, then detach the old root that
 * is stacked on top, so nothing of the host's tree stays reachable. `root`
 * only names it in errors. Kernel gotcha: pivot_root fails with EINVAL
 * while the current root is the initramfs rootfs (PID 1 moves itself to a
 * tmpfs first). */
int rootfs_pivot(int rootfd, const char *root, struct step_fail *f);

#endif
