/*
 * measure - the guest half of the boot benchmark (bench/boot/run.sh).
 *
 * Started by the init under test as its last service. Waits until N service
 * processes (comm "sleep" or "httpd") exist, then prints one line on
 * /dev/console and powers the guest off:
 *
 *   BENCH-RESULT init=NAME units=N found=M complete=0|1 forkspan_ms=..
 *     allrun_ms=.. runinit_ms=.. rss_kb=.. pss_kb=.. anon_kb=..
 *     status_ms=.. json_ms=.. scan_ms=.. cgroup=PATH
 *
 * usage: measure INIT N DEADLINE_S [SANDBOXCTL]
 *
 * Times are on CLOCK_BOOTTIME, the clock of /proc/PID/stat's starttime:
 * - runinit: the kernel's "Run /init as init process" record in /dev/kmsg.
 *   Its timestamp is on the printk clock, so a record written here and read
 *   back gives the offset between the two clocks.
 * - forkspan: the latest starttime among the service processes (the
 *   process that runs sleep or httpd, 10 ms ticks, taken at the middle of
 *   its tick) minus runinit.
 * - allrun: the end of the first /proc scan that found all N, minus runinit.
 *   Between scans it sleeps 4x the last scan's length (at least 50 ms), so
 *   it takes at most a fifth of the CPU while services are still starting.
 * cgroup is the cgroup of the service forked last, to show where the init
 * put it. With SANDBOXCTL, `status` and `status --json` are timed (median of 5,
 * output to /dev/null) after all run. Static, no allocation past the start.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static FILE *out;

static long long now_us(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_us(long long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, got = 0;

	if (fd < 0)
		return -1;
	while ((size_t)got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

/* The kernel's "Run /init" time on CLOCK_BOOTTIME, in us, or -1. */
static long long run_init_us(void)
{
	/* The newline ends the record: without it the kernel keeps it open
	 * for a continuation and no reader sees it yet. */
	static const char tag[] = "bench-measure: clock mark\n";
	char rec[2048];
	long long run_init = -1, mark = -1, mark_at;
	int fd = open("/dev/kmsg", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		/* busybox init's image may have a bare /dev: make the node. */
		mknod("/tmp/.bench-kmsg", S_IFCHR | 0600, makedev(1, 11));
		fd = open("/tmp/.bench-kmsg", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	}
	if (fd < 0) {
		fprintf(out, "bench-measure: cannot open /dev/kmsg: %s\n", strerror(errno));
		return -1;
	}
	mark_at = now_us(CLOCK_BOOTTIME);
	if (write(fd, tag, sizeof tag - 1) < 0)
		fprintf(out, "bench-measure: cannot write /dev/kmsg: %s\n", strerror(errno));
	for (;;) {
		ssize_t n = read(fd, rec, sizeof rec - 1);
		unsigned long long ts;
		char *msg;

		if (n < 0 && errno == EPIPE)
			continue; /* overwritten records: go on with the next */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg || sscanf(rec, "%*u,%*u,%llu", &ts) != 1)
			continue;
		msg++;
		if (strncmp(msg, "Run /init as init process", 25) == 0 ||
		    (strncmp(msg, "Run ", 4) == 0 && strstr(msg, " as init process")))
			run_init = (long long)ts;
		else if (strncmp(msg, tag, sizeof tag - 2) == 0)
			mark = (long long)ts;
	}
	close(fd);
	if (run_init < 0) {
		fprintf(out, "bench-measure: no \"Run /init\" record in /dev/kmsg\n");
		return -1;
	}
	if (mark < 0) {
		fprintf(out, "bench-measure: own /dev/kmsg record not read back\n");
		return run_init;
	}
	return run_init + (mark_at - mark);
}

struct scan {
	int found;
	long long last_start; /* ticks since boot */
	char last_pid[16];    /* the service forked last */
};

static int service_comm(const char *c)
{
	return strcmp(c, "sleep") == 0 || strcmp(c, "httpd") == 0;
}

static void scan_proc(struct scan *s)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[300], buf[1024];

	s->found = 0;
	s->last_start = 0;
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *open_paren, *close_paren, *p;
		unsigned long long start;
		int field;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		if (read_small(path, buf, sizeof buf) <= 0)
			continue;
		open_paren = strchr(buf, '(');
		close_paren = strrchr(buf, ')');
		if (!open_paren || !close_paren || close_paren < open_paren)
			continue;
		*close_paren = '\0';
		if (!service_comm(open_paren + 1))
			continue;
		/* After ")" comes field 3 (state); starttime is field 22. */
		p = close_paren + 2;
		for (field = 3; field < 22 && p; field++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		if (!p || sscanf(p, "%llu", &start) != 1)
			continue;
		s->found++;
		if ((long long)start >= s->last_start) {
			s->last_start = (long long)start;
			snprintf(s->last_pid, sizeof s->last_pid, "%.15s", de->d_name);
		}
	}
	closedir(d);
}

