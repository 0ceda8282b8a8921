/* The supervisor's model: one struct svc per unit, an explicit state
 * machine whose state only svc_set_state() changes, and a separate
 * "why" (the last exit) kept apart from the state, as finit does.
 * Every field is fixed-size or owned by the unit's spec, so PID 1 keeps
 * no allocation in its loop beyond (re)loading units. */
#ifndef SBX_SVC_H
#define SBX_SVC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "logbuf.h"
#include "loop.h"
#include "../config/spec.h"
#include "../sandbox/seccomp.h"

enum svc_state {
	SVC_INACTIVE,   /* not started yet, or stopped by request */
	SVC_STARTING,   /* waiting for its dependencies, or being launched */
	SVC_RUNNING,    /* its main process lives */
	SVC_EXITED,     /* a oneshot that finished with status 0 */
	SVC_STOPPING,   /* KillSignal sent; SIGKILL after TimeoutStopSec */
	SVC_BACKOFF,    /* waiting RestartSec before the next start */
	SVC_FAILED,     /* given up: bad unit, start limit, dependency, no restart */
	SVC_STATE_COUNT
};

enum svc_reason {
	REASON_NONE,
	REASON_EXITED,         /* exited N */
	REASON_KILLED,         /* killed by SIGNAME */
	REASON_OOM_KILLED,     /* the cgroup's oom_kill count rose while it ran: 137 */
	REASON_START_FAILED,   /* the launcher's message */
	REASON_START_LIMIT,    /* StartLimitBurst within StartLimitIntervalSec */
	REASON_DEP_FAILED,     /* a Requires= unit failed */
	REASON_BAD_UNIT,       /* the unit file has errors */
	REASON_COUNT
};

struct svc_exit {
	enum svc_reason reason;
	int code;          /* exit status, or 128+N, or 137 for OOMKilled */
	int signal;        /* when killed */
	int64_t at_ms;     /* wall clock (CLOCK_REALTIME) */
	char msg[256];     /* start failure / bad unit / dependency text */
};

#define SVC_START_HISTORY 32   /* >= any StartLimitBurst we honour exactly */

struct svc {
	char name[UNIT_NAME_MAX + 1];
	struct spec *spec;             /* NULL for a bad unit */
	enum svc_state state;
	int64_t since_ms;              /* wall clock of the last state change */
	int64_t started_mono_ms;       /* CLOCK_MONOTONIC of the last start */

	pid_t pid;                     /* main process, 0 if none */
	int pidfd;
	int out_fd, err_fd;            /* read ends of its stdout/stderr pipes */
	int file_fd[2];                /* StandardOutput/Error=file:/append: */
	struct loop_watch out_watch, err_watch, timer_watch;

	char cgroup[128];              /* "" without a cgroup */
	int cgroup_fd;
	uint64_t oom_kills_at_start;

	unsigned restarts;             /* automatic restarts so far */
	unsigned oom_kills;            /* OOM kills seen, counted apart */
	uint64_t backoff_ms;           /* current RestartSec, doubling */
	int64_t start_times[SVC_START_HISTORY];   /* monotonic ms, ring */
	unsigned n_starts;
	int timer_fd;                  /* backoff and stop timeout */
	bool stop_requested;           /* stop/restart asked: no auto restart */
	bool restart_requested;        /* start again once stopped */
	bool mark;                     /* scratch for reload */
	bool removed;                  /* reload dropped the unit: free once stopped */
	char failed_dep[UNIT_NAME_MAX + 1];   /* stopping because this dependency failed */

	struct sbx_bpf bpf;            /* the unit's seccomp filter, compiled once */
	bool bpf_ready;

	struct svc_exit last;          /* "Last State" */
	struct logbuf log;
};

const char *svc_state_name(enum svc_state s);
const char *svc_reason_name(enum svc_reason r);   /* "OOMKilled", ... */

/* "exited 3", "killed by SIGKILL", "OOMKilled", "start failed: ..." */
void svc_exit_describe(const struct svc_exit *x, char *buf, size_t len);

#endif
