/* PID 1's per-unit datagram sockets (issue #11): NOTIFY_SOCKET, in
 * systemd's sd_notify wire format (newline-separated VAR=VALUE in one
 * datagram), and /dev/log (init/syslog.c), made when the unit launches,
 * closed when it is down, so an idle unit costs nothing (s->sock NULL).
 *
 * Both live in the unit's folder RUN_DIR/units/NAME/ (notify, log), which
 * no unit sees: the launcher binds each alone into the sandbox (notify at
 * SBX_NOTIFY_PATH, log at /dev/log). A sender is known by the socket it
 * wrote to, never by a pid it claims; the kernel's SCM_CREDENTIALS pid
 * is checked to be a process of the unit besides (defence in depth).
 *
 * PID 1 never blocks on them: non-blocking, a bounded receive buffer, a
 * budget of messages per wake-up, fds a unit sends closed at once. */
#ifndef SBX_NOTIFY_H
#define SBX_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "loop.h"
#include "../lib/err.h"

struct sup;
struct svc;
struct sbx_launch_opts;

#define NOTIFY_MSG_MAX 4096      /* longer messages are dropped (counted), as systemd */
#define NOTIFY_STATUS_MAX 256    /* STATUS= kept: this many bytes with the NUL */

/* What a unit has while it is up: hung on s->sock. */
struct svc_sock {
	struct loop_watch notify_w, log_w;  /* fd -1: none */
	struct loop_watch pidfile_w;        /* PIDFile= reader's pipe (mainpid.c), fd -1: none */
	struct svc_sock *grave_next;        /* closed: freed outside the event batch */
	char *status;                       /* STATUS=, cleaned; NULL: none */
	uint64_t notify_msgs, notify_dropped;   /* accepted; dropped (too long, NUL, sender) */
	uint64_t log_msgs, log_dropped;         /* stored; dropped (empty, truncated counts too) */
	bool stopping, reloading;           /* STOPPING=1, RELOADING=1 seen (READY=1 clears reloading) */
	bool drop_said;                     /* the first drop of this run was logged */
};

/* Make s's sockets (once per run: later calls only fill o) and put their
 * host paths in o->notify_sock / o->log_sock (log only when the spec's
 * syslog_socket is on): static storage, valid until the next call, so
 * call it right before sbx_launch_begin(). When they cannot be made ("making its notify
 * socket PATH: ..."): -1 with e set for a Type=notify unit (it could
 * never be ready: the start fails), else logged and 0 with both NULL. */
int notify_open(struct sup *sv, struct svc *s, struct sbx_launch_opts *o, struct err *e);
/* s is down: read what the sockets hold once (log lines kept; notify
 * messages are not acted on any more: a READY=1 must not reach the next
 * start), close and unlink them, cancel a PIDFile= read; s->sock NULL.
 * The memory goes at notify_collect(). */
void notify_close(struct sup *sv, struct svc *s);
/* Free what notify_close() left: outside an event batch only (a later
 * event of the batch may point to a watch in it; sup_collect calls it). */
void notify_collect(void);

/* STATUS= text ("" when none), for status and status --json. */
const char *notify_status_text(const struct svc *s);
/* STOPPING=1 / RELOADING=1 seen in this run. */
bool notify_stopping(const struct svc *s);
bool notify_reloading(const struct svc *s);

/* One datagram, parsed (pure: tests). Lines are VAR=VALUE; the last
 * assignment of a variable wins, unknown ones are counted and ignored as
 * systemd ignores them. */
struct notify_msg {
	bool ready, stopping, reloading;
	bool has_status;
	bool has_mainpid;
	const char *status;      /* into the datagram; not NUL-terminated */
	size_t status_len;
	pid_t mainpid;           /* 0: MAINPID= was not a valid pid */
	unsigned ignored;        /* WATCHDOG=, EXTEND_TIMEOUT_USEC=, ERRNO=, BUSERROR=, FDSTORE=, ... */
	unsigned unknown;        /* lines sandboxd does not know, or without '=' */
};
/* 0, or -1 when the datagram is refused whole: longer than
 * NOTIFY_MSG_MAX, or with a NUL in it. */
int notify_parse(const char *buf, size_t len, struct notify_msg *m);
/* STATUS= as kept: at most NOTIFY_STATUS_MAX - 1 bytes, cut before a
 * UTF-8 sequence, control characters as '?'. out has NOTIFY_STATUS_MAX bytes. */
void notify_clean_status(const char *text, size_t len, char *out);

#endif
