/* What the supervisor's files share with one another (not with the rest
 * of PID 1: that is sup.h). */
#ifndef SBX_SUP_INT_H
#define SBX_SUP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../lib/clock.h"
#include "sup.h"

/* Launches in flight at once: units set up in parallel, but a boot of
 * 1000 units does not fork 1000 setups at the same instant. */
#define SUP_LAUNCH_MAX 64
#define SUP_LAUNCH_SLOW_MS 2000   /* a setup older than this holds no slot */

extern struct sup *sup_the;   /* watches carry the svc; the supervisor is one */


/* sup_act.c: the FSM's actions and hooks */
extern const struct fsm_ops sup_fsm_ops;
void sup_timer_arm(struct svc *s, uint64_t ms);
void sup_timer_disarm(struct svc *s);
void sup_on_timer(struct loop_watch *w, uint32_t events);

/* deps.c */
/* Look at every waiting unit: DEPS_READY, DEPS_FAILED, or start the
 * Requires= units it needs. True when it raised events. */
bool deps_pass(struct sup *sv);
/* s failed: every unit that Requires= it gets DEPS_FAILED. */
void deps_propagate_failure(struct sup *sv, struct svc *failed);
/* Set ->needed on every unit that a unit with a process depends on
 * (shutdown stops dependants first). */
void deps_mark_needed(struct sup *sv);

/* svc_io.c: stdio, logs and state files */
void svc_io_watch_output(struct sup *sv, struct svc *s, int out_fd, int err_fd);
/* Read what is left in the pipes and close them. */
void svc_io_close_output(struct sup *sv, struct svc *s);
/* Whether s's RUN_DIR/units/NAME is its own: a unit removed by reload
 * and still stopping shares it with the unit of that name added since,
 * whose sockets and state files it must leave alone. */
bool svc_io_owns_dir(struct sup *sv, const struct svc *s);
/* Off the loop and closed, unread: the svc is being freed. */
void svc_io_forget_output(struct sup *sv, struct svc *s);
void svc_io_state_dir(struct sup *sv, const struct svc *s);
void svc_io_write_status(struct sup *sv, const struct svc *s);
void svc_io_write_config(struct sup *sv, const struct svc *s);

/* sup_exec.c: control processes (ExecStartPre= ... ExecStop=) and the
 * service's own pid (issue #11) */
enum ctl_kind { CTL_PRE, CTL_POST, CTL_RELOAD, CTL_STOP, CTL_COUNT };

#define SUP_RELOAD_TIMEOUT_MS 90000   /* systemd's bound of ExecReload= */

/* A unit's run, from its launch (A_LAUNCH) to the restart policy's
 * verdict (A_DECIDE); NULL while idle. Small: every running unit has one
 * (issue #10's memory per unit); what a control process needs is
 * allocated while one runs (struct svc_ctl, sup_exec.c). */
struct svc_ctl;
struct svc_run {
	struct svc_ctl *ctl;           /* the control process in flight, NULL: none */
	struct loop_watch *reaper_w;   /* Type=forking with Init=: the reaper's channel */
	char *why;                     /* the last control process's failure; NULL: none */
	int main_pidfd;                /* of s->main_pid when it is not s->pid, else -1 */
	unsigned idx;                  /* which command of ... */
	uint8_t kind;                  /* ... which list (enum ctl_kind) */
	bool ok;                       /* the last control process ended well (or "-") */
	bool ready_early;              /* READY=1 came before the launch report */
	bool main_gone;                /* the main ended during ExecStop= */
	bool keep_last;                /* the end's reason is recorded (start timeout, ...) */
	bool timed_out;                /* the last control process outlived its bound */
	bool no_main;                  /* Type=forking: its PIDFile= named no process (why) */
};

/* r->why, "" when none */
const char *sup_run_why(const struct svc_run *r);

struct sbx_launch_opts;
const char *sup_ctl_key(enum ctl_kind k);                 /* "ExecStartPre=" */
const struct exec_list *sup_ctl_list(const struct svc *s, enum ctl_kind k);
uint64_t sup_ctl_bound_ms(const struct svc *s, enum ctl_kind k);
struct svc_run *sup_run_get(struct svc *s);               /* NULL: out of memory */
void sup_run_free(struct sup *sv, struct svc *s);
/* Launch command idx of list k (s->run set); its end, or its failure to
 * start, comes as EV_CTL_EXITED (s->run->ok, ->why). */
void sup_ctl_start(struct sup *sv, struct svc *s, enum ctl_kind k, unsigned idx);
bool sup_ctl_running(const struct svc *s);
/* SIGKILL the control process, if any, and forget it (an orphan then). */
void sup_ctl_kill(struct sup *sv, struct svc *s);
void sup_ctl_timeout(struct sup *sv, struct svc *s);
/* sup_reap: pid was a control process (true): its end was raised. */
bool sup_ctl_reaped(struct sup *sv, pid_t pid, int status);
void sup_main_pid_set(struct sup *sv, struct svc *s, pid_t pid);
int sup_signal_main(struct svc *s, int sig);
/* sig to every process of s's cgroup (n counts them); -1: no cgroup. */
int sup_kill_group(const struct svc *s, int sig, unsigned *n);
/* Type=forking with Init=: watch the reaper's channel (fd: sbx_child's
 * reaper_fd, taken over; closed when it cannot be watched). */
void sup_reaper_watch(struct sup *sv, struct svc *s, int fd);
/* Type=forking: the started process exited 0. True: ready now (no
 * PIDFile=: the main pid stays unknown); false: PIDFile= is being read
 * (sup_main_pid_found follows). */
bool sup_forking_started(struct sup *sv, struct svc *s);
/* ExecReload= ended (or was cut short): tell the waiting clients. */
void sup_reload_done(struct sup *sv, struct svc *s, bool ok, const char *why);
/* The service's own pid became known (helper "notify": MAINPID= from a
 * sender inside the unit, PIDFile= read by mainpid_file_begin(); the
 * forking start): host_pid in PID 1's pid namespace, 0 when none could be
 * found (why says why). Never blocks. */
void sup_main_pid_found(struct sup *sv, struct svc *s, pid_t host_pid_or_0, const char *why);

/* sup_act.c: what every launch of the unit shares (cgroup, filter, the
 * hidden folders, the control socket); sock: room for its path */
void sup_launch_opts(struct sup *sv, struct svc *s, struct sbx_launch_opts *o, char *sock,
		     size_t socklen);

/* nsgroup.c: JoinsNamespaceOf= */
/* Build the groups (boot, reload): units that name one another share. */
void nsgroup_build(struct sup *sv);
/* A member of s's group runs: enter its network and IPC namespaces. */
void nsgroup_join_opts(struct sup *sv, struct svc *s, struct sbx_launch_opts *o);

/* load.c */
/* An fd could not be made (EMFILE/ENFILE): said once, clearly. */
void sup_note_nofile(struct sup *sv);
struct svc *svc_new(struct sup *sv, const char *name, struct spec *spec);
void svc_free(struct sup *sv, struct svc *s);

#endif
