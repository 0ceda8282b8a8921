/* The launch child: what the parent prepares for it, the record it sends
 * back on failure, and its ordered steps. Internal to sandbox/. */
#ifndef SBX_CHILD_H
#define SBX_CHILD_H

#include <stdbool.h>

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

struct sbx_ctx {
	const struct spec *s;
	const char *const *argv;
	const char *const *envp;
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
	int sock;                         /* our end of the launch socket */
	int parent_sock;                  /* the parent's end, closed first */
};

_Noreturn void sbx_child_main(const struct sbx_ctx *c);

/* Tests only (tests/unit/test_sandbox.c): called in the child right after
 * "go", before the setup, to make a setup that hangs (as one stuck on a
 * hung network file system would). NULL in sandboxd and sandboxctl. */
extern void (*sbx_child_test_hook)(void);

#endif
