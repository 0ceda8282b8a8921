/* sandboxctl: dispatch to one verb; `check` and `spec` live here, every
 * larger verb has a file of its own (ctl_run.c ...). */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ctl_remote.h"
#include "ctl_run.h"
#include "../config/ids.h"
#include "../config/oci.h"
#include "../config/rootcheck.h"
#include "../config/unit.h"
#include "../config/units.h"

static const char usage[] =
	"usage: sandboxctl COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  check [--root DIR] [--units DIR] [FILE|DIR]...\n"
	"                                     validate unit files (default: " CONFIG_UNIT_DIR ");\n"
	"                                     --root: against the image tree DIR\n"
	"  spec [--units DIR] FILE|NAME       print a unit as OCI runtime-spec config.json\n"
	"  run [--no-cgroup] [--units DIR] FILE|NAME [-- COMMAND ARGS...]\n"
	"                                     run one unit in the foreground, without PID 1\n"
	"  status [--json] [UNIT]             units and their state (from PID 1)\n"
	"  start|stop|restart|reset-failed UNIT\n"
	"  logs UNIT [-n N] [-f]              a unit's recent output\n"
	"  reload [UNIT]                      re-read the unit folder, or reload one unit\n"
	"  kill [-s SIG] [--kill-whom=main|all] UNIT\n"
	"                                     signal a unit's service (default SIGTERM)\n"
	"  poweroff|reboot|halt               shut the appliance down\n"
	"  help                               this text\n"
	"\n"
	"`sandboxd ctl COMMAND` is the same as `sandboxctl COMMAND`.\n"
	"Run `sandboxctl COMMAND --help` for a command's options and exit codes.\n";

static const char check_usage[] =
	"usage: sandboxctl check [--root DIR] [--units DIR] [FILE|DIR]...\n"
	"\n"
	"Validates unit files: every NAME.unit of each DIR (with its NAME.unit.d/*.conf\n"
	"drop-ins) and each FILE. With no argument, checks the unit folder (--units DIR,\n"
	"default " CONFIG_UNIT_DIR "). Dependencies (After=, Requires=) are checked across\n"
	"the units of the folders named; a FILE alone is checked by itself.\n"
	"Prints every problem as FILE:LINE: [Section] Key: what is wrong (what is accepted).\n"
	"\n"
	"--root DIR checks the units against DIR, the tree that will be the appliance's\n"
	"\"/\" (an image being built): User=, Group= and SupplementaryGroups= are looked\n"
	"up in DIR/etc/passwd and DIR/etc/group (DIR + RootDirectory= for a unit with\n"
	"one); ExecStart= and ExecStartPre=/ExecStartPost=/ExecStop=/ExecReload= must be\n"
	"regular files executable by the unit's user in its tree, WorkingDirectory= a\n"
	"folder, RootDirectory= a folder, BindPaths= sources and EnvironmentFile= (unless\n"
	"\"-\") must exist; every path is resolved inside DIR (an absolute symlink of the\n"
	"image points into the image). Paths under what exists only at run time (/proc,\n"
	"/sys, /dev, /run, TemporaryFileSystem=, the *Directory= folders) are not checked.\n"
	"With --root and neither --units nor FILE|DIR, the units are DIR" CONFIG_UNIT_DIR ".\n"
	"\n"
	"Exit status: 0 all units valid, 1 problems found, 2 usage error.\n";

static const char spec_usage[] =
	"usage: sandboxctl spec [--units DIR] FILE|NAME\n"
	"\n"
	"Prints the unit as an OCI runtime-spec config.json (ociVersion 1.1.0), ready\n"
	"for crun or runc: process, root, hostname, mounts, namespaces, resources,\n"
	"the resolved seccomp rules, masked and read-only paths. NAME is looked up as\n"
	"DIR/NAME.unit (--units DIR, default " CONFIG_UNIT_DIR "); FILE is a path.\n"
	"\n"
	"Exit status: 0 printed, 1 the unit has errors or cannot be read, 2 usage error.\n";

static int usage_error(const char *fmt, const char *arg, const char *cmd)
{
	fprintf(stderr, "sandboxctl: ");
	fprintf(stderr, fmt, arg);
	if (cmd)
		fprintf(stderr, "\nTry 'sandboxctl %s --help'.\n", cmd);
	else
		fprintf(stderr, "\nTry 'sandboxctl --help'.\n");
	return 2;
}

static bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int ctl_unit_path(const char *arg, const char *dir, char *out, size_t len)
{
	size_t n = strlen(arg);
	bool looks_like_file = strchr(arg, '/') || (n > 5 && strcmp(arg + n - 5, ".unit") == 0 &&
						   access(arg, F_OK) == 0);
	char name[UNIT_NAME_MAX + 1];

	if (looks_like_file) {
		if ((size_t)snprintf(out, len, "%s", arg) >= len)
			return -1;
		return 0;
	}
	if (unit_name_normalize(arg, name) < 0)
		return -1;
	if ((size_t)snprintf(out, len, "%s/%s.unit", dir ? dir : CONFIG_UNIT_DIR, name) >= len)
		return -1;
	return 0;
}

