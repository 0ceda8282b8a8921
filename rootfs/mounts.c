#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev.h"
#include "kernbind.h"
#include "hide.h"
#include "kernfs.h"
#include "mountapi.h"
#include "pivot.h"
#include "unitsock.h"

/* ---- parent side: the plan ---- */

static unsigned ms_to_attrs(unsigned long ms)
{
	unsigned a = 0;

	if (ms & MS_RDONLY)
		a |= SBX_MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= SBX_MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= SBX_MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= SBX_MOUNT_ATTR_NOEXEC;
	if (ms & MS_NOATIME)
		a |= SBX_MOUNT_ATTR_NOATIME;
	if (ms & MS_STRICTATIME)
		a |= SBX_MOUNT_ATTR_STRICTATIME;
	if (ms & MS_NODIRATIME)
		a |= SBX_MOUNT_ATTR_NODIRATIME;
	return a;
}

static const char *norm_dup(struct rootfs_plan *p, const char *path, const char *what,
			    struct err *e)
{
	char buf[PATH_MAX];
	const char *r;

	if (rootfs_normalize(path, buf, sizeof buf) < 0)
		return err_set(e, 0, "%s %s: not an absolute path", what, path), NULL;
	r = arena_strdup(&p->arena, buf);
	if (!r)
		err_set(e, ENOMEM, "%s %s", what, path);
	return r;
}

/* "size=8m,mode=755,noswap" -> {size,8m} {mode,755} {noswap,NULL} */
static int split_opts(struct rootfs_plan *p, struct rootfs_op *op, const char *data,
		      struct err *e)
{
	struct rootfs_kv *kv;
	size_t n = 1, i = 0;
	char *s, *tok, *save = NULL;

	if (!data || !*data)
		return 0;
	for (const char *c = data; *c; c++)
		n += *c == ',';
	s = arena_strdup(&p->arena, data);
	kv = arena_alloc(&p->arena, n * sizeof *kv);
	if (!s || !kv)
		return err_set(e, ENOMEM, "tmpfs options of %s", op->dest);
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (eq)
			*eq++ = '\0';
		kv[i].key = tok;
		kv[i].value = eq;
		i++;
	}
	op->opts = kv;
	op->n_opts = i;
	return 0;
}

static int norm_list(struct rootfs_plan *p, const struct strv *in, const char ***out,
		     size_t *n, const char *what, struct err *e)
{
	*n = 0;
	if (in->n == 0)
		return 0;
	*out = arena_alloc(&p->arena, in->n * sizeof **out);
	if (!*out)
		return err_set(e, ENOMEM, "%s", what);
	for (size_t i = 0; i < in->n; i++) {
		(*out)[i] = norm_dup(p, in->v[i], what, e);
		if (!(*out)[i])
			return -1;
	}
	*n = in->n;
	return 0;
}

/* PID 1 touches no path of the unit here: the root and the bind sources
 * are opened, checked and typed by the launch child (open_host). */
int rootfs_plan_build(const struct spec *s, struct rootfs_plan *p, struct err *e)
{
	memset(p, 0, sizeof *p);
	p->namespaces = s->namespaces;
	p->root_readonly = s->root_readonly;
	if (s->root) {
		p->root = norm_dup(p, s->root, "root", e);
		if (!p->root)
			goto fail;
	}
	if (s->n_mounts) {
		p->ops = arena_alloc(&p->arena, s->n_mounts * sizeof *p->ops);
		if (!p->ops)
			return err_set(e, ENOMEM, "mount plan");
	}
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct mount_spec *m = &s->mounts[i];
		struct rootfs_op *op = &p->ops[i];

		op->dest = norm_dup(p, m->destination, "mount destination", e);
		if (!op->dest)
			goto fail;
		op->attrs = ms_to_attrs(m->flags) | (m->readonly ? SBX_MOUNT_ATTR_RDONLY : 0);
		if (m->kind == MOUNT_BIND) {
			op->kind = ROOTFS_OP_BIND;
			/* normalized ("//proc/" is /proc), so that the mount
			 * table check and the child's open name one path */
			op->source = m->source && m->source[0] == '/'
				? norm_dup(p, m->source, "bind", e) : NULL;
			if (!op->source) {
				if (!m->source || m->source[0] != '/')
					err_set(e, 0, "bind %s: not an absolute path",
						m->source ? m->source : "(none)");
				goto fail;
			}
		} else {
			op->kind = ROOTFS_OP_TMPFS;
			op->dest_kind = ROOTFS_DIR;
			if (split_opts(p, op, m->data, e) < 0)
				goto fail;
		}
		p->n_ops++;
	}
	if (norm_list(p, &s->masked_paths, &p->masked, &p->n_masked, "masked path", e) < 0 ||
	    norm_list(p, &s->readonly_paths, &p->readonly, &p->n_readonly, "read-only path",
		      e) < 0)
		goto fail;
	return 0;
