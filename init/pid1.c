/* sandboxd: the init. As PID 1 it boots the system (boot.c), then runs the
 * supervisor in one event loop until a shutdown (shutdown.c). Not as PID 1,
 * `sandboxd --units DIR` runs the same supervisor as a child subreaper.
 *
 * main() is split at "from now on we must not die" (as s6-linux-init is):
 * before it, a bad argument may exit; after it, every error is logged and
 * the loop goes on. */
#include "pid1.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "console.h"
#include "control.h"
#include "peer.h"
#include "seal.h"
#include "shutdown.h"
#include "sup.h"
#include "../lib/clock.h"
#include "../cgroup/cgroup.h"

static const char usage[] =
	"usage: sandboxd [--units DIR] [--debug]\n"
	"       sandboxd ctl COMMAND ...   (the same as sandboxctl COMMAND ...)\n"
	"\n"
	"As PID 1 (the kernel's init), sandboxd mounts /proc, /sys, /dev, /run and\n"
	"cgroup2, loads the units of " CONFIG_UNIT_DIR " (or the kernel command line's\n"
	"sandboxd.units=DIR) and supervises them; sandboxd.debug logs every state change.\n"
	"Not as PID 1, it supervises the units of --units DIR as a child subreaper,\n"
	"for development and tests; SIGTERM or SIGINT then stops the units and exits.\n"
	"\n"
	"Signals to PID 1 (busybox init's convention): SIGTERM or SIGINT (ctrl-alt-del)\n"
	"reboot, SIGUSR1 halts, SIGUSR2 powers off. They are obeyed only from the\n"
	"kernel, or by kill(2) from a process outside every unit (sigqueue, whose\n"
	"sender may say who it is, never); a sender that has already exited cannot\n"
	"be told apart and is ignored (use `sandboxctl poweroff`).\n"
	"The control socket for sandboxctl is " CONFIG_RUN_DIR "/control.sock\n"
	"($SANDBOXD_RUN_DIR overrides the folder).\n";

static struct sup sv;
static struct loop_watch signal_watch;

/* A shutdown signal counts from the kernel (ctrl-alt-del is SI_KERNEL,
 * with no sender pid) or from a process outside every unit: a unit that
 * shares our pid namespace must not power the appliance off (issue #9
 * item 11). A sender that is gone cannot be classified: fail closed. */
static bool trusted_sender(const struct signalfd_siginfo *si)
{
	static int64_t last_ms;
	static unsigned quiet;   /* refusals not logged since the last line */
	struct peer p = { .kind = PEER_GONE };
	char msg[400];
	const char *why;

	/* The kernel's own (ctrl-alt-del, a kernel shutdown request). */
	if (si->ssi_code == SI_KERNEL)
		return true;
	/* Only kill(2) and tkill(2) have a sender pid the kernel wrote:
	 * sigqueue and the rest let the sender say whatever it likes
	 * (rt_sigqueueinfo with si_pid 0 or 1). pid 0 here is a sender in a
	 * pid namespace we cannot see: inside a unit. */
	if (si->ssi_code != SI_USER && si->ssi_code != SI_TKILL) {
		why = "sent with a sender pid of its own choosing (sigqueue)";
	} else if (si->ssi_pid == 0) {
		why = "sent from another pid namespace";
	} else {
		peer_classify(&sv, (pid_t)si->ssi_pid, -1, &p);
		if (peer_may_control(&sv, &p, msg, sizeof msg) && p.kind == PEER_OUTSIDE)
			return true;
		why = p.kind == PEER_UNIT ? p.unit : p.how;
	}
	/* logged once per second at most: a unit looping on kill(1) must not
	 * flood the console */
	int64_t now = clock_mono_ms();
	if (last_ms && now - last_ms < 1000) {
		quiet++;
		return false;
	}
	last_ms = now;
	const char *name = si->ssi_signo == SIGTERM ? "SIGTERM" : si->ssi_signo == SIGINT ? "SIGINT" :
			   si->ssi_signo == SIGUSR1 ? "SIGUSR1" : "SIGUSR2";
	char more[80] = "";
	if (quiet)
		snprintf(more, sizeof more, " (and %u more since the last such message)", quiet);
	sup_log(&sv, "%s from pid %d ignored: %s%s%s; shut down with sandboxctl", name,
		(int)si->ssi_pid, p.kind == PEER_UNIT ? "it runs inside unit " : "", why, more);
	quiet = 0;
	return false;
}

static void on_signal(struct loop_watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(w->fd, &si, sizeof si) == sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			sup_reap(&sv);
			break;
		case SIGTERM:
		case SIGINT:
		case SIGUSR1:
		case SIGUSR2:
			if (!trusted_sender(&si))
				break;
			if (si.ssi_signo == SIGUSR1)
				sup_request_shutdown(&sv, SHUTDOWN_HALT);
			else if (si.ssi_signo == SIGUSR2)
				sup_request_shutdown(&sv, SHUTDOWN_POWEROFF);
			else
				sup_request_shutdown(&sv, sv.pid1 ? SHUTDOWN_REBOOT : SHUTDOWN_HALT);
			break;
		default:
			break;
		}
	}
	/* a SIGCHLD may have been merged into one we already read */
	sup_reap(&sv);
}

