/* The control socket's inside, shared by init/control.c (connections,
 * listening, open/close) and init/control_req.c (what a request does).
 * Not for use outside those two files. */
#ifndef SBX_CONTROL_CONN_H
#define SBX_CONTROL_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "control.h"
#include "loop.h"
#include "status_fmt.h"

#if CONFIG_CONTROL_SOCKET
enum phase {
	PH_READING,     /* waiting for the request line */
	PH_WRITING,     /* the reply; closed once written */
	PH_FOLLOWING,   /* logs -f: open, lines pushed as they come */
	PH_WAITING,     /* reload UNIT: the reply when ExecReload= ended (follow_svc) */
};

struct conn {
	struct loop_watch w, tw;   /* socket, idle timer */
	bool used;
	bool denied;               /* the request gets only a refusal: deny_msg */
	char deny_msg[400];
	bool armed;                /* the idle timer runs */
	uint32_t events;           /* what the loop watches for now */
	unsigned gen;              /* bumped on close: callers detect reuse */
	enum phase phase;
	size_t req_len;
	char req[CONTROL_REQ_MAX];
	struct sf_buf out;
	char follow[UNIT_NAME_MAX + 1];
	const struct svc *follow_svc;   /* compared only: the unit may be gone */
	uint64_t follow_seq;
};

struct control_state {
	bool open;
	struct sup *sv;
	struct loop_watch lw;
	int spare_fd;              /* given up to accept() when out of fds */
	char path[sizeof ((struct sockaddr_un *)0)->sun_path];
	dev_t dev;
	ino_t ino;
	struct conn c[CONTROL_MAX_CONN];
};

/* zero: in .bss, not 70 KB of the binary; fds set by control_open */
extern struct control_state control;

/* The slot's idle timer: ms from now, 0 = off. */
void control_arm(struct conn *c, int ms);
/* Free the slot (the loop stops watching it; its gen changes). */
void control_conn_close(struct conn *c);
/* Write what the socket takes now; the rest when it drains. */
void control_flush(struct conn *c);
/* A reply: "CODE\n", then the body into c->out, then send. */
void control_reply_begin(struct conn *c, int code);
void control_reply_send(struct conn *c);
void control_reply_text(struct conn *c, int code, const char *msg);
/* A follower's queue drained: format more of its lines (control_req.c). */
void control_follow_refill(struct conn *c);
/* Wait for s's ExecReload= (PH_WAITING, bounded by CONTROL_WAIT_MS). */
void control_wait_for(struct conn *c, const struct svc *s);
/* One request line has come (control_req.c). */
void control_handle(struct conn *c, const char *line, size_t len);

#endif

#endif
