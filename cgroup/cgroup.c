/* A unit's cgroup: checked, created with its limits, removed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "../lib/procfs.h"
#include "../lib/scan.h"
#include "cgroup.h"

#if CONFIG_CGROUPS
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgfile.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CG_REMOVE_WAIT_MS 2000
#define CG_DEPTH_MAX 16

/* A controller a unit needs, and the first key that asked for it (for the
 * message when the kernel lacks it). Kernel order: cpuset cpu io memory pids. */
struct need {
	const char *ctl;
	const char *key;
};

static size_t needs_of(const struct resources *r, struct need out[5])
{
	size_t n = 0;

	if (r->cpus)
		out[n++] = (struct need){ "cpuset", "AllowedCPUs=" };
	else if (r->mems)
		out[n++] = (struct need){ "cpuset", "AllowedMemoryNodes=" };
	if (r->cpu_weight.set)
		out[n++] = (struct need){ "cpu", "CPUWeight=" };
	else if (r->cpu_shares.set)
		out[n++] = (struct need){ "cpu", "CPUShares=" };
	else if (r->cpu_quota_permyriad.set)
		out[n++] = (struct need){ "cpu", "CPUQuota=" };
	if (r->io_weight.set)
		out[n++] = (struct need){ "io", "IOWeight=" };
	if (r->memory_max.set)
		out[n++] = (struct need){ "memory", "MemoryMax=" };
	else if (r->memory_high.set)
		out[n++] = (struct need){ "memory", "MemoryHigh=" };
	else if (r->memory_swap_max.set)
		out[n++] = (struct need){ "memory", "MemorySwapMax=" };
	if (r->tasks_max.set)
		out[n++] = (struct need){ "pids", "TasksMax=" };
	return n;
}

bool cg_available(struct err *e)
{
	struct statfs sf;

	if (statfs(CG_MOUNT, &sf) < 0) {
		err_set(e, errno, "cgroup: looking at " CG_MOUNT);
		return false;
	}
	if ((unsigned long)sf.f_type != CGROUP2_SUPER_MAGIC) {
		err_set(e, 0, "cgroup: " CG_MOUNT " is not a cgroup v2 (cgroup2) mount");
		return false;
	}
	return true;
}

/* Turn on in dir's cgroup.subtree_control every needed controller not on
 * yet, one write each so that a refusal names its controller. */
static int enable(const char *dir, const struct need *need, size_t n, struct err *e)
{
	char have[256], plus[32];
	int fd, r = 0;

	if (n == 0)
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "cgroup: opening %s", dir);
	if (cgf_read(fd, dir, "cgroup.subtree_control", have, sizeof have, e) < 0) {
		close(fd);
		return -1;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		if (cgf_has_word(have, need[i].ctl))
			continue;
		snprintf(plus, sizeof plus, "+%s", need[i].ctl);
		r = cgf_write(fd, dir, "cgroup.subtree_control", plus, e);
	}
	close(fd);
	return r;
}

static int make_dir(const char *path, struct err *e)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "cgroup: creating %s", path);
	return 0;
}

/* Build CG_MOUNT/CONFIG_CGROUP_ROOT in path, making each level and
 * enabling the controllers on the way down. */
static int make_parents(char *path, size_t len, const struct need *need, size_t n,
			struct err *e)
{
	const char *p = CONFIG_CGROUP_ROOT;
	size_t at;

	at = (size_t)snprintf(path, len, "%s", CG_MOUNT);
	while (*p) {
		size_t c = strcspn(p, "/");

		if (c == 0) {
			p++;
			continue;
		}
		if ((c == 1 && p[0] == '.') || (c == 2 && p[0] == '.' && p[1] == '.'))
			return err_set(e, 0, "cgroup: bad CONFIG_CGROUP_ROOT \"%s\"",
				       CONFIG_CGROUP_ROOT);
		if (enable(path, need, n, e) < 0)
			return -1;
		if (at + 1 + c >= len)
			return err_set(e, ENAMETOOLONG, "cgroup: path for " CONFIG_CGROUP_ROOT);
		path[at++] = '/';
		memcpy(path + at, p, c);
		at += c;
		path[at] = '\0';
		if (make_dir(path, e) < 0)
			return -1;
		p += c;
	}
	return enable(path, need, n, e);
}

static int write_u64(int fd, const char *dir, const char *file, uint64_t v, struct err *e)
{
	char buf[24];

	if (v == LIMIT_INFINITY)
		snprintf(buf, sizeof buf, "max");
	else
		snprintf(buf, sizeof buf, "%" PRIu64, v);
	return cgf_write(fd, dir, file, buf, e);
}

/* A limit file missing means this kernel cannot apply the key at all
 * (no swap accounting, no io weight policy): say that, not just ENOENT. */
