/* `sandboxctl run`: one unit in the foreground, without PID 1, like
 * `crun run`. Loads the unit, makes its cgroup when there is a cgroup2 to
 * make it in, launches it (sandbox/launch.h), forwards signals to it and
 * exits with its status. */
#include "ctl_run.h"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../cgroup/cgroup.h"
#include "../config/unit.h"
#include "../sandbox/launch.h"
#include "../sandbox/outcome.h"
#include "ctl.h"

static const char run_usage[] =
	"usage: sandboxctl run [--no-cgroup] [--units DIR] FILE|NAME [-- COMMAND ARGS...]\n"
	"\n"
	"Runs one unit in its sandbox in the foreground, without PID 1, like `crun run`.\n"
	"The service shares this command's stdin, stdout and stderr; SIGINT SIGTERM\n"
	"SIGHUP SIGQUIT SIGUSR1 SIGUSR2 sent to this command are forwarded to it, and it\n"
	"is killed if this command is. NAME is DIR/NAME.unit (--units DIR, default\n"
	CONFIG_UNIT_DIR "); FILE is a path.\n"
	"\n"
	"  -- COMMAND ARGS...  replace the unit's whole command line (like `docker run\n"
	"                      IMAGE CMD`); COMMAND is an absolute path in the sandbox,\n"
	"                      PATH is not searched\n"
	"  --no-cgroup         run without a cgroup: [Resources] is not applied\n"
	"  --units DIR         the unit folder NAME is looked up in\n"
	"\n"
	"The unit never sees the run folder (" CONFIG_RUN_DIR ", or $SANDBOXD_RUN_DIR),\n"
	CONFIG_UNIT_DIR " or the --units folder: they are covered with an empty\n"
	"tmpfs in its mount namespace (the control socket is bound back for a unit\n"
	"with ControlAccess=yes).\n"
	"\n"
	"The unit gets the cgroup /sys/fs/cgroup/" CONFIG_CGROUP_ROOT "/NAME, removed when it\n"
	"ends, when /sys/fs/cgroup is a cgroup2 mount. Without one, a unit with\n"
	"[Resources] fails to start (unless --no-cgroup) and the others run without.\n"
	"\n"
	"Exit status: the service's (128+N when signal N killed it: 137 for an OOM kill);\n"
	"1 the unit has errors, 2 usage error, 125 the sandbox could not be set up,\n"
	"126 the program cannot be executed, 127 it does not exist.\n";

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "sandboxctl: run: %s%s\nTry 'sandboxctl run --help'.\n", what, arg);
	return 2;
}

/* The unit's cgroup, or none: see the rule in run_usage. Never writes
 * anything when /sys/fs/cgroup is not cgroup2 (a host's hybrid layout). */
static int open_cgroup(const struct spec *s, bool no_cgroup, char *path, size_t len, int *fd,
		       struct err *e)
{
	*fd = -1;
	if (no_cgroup)
		return 0;
#if CONFIG_CGROUPS
	if (cg_available(e)) {
		if (cg_create(s, path, len, fd, e) < 0)
			return err_wrap(e, "%s: ", s->name);
		return 0;
	}
	if (spec_has_resources(s))
		return err_set(e, 0, "%s: cgroup2 is not mounted at " CG_MOUNT " ([Resources] needs "
			       "it; --no-cgroup runs without)", s->name);
#else
	(void)path;
	(void)len;
	if (spec_has_resources(s))
		return err_set(e, 0, "%s: this build has no cgroup support (CONFIG_CGROUPS), "
			       "needed by [Resources]", s->name);
#endif
	return 0;
}

/* The group's OOM kill count, 0 without a group (or a kernel without
 * memory.events): sbx_outcome_of_wait compares two of them. */
static uint64_t oom_kills(int fd)
{
	uint64_t n = 0;
	struct err e;

	if (fd < 0 || cg_oom_kills(fd, &n, &e) < 0)
		return 0;
	return n;
}

static void close_cgroup(const char *path, int fd)
{
	struct err e;

	if (fd < 0)
		return;
#if CONFIG_CGROUPS
	bool populated = false;

	/* Without a pid namespace, what the service left behind is still in
	 * its group. */
	if (cg_populated(fd, &populated, &e) == 0 && populated && cg_kill(fd, &e) < 0)
		err_print("sandboxctl", &e);
	if (cg_remove(path, &e) < 0)
		err_print("sandboxctl", &e);
#else
	(void)path;
	(void)e;
#endif
	close(fd);
}

/* Until the service ends: forward signals, then its wait status. */
static int wait_service(const struct sbx_child *c, const sigset_t *set)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si), st;

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			/* The terminal (SI_KERNEL) already sent it to the whole
			 * foreground group, the service included. */
			if (si.si_code != SI_KERNEL)
				syscall(SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0);
			continue;
		}
		if (waitpid(c->pid, &st, WNOHANG) == c->pid)
			return st;
	}
}

