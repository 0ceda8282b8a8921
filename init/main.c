/* sandboxd: one static binary, acting by the name it is called by:
 * sandboxctl (or `sandboxd ctl`) is the command-line tool, anything else
 * (sandboxd, init, /init as the kernel starts it) is the init. */
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "pid1.h"

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 ? base_name(argv[0]) : "sandboxd";

	/* As the kernel's init, nothing on its command line may make us
	 * return: PID 1 exiting panics the kernel. */
	if (getpid() == 1)
		return pid1_main(argc, argv);
	if (strcmp(self, "sandboxctl") == 0)
		return ctl_main(argc, argv);
	if (argc > 1 && strcmp(argv[1], "ctl") == 0)
		return ctl_main(argc - 1, argv + 1);
	return pid1_main(argc, argv);
}
