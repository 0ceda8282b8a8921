#include "boot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "seal.h"
#include "../lib/clock.h"
#include "../lib/procfs.h"
#include "../lib/scan.h"
#include "../lib/wfile.h"

extern char **environ;

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}


/* ---- kernel command line ---------------------------------------------------- */

static bool word_bool(const char *v)
{
	return !(strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
		 strcmp(v, "off") == 0);
}

void boot_cmdline(struct boot_opts *o)
{
	static const char units[] = "sandboxd.units=", debug[] = "sandboxd.debug";
	char buf[4096], word[sizeof buf];
	const char *p = buf;

	if (!o->units_dir[0])
		snprintf(o->units_dir, sizeof o->units_dir, "%s", CONFIG_UNIT_DIR);
	if (procfs_read(AT_FDCWD, "/proc/cmdline", buf, sizeof buf) < 0)
		return;
	while (*p) {
		size_t n = 0;
		bool quoted = false;

		while (is_space(*p))
			p++;
		if (!*p)
			break;
		/* the kernel's quoting: double quotes group words and are dropped */
		for (; *p && (quoted || !is_space(*p)); p++) {
			if (*p == '"')
				quoted = !quoted;
			else
				word[n++] = *p;
		}
		word[n] = '\0';
		if (strcmp(word, "--") == 0)
			break;   /* the rest is init's argv */
		if (strncmp(word, units, sizeof units - 1) == 0) {
			const char *v = word + sizeof units - 1;

			if (*v && strlen(v) < sizeof o->units_dir)
				memcpy(o->units_dir, v, strlen(v) + 1);
		} else if (strcmp(word, debug) == 0) {
			o->debug = true;
		} else if (strncmp(word, debug, sizeof debug - 1) == 0 &&
			   word[sizeof debug - 1] == '=') {
			o->debug = word_bool(word + sizeof debug);
		}
	}
}

/* ---- API file systems ---------------------------------------------------------- */

struct api_mount {
	const char *source, *target, *type;
	unsigned long flags;
	const char *data;
	mode_t mode;            /* of the mount point when we create it */
};

static const struct api_mount api_mounts[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555 },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555 },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", 0755 },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	  "gid=5,mode=0620,ptmxmode=0666", 0755 },
	/* sized: tmpfs pages are in no process's RSS, and the kernel's default
	 * (half of RAM each) lets one writer take what every unit needs */
	{ "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=" CONFIG_SHM_SIZE, 01777 },
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=" CONFIG_RUN_SIZE, 0755 },
	/* nsdelegate: a cgroup namespace is a delegation boundary, so a unit
	 * that sees a cgroup2 mount cannot move itself out of its own group */
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, "nsdelegate",
	  0755 },
};

/* A mount point is on another device than its parent folder. (A bind
 * mount of the same file system is not seen; none is made this early.) */
