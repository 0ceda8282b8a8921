#include "svcmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_BUCKETS 64

static size_t hash_name(const char *n, size_t buckets)
{
	uint64_t h = 14695981039346656037ull;   /* FNV-1a */

	for (; *n; n++)
		h = (h ^ (unsigned char)*n) * 1099511628211ull;
	return (size_t)(h & (buckets - 1));
}

static size_t hash_pid(pid_t pid, size_t buckets)
{
	return (size_t)(((uint32_t)pid * 2654435761u) & (buckets - 1));
}

static void index_name(struct sup *sv, struct svc *s)
{
	size_t b = hash_name(s->name, sv->buckets);

	s->name_next = sv->by_name[b];
	sv->by_name[b] = s;
}

static void index_pid(struct sup *sv, struct svc *s)
{
	size_t b;

	if (s->pid <= 0)
		return;
	b = hash_pid(s->pid, sv->buckets);
	s->pid_next = sv->by_pid[b];
	sv->by_pid[b] = s;
}

/* Bigger indexes once there are more units than buckets. A failed
 * allocation keeps the old ones: longer chains, never a lost unit. */
static void grow_indexes(struct sup *sv)
{
	size_t nb = sv->buckets ? sv->buckets * 2 : FIRST_BUCKETS;
	struct svc **bn = calloc(nb, sizeof *bn), **bp = calloc(nb, sizeof *bp);

	if (!bn || !bp) {
		free(bn);
		free(bp);
		return;
	}
	free(sv->by_name);
	free(sv->by_pid);
	sv->by_name = bn;
	sv->by_pid = bp;
	sv->buckets = nb;
	for (size_t i = 0; i < sv->n; i++) {
		index_name(sv, sv->svcs[i]);
		index_pid(sv, sv->svcs[i]);
	}
}

int svcmap_add(struct sup *sv, struct svc *s, struct err *e)
{
	if (sv->n == sv->cap) {
		size_t nc = sv->cap ? sv->cap * 2 : 16;
		struct svc **a;

		if (nc > SIZE_MAX / sizeof *a || !(a = realloc(sv->svcs, nc * sizeof *a)))
			return err_set(e, ENOMEM, "growing the unit table to %zu units", nc);
		sv->svcs = a;
		sv->cap = nc;
	}
	if (!sv->buckets) {
		grow_indexes(sv);
		if (!sv->buckets)
			return err_set(e, ENOMEM, "making the unit indexes");
	}
	sv->svcs[sv->n++] = s;
	s->name_next = s->pid_next = NULL;
	index_name(sv, s);
	index_pid(sv, s);
	if (sv->n > sv->buckets)
		grow_indexes(sv);
	return 0;
}

static void unindex_pid(struct sup *sv, struct svc *s)
{
	struct svc **pp;

	if (s->pid <= 0 || !sv->buckets)
		return;
	for (pp = &sv->by_pid[hash_pid(s->pid, sv->buckets)]; *pp; pp = &(*pp)->pid_next)
		if (*pp == s) {
			*pp = s->pid_next;
			break;
		}
	s->pid_next = NULL;
}

void svcmap_unlink(struct sup *sv, struct svc *s)
{
	struct svc **pp;

	unindex_pid(sv, s);
	if (!sv->buckets)
		return;
	for (pp = &sv->by_name[hash_name(s->name, sv->buckets)]; *pp; pp = &(*pp)->name_next)
		if (*pp == s) {
			*pp = s->name_next;
			break;
		}
	s->name_next = NULL;
}

void svcmap_set_pid(struct sup *sv, struct svc *s, pid_t pid)
{
	unindex_pid(sv, s);
	s->pid = pid;
	if (sv->buckets)
		index_pid(sv, s);
}

struct svc *svcmap_by_pid(struct sup *sv, pid_t pid)
{
	if (pid <= 0)
		return NULL;
	if (!sv->buckets) {
		/* a table filled by hand (tests): look at each */
		for (size_t i = 0; i < sv->n; i++)
			if (sv->svcs[i]->pid == pid)
				return sv->svcs[i];
		return NULL;
	}
	for (struct svc *s = sv->by_pid[hash_pid(pid, sv->buckets)]; s; s = s->pid_next)
		if (s->pid == pid)
			return s;
	return NULL;
}

struct svc *svcmap_by_name(struct sup *sv, const char *name)
{
	if (!sv->buckets) {
		/* a table filled by hand (tests): look at each */
		for (size_t i = 0; i < sv->n; i++)
			if (!sv->svcs[i]->removed && strcmp(sv->svcs[i]->name, name) == 0)
				return sv->svcs[i];
		return NULL;
	}
	for (struct svc *s = sv->by_name[hash_name(name, sv->buckets)]; s; s = s->name_next)
		if (!s->removed && strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

void svcmap_free(struct sup *sv)
{
	free(sv->svcs);
	free(sv->by_name);
	free(sv->by_pid);
	sv->svcs = sv->by_name = sv->by_pid = NULL;
	sv->n = sv->cap = sv->buckets = 0;
}