fail:
	rootfs_plan_free(p);
	return -1;
}

void rootfs_plan_free(struct rootfs_plan *p)
{
	arena_free(&p->arena);
	memset(p, 0, sizeof *p);
}

/* ---- child side: mounting ---- */

int rootfs_mount_fs(const char *fstype, const struct rootfs_kv *opts, size_t n_opts,
		    unsigned attrs, int target, const char *step, const char *path,
		    struct step_fail *f)
{
	int fs, mnt;

	fs = sys_fsopen(fstype, SBX_FSOPEN_CLOEXEC);
	if (fs < 0)
		return step_failed(f, step, path, errno);
	for (size_t i = 0; i < n_opts; i++) {
		int r = opts[i].value
			? sys_fsconfig(fs, SBX_FSCONFIG_SET_STRING, opts[i].key, opts[i].value, 0)
			: sys_fsconfig(fs, SBX_FSCONFIG_SET_FLAG, opts[i].key, NULL, 0);

		if (r < 0)
			goto fail;
	}
	if (sys_fsconfig(fs, SBX_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		goto fail;
	mnt = sys_fsmount(fs, SBX_FSMOUNT_CLOEXEC, attrs);
	if (mnt < 0)
		goto fail;
	close(fs);
	if (sys_move_mount(mnt, "", target, "",
			   SBX_MOVE_MOUNT_F_EMPTY_PATH | SBX_MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		int err = errno;

		close(mnt);
		return step_failed(f, step, path, err);
	}
	return mnt;
fail:
	{
		int err = errno;

		close(fs);
		return step_failed(f, step, path, err);
	}
}

int rootfs_bind_fd(int src, bool recursive, unsigned attrs, int target, const char *step,
		   const char *path, struct step_fail *f)
{
	unsigned flags = SBX_OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH;
	int tree, err;

	if (recursive)
		flags |= AT_RECURSIVE;
	tree = sys_open_tree(src, "", flags);
	if (tree < 0)
		return step_failed(f, step, path, errno);
	if (attrs) {
		struct sbx_mount_attr a = { .attr_set = attrs };

		if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
				      &a) < 0)
			goto fail;
	}
	if (sys_move_mount(tree, "", target, "",
			   SBX_MOVE_MOUNT_F_EMPTY_PATH | SBX_MOVE_MOUNT_T_EMPTY_PATH) < 0)
		goto fail;
	return tree;
fail:
	err = errno;
	close(tree);
	return step_failed(f, step, path, err);
}

#define ATTRS_SAFE (SBX_MOUNT_ATTR_NOSUID | SBX_MOUNT_ATTR_NODEV | SBX_MOUNT_ATTR_NOEXEC)

/* A host path the unit names (RootDirectory=, a BindPaths= source),
 * opened in the child, in its own copy of the host's tree (after the
 * covers), with no symlink in any component and no magic link
 * (/proc/PID/root/...): a unit that swaps a component for a symlink gets
 * an error, never the host's "/" or what a cover hides. */
static int open_host(const char *path, int oflags, const char *step, struct step_fail *f)
{
	struct open_how how = {
		.flags = (uint64_t)(O_PATH | O_CLOEXEC | oflags),
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = sys_openat2(AT_FDCWD, path, &how);

	if (fd < 0)
		return step_failed(f, step, path, errno);
	return fd;
}

/* A new procfs on ROOT/proc; its mount fd is kept: masks and the check
 * after pivot_root go through it, never through the name. */
static int mount_proc(int rootfd, struct step_fail *f)
{
	int t = rootfs_mkpath(rootfd, "/proc", ROOTFS_DIR, f), m;

	if (t < 0)
		return -1;
	m = rootfs_mount_fs("proc", NULL, 0, ATTRS_SAFE, t, "mount proc on", "/proc", f);
	close(t);
	return m;
}

/* A read-only cgroup2 over /sys/fs/cgroup (found in our own sysfs mount):
 * with a cgroup namespace its root is the unit's own group, so the service
 * sees its limits and nothing of the host's hierarchy. Mounting an
 * instance writes nothing to it. */
static int mount_cgroup(int sysfd, unsigned ns, struct step_fail *f)
{
	int t, m;

	/* A user namespace may mount cgroup2 only with a cgroup namespace of
	 * its own; without, the bind of the host's /sys keeps its view. */
	if ((ns & NS_BIT(NS_USER)) && !(ns & NS_BIT(NS_CGROUP)))
		return 0;
	t = rootfs_open(sysfd, "/fs/cgroup", O_DIRECTORY, f);
	if (t < 0)
		return errno == ENOENT ? 0 : -1;
	m = rootfs_mount_fs("cgroup2", NULL, 0, ATTRS_SAFE | SBX_MOUNT_ATTR_RDONLY, t,
			    "mount cgroup2 on", "/sys/fs/cgroup", f);
	close(t);
	if (m < 0)
		return f->errnum == ENODEV ? 0 : -1;   /* a kernel without cgroup2 */
	close(m);
	return 0;
}

/* /sys read-only: a new sysfs shows the sandbox's own network devices, so it
 * needs the network namespace; without one, a read-only bind of the host's
 * /sys, without what is mounted below it (debugfs, tracefs, securityfs ...)
 * unless a user namespace forces a recursive one (the kernel refuses to
 * uncover what locked child mounts hide). Then the cgroup2 above. Returns
 * the /sys mount's fd. */
static int setup_sys(int rootfd, unsigned ns, struct step_fail *f)
{
	int t, m;

	t = rootfs_mkpath(rootfd, "/sys", ROOTFS_DIR, f);
	if (t < 0)
		return -1;
	if (ns & NS_BIT(NS_NET)) {
		m = rootfs_mount_fs("sysfs", NULL, 0, ATTRS_SAFE | SBX_MOUNT_ATTR_RDONLY, t,
				    "mount sysfs on", "/sys", f);
	} else {
		int host = open("/sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (host < 0) {
			close(t);
			return step_failed(f, "open", "/sys", errno);
		}
		m = rootfs_bind_fd(host, ns & NS_BIT(NS_USER), ATTRS_SAFE | SBX_MOUNT_ATTR_RDONLY, t,
				   "bind-mount the host's /sys on", "/sys", f);
		close(host);
	}
	close(t);
	if (m < 0)
		return -1;
	if (mount_cgroup(m, ns, f) < 0) {
		close(m);
		return -1;
	}
	return m;
}

static int apply_op(int rootfd, const struct rootfs_op *op, int src, struct step_fail *f)
{
	enum rootfs_kind kind = op->dest_kind;
	unsigned attrs = op->attrs;
	int t, m;

	if (op->kind == ROOTFS_OP_BIND) {
		struct stat st;

		if (fstat(src, &st) < 0)
			return step_failed(f, "bind", op->source, errno);
		kind = S_ISDIR(st.st_mode) ? ROOTFS_DIR : ROOTFS_FILE;
		/* A folder is bound nodev: a unit given CAP_MKNOD must not
		 * make a device node that works (or that the host then finds
		 * in its folder). A device is bound as the file it is. */
		if (kind == ROOTFS_DIR)
			attrs |= SBX_MOUNT_ATTR_NODEV;
	}
	t = rootfs_mkpath(rootfd, op->dest, kind, f);
	if (t < 0)
		return -1;
	if (op->kind == ROOTFS_OP_TMPFS) {
		m = rootfs_mount_fs("tmpfs", op->opts, op->n_opts, op->attrs, t,
				    "mount tmpfs on", op->dest, f);
		close(t);
		if (m < 0)
			return -1;
		close(m);
		return 0;
	}
	/* src is already a detached clone (clone_sources): its flags, then
	 * in place */
	struct sbx_mount_attr a = { .attr_set = attrs };

	m = 0;
	if (attrs && sys_mount_setattr(src, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0)
		m = step_failed(f, "bind-mount onto", op->dest, errno);
	else if (sys_move_mount(src, "", t, "",
				SBX_MOVE_MOUNT_F_EMPTY_PATH | SBX_MOVE_MOUNT_T_EMPTY_PATH) < 0)
		m = step_failed(f, "bind-mount onto", op->dest, errno);
	close(t);
	return m;
}

/* Every bind source, taken from our copy of the host's tree once PID 1's
 * folders are covered and before anything of the sandbox (its read-only
 * root, /dev, /sys, /tmp, /run) changes it: opened without symlinks and
 * cloned at once (a detached copy of the source's mounts, as the host has
 * them), so a source names a host path, never one of the sandbox's own
 * mounts, and a writable bind is not made read-only by the unit's root. */
static int clone_sources(const struct rootfs_plan *p, int *src, struct step_fail *f)
{
	if (p->n_ops > ROOTFS_MAX_OPS)
		return step_failed(f, "plan the mounts", NULL, E2BIG);
	for (size_t i = 0; i < p->n_ops; i++) {
		int fd;

		if (p->ops[i].kind != ROOTFS_OP_BIND)
			continue;
		fd = open_host(p->ops[i].source, 0, "bind", f);
		if (fd < 0)
			return -1;
		/* the parent checked the mount table; this is the file itself */
		if (rootfs_on_kernel_fs(fd)) {
			close(fd);
			return step_failed(f, "bind (a kernel file system)", p->ops[i].source, EPERM);
		}
		src[i] = sys_open_tree(fd, "", SBX_OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH |
				       AT_RECURSIVE);
		close(fd);
		if (src[i] < 0)
			return step_failed(f, "bind", p->ops[i].source, errno);
	}
	return 0;
}

static int set_readonly(int fd, bool recursive, const char *path, struct step_fail *f)
{
	struct sbx_mount_attr a = { .attr_set = SBX_MOUNT_ATTR_RDONLY };

	if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a) < 0)
		return step_failed(f, "make read-only", path, errno);
	return 0;
}

/* The root, before anything is mounted into it: a clone of RootDirectory=
 * (opened before the covers, so a root kept inside a hidden folder still
 * works) bound onto itself, as pivot_root wants a mount point; or the
 * system's root, read-only with everything below it when asked, so that
 * only the unit's own mounts, made later, are writable. */
static int open_root(const struct rootfs_plan *p, int srcroot, struct step_fail *f)
{
	int fd;

	if (p->root)
		/* nodev: the sandbox's devices are in its own /dev */
		return rootfs_bind_fd(srcroot, true, SBX_MOUNT_ATTR_NODEV, srcroot,
				      "bind-mount the root", p->root, f);
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return step_failed(f, "open", "/", errno);
	return fd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int rootfs_setup(const struct rootfs_plan *p, struct step_fail *f)
{
	struct rootfs_kern k = { .proc = -1, .sys = -1 };
	int srcroot = -1, rootfd = -1, nullfd = -1, devmnt = -1, sockfd = -1, r = -1;
	int src[ROOTFS_MAX_OPS], usock[UNITSOCK_COUNT] = { -1, -1 };
	const char *const usock_path[UNITSOCK_COUNT] = { p->notify_sock, p->log_sock };

	for (size_t i = 0; i < ROOTFS_MAX_OPS; i++)
		src[i] = -1;

	/* No kernel file system is bound in (kernbind.h): checked here, in
	 * our copy of the mount table, not by PID 1 for every launch. */
	if (rootfs_check_bind_sources(p, f) < 0)
		return -1;
	/* Nothing we mount may propagate back to the host's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return step_failed(f, "make / private", NULL, errno);
	if (p->root && (srcroot = open_host(p->root, O_DIRECTORY, "root", f)) < 0)
		return -1;
	/* PID 1's sockets sit in its run folder: taken before the cover */
	if (rootfs_unitsock_open(usock_path, usock, f) < 0)
		goto out;
	/* PID 1's folders, covered before anything is taken from the tree;
	 * then the bind sources, cloned while the tree is still as the host
	 * has it (a clone keeps the flags of its source mount). */
	if (rootfs_hide(p->hide, p->control_sock, &sockfd, f) < 0 || clone_sources(p, src, f) < 0)
		goto out;
	/* The system's root, every host submount with it: nodev always (a
	 * unit given CAP_MKNOD must not make a device that works anywhere it
	 * can write), read-only unless ReadOnlyRoot=no. Before the sandbox's
	 * own mounts, which carry their own flags. */
	if (!p->root) {
		struct sbx_mount_attr a = {
			.attr_set = SBX_MOUNT_ATTR_NODEV |
				    (p->root_readonly ? SBX_MOUNT_ATTR_RDONLY : 0),
		};
		int host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (host < 0) {
			step_failed(f, "open", "/", errno);
			goto out;
		}
		r = sys_mount_setattr(host, "", AT_EMPTY_PATH | AT_RECURSIVE, &a);
		close(host);
		if (r < 0) {
			r = -1;
			step_failed(f, p->root_readonly ? "make read-only" : "make nodev", "/", errno);
			goto out;
		}
		r = -1;
	}
	rootfd = open_root(p, srcroot, f);
	if (rootfd < 0)
		goto out;
	close_fd(&srcroot);

	k.proc = mount_proc(rootfd, f);
	if (k.proc < 0)
		goto out;
	/* A /dev of our own with or without a RootDirectory=: the host's
	 * devtmpfs would hand a uid-0 service every disk, /dev/kmsg and the
	 * console (read-only mounts do not stop device I/O). A unit that
	 * needs a device binds it (BindPaths=/dev/ttyS1). */
	if (rootfs_dev_setup(rootfd, p->namespaces, &nullfd, &devmnt, f) < 0 ||
	    rootfs_unitsock_bind(devmnt, usock, f) < 0)
		goto out;
	k.sys = setup_sys(rootfd, p->namespaces, f);
	if (k.sys < 0)
		goto out;
	for (size_t i = 0; i < p->n_ops; i++)
		if (apply_op(rootfd, &p->ops[i], src[i], f) < 0)
			goto out;
	/* ControlAccess= in the system's root whose /run the unit made its
	 * own: the socket at its usual path all the same. With a root, the
	 * unit's binds of the run folder carry the cover with the socket. */
	if (!p->root && sockfd >= 0 && p->n_ops &&
	    rootfs_expose_sock(rootfd, p->control_sock, sockfd, f) < 0)
		goto out;
	/* /dev is filled (its nodes, the unit's device binds): read-only
	 * from now on, so nothing of the unit's lands in it */
	if (set_readonly(devmnt, false, "/dev", f) < 0)
		goto out;

	if (p->root) {
		if (rootfs_pivot(rootfd, p->root, f) < 0)
			goto out;
		close(rootfd);
		rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0) {
			step_failed(f, "open", "/", errno);
			goto out;
		}
		if (p->root_readonly && set_readonly(rootfd, false, "/", f) < 0)
			goto out;
	}
	for (size_t i = 0; i < p->n_masked; i++)
		if (rootfs_mask(rootfd, &k, p->masked[i], nullfd, f) < 0)
			goto out;
	for (size_t i = 0; i < p->n_readonly; i++)
		if (rootfs_make_readonly(rootfd, &k, p->readonly[i], f) < 0)
			goto out;
	/* CVE-2019-19921: /proc, /sys and /dev of the service's root must be
	 * the mounts we made (and masked), not a directory renamed into their
	 * place meanwhile. */
	if (rootfs_verify_mount(rootfd, "/proc", k.proc, ROOTFS_PROC_MAGIC, f) < 0 ||
	    rootfs_verify_mount(rootfd, "/sys", k.sys, ROOTFS_SYSFS_MAGIC, f) < 0 ||
	    (devmnt >= 0 && rootfs_verify_mount(rootfd, "/dev", devmnt, ROOTFS_TMPFS_MAGIC, f) < 0))
		goto out;
	r = 0;
out:
	for (size_t i = 0; i < p->n_ops && i < ROOTFS_MAX_OPS; i++)
		close_fd(&src[i]);
	close_fd(&nullfd);
	close_fd(&devmnt);
	close_fd(&sockfd);
	for (int i = 0; i < UNITSOCK_COUNT; i++)
		close_fd(&usock[i]);
	close_fd(&k.proc);
	close_fd(&k.sys);
	close_fd(&srcroot);
	close_fd(&rootfd);
	return r;
}