static int is_mount_point(const char *path)
{
	char parent[256];
	struct stat a, b;
	const char *slash = strrchr(path, '/');

	if (stat(path, &a) < 0)
		return -1;
	if (!slash || slash == path)
		snprintf(parent, sizeof parent, "/");
	else
		snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
	if (stat(parent, &b) < 0)
		return -1;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

/* Add one failure to e: the first is kept as an errno record, later ones
 * are appended to the message with their strerror. */
static void add_failure(struct err *e, int *n, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_failure(struct err *e, int *n, int errnum, const char *fmt, ...)
{
	char what[256];
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if ((*n)++ == 0) {
		err_set(e, errnum, "%s", what);
		return;
	}
	len = strlen(e->msg);
	if (e->errnum) {
		snprintf(e->msg + len, sizeof e->msg - len, ": %s", strerror(e->errnum));
		len = strlen(e->msg);
		e->errnum = 0;
	}
	snprintf(e->msg + len, sizeof e->msg - len, "; %s: %s", what, strerror(errnum));
}

int boot_mounts(struct err *e)
{
	/* what udev would add: shells and scripts use these */
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
	};
	int failed = 0;
	bool new_dev = false;

	for (size_t i = 0; i < sizeof api_mounts / sizeof api_mounts[0]; i++) {
		const struct api_mount *m = &api_mounts[i];
		int mp = is_mount_point(m->target);

		if (mp == 1) {
			/* made by an earlier stage: still a delegation boundary */
			if (m->data && strcmp(m->data, "nsdelegate") == 0)
				mount(NULL, m->target, NULL, MS_REMOUNT, m->data);
			continue;
		}
		if (mp < 0 && errno == ENOENT && mkdir(m->target, m->mode) < 0 && errno != EEXIST) {
			add_failure(e, &failed, errno, "mkdir %s", m->target);
			continue;
		}
		if (mount(m->source, m->target, m->type, m->flags, m->data) < 0 &&
		    /* a kernel before 4.13 has no nsdelegate */
		    (errno != EINVAL || !m->data || strcmp(m->data, "nsdelegate") != 0 ||
		     mount(m->source, m->target, m->type, m->flags, NULL) < 0)) {
			add_failure(e, &failed, errno, "mount %s on %s", m->type, m->target);
			continue;
		}
		new_dev |= strcmp(m->target, "/dev") == 0;
	}
	/* On a /dev we did not mount (the kernel's devtmpfs automount, a
	 * static /dev) the links are best effort. */
	for (size_t j = 0; j < sizeof links / sizeof links[0]; j++)
		if (symlink(links[j][0], links[j][1]) < 0 && errno != EEXIST && new_dev)
			add_failure(e, &failed, errno, "symlink %s", links[j][1]);
	return failed ? -1 : 0;
}

/* ---- leaving the initramfs ----------------------------------------------------------- */

#define COPY_MAX_DEPTH 48
#define MAX_TOP_MOUNTS 32

/* A file of the initramfs with more than one name, by its first name in
 * the copy: the later names become hard links to it again. */
struct copy_link {
	ino_t ino;
	char *path;              /* relative to the new root */
};

struct copy_stats {
	dev_t dev;               /* the initramfs: nothing on another device is copied */
	unsigned long files;
	uint64_t bytes;
	int newroot;
	char path[4096];         /* of the folder being copied, relative to the new root */
	size_t path_len;
	struct copy_link *links; /* malloc'd; none when out of memory (then copies) */
	size_t n_links, cap_links;
};

static char copy_buf[64 * 1024];


struct top_mounts {
	bool root_is_rootfs;
	char paths[MAX_TOP_MOUNTS][128];   /* mounted right on "/" */
	size_t n;
};

/* The next line of a mountinfo text as id, parent, mount point and type;
 * returns false at the end. */
static bool next_mount(const char **pos, long *id, long *parent, char mp[256], char type[64])
{
	while (**pos) {
		char line[1024];
		const char *nl = strchr(*pos, '\n');
		size_t len = nl ? (size_t)(nl - *pos) : strlen(*pos);
		struct scan_mount m;

		snprintf(line, sizeof line, "%.*s", (int)len, *pos);
		*pos += len + (nl ? 1 : 0);
		if (scan_mountinfo_line(line, &m)) {
			*id = m.id;
			*parent = m.parent;
			memcpy(mp, m.mp, sizeof m.mp);
			memcpy(type, m.type, sizeof m.type);
			return true;
		}
	}
	return false;
}

/* From mountinfo: is "/" the initramfs, and which mounts sit on it. */
static int scan_mounts(struct top_mounts *t, struct err *e)
{
	static char buf[32 * 1024];
	char mp[256], type[64];
	long id, parent, root_id = -1;
	const char *pos;

	memset(t, 0, sizeof *t);
	if (procfs_read(AT_FDCWD, "/proc/self/mountinfo", buf, sizeof buf) < 0)
		return err_set(e, errno, "read /proc/self/mountinfo");
	/* the mount of "/": the last one listed is the one we see */
	for (pos = buf; next_mount(&pos, &id, &parent, mp, type);) {
		if (strcmp(mp, "/") == 0) {
			root_id = id;
			t->root_is_rootfs = strcmp(type, "rootfs") == 0;
		}
	}
	if (root_id < 0)
		return err_set(e, 0, "no \"/\" in /proc/self/mountinfo");
	for (pos = buf; next_mount(&pos, &id, &parent, mp, type);) {
		if (parent != root_id || id == root_id || strcmp(mp, "/") == 0 ||
		    strcmp(mp, BOOT_NEW_ROOT) == 0)
			continue;
		if (t->n == MAX_TOP_MOUNTS || strlen(mp) >= sizeof t->paths[0])
			return err_set(e, 0, "too many or too long mount points on \"/\" (%s)", mp);
		memcpy(t->paths[t->n++], mp, strlen(mp) + 1);
	}
	return 0;
}

/* A new open file of the folder for readdir: a dup() would share (and
 * move) the position of fd, and "/" is read twice (copy, then delete). */
static int reopen_dir(int fd)
{
	return openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int copy_file(int sfd, int dfd, const char *name, const struct stat *st,
		     struct copy_stats *cs, struct err *e)
{
	int in = openat(sfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int out = -1, rc = -1;

	if (in < 0)
		return err_set(e, errno, "open %s", name);
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0) {
		err_set(e, errno, "create %s", name);
		goto done;
	}
	for (;;) {
		ssize_t n = read(in, copy_buf, sizeof copy_buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(e, errno, "read %s", name);
			goto done;
		}
		if (n == 0)
			break;
		if (wfile_write_all(out, copy_buf, (size_t)n) < 0) {
			err_set(e, errno, "write %s", name);
			goto done;
		}
		cs->bytes += (uint64_t)n;
	}
	/* chown before chmod: chown clears the set-id bits */
	if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0) {
		err_set(e, errno, "set owner and mode of %s", name);
		goto done;
	}
	const struct timespec times[2] = { st->st_atim, st->st_mtim };

	futimens(out, times);
	rc = 0;
done:
	close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* A later name of a file already copied (the archive keeps hard links:
 * tests/qemu/newc.py): link it to the first copy. 1 linked, 0 not one we
 * know (copy it, then note_link()), -1 failed. */
static int link_again(struct copy_stats *cs, int dfd, const char *name, const struct stat *st,
		      struct err *e)
{
	if (st->st_nlink < 2)
		return 0;
	for (size_t i = 0; i < cs->n_links; i++)
		if (cs->links[i].ino == st->st_ino) {
			if (linkat(cs->newroot, cs->links[i].path, dfd, name, 0) < 0)
				return err_set(e, errno, "link %s", name);
			return 1;
		}
	return 0;
}

/* The first name of a file with several: best effort (out of memory, the
 * later names are copies, as they were before). */
static void note_link(struct copy_stats *cs, const char *name, const struct stat *st)
{
	size_t n = strlen(name);
	char *path;

	if (st->st_nlink < 2 || cs->path_len + n + 2 > sizeof cs->path)
		return;
	if (cs->n_links == cs->cap_links) {
		size_t cap = cs->cap_links ? cs->cap_links * 2 : 16;
		struct copy_link *l = realloc(cs->links, cap * sizeof *l);

		if (!l)
			return;
		cs->links = l;
		cs->cap_links = cap;
	}
	if (!(path = malloc(cs->path_len + n + 2)))
		return;
	memcpy(path, cs->path, cs->path_len);
	memcpy(path + cs->path_len, name, n + 1);
	cs->links[cs->n_links++] = (struct copy_link){ st->st_ino, path };
}

/* Copy the folder sfd into dfd, entry by entry; a mount point on the way
 * becomes an empty folder (its mount is moved there later). A file with
 * several names (regular, node or FIFO) is copied once and linked again. */
static int copy_tree(int sfd, int dfd, int depth, struct copy_stats *cs, struct err *e)
{
	int dup_fd = reopen_dir(sfd);
	DIR *d;
	const struct dirent *de;
	int rc = 0;

	if (depth > COPY_MAX_DEPTH)
		return err_set(e, 0, "deeper than %d folders", COPY_MAX_DEPTH);
	if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		if (dup_fd >= 0)
			close(dup_fd);
		return err_set(e, errno, "read a folder");
	}
	while (rc == 0 && (de = readdir(d))) {
		const char *name = de->d_name;
		struct stat st;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (depth == 0 && strcmp(name, &BOOT_NEW_ROOT[1]) == 0)
			continue;
		if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = err_set(e, errno, "stat %s", name);
			break;
		}
		cs->files++;
		if (S_ISDIR(st.st_mode)) {
			if (mkdirat(dfd, name, 0700) < 0) {
				rc = err_set(e, errno, "mkdir %s", name);
				break;
			}
			int s2 = -1, d2 = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

			if (d2 >= 0 && st.st_dev == cs->dev)
				s2 = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			size_t n = strlen(name), saved = cs->path_len;

			if (d2 < 0 || (st.st_dev == cs->dev && s2 < 0)) {
				rc = err_set(e, errno, "open folder %s", name);
			} else if (s2 >= 0) {
				/* the folder's path, for the links below it (past
				 * 4096 bytes: none, their files are copied) */
				if (saved + n + 2 <= sizeof cs->path) {
					memcpy(cs->path + saved, name, n);
					cs->path[saved + n] = '/';
					cs->path_len = saved + n + 1;
					cs->path[cs->path_len] = '\0';
				} else {
					cs->path_len = sizeof cs->path;
				}
				rc = copy_tree(s2, d2, depth + 1, cs, e);
				cs->path_len = saved;
				if (saved < sizeof cs->path)
					cs->path[saved] = '\0';
			}
			/* the mode last: a read-only folder still gets its entries */
			if (rc == 0 && (fchown(d2, st.st_uid, st.st_gid) < 0 ||
					fchmod(d2, st.st_mode & 07777) < 0))
				rc = err_set(e, errno, "set owner and mode of %s", name);
			if (rc == 0) {
				const struct timespec times[2] = { st.st_atim, st.st_mtim };

				futimens(d2, times);
			}
			if (s2 >= 0)
				close(s2);
			if (d2 >= 0)
				close(d2);
			if (rc < 0)
				err_wrap(e, "%s/", name);
		} else if (st.st_dev != cs->dev) {
			continue;   /* a file mounted over: not ours to copy */
		} else if (!S_ISLNK(st.st_mode) && (rc = link_again(cs, dfd, name, &st, e)) != 0) {
			rc = rc < 0 ? -1 : 0;
		} else if (S_ISREG(st.st_mode)) {
			rc = copy_file(sfd, dfd, name, &st, cs, e);
			if (rc == 0)
				note_link(cs, name, &st);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlinkat(sfd, name, target, sizeof target - 1);

			if (n < 0) {
				rc = err_set(e, errno, "readlink %s", name);
				break;
			}
			target[n] = '\0';
			if (symlinkat(target, dfd, name) < 0 ||
			    fchownat(dfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
				rc = err_set(e, errno, "symlink %s", name);
		} else {
			/* device nodes, fifos, sockets */
			if (mknodat(dfd, name, st.st_mode, st.st_rdev) < 0 ||
			    fchownat(dfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
			    fchmodat(dfd, name, st.st_mode & 07777, 0) < 0)
				rc = err_set(e, errno, "mknod %s", name);
			else
				note_link(cs, name, &st);
		}
	}
	closedir(d);
	return rc;
}

/* Delete what the tree holds on device dev, as switch_root does: never into
 * another file system. Best effort: what cannot go stays. */
static void remove_tree(int fd, dev_t dev, int depth)
{
	int dup_fd;
	DIR *d;
	const struct dirent *de;

	if (depth > COPY_MAX_DEPTH || (dup_fd = reopen_dir(fd)) < 0)
		return;
	if (!(d = fdopendir(dup_fd))) {
		close(dup_fd);
		return;
	}
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		struct stat st;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

			if (sub >= 0) {
				remove_tree(sub, dev, depth + 1);
				close(sub);
			}
			unlinkat(fd, name, AT_REMOVEDIR);
		} else {
			unlinkat(fd, name, 0);
		}
	}
	closedir(d);
}

/* Our argv from /proc/self/cmdline (NUL-separated) into argv[]. */
static int own_argv(char *buf, size_t size, char **argv, size_t max, struct err *e)
{
	ssize_t len = procfs_read(AT_FDCWD, "/proc/self/cmdline", buf, size);
	size_t n = 0;

	if (len <= 0)
		return err_set(e, len < 0 ? errno : 0, "read /proc/self/cmdline");
	for (ssize_t i = 0; i < len && n < max - 1; i += (ssize_t)strlen(buf + i) + 1)
		argv[n++] = buf + i;
	argv[n] = NULL;
	return 0;
}

/* The tmpfs root holds what the initramfs held plus CONFIG_ROOT_SPARE_MB:
 * its default size (half of RAM) would let one writer take the memory of
 * every unit, for good, as tmpfs pages belong to no process. Best effort:
 * unsized, it still works. */
static void size_root(int rootfd)
{
	struct statfs sf;
	char opt[64];
	uint64_t used;

	if (fstatfs(rootfd, &sf) < 0)
		return;
	used = (uint64_t)(sf.f_blocks - sf.f_bfree) * (uint64_t)sf.f_bsize;
	snprintf(opt, sizeof opt, "size=%llu",
		 (unsigned long long)(used + (uint64_t)CONFIG_ROOT_SPARE_MB * 1024 * 1024));
	/* only size= changes on a tmpfs remount; the rest stays as mounted */
	if (mount(NULL, BOOT_NEW_ROOT, NULL, MS_REMOUNT, opt) < 0)
		dprintf(STDERR_FILENO, "sandboxd: sizing the tmpfs root (%s): %s\n", opt,
			strerror(errno));
}

int boot_leave_initramfs(struct err *e)
{
	static struct top_mounts top;
	static char argbuf[4096];
	char *argv[64];
	char exe[256];
	struct copy_stats cs = { 0 };
	struct stat st;
	int64_t t0 = clock_mono_ms();
	int oldroot = -1, newroot = -1;

	if (getenv(BOOT_SWITCHED_ENV)) {
		unsetenv(BOOT_SWITCHED_ENV);
		return 0;
	}
	if (scan_mounts(&top, e) < 0)
		return -1;
	if (!top.root_is_rootfs)
		return 0;

	/* What to re-execute: our own binary, by the path it has in the copy. */
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0 || exe[0] != '/') {
		snprintf(exe, sizeof exe, "/sbin/init");
	} else {
		exe[n] = '\0';
		if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0)
			exe[n - 10] = '\0';
	}
	if (own_argv(argbuf, sizeof argbuf, argv, sizeof argv / sizeof argv[0], e) < 0)
		return -1;

	oldroot = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0 || fstat(oldroot, &st) < 0)
		return err_set(e, errno, "open /");
	cs.dev = st.st_dev;
	if (mkdir(BOOT_NEW_ROOT, 0755) < 0 && errno != EEXIST) {
		err_set(e, errno, "mkdir %s", BOOT_NEW_ROOT);
		goto fail_close;
	}
	if (mount("tmpfs", BOOT_NEW_ROOT, "tmpfs", 0, "mode=0755") < 0) {
		err_set(e, errno, "mount tmpfs on %s", BOOT_NEW_ROOT);
		goto fail_close;
	}
	newroot = open(BOOT_NEW_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (newroot < 0) {
		err_set(e, errno, "open %s", BOOT_NEW_ROOT);
		goto fail_umount;
	}
	/* Copy first and delete later: a failed copy leaves "/" as it was. */
	cs.newroot = newroot;
	int copied = copy_tree(oldroot, newroot, 0, &cs, e);

	for (size_t i = 0; i < cs.n_links; i++)
		free(cs.links[i].path);
	free(cs.links);
	if (copied < 0) {
		err_wrap(e, "copy the initramfs to a tmpfs: /");
		goto fail_umount;
	}
	size_root(newroot);

	/* /proc, /sys, /dev, /run ... follow to the new root. */
	for (size_t i = 0; i < top.n; i++) {
		char to[sizeof BOOT_NEW_ROOT + sizeof top.paths[0]];

		snprintf(to, sizeof to, "%s%s", BOOT_NEW_ROOT, top.paths[i]);
		if (mount(top.paths[i], to, NULL, MS_MOVE, NULL) < 0) {
			/* the re-executed init mounts it again */
			umount2(top.paths[i], MNT_DETACH);
		}
	}
	if (fchdir(newroot) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0) {
		err_set(e, errno, "move %s to /", BOOT_NEW_ROOT);
		goto fail_close;   /* mounts moved: nothing sane to undo */
	}
	if (chroot(".") < 0 || chdir("/") < 0) {
		err_set(e, errno, "chroot into the new root");
		goto fail_close;
	}
	/* The old tree is out of sight now; free its memory through the fd. */
	remove_tree(oldroot, cs.dev, 0);
	close(oldroot);
	close(newroot);
	dprintf(STDERR_FILENO,
		"sandboxd: moved the initramfs to a tmpfs root (%lu files, %llu KiB) in %lld ms\n",
		cs.files, (unsigned long long)(cs.bytes / 1024), (long long)(clock_mono_ms() - t0));

	size_t ne = 0;

	while (environ && environ[ne])
		ne++;
	char **envp = calloc(ne + 3, sizeof *envp);

	if (!envp)
		return err_set(e, ENOMEM, "re-exec %s on the new root", exe);
	memcpy(envp, environ, ne * sizeof *envp);
	envp[ne] = BOOT_SWITCHED_ENV "=1";
	/* The re-exec is also the one that makes our binary read-only for
	 * good (seal.h): one exec at boot, not two. */
	if (CONFIG_SEAL_BINARY) {
		struct err se;
		int xfd = open(exe, O_PATH | O_CLOEXEC);

		envp[ne + 1] = SEAL_DONE_ENV "=1";
		if (xfd >= 0) {
			seal_exec(xfd, argv, envp, &se);
			close(xfd);
		}
		envp[ne + 1] = NULL;   /* unsealed: seal_binary() tries again */
	}
	execve(exe, argv, envp);
	if (strcmp(exe, "/sbin/init") != 0)
		execve("/sbin/init", argv, envp);
	err_set(e, errno, "re-exec %s on the new root (running on from the old image)", exe);
	free(envp);
	return -1;

fail_umount:
	if (newroot >= 0)
		close(newroot);
	newroot = -1;
	umount2(BOOT_NEW_ROOT, MNT_DETACH);
	rmdir(BOOT_NEW_ROOT);
fail_close:
	if (newroot >= 0)
		close(newroot);
	close(oldroot);
	return -1;
}

