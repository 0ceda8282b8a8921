/* Unit files -> struct spec: the helpers every setter uses, the generic
 * setters, the key table, the checks and defaults after all files, and the
 * entry points. The setters of the [Unit] and [Service] keys are in
 * unit_service.c, of [Sandbox] and [Resources] in unit_sandbox.c; reading
 * files and lines is in unit_read.c, the mount keys and default mounts in
 * unit_mounts.c.
 *
 * Cost: every list is checked for duplicates through a set (strset.c), so
 * that n words cost O(n); every list and the unit as a whole have caps
 * (unit_parse.h), each with its own message (issue #9, items 15, 16). */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
#include "unit_keys.h"

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

void *unit_field(struct parse *p, const struct key_def *k)
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

bool unit_is_abs_path(const char *v)
{
	return v[0] == '/';
}

/* Paths: absolute, no NUL-hostile bytes, no "." or ".." components, so
 * that what is checked is what the launcher resolves. */
const char *unit_path_problem(const char *v)
{
	if (!unit_is_abs_path(v))
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
int unit_list_add(struct parse *p, const struct key_def *k, struct strv *sv,
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

void unit_list_clear(struct strv *sv, struct strset *set)
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
	s->timeout_start_ms = 90000;                  /* systemd's DefaultTimeoutStartSec */
	s->kill_mode = KILL_CONTROL_GROUP;
	s->kill_signal = 15;
	s->syslog_socket = true;
	for (int i = 0; i < EXEC_DIR_COUNT; i++)
		s->dirs[i].mode = 0755;
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

void unit_reset_field(struct parse *p, const struct key_def *k)
{
	struct spec def;

	memset(&def, 0, sizeof def);
	spec_defaults(&def);
	memcpy(unit_field(p, k), (char *)&def + k->off, k->size);
}

/* ---- generic setters ---------------------------------------------------- */

static void set_text(struct parse *p, const struct key_def *k, const char *v)
{
	const char **f = unit_field(p, k);

	*f = *v ? unit_dup(p, v) : NULL;
}

void unit_set_bool(struct parse *p, const struct key_def *k, const char *v)
{
	if (!*v) {
		unit_reset_field(p, k);
		return;
	}
	if (parse_bool(v, unit_field(p, k)) < 0)
		unit_bad(p, k, "\"%s\" is not a boolean", v);
}

static void set_duration(struct parse *p, const struct key_def *k, const char *v)
{
	uint64_t ms;

	if (!*v) {
		unit_reset_field(p, k);
		return;
	}
	if (parse_duration_ms(v, &ms) < 0)
		unit_bad(p, k, "\"%s\" is not a duration", v);
	else if (ms < (uint64_t)k->arg)
		unit_bad(p, k, "%s is too short", v);
	else
		*(uint64_t *)unit_field(p, k) = ms;
}

void unit_mark_resource(struct parse *p, const struct key_def *k)
{
	if (!p->resources_loc.line)
		p->resources_loc = unit_here(p);
	(void)k;
}

/* A [Resources] value: bytes, or a number in [arg, arg2]; infinity if arg2 < 0 allows it. */
static void set_res_size(struct parse *p, const struct key_def *k, const char *v)
{
	struct u64_opt *o = unit_field(p, k);
	uint64_t b;

	if (!*v) {
		o->set = false;
		return;
	}
	if (parse_size(v, &b) < 0) {
		unit_bad(p, k, "\"%s\" is not a size", v);
		return;
	}
	unit_mark_resource(p, k);
	o->set = true;
	o->v = b;
}

static void set_res_range(struct parse *p, const struct key_def *k, const char *v)
{
	struct u64_opt *o = unit_field(p, k);
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
	unit_mark_resource(p, k);
	o->set = true;
	o->v = n;
	if (o == &p->s->res.cpu_weight)
		p->cpu_weight_loc = unit_here(p);
	if (o == &p->s->res.cpu_shares)
		p->cpu_shares_loc = unit_here(p);
}

void unit_set_path(struct parse *p, const struct key_def *k, const char *v)
{
	const char *why;

	if (!*v) {
		unit_reset_field(p, k);
		return;
	}
	if ((why = unit_path_problem(v))) {
		unit_bad(p, k, "\"%s\": %s", v, why);
		return;
	}
	*(const char **)unit_field(p, k) = unit_dup(p, v);
}

/* ---- the key table ------------------------------------------------------ */

#define RES(f) offsetof(struct spec, res.f), sizeof(((struct spec *)0)->res.f)
_Static_assert(SPEC_RLIMITS == RLIMITS_N, "spec.rlimits[] is indexed by RLIMIT_*");
/* A key: 16 bytes (see unit_keys.h); unit_on_key makes the struct
 * key_def its setter reads. */
struct key_row {
	uint16_t name, accepted;   /* offsets in key_text; accepted 0: none */
	uint16_t off, size;        /* the spec field */
	uint8_t section, set, arg; /* indexes in SECTIONS and SETTERS; key_def.arg */
	bool list;
	int32_t arg2;
};

#define SECTION_ID(s) SEC_##s,
#define SECTION_NAME(s) #s,
enum { SECTIONS(SECTION_ID) };
static const char *const section_names[] = { SECTIONS(SECTION_NAME) };

#define SETTER_ID(f) SET_##f,
#define SETTER_FN(f) f,
enum { SETTERS(SETTER_ID) N_SETTERS };
static const setter_fn setters[] = { SETTERS(SETTER_FN) };
_Static_assert(N_SETTERS <= UINT8_MAX, "key_row.set is 8 bits");

/* Every key name and accepted text, one after the other: a row holds
 * offsets in it. a_NONE, at offset 0, stands for no text. */
#define NAME_MEMBER(sec, name, ...) char sec##_##name[sizeof #name];
#define NAME_MEMBER_LIMIT(n, bytes) NAME_MEMBER(Service, Limit##n)
#define NAME_TEXT(sec, name, ...) #name,
#define NAME_TEXT_LIMIT(n, bytes) NAME_TEXT(Service, Limit##n)
#define ACC_MEMBER(id, text) char a_##id[sizeof text];
#define ACC_TEXT(id, text) text,
static const struct key_text {
	char a_NONE[1];
	ACCEPTED(ACC_MEMBER)
	KEYS(NAME_MEMBER)
} key_text = { "", ACCEPTED(ACC_TEXT) KEYS(NAME_TEXT) };
_Static_assert(sizeof key_text <= UINT16_MAX, "key_row offsets are 16 bits");
_Static_assert(sizeof(struct spec) <= UINT16_MAX, "key_row.off is 16 bits");

#define ROW(sec, name, setter, field, arg, arg2, acc, list) \
	{ offsetof(struct key_text, sec##_##name), offsetof(struct key_text, a_##acc), \
	  field, SEC_##sec, SET_##setter, arg, list, arg2 },
#define ROW_LIMIT(n, bytes) ROW(Service, Limit##n, unit_set_rlimit, NOFIELD, RLIMIT_##n, 0, RLIMIT, 0)

static const struct key_row keys[] = { KEYS(ROW) };

static const char *key_str(unsigned off)
{
	return (const char *)&key_text + off;
}

#define N_KEYS (sizeof keys / sizeof *keys)
_Static_assert(N_KEYS <= sizeof ((struct parse *)0)->seen / sizeof(int), "seen[] too small");

int unit_on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	const char *elsewhere = NULL;

	(void)value;   /* "@": the real value is p->value */
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key_row *r = &keys[i];
		const char *k_section = section_names[r->section];

		if (strcmp(key_str(r->name), name) != 0)
			continue;
		/* Debian's units put every exec, sandbox and resource key in
		 * [Service]: those are taken there too, and named as written */
		bool alias = strcmp(section, "Service") == 0 &&
			     (r->section == SEC_Sandbox || r->section == SEC_Resources);
		if (strcmp(k_section, section) != 0 && !alias) {
			elsewhere = k_section;
			continue;
		}
		const struct key_def as_written = {
			.section = p->section, .name = key_str(r->name), .set = setters[r->set],
			.off = r->off, .size = r->size, .arg = r->arg, .arg2 = r->arg2,
			.accepted = r->accepted ? key_str(r->accepted) : NULL, .list = r->list,
		};
		if (!r->list && *p->value) {
			if (p->seen[i]) {
				diag_at(p->d, p->file, p->line, section, name,
					"set twice in this file (first at line %d)", p->seen[i]);
				return 1;
			}
			p->seen[i] = p->line;
		}
		as_written.set(p, &as_written, p->value);
		return 1;
	}
	if (elsewhere)
		diag_at(p->d, p->file, p->line, section, name,
			"unknown key in this section (it belongs in [%s])", elsewhere);
	else if (strncmp(name, "Condition", 9) == 0 || strncmp(name, "Assert", 6) == 0)
		diag_at(p->d, p->file, p->line, section, name,
			"is not supported: sandboxd starts every unit of its folder");
	else
		diag_at(p->d, p->file, p->line, section, name, "unknown key");
	return 1;
}


/* ---- after all files ---------------------------------------------------- */

static void finish(struct parse *p, const char *file)
{
	struct spec *s = p->s;

	if (!s->args.n && !p->exec_tried)
		diag_at(p->d, file, 0, "Service", "ExecStart",
			"missing (an absolute path and arguments)");
	unit_exec_finish_ns(p);
	unit_compat_finish_early(p);
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
	unit_exec_finish(p);
	unit_compat_finish(p);
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
	unit_seccomp_finish(p, file);
	/* The kernel installs a seccomp filter for a process without
	 * CAP_SYS_ADMIN only under no_new_privs. */
	if (s->seccomp.enabled && !(s->caps & (1ull << 21)) && !s->no_new_privs)
		diag_at(p->d, p->nnp_loc.file, p->nnp_loc.line, "Sandbox", "NoNewPrivileges",
			"\"no\" needs CAP_SYS_ADMIN or no seccomp filter (SeccompProfile=none, no "
			"SystemCallFilter=, RestrictNamespaces= or hardening key): the kernel "
			"loads a filter only under no_new_privs");
	/* In a user namespace every mount the launch child makes (the covers
	 * over PID 1's folders, the masks, the read-only root and /proc/sys)
	 * belongs to the unit's own namespace, so the kernel does not lock
	 * them: with CAP_SYS_ADMIN and the mount calls let through, the unit
	 * could unmount them all (and its uid 0 is the host's, 0-65535 being
	 * mapped to themselves). Refused until the user namespace comes after
	 * the mounts (docs/SECURITY.md, known limits). */
	if ((s->namespaces & NS_BIT(NS_USER)) && (s->caps & (1ull << 21)) &&
	    unit_mount_calls_allowed(&s->seccomp))
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
	unit_svc_parse_init(p);
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
				  &p->masked_set, &p->readonly_set, &p->filter_set,
				  &p->svc.joins_set };

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
