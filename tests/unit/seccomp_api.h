/* Under qemu-user seccomp(2) is not emulated, so libseccomp finds API
 * level 1 and refuses SCMP_ACT_KILL_PROCESS (the bad-architecture action
 * of every filter here): the unit tests that only compile filters tell it
 * the level of the kernels sandboxd runs on (3: Linux 4.14, the kill of
 * the whole process), so that what they check is the program those
 * kernels get. Loading stays impossible there, and the tests that load
 * skip. */
#ifndef SBX_TEST_SECCOMP_API_H
#define SBX_TEST_SECCOMP_API_H

#include <stdio.h>

#include "config.h"

#if CONFIG_SECCOMP
#include <seccomp.h>

static inline void t_seccomp_api(void)
{
	unsigned level = seccomp_api_get();

	if (level >= 3)
		return;
	printf("# libseccomp API level %u here (no seccomp(2): qemu-user?): compiling as for "
	       "level 3\n", level);
	if (seccomp_api_set(3) < 0)
		printf("# libseccomp refused API level 3\n");
}
#else
static inline void t_seccomp_api(void) {}
#endif

#endif
