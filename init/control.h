/* PID 1's side of sandboxctl: a unix socket at <run dir>/control.sock
 * (mode 0600, root peers only, and of those only the ones outside every
 * unit or in a unit with ControlAccess=yes: peer.h), one request line per
 * connection (the protocol: lib/control_proto.h), replies buffered and
 * written as the socket allows so that PID 1 never blocks on a client.
 * The request parser is pure and exposed for tests. */
#ifndef SBX_CONTROL_H
#define SBX_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "../config/spec.h"
#include "../lib/control_proto.h"
#include "../lib/err.h"

struct sup;
struct svc;

#define CONTROL_MAX_CONN 16
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
/* `reload UNIT` waits for ExecReload= (bounded at 90 s by the supervisor);
 * this only bounds the wait should no answer ever come */
#define CONTROL_WAIT_MS 100000

struct control_req {
	enum control_verb verb;
	bool has_unit;
	char unit[UNIT_NAME_MAX + 1];   /* normalized ("web.unit" -> "web") */
	unsigned long lines;            /* logs: 0 = all */
	bool follow;                    /* logs */
	int signo;                      /* kill */
	bool all;                       /* kill: every process of the unit, not the main one */
};

/* Parse one request line (without its '\n'). 0, or a reply code
 * (CONTROL_BAD_REQUEST) with the reason in msg. Pure: any bytes, any len. */
int control_parse(const char *line, size_t len, struct control_req *r, char *msg,
		  size_t msglen);

/* Listen on path (never an abstract socket) and serve from sv->loop. A
 * live socket of another supervisor is an error; a stale one is replaced. */
int control_open(struct sup *sv, const char *path, struct err *e);
/* The unit's log got lines: push them to its `logs -f` followers. */
void control_log_appended(struct sup *sv, struct svc *s);
/* Reload removed the unit (it is about to be freed): its followers get
 * a last line and are closed; those of a unit replaced under the same
 * name follow the new one. */
void control_unit_gone(struct sup *sv, struct svc *s);
/* ExecReload= of s ended: the clients of `reload UNIT` waiting on it get
 * their reply (ok: 0, else 1 and why). */
void control_unit_reloaded(struct sup *sv, struct svc *s, bool ok, const char *why);
/* Shutdown: drop every connection, close and unlink the socket. */
void control_close_all(struct sup *sv);

#endif
