/* `sandboxctl check --root DIR`: the paths a unit names, looked up in the
 * image tree DIR that will be the appliance's "/" (on the build host,
 * before the image is made). The caller loads the units with
 * ids_set_resolve_at_load(false) and ids_set_image_root(DIR); this checks:
 *   User=, Group=, SupplementaryGroups=
 *                              in the unit's tree (ids_resolve), after
 *                              RootDirectory= is known to be there;
 *   RootDirectory=             a folder of DIR, reached without a symlink
 *                              (the launcher follows none);
 *   ExecStart= and the Exec*= lists
 *                              a regular file, executable by the unit's
 *                              uid/gids, in the unit's own tree (DIR, or
 *                              DIR + RootDirectory=, symlinks resolved inside
 *                              it: RESOLVE_IN_ROOT), through the unit's binds;
 *   WorkingDirectory=          a folder there;
 *   BindPaths= sources, EnvironmentFile= (not "-")
 *                              in DIR (the launch child reads them from the
 *                              appliance's tree).
 * A path under what only exists at run time (/proc, /sys, /dev, /run, a
 * TemporaryFileSystem=, a unit's private /tmp and /run, the *Directory=
 * folders) cannot be checked and is skipped. Problems go to d as
 * "FILE:LINE: [Section] Key: ...", like every other check. */
#ifndef SBX_ROOTCHECK_H
#define SBX_ROOTCHECK_H

#include "diag.h"
#include "spec.h"

/* imagefd: O_PATH fd of DIR; image: DIR as given, for messages.
 * Fills s's uid, gid and groups. The number of problems found in s. */
unsigned rootcheck_unit(struct spec *s, int imagefd, const char *image, struct diag *d);

#endif
