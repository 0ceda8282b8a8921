/* Unit files -> struct spec: the key table, each key's setter, and the
 * checks and defaults after all files. Reading files and lines is in
 * unit_read.c, the mount keys and default mounts in unit_mounts.c.
 *
 * Cost: every list is checked for duplicates through a set (strset.c), so
 * that n words cost O(n); every list and the unit as a whole have caps
 * (unit_parse.h), each with its own message (issue #9, items 15, 16). */
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

void unit_give_up(struct parse *p)
{
	if (p->gave_up)
		return;
	p->gave_up = true;
	diag_at(p->d, p->file, p->line, NULL, NULL,
		"more than %d problems; the rest of the unit is not read", UNIT_PROBLEMS_MAX);
}

void unit_bad(struct parse *p, const struct key_def *k, const char *fmt, ...)
{
	char what[DIAG_MSG_MAX];
	va_list ap;

	/* the unit is already bad: one line about the rest is enough */
	if (p->d->count - p->errors_before >= UNIT_PROBLEMS_MAX) {
		unit_give_up(p);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (k->accepted)
		diag_at(p->d, p->file, p->line, k->section, k->name, "%s (%s)", what, k->accepted);
	else
		diag_at(p->d, p->file, p->line, k->section, k->name, "%s", what);
}

void unit_oom(struct parse *p)
{
	if (!p->oom)
		diag_at(p->d, p->file, p->line, NULL, NULL, "out of memory");
	p->oom = true;
}

char *unit_dup(struct parse *p, const char *v)
{
	char *c = arena_strdup(&p->s->arena, v);

	if (!c)
		unit_oom(p);
	return c;
}

static void *field(struct parse *p, const struct key_def *k)
{
	return (char *)p->s + k->off;
}

struct loc unit_here(const struct parse *p)
{
	return (struct loc){ .file = p->file, .line = p->line };
}

bool unit_split(struct parse *p, const struct key_def *k, const char *v, struct strv *out)
{
	const char *why;

	if (words_split(&p->s->arena, v, UNIT_WORDS_MAX, out, &why) == 0)
		return true;
	if (strcmp(why, "out of memory") == 0)
		unit_oom(p);
	else
		unit_bad(p, k, "%s", why);
	return false;
}

static bool is_abs_path(const char *v)
{
	return v[0] == '/';
}

/* Paths: absolute, no NUL-hostile bytes, no "." or ".." components, so
 * that what is checked is what the launcher resolves. */
const char *unit_path_problem(const char *v)
{
	if (!is_abs_path(v))
		return "not an absolute path";
	if (strlen(v) >= 4096)
		return "path too long";
	for (const char *c = v; *c; c++) {
		if (*c == '/' && c[1] == '.' && (c[2] == '/' || !c[2] ||
		    (c[2] == '.' && (c[3] == '/' || !c[3]))))
			return "\".\" and \"..\" components are not allowed";
		if ((unsigned char)*c < 0x20)
			return "control characters are not allowed";
	}
	return NULL;
}

/* Add w to a list without duplicates, at most max entries. The set is
 * rebuilt from the list when they differ (the list was seeded with
 * defaults, or cleared), so a word costs O(1), not a scan of the list.
 * 1 = added, 0 = already there, -1 = reported (cap or memory). */
static int list_add(struct parse *p, const struct key_def *k, struct strv *sv,
		    struct strset *set, const char *w, size_t max, const char *what, bool copy)
{
	if (set->n != sv->n) {
		strset_clear(set);
		for (size_t i = 0; i < sv->n; i++)
			if (strset_put(set, sv->v[i], strlen(sv->v[i]), i, NULL) < 0) {
				unit_oom(p);
				return -1;
			}
	}
	if (strset_get(set, w, strlen(w), NULL))
		return 0;
	if (sv->n >= max) {
		unit_bad(p, k, "more than %zu %s", max, what);
		return -1;
	}
	if (copy && !(w = arena_strdup(&p->s->arena, w))) {
		unit_oom(p);
		return -1;
	}
	if (strv_push(&p->s->arena, sv, w) < 0 || strset_put(set, w, strlen(w), sv->n - 1, NULL) < 0) {
		unit_oom(p);
		return -1;
	}
	return 1;
}

static void list_clear(struct strv *sv, struct strset *set)
{
	strv_clear(sv);
	strset_clear(set);
}

/* ---- defaults ---------------------------------------------------------- */

static const char *const default_masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	"/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
	NULL,
};
static const char *const default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static void spec_defaults(struct spec *s)
{
	s->type = SERVICE_SIMPLE;
	s->cwd = "/";
	s->umask = 022;
	s->restart = RESTART_ON_FAILURE;
	s->restart_sec_ms = 100;
	s->restart_max_sec_ms = 30000;
	s->start_limit_burst = 5;
	s->start_limit_interval_ms = 10000;
	s->timeout_stop_ms = 5000;
	s->kill_signal = 15;
	s->namespaces = NS_DEFAULT;
	s->caps = (1ull << 29) | (1ull << 5) | (1ull << 10);  /* AUDIT_WRITE KILL NET_BIND_SERVICE */
	s->no_new_privs = true;
	s->init = -1;                                 /* decided after parsing */
	s->seccomp_profile = CONFIG_SECCOMP ? SECCOMP_PROFILE_DEFAULT : SECCOMP_PROFILE_NONE;
	s->seccomp.errnum = EPERM;
	s->res.cpu_period_us = 100000;
}

static int push_all(struct spec *s, struct strv *sv, const char *const *list)
{
	for (; *list; list++)
		if (strv_push(&s->arena, sv, *list) < 0)
			return -1;
	return 0;
}

static void reset_field(struct parse *p, const struct key_def *k)
{
	struct spec def;

	memset(&def, 0, sizeof def);
	spec_defaults(&def);
	memcpy(field(p, k), (char *)&def + k->off, k->size);
}

