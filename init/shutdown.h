/* PROVISIONAL (the lead's stand-in until helper-7's shutdown.h lands). */
#ifndef SBX_SHUTDOWN_H
#define SBX_SHUTDOWN_H

#include "sup.h"

void shutdown_run(struct sup *sv, enum shutdown_kind how);

#endif