/* ---- the kernel's word on the initramfs ----------------------------------------------------- */

/* The kernel unpacks the initramfs before it starts init; when the archive
 * is cut short (a truncated image, a full disk where it was built) it says
 * so only in its own log and goes on with what it got, so that every unit
 * whose files were lost fails with a bare "No such file or directory".
 * /dev/kmsg gives the log record by record from the oldest: read once,
 * non-blocking, one record buffer; it is the kernel's device (boot_mounts()
 * put devtmpfs there) and no unit runs yet. */
bool boot_initramfs_failed(char *why, size_t len)
{
	/* init/initramfs.c; the second when the kernel has a ramdisk driver */
	static const char *const says[] = { "Initramfs unpacking failed",
					    "rootfs image is not initramfs" };
	char rec[2048];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	bool found = false;

	if (fd < 0)
		return false;
	/* bounded: the log holds at most a few thousand boot records */
	for (unsigned i = 0; i < 65536 && !found; i++) {
		ssize_t n = read(fd, rec, sizeof rec - 1);
		char *msg, *eol;

		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue;   /* EPIPE: older records were overwritten; go on */
		if (n < 0 && errno == EINVAL)
			continue;   /* a record longer than rec: not ours */
		if (n <= 0)
			break;      /* EAGAIN: the end of the log */
		rec[n] = '\0';
		/* "PRIO,SEQ,USEC,FLAGS;text\n" then " KEY=VALUE" lines */
		if (!(msg = strchr(rec, ';')))
			continue;
		msg++;
		if ((eol = strchr(msg, '\n')))
			*eol = '\0';
		for (size_t k = 0; k < sizeof says / sizeof *says && !found; k++)
			if (strstr(msg, says[k])) {
				snprintf(why, len, "%s", msg);
				found = true;
			}
	}
	close(fd);
	return found;
}

