/* Loading units: at boot, and on reload (new units start, removed ones
 * stop, changed ones restart, bad files are reported and the running set
 * kept). Units are limited by memory alone; PID 1 raises its open-file
 * limit to what they need. */
#include "sup_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "bpfcache.h"
#include "control.h"
#include "notify.h"
#include "sup_dirs.h"
#include "svcmap.h"
#include "../config/unit.h"
#include "../config/units.h"

static void unit_defaults(struct spec *sp);

struct svc *svc_new(struct sup *sv, const char *name, struct spec *spec)
{
	struct svc *s = calloc(1, sizeof *s);
	struct err e;
	char m[ERR_MSG_MAX + 64];

	if (!s) {
		sup_log(sv, "%s: cannot supervise: out of memory", name);
		return NULL;
	}
	snprintf(s->name, sizeof s->name, "%s", name);
	s->spec = spec;
	if (spec)
		unit_defaults(spec);
	s->pidfd = s->out_fd = s->err_fd = s->cgroup_fd = -1;
	s->out_watch.fd = s->err_watch.fd = s->launch_watch.fd = s->cg_watch.fd = -1;
	s->since_ms = clock_real_ms();
	logbuf_init(&s->log, (size_t)CONFIG_LOG_BUFFER_KB * 1024);
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	s->timer_watch = (struct loop_watch){ .fd = s->timer_fd, .fn = sup_on_timer, .ctx = s };
	if (s->timer_fd < 0) {
		err_set(&e, errno, "making its timer");
		goto fail;
	}
	if (loop_add(&sv->loop, &s->timer_watch, EPOLLIN, &e) < 0 || svcmap_add(sv, s, &e) < 0) {
		loop_del(&sv->loop, &s->timer_watch);
		goto fail;
	}
	return s;
fail:
	if (e.errnum == EMFILE || e.errnum == ENFILE)
		sup_note_nofile(sv);
	sup_log(sv, "%s: cannot supervise: %s", name, err_str(&e, m, sizeof m));
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	logbuf_free(&s->log);
	free(s);
	return NULL;
}

void svc_free(struct sup *sv, struct svc *s)
{
	fsm_forget(&sv->fsm, s);
	svcmap_unlink(sv, s);
	bpfcache_put(s->bpf);
	/* every watch whose ctx is s goes with it: a Type=forking unit
	 * whose daemon PID 1 never knew is down with its output pipes still
	 * open (the daemon holds them), and their hang-up would come here */
	svc_io_forget_output(sv, s);
	sup_run_free(sv, s);
	notify_close(sv, s);
	if (s->cg_watch.fd >= 0) {
		loop_del(&sv->loop, &s->cg_watch);
		close(s->cg_watch.fd);
	}
	loop_del(&sv->loop, &s->timer_watch);
	close(s->timer_fd);
	if (s->cgroup_fd >= 0)
		close(s->cgroup_fd);   /* the group KillMode=process kept */
	logbuf_free(&s->log);
	svc_exit_set_msg(&s->last, NULL, 0);
	spec_free(s->spec);
	free(s);
}

/* ---- the open-file limit ---------------------------------------------------------- */

/* Each unit holds a timerfd; a running one its pipes, pidfd and cgroup
 * fds and its notify and syslog sockets (init/notify.c), a starting one
 * its launch socket too. The soft limit (1024 by
 * default) would fail the 1000th unit at random: PID 1 takes the hard
 * limit, and as the system's init raises that to fs.nr_open. */
static struct rlimit units_nofile;   /* what units got before we raised ours */

static void raise_nofile(struct sup *sv)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	units_nofile = rl;
	if (sv->pid1) {
		char buf[32] = "";
		FILE *f = fopen("/proc/sys/fs/nr_open", "re");

		if (f) {
			if (fgets(buf, sizeof buf, f)) {
				unsigned long long n = strtoull(buf, NULL, 10);

				if (n > rl.rlim_max || rl.rlim_max == RLIM_INFINITY)
					rl.rlim_max = (rlim_t)n;
			}
			fclose(f);
		}
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 && getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	getrlimit(RLIMIT_NOFILE, &rl);
	sv->nofile_max = rl.rlim_cur;
}

