/* The one classification of a unit's end. See outcome.h. */
#include "outcome.h"

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "../config/values.h"
#include "launch.h"

/* The highest signal the reaper reports as 128+N (SIGRTMAX on Linux). */
#define OUTCOME_MAX_SIGNAL 64

void sbx_outcome_of_wait(int st, bool init_reaper, uint64_t oom_before, uint64_t oom_after,
			 struct sbx_outcome *o)
{
	int code = 255, sig = 0;

	if (WIFSIGNALED(st)) {
		sig = WTERMSIG(st);
		code = 128 + sig;
	} else if (WIFEXITED(st)) {
		code = WEXITSTATUS(st);
		/* Under Init=yes the main process is our reaper: it exits
		 * 128+N for a service killed by N, as a shell does. A service
		 * that itself exits 130 reads the same: the reaper cannot
		 * tell us apart, so neither can we. */
		if (init_reaper && code > 128 && code <= 128 + OUTCOME_MAX_SIGNAL)
			sig = code - 128;
	}
	if (oom_after > oom_before) {
		/* The kernel's count is the truth: a main process that
		 * survived the kill of a helper (or exits after it) still had
		 * its unit OOM-killed. */
		o->kind = SBX_END_OOM_KILLED;
		o->code = 128 + SIGKILL;
		o->signal = sig ? sig : SIGKILL;
	} else if (sig) {
		o->kind = SBX_END_KILLED;
		o->code = code;
		o->signal = sig;
	} else {
		o->kind = SBX_END_EXITED;
		o->code = code;
		o->signal = 0;
	}
}

void sbx_outcome_start_failed(int exit_code, struct sbx_outcome *o)
{
	o->kind = SBX_END_START_FAILED;
	o->code = exit_code > 0 ? exit_code : SBX_EXIT_SETUP;
	o->signal = 0;
}

int sbx_outcome_describe(const struct sbx_outcome *o, char *buf, size_t len)
{
	const char *name;

	switch (o->kind) {
	case SBX_END_EXITED:
		return snprintf(buf, len, "exited %d", o->code);
	case SBX_END_KILLED:
		name = signal_name(o->signal);
		if (name)
			return snprintf(buf, len, "killed by %s", name);
		return snprintf(buf, len, "killed by signal %d", o->signal);
	case SBX_END_OOM_KILLED:
		return snprintf(buf, len, "OOMKilled");
	case SBX_END_START_FAILED:
		return snprintf(buf, len, "start failed");
	}
	return snprintf(buf, len, "?");
}

int sbx_outcome_exit_status(const struct sbx_outcome *o)
{
	switch (o->kind) {
	case SBX_END_EXITED:
		return o->code;
	case SBX_END_KILLED:
		return 128 + o->signal;
	case SBX_END_OOM_KILLED:
		return 128 + SIGKILL;
	case SBX_END_START_FAILED:
		return o->code;
	}
	return 255;
}
