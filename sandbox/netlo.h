/* The network namespace of a sandbox, set up by the launch child: the
 * loopback interface brought up in a private one (as systemd's
 * PrivateNetwork= does: a service may listen on 127.0.0.1 and its own
 * processes reach it), or the named namespace of NetworkNamespacePath=
 * entered instead of a new one (lo is then the namespace owner's). */
#ifndef SBX_NETLO_H
#define SBX_NETLO_H

#include "../rootfs/fail.h"

/* "lo" up in the caller's network namespace (CAP_NET_ADMIN over it). */
int sbx_net_lo_up(struct step_fail *f);

/* Enter the network namespace file at path (ip netns add's
 * /run/netns/NAME, a bind mount of nsfs), resolved in the caller's mount
 * tree without magic links (no /proc/PID/ns/net, which a dying process's
 * reused pid could turn into another one) and not through a last
 * symlink; anything but a network namespace is refused. */
int sbx_net_enter_path(const char *path, struct step_fail *f);

#endif
