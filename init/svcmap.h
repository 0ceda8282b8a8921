/* The supervisor's units: a growable array (no fixed count: units are
 * limited by memory alone) and two chained hash indexes, by name and by
 * the main process's pid, so that reaping a child or answering a request
 * never scans every unit. */
#ifndef SBX_SVCMAP_H
#define SBX_SVCMAP_H

#include <sys/types.h>

#include "sup.h"

/* Append s; -1 (e says so) when memory is short: the caller fails that
 * unit alone. */
int svcmap_add(struct sup *sv, struct svc *s, struct err *e);
/* Take s out of both indexes (before freeing it; the caller compacts
 * the array). */
void svcmap_unlink(struct sup *sv, struct svc *s);
/* s's main process is now pid (0: none): moves it in the pid index. */
void svcmap_set_pid(struct sup *sv, struct svc *s, pid_t pid);
struct svc *svcmap_by_pid(struct sup *sv, pid_t pid);
/* The unit of that (normalized) name that reload has not removed. */
struct svc *svcmap_by_name(struct sup *sv, const char *name);
void svcmap_free(struct sup *sv);

#endif
