/* Ending everything in a unit's group, forks in flight included. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cgroup.h"

#if CONFIG_CGROUPS
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "cgfile.h"

#define KILL_WAIT_MS 2000
#define KILL_DEPTH_MAX 16

struct pass {
	unsigned depth;
	unsigned found;          /* pids signalled in this pass */
	struct err *e;
};

/* SIGKILL each pid of dirfd's cgroup.procs, read in small pieces so that
 * no group is too big for the buffer. */
static int kill_procs(int dirfd, struct pass *ps)
{
	char buf[512], name[ERR_MSG_MAX];
	long pid = 0;
	bool in_num = false;
	ssize_t n;
	int fd, saved;

	fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		return err_set(ps->e, saved, "cgroup: reading %s",
			       cgf_name(dirfd, NULL, "cgroup.procs", name, sizeof name));
	}
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			close(fd);
			return err_set(ps->e, saved, "cgroup: reading %s",
				       cgf_name(dirfd, NULL, "cgroup.procs", name, sizeof name));
		}
		/* n == 0 flushes a last number without its newline. */
		for (ssize_t i = 0; i < n || (n == 0 && in_num); i++) {
			char c = n ? buf[i] : '\n';

			if (c >= '0' && c <= '9') {
				/* Past any real pid (2^22): never signalled. */
				pid = pid < 1L << 30 ? pid * 10 + (c - '0') : 1L << 30;
				in_num = true;
				continue;
			}
			/* 0: a process outside our pid namespace; never us. */
			if (in_num && pid > 0 && pid < 1L << 30 && pid != (long)getpid() &&
			    kill((pid_t)pid, SIGKILL) == 0)
				ps->found++;
			pid = 0;
			in_num = false;
		}
		if (n == 0)
			break;
	}
	close(fd);
	return 0;
}

static int kill_child(int dirfd, const char *name, void *ctx);

static int kill_group(int dirfd, struct pass *ps)
{
	if (kill_procs(dirfd, ps) < 0)
		return -1;
	if (ps->depth >= KILL_DEPTH_MAX)
		return 0;
	return cgf_for_children(dirfd, kill_child, ps, ps->e);
}

static int kill_child(int dirfd, const char *name, void *ctx)
{
	struct pass *ps = ctx;
	int fd, r;

	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;   /* gone meanwhile */
	ps->depth++;
	r = kill_group(fd, ps);
	ps->depth--;
	close(fd);
	return r;
}

/* Before cgroup.kill (5.14): freeze the group so that nothing in it can
 * fork while its pids are read (SIGKILL still ends frozen tasks; there is
 * no freezer before 5.2, then it is a race that the rounds repeat), and
 * kill pid by pid until a round finds none. */
int cgf_kill_by_pid(int dirfd, struct err *e)
{
	uint64_t deadline = cgf_now_ms() + KILL_WAIT_MS;
	struct pass ps = { .e = e };
	unsigned nap = 1;
	struct err ignored;

	if (cgf_write(dirfd, NULL, "cgroup.freeze", "1", &ignored) < 0 &&
	    ignored.errnum != ENOENT) {
		*e = ignored;
		return -1;
	}
	for (;;) {
		ps.found = 0;
		ps.depth = 0;
		if (kill_group(dirfd, &ps) < 0)
			return -1;
		if (ps.found == 0)
			return 0;
		if (cgf_now_ms() >= deadline) {
			char name[ERR_MSG_MAX];

			return err_set(e, 0, "cgroup: %u processes still in %s after SIGKILL",
				       ps.found, cgf_name(dirfd, NULL, ".", name, sizeof name));
		}
		cgf_nap_ms(nap);
		if (nap < 64)
			nap *= 2;
	}
}

int cgf_kill_once(int dirfd, struct err *e)
{
	struct pass ps = { .e = e };
	struct err ignored;

	if (cgf_write(dirfd, NULL, "cgroup.kill", "1", e) == 0)
		return 0;
	if (e->errnum != ENOENT)
		return -1;
	/* Before 5.14: frozen, nothing forks while the pids are read; left
	 * frozen (SIGKILL ends frozen tasks, and the group is going away).
	 * A fork that raced the freeze is killed by the caller's next pass,
	 * when cgroup.events says the group is still populated. */
	if (cgf_write(dirfd, NULL, "cgroup.freeze", "1", &ignored) < 0 &&
	    ignored.errnum != ENOENT) {
		*e = ignored;
		return -1;
	}
	return kill_group(dirfd, &ps);
}

int cg_kill(int dirfd, struct err *e)
{
	if (cgf_write(dirfd, NULL, "cgroup.kill", "1", e) == 0)
		return 0;
	if (e->errnum != ENOENT)
		return -1;
	return cgf_kill_by_pid(dirfd, e);
}
#endif
