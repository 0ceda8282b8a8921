#include "dev.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mountapi.h"
#include "mounts.h"
#include "resolve.h"

static const struct {
	const char *name, *host;
	unsigned major, minor;
} devs[DEV_COUNT] = {
	[DEV_NULL] = { "null", "/dev/null", 1, 3 },
	[DEV_ZERO] = { "zero", "/dev/zero", 1, 5 },
	[DEV_FULL] = { "full", "/dev/full", 1, 7 },
	[DEV_RANDOM] = { "random", "/dev/random", 1, 8 },
	[DEV_URANDOM] = { "urandom", "/dev/urandom", 1, 9 },
	[DEV_TTY] = { "tty", "/dev/tty", 5, 0 },
};

int rootfs_host_dev(enum rootfs_dev d, struct step_fail *f)
{
	struct stat st;
	int fd = open(devs[d].host, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return step_failed(f, "open", devs[d].host, errno);
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != devs[d].major || minor(st.st_rdev) != devs[d].minor) {
		close(fd);
		return step_failed(f, "check the host's device", devs[d].host, ENODEV);
	}
	return fd;
}

/* Bind the checked host node (host, opened before our /dev covered the
 * host's) onto an empty file `name` in our fresh /dev. */
static int bind_dev(int devfd, enum rootfs_dev d, int host, struct step_fail *f)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
	};
	int t, m, fd;

	fd = openat(devfd, devs[d].name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return step_failed(f, "create", devs[d].host, errno);
	close(fd);
	t = sys_openat2(devfd, devs[d].name, &how);
	if (t < 0)
		return step_failed(f, "open", devs[d].host, errno);
	/* Read-only: the device still reads and writes, but its inode (mode,
	 * owner, times) is the host's and must not be changeable from inside.
	 * Devices allowed on this one mount, whatever the host's tree now
	 * says (the sandbox makes the system's root nodev). */
	struct sbx_mount_attr a = {
		.attr_set = SBX_MOUNT_ATTR_RDONLY | SBX_MOUNT_ATTR_NOSUID | SBX_MOUNT_ATTR_NOEXEC,
		.attr_clr = SBX_MOUNT_ATTR_NODEV,
	};
	int err;

	m = sys_open_tree(host, "", SBX_OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH);
	if (m < 0) {
		err = errno;
		goto fail;
	}
	if (sys_mount_setattr(m, "", AT_EMPTY_PATH, &a) < 0 ||
	    sys_move_mount(m, "", t, "", SBX_MOVE_MOUNT_F_EMPTY_PATH |
			   SBX_MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		err = errno;
		close(m);
		goto fail;
	}
	close(t);
	return m;
fail:
	close(t);
	return step_failed(f, "bind-mount onto", devs[d].host, err);
}

static int fs_in_dev(int devfd, const char *name, const char *path, const char *fstype,
		     const struct rootfs_kv *opts, size_t n, unsigned attrs, struct step_fail *f)
{
	int t, m;

	if (mkdirat(devfd, name, 0755) < 0)
		return step_failed(f, "create", path, errno);
	t = openat(devfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (t < 0)
		return step_failed(f, "open", path, errno);
	m = rootfs_mount_fs(fstype, opts, n, attrs, t, "mount", path, f);
	close(t);
	if (m < 0)
		return -1;
	close(m);
	return 0;
}

int rootfs_dev_setup(int rootfd, unsigned ns, int *nullfd, int *devmnt, struct step_fail *f)
{
	static const struct rootfs_kv dev_opts[] = { { "mode", "755" }, { "size", "4m" } };
	static const struct rootfs_kv pts_opts[] = { { "ptmxmode", "0666" }, { "mode", "0620" } };
	/* the same size as the system's /dev/shm (init/boot.c) */
	static const struct rootfs_kv shm_opts[] = { { "mode", "1777" }, { "size", CONFIG_SHM_SIZE } };
	static const struct {
		const char *target, *name;
	} links[] = {
		{ "pts/ptmx", "ptmx" },
		{ "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" },
	};
	const unsigned safe = SBX_MOUNT_ATTR_NOSUID | SBX_MOUNT_ATTR_NODEV | SBX_MOUNT_ATTR_NOEXEC;
	int t, devfd = -1, r = -1, host[DEV_COUNT];

	/* The host's nodes first (without a RootDirectory= our /dev covers
	 * the host's own /dev, where they are found): /dev/null, the source
	 * of every file mask, and in a user namespace, where mknod is refused,
	 * every node. */
	bool userns = ns & NS_BIT(NS_USER);

	for (int d = 0; d < DEV_COUNT; d++)
		host[d] = -1;
	for (int d = 0; d < (userns ? DEV_COUNT : DEV_NULL + 1); d++)
		if ((host[d] = rootfs_host_dev((enum rootfs_dev)d, f)) < 0)
			goto out;
	t = rootfs_mkpath(rootfd, "/dev", ROOTFS_DIR, f);
	if (t < 0)
		goto out;
	/* Not nodev: the nodes we mknod below must work. It is made read-only
	 * once filled (rootfs_setup, after the unit's own device binds), so a
	 * unit given CAP_MKNOD cannot add the console, a disk or /dev/kmsg. */
	devfd = rootfs_mount_fs("tmpfs", dev_opts, 2, SBX_MOUNT_ATTR_NOSUID, t, "mount tmpfs on",
				"/dev", f);
	close(t);
	if (devfd < 0)
		goto out;

	*nullfd = bind_dev(devfd, DEV_NULL, host[DEV_NULL], f);
	if (*nullfd < 0)
		goto out;
	for (int d = DEV_NULL + 1; d < DEV_COUNT; d++) {
		/* mknod is one syscall; in a user namespace the checked host
		 * node is bound instead */
		if (!userns) {
			if (mknodat(devfd, devs[d].name, S_IFCHR | 0666,
				    makedev(devs[d].major, devs[d].minor)) == 0)
				continue;
			step_failed(f, "mknod", devs[d].host, errno);
			goto out;
		}
		t = bind_dev(devfd, (enum rootfs_dev)d, host[d], f);
		if (t < 0)
			goto out;
		close(t);
	}
	if (fs_in_dev(devfd, "pts", "/dev/pts", "devpts", pts_opts, 2,
		      SBX_MOUNT_ATTR_NOSUID | SBX_MOUNT_ATTR_NOEXEC, f) < 0 ||
	    fs_in_dev(devfd, "shm", "/dev/shm", "tmpfs", shm_opts, 2, safe, f) < 0)
		goto out;
	/* An mqueue instance shows its IPC namespace's queues: without a
	 * namespace of its own the sandbox gets no view of the host's (and
	 * in a user namespace the kernel would refuse it anyway). */
	if ((ns & NS_BIT(NS_IPC)) && fs_in_dev(devfd, "mqueue", "/dev/mqueue", "mqueue", NULL, 0, safe, f) < 0)
		goto out;
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlinkat(links[i].target, devfd, links[i].name) < 0) {
			step_failed(f, "symlink", links[i].name, errno);
			goto out;
		}
	r = 0;
	*devmnt = devfd;   /* kept: /dev is checked after pivot_root */
	devfd = -1;
out:
	for (int d = 0; d < DEV_COUNT; d++)
		if (host[d] >= 0)
			close(host[d]);
	if (devfd >= 0)
		close(devfd);
	return r;
}
