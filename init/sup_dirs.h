/* RuntimeDirectory= removal when a unit goes down (issue #11): the hook
 * of sup_act.c's cleanup. */
#ifndef SBX_SUP_DIRS_H
#define SBX_SUP_DIRS_H

#include <stdbool.h>

#include "sup.h"

/* Called once s's cgroup is gone, in place of raising EV_CGROUP_EMPTY:
 * when s has a RuntimeDirectory= to remove (RuntimeDirectoryPreserve=no,
 * or =restart and the unit is not restarting), start the remover
 * (sandbox/execdirs.h) and return true: EV_CGROUP_EMPTY is raised once
 * it exited, or after its bound (logged). False: nothing to wait for,
 * the caller raises it now. */
bool sup_dirs_remove(struct sup *sv, struct svc *s);

/* Free the records of removers that are done: between two loop batches
 * (sup_collect), never from a callback. */
void sup_dirs_collect(void);

#endif
