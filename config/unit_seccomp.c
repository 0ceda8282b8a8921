/* The seccomp keys of a unit: SeccompProfile=, SystemCallFilter= (with
 * systemd's @groups), SystemCallErrorNumber=, RestrictNamespaces=,
 * SystemCallArchitectures=, the hardening keys (RestrictAddressFamilies=,
 * MemoryDenyWriteExecute=, LockPersonality=, RestrictRealtime=,
 * RestrictSUIDSGID=), and after all files the resolved struct
 * seccomp_rules. */
#include "unit.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "seccomp_rules.h"
#include "syscall_groups.h"
#include "unit_parse.h"
#include "values.h"
#include "words.h"

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

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* One name into or out of the filter's set. The set has no holes: a
 * removed name's slot takes the last name, so that the list never holds
 * more than the distinct names (the order does not matter: it is sorted
 * at the end). */
static void filter_put(struct parse *p, const char *name, bool adding, bool copy)
{
	size_t at, len = strlen(name);

	if (!adding) {
		if (!strset_del(&p->filter_set, name, len, &at))
			return;
		const char *last = p->filter.v[--p->filter.n];

		p->filter.v[p->filter.n] = NULL;
		if (at != p->filter.n) {
			p->filter.v[at] = last;
			/* an update of a present key: no allocation */
			strset_put(&p->filter_set, last, strlen(last), at, NULL);
		}
		return;
	}
	if (strset_get(&p->filter_set, name, len, NULL))
		return;
	if (copy && !(name = unit_dup(p, name)))
		return;
	if (strv_push(&p->s->arena, &p->filter, name) < 0 ||
	    strset_put(&p->filter_set, name, len, p->filter.n - 1, NULL) < 0)
		unit_oom(p);
}

struct group_ctx {
	struct parse *p;
	bool adding;
};

/* A member of a group: names libseccomp does not know on this
 * architecture (another one's, or newer than it) are skipped quietly,
 * as systemd skips them. */
static void group_member(void *ctx, const char *name, bool transient)
{
	struct group_ctx *g = ctx;

	if (CONFIG_SECCOMP && !seccomp_syscall_known(name))
		return;
	filter_put(g->p, name, g->adding, transient);
}

static void filter_group(struct parse *p, const struct key_def *k, const char *group, bool adding)
{
	struct group_ctx g = { p, adding };

	if (!syscall_group_known(group)) {
		char all[512];

		if (!syscall_group_list(all, sizeof all))
			all[0] = '\0';
		unit_bad(p, k, "unknown system call group \"%s\" (systemd's: %s)", group, all);
		return;
	}
	/* each reference costs the group's size: capped so that a unit
	 * file's cost stays linear in its length */
	if (++p->filter_groups > UNIT_FILTER_GROUPS_MAX) {
		if (p->filter_groups == UNIT_FILTER_GROUPS_MAX + 1)
			unit_bad(p, k, "more than %d system call groups named", UNIT_FILTER_GROUPS_MAX);
		return;
	}
	syscall_group_each(group, group_member, &g);
}

/* A name the default profile's list holds, written in an allow list:
 * remembered with where, for the note after all files (whether the
 * profile applies, and RestrictNamespaces=, are known then). At most 64:
 * the list has 45 names. */
static void remember_denied(struct parse *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_filter_denied; i++)
		if (strcmp(p->filter_denied[i].name, name) == 0)
			return;
	if (i < sizeof p->filter_denied / sizeof p->filter_denied[0]) {
		p->filter_denied[i].name = name;
		p->filter_denied[i].at = unit_here(p);
		p->n_filter_denied++;
	}
}

/* systemd's semantics (systemd.exec(5)): the first assignment picks an
 * allow list (which starts as @default) or, with "~", a deny list; later
 * ones of the same kind add, of the other kind take away. */
