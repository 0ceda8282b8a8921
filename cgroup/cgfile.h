/* Reading and writing the small text files of a cgroup directory; private
 * to cgroup/. Every fd is O_CLOEXEC, every buffer the caller's. */
#ifndef SBX_CGFILE_H
#define SBX_CGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/err.h"

/* Whole file (at most len - 1 bytes) into buf, NUL-terminated. Returns the
 * length, or -1 with *e naming the file (dir is the folder's path for the
 * message; NULL = find it from dirfd). A file longer than buf is E2BIG. */
int cgf_read(int dirfd, const char *dir, const char *file, char *buf, size_t len,
	     struct err *e);

/* Write val with one write(2), as the kernel wants: the cgroup files apply
 * or reject a value per write. -1 with *e = "cgroup: writing VAL to PATH". */
int cgf_write(int dirfd, const char *dir, const char *file, const char *val,
	      struct err *e);

/* In "key value\n" lines (memory.events, cgroup.events), the value of key.
 * 0, or -1 when the key is missing or its value is not a number. */
int cgf_key_u64(const char *text, const char *key, uint64_t *v);

/* A whole word of a space-separated list (cgroup.controllers). */
bool cgf_has_word(const char *list, const char *word);

/* Calls fn(dirfd, NAME, ctx) for each child group (subfolder) of dirfd;
 * stops at fn's first < 0. fn may remove the child it is given. */
int cgf_for_children(int dirfd, int (*fn)(int dirfd, const char *name, void *ctx),
		     void *ctx, struct err *e);

/* CLOCK_MONOTONIC in ms, and a sleep of ms that EINTR does not cut short. */
uint64_t cgf_now_ms(void);
void cgf_nap_ms(unsigned ms);

/* cg_kill() where cgroup.kill is missing (before 5.14); apart so that
 * the tests can reach it on newer kernels. */
int cgf_kill_by_pid(int dirfd, struct err *e);

/* SIGKILL everything in the group and below once, without waiting:
 * cgroup.kill, or before 5.14 freeze and one pass over cgroup.procs. */
int cgf_kill_once(int dirfd, struct err *e);

/* Remove the child groups of dirfd, deepest first; busy ones are left. */
void cgf_remove_children(int dirfd);

/* "DIR/FILE" for messages, DIR found through /proc/self/fd when NULL. */
const char *cgf_name(int dirfd, const char *dir, const char *file, char *buf, size_t len);

#endif