/* ---- generic setters ---------------------------------------------------- */

static void set_text(struct parse *p, const struct key_def *k, const char *v)
{
	const char **f = field(p, k);

	*f = *v ? unit_dup(p, v) : NULL;
}

static void set_bool(struct parse *p, const struct key_def *k, const char *v)
{
	if (!*v) {
		reset_field(p, k);
		return;
	}
	if (parse_bool(v, field(p, k)) < 0)
		unit_bad(p, k, "\"%s\" is not a boolean", v);
}

static void set_duration(struct parse *p, const struct key_def *k, const char *v)
{
	uint64_t ms;

	if (!*v) {
		reset_field(p, k);
		return;
	}
	if (parse_duration_ms(v, &ms) < 0)
		unit_bad(p, k, "\"%s\" is not a duration", v);
	else if (ms < (uint64_t)k->arg)
		unit_bad(p, k, "%s is too short", v);
	else
		*(uint64_t *)field(p, k) = ms;
}

static void mark_resource(struct parse *p, const struct key_def *k)
{
	if (!p->resources_loc.line)
		p->resources_loc = unit_here(p);
	(void)k;
}

/* A [Resources] value: bytes, or a number in [arg, arg2]; infinity if arg2 < 0 allows it. */
static void set_res_size(struct parse *p, const struct key_def *k, const char *v)
{
	struct u64_opt *o = field(p, k);
	uint64_t b;

	if (!*v) {
		o->set = false;
		return;
	}
	if (parse_size(v, &b) < 0) {
		unit_bad(p, k, "\"%s\" is not a size", v);
		return;
	}
	mark_resource(p, k);
	o->set = true;
	o->v = b;
}

static void set_res_range(struct parse *p, const struct key_def *k, const char *v)
{
	struct u64_opt *o = field(p, k);
	uint64_t n;

	if (!*v) {
		o->set = false;
		return;
	}
	if (k->arg2 < 0 && strcmp(v, "infinity") == 0) {
		n = LIMIT_INFINITY;
	} else if (parse_u64(v, &n) < 0 || n < (uint64_t)k->arg ||
		   n > (uint64_t)(k->arg2 < 0 ? -k->arg2 : k->arg2)) {
		unit_bad(p, k, "\"%s\" is out of range", v);
		return;
	}
	mark_resource(p, k);
	o->set = true;
	o->v = n;
	if (o == &p->s->res.cpu_weight)
		p->cpu_weight_loc = unit_here(p);
	if (o == &p->s->res.cpu_shares)
		p->cpu_shares_loc = unit_here(p);
}

static void set_path(struct parse *p, const struct key_def *k, const char *v)
{
	const char *why;

	if (!*v) {
		reset_field(p, k);
		return;
	}
	if ((why = unit_path_problem(v))) {
		unit_bad(p, k, "\"%s\": %s", v, why);
		return;
	}
	*(const char **)field(p, k) = unit_dup(p, v);
}

/* ---- [Unit] ------------------------------------------------------------- */

