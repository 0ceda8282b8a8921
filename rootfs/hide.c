#include "hide.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "mountapi.h"
#include "mounts.h"
#include "resolve.h"

/* The socket's file name when sock sits directly in dir, else NULL. */
static const char *sock_in(const char *sock, const char *dir)
{
	size_t n = strlen(dir);
	const char *name;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!sock || strncmp(sock, dir, n) != 0 || sock[n] != '/')
		return NULL;
	name = sock + n + 1;
	return *name && !strchr(name, '/') && strlen(name) <= NAME_MAX ? name : NULL;
}

/* Bind the socket file (opened before the cover) onto an empty file of the
 * same name in the still writable cover. Read-write: connect() needs it. */
static int expose_sock(int cover, int sockfd, const char *name, const char *path,
		       struct step_fail *f)
{
	int fd, t, m;

	fd = openat(cover, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return step_failed(f, "create", path, errno);
	close(fd);
	t = openat(cover, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (t < 0)
		return step_failed(f, "open", path, errno);
	m = rootfs_bind_fd(sockfd, false, SBX_MOUNT_ATTR_NOSUID | SBX_MOUNT_ATTR_NODEV |
			   SBX_MOUNT_ATTR_NOEXEC, t, "bind-mount the control socket onto", path, f);
	close(t);
	if (m < 0)
		return -1;
	close(m);
	return 0;
}

static int cover(const char *dir, const char *sock, int *sock_out, struct step_fail *f)
{
	static const struct rootfs_kv opts[] = {
		{ "size", "4k" }, { "nr_inodes", "8" }, { "mode", "0755" },
	};
	struct sbx_mount_attr ro = { .attr_set = SBX_MOUNT_ATTR_RDONLY };
	const char *name = sock_in(sock, dir);
	int t, m, sockfd = -1, r = -1;

	/* PID 1's own folders (its configuration, not the unit's): followed
	 * as configured, so the cover lands on the folder itself. */
	t = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t < 0)
		return errno == ENOENT ? 0 : step_failed(f, "open the folder to hide", dir, errno);
	if (name) {
		sockfd = openat(t, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (sockfd < 0 && errno != ENOENT) {
			step_failed(f, "open", sock, errno);
			goto out;
		}
	}
	/* Read-only from the start unless the socket goes in first. */
	m = rootfs_mount_fs("tmpfs", opts, sizeof opts / sizeof opts[0],
			    SBX_MOUNT_ATTR_NOSUID | SBX_MOUNT_ATTR_NODEV | SBX_MOUNT_ATTR_NOEXEC |
			    (sockfd >= 0 ? 0 : SBX_MOUNT_ATTR_RDONLY), t, "hide", dir, f);
	if (m < 0)
		goto out;
	if (sockfd >= 0 && expose_sock(m, sockfd, name, sock, f) < 0) {
		close(m);
		goto out;
	}
	/* Not recursive: the socket's own bind stays read-write. */
	if (sockfd >= 0 && sys_mount_setattr(m, "", AT_EMPTY_PATH, &ro) < 0) {
		step_failed(f, "make read-only", dir, errno);
		close(m);
		goto out;
	}
	close(m);
	r = 0;
	if (sockfd >= 0 && *sock_out < 0) {
		*sock_out = sockfd;
		sockfd = -1;
	}
out:
	if (sockfd >= 0)
		close(sockfd);
	close(t);
	return r;
}

int rootfs_hide(const char *const *hide, const char *sock, int *sockfd, struct step_fail *f)
{
	*sockfd = -1;
	for (size_t i = 0; hide && hide[i]; i++)
		/* "/" (a unit file at the top) would hide the whole system */
		if (hide[i][0] && strcmp(hide[i], "/") != 0 && cover(hide[i], sock, sockfd, f) < 0)
			return -1;
	return 0;
}

int rootfs_expose_sock(int rootfd, const char *sock, int sockfd, struct step_fail *f)
{
	int t, m;

	t = rootfs_open(rootfd, sock, 0, f);
	if (t >= 0) {
		/* the socket itself, through the cover; or something the
		 * unit's own mounts put there, which is its choice */
		close(t);
		return 0;
	}
	if (errno != ENOENT)
		return -1;
	t = rootfs_mkpath(rootfd, sock, ROOTFS_FILE, f);
	if (t < 0)
		return -1;
	m = rootfs_bind_fd(sockfd, false, SBX_MOUNT_ATTR_NOSUID | SBX_MOUNT_ATTR_NODEV |
			   SBX_MOUNT_ATTR_NOEXEC, t, "bind-mount the control socket onto", sock, f);
	close(t);
	if (m < 0)
		return -1;
	close(m);
	return 0;
}