static int limit_failed(const char *dir, const char *file, const char *key, struct err *e)
{
	if (e->errnum == ENOENT)
		return err_set(e, 0, "cgroup: this kernel has no %s in %s (needed by %s)",
			       file, dir, key);
	return -1;
}

#define LIMIT(file, key, call) do { \
	if ((call) < 0) \
		return limit_failed(path, (file), (key), e); \
} while (0)

static int write_limits(int fd, const char *path, const struct resources *r, struct err *e)
{
	char buf[64];

	/* cpuset first: it decides where the memory and CPU time come from. */
	if (r->cpus)
		LIMIT("cpuset.cpus", "AllowedCPUs=", cgf_write(fd, path, "cpuset.cpus", r->cpus, e));
	if (r->mems)
		LIMIT("cpuset.mems", "AllowedMemoryNodes=",
		      cgf_write(fd, path, "cpuset.mems", r->mems, e));
	if (r->memory_max.set)
		LIMIT("memory.max", "MemoryMax=",
		      write_u64(fd, path, "memory.max", r->memory_max.v, e));
	if (r->memory_high.set)
		LIMIT("memory.high", "MemoryHigh=",
		      write_u64(fd, path, "memory.high", r->memory_high.v, e));
	if (r->memory_swap_max.set)
		LIMIT("memory.swap.max", "MemorySwapMax=",
		      write_u64(fd, path, "memory.swap.max", r->memory_swap_max.v, e));
	if (r->cpu_weight.set)
		LIMIT("cpu.weight", "CPUWeight=",
		      write_u64(fd, path, "cpu.weight", r->cpu_weight.v, e));
	else if (r->cpu_shares.set)
		LIMIT("cpu.weight", "CPUShares=",
		      write_u64(fd, path, "cpu.weight", cg_shares_to_weight(r->cpu_shares.v), e));
	if (r->cpu_quota_permyriad.set) {
		if (cg_cpu_max(buf, sizeof buf, r->cpu_quota_permyriad.v, r->cpu_period_us) < 0)
			return err_set(e, ERANGE, "cgroup: CPUQuota= for %s", path);
		LIMIT("cpu.max", "CPUQuota=", cgf_write(fd, path, "cpu.max", buf, e));
	}
	if (r->tasks_max.set)
		LIMIT("pids.max", "TasksMax=", write_u64(fd, path, "pids.max", r->tasks_max.v, e));
	if (r->io_weight.set) {
		/* "default N" sets the weight for every device; iocost and
		 * BFQ both take it (a bare "N" only the former). */
		snprintf(buf, sizeof buf, "default %" PRIu64, r->io_weight.v);
		LIMIT("io.weight", "IOWeight=", cgf_write(fd, path, "io.weight", buf, e));
	}
	return 0;
}

/* ---- the task cap: pids.max on CONFIG_CGROUP_ROOT and each unit's group ---- */

#define PIDS_RESERVE_MIN 64


/* The number a /proc/sys file holds; 0 when unreadable or no number. */
static uint64_t read_proc_u64(const char *path)
{
	char buf[64];
	const char *p = buf;
	uint64_t v;

	if (procfs_read(AT_FDCWD, path, buf, sizeof buf) < 0)
		return 0;
	return scan_u64(&p, &v) && scan_word_end(p) ? v : 0;
}

/* The kernel's task limit: every clone needs a task (threads-max) and a
 * pid (pid_max; the highest pid is pid_max - 1). 0 when unknown. */
static uint64_t kernel_tasks(void)
{
	uint64_t t = read_proc_u64("/proc/sys/kernel/threads-max");
	uint64_t p = read_proc_u64("/proc/sys/kernel/pid_max");

	if (p > 1 && (t == 0 || p - 1 < t))
		t = p - 1;
	return t;
}

static uint64_t pids_reserve(uint64_t total)
{
	uint64_t r = total / 100 * CONFIG_PIDS_RESERVE_PERCENT;

	return r < PIDS_RESERVE_MIN ? PIDS_RESERVE_MIN : r;
}

/* Tasks that exist now, kernel threads included (/proc/loadavg "R/TOTAL"). */
static uint64_t tasks_now(void)
{
	char buf[128];
	const char *p;
	uint64_t run, all;

	if (procfs_read(AT_FDCWD, "/proc/loadavg", buf, sizeof buf) < 0)
		return 0;
	p = scan_skip(buf, 3);   /* the three load averages */
	if (!p || !scan_u64(&p, &run) || *p++ != '/' || !scan_u64(&p, &all) ||
	    !scan_word_end(p))
		return 0;
	return all;
}

