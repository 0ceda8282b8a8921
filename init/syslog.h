/* /dev/log per unit (issue #11): PID 1's datagram socket for each unit
 * (made with its notify socket, init/notify.c), bound at /dev/log in its
 * sandbox. Each datagram is one syslog message; its priority is kept with
 * the line in the unit's log ring (LOGBUF_SYSLOG(pri)), as journald
 * keeps it, and `logs` shows it: "<daemon.err> redis[12]: text".
 * On by default (SyslogSocket=). Without a mount namespace the unit has
 * no /dev/log of its own: it would write the host's. */
#ifndef SBX_SYSLOG_H
#define SBX_SYSLOG_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"

struct sup;
struct svc;

#define SYSLOG_MSG_MAX 8192          /* longer datagrams are cut (counted) */
#define SYSLOG_RCVBUF (128 * 1024)
#define SYSLOG_DEFAULT_PRI 13        /* user.notice: RFC 3164 for a message without <PRI> */

/* The loop's callback for s->sock->log_w (ctx: the unit). */
void syslog_on_readable(struct loop_watch *w, uint32_t events);
/* Read what the socket holds once (the unit is going down). */
void syslog_drain(struct sup *sv, struct svc *s);

/* One datagram as it is stored (pure: tests): the text from the first
 * NUL on and trailing newlines dropped, then <PRI> read (absent or
 * malformed: SYSLOG_DEFAULT_PRI and the text whole), then
 * - RFC 3164 as syslog(3) writes it, "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG":
 *   the timestamp goes, "TAG[PID]: MSG" stays;
 * - RFC 5424, "<PRI>1 TIME HOST APP PROCID MSGID SD MSG": "APP[PROCID]: MSG"
 *   ("-" fields left out, a UTF-8 BOM before MSG dropped).
 * out has room for len bytes plus 2 (what "<PRI>" and the fields it
 * replaces always cover). Returns the length written to out; *pri gets
 * the priority (facility * 8 + severity). */
size_t syslog_parse(const char *msg, size_t len, int *pri, char *out);

/* "daemon.err", "local3.debug", "auth.notice": the priority as `logs`
 * shows it, into buf (at least SYSLOG_PRI_NAME_MAX bytes). */
#define SYSLOG_PRI_NAME_MAX 24
const char *syslog_pri_name(int pri, char *buf);

#endif
