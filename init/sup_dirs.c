/* The supervisor's side of RuntimeDirectory= removal. See sup_dirs.h. */
#include "sup_dirs.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "policy.h"
#include "sup_int.h"
#include "../sandbox/execdirs.h"

/* One remover in flight; once done, kept in the graveyard until
 * sup_dirs_collect(): its two fds (the remover's end, PID 1's bound) may
 * both be ready in one epoll batch, and the second event still points
 * into it (loop.c: callbacks never free watches). */
struct dirs_wait {
	struct loop_watch pid_w, timer_w;
	struct svc *s;
	struct dirs_wait *grave_next;
};

static struct dirs_wait *graveyard;

void sup_dirs_collect(void)
{
	while (graveyard) {
		struct dirs_wait *w = graveyard;

		graveyard = w->grave_next;
		free(w);
	}
}

/* PID 1's own bound, past the remover's: it cannot end itself in the
 * kernel (a file system that hangs) */
#define DIRS_WAIT_S (EXECDIRS_RM_TIMEOUT_S + 2)

static void done(struct dirs_wait *w, bool timed_out)
{
	struct sup *sv = sup_the;

	if (timed_out) {
		sup_log(sv, "%s: the runtime directory's removal did not finish within %d s: "
			"going on", w->s->name, DIRS_WAIT_S);
		syscall(SYS_pidfd_send_signal, w->pid_w.fd, SIGKILL, NULL, 0);
	}
	loop_del(&sv->loop, &w->pid_w);
	loop_del(&sv->loop, &w->timer_w);
	close(w->pid_w.fd);
	if (w->timer_w.fd >= 0)
		close(w->timer_w.fd);
	/* a later event of this batch for the other fd finds no callback */
	w->pid_w.fn = NULL;
	w->timer_w.fn = NULL;
	w->grave_next = graveyard;
	graveyard = w;
	sup_raise(sv, w->s, EV_CGROUP_EMPTY);
}

static void on_remover_exit(struct loop_watch *lw, uint32_t events)
{
	(void)events;
	done(lw->ctx, false);
}

static void on_remover_timer(struct loop_watch *lw, uint32_t events)
{
	(void)events;
	done(lw->ctx, true);
}

/* RuntimeDirectoryPreserve=restart: whether this end leads to a restart,
 * as decide() will find it (the same pure function, the same inputs). */
static bool restarting(struct sup *sv, const struct svc *s)
{
	const struct spec *sp = s->spec;
	struct policy_end in = {
		.last = &s->last,
		.restart = sp->restart,
		.oom = sp->oom_policy,
		.oneshot = sp->type == SERVICE_ONESHOT,
		.want_up = s->want_up,
		.stop_requested = s->stop_requested,
		.start_asked = s->start_asked,
		.dep_failed = s->failed_dep[0] != '\0',
		.removed = s->removed,
		.stopping_all = sv->stopping_all,
	};
	enum policy_verdict v = policy_after_end(&in);

	return v == PV_START || v == PV_BACKOFF;
}

bool sup_dirs_remove(struct sup *sv, struct svc *s)
{
	struct itimerspec its = { .it_value = { .tv_sec = DIRS_WAIT_S } };
	struct dirs_wait *w;
	struct err e;
	int fd;

	if (!s->spec || !s->spec->dirs[EXEC_DIR_RUNTIME].names.n ||
	    (s->spec->runtime_preserve == EXEC_PRESERVE_RESTART && restarting(sv, s)))
		return false;
	fd = execdirs_remove_begin(s->spec, &e);
	if (fd < 0) {
		if (e.msg[0])
			sup_log(sv, "%s", e.msg);
		return false;
	}
	w = calloc(1, sizeof *w);
	if (!w) {
		/* not waited for: it runs and is reaped all the same */
		close(fd);
		sup_log(sv, "%s: out of memory: not waiting for the runtime directory's removal",
			s->name);
		return false;
	}
	w->s = s;
	w->pid_w = (struct loop_watch){ .fd = fd, .fn = on_remover_exit, .ctx = w };
	w->timer_w = (struct loop_watch){
		.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK),
		.fn = on_remover_timer, .ctx = w,
	};
	if (w->timer_w.fd < 0 || timerfd_settime(w->timer_w.fd, 0, &its, NULL) < 0 ||
	    loop_add(&sv->loop, &w->timer_w, EPOLLIN, &e) < 0 ||
	    loop_add(&sv->loop, &w->pid_w, EPOLLIN, &e) < 0) {
		int err = errno;

		loop_del(&sv->loop, &w->timer_w);
		if (w->timer_w.fd >= 0)
			close(w->timer_w.fd);
		close(fd);
		free(w);
		sup_log(sv, "%s: cannot watch the runtime directory's removal: %s", s->name,
			strerror(err));
		return false;
	}
	return true;
}