void unit_set_syscall_filter(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv words = { 0 };
	bool deny = v[0] == '~';

	if (!*v) {
		p->filter_mode = FILTER_UNSET;
		unit_list_clear(&p->filter, &p->filter_set);
		p->n_filter_denied = 0;
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
		if (!deny)
			filter_group(p, k, "@default", true);
	}
	bool adding = deny == (p->filter_mode == FILTER_DENY);
	for (size_t i = 0; i < words.n; i++) {
		const char *w = words.v[i];

		if (strchr(w, ':')) {
			unit_bad(p, k, "\"%s\": an errno of its own per call is not supported "
				 "(SystemCallErrorNumber= sets the one errno)", w);
			continue;
		}
		if (w[0] == '@') {
			filter_group(p, k, w, adding);
			continue;
		}
		if (CONFIG_SECCOMP && !seccomp_syscall_known(w)) {
			/* a call newer than libseccomp, or a typo: systemd
			 * goes on without it, and so do we, but says so */
			/* a line of unknown names must not flood a console */
			if (++p->filter_unknown <= UNIT_NOTES_MAX)
				diag_note(p->d, p->file, p->line, "Sandbox", k->name,
					  "system call \"%s\" is not known to this build's libseccomp "
					  "on this architecture: skipped%s", w,
					  p->filter_unknown == UNIT_NOTES_MAX ?
					  " (further unknown names are skipped without a note)" : "");
			continue;
		}
		if (adding && p->filter_mode == FILTER_ALLOW && in_list(seccomp_default_deny, w))
			remember_denied(p, w);
		filter_put(p, w, adding, false);
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

/* systemd's RestrictAddressFamilies=: AF_ names (an allow list), "~"
 * names (a deny list), "none" (no socket at all); later lines of the
 * same kind add, of the other kind take away, as SystemCallFilter=. */
void unit_set_address_families(struct parse *p, const struct key_def *k, const char *v)
{
	struct seccomp_rules *r = &p->s->seccomp;
	struct strv words = { 0 };
	bool deny = v[0] == '~';
	uint64_t mask = 0;

	p->hardening_loc = unit_here(p);
	if (!*v || strcmp(v, "none") == 0) {
		r->af_restrict = *v != '\0';
		r->af_deny = false;
		r->af_mask = 0;
		return;
	}
	if (!unit_split(p, k, v + deny, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		int af = seccomp_af_from_name(words.v[i]);

		if (af < 0) {
			unit_bad(p, k, "unknown address family \"%s\" (AF_UNIX, AF_INET, AF_INET6, "
				 "AF_NETLINK, AF_PACKET, ...)", words.v[i]);
			return;
		}
		mask |= 1ull << af;
	}
	if (!r->af_restrict) {
		r->af_restrict = true;
		r->af_deny = deny;
		r->af_mask = mask;
	} else if (deny == r->af_deny) {
		r->af_mask |= mask;
	} else {
		r->af_mask &= ~mask;
	}
}

/* MemoryDenyWriteExecute=, LockPersonality=, RestrictRealtime=,
 * RestrictSUIDSGID=: booleans of struct seccomp_rules. */
void unit_set_hardening(struct parse *p, const struct key_def *k, const char *v)
{
	p->hardening_loc = unit_here(p);
	unit_set_bool(p, k, v);
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

static bool hardened(const struct seccomp_rules *r)
{
	return r->af_restrict || r->mdwe || r->lock_personality || r->restrict_realtime ||
	       r->restrict_suid_sgid;
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
	if (!CONFIG_SECCOMP && (r->restrict_ns || hardened(r))) {
		struct loc at = r->restrict_ns ? p->restrict_loc : p->hardening_loc;

		diag_at(p->d, at.file ? at.file : file, at.line, "Sandbox",
			r->restrict_ns ? "RestrictNamespaces" : NULL,
			"this build has no seccomp support (CONFIG_SECCOMP)");
		return;
	}
	r->enabled = profile || p->filter_mode != FILTER_UNSET || r->restrict_ns || hardened(r);
	r->allow_list = p->filter_mode == FILTER_ALLOW;
	/* fresh, never cleared in place: it may be the shared list */
	r->names = (struct strv){ 0 };
	if (!r->enabled)
		return;
	if (!r->allow_list && profile && p->filter.n == 0 && shared_default_names(p, &r->names))
		goto check;
	if (r->allow_list) {
		for (size_t i = 0; profile && i < p->n_filter_denied; i++) {
			const char *name = p->filter_denied[i].name;

			if (profile_denies(p, name) &&
			    strset_get(&p->filter_set, name, strlen(name), NULL))
				diag_note(p->d, p->filter_denied[i].at.file, p->filter_denied[i].at.line,
					  "Sandbox", "SystemCallFilter",
					  "%s is denied by SeccompProfile=default: it stays denied", name);
		}
		/* What the unit's filter allows minus what the profile
		 * denies: the profile applies on top of any filter. The
		 * parse's list becomes the spec's, compacted in place (an
		 * allow list of @system-service is 300 names: one copy per
		 * unit, not two). */
		size_t n = 0;

		for (size_t i = 0; i < p->filter.n; i++)
			if (!(profile && profile_denies(p, p->filter.v[i])))
				p->filter.v[n++] = p->filter.v[i];
		p->filter.n = n;
		if (p->filter.v)
			p->filter.v[n] = NULL;
		for (const char *const *a = seccomp_always_allow; *a; a++)
			if (strv_push(&s->arena, &p->filter, *a) < 0)
				unit_oom(p);
	} else if (profile) {
		for (const char *const *n = seccomp_default_deny; *n; n++)
			if (profile_denies(p, *n) && seccomp_syscall_known(*n) &&
			    strv_push(&s->arena, &p->filter, *n) < 0)
				unit_oom(p);
	}
	r->names = p->filter;
	/* the list is the spec's now; the set that indexed it is not
	 * used again */
	p->filter = (struct strv){ 0 };
	strv_sort_unique(&r->names);
check:
	if (!p->oom && !seccomp_rules_allow(r, "execve")) {
		struct loc at = p->filter_loc.line ? p->filter_loc : (struct loc){ file, 0 };

		diag_note(p->d, at.file, at.line, "Sandbox", "SystemCallFilter",
			  "the filter refuses execve: the service cannot be started");
	}
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
