/* sandboxd: one static binary, acting by the name it is called by. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 ? base_name(argv[0]) : "sandboxd";

	if (strcmp(self, "sandboxctl") == 0)
		return ctl_main(argc, argv);
	if (argc > 1 && strcmp(argv[1], "ctl") == 0)
		return ctl_main(argc - 1, argv + 1);
	return ctl_main(argc, argv);   /* replaced by the supervisor in the PID-1 issue */
}
