#include "units.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define UNITS_MAX 1024

static bool is_bad(const struct unit_set *set, const char *name)
{
	for (size_t i = 0; i < set->n_bad; i++)
		if (strcmp(set->bad[i], name) == 0)
			return true;
	return false;
}

static int add_bad(struct unit_set *set, const char *name)
{
	if (is_bad(set, name))
		return 0;
	void *b = realloc(set->bad, (set->n_bad + 1) * sizeof *set->bad);
	if (!b)
		return -1;
	set->bad = b;
	snprintf(set->bad[set->n_bad++], UNIT_NAME_MAX + 1, "%s", name);
	return 0;
}

/* By name, in the sorted array: O(log n). */
static struct spec **find_slot(const struct unit_set *set, const char *n, bool *found)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(set->units[mid]->name, n);

		if (c == 0) {
			*found = true;
			return &set->units[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return set->units ? &set->units[lo] : NULL;
}

struct spec *units_find(const struct unit_set *set, const char *name)
{
	char n[UNIT_NAME_MAX + 1];
	bool found;
	struct spec **slot;

	if (unit_name_normalize(name, n) < 0)
		return NULL;
	slot = find_slot(set, n, &found);
	return found ? *slot : NULL;
}

int units_add_file(struct unit_set *set, const char *path, struct diag *d)
{
	struct spec *s = unit_load(path, d), *other;

	if (!s) {
		const char *base = strrchr(path, '/');
		char name[UNIT_NAME_MAX + 1];

		if (unit_name_normalize(base ? base + 1 : path, name) == 0 && add_bad(set, name) < 0)
			diag_at(d, path, 0, NULL, NULL, "out of memory");
		return -1;
	}
	if ((other = units_find(set, s->name))) {
		diag_at(d, path, 0, NULL, NULL, "a unit named \"%s\" is already loaded from %s",
			s->name, other->path);
		spec_free(s);
		return -1;
	}
	if (set->n == UNITS_MAX) {
		diag_at(d, path, 0, NULL, NULL, "more than %d units", UNITS_MAX);
		spec_free(s);
		return -1;
	}
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct spec **u = realloc(set->units, cap * sizeof *u);

		if (!u) {
			diag_at(d, path, 0, NULL, NULL, "out of memory");
			spec_free(s);
			return -1;
		}
		set->units = u;
		set->cap = cap;
	}
	/* into its place in name order: no sort per unit */
	bool found;
	struct spec **slot = find_slot(set, s->name, &found);
	size_t at = (size_t)(slot - set->units);

	memmove(&set->units[at + 1], &set->units[at], (set->n - at) * sizeof *set->units);
	set->units[at] = s;
	set->n++;
	return 0;
}


static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int units_add_dir(struct unit_set *set, const char *dir, struct diag *d)
{
	DIR *dp = unit_opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (!dp) {
		diag_at(d, dir, 0, NULL, NULL, "cannot read the unit folder: %s", strerror(errno));
		return -1;
	}
	while ((de = readdir(dp))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".unit") != 0)
			continue;
		char **more = n < UNITS_MAX ? realloc(names, (n + 1) * sizeof *names) : NULL;
		char *copy = more ? strdup(de->d_name) : NULL;
		if (!copy) {
			diag_at(d, dir, 0, NULL, NULL, n < UNITS_MAX ? "out of memory" :
				"more than 1024 units");
			if (more)
				names = more;
			rc = -1;
			break;
		}
		names = more;
		names[n++] = copy;
	}
	closedir(dp);
	if (n)   /* an empty folder: names is NULL, which qsort may not be given */
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[4096];

		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) < sizeof path)
			units_add_file(set, path, d);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* ---- dependencies ---- */

#define DEP_REPORTS_MAX 10   /* unknown dependencies named per unit */

/* The dependency graph over the set's indexes, both ways, as offset
 * arrays: edge e of unit u is to[off[u] .. off[u + 1]), kind 0 After=,
 * 1 Requires=. */
struct graph {
	size_t *off, *roff;
	uint32_t *to, *from;
	unsigned char *kind, *rkind;
	unsigned char *bad;
	/* Tarjan's strongly connected components */
	uint32_t *index, *low, *stack;
	unsigned char *on_stack;
	size_t depth, counter;
};

static const struct strv *dep_list(const struct spec *s, int kind)
{
	return kind ? &s->requires : &s->after;
}

static void dep_report(struct diag *d, const struct spec *s, int kind, const char *fmt,
		       const char *name)
{
	const struct loc *at = kind ? &s->requires_loc : &s->after_loc;

	diag_at(d, at->file, at->line, "Unit", kind ? "Requires" : "After", fmt, name);
}

