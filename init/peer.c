/* Peer classification: is a process inside a unit, and which (peer.h).
 * Only procfs is read, through fds opened O_NONBLOCK with bounded reads:
 * procfs files are the kernel's, never a unit's FIFO or a slow disk. */
#include "../lib/procfs.h"
#include "peer.h"
#include "svcmap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "sup.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424   /* the same number on every architecture */
#endif

#define WALK_MAX 64   /* parent-chain steps; deeper chains are judged by namespaces */

static const char *const ns_names[] = { "mnt", "pid", "net", "ipc", "uts", "cgroup", "user" };
#define N_NS (sizeof ns_names / sizeof ns_names[0])

struct ns_ids {
	bool ok[N_NS];
	dev_t dev[N_NS];
	ino_t ino[N_NS];
};

const char *peer_kind_name(enum peer_kind k)
{
	switch (k) {
	case PEER_OUTSIDE:
		return "outside every unit";
	case PEER_UNIT:
		return "inside a unit";
	case PEER_SANDBOXED:
		return "sandboxed";
	case PEER_GONE:
		return "gone";
	}
	return "?";
}


static void ns_read(int dirfd, struct ns_ids *ids)
{
	char name[16];
	struct stat st;

	for (size_t i = 0; i < N_NS; i++) {
		snprintf(name, sizeof name, "ns/%s", ns_names[i]);
		/* follows the ns link into nsfs: its (dev, ino) is the namespace */
		ids->ok[i] = fstatat(dirfd, name, &st, 0) == 0;
		ids->dev[i] = ids->ok[i] ? st.st_dev : 0;
		ids->ino[i] = ids->ok[i] ? st.st_ino : 0;
	}
}

static bool ns_same(const struct ns_ids *a, const struct ns_ids *b, size_t i)
{
	return a->ok[i] && b->ok[i] && a->dev[i] == b->dev[i] && a->ino[i] == b->ino[i];
}

/* Our own namespaces: read once (PID 1 never changes its own). */
static const struct ns_ids *self_ns(void)
{
	static struct ns_ids self;
	static bool done;

	if (!done) {
		int fd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return NULL;
		ns_read(fd, &self);
		close(fd);
		done = true;
	}
	return &self;
}

static struct svc *unit_named(struct sup *sv, const char *name, size_t n)
{
	for (size_t i = 0; i < sv->n; i++) {
		struct svc *s = sv->svcs[i];

		if (strlen(s->name) == n && memcmp(s->name, name, n) == 0)
			return s;
	}
	return NULL;
}

static struct svc *unit_of_pid(struct sup *sv, pid_t pid)
{
	return svcmap_by_pid(sv, pid);   /* hashed: no scan per ancestor */
}

static void set_unit(struct peer *p, const char *name, size_t n, const char *how)
{
	p->kind = PEER_UNIT;
	snprintf(p->unit, sizeof p->unit, "%.*s", (int)n, name);
	snprintf(p->how, sizeof p->how, "%s", how);
}

/* 1. The cgroup. 1 = decided, 0 = not in a unit's cgroup, -1 = unreadable. */
static int by_cgroup(struct sup *sv, int dirfd, struct peer *p)
{
#if CONFIG_CGROUPS
	static const char prefix[] = "0::/" CONFIG_CGROUP_ROOT "/";
	char buf[4096], *line = NULL;

	if (!sv->use_cgroups)
		return 0;
	if (procfs_read(dirfd, "cgroup", buf, sizeof buf) < 0)
		return -1;
	/* cgroup2's line is "0::PATH"; v1 hierarchies have other numbers */
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, "0::", 3) == 0) {
			line = l;
			break;
		}
	if (!line)
		return -1;
	if (strncmp(line, prefix, sizeof prefix - 1) != 0)
		return 0;
	const char *name = line + sizeof prefix - 1;
	size_t n = strcspn(name, "/\n");
	struct svc *s = unit_named(sv, name, n);

	if (s) {
		set_unit(p, name, n, "by its cgroup");
	} else {
		p->kind = PEER_SANDBOXED;
		snprintf(p->how, sizeof p->how, "in the cgroup of \"%.*s\", which is no loaded unit",
			 (int)(n > 64 ? 64 : n), name);
	}
	return 1;
#else
	(void)sv;
	(void)dirfd;
	(void)p;
	return 0;
#endif
}

static pid_t ppid_of(int dirfd)
{
	char buf[512];
	char *rp;

	if (procfs_read(dirfd, "stat", buf, sizeof buf) < 0)
		return -1;
	/* "PID (COMM) S PPID ...": COMM may hold spaces and ')' */
	rp = strrchr(buf, ')');
	if (!rp || rp[1] != ' ' || !rp[2] || rp[3] != ' ')
		return -1;
	return (pid_t)strtol(rp + 4, NULL, 10);
}

