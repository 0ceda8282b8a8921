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
void svc_io_state_dir(struct sup *sv, const struct svc *s);
void svc_io_write_status(struct sup *sv, const struct svc *s);
void svc_io_write_config(struct sup *sv, const struct svc *s);

/* sup_exec.c: readiness and the service's pid (issue #11).
 * The service's own pid became known (helper "notify": MAINPID= from a
 * sender inside the unit, PIDFile= read by mainpid_file_begin(); the
 * forking start): host_pid in PID 1's pid namespace, 0 when none could be
 * found (why says why: a Type=forking start then fails). Never blocks. */
void sup_main_pid_found(struct sup *sv, struct svc *s, pid_t host_pid_or_0, const char *why);

/* load.c */
/* An fd could not be made (EMFILE/ENFILE): said once, clearly. */
void sup_note_nofile(struct sup *sv);
struct svc *svc_new(struct sup *sv, const char *name, struct spec *spec);
void svc_free(struct sup *sv, struct svc *s);

#endif
