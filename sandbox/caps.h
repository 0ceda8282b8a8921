/* Credentials and capabilities of the service, child side, in this order:
 * drop from the bounding set every capability not asked for; set the
 * supplementary groups to exactly the asked list (even empty:
 * CVE-2023-25173), the gid, then the uid keeping capabilities across it;
 * then effective = permitted = the asked set. Inheritable stays empty for
 * root (CVE-2022-29162); a non-root user gets the set as inheritable and
 * ambient, the only way capabilities survive its execve. */
#ifndef SBX_CAPS_H
#define SBX_CAPS_H

#include "../config/spec.h"
#include "../rootfs/fail.h"
#include "userdb.h"

/* s for the capabilities; ids (sbx_ids_resolve) for the credentials. */
int sbx_creds_apply(const struct spec *s, const struct sbx_ids *ids, struct step_fail *f);

#endif
