/* JoinsNamespaceOf=: units that share network and IPC namespaces, with
 * systemd's semantics. The units that name one another (either way) form
 * a group; the namespaces live as long as any member runs: a member that
 * starts while another one's service runs enters that one's namespaces,
 * else it makes new ones. So a restart of one keeps the network while
 * another member runs, and once all have stopped the next start makes a
 * fresh one.
 *
 * The groups are built at load and reload from the unit files and kept
 * by name (a unit replaced by reload is found again by its name): a
 * launch looks its group up here, never scanning every unit. */
#include "sup_int.h"

#include <stdlib.h>
#include <string.h>

#include "../config/unit.h"
#include "../sandbox/launch.h"

struct member {
	char name[UNIT_NAME_MAX + 1];
	unsigned up;   /* union-find parent: the index of another member */
};

static struct member *m;
static size_t n_m, cap_m;

static size_t root(size_t i)
{
	while (m[i].up != i)
		i = m[i].up = m[m[i].up].up;
	return i;
}

static size_t find(const char *name)
{
	for (size_t i = 0; i < n_m; i++)
		if (strcmp(m[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

/* The member of that name, added when new; -1 when out of memory. */
static size_t member(const char *name)
{
	size_t i = find(name);

	if (i != (size_t)-1)
		return i;
	if (n_m == cap_m) {
		size_t cap = cap_m ? cap_m * 2 : 8;
		struct member *nm = realloc(m, cap * sizeof *m);

		if (!nm)
			return (size_t)-1;
		m = nm;
		cap_m = cap;
	}
	strncpy(m[n_m].name, name, UNIT_NAME_MAX);
	m[n_m].name[UNIT_NAME_MAX] = '\0';
	m[n_m].up = (unsigned)n_m;
	return n_m++;
}

void nsgroup_build(struct sup *sv)
{
	n_m = 0;
	for (size_t i = 0; i < sv->n; i++) {
		const struct svc *s = sv->svcs[i];
		size_t a;

		if (s->removed || !s->spec || !s->spec->joins_namespace_of.n)
			continue;
		if ((a = member(s->name)) == (size_t)-1)
			goto nomem;
		for (size_t j = 0; j < s->spec->joins_namespace_of.n; j++) {
			char n[UNIT_NAME_MAX + 1];
			size_t b;

			if (unit_name_normalize(s->spec->joins_namespace_of.v[j], n) < 0)
				continue;
			if ((b = member(n)) == (size_t)-1)
				goto nomem;
			m[root(a)].up = (unsigned)root(b);
		}
	}
	return;
nomem:
	sup_log(sv, "JoinsNamespaceOf=: out of memory: units start in namespaces of their own");
	n_m = 0;
}

/* Its service runs: its namespaces can be entered through its pidfd. */
static bool holds_namespaces(const struct svc *d)
{
	switch (d->state) {
	case SVC_START_WAIT:
	case SVC_START_POST:
	case SVC_RUNNING:
	case SVC_RELOADING:
	case SVC_STOP_CMD:
	case SVC_STOPPING:
		return d->pidfd >= 0;
	default:
		return false;
	}
}

void nsgroup_join_opts(struct sup *sv, struct svc *s, struct sbx_launch_opts *o)
{
	unsigned ns = (NS_BIT(NS_NET) | NS_BIT(NS_IPC)) & (s->spec ? s->spec->namespaces : 0);
	size_t i = n_m && ns ? find(s->name) : (size_t)-1;

	if (i == (size_t)-1)
		return;
	for (size_t j = 0; j < n_m; j++) {
		struct svc *d;
		unsigned both;

		if (j == i || root(j) != root(i) || !(d = sup_find(sv, m[j].name)) || d == s ||
		    !holds_namespaces(d))
			continue;
		/* Only a namespace the other unit has of its own too (as
		 * systemd: both must set PrivateNetwork=/PrivateIPC=): a
		 * member without one runs in the host's, and joining that
		 * would take this unit out of its private network or IPC. */
		both = ns & (d->spec ? d->spec->namespaces : 0);
		if (!both)
			continue;
		o->join_pidfd = d->pidfd;
		o->join_ns = both;
		if (sv->debug)
			sup_log(sv, "%s: joins the namespaces of %s", s->name, d->name);
		return;
	}
}
