/* User=, Group= and SupplementaryGroups= names -> numbers, read from the
 * unit's own rootfs (/etc/passwd, /etc/group), or the system's when the
 * unit has no RootDirectory. The files are opened inside the rootfs with
 * RESOLVE_IN_ROOT, so a hostile rootfs cannot point us at host files. */
#ifndef SBX_IDS_H
#define SBX_IDS_H

#include "diag.h"
#include "spec.h"

/* Fills s->uid, s->gid, s->groups; reports unknown names to d. */
int ids_resolve(struct spec *s, struct diag *d);

#endif