int cg_cap_units(uint64_t *cap, struct err *e)
{
	static const struct need pids = { "pids", "the units' task cap (CONFIG_PIDS_RESERVE_PERCENT)" };
	char path[CG_PATH_MAX], ctl[256], val[24];
	uint64_t total, now, reserve;
	int fd, rc;

	*cap = 0;
	if (CONFIG_PIDS_RESERVE_PERCENT == 0)
		return 0;
	if (!cg_available(e))
		return -1;
	total = kernel_tasks();
	if (total == 0)
		return err_set(e, errno, "cgroup: reading kernel.threads-max and kernel.pid_max");
	fd = open(CG_MOUNT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "cgroup: opening " CG_MOUNT);
	rc = cgf_read(fd, CG_MOUNT, "cgroup.controllers", ctl, sizeof ctl, e);
	close(fd);
	if (rc < 0)
		return -1;
	if (!cgf_has_word(ctl, "pids"))
		return err_set(e, 0, "cgroup: the pids controller is not available in " CG_MOUNT
			       ": the units' tasks are not capped");
	/* everything that runs now (kernel threads, PID 1) is outside the units */
	now = tasks_now();
	reserve = pids_reserve(total);
	if (total <= now + 2 * reserve)
		return err_set(e, 0, "cgroup: the kernel allows %llu tasks, %llu exist: too few "
			       "to keep %llu from the units", (unsigned long long)total,
			       (unsigned long long)now, (unsigned long long)reserve);
	/* creates the group, with pids on in every subtree_control down to
	 * its own, so that each unit's group has a pids.max */
	if (make_parents(path, sizeof path, &pids, 1, e) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "cgroup: opening %s", path);
	snprintf(val, sizeof val, "%llu", (unsigned long long)(total - now - reserve));
	rc = cgf_write(fd, path, "pids.max", val, e);
	close(fd);
	if (rc == 0)
		*cap = total - now - reserve;
	return rc;
}

/* The pids.max of a unit's group: its TasksMax=, but never more than the
 * cap of the units' group (when PID 1 set one) less the reserve, so that
 * one unit leaves tasks to the others and to the admin's console; 0 = write
 * nothing (no cap above: `sandboxctl run` where PID 1 is not sandboxd). */
static uint64_t unit_pids_max(const char *parent, const struct resources *r)
{
	char buf[32];
	const char *p = buf;
	uint64_t cap, ceiling, want;
	struct err e;
	int fd;

	want = r->tasks_max.set ? r->tasks_max.v : LIMIT_INFINITY;
	if (CONFIG_PIDS_RESERVE_PERCENT == 0)
		return r->tasks_max.set ? want : 0;
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return r->tasks_max.set ? want : 0;
	if (cgf_read(fd, parent, "pids.max", buf, sizeof buf, &e) < 0 ||
	    !scan_u64(&p, &cap) || !scan_word_end(p)) {
		close(fd);
		return r->tasks_max.set ? want : 0;   /* "max", or no pids controller */
	}
	close(fd);
	ceiling = cap > 2 * pids_reserve(cap) ? cap - pids_reserve(cap) : cap;
	return want < ceiling ? want : ceiling;
}

/* The unit's group may be left over from a run whose launcher died. An
 * empty one is removed and made anew, so that no limit of the old unit
 * file survives; one with processes is someone else's run. */