static int ctl_check(int argc, char **argv)
{
	struct diag d = { .emit = diag_to_stderr, .note = diag_to_stderr };
	struct unit_set set = { 0 };
	const char *units_dir = NULL, *root = NULL;
	bool any_dir = false, any_arg = false, dashdash = false;
	char root_units[4096];
	unsigned root_bad = 0;
	int i, rootfd = -1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!dashdash && is_help(a)) {
			fputs(check_usage, stdout);
			return 0;
		}
		if (!dashdash && strcmp(a, "--units") == 0) {
			if (++i == argc)
				return usage_error("%s needs a folder", a, "check");
			units_dir = argv[i];
			continue;
		}
		if (!dashdash && strcmp(a, "--root") == 0) {
			if (++i == argc)
				return usage_error("%s needs a folder", a, "check");
			root = argv[i];
			continue;
		}
		if (!dashdash && strcmp(a, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (!dashdash && a[0] == '-')
			return usage_error("check: unknown option %s", a, "check");
	}
	if (root) {
		rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0) {
			fprintf(stderr, "sandboxctl: check --root %s: %s\n", root, strerror(errno));
			return 1;
		}
		ids_set_image_root(rootfd, root);
		unit_read_set_image(rootfd, root);   /* its unit folder, inside it */
		ids_set_resolve_at_load(false);   /* rootcheck_unit() does it, in order */
		if (!units_dir) {
			snprintf(root_units, sizeof root_units, "%s%s", root, CONFIG_UNIT_DIR);
			units_dir = root_units;
		}
	}
	if (!units_dir)
		units_dir = CONFIG_UNIT_DIR;
	for (i = 1, dashdash = false; i < argc; i++) {
		struct stat st;
		const char *a = argv[i];

		if (!dashdash && (strcmp(a, "--units") == 0 || strcmp(a, "--root") == 0)) {
			i++;
			continue;
		}
		if (!dashdash && strcmp(a, "--") == 0) {
			dashdash = true;
			continue;
		}
		any_arg = true;
		if (stat(a, &st) < 0) {
			diag_at(&d, a, 0, NULL, NULL, "%s", strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			any_dir = true;
			units_add_dir(&set, a, &d);
		} else {
			units_add_file(&set, a, &d);
		}
	}
	if (!any_arg) {
		any_dir = true;
		units_add_dir(&set, units_dir, &d);
	}
	if (any_dir)
		units_check_deps(&set, &d);
	for (size_t u = 0; rootfd >= 0 && u < set.n; u++)
		root_bad += rootcheck_unit(set.units[u], rootfd, root, &d) ? 1 : 0;
	if (rootfd >= 0) {
		ids_set_image_root(-1, NULL);
		unit_read_set_image(-1, NULL);
		ids_set_resolve_at_load(true);
		close(rootfd);
	}
	if (d.count) {
		fprintf(stderr, "%u problem%s; %zu unit%s valid, %zu with errors\n", d.count,
			d.count == 1 ? "" : "s", set.n - root_bad, set.n - root_bad == 1 ? "" : "s",
			set.n_bad + root_bad);
		units_free(&set);
		return 1;
	}
	printf("%zu unit%s valid\n", set.n, set.n == 1 ? "" : "s");
	units_free(&set);
	return 0;
}

static int ctl_spec(int argc, char **argv)
{
	struct diag d = { .emit = diag_to_stderr };
	const char *units_dir = NULL, *arg = NULL;
	char path[4096];
	struct err e;

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(spec_usage, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--units") == 0) {
			if (++i == argc)
				return usage_error("%s needs a folder", argv[i - 1], "spec");
			units_dir = argv[i];
		} else if (argv[i][0] == '-') {
			return usage_error("spec: unknown option %s", argv[i], "spec");
		} else if (arg) {
			return usage_error("spec: one unit at a time (got also %s)", argv[i], "spec");
		} else {
			arg = argv[i];
		}
	}
	if (!arg)
		return usage_error("spec: which unit?%s", "", "spec");
	if (ctl_unit_path(arg, units_dir, path, sizeof path) < 0)
		return usage_error("spec: \"%s\" is neither a unit file nor a unit name", arg, "spec");

	struct spec *s = unit_load(path, &d);
	if (!s)
		return 1;
	int rc = oci_write_spec(s, STDOUT_FILENO, &e);
	spec_free(s);
	if (rc < 0) {
		err_print("sandboxctl", &e);
		return 1;
	}
	return 0;
}

int ctl_main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("which command?%s", "", NULL);

	const char *cmd = argv[1];
	if (is_help(cmd) || strcmp(cmd, "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(cmd, "check") == 0)
		return ctl_check(argc - 1, argv + 1);
	if (strcmp(cmd, "spec") == 0)
		return ctl_spec(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return ctl_run(argc - 1, argv + 1);
	if (ctl_remote_handles(cmd))
		return ctl_remote(argc - 1, argv + 1);
	if (cmd[0] == '-')
		return usage_error("unknown option %s", cmd, NULL);
	return usage_error("unknown command \"%s\"", cmd, NULL);
}
