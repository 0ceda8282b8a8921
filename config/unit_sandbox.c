/* The setters of the [Sandbox] and [Resources] keys, and the seccomp
 * checks after all files. */
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

/* ---- [Sandbox] ---------------------------------------------------------- */

void unit_set_root(struct parse *p, const struct key_def *k, const char *v)
{
	if (strcmp(v, "/") == 0) {
		unit_bad(p, k, "\"/\" is the system's root: leave RootDirectory= unset to run there");
		return;
	}
	unit_set_path(p, k, v);
	p->s->root_loc = *v ? unit_here(p) : (struct loc){ 0 };
}

void unit_set_ro_root(struct parse *p, const struct key_def *k, const char *v)
{
	p->ro_root_set = *v != '\0';
	p->ro_root_loc = unit_here(p);
	unit_set_bool(p, k, v);
}

void unit_set_namespaces(struct parse *p, const struct key_def *k, const char *v)
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

void unit_set_hostname(struct parse *p, const struct key_def *k, const char *v)
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

void unit_set_caps(struct parse *p, const struct key_def *k, const char *v)
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

void unit_set_nnp(struct parse *p, const struct key_def *k, const char *v)
{
	p->nnp_loc = *v ? unit_here(p) : (struct loc){ 0 };
	unit_set_bool(p, k, v);
}

void unit_set_init(struct parse *p, const struct key_def *k, const char *v)
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

void unit_set_path_list(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv *sv = unit_field(p, k), words = { 0 };
	const char *why;

	if (*v)
		p->masked_loc = unit_here(p);

	struct strset *set = sv == &p->s->masked_paths ? &p->masked_set : &p->readonly_set;

	if (!*v) {
		unit_list_clear(sv, set);
		return;
	}
	if (!unit_split(p, k, v, &words))
		return;
	/* each is a mount at every start: capped like the mounts */
	for (size_t i = 0; i < words.n; i++) {
		if ((why = unit_path_problem(words.v[i])))
			unit_bad(p, k, "\"%s\": %s", words.v[i], why);
		else if (unit_list_add(p, k, sv, set, words.v[i], UNIT_PATHS_MAX, "paths", false) < 0)
			return;
	}
}

void unit_set_profile(struct parse *p, const struct key_def *k, const char *v)
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
void unit_set_syscall_filter(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv words = { 0 };
	bool deny = v[0] == '~';

	if (!*v) {
		p->filter_mode = FILTER_UNSET;
		unit_list_clear(&p->filter, &p->filter_set);
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
		 * unit_seccomp_finish); the set says where each name is */
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

void unit_set_syscall_errno(struct parse *p, const struct key_def *k, const char *v)
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
void unit_set_restrict_ns(struct parse *p, const struct key_def *k, const char *v)
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

void unit_set_syscall_archs(struct parse *p, const struct key_def *k, const char *v)
{
	if (*v && strcmp(v, "native") != 0)
		unit_bad(p, k, "\"%s\" is not supported", v);
}

/* ---- [Resources] -------------------------------------------------------- */

void unit_set_quota(struct parse *p, const struct key_def *k, const char *v)
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
	unit_mark_resource(p, k);
	*o = (struct u64_opt){ .set = true, .v = q };
}

void unit_set_quota_period(struct parse *p, const struct key_def *k, const char *v)
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

void unit_set_cpuset(struct parse *p, const struct key_def *k, const char *v)
{
	const char **f = unit_field(p, k);

	if (!*v) {
		*f = NULL;
		return;
	}
	if (parse_cpu_list(v) < 0) {
		unit_bad(p, k, "\"%s\" is not a list of numbers and ranges", v);
		return;
	}
	unit_mark_resource(p, k);
	*f = unit_dup(p, v);
}

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

/* The default profile's list, the same for every unit that adds no
 * names of its own: built once per variant (unshare and setns left to
 * RestrictNamespaces= or not) and shared by every such spec, not copied
 * into each unit's arena. PID 1 keeps a spec per unit, and 500 bytes of
 * pointers per unit were a tenth of an idle unit's cost (issue #10).
 * Read-only once built; nothing writes a spec's names after this file. */
#define SHARED_NAMES_MAX 256

static bool shared_default_names(const struct parse *p, struct strv *out)
{
	static const char *v[2][SHARED_NAMES_MAX + 1];
	static size_t n[2];
	static bool built[2], too_many[2];
	int k = p->restrict_set && (!p->restrict_ns || p->ns_allowed);

	if (!built[k]) {
		struct strv sv = { .v = v[k] };

		for (const char *const *name = seccomp_default_deny; *name; name++) {
			if (!profile_denies(p, *name) || !seccomp_syscall_known(*name))
				continue;
			if (sv.n == SHARED_NAMES_MAX) {
				too_many[k] = true;
				break;
			}
			v[k][sv.n++] = *name;
		}
		v[k][sv.n] = NULL;
		strv_sort_unique(&sv);
		n[k] = sv.n;
		built[k] = true;
	}
	if (too_many[k])
		return false;
	*out = (struct strv){ .v = v[k], .n = n[k], .cap = 0 };
	return true;
}

void unit_seccomp_finish(struct parse *p, const char *file)
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
	/* fresh, never cleared in place: it may be the shared list */
	r->names = (struct strv){ 0 };
	if (!r->enabled)
		return;
	if (!r->allow_list && profile && p->filter.n == 0 && shared_default_names(p, &r->names))
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
bool unit_mount_calls_allowed(const struct seccomp_rules *r)
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
