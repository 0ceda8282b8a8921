/* PROVISIONAL (the lead's stand-in until helper-6's ctl_remote.h lands). */
#ifndef SBX_CTL_REMOTE_H
#define SBX_CTL_REMOTE_H

int ctl_remote(int argc, char **argv);

#endif