/* A unit without LimitNOFILE= keeps the limit it had before PID 1 raised
 * its own (1024:4096 from the kernel): a service using select() or
 * sizing tables by it must not see a million. */
static void unit_defaults(struct spec *sp)
{
	struct rlimit_spec *r = &sp->rlimits[RLIMIT_NOFILE];

	if (!r->set && units_nofile.rlim_cur) {
		r->set = true;
		r->soft = units_nofile.rlim_cur == RLIM_INFINITY ? LIMIT_INFINITY : units_nofile.rlim_cur;
		r->hard = units_nofile.rlim_max == RLIM_INFINITY ? LIMIT_INFINITY : units_nofile.rlim_max;
	}
}

void sup_note_nofile(struct sup *sv)
{
	if (sv->nofile_warned)
		return;
	sv->nofile_warned = true;
	sup_log(sv, "PID 1 reached its open-file limit (RLIMIT_NOFILE %llu, or the system's "
		"fs.file-max): units that need more descriptors fail to start; raise "
		"fs.nr_open / fs.file-max or run fewer units",
		(unsigned long long)sv->nofile_max);
}

/* ---- loading -------------------------------------------------------------------- */

struct diag_first {
	char first[256];
	char all[2048];
	struct sup *sv;
};

static void diag_collect(void *ctx, const char *msg)
{
	struct diag_first *c = ctx;
	size_t len = strlen(c->all);

	if (!c->first[0])
		snprintf(c->first, sizeof c->first, "%s", msg);
	if (len < sizeof c->all - 1)
		snprintf(c->all + len, sizeof c->all - len, "%s\n", msg);
	sup_log(c->sv, "%s", msg);
}

/* A note about a valid unit (a system call name skipped, a call that
 * stays denied): on the console, as systemd logs such warnings, but
 * never taken for a bad unit's message. */
static void diag_note_log(void *ctx, const char *msg)
{
	struct diag_first *c = ctx;

	sup_log(c->sv, "%s", msg);
}

/* A bad unit is shown as failed with the first message about it. */
static void add_bad_units(struct sup *sv, const struct unit_set *set, const char *msgs)
{
	for (size_t i = 0; i < set->n_bad; i++) {
		struct svc *s = sup_find(sv, set->bad[i]);
		char needle[UNIT_NAME_MAX + 16];
		const char *m = NULL;

		if (s)
			continue;
		if (!(s = svc_new(sv, set->bad[i], NULL)))
			continue;
		snprintf(needle, sizeof needle, "/%s.unit", set->bad[i]);
		for (const char *line = msgs; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
			const char *eol = strchr(line, '\n');
			size_t n = eol ? (size_t)(eol - line) : strlen(line);
			const char *hit = strstr(line, needle);

			if (hit && (size_t)(hit - line) < n) {
				m = line;
				svc_exit_set_msg(&s->last, line, n);
				break;
			}
		}
		if (!m)
			svc_exit_set_msg(&s->last, "has errors (see sandboxctl check)",
					 strlen("has errors (see sandboxctl check)"));
		s->last.reason = REASON_BAD_UNIT;
		s->last.at_ms = clock_real_ms();
		svc_io_state_dir(sv, s);
		fsm_set_state(&sv->fsm, s, SVC_FAILED);
	}
}

int sup_init(struct sup *sv, struct err *e)
{
	struct diag_first c = { .sv = sv };
	struct diag d = { .emit = diag_collect, .ctx = &c, .note = diag_note_log };
	struct unit_set set = { 0 };
	bool was;

	sup_the = sv;
	sv->fsm.ops = &sup_fsm_ops;
	sv->fsm.ctx = sv;
	sv->boot_mono_ms = clock_mono_ms();
	raise_nofile(sv);
	if (units_add_dir(&set, sv->units_dir, &d) < 0 && set.n == 0)
		err_set(e, 0, "%s", c.first);
	units_check_deps(&set, &d);
	/* every unit wants to start before any of them does: the
	 * dependencies decide the order, not the folder's */
	was = fsm_batch_begin(&sv->fsm);
	for (size_t i = 0; i < set.n; i++) {
		struct svc *s = svc_new(sv, set.units[i]->name, set.units[i]);

		if (s) {
			set.units[i] = NULL;   /* owned by the svc now */
			svc_io_state_dir(sv, s);
			sup_raise(sv, s, EV_START);
		}
	}
	add_bad_units(sv, &set, c.all);
	for (size_t i = 0; i < set.n; i++)
		spec_free(set.units[i]);
	set.n = 0;
	units_free(&set);
	nsgroup_build(sv);   /* JoinsNamespaceOf= (nsgroup.c) */
	fsm_batch_end(&sv->fsm, was);
	return 0;
}

