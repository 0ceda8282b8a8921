/* The setters of the [Sandbox] and [Resources] keys; the seccomp keys
 * are in unit_seccomp.c. */
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
