/* Who is a process to the supervisor: outside every unit (the admin, the
 * kernel's helpers), inside a unit (and which), or sandboxed somewhere we
 * cannot name. The control socket and the shutdown signals act on this,
 * not on uid 0: a unit's root is root too.
 *
 * How it tells, in order (each step reads procfs only, through a dirfd of
 * /proc/PID opened once, with bounded non-blocking reads: nothing here can
 * block PID 1):
 *  1. with cgroups, /proc/PID/cgroup: units live in
 *     /sys/fs/cgroup/CONFIG_CGROUP_ROOT/NAME, which names the unit;
 *  2. the parent chain (/proc/PID/stat) up to a unit's main process;
 *  3. the namespaces (/proc/PID/ns/ *) against PID 1's own: a process
 *     whose namespaces match a unit's main process is that unit's; one
 *     whose namespaces differ from ours is sandboxed, unit unknown.
 * A process that passes all three is outside every unit. What cannot be
 * told apart without cgroups: a unit with no namespace at all whose
 * process left its parent chain (double fork, reparented to us).
 *
 * Pid reuse: with a pidfd of the process (SO_PEERPIDFD, Linux 6.5) the
 * /proc/PID dirfd is checked to be that process after opening it; without
 * one, the window is between the peer's connect() and our accept(). */
#ifndef SBX_PEER_H
#define SBX_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../config/spec.h"

struct sup;

enum peer_kind {
	PEER_OUTSIDE,     /* in no unit: PID 1's own namespaces and no unit's cgroup */
	PEER_UNIT,        /* inside the unit named in unit[] */
	PEER_SANDBOXED,   /* sandboxed (namespaces or cgroup), no loaded unit's */
	PEER_GONE,        /* exited, or its pid is not ours to see: cannot tell */
};

struct peer {
	enum peer_kind kind;
	pid_t pid;
	char unit[UNIT_NAME_MAX + 1];   /* PEER_UNIT */
	char how[160];                  /* what told it: for the messages */
};

/* Classify pid; pidfd (-1 when none) pins it against reuse. */
void peer_classify(struct sup *sv, pid_t pid, int pidfd, struct peer *p);

/* May this peer command the supervisor? Outside every unit, or inside a
 * unit with ControlAccess=yes. When not, why (naming the peer) in msg. */
bool peer_may_control(struct sup *sv, const struct peer *p, char *msg, size_t len);

/* "ok: outside every unit" / "unit web" / ...: for logs. */
const char *peer_kind_name(enum peer_kind k);

#endif
