/* `sandboxctl run`: one unit in the foreground, without PID 1. */
#ifndef SBX_CTL_RUN_H
#define SBX_CTL_RUN_H

int ctl_run(int argc, char **argv);

#endif
