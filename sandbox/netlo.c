/* lo up and NetworkNamespacePath=, in the launch child. See netlo.h. */
#include "netlo.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../rootfs/mountapi.h"

#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif

int sbx_net_lo_up(struct step_fail *f)
{
	struct ifreq ifr;
	/* Any socket of the namespace takes the interface ioctls; a
	 * netlink one exists whatever address families the kernel has. */
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return step_failed(f, "bring up the loopback interface", "lo", errno);
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			goto fail;
	}
	close(fd);
	return 0;
fail:
	err = errno;
	close(fd);
	return step_failed(f, "bring up the loopback interface", "lo", err);
}

int sbx_net_enter_path(const char *path, struct step_fail *f)
{
	static const char step[] = "enter the network namespace (NetworkNamespacePath=)";
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	int fd = sys_openat2(AT_FDCWD, path, &how), err = 0;

	if (fd < 0)
		return step_failed(f, step, path, errno);
	/* an nsfs inode is a regular file; asking its type before setns
	 * keeps a FIFO or a device from being more than opened */
	if (fstat(fd, &st) < 0)
		err = errno;
	else if (!S_ISREG(st.st_mode) || ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		close(fd);
		return step_failed(f, "NetworkNamespacePath= is not a network namespace:", path,
				   EINVAL);
	} else if (setns(fd, CLONE_NEWNET) < 0)
		err = errno;
	close(fd);
	return err ? step_failed(f, step, path, err) : 0;
}
