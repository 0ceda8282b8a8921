/* sandboxctl's verbs that talk to the running supervisor over its control
 * socket: status, start, stop, restart, reset-failed, logs, reload,
 * poweroff, reboot, halt. */
#ifndef SBX_CTL_REMOTE_H
#define SBX_CTL_REMOTE_H

#include <stdbool.h>

/* Lines for sandboxctl's command list. */
extern const char ctl_remote_usage[];

/* True for the verbs ctl_remote() handles. */
bool ctl_remote_handles(const char *verb);

/* argv[0] is the verb. Returns the exit status: 0 ok, 1 failed operation,
 * 2 usage, 3 unit not found, 4 cannot reach PID 1. */
int ctl_remote(int argc, char **argv);

#endif
