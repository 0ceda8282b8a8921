/* The setters of the [Unit] and [Service] keys. */
#include "unit.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "caps_names.h"
#include "ids.h"
#include "seccomp_rules.h"
#include "unit_parse.h"
#include "values.h"
#include "words.h"
#include "../lib/rlimits.h"

/* ---- [Unit] ------------------------------------------------------------- */

void unit_set_deps(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv *sv = unit_field(p, k), words = { 0 };
	struct strset *set = sv == &p->s->after ? &p->after_set : &p->requires_set;

	if (!*v) {
		unit_list_clear(sv, set);
		return;
	}
	if (!unit_split(p, k, v, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		char name[UNIT_NAME_MAX + 1];
		int r = unit_dep_name(words.v[i], name);

		if (r < 0) {
			unit_bad(p, k, "\"%s\" is not a unit name", words.v[i]);
			continue;
		}
		if (r > 0)
			continue;   /* network.target ...: systemd's, not a unit here */
		if (strcmp(name, p->s->name) == 0) {
			unit_bad(p, k, "a unit cannot depend on itself");
			continue;
		}
		if (unit_list_add(p, k, sv, set, name, UNIT_LIST_MAX, "units", true) < 0)
			break;
	}
	if (sv == &p->s->after)
		p->s->after_loc = unit_here(p);
	else
		p->s->requires_loc = unit_here(p);
}

/* ---- [Service] ---------------------------------------------------------- */

/* Type=exec is sandboxd's simple: started once the exec succeeded. */
void unit_set_type(struct parse *p, const struct key_def *k, const char *v)
{
	static const char *const types[] = {
		[SERVICE_SIMPLE] = "simple", [SERVICE_ONESHOT] = "oneshot",
		[SERVICE_NOTIFY] = "notify", [SERVICE_FORKING] = "forking",
	};

	if (!*v || strcmp(v, "exec") == 0) {
		p->s->type = SERVICE_SIMPLE;
		return;
	}
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (strcmp(v, types[i]) == 0) {
			p->s->type = (enum service_type)i;
			return;
		}
	if (strcmp(v, "dbus") == 0 || strcmp(v, "idle") == 0 || strcmp(v, "notify-reload") == 0)
		unit_bad(p, k, "\"%s\" is not supported: sandboxd has no %s", v,
			 v[0] == 'd' ? "D-Bus" : v[0] == 'i' ? "idle start queue" :
			 "RELOADING=1 protocol; Type=notify with ReloadSignal= sends the signal");
	else
		unit_bad(p, k, "unknown type \"%s\"", v);
}

void unit_set_exec(struct parse *p, const struct key_def *k, const char *v)
{
	struct spec *s = p->s;
	struct strv args = { 0 };

	if (!*v) {
		strv_clear(&s->args);
		p->exec_loc = (struct loc){ 0 };
		return;
	}
	if (p->exec_loc.line) {   /* by an earlier file: a drop-in must reset it */
		unit_bad(p, k, "already set in %s:%d; reset it first with an empty ExecStart=",
		    p->exec_loc.file, p->exec_loc.line);
		return;
	}
	p->exec_tried = true;
	if (!unit_split(p, k, v, &args))
		return;
	if (args.n == 0 || !unit_is_abs_path(args.v[0])) {
		unit_bad(p, k, "\"%s\" is not an absolute path; no shell and no PATH search are used",
		    args.n ? args.v[0] : "");
		return;
	}
	if (unit_exec_has_variable(p, k, &args))
		return;
	s->args = args;
	s->exec_loc = p->exec_loc = unit_here(p);
}

static bool env_key_ok(const char *w)
{
	const char *eq = strchr(w, '=');

	if (!eq || eq == w || (w[0] >= '0' && w[0] <= '9'))
		return false;
	for (const char *c = w; c < eq; c++)
		if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9')))
			return false;
	return true;
}

/* A later assignment of a variable wins, as in systemd: the earlier entry
 * becomes a hole in s->env (found through env_keys, not by a scan), and
 * finish() closes the holes once. */
void unit_set_env(struct parse *p, const struct key_def *k, const char *v)
{
	struct spec *s = p->s;
	struct strv words = { 0 };

	if (!*v) {
		strv_clear(&s->env);
		strset_clear(&p->env_keys);
		p->env_live = 0;
		return;
	}
	if (!unit_split(p, k, v, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		const char *w = words.v[i];
		size_t klen = strcspn(w, "="), old;
		int r;

		if (!env_key_ok(w)) {
			unit_bad(p, k, "\"%s\" is not KEY=VALUE", w);
			continue;
		}
		if (!strset_get(&p->env_keys, w, klen, NULL) && p->env_live >= UNIT_LIST_MAX) {
			unit_bad(p, k, "more than %d variables", UNIT_LIST_MAX);
			return;
		}
		if (strv_push(&s->arena, &s->env, w) < 0 ||
		    (r = strset_put(&p->env_keys, w, klen, s->env.n - 1, &old)) < 0) {
			unit_oom(p);
			return;
		}
		if (r == 0)
			s->env.v[old] = NULL;
		else
			p->env_live++;
	}
}

static bool id_name_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 32 || v[0] == '-')
		return false;
	for (; *v; v++)
		if (!(*v == '_' || *v == '-' || *v == '.' || (*v >= 'a' && *v <= 'z') ||
		      (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9')))
			return false;
	return true;
}

/* User=/Group=: a number (kept in uid/gid now) or a name (resolved later). */
void unit_set_id(struct parse *p, const struct key_def *k, const char *v)
{
	struct spec *s = p->s;
	bool user = k->arg == 0;
	uint64_t n;

	if (user) {
		s->user_name = NULL;
		s->user_loc = *v ? unit_here(p) : (struct loc){ 0 };
		s->uid = 0;
	} else {
		s->group_name = NULL;
		s->group_loc = *v ? unit_here(p) : (struct loc){ 0 };
		s->gid = 0;
	}
	if (!*v)
		return;
	if (v[0] >= '0' && v[0] <= '9') {
		if (parse_u64(v, &n) < 0 || n >= 4294967295u) {
			unit_bad(p, k, "\"%s\" is out of range", v);
			return;
		}
		if (user)
			s->uid = (uid_t)n;
		else
			s->gid = (gid_t)n;
		return;
	}
	if (!id_name_ok(v)) {
		unit_bad(p, k, "\"%s\" is not a valid name", v);
		return;
	}
	if (user)
		s->user_name = unit_dup(p, v);
	else
		s->group_name = unit_dup(p, v);
}

void unit_set_groups(struct parse *p, const struct key_def *k, const char *v)
{
	struct spec *s = p->s;
	struct strv words = { 0 };

	if (!*v) {
		unit_list_clear(&s->supp_group_names, &p->groups_set);
		return;
	}
	if (!unit_split(p, k, v, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		uint64_t n;
		const char *w = words.v[i];

		if (w[0] >= '0' && w[0] <= '9' ? parse_u64(w, &n) < 0 || n >= 4294967295u
					       : !id_name_ok(w)) {
			unit_bad(p, k, "\"%s\" is not a group name or number", w);
			continue;
		}
		if (unit_list_add(p, k, &s->supp_group_names, &p->groups_set, w, SPEC_MAX_GROUPS,
			     "groups", false) < 0)
			return;
	}
	s->supp_loc = unit_here(p);
}

void unit_set_umask(struct parse *p, const struct key_def *k, const char *v)
{
	if (!*v) {
		p->s->umask_set = false;
		p->s->umask = 022;
		return;
	}
	if (parse_octal_mode(v, &p->s->umask) < 0)
		unit_bad(p, k, "\"%s\" is not an octal mode", v);
	else
		p->s->umask_set = true;
}

void unit_set_restart(struct parse *p, const struct key_def *k, const char *v)
{
	for (int r = RESTART_NO; r <= RESTART_ALWAYS; r++) {
		if (strcmp(v, restart_policy_name((enum restart_policy)r)) == 0) {
			p->s->restart = (enum restart_policy)r;
			return;
		}
	}
	if (!*v)
		p->s->restart = RESTART_ON_FAILURE;
	else
		unit_bad(p, k, "unknown policy \"%s\"", v);
}

void unit_set_count(struct parse *p, const struct key_def *k, const char *v)
{
	long n;

	if (!*v) {
		unit_reset_field(p, k);
		return;
	}
	if (parse_long_range(v, k->arg, k->arg2, &n) < 0)
		unit_bad(p, k, "\"%s\" is out of range", v);
	else
		*(unsigned *)unit_field(p, k) = (unsigned)n;
}

void unit_set_signal(struct parse *p, const struct key_def *k, const char *v)
{
	if (!*v) {
		unit_reset_field(p, k);
		return;
	}
	if (parse_signal(v, &p->s->kill_signal) < 0)
		unit_bad(p, k, "unknown signal \"%s\"", v);
}

void unit_set_oom_policy(struct parse *p, const struct key_def *k, const char *v)
{
	if (!*v || strcmp(v, "restart") == 0)
		p->s->oom_policy = OOM_RESTART;
	else if (strcmp(v, "stop") == 0)
		p->s->oom_policy = OOM_STOP;
	else if (strcmp(v, "reboot") == 0)
		p->s->oom_policy = OOM_REBOOT;
	else
		unit_bad(p, k, "unknown policy \"%s\"", v);
}

void unit_set_output(struct parse *p, const struct key_def *k, const char *v)
{
	static const char *const kinds[] = { "log", "console", "null" };
	struct output *o = unit_field(p, k);
	const char *why;

	for (size_t i = 0; i < 3; i++) {
		if (strcmp(v, kinds[i]) == 0) {
			*o = (struct output){ .kind = (enum output_kind)i };
			return;
		}
	}
	if (!*v) {
		*o = (struct output){ .kind = OUTPUT_LOG };
		return;
	}
	enum output_kind kind;
	const char *path;
	if (strncmp(v, "file:", 5) == 0) {
		kind = OUTPUT_FILE;
		path = v + 5;
	} else if (strncmp(v, "append:", 7) == 0) {
		kind = OUTPUT_APPEND;
		path = v + 7;
	} else {
		unit_bad(p, k, "unknown output \"%s\"", v);
		return;
	}
	if ((why = unit_path_problem(path))) {
		unit_bad(p, k, "\"%s\": %s", path, why);
		return;
	}
	*o = (struct output){ .kind = kind, .path = unit_dup(p, path) };
}

/* Byte-valued rlimits take size suffixes; the others plain numbers. */
static int parse_rlimit_value(int r, const char *v, uint64_t *out)
{
	if (strcmp(v, "infinity") == 0) {
		*out = LIMIT_INFINITY;
		return 0;
	}
	return rlimits_table[r].bytes ? parse_size(v, out) : parse_u64(v, out);
}

void unit_set_rlimit(struct parse *p, const struct key_def *k, const char *v)
{
	struct rlimit_spec *rl = &p->s->rlimits[k->arg];
	char soft[64];
	const char *hard = strchr(v, ':');
	uint64_t s, h;

	if (!*v) {
		rl->set = false;
		return;
	}
	size_t slen = hard ? (size_t)(hard - v) : strlen(v);
	if (slen >= sizeof soft) {
		unit_bad(p, k, "\"%s\" is not a limit", v);
		return;
	}
	memcpy(soft, v, slen);
	soft[slen] = '\0';
	if (parse_rlimit_value((int)k->arg, soft, &s) < 0 ||
	    parse_rlimit_value((int)k->arg, hard ? hard + 1 : soft, &h) < 0) {
		unit_bad(p, k, "\"%s\" is not a limit", v);
		return;
	}
	if (s > h) {
		unit_bad(p, k, "soft limit %s is above the hard limit %s", soft, hard + 1);
		return;
	}
	if (k->arg == RLIMIT_NOFILE && h != LIMIT_INFINITY && h > 1048576) {
		unit_bad(p, k, "%s is above the kernel's nr_open default of 1048576", v);
		return;
	}
	*rl = (struct rlimit_spec){ .set = true, .soft = s, .hard = h };
}

void unit_set_oom_score(struct parse *p, const struct key_def *k, const char *v)
{
	long n;

	if (!*v) {
		p->s->oom_score_adj_set = false;
		return;
	}
	if (parse_long_range(v, -1000, 1000, &n) < 0) {
		unit_bad(p, k, "\"%s\" is out of range", v);
		return;
	}
	p->s->oom_score_adj_set = true;
	p->s->oom_score_adj = (int)n;
}
