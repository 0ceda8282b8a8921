#include "spec.h"

#include <stdlib.h>
#include <string.h>

static const char *const ns_oci_names[NS_COUNT] = {
	"pid", "network", "ipc", "uts", "mount", "cgroup", "user",
};
static const char *const ns_keywords[NS_COUNT] = {
	"pid", "net", "ipc", "uts", "mount", "cgroup", "user",
};
static const char *const restart_names[] = {
	"no", "on-success", "on-failure", "on-abnormal", "always",
};

const char *ns_type_name(enum ns_type t)
{
	return t < NS_COUNT ? ns_oci_names[t] : "?";
}

const char *ns_type_keyword(enum ns_type t)
{
	return t < NS_COUNT ? ns_keywords[t] : "?";
}

const char *restart_policy_name(enum restart_policy r)
{
	return (size_t)r < sizeof restart_names / sizeof *restart_names ? restart_names[r] : "?";
}

/* What the unit asked for: the build's default TasksMax= alone does not
 * make a unit need cgroup2 (it is applied wherever the unit has a cgroup). */
bool spec_has_resources(const struct spec *s)
{
	const struct resources *r = &s->res;

	return r->memory_max.set || r->memory_high.set || r->memory_swap_max.set ||
	       r->cpu_weight.set || r->cpu_shares.set || r->cpu_quota_permyriad.set ||
	       r->cpus || r->mems || (r->tasks_max.set && !r->tasks_max_default) ||
	       r->io_weight.set;
}

bool spec_is_root_user(const struct spec *s)
{
	return s->uid == 0;
}

int strv_push(struct arena *a, struct strv *sv, const char *s)
{
	if (sv->n + 1 >= sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		/* in place while the vector is the arena's newest block */
		const char **v = arena_realloc(a, sv->v, sv->cap * sizeof *v, cap * sizeof *v);

		if (!v)
			return -1;
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

bool strv_contains(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void strv_remove(struct strv *sv, const char *s)
{
	size_t j = 0;

	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) != 0)
			sv->v[j++] = sv->v[i];
	sv->n = j;
	if (sv->v)
		sv->v[j] = NULL;
}

void strv_clear(struct strv *sv)
{
	sv->n = 0;
	if (sv->v)
		sv->v[0] = NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void strv_sort_unique(struct strv *sv)
{
	size_t j = 0;

	if (sv->n < 2)
		return;
	qsort(sv->v, sv->n, sizeof *sv->v, cmp_str);
	for (size_t i = 0; i < sv->n; i++)
		if (j == 0 || strcmp(sv->v[j - 1], sv->v[i]) != 0)
			sv->v[j++] = sv->v[i];
	sv->n = j;
	sv->v[j] = NULL;
}
