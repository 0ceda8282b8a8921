/* The notify and syslog sockets' binds into /dev. See unitsock.h. */
#include "unitsock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mountapi.h"
#include "mounts.h"

static const char *const names[UNITSOCK_COUNT] = { ROOTFS_NOTIFY_NAME, ROOTFS_LOG_NAME };
static const char *const paths[UNITSOCK_COUNT] = {
	"/dev/" ROOTFS_NOTIFY_NAME, "/dev/" ROOTFS_LOG_NAME,
};

int rootfs_unitsock_open(const char *const path[UNITSOCK_COUNT], int fd[UNITSOCK_COUNT],
			 struct step_fail *f)
{
	for (int i = 0; i < UNITSOCK_COUNT; i++)
		fd[i] = -1;
	for (int i = 0; i < UNITSOCK_COUNT; i++) {
		struct stat st;

		if (!path[i])
			continue;
		/* PID 1's own file in its own folder; O_NOFOLLOW all the
		 * same, and the type checked on what was opened */
		fd[i] = open(path[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd[i] < 0)
			return step_failed(f, "open", path[i], errno);
		if (fstat(fd[i], &st) < 0)
			return step_failed(f, "open", path[i], errno);
		if (!S_ISSOCK(st.st_mode))
			return step_failed(f, "open", path[i], ENOTSOCK);
	}
	return 0;
}

int rootfs_unitsock_bind(int devfd, const int fd[UNITSOCK_COUNT], struct step_fail *f)
{
	for (int i = 0; i < UNITSOCK_COUNT; i++) {
		int t, m;

		if (fd[i] < 0)
			continue;
		/* /dev is our fresh tmpfs: nothing of the unit's is there yet */
		t = openat(devfd, names[i], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			   0666);
		if (t < 0)
			return step_failed(f, "create", paths[i], errno);
		close(t);
		t = openat(devfd, names[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (t < 0)
			return step_failed(f, "open", paths[i], errno);
		m = rootfs_bind_fd(fd[i], false, SBX_MOUNT_ATTR_NOSUID | SBX_MOUNT_ATTR_NODEV |
				   SBX_MOUNT_ATTR_NOEXEC, t, "bind-mount the socket onto", paths[i], f);
		close(t);
		if (m < 0)
			return -1;
		close(m);
	}
	return 0;
}