static void set_deps(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv *sv = field(p, k), words = { 0 };
	struct strset *set = sv == &p->s->after ? &p->after_set : &p->requires_set;

	if (!*v) {
		list_clear(sv, set);
		return;
	}
	if (!unit_split(p, k, v, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		char name[UNIT_NAME_MAX + 1];

		if (unit_name_normalize(words.v[i], name) < 0) {
			unit_bad(p, k, "\"%s\" is not a unit name", words.v[i]);
			continue;
		}
		if (strcmp(name, p->s->name) == 0) {
			unit_bad(p, k, "a unit cannot depend on itself");
			continue;
		}
		if (list_add(p, k, sv, set, name, UNIT_LIST_MAX, "units", true) < 0)
			break;
	}
	if (sv == &p->s->after)
		p->s->after_loc = unit_here(p);
	else
		p->s->requires_loc = unit_here(p);
}

/* ---- [Service] ---------------------------------------------------------- */

static void set_type(struct parse *p, const struct key_def *k, const char *v)
{
	if (!*v || strcmp(v, "simple") == 0)
		p->s->type = SERVICE_SIMPLE;
	else if (strcmp(v, "oneshot") == 0)
		p->s->type = SERVICE_ONESHOT;
	else
		unit_bad(p, k, "unknown type \"%s\"", v);
}

static void set_exec(struct parse *p, const struct key_def *k, const char *v)
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
	if (args.n == 0 || !is_abs_path(args.v[0])) {
		unit_bad(p, k, "\"%s\" is not an absolute path; no shell and no PATH search are used",
		    args.n ? args.v[0] : "");
		return;
	}
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
static void set_env(struct parse *p, const struct key_def *k, const char *v)
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
static void set_id(struct parse *p, const struct key_def *k, const char *v)
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

static void set_groups(struct parse *p, const struct key_def *k, const char *v)
{
	struct spec *s = p->s;
	struct strv words = { 0 };

	if (!*v) {
		list_clear(&s->supp_group_names, &p->groups_set);
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
		if (list_add(p, k, &s->supp_group_names, &p->groups_set, w, SPEC_MAX_GROUPS,
			     "groups", false) < 0)
			return;
	}
	s->supp_loc = unit_here(p);
}

static void set_umask(struct parse *p, const struct key_def *k, const char *v)
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

static void set_restart(struct parse *p, const struct key_def *k, const char *v)
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

static void set_count(struct parse *p, const struct key_def *k, const char *v)
{
	long n;

	if (!*v) {
		reset_field(p, k);
		return;
	}
	if (parse_long_range(v, k->arg, k->arg2, &n) < 0)
		unit_bad(p, k, "\"%s\" is out of range", v);
	else
		*(unsigned *)field(p, k) = (unsigned)n;
}

static void set_signal(struct parse *p, const struct key_def *k, const char *v)
{
	if (!*v) {
		reset_field(p, k);
		return;
	}
	if (parse_signal(v, &p->s->kill_signal) < 0)
		unit_bad(p, k, "unknown signal \"%s\"", v);
}

static void set_oom_policy(struct parse *p, const struct key_def *k, const char *v)
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

static void set_output(struct parse *p, const struct key_def *k, const char *v)
{
	static const char *const kinds[] = { "log", "console", "null" };
	struct output *o = field(p, k);
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
static bool rlimit_is_bytes(int r)
{
	return r == RLIMIT_FSIZE || r == RLIMIT_DATA || r == RLIMIT_STACK || r == RLIMIT_CORE ||
	       r == RLIMIT_RSS || r == RLIMIT_AS || r == RLIMIT_MEMLOCK || r == RLIMIT_MSGQUEUE;
}

static int parse_rlimit_value(int r, const char *v, uint64_t *out)
{
	if (strcmp(v, "infinity") == 0) {
		*out = LIMIT_INFINITY;
		return 0;
	}
	return rlimit_is_bytes(r) ? parse_size(v, out) : parse_u64(v, out);
}

static void set_rlimit(struct parse *p, const struct key_def *k, const char *v)
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

static void set_oom_score(struct parse *p, const struct key_def *k, const char *v)
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

/* ---- [Sandbox] ---------------------------------------------------------- */

static void set_root(struct parse *p, const struct key_def *k, const char *v)
{
	if (strcmp(v, "/") == 0) {
		unit_bad(p, k, "\"/\" is the system's root: leave RootDirectory= unset to run there");
		return;
	}
	set_path(p, k, v);
	p->s->root_loc = *v ? unit_here(p) : (struct loc){ 0 };
}

static void set_ro_root(struct parse *p, const struct key_def *k, const char *v)
{
	p->ro_root_set = *v != '\0';
	p->ro_root_loc = unit_here(p);
	set_bool(p, k, v);
}

static void set_namespaces(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv words = { 0 };
	unsigned set = 0, removed = 0;

	p->ns_loc = unit_here(p);
	if (!*v) {
		p->s->namespaces = NS_DEFAULT;
		return;
	}
	if (!unit_split(p, k, v, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		const char *w = words.v[i];
		bool minus = w[0] == '~';
		int t;

		for (t = 0; t < NS_COUNT; t++)
			if (strcmp(w + minus, ns_type_keyword((enum ns_type)t)) == 0)
				break;
		if (t == NS_COUNT) {
			unit_bad(p, k, "unknown namespace \"%s\"", w + minus);
			return;
		}
		if (minus)
			removed |= NS_BIT(t);
		else
			set |= NS_BIT(t);
	}
	if (set && removed) {
		unit_bad(p, k, "mixes names and ~names; list the namespaces, or ~remove from the default");
		return;
	}
	p->s->namespaces = set ? set : NS_DEFAULT & ~removed;
}

static void set_hostname(struct parse *p, const struct key_def *k, const char *v)
{
	size_t n = strlen(v);

	p->hostname_loc = *v ? unit_here(p) : (struct loc){ 0 };
	if (!*v) {
		p->s->hostname = NULL;
		return;
	}
	if (n > 64) {
		unit_bad(p, k, "longer than 64 characters");
		return;
	}
	for (const char *c = v; *c; c++) {
		if (!(*c == '-' || *c == '.' || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))) {
			unit_bad(p, k, "\"%s\" is not a hostname", v);
			return;
		}
	}
	p->s->hostname = unit_dup(p, v);
}

static void set_caps(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv words = { 0 };

	if (!p->caps_assigned || !*v)
		p->s->caps = 0;
	p->caps_assigned = true;
	if (!*v)
		return;
	if (!unit_split(p, k, v, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		int c = cap_from_name(words.v[i]);

		if (c < 0)
			unit_bad(p, k, "unknown capability \"%s\"", words.v[i]);
		else
			p->s->caps |= 1ull << c;
	}
}

static void set_nnp(struct parse *p, const struct key_def *k, const char *v)
{
	p->nnp_loc = *v ? unit_here(p) : (struct loc){ 0 };
	set_bool(p, k, v);
}

static void set_init(struct parse *p, const struct key_def *k, const char *v)
{
	bool b;

	p->init_set = *v != '\0';
	p->init_loc = unit_here(p);
	if (!*v) {
		p->s->init = -1;
		return;
	}
	if (parse_bool(v, &b) < 0)
		unit_bad(p, k, "\"%s\" is not a boolean", v);
	else
		p->s->init = b;
}

static void set_path_list(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv *sv = field(p, k), words = { 0 };
	const char *why;

	if (*v)
		p->masked_loc = unit_here(p);

	struct strset *set = sv == &p->s->masked_paths ? &p->masked_set : &p->readonly_set;

	if (!*v) {
		list_clear(sv, set);
		return;
	}
	if (!unit_split(p, k, v, &words))
		return;
	/* each is a mount at every start: capped like the mounts */
	for (size_t i = 0; i < words.n; i++) {
		if ((why = unit_path_problem(words.v[i])))
			unit_bad(p, k, "\"%s\": %s", words.v[i], why);
		else if (list_add(p, k, sv, set, words.v[i], UNIT_PATHS_MAX, "paths", false) < 0)
			return;
	}
}

static void set_profile(struct parse *p, const struct key_def *k, const char *v)
{
	p->profile_loc = unit_here(p);
	p->profile_set = *v != '\0';
	if (!*v)
		p->s->seccomp_profile = CONFIG_SECCOMP ? SECCOMP_PROFILE_DEFAULT : SECCOMP_PROFILE_NONE;
	else if (strcmp(v, "default") == 0)
		p->s->seccomp_profile = SECCOMP_PROFILE_DEFAULT;
	else if (strcmp(v, "none") == 0)
		p->s->seccomp_profile = SECCOMP_PROFILE_NONE;
	else
		unit_bad(p, k, "unknown profile \"%s\"", v);
}

/* systemd's semantics: the first assignment picks allow- or deny-listing;
 * later ones of the same kind add, of the other kind take away. */
static void set_syscall_filter(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv words = { 0 };
	bool deny = v[0] == '~';

	if (!*v) {
		p->filter_mode = FILTER_UNSET;
		list_clear(&p->filter, &p->filter_set);
		return;
	}
	if (!unit_split(p, k, v + deny, &words))
		return;
	if (!words.n) {
		unit_bad(p, k, "no system call names");
		return;
	}
	if (p->filter_mode == FILTER_UNSET) {
		p->filter_mode = deny ? FILTER_DENY : FILTER_ALLOW;
		p->filter_loc = unit_here(p);
	}
	bool adding = deny == (p->filter_mode == FILTER_DENY);
	for (size_t i = 0; i < words.n; i++) {
		const char *w = words.v[i];

		if (w[0] == '@') {
			unit_bad(p, k, "system call sets such as \"%s\" are not supported; list the names", w);
			continue;
		}
		if (CONFIG_SECCOMP && !seccomp_syscall_known(w)) {
			unit_bad(p, k, "unknown system call \"%s\"", w);
			continue;
		}
		/* a removed name leaves a hole in p->filter (closed by
		 * finish_seccomp); the set says where each name is */
		size_t at;

		if (!adding) {
			if (strset_del(&p->filter_set, w, strlen(w), &at))
				p->filter.v[at] = NULL;
		} else if (!strset_get(&p->filter_set, w, strlen(w), NULL) &&
			   (strv_push(&p->s->arena, &p->filter, w) < 0 ||
			    strset_put(&p->filter_set, w, strlen(w), p->filter.n - 1, NULL) < 0)) {
			unit_oom(p);
			return;
		}
	}
}

static void set_syscall_errno(struct parse *p, const struct key_def *k, const char *v)
{
	struct seccomp_rules *r = &p->s->seccomp;

	if (!*v || strcmp(v, "kill") == 0) {
		r->kill = *v != '\0';
		r->errnum = EPERM;
		return;
	}
	if (parse_errno_name(v, &r->errnum) < 0)
		unit_bad(p, k, "unknown errno name \"%s\"", v);
	else
		r->kill = false;
}

/* systemd's RestrictNamespaces=: yes (none may be made or entered), no,
 * the types allowed, or ~the types forbidden. Unset, SeccompProfile=default
 * means yes. */
static void set_restrict_ns(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv words = { 0 };
	bool yes, inverted = v[0] == '~';
	unsigned types = 0;

	p->restrict_set = *v != '\0';
	p->restrict_loc = unit_here(p);
	p->restrict_ns = false;
	p->ns_allowed = 0;
	if (!*v)
		return;
	if (parse_bool(v, &yes) == 0) {
		p->restrict_ns = yes;
		return;
	}
	if (!unit_split(p, k, v + inverted, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		const char *w = strcmp(words.v[i], "mnt") == 0 ? "mount" : words.v[i];
		int t;

		for (t = 0; t < NS_COUNT; t++)
			if (strcmp(w, ns_type_keyword((enum ns_type)t)) == 0)
				break;
		if (t == NS_COUNT) {
			unit_bad(p, k, "unknown namespace \"%s\"", words.v[i]);
			return;
		}
		types |= NS_BIT(t);
	}
	p->restrict_ns = true;
	p->ns_allowed = inverted ? ((1u << NS_COUNT) - 1) & ~types : types;
}

static void set_syscall_archs(struct parse *p, const struct key_def *k, const char *v)
{
	if (*v && strcmp(v, "native") != 0)
		unit_bad(p, k, "\"%s\" is not supported", v);
}

/* ---- [Resources] -------------------------------------------------------- */

static void set_quota(struct parse *p, const struct key_def *k, const char *v)
{
	struct u64_opt *o = &p->s->res.cpu_quota_permyriad;
	uint64_t q;

	if (!*v) {
		o->set = false;
		return;
	}
	if (parse_percent_permyriad(v, &q) < 0 || q == 0) {
		unit_bad(p, k, "\"%s\" is not a positive percentage", v);
		return;
	}
	mark_resource(p, k);
	*o = (struct u64_opt){ .set = true, .v = q };
}

static void set_quota_period(struct parse *p, const struct key_def *k, const char *v)
{
	uint64_t ms;

	if (!*v) {
		p->s->res.cpu_period_us = 100000;
		return;
	}
	if (parse_duration_ms(v, &ms) < 0 || ms < 1 || ms > 1000) {
		unit_bad(p, k, "\"%s\" is not a duration from 1ms to 1s", v);
		return;
	}
	p->s->res.cpu_period_us = ms * 1000;
}

static void set_cpuset(struct parse *p, const struct key_def *k, const char *v)
{
	const char **f = field(p, k);

	if (!*v) {
		*f = NULL;
		return;
	}
	if (parse_cpu_list(v) < 0) {
		unit_bad(p, k, "\"%s\" is not a list of numbers and ranges", v);
		return;
	}
	mark_resource(p, k);
	*f = unit_dup(p, v);
}

/* ---- the key table ------------------------------------------------------ */

#define RES(f) offsetof(struct spec, res.f), sizeof(((struct spec *)0)->res.f)
#define LIMIT(name, r) { "Service", name, set_rlimit, NOFIELD, r, 0, \
	"N, SOFT:HARD or infinity", false }

static const char ACC_SIZE[] = "bytes with an optional K, M, G or T suffix, or infinity";
static const char ACC_DURATION[] = "a duration such as 500ms, 2s, 1min, 1h or bare seconds";
static const char ACC_BOOL[] = "yes or no";

static const struct key_def keys[] = {
	{ "Unit", "Description", set_text, FIELD(description), 0, 0, NULL, false },
	{ "Unit", "After", set_deps, FIELD(after), 0, 0, "unit names", true },
	{ "Unit", "Requires", set_deps, FIELD(requires), 0, 0, "unit names", true },
	{ "Unit", "StartLimitBurst", set_count, FIELD(start_limit_burst), 0, 32, "0 to 32; 0 = no limit", false },
	{ "Unit", "StartLimitIntervalSec", set_duration, FIELD(start_limit_interval_ms), 0, 0, ACC_DURATION, false },

	{ "Service", "Type", set_type, NOFIELD, 0, 0, "simple or oneshot", false },
	{ "Service", "ExecStart", set_exec, NOFIELD, 0, 0, "an absolute path and arguments; quotes and backslash escapes, no shell", false },
	{ "Service", "Environment", set_env, NOFIELD, 0, 0, "KEY=VALUE words", true },
	{ "Service", "WorkingDirectory", set_path, FIELD(cwd), 0, 0, "an absolute path", false },
	{ "Service", "User", set_id, NOFIELD, 0, 0, "a user name or number", false },
	{ "Service", "Group", set_id, NOFIELD, 1, 0, "a group name or number", false },
	{ "Service", "SupplementaryGroups", set_groups, NOFIELD, 0, 0, "group names or numbers", true },
	{ "Service", "UMask", set_umask, NOFIELD, 0, 0, "an octal mode such as 0022", false },
	{ "Service", "Restart", set_restart, NOFIELD, 0, 0, "no, on-success, on-failure, on-abnormal or always", false },
	{ "Service", "RestartSec", set_duration, FIELD(restart_sec_ms), 1, 0, ACC_DURATION, false },
	{ "Service", "RestartMaxSec", set_duration, FIELD(restart_max_sec_ms), 1, 0, ACC_DURATION, false },
	{ "Service", "StartLimitBurst", set_count, FIELD(start_limit_burst), 0, 32, "0 to 32; 0 = no limit", false },
	{ "Service", "StartLimitIntervalSec", set_duration, FIELD(start_limit_interval_ms), 0, 0, ACC_DURATION, false },
	{ "Service", "TimeoutStopSec", set_duration, FIELD(timeout_stop_ms), 1, 0, ACC_DURATION, false },
	{ "Service", "KillSignal", set_signal, FIELD(kill_signal), 0, 0, "a signal name such as SIGTERM, or a number", false },
	{ "Service", "OOMPolicy", set_oom_policy, NOFIELD, 0, 0, "restart, stop or reboot", false },
	{ "Service", "StandardOutput", set_output, FIELD(std_out), 0, 0, "log, console, null, file:PATH or append:PATH", false },
	{ "Service", "StandardError", set_output, FIELD(std_err), 0, 0, "log, console, null, file:PATH or append:PATH", false },
	LIMIT("LimitCPU", RLIMIT_CPU), LIMIT("LimitFSIZE", RLIMIT_FSIZE),
	LIMIT("LimitDATA", RLIMIT_DATA), LIMIT("LimitSTACK", RLIMIT_STACK),
	LIMIT("LimitCORE", RLIMIT_CORE), LIMIT("LimitRSS", RLIMIT_RSS),
	LIMIT("LimitNOFILE", RLIMIT_NOFILE), LIMIT("LimitAS", RLIMIT_AS),
	LIMIT("LimitNPROC", RLIMIT_NPROC), LIMIT("LimitMEMLOCK", RLIMIT_MEMLOCK),
	LIMIT("LimitLOCKS", RLIMIT_LOCKS), LIMIT("LimitSIGPENDING", RLIMIT_SIGPENDING),
	LIMIT("LimitMSGQUEUE", RLIMIT_MSGQUEUE), LIMIT("LimitNICE", RLIMIT_NICE),
	LIMIT("LimitRTPRIO", RLIMIT_RTPRIO), LIMIT("LimitRTTIME", RLIMIT_RTTIME),
	{ "Service", "OOMScoreAdjust", set_oom_score, NOFIELD, 0, 0, "-1000 to 1000", false },

	{ "Sandbox", "RootDirectory", set_root, FIELD(root), 0, 0, "an absolute path", false },
	{ "Sandbox", "ReadOnlyRoot", set_ro_root, FIELD(root_readonly), 0, 0, ACC_BOOL, false },
	{ "Sandbox", "Namespaces", set_namespaces, NOFIELD, 0, 0, "pid net ipc uts mount cgroup user, or ~name to remove one from the default", false },
	{ "Sandbox", "Hostname", set_hostname, NOFIELD, 0, 0, "letters, digits, '-' and '.', at most 64", false },
	{ "Sandbox", "Capabilities", set_caps, NOFIELD, 0, 0, "CAP_* names", true },
	{ "Sandbox", "NoNewPrivileges", set_nnp, FIELD(no_new_privs), 0, 0, ACC_BOOL, false },
	{ "Sandbox", "ControlAccess", set_bool, FIELD(control_access), 0, 0, ACC_BOOL, false },
	{ "Sandbox", "Init", set_init, NOFIELD, 0, 0, ACC_BOOL, false },
	{ "Sandbox", "BindPaths", unit_set_binds, NOFIELD, 0, 0, "SRC[:DST] absolute paths", true },
	{ "Sandbox", "BindReadOnlyPaths", unit_set_binds, NOFIELD, 1, 0, "SRC[:DST] absolute paths", true },
	{ "Sandbox", "TemporaryFileSystem", unit_set_tmpfs, NOFIELD, 0, 0, "DST[:OPTIONS]; options ro, nosuid, nodev, noexec, size=, mode=, nr_inodes=, uid=, gid=", true },
	{ "Sandbox", "MaskedPaths", set_path_list, FIELD(masked_paths), 0, 0, "absolute paths", true },
	{ "Sandbox", "ReadOnlyPaths", set_path_list, FIELD(readonly_paths), 0, 0, "absolute paths", true },
	{ "Sandbox", "SeccompProfile", set_profile, NOFIELD, 0, 0, "default or none", false },
	{ "Sandbox", "SystemCallFilter", set_syscall_filter, NOFIELD, 0, 0, "system call names, or ~names to deny", true },
	{ "Sandbox", "SystemCallErrorNumber", set_syscall_errno, NOFIELD, 0, 0, "an errno name such as EPERM, or kill", false },
	{ "Sandbox", "RestrictNamespaces", set_restrict_ns, NOFIELD, 0, 0, "yes, no, or the types a process may make or enter: cgroup ipc net mnt pid user uts; ~types for all but these", false },
	{ "Sandbox", "SystemCallArchitectures", set_syscall_archs, NOFIELD, 0, 0, "native", false },

	{ "Resources", "MemoryMax", set_res_size, RES(memory_max), 0, 0, ACC_SIZE, false },
	{ "Resources", "MemoryHigh", set_res_size, RES(memory_high), 0, 0, ACC_SIZE, false },
	{ "Resources", "MemorySwapMax", set_res_size, RES(memory_swap_max), 0, 0, ACC_SIZE, false },
	{ "Resources", "CPUWeight", set_res_range, RES(cpu_weight), 1, 10000, "1 to 10000", false },
	{ "Resources", "CPUShares", set_res_range, RES(cpu_shares), 2, 262144, "2 to 262144", false },
	{ "Resources", "CPUQuota", set_quota, NOFIELD, 0, 0, "a percentage such as 50% or 150%", false },
	{ "Resources", "CPUQuotaPeriodSec", set_quota_period, NOFIELD, 0, 0, "1ms to 1s", false },
	{ "Resources", "AllowedCPUs", set_cpuset, RES(cpus), 0, 0, "CPU numbers and ranges such as 0-1,3", false },
	{ "Resources", "AllowedMemoryNodes", set_cpuset, RES(mems), 0, 0, "NUMA node numbers and ranges such as 0-1", false },
	{ "Resources", "TasksMax", set_res_range, RES(tasks_max), 1, -4194304, "1 to 4194304, or infinity", false },
	{ "Resources", "IOWeight", set_res_range, RES(io_weight), 1, 10000, "1 to 10000", false },
};

#define N_KEYS (sizeof keys / sizeof *keys)
_Static_assert(N_KEYS <= sizeof ((struct parse *)0)->seen / sizeof(int), "seen[] too small");

int unit_on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	const char *elsewhere = NULL;

	(void)value;   /* "@": the real value is p->value */
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key_def *k = &keys[i];

		if (strcmp(k->name, name) != 0)
			continue;
		if (strcmp(k->section, section) != 0) {
			elsewhere = k->section;
			continue;
		}
		if (!k->list && *p->value) {
			if (p->seen[i]) {
				diag_at(p->d, p->file, p->line, section, name,
					"set twice in this file (first at line %d)", p->seen[i]);
				return 1;
			}
			p->seen[i] = p->line;
		}
		k->set(p, k, p->value);
		return 1;
	}
	if (elsewhere)
		diag_at(p->d, p->file, p->line, section, name,
			"unknown key in this section (it belongs in [%s])", elsewhere);
	else
		diag_at(p->d, p->file, p->line, section, name, "unknown key");
	return 1;
}


/* ---- after all files ---------------------------------------------------- */

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* With namespaces opened by RestrictNamespaces=, the profile leaves
 * unshare and setns to the flag rules (config/seccomp_rules.c). */
static bool profile_denies(const struct parse *p, const char *name)
{
	if (p->restrict_set && (!p->restrict_ns || p->ns_allowed) &&
	    (strcmp(name, "unshare") == 0 || strcmp(name, "setns") == 0))
		return false;
	return in_list(seccomp_default_deny, name);
}

static void finish_seccomp(struct parse *p, const char *file)
{
	struct spec *s = p->s;
	struct seccomp_rules *r = &s->seccomp;
	bool profile = s->seccomp_profile == SECCOMP_PROFILE_DEFAULT;

	r->restrict_ns = p->restrict_set ? p->restrict_ns : profile;
	r->ns_allowed = p->restrict_set ? p->ns_allowed : 0;

	if (!CONFIG_SECCOMP && (p->filter_mode != FILTER_UNSET || profile)) {
		struct loc at = p->filter_mode != FILTER_UNSET ? p->filter_loc : p->profile_loc;

		diag_at(p->d, at.file ? at.file : file, at.line, "Sandbox",
			p->filter_mode != FILTER_UNSET ? "SystemCallFilter" : "SeccompProfile",
			"this build has no seccomp support (CONFIG_SECCOMP)");
		return;
	}
	if (!CONFIG_SECCOMP && r->restrict_ns) {
		diag_at(p->d, p->restrict_loc.file ? p->restrict_loc.file : file,
			p->restrict_loc.line, "Sandbox", "RestrictNamespaces",
			"this build has no seccomp support (CONFIG_SECCOMP)");
		return;
	}
	r->enabled = profile || p->filter_mode != FILTER_UNSET || r->restrict_ns;
	r->allow_list = p->filter_mode == FILTER_ALLOW;
	strv_clear(&r->names);
	if (!r->enabled)
		return;
	if (r->allow_list) {
		for (size_t i = 0; i < p->filter.n; i++) {
			if (!p->filter.v[i])
				continue;
			if (profile && profile_denies(p, p->filter.v[i])) {
				diag_at(p->d, p->filter_loc.file, p->filter_loc.line, "Sandbox",
					"SystemCallFilter",
					"%s is denied by SeccompProfile=default (set SeccompProfile=none to allow it)",
					p->filter.v[i]);
				continue;
			}
			if (strv_push(&s->arena, &r->names, p->filter.v[i]) < 0)
				unit_oom(p);
		}
		for (const char *const *n = seccomp_always_allow; *n; n++)
			if (strv_push(&s->arena, &r->names, *n) < 0)
				unit_oom(p);
	} else {
		if (profile)
			for (const char *const *n = seccomp_default_deny; *n; n++)
				if (profile_denies(p, *n) && seccomp_syscall_known(*n) &&
				    strv_push(&s->arena, &r->names, *n) < 0)
					unit_oom(p);
		for (size_t i = 0; i < p->filter.n; i++)
			if (p->filter.v[i] && strv_push(&s->arena, &r->names, p->filter.v[i]) < 0)
				unit_oom(p);
	}
	strv_sort_unique(&r->names);
}

/* Whether the unit's filter lets any call through that changes mounts. */
static bool mount_calls_allowed(const struct seccomp_rules *r)
{
	static const char *const calls[] = {
		"mount", "umount2", "move_mount", "mount_setattr", "fsmount", "fspick",
		"fsopen", "fsconfig", "open_tree", "pivot_root",
	};

	if (!r->enabled)
		return true;
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		bool listed = strv_contains(&r->names, calls[i]);

		if (r->allow_list ? listed : !listed && seccomp_syscall_known(calls[i]))
			return true;
	}
	return false;
}

