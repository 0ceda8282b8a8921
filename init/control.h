/* PID 1's side of sandboxctl: a unix socket at <run dir>/control.sock
 * (mode 0600, root peers only, and of those only the ones outside every
 * unit or in a unit with ControlAccess=yes: peer.h), one request line per
 * connection, replies
 * buffered and written as the socket allows so that PID 1 never blocks on
 * a client. The protocol and the parser are pure and exposed for tests.
 *
 * Request: one line of printable ASCII, words separated by single spaces,
 * ending in '\n', at most CONTROL_REQ_MAX bytes:
 *   status [UNIT] | status-json [UNIT] | start UNIT | stop UNIT |
 *   restart UNIT | reset-failed UNIT | logs UNIT N F | reload |
 *   poweroff | reboot | halt
 * (logs: N lines, 0 = all; F 1 = follow). Reply: "CODE\n" (the exit status
 * for sandboxctl, below), then the body (text, JSON or an error message),
 * then the server closes; `logs ... 1` stays open and pushes new lines. */
#ifndef SBX_CONTROL_H
#define SBX_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "../config/spec.h"
#include "../lib/err.h"

struct sup;
struct svc;

#define CONTROL_SOCK_NAME "control.sock"
#define CONTROL_REQ_MAX 4096           /* one request line, its '\n' included */
#define CONTROL_MAX_CONN 16
/* `logs -f` connections at once: the rest of the slots stay for short
 * requests, so that a flood of followers never locks the admin out */
#define CONTROL_MAX_FOLLOW 8
#define CONTROL_MAX_FOLLOW_STR "8"   /* for help texts */
_Static_assert(CONTROL_MAX_FOLLOW < CONTROL_MAX_CONN, "followers leave slots for requests");
#define CONTROL_IDLE_MS 5000           /* no request (or no progress) -> dropped */
/* Refused peers (a unit without ControlAccess=yes, a non-root caller) hold
 * at most this many slots, each for at most CONTROL_DENIED_MS, so that they
 * can never crowd out the administrator; past it they get the refusal and
 * are closed at once. */
#define CONTROL_MAX_DENIED 2
#define CONTROL_DENIED_MS 1000
_Static_assert(CONTROL_MAX_FOLLOW + CONTROL_MAX_DENIED < CONTROL_MAX_CONN,
	       "followers and refused peers leave slots for requests");
#define CONTROL_REPLY_MAX (1u << 20)   /* reply bytes held per connection */

/* Reply codes, also sandboxctl's exit status. */
enum {
	CONTROL_OK = 0,
	CONTROL_FAILED = 1,
	CONTROL_BAD_REQUEST = 2,
	CONTROL_NOT_FOUND = 3,
	CONTROL_UNREACHABLE = 4,   /* cannot reach PID 1 (client side) ... */
	CONTROL_REFUSED = 4,       /* ... or PID 1 refuses this caller */
};

enum control_verb {
	CTLV_STATUS,
	CTLV_STATUS_JSON,
	CTLV_START,
	CTLV_STOP,
	CTLV_RESTART,
	CTLV_RESET_FAILED,
	CTLV_LOGS,
	CTLV_RELOAD,
	CTLV_POWEROFF,
	CTLV_REBOOT,
	CTLV_HALT,
};

struct control_req {
	enum control_verb verb;
	bool has_unit;
	char unit[UNIT_NAME_MAX + 1];   /* normalized ("web.unit" -> "web") */
	unsigned long lines;            /* logs: 0 = all */
	bool follow;                    /* logs */
};

/* Parse one request line (without its '\n'). 0, or a reply code
 * (CONTROL_BAD_REQUEST) with the reason in msg. Pure: any bytes, any len. */
int control_parse(const char *line, size_t len, struct control_req *r, char *msg,
		  size_t msglen);

/* "<run dir>/control.sock", the run dir being $SANDBOXD_RUN_DIR or
 * CONFIG_RUN_DIR. -1 when it does not fit in a sockaddr_un. */
int control_socket_path(char *buf, size_t len);

/* Listen on path (never an abstract socket) and serve from sv->loop. A
 * live socket of another supervisor is an error; a stale one is replaced. */
int control_open(struct sup *sv, const char *path, struct err *e);
/* The unit's log got lines: push them to its `logs -f` followers. */
void control_log_appended(struct sup *sv, struct svc *s);
/* Reload removed the unit (it is about to be freed): its followers get
 * a last line and are closed; those of a unit replaced under the same
 * name follow the new one. */
void control_unit_gone(struct sup *sv, struct svc *s);
/* Shutdown: drop every connection, close and unlink the socket. */
void control_close_all(struct sup *sv);

#endif
