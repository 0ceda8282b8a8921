/* PID 1's console: every line (PID 1's own, and units' with
 * StandardOutput=console) goes through one bounded queue, written
 * non-blocking and drained on EPOLLOUT, so that a console that does not
 * drain (a slow or flow-controlled serial line) can never stall PID 1
 * (issue #9 item 9). A line that does not fit is dropped whole and
 * counted; the next line that fits is preceded by
 * "[sandboxd: N bytes dropped]". Text is escaped as `sandboxctl logs`
 * escapes it (sf_escape): a unit's terminal escape sequences never reach
 * the console raw (item 13). */
#ifndef SBX_CONSOLE_H
#define SBX_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"

#define CONSOLE_QUEUE (64 * 1024)    /* bytes waiting for the console */
#define CONSOLE_BUDGET (16 * 1024)   /* bytes written per call or wake-up */
#define CONSOLE_TEXT_MAX 1024        /* text bytes per line; longer is cut */
#define CONSOLE_RESERVE (8 * 1024)   /* of the queue, for PID 1's own lines */

/* Write to fd from now on. own_fd: fd is ours alone (PID 1's
 * /dev/console): made non-blocking. Otherwise (stderr of `sandboxd
 * --units`) a private non-blocking open of the same file is tried, so
 * that the caller's file description keeps its flags. */
void console_init(int fd, bool own_fd);
/* Drain on EPOLLOUT from now on (before: at each new line only). */
void console_attach(struct loop *l);
/* One line: prefix (ours, as is), text (escaped, cut at
 * CONSOLE_TEXT_MAX), then '\n'. Never blocks. A unit's line (own false)
 * may not take the last CONSOLE_RESERVE bytes of the queue: a flooding
 * unit cannot silence PID 1's own messages. */
void console_line(const char *prefix, const char *text, size_t len, bool own);
/* Shutdown: write what is queued, waiting at most max_ms in all. */
void console_flush(int max_ms);
/* Bytes dropped since the start (tests, status). */
uint64_t console_dropped(void);

#endif
