/* The supervisor's model: one struct svc per unit, an explicit state
 * machine (init/fsm.c: one table, one setter that alone writes ->state)
 * and a separate "why" (the last exit) kept apart from the state, as
 * finit does. struct svc stays small (no inline buffers of KiBs): PID 1's
 * memory per idle unit is bounded (issue #10). */
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

/* Internal states. Several map to one shown name (svc_state_name): the
 * names `status`, `status --json` and the state files show are pinned by
 * the tests. */
enum svc_state {
	SVC_INACTIVE,   /* not started yet, or stopped by request */
	SVC_WAITING,    /* wants to start, waiting for its dependencies ("starting") */
	SVC_START_PRE,  /* ExecStartPre= commands run, one after the other ("starting") */
	SVC_STARTING,   /* launch in flight: the sandbox sets up, bounded by a timer */
	SVC_START_WAIT, /* exec'd, not ready yet: Type=notify before READY=1, Type=forking
			 * before the started process exited ("starting"; TimeoutStartSec=) */
	SVC_START_POST, /* ExecStartPost= commands run in the service ("starting") */
	SVC_RUNNING,    /* its main process lives, and it is ready */
	SVC_RELOADING,  /* ExecReload= commands run in the service ("running") */
	SVC_STOP_CMD,   /* ExecStop= commands run in the service ("stopping") */
	SVC_STOPPING,   /* KillSignal sent; SIGKILL after TimeoutStopSec */
	SVC_CLEANUP,    /* main process gone, its cgroup not yet empty ("stopping") */
	SVC_BACKOFF,    /* waiting RestartSec before the next start */
	SVC_EXITED,     /* a oneshot that finished with status 0 */
	SVC_FAILED,     /* given up: bad unit, start limit, dependency, no restart */
	SVC_STATE_COUNT
};

/* What happens to a unit: requests, the kernel's answers, timers. The FSM
 * table (fsm.c) says, for each state, what each one does. */
enum svc_event {
	EV_START,          /* sandboxctl start, boot, reload */
	EV_STOP,           /* sandboxctl stop, shutdown */
	EV_RESTART,        /* sandboxctl restart, a changed unit file */
	EV_DEPS_READY,     /* every After=/Requires= unit is up */
	EV_DEPS_FAILED,    /* a Requires= unit failed (s->failed_dep) */
	EV_LAUNCH_OK,      /* the service exec'd */
	EV_LAUNCH_FAILED,  /* the sandbox could not be set up (s->last) */
	EV_SETUP_TIMEOUT,  /* no setup report within SBX_SETUP_TIMEOUT_S */
	EV_MAIN_EXITED,    /* the main process was reaped (s->wstatus) */
	EV_CGROUP_EMPTY,   /* its cgroup is gone: the unit may start again */
	EV_TIMER,          /* RestartSec, TimeoutStopSec, TimeoutStartSec, a command's bound */
	EV_RESET_FAILED,   /* sandboxctl reset-failed */
	EV_REMOVED,        /* reload dropped the unit */
	EV_CTL_EXITED,     /* an Exec*= control process ended (s->run: how) */
	EV_READY,          /* Type=notify READY=1; Type=forking: the main pid is known */
	EV_RELOAD,         /* sandboxctl reload UNIT: ExecReload=, or ReloadSignal= */
	/* reserved: its rows are all "ignore" until the feature comes */
	EV_WATCHDOG,       /* WatchdogSec= expired */
	EV_COUNT
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

/* The last end: sandbox/outcome.c classifies how the process ended
 * (exited, killed, OOMKilled, start failed: reason, code and signal come
 * from its struct sbx_outcome); the supervisor adds its own reasons (start
 * limit, dependency, bad unit) and the message. */
struct svc_exit {
	enum svc_reason reason;
	int code;          /* exit status, 128+N, 137 for OOMKilled, SBX_EXIT_* for a failed start */
	int signal;        /* when killed */
	int64_t at_ms;     /* wall clock (CLOCK_REALTIME) */
	/* start failure / bad unit / dependency text: NULL, or allocated
	 * (at most SVC_MSG_MAX bytes) only when there is one, so that an
	 * idle unit does not carry 256 empty bytes (svc_exit_set_msg) */
	char *msg;
};

/* systemd's start rate limit: a counter and the start of its interval,
 * no history ring, so any StartLimitBurst= costs the same. */
struct start_limit {
	int64_t begin_ms;  /* monotonic; 0 = no interval open */
	unsigned num;      /* starts within it */
};

#define SVC_EVQ 8          /* events queued per unit while another runs */

struct sbx_launch;
struct bpf_ref;
struct svc_sock;
struct svc_run;

struct svc {
	/* pointers and 64-bit fields first, the small ones packed after
	 * them: no padding, so the struct stays in musl's 672-byte class
	 * (PID 1 keeps one per unit; issue #10's memory per idle unit) */
	struct spec *spec;             /* NULL for a bad unit */
	int64_t since_ms;              /* wall clock of the last state change */
	int64_t started_mono_ms;       /* CLOCK_MONOTONIC of the last start */
	struct loop_watch out_watch, err_watch, timer_watch, launch_watch, cg_watch;
	struct sbx_launch *launch;     /* while the sandbox sets up, else NULL */
	uint64_t oom_kills_at_start;
	uint64_t backoff_ms;           /* current RestartSec, doubling */
	struct start_limit limit;
	int64_t cleanup_deadline_ms;   /* monotonic: stop waiting for the cgroup then */

