/* The end of PID 1: stop the units, end every other process, sync, unmount
 * and reboot(2). */
#ifndef SBX_SHUTDOWN_H
#define SBX_SHUTDOWN_H

#include "sup.h"

/* Grace period between SIGTERM and SIGKILL to the processes left after
 * the units stopped, and the wait for them to die after SIGKILL. */
#define SHUTDOWN_GRACE_MS 2000
#define SHUTDOWN_KILL_WAIT_MS 1000

/* Stop every unit (dependants first, in parallel, each with its KillSignal
 * and TimeoutStopSec, while the loop keeps running), bounded by the longest
 * TimeoutStopSec + 1 s. Then, as PID 1 only: SIGTERM + SIGCONT to every
 * process, SHUTDOWN_GRACE_MS, SIGKILL, sync, unmount (or remount read-only)
 * and reboot(2) as `how` says (SHUTDOWN_NONE powers off); it does not
 * return. Not as PID 1 it returns once the units are stopped, so that the
 * caller exits. */
void shutdown_run(struct sup *sv, enum shutdown_kind how);

#endif
