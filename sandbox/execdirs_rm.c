/* RuntimeDirectory= removal in a short-lived child of PID 1 (see
 * execdirs.h): the tree is the unit's, so PID 1 never walks it. Every
 * step is relative to an fd; nothing is followed: a symlink, a FIFO or a
 * device the unit left is unlinked, never opened; a folder is opened
 * O_NOFOLLOW | O_DIRECTORY and only when it is on the same file system
 * (no walking into a mount). */
#include "execdirs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../config/execdir.h"
#include "../rootfs/mountapi.h"

struct sbx_dirent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static const char *unit_name;

static void say(const char *what, const char *name, int err)
{
	char line[600];
	int n = snprintf(line, sizeof line, "sandboxd: %s: remove the runtime directory: %s %s: %s\n",
			 unit_name, what, name, strerror(err));

	if (n > 0)
		(void)!write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* Empty the folder fd (on device dev) and every folder in it, depth
 * levels at most. 0, or -1 (said). */
static int empty_dir(int fd, dev_t dev, int depth, const char *top)
{
	/* per level; 64 levels of 1 KiB fit the child's stack */
	_Alignas(8) char buf[1024];   /* read as struct linux_dirent64 */
	int rc = 0;
	long n;

	for (int pass = 0; pass < 2; pass++) {
		bool removed = false;

		if (lseek(fd, 0, SEEK_SET) < 0)
			return say("rewind", top, errno), -1;
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
			for (long off = 0; off < n;) {
				struct sbx_dirent64 *d = (struct sbx_dirent64 *)(buf + off);
				const char *name = d->name;

				off += d->reclen;
				if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
					continue;
				if (unlinkat(fd, name, 0) == 0) {
					removed = true;
					continue;
				}
				if (errno != EISDIR && errno != EPERM) {
					if (errno != ENOENT)
						rc = -1, say("unlink in", top, errno);
					continue;
				}
				int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						 O_NONBLOCK | O_CLOEXEC);
				struct stat st;

				if (sub < 0) {
					rc = -1, say("open a folder in", top, errno);
					continue;
				}
				if (fstat(sub, &st) < 0 || st.st_dev != dev) {
					/* a mount (the host's, not the unit's doing): left */
					close(sub);
					rc = -1, say("a mount point in", top, EXDEV);
					continue;
				}
				if (depth <= 0) {
					close(sub);
					rc = -1, say("too deep, in", top, ELOOP);
					continue;
				}
				if (empty_dir(sub, dev, depth - 1, top) < 0)
					rc = -1;
				close(sub);
				if (unlinkat(fd, name, AT_REMOVEDIR) == 0)
					removed = true;
				else if (errno != ENOENT)
					rc = -1, say("remove a folder in", top, errno);
			}
		}
		if (n < 0)
			return say("read", top, errno), -1;
		/* a second pass only for what was added meanwhile */
		if (!removed)
			break;
	}
	return rc;
}

/* /run/NAME: its parent reached without a symlink, then the folder
 * emptied and removed. */
static int remove_one(const char *name)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	char path[PATH_MAX];
	const char *leaf = strrchr(name, '/');
	struct stat st;
	int parent, fd, rc;

	if (snprintf(path, sizeof path, "%s/%s", exec_dir_base(EXEC_DIR_RUNTIME), name) >=
	    (int)sizeof path)
		return say("name", name, ENAMETOOLONG), -1;
	leaf = leaf ? leaf + 1 : name;
	path[strlen(path) - strlen(leaf) - 1] = '\0';
	parent = sys_openat2(AT_FDCWD, path, &how);
	if (parent < 0)
		return errno == ENOENT ? 0 : (say("open", path, errno), -1);
	fd = openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		/* gone, or no folder any more (a symlink in its place): unlinked
		 * as the name it is */
		rc = err == ENOENT ? 0 : unlinkat(parent, leaf, 0) == 0 || errno == ENOENT
			? 0 : (say("open", name, err), -1);
		close(parent);
		return rc;
	}
	rc = fstat(fd, &st) < 0 ? (say("stat", name, errno), -1)
			       : empty_dir(fd, st.st_dev, EXECDIRS_RM_DEPTH, name);
	close(fd);
	if (unlinkat(parent, leaf, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = -1, say("remove", name, errno);
	close(parent);
	return rc;
}

int execdirs_remove_begin(const struct spec *s, struct err *e)
{
	const struct strv *names = &s->dirs[EXEC_DIR_RUNTIME].names;
	sigset_t all;
	pid_t pid;
	int pidfd, rc = 0;

	e->errnum = 0;
	e->msg[0] = '\0';
	if (!names->n || s->runtime_preserve == EXEC_PRESERVE_YES)
		return -1;
	pid = fork();
	if (pid < 0)
		return err_set(e, errno, "%s: fork the runtime directory's remover", s->name);
	if (pid == 0) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		/* PID 1's fds (its control socket, epoll, the units' pipes)
		 * are none of its business; stderr stays for the messages */
		syscall(SYS_close_range, 3u, ~0u, 0u);
		unit_name = s->name;
		for (int sig = 1; sig < _NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				sigaction(sig, &dfl, NULL);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		/* the bound: a tree too large to remove in time ends us */
		alarm(EXECDIRS_RM_TIMEOUT_S);
		for (size_t i = 0; i < names->n; i++)
			if (remove_one(names->v[i]) < 0)
				rc = 1;
		_exit(rc);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		/* unwatchable: it goes on by itself and is reaped as any child */
		return err_set(e, errno, "%s: pidfd_open the runtime directory's remover", s->name);
	}
	return pidfd;
}