static void graph_free(struct graph *g)
{
	free(g->off);
	free(g->roff);
	free(g->to);
	free(g->from);
	free(g->kind);
	free(g->rkind);
	free(g->bad);
	free(g->index);
	free(g->low);
	free(g->stack);
	free(g->on_stack);
}

/* Resolve every name once (a binary search each); a unit with an unknown
 * or bad dependency is bad. */
static int graph_build(const struct unit_set *set, struct graph *g, struct diag *d)
{
	size_t n = set->n, names = 0, e = 0;

	for (size_t u = 0; u < n; u++)
		names += set->units[u]->after.n + set->units[u]->requires.n;
	g->off = calloc(n + 1, sizeof *g->off);
	g->roff = calloc(n + 2, sizeof *g->roff);
	g->bad = calloc(n + 1, 1);
	g->index = calloc(n + 1, sizeof *g->index);
	g->low = calloc(n + 1, sizeof *g->low);
	g->stack = calloc(n + 1, sizeof *g->stack);
	g->on_stack = calloc(n + 1, 1);
	g->to = malloc((names + 1) * sizeof *g->to);
	g->kind = malloc(names + 1);
	if (!g->off || !g->roff || !g->bad || !g->index || !g->low || !g->stack ||
	    !g->on_stack || !g->to || !g->kind)
		return -1;
	for (size_t u = 0; u < n; u++) {
		const struct spec *s = set->units[u];
		size_t missing = 0;

		g->off[u] = e;
		for (int k = 0; k < 2; k++) {
			const struct strv *l = dep_list(s, k);

			for (size_t i = 0; i < l->n; i++) {
				bool found;
				struct spec **t = find_slot(set, l->v[i], &found);

				if (found) {
					g->to[e] = (uint32_t)(t - set->units);
					g->kind[e++] = (unsigned char)k;
					g->roff[g->to[e - 1] + 2]++;
					continue;
				}
				g->bad[u] = 1;
				if (missing++ < DEP_REPORTS_MAX)
					dep_report(d, s, k, is_bad(set, l->v[i]) ?
						   "unit \"%s\" has errors" : "no unit named \"%s\"",
						   l->v[i]);
			}
		}
		if (missing > DEP_REPORTS_MAX)
			diag_at(d, s->path, 0, "Unit", NULL, "%zu more unknown dependencies",
				missing - DEP_REPORTS_MAX);
	}
	g->off[n] = e;
	g->from = malloc((e + 1) * sizeof *g->from);
	g->rkind = malloc(e + 1);
	if (!g->from || !g->rkind)
		return -1;
	/* reverse edges: counting sort by target */
	for (size_t v = 0; v < n; v++)
		g->roff[v + 2] += g->roff[v + 1];
	for (size_t u = 0; u < n; u++)
		for (size_t i = g->off[u]; i < g->off[u + 1]; i++) {
			size_t at = g->roff[g->to[i] + 1]++;

			g->from[at] = (uint32_t)u;
			g->rkind[at] = g->kind[i];
		}
	return 0;
}

/* Everything that depends on a bad unit is bad: a walk over the reverse
 * edges from every bad unit, each unit visited once. */
static void spread_bad(const struct unit_set *set, struct graph *g, struct diag *d)
{
	size_t n = set->n, head = 0, tail = 0;
	uint32_t *queue = g->stack;   /* free outside Tarjan's walk */

	for (size_t u = 0; u < n; u++)
		if (g->bad[u] == 1) {
			g->bad[u] = 2;   /* queued */
			queue[tail++] = (uint32_t)u;
		}
	while (head < tail) {
		uint32_t t = queue[head++];

		for (size_t i = g->roff[t]; i < g->roff[t + 1]; i++) {
			uint32_t w = g->from[i];

			if (g->bad[w])
				continue;
			g->bad[w] = 2;
			dep_report(d, set->units[w], g->rkind[i], "unit \"%s\" has errors",
				   set->units[t]->name);
			queue[tail++] = w;
		}
	}
}

/* One cycle through r inside its component (comp[x] set): a breadth-first
 * walk from r until an edge back to r, reported as a -> b -> ... -> a. */
