/* Namespaces of a sandbox: which clone flags, the user namespace's id maps
 * (written by the parent), and the steps the child takes itself. */
#ifndef SBX_NS_H
#define SBX_NS_H

#include <stdint.h>
#include <sys/types.h>

#include "../lib/err.h"
#include "../rootfs/fail.h"

/* CLONE_NEW* for the NS_BIT() set, except CLONE_NEWCGROUP: the child
 * unshares that one itself once it is in its cgroup, so that the cgroup
 * namespace's root is the unit's own group (see sbx_ns_child_cgroup). */
uint64_t sbx_ns_clone_flags(unsigned namespaces);

/* User namespace maps: uids and gids 0..65535 map to themselves. The
 * sandbox's root is the host's uid 0 for file ownership (its rootfs and
 * binds need no chown), but its capabilities only count inside its own
 * namespaces: it cannot load modules, change the host's clock or mount
 * what an unprivileged user could not. Parent side, before "go". */
#define SBX_USERNS_MAP "0 0 65536\n"
int sbx_ns_write_maps(pid_t pid, struct err *e);

/* Child side, once the parent has put it into its cgroup. */
int sbx_ns_child_cgroup(unsigned namespaces, struct step_fail *f);
int sbx_ns_hostname(unsigned namespaces, const char *hostname, struct step_fail *f);

#endif
