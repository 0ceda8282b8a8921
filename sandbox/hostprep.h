/* What the launch child prepares from the host's side once User=/Group=
 * are resolved and before the rootfs is set up (issue #11): the numbers
 * of tmpfs uid=NAME/gid=NAME options, from the unit's root as the host
 * has it (userdb.h), and the RuntimeDirectory= ... folders (execdirs.h).
 * Child side: no allocation. */
#ifndef SBX_HOSTPREP_H
#define SBX_HOSTPREP_H

#include "../config/spec.h"
#include "../rootfs/fail.h"
#include "../rootfs/mounts.h"
#include "userdb.h"

/* p: the mount plan (NULL without a mount namespace), whose tmpfs
 * options and execdir fds are filled in. With NS_MOUNT in s but no plan
 * (a command joining the service's namespaces) nothing is done. */
int sbx_host_prepare(const struct spec *s, const struct sbx_ids *ids,
		     const struct rootfs_plan *p, struct step_fail *f);

#endif
