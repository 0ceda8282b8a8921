/* Placeholder until the launcher lands (helper-4 replaces this file). */
#include "ctl_run.h"

#include <stdio.h>

int ctl_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "sandboxctl: run: the launcher is not built yet\n");
	return 1;
}
