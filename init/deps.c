/* After= and Requires=: when a waiting unit may start, and what a failed
 * unit does to those that require it. The rules are policy_dep(); this
 * file only walks the units. */
#include "sup_int.h"

#include <stdio.h>
#include <string.h>

#include "policy.h"

/* What a dependency's state means to After=/Requires= (policy_dep knows
 * the states before issue #11): "up" is READY, so a unit whose commands
 * or readiness are pending is still starting; a reload is up, ExecStop=
 * is a stop. */
static enum svc_state dep_state(enum svc_state st)
{
	switch (st) {
	case SVC_START_PRE:
	case SVC_START_WAIT:
	case SVC_START_POST:
		return SVC_STARTING;
	case SVC_RELOADING:
		return SVC_RUNNING;
	case SVC_STOP_CMD:
		return SVC_STOPPING;
	default:
		return st;
	}
}

/* DEP_OK, DEP_WAIT or DEP_FAIL for all of s's dependencies (the worst),
 * starting the Requires= units that are not started. */
static enum dep_verdict deps_of(struct sup *sv, struct svc *s, const char **why)
{
	const struct spec *sp = s->spec;
	enum dep_verdict all = DEP_OK;

	for (int l = 0; l < 2; l++) {
		const struct strv *list = l ? &sp->requires : &sp->after;

		for (size_t i = 0; i < list->n; i++) {
			struct svc *d = sup_find(sv, list->v[i]);
			bool oneshot = d && d->spec && d->spec->type == SERVICE_ONESHOT;

			switch (policy_dep(d != NULL, d ? dep_state(d->state) : SVC_INACTIVE, l == 1,
					   oneshot)) {
			case DEP_FAIL:
				*why = d ? d->name : list->v[i];
				return DEP_FAIL;
			case DEP_START:
				sup_raise(sv, d, EV_START);
				all = DEP_WAIT;
				break;
			case DEP_WAIT:
				all = DEP_WAIT;
				break;
			case DEP_OK:
				break;
			}
		}
	}
	return all;
}

/* A setup holds one of the SUP_LAUNCH_MAX slots only while it is young:
 * one stuck in the kernel longer (a bind source on a hung mount) must
 * not hold it, or 64 of them would stop every other start until their
 * 30 s bound. 0: no young launch; else when the oldest one ages out. */
static unsigned young_launches(struct sup *sv, int64_t now, int64_t *ages_out)
{
	unsigned n = 0;

	*ages_out = 0;
	for (size_t i = 0; i < sv->n; i++) {
		const struct svc *s = sv->svcs[i];
		int64_t out = s->started_mono_ms + SUP_LAUNCH_SLOW_MS;

		if (!s->launch || out <= now)
			continue;
		n++;
		if (!*ages_out || out < *ages_out)
			*ages_out = out;
	}
	return n;
}

/* A unit removed by reload that is not down yet (its ExecStop=, its
 * cleanup, its RuntimeDirectory= removal): the unit of that name added
 * since waits for it, as one unit (its RuntimeDirectory=, its state
 * folder, its namespaces by name) is never up twice. Its state change
 * to down makes the next pass. */
static bool removed_up(const struct sup *sv, const char *name)
{
	for (size_t i = 0; i < sv->n; i++) {
		const struct svc *o = sv->svcs[i];

		if (o->removed && !fsm_is_down(o->state) && (!name || strcmp(o->name, name) == 0))
			return true;
	}
	return false;
}

bool deps_pass(struct sup *sv)
{
	int64_t now = clock_mono_ms(), ages_out;
	unsigned young, budget;
	bool raised = false, any_removed_up;

	if (!sv->deps_dirty || sv->stopping_all)
		return false;
	sv->deps_dirty = false;
	young = young_launches(sv, now, &ages_out);
	budget = young < SUP_LAUNCH_MAX ? SUP_LAUNCH_MAX - young : 0;
	any_removed_up = removed_up(sv, NULL);
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];
		const char *why = NULL;

		if (s->state != SVC_WAITING || s->removed || !s->spec ||
		    (any_removed_up && removed_up(sv, s->name)))
			continue;
		switch (deps_of(sv, s, &why)) {
		case DEP_FAIL:
			snprintf(s->failed_dep, sizeof s->failed_dep, "%s", why);
			sup_raise(sv, s, EV_DEPS_FAILED);
			raised = true;
			break;
		case DEP_OK:
			/* the rest start as these finish their setup (a state
			 * change makes the next pass) */
			if (budget == 0) {
				/* a pass again when a slot's launch ages out,
				 * if none reports before (sup_recheck) */
				sv->recheck_ms = ages_out;
				break;
			}
			budget--;
			sup_raise(sv, s, EV_DEPS_READY);
			raised = true;
			break;
		default:
			break;
		}
	}
	return raised;
}

static bool requires_unit(const struct svc *s, const char *name)
{
	return s->spec && strv_contains(&s->spec->requires, name);
}

void deps_propagate_failure(struct sup *sv, struct svc *failed)
{
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];

		if (s->removed || !requires_unit(s, failed->name))
			continue;
		/* waiting units see it in deps_pass(); the rest are told */
		if (s->state == SVC_START_PRE || s->state == SVC_STARTING ||
		    s->state == SVC_START_WAIT || s->state == SVC_START_POST ||
		    s->state == SVC_RUNNING || s->state == SVC_RELOADING ||
		    s->state == SVC_BACKOFF) {
			snprintf(s->failed_dep, sizeof s->failed_dep, "%s", failed->name);
			sup_raise(sv, s, EV_DEPS_FAILED);
		}
	}
}

void deps_mark_needed(struct sup *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		sv->svcs[i]->needed = false;
	/* one pass over every dependency list, not one per unit */
	for (size_t i = 0; i < sv->n; i++) {
		const struct svc *o = sv->svcs[i];

		/* a launch in flight has a process too, but sup_stop_all()
		 * aborts it in the same pass, and that abort is no unit reap
		 * that would call it again: its dependencies must not wait */
		if (!o->spec || !o->pid || o->state == SVC_STARTING)
			continue;
		for (int l = 0; l < 2; l++) {
			const struct strv *list = l ? &o->spec->requires : &o->spec->after;

			for (size_t j = 0; j < list->n; j++) {
				struct svc *d = sup_find(sv, list->v[j]);

				if (d)
					d->needed = true;
			}
		}
	}
}
