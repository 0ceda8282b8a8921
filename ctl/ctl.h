/* sandboxctl: the command-line verbs (check, spec, run, ...). */
#ifndef SBX_CTL_H
#define SBX_CTL_H

#include <stddef.h>

int ctl_main(int argc, char **argv);

/* FILE|NAME -> the unit file's path: a path (has '/', or an existing
 * NAME.unit) as is, else DIR/NAME.unit (DIR NULL = CONFIG_UNIT_DIR).
 * -1 if arg is neither. */
int ctl_unit_path(const char *arg, const char *dir, char *out, size_t len);

#endif
