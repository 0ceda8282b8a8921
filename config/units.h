/* A unit folder: every NAME.unit, then dependency checks across units
 * (unknown names, cycles). Bad units are reported and left out; the good
 * ones are kept (the caller decides what to do). */
#ifndef SBX_UNITS_H
#define SBX_UNITS_H

#include "diag.h"
#include "spec.h"

struct unit_set {
	struct spec **units;   /* good units, in name order */
	size_t n, cap;
	char (*bad)[UNIT_NAME_MAX + 1];   /* names of units that had errors */
	size_t n_bad;
};

/* Add every NAME.unit of dir. -1 (reported to d) if dir cannot be read. */
int units_add_dir(struct unit_set *set, const char *dir, struct diag *d);
/* Add one file; a second unit with the same name is an error. */
int units_add_file(struct unit_set *set, const char *path, struct diag *d);
/* Check After=/Requires= across the set: unknown or bad units, cycles
 * (named in the message). Units with such errors move to the bad list.
 * O(V + E log V) for V units and E dependencies, cycles included. */
void units_check_deps(struct unit_set *set, struct diag *d);
struct spec *units_find(const struct unit_set *set, const char *name);
void units_free(struct unit_set *set);

#endif
