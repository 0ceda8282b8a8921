/* Shutdown as one function to read top to bottom (as s6-linux-init's):
 * units, then every process, sync, unmount, reboot(2). Every wait has a
 * deadline, so that it takes at most the longest TimeoutStopSec + 1 s +
 * SHUTDOWN_GRACE_MS + SHUTDOWN_KILL_WAIT_MS and the unmounting. */
#include "../lib/procfs.h"
#include "shutdown.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "control.h"
#include "../lib/clock.h"

#define UNMOUNT_MAX 256

/* How long loop_run_once() may wait before deadline_ms. The loop's
 * signalfd wakes us on SIGCHLD (and reaps), so this is no polling; the
 * 250 ms cap only bounds a wake-up the loop might miss. */
static int ms_left(int64_t deadline_ms)
{
	int64_t left = deadline_ms - clock_mono_ms();

	return left <= 0 ? 0 : left > 250 ? 250 : (int)left;
}

/* Reap until no child is left (true) or the deadline passes (false). With
 * no child left no process is: every one descends from PID 1. */
static bool reap_all_until(struct sup *sv, int64_t deadline_ms)
{
	for (;;) {
		pid_t pid = waitpid(-1, NULL, WNOHANG);

		if (pid > 0 || (pid < 0 && errno == EINTR))
			continue;
		if (pid < 0 && errno == ECHILD)
			return true;
		int wait_ms = ms_left(deadline_ms);

		if (wait_ms == 0)
			return false;
		loop_run_once(&sv->loop, wait_ms);
	}
}

/* The mount points of /proc/self/mountinfo, in its order (parents before
 * their children), unescaped in place; returns how many. */
static size_t list_mounts(char *buf, size_t size, char *mps[], size_t max)
{
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	size_t len = 0, n = 0;
	ssize_t r;

	if (fd < 0)
		return 0;
	while (len < size - 1 && (r = read(fd, buf + len, size - 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	for (char *line = buf; *line && n < max;) {
		char *nl = strchr(line, '\n');
		char *f = line;

		if (!nl)
			break;   /* a cut last line */
		*nl = '\0';
		/* the 5th field: id parent maj:min root MOUNTPOINT ... */
		for (int i = 0; i < 4 && f; i++) {
			f = strchr(f, ' ');
			if (f)
				f++;
		}
		if (f && *f) {
			char *end = strchr(f, ' ');

			if (end)
				*end = '\0';
			mountinfo_unescape(f);
			mps[n++] = f;
		}
		line = nl + 1;
	}
	return n;
}

/* Unmount everything but "/" and /proc, children first, twice (a parent
 * frees up once its children are gone); remount read-only what stays
 * (busy: the console's /dev, "/"), then /proc goes last. */
static void unmount_all(void)
{
	static char buf[64 * 1024];
	char *mps[UNMOUNT_MAX];
	size_t n;

	for (int pass = 0; pass < 2; pass++) {
		n = list_mounts(buf, sizeof buf, mps, UNMOUNT_MAX);
		for (size_t i = n; i-- > 0;)
			if (strcmp(mps[i], "/") != 0 && strcmp(mps[i], "/proc") != 0)
				umount(mps[i]);
	}
	n = list_mounts(buf, sizeof buf, mps, UNMOUNT_MAX);
	for (size_t i = n; i-- > 0;)
		if (strcmp(mps[i], "/proc") != 0)
			mount(NULL, mps[i], NULL, MS_REMOUNT | MS_RDONLY, NULL);
	umount("/proc");
}

/* Give a serial console up to 500 ms to send what we wrote before the
 * power goes: tcdrain() could wait forever on a flow-controlled line. */
static void drain_console(int fd)
{
	for (int i = 0; i < 50; i++) {
		int queued = 0;

		if (ioctl(fd, TIOCOUTQ, &queued) < 0 || queued <= 0)
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000 }, NULL);
	}
}

void shutdown_run(struct sup *sv, enum shutdown_kind how)
{
	int64_t t0 = clock_mono_ms();

	/* 1. The units, dependants first, in parallel within each layer; the
	 * loop runs their KillSignal, TimeoutStopSec and SIGKILL. */
	sup_log(sv, "stopping units");
	sup_stop_all(sv);
	int64_t deadline = t0 + (int64_t)sup_longest_stop_timeout(sv) + 1000;

	while (!sup_all_stopped(sv) && clock_mono_ms() < deadline) {
		loop_run_once(&sv->loop, ms_left(deadline));
		sup_collect(sv);
	}
	if (!sup_all_stopped(sv))
		sup_log(sv, "units still running after %lld ms: ending them with the rest",
			(long long)(clock_mono_ms() - t0));
	control_close_all(sv);
	if (!sv->pid1)
		return;

	/* 2. Everything else: TERM (and CONT, so that stopped processes see
	 * it), a grace period, then KILL. kill(-1) spares us. */
	sup_log(sv, "sending SIGTERM to all processes");
	kill(-1, SIGTERM);
	kill(-1, SIGCONT);
	if (!reap_all_until(sv, clock_mono_ms() + SHUTDOWN_GRACE_MS)) {
		sup_log(sv, "sending SIGKILL to all processes");
		kill(-1, SIGKILL);
		if (!reap_all_until(sv, clock_mono_ms() + SHUTDOWN_KILL_WAIT_MS))
			sup_log(sv, "some processes did not die (uninterruptible sleep?)");
	}

	/* 3. Data to disk before anything is unmounted. */
	sup_log(sv, "syncing file systems");
	sync();

	/* 4. Unmount what can be, read-only what cannot. */
	sup_log(sv, "unmounting file systems");
	unmount_all();
	sync();

	/* 5. The end. */
	int cmd = RB_POWER_OFF;
	const char *what = "powering off";

	if (how == SHUTDOWN_REBOOT) {
		cmd = RB_AUTOBOOT;
		what = "rebooting";
	} else if (how == SHUTDOWN_HALT) {
		cmd = RB_HALT_SYSTEM;
		what = "halting";
	}
	sup_log(sv, "%s (shutdown took %lld ms)", what, (long long)(clock_mono_ms() - t0));
	console_flush(500);   /* what console.c still queues */
	drain_console(sv->console_fd);
	reboot(cmd);
	sup_log(sv, "reboot(2) failed: %s; halted here", strerror(errno));
	/* PID 1 must not exit: the kernel would panic */
	for (;;)
		pause();
}
