/* The init's binary made unwritable through /proc/PID/exe (see seal.h).
 *
 * Why a re-exec: /proc/PID/exe is the file the process executed, on the
 * mount it was executed from. A read-only bind mount made over the binary
 * afterwards does not change what an existing /proc/1/exe opens; only a
 * process executed from the read-only mount is covered. runc seals its
 * binary per start (a memfd copy, an overlayfs); PID 1 does it once at
 * boot, for itself and every process it forks (launch children, the
 * sandboxes' reapers). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"

/* The kernel's values (<linux/mount.h> clashes with <sys/mount.h>); raw
 * syscalls, as musl has no wrappers. Same numbers on every architecture. */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#define SEAL_OPEN_TREE_CLONE 1u
#define SEAL_ATTR_RDONLY 0x01u
#define SEAL_ATTR_NOSUID 0x02u
#define SEAL_ATTR_NODEV 0x04u

struct seal_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

extern char **environ;

int seal_exec(int exe_fd, char *const argv[], char *const envp[], struct err *e)
{
	struct seal_mount_attr attr = {
		.attr_set = SEAL_ATTR_RDONLY | SEAL_ATTR_NOSUID | SEAL_ATTR_NODEV,
	};
	int tree;

	/* a bind mount of the one file, attached nowhere */
	tree = (int)syscall(SYS_open_tree, exe_fd, "", SEAL_OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return err_set(e, errno, "seal the binary: open_tree");
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
		err_set(e, errno, "seal the binary: mount_setattr read-only");
		close(tree);
		return -1;
	}
	syscall(SYS_execveat, tree, "", argv, envp, AT_EMPTY_PATH);
	err_set(e, errno, "seal the binary: execveat from the read-only mount");
	close(tree);
	return -1;
}

int seal_binary(char *const argv[], struct err *e)
{
#if CONFIG_SEAL_BINARY
	struct statvfs sv;
	char **envp;
	size_t n = 0;
	int fd, rc;

	if (getenv(SEAL_DONE_ENV)) {
		unsetenv(SEAL_DONE_ENV);
		return 0;
	}
	fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "seal the binary: open /proc/self/exe");
	if (fstatvfs(fd, &sv) < 0) {
		err_set(e, errno, "seal the binary: statvfs /proc/self/exe");
		close(fd);
		return -1;
	}
	if (sv.f_flag & ST_RDONLY) {
		close(fd);   /* read-only already (a read-only root, a squashfs) */
		return 0;
	}
	while (environ && environ[n])
		n++;
	envp = calloc(n + 2, sizeof *envp);
	if (!envp) {
		close(fd);
		return err_set(e, ENOMEM, "seal the binary");
	}
	if (n)
		memcpy(envp, environ, n * sizeof *envp);
	envp[n] = SEAL_DONE_ENV "=1";
	rc = seal_exec(fd, argv, envp, e);
	free(envp);
	close(fd);
	return rc;
#else
	(void)argv;
	(void)e;
	return 0;
#endif
}
