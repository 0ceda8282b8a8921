/* Releasing a unit's group through PID 1's event loop: kill, then remove
 * once cgroup.events says "populated 0". Nothing here sleeps or waits: the
 * kernel notifies the events fd (EPOLLPRI) on every change, and the caller
 * comes back. See cg_release_begin in cgroup.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cgroup.h"

#if CONFIG_CGROUPS
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "cgfile.h"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Child groups first (the service may make some in its cgroup
 * namespace), then the group. 0 removed or gone, 1 busy, -1 error. */
static int try_remove(const char *path, int dirfd, struct err *e)
{
	if (rmdir(path) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY)
		return err_set(e, errno, "cgroup: removing %s", path);
	cgf_remove_children(dirfd);
	if (rmdir(path) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY)
		return err_set(e, errno, "cgroup: removing %s", path);
	return 1;
}

/* "populated" of cgroup.events, read through the watched fd: reading it
 * from offset 0 is what re-arms the kernel's notification. */
static int read_populated(const char *path, int fd, bool *populated, struct err *e)
{
	char buf[128];
	uint64_t v;
	ssize_t n;

	do
		n = pread(fd, buf, sizeof buf - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		/* ENODEV: the group was removed under us */
		if (errno == ENODEV || errno == ENOENT) {
			*populated = false;
			return 0;
		}
		return err_set(e, errno, "cgroup: reading %s/cgroup.events", path);
	}
	buf[n] = '\0';
	if (cgf_key_u64(buf, "populated", &v) < 0)
		return err_set(e, 0, "cgroup: no \"populated N\" line in %s/cgroup.events", path);
	*populated = v != 0;
	return 0;
}

/* The group's fd, opened here when the caller has none. -1 and errno
 * ENOENT when the group is gone. */
static int group_fd(const char *path, int dirfd, bool *opened)
{
	*opened = false;
	if (dirfd >= 0)
		return dirfd;
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*opened = dirfd >= 0;
	return dirfd;
}

int cg_release_begin(const char *path, int dirfd, int *events_fd, struct err *e)
{
	bool opened, populated;
	int fd, r;

	*events_fd = -1;
	fd = group_fd(path, dirfd, &opened);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_set(e, errno, "cgroup: opening %s", path);
	/* Without a pid namespace the service may have left processes; with
	 * one, its init's death already killed them (they are only dying). */
	if (cgf_kill_once(fd, e) < 0 && e->errnum != ENOENT && e->errnum != ENODEV) {
		r = -1;
		goto out;
	}
	r = try_remove(path, fd, e);
	if (r != 1)
		goto out;
	*events_fd = openat(fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (*events_fd < 0) {
		r = errno == ENOENT ? 0 : err_set(e, errno, "cgroup: opening %s/cgroup.events",
						   path);
		goto out;
	}
	/* Read once through the new fd: a change from here on is notified,
	 * and one that came before this read is seen now. */
	if (read_populated(path, *events_fd, &populated, e) < 0) {
		close_fd(events_fd);
		r = -1;
		goto out;
	}
	if (!populated && (r = try_remove(path, fd, e)) != 1)
		close_fd(events_fd);
out:
	if (opened)
		close(fd);
	return r;
}

int cg_release_poll(const char *path, int *events_fd, struct err *e)
{
	bool opened, populated;
	int fd, r;

	if (*events_fd < 0)
		return err_set(e, EBADF, "cgroup: releasing %s: no events fd", path);
	if (read_populated(path, *events_fd, &populated, e) < 0) {
		close_fd(events_fd);
		return -1;
	}
	fd = group_fd(path, -1, &opened);
	if (fd < 0) {
		if (errno == ENOENT) {
			close_fd(events_fd);
			return 0;
		}
		close_fd(events_fd);
		return err_set(e, errno, "cgroup: opening %s", path);
	}
	if (populated) {
		/* a fork that raced the first kill (before cgroup.kill) */
		struct err ignored;

		cgf_kill_once(fd, &ignored);
		r = 1;
	} else {
		r = try_remove(path, fd, e);
	}
	close(fd);
	if (r != 1)
		close_fd(events_fd);
	return r;
}
#endif
