#include "units.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define UNITS_MAX 1024

static int cmp_spec(const void *a, const void *b)
{
	return strcmp((*(struct spec *const *)a)->name, (*(struct spec *const *)b)->name);
}

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

struct spec *units_find(const struct unit_set *set, const char *name)
{
	char n[UNIT_NAME_MAX + 1];

	if (unit_name_normalize(name, n) < 0)
		return NULL;
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->units[i]->name, n) == 0)
			return set->units[i];
	return NULL;
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
	struct spec **u = realloc(set->units, (set->n + 1) * sizeof *u);
	if (!u) {
		diag_at(d, path, 0, NULL, NULL, "out of memory");
		spec_free(s);
		return -1;
	}
	set->units = u;
	set->units[set->n++] = s;
	qsort(set->units, set->n, sizeof *set->units, cmp_spec);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int units_add_dir(struct unit_set *set, const char *dir, struct diag *d)
{
	DIR *dp = opendir(dir);
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

static void drop(struct unit_set *set, size_t i)
{
	add_bad(set, set->units[i]->name);
	spec_free(set->units[i]);
	memmove(&set->units[i], &set->units[i + 1], (set->n - i - 1) * sizeof *set->units);
	set->n--;
}

/* Depth-first search over After= and Requires= edges; colour 1 = on the
 * current path, 2 = done. On a back edge the path from the target to here
 * is the cycle. */
static bool find_cycle(struct unit_set *set, size_t u, unsigned char *colour, size_t *path,
		       size_t depth, size_t *from, size_t *to, struct diag *d)
{
	struct spec *s = set->units[u];
	const struct strv *lists[2] = { &s->after, &s->requires };

	colour[u] = 1;
	path[depth] = u;
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; i < lists[l]->n; i++) {
			struct spec *t = units_find(set, lists[l]->v[i]);
			size_t v;

			if (!t)
				continue;
			for (v = 0; set->units[v] != t; v++)
				;
			if (colour[v] == 1) {
				char msg[DIAG_MSG_MAX];
				size_t start = depth, n = 0;

				while (path[start] != v)
					start--;
				for (size_t k = start; k <= depth && n < sizeof msg; k++)
					n += (size_t)snprintf(msg + n, sizeof msg - n, "%s -> ",
							      set->units[path[k]]->name);
				if (n < sizeof msg)
					snprintf(msg + n, sizeof msg - n, "%s", t->name);
				const struct loc *at = l ? &s->requires_loc : &s->after_loc;
				diag_at(d, at->file, at->line, "Unit", l ? "Requires" : "After",
					"dependency cycle: %s", msg);
				*from = start;
				*to = depth;
				return true;
			}
			if (colour[v] == 0 && find_cycle(set, v, colour, path, depth + 1, from, to, d))
				return true;
		}
	}
	colour[u] = 2;
	return false;
}

void units_check_deps(struct unit_set *set, struct diag *d)
{
	bool changed = true;

	/* Unknown and bad dependencies, every one reported; dropping a unit
	 * can break another, so look again from the start after each drop. */
	while (changed) {
		changed = false;
		for (size_t i = 0; i < set->n && !changed; i++) {
			struct spec *s = set->units[i];

			for (int l = 0; l < 2; l++) {
				const struct strv *list = l ? &s->requires : &s->after;
				const struct loc *at = l ? &s->requires_loc : &s->after_loc;

				for (size_t j = 0; j < list->n; j++) {
					const char *dep = list->v[j];

					if (units_find(set, dep))
						continue;
					diag_at(d, at->file, at->line, "Unit", l ? "Requires" : "After",
						is_bad(set, dep) ? "unit \"%s\" has errors" :
						"no unit named \"%s\"", dep);
					changed = true;
				}
			}
			if (changed)
				drop(set, i);   /* frees s */
		}
	}
	/* A cycle is reported once and its members dropped; then the units
	 * that depended on them are broken too, and there may be more cycles. */
	unsigned char *colour = calloc(set->n ? set->n : 1, 1);
	size_t *path = calloc(set->n ? set->n : 1, sizeof *path);
	size_t from = 0, to = 0;
	bool found = false;

	if (!colour || !path) {
		diag_at(d, "units", 0, NULL, NULL, "out of memory");
	} else {
		for (size_t u = 0; u < set->n && !found; u++)
			found = colour[u] == 0 &&
				find_cycle(set, u, colour, path, 0, &from, &to, d);
		if (found) {
			/* drop by name: indexes shift as units go */
			char names[64][UNIT_NAME_MAX + 1];
			size_t n = 0;

			for (size_t k = from; k <= to && n < 64; k++)
				snprintf(names[n++], sizeof names[0], "%s", set->units[path[k]]->name);
			for (size_t k = 0; k < n; k++)
				for (size_t v = 0; v < set->n; v++)
					if (strcmp(set->units[v]->name, names[k]) == 0)
						drop(set, v);
		}
	}
	free(colour);
	free(path);
	if (found)
		units_check_deps(set, d);
}

void units_free(struct unit_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		spec_free(set->units[i]);
	free(set->units);
	free(set->bad);
	*set = (struct unit_set){ 0 };
}