static void report_cycle(const struct unit_set *set, struct graph *g, uint32_t r,
			  const unsigned char *comp, uint32_t *parent, struct diag *d)
{
	size_t head = 0, tail = 0;
	uint32_t *queue = g->low;     /* reused: Tarjan is done with it */

	for (size_t i = 0; i < set->n; i++)
		parent[i] = UINT32_MAX;
	queue[tail++] = r;
	parent[r] = r;
	while (head < tail) {
		uint32_t x = queue[head++];

		for (size_t i = g->off[x]; i < g->off[x + 1]; i++) {
			uint32_t y = g->to[i];

			if (!comp[y])
				continue;
			if (y == r) {
				char msg[DIAG_MSG_MAX];
				uint32_t *path = g->stack;   /* free after Tarjan's walk */
				size_t len = 0, n = 0;

				for (uint32_t v = x; len < set->n; v = parent[v]) {
					path[len++] = v;
					if (v == r)
						break;
				}
				for (size_t k = len; k-- > 0 && n < sizeof msg;)
					n += (size_t)snprintf(msg + n, sizeof msg - n, "%s -> ",
							      set->units[path[k]]->name);
				if (n < sizeof msg)
					snprintf(msg + n, sizeof msg - n, "%s", set->units[r]->name);
				dep_report(d, set->units[x], g->kind[i], "dependency cycle: %s", msg);
				for (size_t k = 0; k < len; k++)
					if (!g->bad[path[k]])
						g->bad[path[k]] = 1;
				return;
			}
			if (parent[y] == UINT32_MAX) {
				parent[y] = x;
				queue[tail++] = y;
			}
		}
	}
}

/* Tarjan's algorithm over the good units; each component of two or more
 * is a cycle (a unit cannot name itself). Its members go to `members`,
 * each component ended by UINT32_MAX, and its lowest index to `cycles`. */
static void strongconnect(const struct unit_set *set, struct graph *g, uint32_t v,
			  unsigned char *comp, uint32_t *members, size_t *n_members,
			  uint32_t *cycles, size_t *n_cycles)
{
	g->index[v] = g->low[v] = (uint32_t)++g->counter;
	g->stack[g->depth++] = v;
	g->on_stack[v] = 1;
	for (size_t i = g->off[v]; i < g->off[v + 1]; i++) {
		uint32_t w = g->to[i];

		if (g->bad[w])
			continue;
		if (!g->index[w]) {
			strongconnect(set, g, w, comp, members, n_members, cycles, n_cycles);
			if (g->low[w] < g->low[v])
				g->low[v] = g->low[w];
		} else if (g->on_stack[w] && g->index[w] < g->low[v]) {
			g->low[v] = g->index[w];
		}
	}
	if (g->low[v] != g->index[v])
		return;
	size_t start = g->depth;
	do
		start--;
	while (g->stack[start] != v);
	for (size_t k = start; k < g->depth; k++)
		g->on_stack[g->stack[k]] = 0;
	if (g->depth - start >= 2) {
		/* remember the component: its lowest index names the cycle */
		uint32_t lowest = v;

		for (size_t k = start; k < g->depth; k++) {
			members[(*n_members)++] = g->stack[k];
			if (g->stack[k] < lowest)
				lowest = g->stack[k];
		}
		cycles[(*n_cycles)++] = lowest;
		members[(*n_members)++] = UINT32_MAX;   /* end of this component */
	}
	g->depth = start;
}

static void drop_bad(struct unit_set *set, const unsigned char *bad)
{
	size_t j = 0;

	for (size_t i = 0; i < set->n; i++) {
		if (bad[i]) {
			add_bad(set, set->units[i]->name);
			spec_free(set->units[i]);
		} else {
			set->units[j++] = set->units[i];
		}
	}
	set->n = j;
}

void units_check_deps(struct unit_set *set, struct diag *d)
{
	struct graph g = { 0 };
	size_t n = set->n;
	uint32_t *members = calloc(2 * n + 1, sizeof *members);
	uint32_t *cycles = calloc(n + 1, sizeof *cycles);
	unsigned char *comp = calloc(n + 1, 1);
	size_t n_members = 0, n_cycles = 0;

	if (!members || !cycles || !comp || graph_build(set, &g, d) < 0) {
		diag_at(d, "units", 0, NULL, NULL, "out of memory");
		goto out;
	}
	/* unknown and bad dependencies, then whatever depends on them */
	spread_bad(set, &g, d);
	/* cycles among the rest: one message per cycle, then their
	 * dependants (the rest of each component among them) */
	for (size_t u = 0; u < n; u++)
		if (!g.bad[u] && !g.index[u])
			strongconnect(set, &g, (uint32_t)u, comp, members, &n_members, cycles,
				      &n_cycles);
	for (size_t c = 0, m = 0; c < n_cycles; c++) {
		size_t first = m;

		for (; members[m] != UINT32_MAX; m++)
			comp[members[m]] = 1;
		report_cycle(set, &g, cycles[c], comp, g.index, d);
		for (m = first; members[m] != UINT32_MAX; m++)
			comp[members[m]] = 0;
		m++;
	}
	spread_bad(set, &g, d);
	drop_bad(set, g.bad);
out:
	graph_free(&g);
	free(members);
	free(cycles);
	free(comp);
}

void units_free(struct unit_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		spec_free(set->units[i]);
	free(set->units);
	free(set->bad);
	*set = (struct unit_set){ 0 };
}