/* 2. The parent chain up to a unit's main process. */
static bool by_parents(struct sup *sv, pid_t pid, int dirfd, struct peer *p)
{
	pid_t self = getpid(), cur = pid;
	struct svc *s;

	for (int i = 0; i < WALK_MAX && cur > 1 && cur != self; i++) {
		if ((s = unit_of_pid(sv, cur))) {
			set_unit(p, s->name, strlen(s->name), "by its parent processes");
			return true;
		}
		char path[32];
		int fd = dirfd;

		if (i > 0) {
			snprintf(path, sizeof path, "/proc/%d", (int)cur);
			fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				return false;
		}
		cur = ppid_of(fd);
		if (fd != dirfd)
			close(fd);
	}
	return false;
}

/* 3. The namespaces: PID 1's own, a unit's, or someone else's. */
static void by_namespaces(struct sup *sv, int dirfd, struct peer *p)
{
	const struct ns_ids *self = self_ns();
	struct ns_ids ids, u;
	char differ[64] = "";

	ns_read(dirfd, &ids);
	for (size_t i = 0; i < N_NS; i++)
		if (!self || !ns_same(&ids, self, i))
			snprintf(differ + strlen(differ), sizeof differ - strlen(differ), " %s",
				 ns_names[i]);
	if (!differ[0]) {
		p->kind = PEER_OUTSIDE;
		snprintf(p->how, sizeof p->how, "PID 1's own namespaces, no unit's process");
		return;
	}
	/* a namespace of its own that a unit's main process shares names it */
	for (size_t k = 0; k < sv->n; k++) {
		struct svc *s = sv->svcs[k];
		char path[32];
		int fd;

		if (s->pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d", (int)s->pid);
		if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;
		ns_read(fd, &u);
		close(fd);
		for (size_t i = 0; i < N_NS; i++)
			if (ns_same(&ids, &u, i) && self && !ns_same(&u, self, i)) {
				set_unit(p, s->name, strlen(s->name), "by its namespaces");
				return;
			}
	}
	p->kind = PEER_SANDBOXED;
	snprintf(p->how, sizeof p->how, "its namespaces (%s) are not PID 1's", differ + 1);
}

static bool still_same(int pidfd)
{
	/* signal 0 through the pidfd: ESRCH once that very process is gone */
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

void peer_classify(struct sup *sv, pid_t pid, int pidfd, struct peer *p)
{
	char path[32];
	int dirfd;

	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->kind = PEER_GONE;
	if (pid <= 0) {
		snprintf(p->how, sizeof p->how, "its pid is not visible to PID 1");
		return;
	}
	snprintf(path, sizeof path, "/proc/%d", (int)pid);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		snprintf(p->how, sizeof p->how, "it exited before PID 1 could look at it");
		return;
	}
	/* the dirfd is pinned to whoever had the pid when we opened it: if the
	 * pidfd's process still lives, that was it (its pid cannot be reused) */
	if (pidfd >= 0 && !still_same(pidfd)) {
		close(dirfd);
		snprintf(p->how, sizeof p->how, "it exited before PID 1 could look at it");
		return;
	}
	int r = by_cgroup(sv, dirfd, p);

	if (r == 0 && !by_parents(sv, pid, dirfd, p))
		by_namespaces(sv, dirfd, p);
	else if (r < 0)
		snprintf(p->how, sizeof p->how, "its cgroup cannot be read (it exited?)");
	/* a process that died while we read may have left half-read files */
	if (p->kind == PEER_OUTSIDE && (ppid_of(dirfd) < 0 || (pidfd >= 0 && !still_same(pidfd)))) {
		p->kind = PEER_GONE;
		snprintf(p->how, sizeof p->how, "it exited while PID 1 looked at it");
	}
	close(dirfd);
}

bool peer_may_control(struct sup *sv, const struct peer *p, char *msg, size_t len)
{
	const struct svc *s;

	switch (p->kind) {
	case PEER_OUTSIDE:
		return true;
	case PEER_UNIT:
		s = unit_named(sv, p->unit, strlen(p->unit));
		if (s && s->spec && s->spec->control_access)
			return true;
		snprintf(msg, len,
			 "permission denied: the caller (pid %d) runs inside unit \"%s\" (told %s), "
			 "which does not have ControlAccess=yes",
			 (int)p->pid, p->unit, p->how);
		return false;
	case PEER_SANDBOXED:
		snprintf(msg, len,
			 "permission denied: the caller (pid %d) is sandboxed (%s) and in no unit "
			 "with ControlAccess=yes",
			 (int)p->pid, p->how);
		return false;
	case PEER_GONE:
		break;
	}
	snprintf(msg, len,
		 "permission denied: the caller (pid %d) cannot be told apart from a unit without "
		 "ControlAccess=yes: %s",
		 (int)p->pid, p->how);
	return false;
}