int ctl_run(int argc, char **argv)
{
	struct diag d = { .emit = diag_to_stderr, .note = diag_to_stderr };
	const char *units_dir = NULL, *arg = NULL;
	const char *const *cmd = NULL;
	bool no_cgroup = false;
	char path[4096], cgpath[CG_PATH_MAX] = "";
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	struct sbx_bpf bpf = { 0 };
	struct sbx_outcome out;
	struct sbx_child c;
	struct spec *s;
	struct err e;
	sigset_t set;
	uint64_t oom_before;
	int rc, cgfd = -1, i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(run_usage, stdout);
			return 0;
		}
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--no-cgroup") == 0) {
			no_cgroup = true;
		} else if (strcmp(a, "--units") == 0) {
			if (++i == argc)
				return usage_error("--units needs a folder", "");
			units_dir = argv[i];
		} else if (a[0] == '-') {
			return usage_error("unknown option ", a);
		} else if (arg) {
			return usage_error("one unit at a time; put the command after --: ", a);
		} else {
			arg = a;
		}
	}
	if (!arg)
		return usage_error("which unit?", "");
	if (i < argc) {
		cmd = (const char *const *)argv + i;
		if (cmd[0][0] != '/')
			return usage_error("the command after -- must be an absolute path: ", cmd[0]);
	} else if (i == argc && strcmp(argv[argc - 1], "--") == 0) {
		return usage_error("nothing after --", "");
	}
	if (ctl_unit_path(arg, units_dir, path, sizeof path) < 0)
		return usage_error("neither a unit file nor a unit name: ", arg);

	/* CVE-2019-5736: without a pid namespace the sandbox sees this
	 * process; keep its /proc/PID/exe (the host's sandboxd) out of reach. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	s = unit_load(path, &d);
	if (!s)
		return 1;

	/* Blocked from here on, so a signal during the launch waits for the
	 * service to exist instead of killing us half-way. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t k = 0; k < sizeof forwarded / sizeof forwarded[0]; k++)
		sigaddset(&set, forwarded[k]);
	sigprocmask(SIG_BLOCK, &set, NULL);

	if (open_cgroup(s, no_cgroup, cgpath, sizeof cgpath, &cgfd, &e) < 0) {
		err_print("sandboxctl", &e);
		spec_free(s);
		return SBX_EXIT_SETUP;
	}
	o.argv = cmd;
	o.cgroup_fd = cgfd;
	/* issue #9: PID 1's folders, its run folder and the system's unit
	 * folder (and --units DIR), are never visible to the unit; the
	 * socket only with ControlAccess=yes. A unit FILE given here may
	 * sit anywhere (/tmp, say): its own folder is not hidden. */
	const char *run_dir = getenv("SANDBOXD_RUN_DIR");
	const char *hide[] = { NULL, CONFIG_UNIT_DIR, units_dir, NULL };
	char sock[256];

	if (!run_dir || !*run_dir)
		run_dir = CONFIG_RUN_DIR;
	hide[0] = run_dir;
	o.hide = hide;
	if (snprintf(sock, sizeof sock, "%s/control.sock", run_dir) < (int)sizeof sock)
		o.control_sock = sock;
	o.flags = SBX_DIE_WITH_PARENT;
	if (s->seccomp.enabled) {
		/* Compiled on every start (about 0.5 ms): a compiled filter
		 * kept in a file is one a uid-0 unit that sees the file could
		 * replace (issue #9, item 4). */
		if (sbx_seccomp_compile(&s->seccomp, &bpf, &e) < 0) {
			err_wrap(&e, "%s: ", s->name);
			err_print("sandboxctl", &e);
			close_cgroup(cgpath, cgfd);
			spec_free(s);
			return SBX_EXIT_SETUP;
		}
		o.bpf = &bpf;
	}
	oom_before = oom_kills(cgfd);
	/* One classification with PID 1's (sandbox/outcome.h) */
	if (sbx_launch(s, &o, &c, &e) < 0) {
		err_print("sandboxctl", &e);
		sbx_outcome_start_failed(c.exit_code, &out);
	} else {
		int st = wait_service(&c, &set);

		close(c.pidfd);
		sbx_outcome_of_wait(st, s->init, oom_before, oom_kills(cgfd), &out);
		if (out.kind == SBX_END_OOM_KILLED)
			fprintf(stderr, "sandboxctl: %s: killed by the OOM killer (MemoryMax=)\n",
				s->name);
	}
	rc = sbx_outcome_exit_status(&out);
	close_cgroup(cgpath, cgfd);
	sbx_bpf_free(&bpf);
	spec_free(s);
	return rc;
}