static int setup_signals(struct err *e)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return err_set(e, errno, "sigprocmask");
	signal_watch.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (signal_watch.fd < 0)
		return err_set(e, errno, "signalfd");
	signal_watch.fn = on_signal;
	return loop_add(&sv.loop, &signal_watch, EPOLLIN, e);
}

static void log_err(const char *what, const struct err *e)
{
	char buf[ERR_MSG_MAX + 128];

	sup_log(&sv, "%s: %s", what, err_str(e, buf, sizeof buf));
}

int pid1_main(int argc, char **argv)
{
	static char units_dir[256] = CONFIG_UNIT_DIR;
	struct boot_opts bo = { .debug = false };
	struct err e;

	sv.console_fd = STDERR_FILENO;
	sv.pid1 = getpid() == 1;
	for (int i = 1; i < argc; i++) {
		if (!sv.pid1 && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--units") == 0 && i + 1 < argc) {
			snprintf(units_dir, sizeof units_dir, "%s", argv[++i]);
		} else if (strcmp(argv[i], "--debug") == 0) {
			bo.debug = true;
		} else if (!sv.pid1) {
			fprintf(stderr, "sandboxd: unknown argument \"%s\"\nTry 'sandboxd --help'.\n",
				argv[i]);
			return 2;
		}
		/* as PID 1, the kernel passes what it did not understand: ignore it */
	}

	if (sv.pid1) {
		if (boot_mounts(&e) < 0)
			log_err("mounting the API file systems", &e);
		/* pivot_root(2) cannot leave the initramfs: move to a tmpfs root
		 * first (this re-executes us there and does not return on success) */
		if (boot_leave_initramfs(&e) < 0)
			log_err("leaving the initramfs", &e);
		if (seal_binary(argv, &e) < 0)   /* re-executes us from a read-only mount */
			log_err("making our binary read-only (CVE-2019-5736)", &e);
		int fd = boot_console(&e);
		if (fd >= 0) {
			/* never stall on the console: console.c queues */
			console_init(fd, true);
			sv.console_fd = fd;
		}
		else
			log_err("opening /dev/console", &e);
		char kmsg[256];   /* the kernel's log, once: said before any unit fails */
		if (boot_initramfs_failed(kmsg, sizeof kmsg))
			sup_log(&sv, "the kernel could not unpack the whole initramfs (kernel: "
				"\"%s\"): files may be missing; rebuild the image", kmsg);
		snprintf(bo.units_dir, sizeof bo.units_dir, "%s", units_dir);
		boot_cmdline(&bo);
		snprintf(units_dir, sizeof units_dir, "%s", bo.units_dir);
		if (boot_hostname(&e) < 0)
			log_err("at boot", &e);
		/* ctrl-alt-del becomes SIGINT to us instead of an instant reboot */
		reboot(RB_DISABLE_CAD);
	} else {
		console_init(STDERR_FILENO, false);
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
			fprintf(stderr, "sandboxd: cannot become a child subreaper: %s\n",
				strerror(errno));
			return 1;
		}
	}

	/* ---- from now on we must not die ---- */
	sv.units_dir = units_dir;
	sv.debug = bo.debug;
	sv.run_dir = getenv("SANDBOXD_RUN_DIR") ? getenv("SANDBOXD_RUN_DIR") : CONFIG_RUN_DIR;
	prctl(PR_SET_DUMPABLE, 0);   /* no sandbox may open our /proc files */
	if (boot_run_dir(sv.run_dir, &e) < 0)
		log_err("creating the run folder", &e);
	sv.use_cgroups = CONFIG_CGROUPS && cg_available(&e);
	if (!sv.use_cgroups && sv.debug)
		log_err("cgroups", &e);
	uint64_t cap;
	if (sv.pid1 && sv.use_cgroups && cg_cap_units(&cap, &e) < 0)
		log_err("capping the units' tasks", &e);
	if (loop_init(&sv.loop, &e) < 0 || setup_signals(&e) < 0) {
		log_err("setting up the event loop", &e);
		/* nothing can be supervised without it; stay alive for the kernel */
		for (;;)
			pause();
	}
	console_attach(&sv.loop);
	char sock[512];
	snprintf(sock, sizeof sock, "%s/control.sock", sv.run_dir);
	if (control_open(&sv, sock, &e) < 0)
		log_err("opening the control socket", &e);
	sup_log(&sv, "starting the units of %s", units_dir);
	if (sup_init(&sv, &e) < 0)
		log_err("loading units", &e);

	while (sv.shutdown == SHUTDOWN_NONE) {
		loop_run_once(&sv.loop, sup_recheck_wait_ms(&sv));
		sup_recheck(&sv);
		sup_collect(&sv);
	}
	shutdown_run(&sv, sv.shutdown);
	/* not PID 1: the units are stopped and we leave */
	console_flush(500);
	return 0;
}
