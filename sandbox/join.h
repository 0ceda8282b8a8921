/* Entering the namespaces of a running process instead of making new ones
 * (issue #11), in the launch child: JoinsNamespaceOf= (the network and
 * IPC namespaces of another unit's process) and the control commands run
 * in a running service (ExecStartPost=, ExecReload=, ExecStop=: all of
 * its namespaces, like `crun exec`).
 *
 * Always through the pidfd the caller holds (setns(pidfd, flags), Linux
 * 5.8), never /proc/PID/ns paths: the pidfd pins the process, so a
 * service that dies and whose pid is reused cannot send us into someone
 * else's namespaces. With a user namespace among them the kernel enters
 * it first and checks the others with the capabilities it gives, all or
 * nothing.
 *
 * The pid namespace is special: setns(CLONE_NEWPID) only moves the
 * caller's future children. The launch child, having entered everything,
 * becomes a relay: it clones the command with CLONE_PARENT (so the command
 * is the caller's child, and the caller reaps it and gets its status) into
 * the service's pid namespace, hands the caller the command's pid and a
 * pidfd of it (taken by clone3 itself: no pid race) on the launch socket,
 * waits for the caller's ack, releases the command and exits 0. See
 * launch.h for what the caller does with the handover. */
#ifndef SBX_JOIN_H
#define SBX_JOIN_H

#include <stdint.h>
#include <sys/types.h>

#include "../rootfs/fail.h"

/* CLONE_NEW* for setns of an NS_BIT() set, the cgroup namespace too. */
uint64_t sbx_join_setns_flags(unsigned join_ns);

/* setns(pidfd, flags), then close pidfd. */
int sbx_join_enter(int pidfd, uint64_t flags, struct step_fail *f);

/* The handover record on the launch socket (child.h has the others):
 * kind 'H', the command's pid in the caller's pid namespace, its pidfd
 * as SCM_RIGHTS. The caller answers with one byte, SBX_JOIN_ACK. */
#define SBX_JOIN_ACK 'a'

/* In the relay (after sbx_join_enter with CLONE_NEWPID): clone the
 * command. Returns 0 in the command, once the caller acked; -1 with f
 * when the clone failed (still the relay: report it). The relay itself
 * never returns. sock = the launch socket. */
int sbx_join_relay(int sock, struct step_fail *f);

#endif
