/* See execpaths.h. */
#include "execpaths.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "mountapi.h"
#include "resolve.h"

static int apply_one(int rootfd, const struct rootfs_execpath *x, struct step_fail *f)
{
	struct sbx_mount_attr a = {
		.attr_set = x->exec ? 0 : SBX_MOUNT_ATTR_NOEXEC,
		.attr_clr = x->exec ? SBX_MOUNT_ATTR_NOEXEC : 0,
	};
	const char *step = x->exec ? "allow exec on" : "make noexec";
	int t = rootfs_open(rootfd, x->path, 0, f), tree, err;

	if (t < 0)
		return errno == ENOENT && x->optional ? 0 : -1;
	tree = sys_open_tree(t, "", SBX_OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH |
			     AT_RECURSIVE);
	if (tree < 0) {
		err = errno;
		goto fail;
	}
	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | (x->exec ? 0 : AT_RECURSIVE), &a) < 0 ||
	    sys_move_mount(tree, "", t, "", SBX_MOVE_MOUNT_F_EMPTY_PATH |
			   SBX_MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		err = errno;
		close(tree);
		goto fail;
	}
	close(tree);
	close(t);
	return 0;
fail:
	close(t);
	return step_failed(f, step, x->path, err);
}

int rootfs_exec_paths(int rootfd, const struct rootfs_execpath *v, size_t n,
		      struct step_fail *f)
{
	for (size_t i = 0; i < n; i++)
		if (apply_one(rootfd, &v[i], f) < 0)
			return -1;
	return 0;
}
