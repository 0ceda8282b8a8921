/* The control protocol between sandboxctl and PID 1: what both sides must
 * agree on, and nothing of either side's inside. The client (ctl/) and the
 * server (init/control*.c) include this; the client includes no header of
 * the server.
 *
 * A connection carries one request line: printable ASCII, words separated
 * by single spaces, ending in '\n', at most CONTROL_REQ_MAX bytes:
 *   status [UNIT] | status-json [UNIT] | start UNIT | stop UNIT |
 *   restart UNIT | reset-failed UNIT | logs UNIT N F | reload [UNIT] |
 *   kill UNIT SIG WHOM | poweroff | reboot | halt
 * (logs: N lines, 0 = all; F 1 = follow. reload without UNIT re-reads
 * the unit folder; with one it runs its ExecReload= (the reply comes
 * when it ended) or sends its ReloadSignal=. kill: SIG a signal number
 * 1..64, WHOM "main" (the service's main process) or "all" (every
 * process of the unit), as systemctl kill). UNIT is a unit name as
 * unit_name_normalize() gives it. The reply is "CODE\n" (below; also
 * sandboxctl's exit status), then the body (text, JSON or an error
 * message), then the server closes; `logs ... 1` stays open and pushes
 * new lines. */
#ifndef SBX_CONTROL_PROTO_H
#define SBX_CONTROL_PROTO_H

#include <stddef.h>

#define CONTROL_SOCK_NAME "control.sock"   /* in the run folder */
#define CONTROL_REQ_MAX 4096               /* one request line, its '\n' included */
/* `logs -f` connections at once: the server keeps its other slots for
 * short requests, so that a flood of followers never locks the admin out */
#define CONTROL_MAX_FOLLOW 8
#define CONTROL_MAX_FOLLOW_STR "8"         /* for help texts */

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
	CTLV_KILL,
};
#define CTLV_COUNT (CTLV_KILL + 1)

/* The words that follow a verb. */
enum control_args {
	CONTROL_ARGS_NONE,
	CONTROL_ARGS_UNIT_OPT,   /* [UNIT] */
	CONTROL_ARGS_UNIT,       /* UNIT */
	CONTROL_ARGS_LOGS,       /* UNIT N F */
	CONTROL_ARGS_KILL,       /* UNIT SIG WHOM */
};

/* The verb's word on the wire ("status-json"); NULL past CTLV_COUNT. */
const char *control_verb_word(enum control_verb v);
enum control_args control_verb_args(enum control_verb v);
/* The verb whose word is the n bytes at w, or -1. */
int control_verb_find(const char *w, size_t n);

/* "<run dir>/control.sock", the run dir being $SANDBOXD_RUN_DIR or
 * CONFIG_RUN_DIR. -1 when it does not fit in a sockaddr_un. */
int control_socket_path(char *buf, size_t len);

#endif