static int make_unit_dir(const char *path, const char *unit, struct err *e)
{
	char ev[256];
	uint64_t populated = 0;
	int fd;

	if (mkdir(path, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return err_set(e, errno, "cgroup: creating %s", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "cgroup: opening the existing %s", path);
	if (cgf_read(fd, path, "cgroup.events", ev, sizeof ev, e) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	if (cgf_key_u64(ev, "populated", &populated) < 0)
		return err_set(e, 0, "cgroup: no \"populated\" in %s/cgroup.events", path);
	if (populated)
		return err_set(e, 0, "cgroup: %s still holds processes (is %s already running?)",
			       path, unit);
	/* Empty: its child groups, then itself, at once. No waiting here:
	 * this runs in PID 1's start path; one still going away fails this
	 * start (the restart policy tries again). */
	if (rmdir(path) < 0 && errno == EBUSY) {
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			cgf_remove_children(fd);
			close(fd);
		}
		if (rmdir(path) < 0 && errno == EBUSY)
			return err_set(e, EBUSY, "cgroup: replacing the leftover group %s", path);
	}
	if (mkdir(path, 0755) < 0)
		return err_set(e, errno, "cgroup: creating %s", path);
	return 0;
}

int cg_create(const struct spec *s, char *path, size_t len, int *dirfd, struct err *e)
{
	struct need need[5];
	struct resources res;
	char ctl[256] = "";
	uint64_t pids;
	size_t n, at;
	int fd;

	*dirfd = -1;
	if (s->name[0] == '\0' || strchr(s->name, '/') || strcmp(s->name, ".") == 0 ||
	    strcmp(s->name, "..") == 0)
		return err_set(e, 0, "cgroup: unit name \"%s\" cannot name a group", s->name);
	if (!cg_available(e))
		return -1;

	n = needs_of(&s->res, need);
	if (n) {
		fd = open(CG_MOUNT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return err_set(e, errno, "cgroup: opening " CG_MOUNT);
		if (cgf_read(fd, CG_MOUNT, "cgroup.controllers", ctl, sizeof ctl, e) < 0) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	for (size_t i = 0; i < n; i++)
		if (!cgf_has_word(ctl, need[i].ctl))
			return err_set(e, 0, "cgroup: the %s controller is not available in "
				       CG_MOUNT " (needed by %s)", need[i].ctl, need[i].key);

	if (make_parents(path, len, need, n, e) < 0)
		return -1;
	res = s->res;
	pids = unit_pids_max(path, &s->res);
	if (pids) {
		static const struct need p = { "pids", "TasksMax= (the units' task cap)" };

		if (!s->res.tasks_max.set && enable(path, &p, 1, e) < 0)
			return -1;
		res.tasks_max.set = true;
		res.tasks_max.v = pids;
	}
	at = strlen(path);
	if (at + 1 + strlen(s->name) >= len)
		return err_set(e, ENAMETOOLONG, "cgroup: path for %s/%s", path, s->name);
	snprintf(path + at, len - at, "/%s", s->name);
	if (make_unit_dir(path, s->name, e) < 0)
		return -1;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err_set(e, errno, "cgroup: opening %s", path);
		rmdir(path);
		return -1;
	}
	if (write_limits(fd, path, &res, e) < 0) {
		close(fd);
		rmdir(path);
		return -1;
	}
	*dirfd = fd;
	return 0;
}

int cg_attach(int dirfd, pid_t pid, struct err *e)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%ld", (long)pid);
	return cgf_write(dirfd, NULL, "cgroup.procs", buf, e);
}

/* Wait until cgroup.events says "populated 0" or the deadline passes:
 * kernfs wakes poll() with POLLPRI on every change of the file. */
static void wait_empty(int dirfd, uint64_t deadline)
{
	char buf[128];
	uint64_t populated, now;
	struct pollfd p;
	ssize_t n;

	p.fd = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (p.fd < 0)
		return;
	p.events = POLLPRI;
	for (;;) {
		/* Reading through the polled fd re-arms it. */
		if (lseek(p.fd, 0, SEEK_SET) < 0)
			break;
		n = read(p.fd, buf, sizeof buf - 1);
		if (n < 0)
			break;
		buf[n] = '\0';
		if (cgf_key_u64(buf, "populated", &populated) < 0 || !populated)
			break;
		now = cgf_now_ms();
		if (now >= deadline)
			break;
		if (poll(&p, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			break;
	}
	close(p.fd);
}

/* Child groups the service made (it may, in its cgroup namespace) keep
 * rmdir busy: remove them first, deepest first. Busy ones are left for
 * the caller's next round. */
static int remove_child(int dirfd, const char *name, void *ctx)
{
	unsigned depth = *(unsigned *)ctx + 1;
	struct err e;
	int fd;

	if (depth > CG_DEPTH_MAX)
		return 0;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		cgf_for_children(fd, remove_child, &depth, &e);
		close(fd);
	}
	unlinkat(dirfd, name, AT_REMOVEDIR);
	return 0;
}

void cgf_remove_children(int dirfd)
{
	unsigned depth = 0;
	struct err e;

	cgf_for_children(dirfd, remove_child, &depth, &e);
}

int cg_remove(const char *path, struct err *e)
{
	uint64_t deadline = cgf_now_ms() + CG_REMOVE_WAIT_MS;
	unsigned depth = 0, nap = 1;
	int fd;

	for (;;) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return err_set(e, errno, "cgroup: removing %s", path);
		if (cgf_now_ms() >= deadline)
			return err_set(e, EBUSY, "cgroup: removing %s (processes or child "
				       "groups still in it after %d ms)", path, CG_REMOVE_WAIT_MS);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				return 0;
			return err_set(e, errno, "cgroup: opening %s", path);
		}
		wait_empty(fd, deadline);
		if (cgf_for_children(fd, remove_child, &depth, e) < 0) {
			close(fd);
			return -1;
		}
		close(fd);
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		/* Empty but still busy: the last exiting task has not quite
		 * left the kernel's books. Short naps, within the deadline. */
		cgf_nap_ms(nap);
		if (nap < 64)
			nap *= 2;
	}
}
#endif
