/* The clocks in milliseconds: one copy for PID 1, the control socket, the
 * boot and the client. Monotonic for durations and deadlines (never goes
 * back, does not count suspend); real (wall) time only for what is shown
 * to people (log lines, "since", "at"). */
#ifndef SBX_CLOCK_H
#define SBX_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in ms. */
int64_t clock_mono_ms(void);
/* CLOCK_REALTIME in ms since the epoch. */
int64_t clock_real_ms(void);

#endif
