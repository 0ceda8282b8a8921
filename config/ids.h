/* User=, Group= and SupplementaryGroups= names -> numbers, read from the
 * unit's own rootfs (/etc/passwd, /etc/group), or the system's when the
 * unit has no RootDirectory. The files are opened inside the rootfs with
 * RESOLVE_IN_ROOT, so a hostile rootfs cannot point us at host files. */
#ifndef SBX_IDS_H
#define SBX_IDS_H

#include <stdbool.h>

#include "diag.h"
#include "spec.h"

/* Fills s->uid, s->gid, s->groups; reports unknown names to d. */
int ids_resolve(struct spec *s, struct diag *d);

/* Whether unit_load() calls ids_resolve (default: yes, for `sandboxctl
 * check`, `spec` and `run` and the tests, which show the numbers and
 * report an unknown name with its file and line). The init turns it off
 * before it loads a unit: PID 1 never reads a file of a unit's rootfs
 * (issue #10: a hung NFS or FUSE mount there would stop it for good); the
 * launch child resolves the names instead (sandbox/userdb.h), and an
 * unknown name fails the start: "user redis: not found in ROOT/etc/passwd". */
void ids_set_resolve_at_load(bool on);
/* `sandboxctl check --root DIR`: look the names up in DIR/etc/passwd (DIR +
 * RootDirectory= for a unit that has one) instead of the running system's;
 * dirfd is an O_PATH fd of DIR, kept by the caller; -1 goes back. */
void ids_set_image_root(int dirfd, const char *dir);
bool ids_resolve_at_load(void);

#endif
