/* What a unit's group reports: OOM kills, memory use, whether anyone is
 * left in it. Read per call, into stack buffers: PID 1 asks these under
 * memory pressure too. */
#include "cgroup.h"

#if CONFIG_CGROUPS
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "cgfile.h"

static int read_key(int dirfd, const char *file, const char *key, uint64_t *v,
		    struct err *e)
{
	char buf[512], name[ERR_MSG_MAX];

	if (cgf_read(dirfd, NULL, file, buf, sizeof buf, e) < 0)
		return -1;
	if (cgf_key_u64(buf, key, v) < 0)
		return err_set(e, 0, "cgroup: no \"%s N\" line in %s", key,
			       cgf_name(dirfd, NULL, file, name, sizeof name));
	return 0;
}

int cg_oom_kills(int dirfd, uint64_t *n, struct err *e)
{
	if (read_key(dirfd, "memory.events", "oom_kill", n, e) == 0)
		return 0;
	if (e->errnum == ENOENT) {
		*n = 0;
		return 0;
	}
	return -1;
}

int cg_memory_current(int dirfd, uint64_t *bytes, struct err *e)
{
	char buf[32], name[ERR_MSG_MAX], *end;
	unsigned long long v;

	if (cgf_read(dirfd, NULL, "memory.current", buf, sizeof buf, e) < 0)
		return -1;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end != '\n' && *end != '\0'))
		return err_set(e, 0, "cgroup: not a number in %s: \"%s\"",
			       cgf_name(dirfd, NULL, "memory.current", name, sizeof name), buf);
	*bytes = v;
	return 0;
}

int cg_populated(int dirfd, bool *populated, struct err *e)
{
	uint64_t v;

	if (read_key(dirfd, "cgroup.events", "populated", &v, e) < 0)
		return -1;
	*populated = v != 0;
	return 0;
}

int cg_events_fd(int dirfd, struct err *e)
{
	char name[ERR_MSG_MAX];
	int fd = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, errno, "cgroup: opening %s",
			       cgf_name(dirfd, NULL, "cgroup.events", name, sizeof name));
	return fd;
}
#endif
