#include "caps.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

/* The calls with 32-bit ids. On 32-bit arm (and i386) the plain
 * SYS_setgroups, SYS_setresgid and SYS_setresuid are the old ones with
 * 16-bit ids: the kernel cut uid 100000 to 34464 and read the gid_t list
 * as pairs of halves (a second group became 0, root's). 64-bit kernels
 * have only the 32-bit calls, under the plain names. */
#ifdef SYS_setgroups32
#define SBX_SYS_setgroups SYS_setgroups32
#define SBX_SYS_setresgid SYS_setresgid32
#define SBX_SYS_setresuid SYS_setresuid32
#else
#define SBX_SYS_setgroups SYS_setgroups
#define SBX_SYS_setresgid SYS_setresgid
#define SBX_SYS_setresuid SYS_setresuid
#endif

/* Raw syscalls, not musl's setuid()/setrlimit(): those go through its
 * all-threads machinery, which has no business in a freshly cloned child. */
int sbx_creds_apply(const struct spec *s, const struct sbx_ids *ids, struct step_fail *f)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	uint64_t caps = s->caps;
	uint32_t lo, hi;
	bool root = ids->uid == 0;

	for (unsigned long cap = 0; cap < 64; cap++) {
		/* EINVAL: past the kernel's last capability; asking for more
		 * than it has cannot be granted and is not an error. */
		if (caps & (1ull << cap)) {
			if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0)
				continue;
		} else if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0) {
			continue;
		}
		if (errno != EINVAL)
			return step_failed(f, "drop capabilities from the bounding set", NULL, errno);
		caps &= cap ? (1ull << cap) - 1 : 0;
		break;
	}
	lo = (uint32_t)caps;
	hi = (uint32_t)(caps >> 32);
	if (syscall(SBX_SYS_setgroups, ids->n_groups, ids->groups) < 0)
		return step_failed(f, "setgroups", NULL, errno);
	if (syscall(SBX_SYS_setresgid, ids->gid, ids->gid, ids->gid) < 0)
		return step_failed(f, "setgid", NULL, errno);
	if (!root && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return step_failed(f, "keep capabilities across setuid", NULL, errno);
	if (syscall(SBX_SYS_setresuid, ids->uid, ids->uid, ids->uid) < 0)
		return step_failed(f, "setuid", NULL, errno);

	data[0].effective = data[0].permitted = lo;
	data[1].effective = data[1].permitted = hi;
	if (!root) {
		data[0].inheritable = lo;
		data[1].inheritable = hi;
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return step_failed(f, "set capabilities", NULL, errno);
	if (!root) {
		for (unsigned long cap = 0; cap < 64; cap++)
			if ((caps & (1ull << cap)) &&
			    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
				return step_failed(f, "raise ambient capabilities", NULL, errno);
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	}
	return 0;
}