/* ---- reload ------------------------------------------------------------------ */

int sup_reload(struct sup *sv, char *msg, size_t len)
{
	struct diag_first c = { .sv = sv };
	struct diag d = { .emit = diag_collect, .ctx = &c, .note = diag_note_log };
	struct unit_set set = { 0 };
	size_t added = 0, removed = 0, changed = 0, n = 0;
	bool was;

	if (units_add_dir(&set, sv->units_dir, &d) < 0 && set.n == 0 && set.n_bad == 0) {
		snprintf(msg, len, "reload: %s", c.first);
		units_free(&set);
		return -1;
	}
	units_check_deps(&set, &d);
	was = fsm_batch_begin(&sv->fsm);
	for (size_t i = 0; i < sv->n; i++)
		sv->svcs[i]->mark = false;
	for (size_t i = 0; i < set.n; i++) {
		struct spec *ns = set.units[i];
		struct svc *s = sup_find(sv, ns->name);

		if (!s) {
			if ((s = svc_new(sv, ns->name, ns))) {
				set.units[i] = NULL;
				s->mark = true;
				added++;
				svc_io_state_dir(sv, s);
				sup_raise(sv, s, EV_START);
			}
			continue;
		}
		s->mark = true;
		if (s->spec && s->spec->source_hash == ns->source_hash)
			continue;
		/* changed, or fixed: swap the spec; what was up starts again
		 * with it (stop, then start once down: the running process
		 * keeps what it was started with) */
		bool was_up = !fsm_is_down(s->state) || s->state == SVC_WAITING ||
			      s->state == SVC_BACKOFF;
		bool was_bad = !s->spec;
		spec_free(s->spec);
		bpfcache_put(s->bpf);
		s->bpf = NULL;
		s->spec = ns;
		s->config_written = false;
		unit_defaults(ns);
		set.units[i] = NULL;
		changed++;
		if (was_up || was_bad) {
			if (was_up)
				sup_raise(sv, s, EV_STOP);
			sup_raise(sv, s, EV_START);
		}
	}
	/* units whose file is now bad keep running as they are */
	for (size_t i = 0; i < set.n_bad; i++) {
		struct svc *s = sup_find(sv, set.bad[i]);
		if (s)
			s->mark = true;
	}
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];

		if (s->mark || s->removed)
			continue;
		s->removed = true;
		removed++;
		control_unit_gone(sv, s);
		sup_raise(sv, s, EV_REMOVED);
	}
	add_bad_units(sv, &set, c.all);
	for (size_t i = 0; i < set.n; i++)
		spec_free(set.units[i]);
	set.n = 0;
	n = set.n_bad;
	units_free(&set);
	nsgroup_build(sv);   /* JoinsNamespaceOf= (nsgroup.c) */
	fsm_batch_end(&sv->fsm, was);
	snprintf(msg, len, "reload: %zu added, %zu removed, %zu changed%s%s", added, removed, changed,
		 n ? "; units with errors (kept as they were):\n" : "", n ? c.all : "");
	return n ? -1 : 0;
}

void sup_collect(struct sup *sv)
{
	size_t j = 0;

	notify_collect();   /* the sockets of units that went down (init/notify.c) */
	sup_dirs_collect();   /* the RuntimeDirectory= removers that are done */

	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];

		if (s->removed && fsm_is_down(s->state) && !s->queued && !s->launch) {
			svc_free(sv, s);
			continue;
		}
		sv->svcs[j++] = s;
	}
	sv->n = j;
}
