/* How a unit's run ended, decided in one place for PID 1 (init/sup*) and
 * `sandboxctl run` (init/ctl_run.c): exited N, killed by signal N,
 * OOMKilled, or start failed (the sandbox setup or the exec). */
#ifndef SBX_OUTCOME_H
#define SBX_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sbx_end { SBX_END_EXITED, SBX_END_KILLED, SBX_END_OOM_KILLED, SBX_END_START_FAILED };

struct sbx_outcome {
	enum sbx_end kind;
	int code;     /* the exit code; 128+N when killed; 137 for an OOM kill;
		       * SBX_EXIT_* for a failed start */
	int signal;   /* the killing signal (KILLED, OOM_KILLED), else 0 */
};

/* wstatus as waitpid gave it for the unit's main process. init_reaper: the
 * main process is our Init=yes reaper, which reports a service killed by
 * signal N as exit 128+N (N in 1..64). oom_before/oom_after: the unit
 * cgroup's memory.events oom_kill count when it started and now (both 0
 * without a cgroup); OOMKilled when it rose, whatever the status says. */
void sbx_outcome_of_wait(int wstatus, bool init_reaper, uint64_t oom_before,
			 uint64_t oom_after, struct sbx_outcome *o);

/* The launch failed (sbx_launch_end or sbx_launch gave exit_code, an
 * SBX_EXIT_*; 0 is taken as SBX_EXIT_SETUP). */
void sbx_outcome_start_failed(int exit_code, struct sbx_outcome *o);

/* "exited 3", "killed by SIGKILL" ("killed by signal 40" for one without a
 * name), "OOMKilled", "start failed". snprintf's result. */
int sbx_outcome_describe(const struct sbx_outcome *o, char *buf, size_t len);

/* The status `sandboxctl run` exits with, as a shell would report it: the
 * code, 128+N for signal N, 137 for an OOM kill, SBX_EXIT_* for a failed
 * start. */
int sbx_outcome_exit_status(const struct sbx_outcome *o);

#endif