static void finish(struct parse *p, const char *file)
{
	struct spec *s = p->s;

	if (!s->args.n && !p->exec_tried)
		diag_at(p->d, file, 0, "Service", "ExecStart",
			"missing (an absolute path and arguments)");
	/* The root is read-only for every unit that can have it so, with or
	 * without RootDirectory= (item 3): a unit writes where it was given
	 * a mount. ReadOnlyRoot=no opts out. */
	bool mountns = s->namespaces & NS_BIT(NS_MOUNT);
	if (p->ro_root_set && s->root_readonly && !mountns)
		diag_at(p->d, p->ro_root_loc.file, p->ro_root_loc.line, "Sandbox", "ReadOnlyRoot",
			"needs the mount namespace (see Namespaces=)");
	if (!p->ro_root_set)
		s->root_readonly = mountns;
	if (!(s->namespaces & NS_BIT(NS_UTS))) {
		if (p->hostname_loc.line)
			diag_at(p->d, p->hostname_loc.file, p->hostname_loc.line, "Sandbox", "Hostname",
				"needs the uts namespace (see Namespaces=)");
		s->hostname = NULL;
	} else if (!s->hostname) {
		s->hostname = s->name;
	}
	if (s->root && !(s->namespaces & NS_BIT(NS_MOUNT)))
		diag_at(p->d, s->root_loc.file, s->root_loc.line, "Sandbox", "RootDirectory",
			"needs the mount namespace (see Namespaces=)");
	bool pidns = s->namespaces & NS_BIT(NS_PID);
	if (s->init < 0)
		s->init = pidns && s->type != SERVICE_ONESHOT;
	else if (s->init && !pidns)
		diag_at(p->d, p->init_loc.file, p->init_loc.line, "Sandbox", "Init",
			"needs the pid namespace (see Namespaces=)");
	unit_mounts_finish(p);
	if (p->cpu_weight_loc.line && p->cpu_shares_loc.line)
		diag_at(p->d, p->cpu_shares_loc.file, p->cpu_shares_loc.line, "Resources",
			"CPUShares", "conflicts with CPUWeight= (%s:%d); set one",
			p->cpu_weight_loc.file, p->cpu_weight_loc.line);
	if (!CONFIG_CGROUPS && spec_has_resources(s))
		diag_at(p->d, p->resources_loc.file, p->resources_loc.line, "Resources", NULL,
			"this build has no cgroup support (CONFIG_CGROUPS)");
#if CONFIG_CGROUPS && CONFIG_DEFAULT_TASKS_MAX > 0
	/* One unit must not take every task of the machine (item 17): the
	 * build's default unless the unit says (TasksMax=infinity lifts it).
	 * Marked as a default, so that a unit that asked for no [Resources]
	 * still runs where there is no cgroup2. */
	if (!s->res.tasks_max.set) {
		s->res.tasks_max = (struct u64_opt){ .set = true, .v = CONFIG_DEFAULT_TASKS_MAX };
		s->res.tasks_max_default = true;
	}
#endif
	finish_seccomp(p, file);
	/* The kernel installs a seccomp filter for a process without
	 * CAP_SYS_ADMIN only under no_new_privs. */
	if (s->seccomp.enabled && !(s->caps & (1ull << 21)) && !s->no_new_privs)
		diag_at(p->d, p->nnp_loc.file, p->nnp_loc.line, "Sandbox", "NoNewPrivileges",
			"\"no\" needs CAP_SYS_ADMIN or no seccomp filter (SeccompProfile=none, no "
			"SystemCallFilter=): the kernel loads a filter only under no_new_privs");
	/* In a user namespace every mount the launch child makes (the covers
	 * over PID 1's folders, the masks, the read-only root and /proc/sys)
	 * belongs to the unit's own namespace, so the kernel does not lock
	 * them: with CAP_SYS_ADMIN and the mount calls let through, the unit
	 * could unmount them all (and its uid 0 is the host's, 0-65535 being
	 * mapped to themselves). Refused until the user namespace comes after
	 * the mounts (docs/SECURITY.md, known limits). */
	if ((s->namespaces & NS_BIT(NS_USER)) && (s->caps & (1ull << 21)) &&
	    mount_calls_allowed(&s->seccomp))
		diag_at(p->d, p->ns_loc.file ? p->ns_loc.file : file, p->ns_loc.line, "Sandbox",
			"Namespaces",
			"user together with CAP_SYS_ADMIN needs a seccomp filter that denies the mount "
			"calls (the default profile does): the unit could undo its own sandbox's mounts");
	/* Without a mount namespace the unit sees the system's cgroup2 mount,
	 * and without a cgroup namespace the kernel lets a root service move
	 * itself out of its cgroup (cgroup.procs of the root): out of its
	 * limits, and out of what tells PID 1 that it is inside a unit. That
	 * is the administrator's shape, and must say so. */
	if (!(s->namespaces & (NS_BIT(NS_MOUNT) | NS_BIT(NS_CGROUP))) && !s->control_access)
		diag_at(p->d, p->ns_loc.file ? p->ns_loc.file : file, p->ns_loc.line, "Sandbox",
			"Namespaces",
			"without both mount and cgroup namespaces a root service can leave its cgroup "
			"and pass for the administrator: keep one of them, or set ControlAccess=yes "
			"for the administrator's own unit");
	/* Masking and read-only paths are mounts: without a mount namespace
	 * they cannot be applied, so the defaults do not apply either. */
	if (!(s->namespaces & NS_BIT(NS_MOUNT))) {
		if (p->masked_loc.line)
			diag_at(p->d, p->masked_loc.file, p->masked_loc.line, "Sandbox", NULL,
				"MaskedPaths= and ReadOnlyPaths= need the mount namespace (see Namespaces=)");
		strv_clear(&s->masked_paths);
		strv_clear(&s->readonly_paths);
	}

	/* close the holes Environment= left (later assignments win) */
	size_t live = 0;
	for (size_t i = 0; i < s->env.n; i++)
		if (s->env.v[i])
			s->env.v[live++] = s->env.v[i];
	s->env.n = live;
	if (s->env.v)
		s->env.v[live] = NULL;

	/* PATH first, as `runc spec` has it, unless the unit sets its own */
	bool has_path = false;
	for (size_t i = 0; i < s->env.n; i++)
		has_path |= strncmp(s->env.v[i], "PATH=", 5) == 0;
	if (!has_path) {
		struct strv env = { 0 };

		if (strv_push(&s->arena, &env, DEFAULT_PATH) < 0)
			unit_oom(p);
		for (size_t i = 0; i < s->env.n; i++)
			if (strv_push(&s->arena, &env, s->env.v[i]) < 0)
				unit_oom(p);
		s->env = env;
	}
}

