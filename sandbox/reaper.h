/* Init=yes: a tiny PID 1 for the sandbox, like `docker run --init`. It is
 * the launch child itself, forked (never re-exec'ed) from the same static
 * binary: it forks the service (PID 2), forwards SIGTERM SIGINT SIGHUP
 * SIGQUIT SIGUSR1 SIGUSR2 to it, reaps every orphan, and exits with the
 * service's status (128+N when signal N killed it).
 *
 * CVE-2019-5736 (a sandbox overwriting the runtime through /proc/PID/exe):
 * the reaper's /proc/1/exe is the host's sandboxd binary, so it must not be
 * reachable. The reaper is non-dumpable (PR_SET_DUMPABLE 0), which makes
 * /proc/1/exe, /proc/1/mem ... owned by root and openable only with
 * CAP_SYS_PTRACE over it (ptrace_may_access), and it runs with the
 * service's own uid, groups and capabilities, so the service gains
 * nothing by attacking it. A sandbox given CAP_SYS_PTRACE could still
 * reach it; that capability is not in the default set. ETXTBSY alone is
 * no guarantee (newer kernels no longer deny writes to running binaries),
 * and a memfd copy would cost milliseconds per start. The real PID 1 runs
 * from a read-only bind of its binary (init/seal.c). The reaper carries a
 * seccomp filter of its own, an allow list of the few calls it makes
 * (the unit's list need not allow wait4 or kill), so that even a sandbox
 * given CAP_SYS_PTRACE cannot make it do anything else. */
#ifndef SBX_REAPER_H
#define SBX_REAPER_H

#include "../rootfs/fail.h"

/* Type=forking (chan >= 0, the write end of launch.h's reaper channel):
 * the started process only forks the daemon. When it exits, the reaper
 * writes its wait status (one int) on chan and closes it, and stays:
 * the namespace dies with its init. It then forwards the signals it gets
 * to every process of the pid namespace (kill(-1): the daemon is one of
 * them, and the reaper does not know which) -- without a pid namespace
 * (a subreaper) to none: the supervisor signals the daemon itself --
 * reaps every child, and exits with the last status it reaped once none
 * is left.
 *
 * Fork the service. Returns 0 in the service (signals still blocked: the
 * launch child unblocks them before execve); in the reaper it never
 * returns. -1 with f filled if the fork failed. */
int sbx_reaper_start(int chan, struct step_fail *f);

#endif
