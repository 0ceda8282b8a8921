/* Unit files -> struct spec. A unit is NAME.unit (INI, read with inih) plus
 * the drop-ins NAME.unit.d/ *.conf in lexical order. */
#ifndef SBX_UNIT_H
#define SBX_UNIT_H

#include <dirent.h>

#include "diag.h"
#include "spec.h"

/* Parse one unit file and its drop-ins. Returns the spec, or NULL when the
 * unit has errors (each reported to d) or memory ran out. */
struct spec *unit_load(const char *path, struct diag *d);

/* `sandboxctl check --root DIR` (dirfd: O_PATH of DIR; -1 goes back): unit
 * folders and files under DIR are opened inside it (RESOLVE_IN_ROOT), an
 * absolute symlink of the image never reaching the build host's files.
 * unit_opendir is opendir(3) with that rule. */
void unit_read_set_image(int dirfd, const char *dir);
DIR *unit_opendir(const char *path);

/* Parse unit text held in memory (no drop-ins, no user lookup in a
 * rootfs): for the fuzzer and tests. `file` names it in messages. */
struct spec *unit_parse_text(const char *name, const char *file, const char *text,
			     struct diag *d);

void spec_free(struct spec *s);

/* "web", "web.unit" -> "web"; 0, or -1 if not a valid unit name
 * (letters, digits, "-_.@", at most UNIT_NAME_MAX). */
int unit_name_normalize(const char *in, char out[UNIT_NAME_MAX + 1]);

#endif