/* ---- entry points ------------------------------------------------------- */

int unit_name_normalize(const char *in, char out[UNIT_NAME_MAX + 1])
{
	size_t n = strlen(in);

	if (n > 5 && strcmp(in + n - 5, ".unit") == 0)
		n -= 5;
	if (n == 0 || n > UNIT_NAME_MAX || in[0] == '.' || in[0] == '-')
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '@'))
			return -1;
	}
	memcpy(out, in, n);
	out[n] = '\0';
	return 0;
}

static struct spec *spec_new(struct parse *p, const char *name, struct diag *d, const char *file)
{
	struct spec *s = calloc(1, sizeof *s);

	memset(p, 0, sizeof *p);
	p->d = d;
	p->errors_before = d->count;
	if (!s) {
		diag_at(d, file, 0, NULL, NULL, "out of memory");
		return NULL;
	}
	p->s = s;
	if (unit_name_normalize(name, s->name) < 0) {
		diag_at(d, file, 0, NULL, NULL,
			"\"%s\" is not a unit name (letters, digits, \"-_.@\", at most %d)",
			name, UNIT_NAME_MAX);
		free(s);
		return NULL;
	}
	spec_defaults(s);
	if (push_all(s, &s->masked_paths, default_masked) < 0 ||
	    push_all(s, &s->readonly_paths, default_readonly) < 0 ||
	    !(s->path = arena_strdup(&s->arena, file))) {
		diag_at(d, file, 0, NULL, NULL, "out of memory");
		spec_free(s);
		return NULL;
	}
	return s;
}