/* ---- console, hostname, run folder ---------------------------------------------------------- */

int boot_console(struct err *e)
{
	int fd = open("/dev/console", O_RDWR | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return err_set(e, errno, "open /dev/console");
	if (fd <= STDERR_FILENO) {
		/* keep a close-on-exec copy above the stdio fds */
		int hi = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);

		if (hi < 0) {
			err_set(e, errno, "dup /dev/console");
			close(fd);
			return -1;
		}
		close(fd);
		fd = hi;
	}
	for (int i = 0; i <= STDERR_FILENO; i++) {
		if (dup2(fd, i) < 0) {
			err_set(e, errno, "dup /dev/console to fd %d", i);
			close(fd);
			return -1;
		}
	}
	return fd;
}

int boot_hostname(struct err *e)
{
	char buf[256];
	char *p, *end;

	if (procfs_read(AT_FDCWD, "/etc/hostname", buf, sizeof buf) < 0)
		return 0;   /* no /etc/hostname: the kernel's name stays */
	for (p = buf; is_space(*p); p++)
		;
	for (end = p; *end && !is_space(*end); end++)
		;
	if (end == p)
		return 0;
	if (end - p > 64)
		return err_set(e, ENAMETOOLONG, "set the hostname from /etc/hostname");
	if (sethostname(p, (size_t)(end - p)) < 0)
		return err_set(e, errno, "set the hostname from /etc/hostname");
	return 0;
}

int boot_run_dir(const char *dir, struct err *e)
{
	char path[256];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof path)
		return err_set(e, ENAMETOOLONG, "mkdir %s", dir);
	memcpy(path, dir, len + 1);
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return err_set(e, errno, "mkdir %s", path);
		*p = c;
		if (!c)
			break;
	}
	struct stat st;

	if (stat(dir, &st) < 0)
		return err_set(e, errno, "stat %s", dir);
	if (!S_ISDIR(st.st_mode))
		return err_set(e, ENOTDIR, "mkdir %s", dir);
	return 0;
}
