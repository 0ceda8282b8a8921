#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../config/spec.h"

uint64_t sbx_ns_clone_flags(unsigned ns)
{
	static const uint64_t flag[NS_COUNT] = {
		[NS_PID] = CLONE_NEWPID, [NS_NET] = CLONE_NEWNET, [NS_IPC] = CLONE_NEWIPC,
		[NS_UTS] = CLONE_NEWUTS, [NS_MOUNT] = CLONE_NEWNS, [NS_CGROUP] = 0,
		[NS_USER] = CLONE_NEWUSER,
	};
	uint64_t f = 0;

	for (int t = 0; t < NS_COUNT; t++)
		if (ns & NS_BIT(t))
			f |= flag[t];
	return f;
}

static int write_file(const char *path, const char *text, struct err *e)
{
	size_t n = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno, "open %s", path);
	if (write(fd, text, n) != (ssize_t)n) {
		int err = errno;

		close(fd);
		return err_set(e, err, "write %s", path);
	}
	close(fd);
	return 0;
}

int sbx_ns_write_maps(pid_t pid, struct err *e)
{
	char path[64];

	/* As root of the parent namespace we may write gid_map without
	 * denying setgroups first, so the service still gets its groups. */
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
	if (write_file(path, SBX_USERNS_MAP, e) < 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
	return write_file(path, SBX_USERNS_MAP, e);
}

int sbx_ns_child_cgroup(unsigned ns, struct step_fail *f)
{
	/* Created now, not by clone3: the new namespace's root is the cgroup
	 * the process is in when it is created, and the child is only sure to
	 * be in the unit's group once the parent said "go". */
	if ((ns & NS_BIT(NS_CGROUP)) && unshare(CLONE_NEWCGROUP) < 0)
		return step_failed(f, "create the cgroup namespace", NULL, errno);
	return 0;
}

int sbx_ns_hostname(unsigned ns, const char *hostname, struct step_fail *f)
{
	if (!(ns & NS_BIT(NS_UTS)) || !hostname)
		return 0;
	if (sethostname(hostname, strlen(hostname)) < 0)
		return step_failed(f, "set the hostname", hostname, errno);
	return 0;
}