static struct spec *spec_done(struct parse *p)
{
	struct strset *sets[] = { &p->env_keys, &p->after_set, &p->requires_set, &p->groups_set,
				  &p->masked_set, &p->readonly_set, &p->filter_set };

	for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
		strset_clear(sets[i]);
	if (p->d->count != p->errors_before || p->oom) {
		spec_free(p->s);
		return NULL;
	}
	return p->s;
}

struct spec *unit_parse_text(const char *name, const char *file, const char *text,
			     struct diag *d)
{
	struct parse p;
	struct spec *s = spec_new(&p, name, d, file);

	if (!s)
		return NULL;
	size_t len = strlen(text);
	if (len > UNIT_BYTES_MAX)
		diag_at(d, file, 0, NULL, NULL, "larger than 1 MiB");
	else if (unit_read_text(&p, file, text, len) == 0)
		finish(&p, s->path);
	return spec_done(&p);
}

struct spec *unit_load(const char *path, struct diag *d)
{
	const char *base = strrchr(path, '/');
	char name[UNIT_NAME_MAX + 16];
	struct parse p;

	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n <= 5 || strcmp(base + n - 5, ".unit") != 0 || n - 5 >= sizeof name) {
		diag_at(d, path, 0, NULL, NULL, "a unit file is named NAME.unit");
		return NULL;
	}
	memcpy(name, base, n - 5);
	name[n - 5] = '\0';

	struct spec *s = spec_new(&p, name, d, path);
	if (!s)
		return NULL;
	if (unit_read_file(&p, s->path) == 0) {
		unit_read_dropins(&p, s->path);
		if (!p.oom && !p.gave_up) {
			finish(&p, s->path);
			if (ids_resolve_at_load())   /* never in PID 1: ids.h */
				ids_resolve(s, d);
		}
	}
	return spec_done(&p);
}

void spec_free(struct spec *s)
{
	if (!s)
		return;
	arena_free(&s->arena);
	free(s);
}
