#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev.h"
#include "mountapi.h"
#include "pivot.h"

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

int rootfs_plan_build(const struct spec *s, struct rootfs_plan *p, struct err *e)
{
	struct stat st;

	memset(p, 0, sizeof *p);
	p->namespaces = s->namespaces;
	p->root_readonly = s->root_readonly;
	if (s->root) {
		if (stat(s->root, &st) < 0)
			return err_set(e, errno, "root %s", s->root);
		if (!S_ISDIR(st.st_mode))
			return err_set(e, ENOTDIR, "root %s", s->root);
		p->root = s->root;
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
			op->source = m->source;
			if (!m->source || stat(m->source, &st) < 0) {
				err_set(e, m->source ? errno : EINVAL, "bind %s",
					m->source ? m->source : "(none)");
				goto fail;
			}
			op->dest_kind = S_ISDIR(st.st_mode) ? ROOTFS_DIR : ROOTFS_FILE;
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

/* Mount a new filesystem at path (created inside the root when missing). */
static int fs_at(int rootfd, const char *path, const char *fstype, const struct rootfs_kv *opts,
		 size_t n_opts, unsigned attrs, const char *step, struct step_fail *f)
{
	int t = rootfs_mkpath(rootfd, path, ROOTFS_DIR, f), m;

	if (t < 0)
		return -1;
	m = rootfs_mount_fs(fstype, opts, n_opts, attrs, t, step, path, f);
	close(t);
	if (m < 0)
		return -1;
	close(m);
	return 0;
}

#define ATTRS_SAFE (SBX_MOUNT_ATTR_NOSUID | SBX_MOUNT_ATTR_NODEV | SBX_MOUNT_ATTR_NOEXEC)

/* A read-only cgroup2 over /sys/fs/cgroup: with a cgroup namespace its root
 * is the unit's own group, so the service sees its limits and nothing of
 * the host's hierarchy. Mounting an instance writes nothing to it. */
static int mount_cgroup(int rootfd, unsigned ns, struct step_fail *f)
{
	int t, m;

	/* A user namespace may mount cgroup2 only with a cgroup namespace of
	 * its own; without, the bind of the host's /sys keeps its view. */
	if ((ns & NS_BIT(NS_USER)) && !(ns & NS_BIT(NS_CGROUP)))
		return 0;
	t = rootfs_open(rootfd, "/sys/fs/cgroup", O_DIRECTORY, f);
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
 * uncover what locked child mounts hide). Then a read-only cgroup2 over /sys/fs/cgroup, whose root
 * is the unit's own cgroup when it has a cgroup namespace. Mounting a
 * cgroup2 instance writes nothing to the hierarchy. */
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
		int host = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);

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
	close(m);

	return mount_cgroup(rootfd, ns, f);
}

static int apply_op(int rootfd, const struct rootfs_op *op, struct step_fail *f)
{
	int t = rootfs_mkpath(rootfd, op->dest, op->dest_kind, f), m;

	if (t < 0)
		return -1;
	if (op->kind == ROOTFS_OP_TMPFS) {
		m = rootfs_mount_fs("tmpfs", op->opts, op->n_opts, op->attrs, t,
				    "mount tmpfs on", op->dest, f);
	} else {
		/* The source is the unit's host path, opened here, before
		 * pivot_root, in our own copy of the host's mount tree. */
		int src = open(op->source, O_PATH | O_CLOEXEC);

		if (src < 0) {
			m = step_failed(f, "bind", op->source, errno);
		} else {
			m = rootfs_bind_fd(src, true, op->attrs, t, "bind-mount onto", op->dest, f);
			close(src);
		}
	}
	close(t);
	if (m < 0)
		return -1;
	close(m);
	return 0;
}

/* Files get the host's /dev/null (checked to be 1:3 when it was opened),
 * directories an empty read-only tmpfs. A path the rootfs does not have is
 * nothing to hide. */
static int mask(int rootfd, const char *path, int nullfd, struct step_fail *f)
{
	struct stat st;
	int t = rootfs_open(rootfd, path, 0, f), m;

	if (t < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(t, &st) < 0) {
		close(t);
		return step_failed(f, "mask", path, errno);
	}
	if (S_ISDIR(st.st_mode))
		m = rootfs_mount_fs("tmpfs", NULL, 0, ATTRS_SAFE | SBX_MOUNT_ATTR_RDONLY, t,
				    "mask", path, f);
	else
		/* read-only: a chmod through the mask would change the host's /dev/null */
		m = rootfs_bind_fd(nullfd, false, SBX_MOUNT_ATTR_RDONLY | SBX_MOUNT_ATTR_NOSUID |
				   SBX_MOUNT_ATTR_NOEXEC, t, "mask", path, f);
	close(t);
	if (m < 0)
		return -1;
	close(m);
	return 0;
}

static int make_readonly(int rootfd, const char *path, struct step_fail *f)
{
	int t = rootfs_open(rootfd, path, 0, f), m;

	if (t < 0)
		return errno == ENOENT ? 0 : -1;
	m = rootfs_bind_fd(t, true, SBX_MOUNT_ATTR_RDONLY, t, "make read-only", path, f);
	close(t);
	if (m < 0)
		return -1;
	close(m);
	return 0;
}

int rootfs_setup(const struct rootfs_plan *p, struct step_fail *f)
{
	int rootfd = -1, nullfd = -1, r = -1;

	/* Nothing we mount may propagate back to the host's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return step_failed(f, "make / private", NULL, errno);
	if (p->root) {
		/* A mount point of its own, as pivot_root wants. */
		if (mount(p->root, p->root, NULL, MS_BIND | MS_REC, NULL) < 0)
			return step_failed(f, "bind-mount the root", p->root, errno);
		rootfd = open(p->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (rootfd < 0)
		return step_failed(f, "open", p->root ? p->root : "/", errno);

	if (fs_at(rootfd, "/proc", "proc", NULL, 0, ATTRS_SAFE, "mount proc on", f) < 0)
		goto out;
	if (p->root) {
		if (rootfs_dev_setup(rootfd, p->namespaces & NS_BIT(NS_IPC), &nullfd, f) < 0 ||
		    setup_sys(rootfd, p->namespaces, f) < 0)
			goto out;
	} else {
		/* The system's root: its /sys stays, but not a view of the
		 * host's cgroup hierarchy, writable to a root service. */
		if ((p->namespaces & NS_BIT(NS_CGROUP)) && mount_cgroup(rootfd, p->namespaces, f) < 0)
			goto out;
		if (p->n_masked && (nullfd = rootfs_host_dev(DEV_NULL, f)) < 0)
			goto out;
	}
	for (size_t i = 0; i < p->n_ops; i++)
		if (apply_op(rootfd, &p->ops[i], f) < 0)
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
	}
	if (p->root_readonly) {
		struct sbx_mount_attr a = { .attr_set = SBX_MOUNT_ATTR_RDONLY };

		if (sys_mount_setattr(rootfd, "", AT_EMPTY_PATH, &a) < 0) {
			step_failed(f, "make read-only", "/", errno);
			goto out;
		}
	}
	for (size_t i = 0; i < p->n_masked; i++)
		if (mask(rootfd, p->masked[i], nullfd, f) < 0)
			goto out;
	for (size_t i = 0; i < p->n_readonly; i++)
		if (make_readonly(rootfd, p->readonly[i], f) < 0)
			goto out;
	r = 0;
out:
	if (nullfd >= 0)
		close(nullfd);
	close(rootfd);
	return r;
}
