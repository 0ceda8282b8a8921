/* The launch child: what the parent prepares for it, the record it sends
 * back on failure, and its ordered steps. Internal to sandbox/. */
#ifndef SBX_CHILD_H
#define SBX_CHILD_H

#include <stdbool.h>
#include <stdint.h>

#include "../config/spec.h"
#include "../rootfs/mounts.h"
#include "seccomp.h"

/* One write on a SOCK_SEQPACKET socket: all or nothing. */
struct sbx_report {
	int errnum;
	int exit_code;
	char step[64];
	char path[400];
};

/* The other records on the launch socket, 8 bytes (a failure is a whole
 * struct sbx_report): SBX_MSG_STARTED from the process about to execve
 * the service or command -- the caller's end has SO_PASSCRED, so the
 * kernel attaches the sender's pid, translated into the caller's pid
 * namespace (with Init= the reaper's child is the service) -- and
 * SBX_MSG_HANDOVER from a join's relay (join.h). */
#define SBX_MSG_STARTED 'S'
#define SBX_MSG_HANDOVER 'H'
struct sbx_msg {
	int kind;
	int pid;                          /* HANDOVER: the command's */
};

struct sbx_ctx {
	const struct spec *s;
	const char *const *argv;
	const char *const *envp;
	const char *notify;               /* NOTIFY_SOCKET's value, or NULL */
	const struct rootfs_plan *plan;   /* NULL without a mount namespace */
	const struct sbx_bpf *bpf;        /* NULL: no filter, or bpf_late */
	bool bpf_late;                    /* the parent sends the program over
					   * sock after "go": it compiles while
					   * we set up */
	bool nnp;                         /* set no_new_privs */
	bool die_with_parent;
	int stdio[3];                     /* dup2'ed onto 0 1 2; -1: keep */
	const struct output *stdfile[3];  /* [1] [2]: opened by the child
					   * (SBX_STDIO_SPEC_FILE), else NULL */
	/* Namespaces entered instead of made (launch.h's join_pidfd): the
	 * pidfd (CHILD_JOIN_FD once keep_fds ran), the NS_BIT() set and
	 * its CLONE_NEW* flags; -1 / 0: none */
	int join_fd;
	unsigned join_ns;
	uint64_t join_flags;
	bool exec_join;                   /* a command in the running service
					   * (launch.h): no rootfs, no reaper */
	bool relay;                       /* ... and NS_PID: join.h's relay */
	int chan_fd;                      /* the reaper's channel (Type=forking
					   * with Init=), write end; -1: none */
	int sock;                         /* our end of the launch socket */
	int parent_sock;                  /* the parent's end, closed first */
};

_Noreturn void sbx_child_main(const struct sbx_ctx *c);

/* Tests only (tests/unit/test_sandbox.c): called in the child right after
 * "go", before the setup, to make a setup that hangs (as one stuck on a
 * hung network file system would). NULL in sandboxd and sandboxctl. */
extern void (*sbx_child_test_hook)(void);

#endif