	/* the FSM's queue (fsm.c): events raised while another is handled */
	struct svc *evq_next;
	/* the supervisor's lookups (svcmap.c) */
	struct svc *pid_next, *name_next;
	struct bpf_ref *bpf;           /* the shared compiled filter (bpfcache.c) */
	/* issue #11: allocated while the unit is up, NULL when idle, so an
	 * idle unit stays in musl's 672-byte class */
	struct svc_sock *sock;         /* notify and syslog sockets, STATUS= (init/notify.c) */
	struct svc_run *run;           /* control processes, readiness (init/sup_*.c) */
	struct svc_exit last;          /* "Last State" */
	struct logbuf log;

	enum svc_state state;          /* written by fsm_set_state() alone */
	pid_t pid;                     /* the process PID 1 launched (the reaper with Init=), 0 if none */
	pid_t main_pid;                /* the service itself (status, kill, KillMode=process): the
					* reaper's child, a forking daemon, MAINPID=; 0: none known */
	int pidfd;
	int wstatus;                   /* of the main process, for EV_MAIN_EXITED */
	int out_fd, err_fd;            /* read ends of its stdout/stderr pipes */
	int cgroup_fd;
	int timer_fd;                  /* setup, backoff, stop and cleanup timeouts */
	unsigned restarts;             /* automatic restarts so far */
	unsigned oom_kills;            /* OOM kills seen, counted apart */
	unsigned cleanup_rounds;       /* deadlines passed while the cgroup empties */

	char cgroup[128];              /* "" without a cgroup */
	char name[UNIT_NAME_MAX + 1];
	char failed_dep[UNIT_NAME_MAX + 1];   /* stopping because this dependency failed */
	uint8_t evq[SVC_EVQ];
	uint8_t evq_head, evq_n;
	bool queued;
	bool want_up;                  /* the goal: running (start) or not (stop) */
	bool stop_requested;           /* we sent KillSignal: its end is no failure */
	bool start_asked;              /* started while in cleanup: start again once down */
	bool mark;                     /* scratch for reload */
	bool needed;                   /* scratch for shutdown: a unit with a process depends on it */
	bool config_written;           /* RUN_DIR/units/NAME/config.json is the spec's */
	bool removed;                  /* reload dropped the unit: free once stopped */
};

/* The pid status, the state files and `kill` mean: the service itself
 * (main_pid), else the process PID 1 launched; 0: none. */
static inline pid_t svc_shown_pid(const struct svc *s)
{
	return s->main_pid > 0 ? s->main_pid : s->pid;
}

/* The name status shows: "inactive", "starting", "running", "stopping",
 * "backoff", "exited", "failed". */
const char *svc_state_name(enum svc_state s);
/* The internal name, for debug logs: "waiting", "cleanup", ... */
const char *svc_state_id(enum svc_state s);
const char *svc_event_name(enum svc_event e);
const char *svc_reason_name(enum svc_reason r);   /* "OOMKilled", ... */

/* "exited 3", "killed by SIGKILL", "OOMKilled", "start failed: ..." */
void svc_exit_describe(const struct svc_exit *x, char *buf, size_t len);

#define SVC_MSG_MAX 256
/* Replace x's message with the first SVC_MSG_MAX - 1 bytes of msg (NULL
 * or "": none). Out of memory: no message, never a failure. */
void svc_exit_set_msg(struct svc_exit *x, const char *msg, size_t len);
/* The message, "" when none. */
const char *svc_exit_msg(const struct svc_exit *x);

#endif
