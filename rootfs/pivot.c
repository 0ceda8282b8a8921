#include "pivot.h"

#include <errno.h>
#include <sys/mount.h>
#include <unistd.h>

#include "mountapi.h"

int rootfs_pivot(int rootfd, const char *root, struct step_fail *f)
{
	/* With new_root == put_old the old root ends up mounted over the new
	 * one at "."; no put_old directory has to exist in (or be created in)
	 * a rootfs we do not trust. */
	if (fchdir(rootfd) < 0)
		return step_failed(f, "chdir into", root, errno);
	if (sys_pivot_root(".", ".") < 0)
		return step_failed(f, "pivot_root into", root, errno);
	if (umount2(".", MNT_DETACH) < 0)
		return step_failed(f, "detach the old root from", root, errno);
	if (chdir("/") < 0)
		return step_failed(f, "chdir into", root, errno);
	return 0;
}