/* Rss, Pss and Anonymous of PID 1 in kB (-1 when unreadable). */
static void pid1_memory(long *rss, long *pss, long *anon)
{
	char buf[4096], *l;

	*rss = *pss = *anon = -1;
	if (read_small("/proc/1/smaps_rollup", buf, sizeof buf) <= 0)
		return;
	for (l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		sscanf(l, "Rss: %ld", rss);
		sscanf(l, "Pss: %ld", pss);
		sscanf(l, "Anonymous: %ld", anon);
	}
}

/* The cgroup v2 path of PID (its "0::" line), blanks made '_', or "-". */
static void cgroup_of(const char *pid, char *out_path, size_t size)
{
	char path[64], buf[1024], *l, *nl;

	snprintf(out_path, size, "-");
	snprintf(path, sizeof path, "/proc/%.15s/cgroup", pid);
	if (!*pid || read_small(path, buf, sizeof buf) <= 0)
		return;
	for (l = buf; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(l, "0::", 3) == 0) {
			snprintf(out_path, size, "%s", l + 3);
			for (char *c = out_path; *c; c++)
				if (*c == ' ' || *c == '\t')
					*c = '_';
			return;
		}
	}
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Median wall time of 5 runs of CTL status [--json], in us, or -1. */
static long long time_status(const char *ctl, int json)
{
	long long t[5];

	for (int i = 0; i < 5; i++) {
		long long t0 = now_us(CLOCK_MONOTONIC);
		int st;
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0) {
				dup2(null, 1);
				dup2(null, 2);
			}
			if (json)
				execl(ctl, "sandboxctl", "status", "--json", (char *)NULL);
			else
				execl(ctl, "sandboxctl", "status", (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(out, "bench-measure: %s status%s failed (wait status 0x%x)\n",
				ctl, json ? " --json" : "", st);
			return -1;
		}
		t[i] = now_us(CLOCK_MONOTONIC) - t0;
	}
	qsort(t, 5, sizeof *t, cmp_ll);
	return t[2];
}

static void ms(char *buf, size_t size, long long us)
{
	if (us < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%lld.%01lld", us / 1000, us % 1000 / 100);
}

int main(int argc, char **argv)
{
	long long deadline, run_init, t_all = -1, scan_us = 0, st_us = -1, js_us = -1;
	long hz = sysconf(_SC_CLK_TCK), rss, pss, anon;
	char a[32], b[32], c[32], d[32], e[32], f[32], cg[256];
	struct scan s = { 0 };
	int n;

	out = fopen("/dev/console", "w");
	if (!out)
		out = stdout;
	setvbuf(out, NULL, _IOLBF, 0);
	if (argc < 4 || argc > 5 || (n = atoi(argv[2])) <= 0 || atoi(argv[3]) <= 0) {
		fprintf(out, "bench-measure: usage: measure INIT N DEADLINE_S [SANDBOXCTL]\n");
		sleep_us(1000000);
		sync();
		reboot(RB_POWER_OFF);
		return 2;
	}
	deadline = now_us(CLOCK_BOOTTIME) + atoll(argv[3]) * 1000000;
	/* busybox init mounts nothing: /proc is the measurer's to mount. */
	if (access("/proc/1/stat", R_OK) < 0 && mount("proc", "/proc", "proc", 0, NULL) < 0)
		fprintf(out, "bench-measure: cannot mount /proc: %s\n", strerror(errno));
	for (;;) {
		long long t0 = now_us(CLOCK_BOOTTIME), pause;

		scan_proc(&s);
		scan_us = now_us(CLOCK_BOOTTIME) - t0;
		if (s.found >= n) {
			t_all = t0 + scan_us;
			break;
		}
		if (t0 + scan_us > deadline)
			break;
		pause = scan_us * 4 < 50000 ? 50000 : scan_us * 4;
		sleep_us(pause);
	}
	run_init = run_init_us();
	pid1_memory(&rss, &pss, &anon);
	cgroup_of(s.last_pid, cg, sizeof cg);
	if (argc == 5 && t_all >= 0) {
		st_us = time_status(argv[4], 0);
		js_us = time_status(argv[4], 1);
	}
	/* starttime is whole ticks, truncated: the middle of the tick is the
	 * unbiased guess, and a span cannot be negative. */
	if (run_init >= 0 && s.found) {
		long long span = (s.last_start * 1000000 + 500000) / hz - run_init;

		ms(a, sizeof a, span < 0 ? 0 : span);
	} else {
		ms(a, sizeof a, -1);
	}
	ms(b, sizeof b, run_init >= 0 && t_all >= 0 ? t_all - run_init : -1);
	ms(c, sizeof c, run_init);
	ms(d, sizeof d, st_us);
	ms(e, sizeof e, js_us);
	ms(f, sizeof f, scan_us);
	fprintf(out, "BENCH-RESULT init=%s units=%d found=%d complete=%d forkspan_ms=%s "
		"allrun_ms=%s runinit_ms=%s rss_kb=%ld pss_kb=%ld anon_kb=%ld "
		"status_ms=%s json_ms=%s scan_ms=%s cgroup=%s\n",
		argv[1], n, s.found, t_all >= 0, a, b, c, rss, pss, anon, d, e, f, cg);
	fflush(out);
	sync();
	reboot(RB_POWER_OFF);
	fprintf(out, "bench-measure: power off failed: %s\n", strerror(errno));
	for (;;)
		pause();
}
