/* sandboxd: one static binary, acting by the name it is called by and by
 * what kind of process it is (issue 9, item 12):
 *
 *   - named sandboxctl, under any pid: the command-line tool;
 *   - the kernel's PID 1 (PID 1 of the initial pid namespace), under any
 *     name (init, /init, /sbin/init, sandboxd): the init;
 *   - PID 1 of any other pid namespace (a unit's, a container's): never
 *     the init; `sandboxd ctl ...` is the tool there, anything else is
 *     refused before anything is touched;
 *   - not PID 1: `sandboxd ctl ...` is the tool, and only a binary named
 *     sandboxd* runs the development mode (`sandboxd --units DIR`), and
 *     only when no supervisor answers on the run folder it would use.
 *
 * The name comes first so that `exec sandboxctl status` from a unit's shell
 * (PID 1 of the unit) is the client, not a second init. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "config.h"
#include "../config/ids.h"
#include "ctl.h"
#include "pid1.h"

/* The inode of the initial pid namespace in nsfs (include/linux/proc_ns.h:
 * PROC_PID_INIT_INO), fixed since Linux 3.8. */
#define INIT_PIDNS_INO 0xEFFFFFFCUL
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/* Exit status of a refused start: the init was not started. */
#define REFUSED 1

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

enum answer { NO, YES, UNKNOWN };

/* From /proc, when there is one (the kernel's init starts without): our
 * pid namespace's nsfs inode. An nsfs file is checked by its file system
 * magic, so that a file made to look like it (a tmpfs or FUSE /proc in a
 * unit's own mount namespace) tells nothing. */
static enum answer proc_says_initial(void)
{
	struct statfs sf;
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) < 0 || statfs("/proc/self/ns/pid", &sf) < 0)
		return UNKNOWN;
	if ((unsigned long)sf.f_type != NSFS_MAGIC)
		return UNKNOWN;
	return (unsigned long)st.st_ino == INIT_PIDNS_INO ? YES : NO;
}

/* Is this PID 1 the kernel's init? Two tests, either of which refuses:
 * - /proc/self/ns/pid, when /proc is mounted;
 * - reboot(CAD_OFF), which needs no /proc: in the initial pid namespace it
 *   only turns ctrl-alt-del into SIGINT to PID 1 (which the init does
 *   anyway, init/pid1.c); in any other the kernel answers EINVAL (only
 *   restart, power off and halt mean something there) and changes nothing.
 *   EPERM (no CAP_SYS_BOOT, a seccomp filter) never happens to the kernel's
 *   init, which has every capability and no filter; it is believed only when
 *   /proc says for certain that this is the initial namespace.
 * A process that can fake both (a seccomp filter answering 0, a forged nsfs
 * file) already runs code of its own choosing: this binary gives it nothing
 * more (it is not set-id), the test is against starting an init by mistake. */
static bool kernels_init(void)
{
	enum answer proc = proc_says_initial();

	if (proc == NO)
		return false;
	if (reboot(RB_DISABLE_CAD) == 0)
		return true;
	return errno != EINVAL && proc == YES;
}

/* Does a supervisor answer on DIR/control.sock? (connect works, or its
 * backlog is full). */
static bool socket_answers(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc, err;

	if (strlen(path) >= sizeof sa.sun_path)
		return false;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	err = errno;
	close(fd);
	return rc == 0 || err == EAGAIN || err == EINPROGRESS;
}

/* The development mode must not take over the run folder of a running
 * supervisor (the real PID 1's /run/sandboxd above all, were it visible):
 * its status files and control socket are that supervisor's. */
static bool run_dir_taken(void)
{
	const char *dir = getenv("SANDBOXD_RUN_DIR");
	char sock[512];

	if (!dir)
		dir = CONFIG_RUN_DIR;
	if ((size_t)snprintf(sock, sizeof sock, "%s/control.sock", dir) >= sizeof sock)
		return false;   /* pid1.c reports the length */
	if (!socket_answers(sock))
		return false;
	fprintf(stderr, "sandboxd: another supervisor answers on %s: not taking over its run "
		"folder (set SANDBOXD_RUN_DIR to a folder of your own)\n", sock);
	return true;
}

static bool wants_help(int argc, char **argv)
{
	return argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
}

/* The init: it never reads a unit's rootfs, so User=/Group= names are
 * the launch child's to resolve (config/ids.h). */
static int init_main(int argc, char **argv)
{
	ids_set_resolve_at_load(false);
	return pid1_main(argc, argv);
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 && argv[0] ? base_name(argv[0]) : "sandboxd";
	bool ctl_verb = argc > 1 && strcmp(argv[1], "ctl") == 0;

	if (strcmp(self, "sandboxctl") == 0)
		return ctl_main(argc, argv);
	if (getpid() == 1) {
		/* As the kernel's init, nothing on its command line may make
		 * us return: PID 1 exiting panics the kernel. */
		if (kernels_init())
			return init_main(argc, argv);
		if (ctl_verb)
			return ctl_main(argc - 1, argv + 1);
		fprintf(stderr, "sandboxd: PID 1 of a pid namespace that is not the system's "
			"(a unit's or a container's): not starting the init; use sandboxctl "
			"COMMAND for the client\n");
		return REFUSED;
	}
	if (ctl_verb)
		return ctl_main(argc - 1, argv + 1);
	if (strncmp(self, "sandboxd", 8) != 0) {
		fprintf(stderr, "sandboxd: not PID 1, and called \"%s\": the init runs only as "
			"the kernel's PID 1; `sandboxd --units DIR` is the development mode, "
			"sandboxctl the client\n", self);
		return REFUSED;
	}
	if (!wants_help(argc, argv) && run_dir_taken())
		return REFUSED;
	return init_main(argc, argv);
}
