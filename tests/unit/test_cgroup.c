/* cgroup/: the pure conversions and cg_available() on any host; with
 * --live (inside the QEMU guest, as root, on a cgroup2 /sys/fs/cgroup) the
 * whole module against the kernel: create, limits, CLONE_INTO_CGROUP,
 * events, OOM, kill, remove. Never run --live on a host whose cgroups
 * matter: it writes under /sys/fs/cgroup/<CONFIG_CGROUP_ROOT>. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../cgroup/cgfile.h"
#include "../../cgroup/cgroup.h"
#include "check.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

static void test_shares(void)
{
	/* The fixed points of crun's curve, then values worked out by hand
	 * from 10^((l^2 + 125 l)/612 - 7/34), l = log2(shares), rounded up. */
	CHECK_U64("shares 2 -> weight 1", cg_shares_to_weight(2), 1);
	CHECK_U64("shares 512 -> weight 59", cg_shares_to_weight(512), 59);
	CHECK_U64("shares 1024 -> weight 100", cg_shares_to_weight(1024), 100);
	CHECK_U64("shares 262144 -> weight 10000", cg_shares_to_weight(262144), 10000);
	CHECK_U64("shares 100 -> weight 17", cg_shares_to_weight(100), 17);      /* 10^1.2233 = 16.7 */
	CHECK_U64("shares 256 -> weight 35", cg_shares_to_weight(256), 35);      /* 10^1.5327 = 34.1 */
	CHECK_U64("shares 4096 -> weight 303", cg_shares_to_weight(4096), 303);  /* 10^2.4804 = 302.3 */
	CHECK_U64("shares 10000 -> weight 627", cg_shares_to_weight(10000), 627); /* 10^2.7966 = 626.1 */
	CHECK_U64("shares 131072 -> weight 5478", cg_shares_to_weight(131072), 5478); /* 10^3.7386 */
	CHECK_U64("shares 0 clamps to 1", cg_shares_to_weight(0), 1);
	CHECK_U64("shares 1 clamps to 1", cg_shares_to_weight(1), 1);
	CHECK_U64("shares 10^6 clamps to 10000", cg_shares_to_weight(1000000), 10000);

	uint64_t prev = 0;
	bool mono = true;

	for (uint64_t s = 2; s <= 262144; s++) {
		uint64_t w = cg_shares_to_weight(s);

		if (w < prev || w < 1 || w > 10000)
			mono = false;
		prev = w;
	}
	CHECK("shares -> weight rises monotonically within 1..10000", mono);

	/* convert.c has its own log2 and 10^x (libm's pow is 7 KiB of the size
	 * budget): every share value must give libm's ceil(pow(10, ...)). */
	uint64_t differ = 0, first = 0;

	for (uint64_t s = 3; s < 262144; s++) {
		double l = log2((double)s);
		uint64_t want = (uint64_t)ceil(pow(10.0, (l - 1.0) * (l + 126.0) / 612.0));

		if (cg_shares_to_weight(s) != want && differ++ == 0)
			first = s;
	}
	t_report("shares -> weight: every value as libm's curve gives it", differ == 0,
		 "%" PRIu64 " values differ, the first at shares %" PRIu64 " (%" PRIu64 ", libm %.0f)",
		 differ, first, cg_shares_to_weight(first),
		 ceil(pow(10.0, (log2((double)first) - 1.0) * (log2((double)first) + 126.0) / 612.0)));
}

static void check_cpu_max(const char *name, uint64_t permyriad, uint64_t period,
			  const char *want)
{
	char buf[64] = "";
	int r = cg_cpu_max(buf, sizeof buf, permyriad, period);

	if (r < 0)
		t_report(name, false, "cg_cpu_max returned %d", r);
	else
		CHECK_STR(name, buf, want);
}

static void test_cpu_max(void)
{
	char small[8];

	check_cpu_max("cpu.max 50% of 100ms", 5000, 100000, "50000 100000");
	check_cpu_max("cpu.max 150% of 100ms", 15000, 100000, "150000 100000");
	check_cpu_max("cpu.max 100% of 100ms", 10000, 100000, "100000 100000");
	check_cpu_max("cpu.max 1% of 100ms", 100, 100000, "1000 100000");
	check_cpu_max("cpu.max 50% of 10ms", 5000, 10000, "5000 10000");
	check_cpu_max("cpu.max 150% of 10ms", 15000, 10000, "15000 10000");
	check_cpu_max("cpu.max 100% of 10ms", 10000, 10000, "10000 10000");
	/* 100 us would be refused by the kernel: the 1 ms floor. */
	check_cpu_max("cpu.max 1% of 10ms is raised to 1ms", 100, 10000, "1000 10000");
	check_cpu_max("cpu.max 33.33% of 100ms", 3333, 100000, "33330 100000");
	check_cpu_max("cpu.max period 0 means 100ms", 5000, 0, "50000 100000");
	check_cpu_max("cpu.max infinity is max", LIMIT_INFINITY, 100000, "max 100000");
	CHECK_INT("cpu.max too small a buffer fails", cg_cpu_max(small, sizeof small, 5000, 100000), -1);
	CHECK_INT("cpu.max overflow fails", cg_cpu_max(small, sizeof small, UINT64_MAX / 2, 100000), -1);
}

/* Is /sys/fs/cgroup a cgroup2 mount, by /proc/self/mountinfo (not statfs,
 * which is what cg_available uses)? -1 if that cannot be told. */
static int mountinfo_says_cgroup2(void)
{
	static char buf[1 << 16];
	ssize_t n, got = 0;
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	int found = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + got, sizeof buf - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - FSTYPE ...": the
	 * last mount at the point wins. */
	for (char *line = buf, *next; line && *line; line = next) {
		char *mp, *dash;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		mp = line;
		for (int i = 0; i < 4 && mp; i++) {
			mp = strchr(mp, ' ');
			if (mp)
				mp++;
		}
		if (!mp || strncmp(mp, "/sys/fs/cgroup ", 15) != 0)
			continue;
		dash = strstr(mp, " - ");
		if (dash)
			found = strncmp(dash + 3, "cgroup2 ", 8) == 0 ? 1 : 2;
	}
	return found == 0 ? 0 : found == 1;
}

static void test_available(bool live)
{
	struct err e = { 0 };
	int truth = mountinfo_says_cgroup2();
	bool got = cg_available(&e);

	if (truth < 0) {
		t_report("cg_available agrees with mountinfo", false, "cannot read mountinfo");
		return;
	}
#if CONFIG_CGROUPS
	if (live)
		CHECK("cg_available on the guest's cgroup2", got);
	else
		CHECK_INT("cg_available agrees with mountinfo", got, truth);
	if (!got)
		CHECK("cg_available says what it looked at", strstr(e.msg, "/sys/fs/cgroup") != NULL);
#else
	(void)live;
	CHECK("cg_available false without CONFIG_CGROUPS", !got);
	CHECK_STR("cg_available names CONFIG_CGROUPS", e.msg,
		  "this build has no cgroup support (CONFIG_CGROUPS)");
#endif
}

/* ---- --live: inside the QEMU guest only ---- */
#if CONFIG_CGROUPS

static struct spec spec;

static void reset_spec(const char *name)
{
	memset(&spec, 0, sizeof spec);
	snprintf(spec.name, sizeof spec.name, "%s", name);
	spec.res.cpu_period_us = 100000;
}

static void set(struct u64_opt *o, uint64_t v)
{
	o->set = true;
	o->v = v;
}

/* Contents of PATH without the final newline, or "(error)". */
static const char *slurp(const char *dir, const char *file)
{
	static char buf[4][256];
	static int turn;
	char path[512];
	char *b = buf[turn++ % 4];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "(error)";
	n = read(fd, b, 255);
	close(fd);
	if (n < 0)
		return "(error)";
	b[n] = '\0';
	if (n > 0 && b[n - 1] == '\n')
		b[n - 1] = '\0';
	return b;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* fork() straight into the group, as the launcher will. */
static pid_t spawn_into(int dirfd)
{
	struct clone_args ca;

	memset(&ca, 0, sizeof ca);
	ca.flags = CLONE_INTO_CGROUP;
	ca.exit_signal = SIGCHLD;
	ca.cgroup = (uint64_t)dirfd;
	return (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
}

static void test_live_limits(void)
{
	const char *dir = CG_MOUNT "/" CONFIG_CGROUP_ROOT "/cgt-limits";
	char path[CG_PATH_MAX], pcg[64], want[128];
	struct err e = { 0 };
	bool populated = true;
	uint64_t mem = 0, kills = 99;
	int fd = -1, st = 0, evfd;
	pid_t pid;

	reset_spec("cgt-limits");
	set(&spec.res.memory_max, 64 << 20);
	set(&spec.res.memory_high, 48 << 20);
	set(&spec.res.memory_swap_max, 0);
	set(&spec.res.cpu_shares, 512);
	set(&spec.res.cpu_quota_permyriad, 5000);
	set(&spec.res.tasks_max, 16);
	set(&spec.res.io_weight, 200);
	spec.res.cpus = "0";
	spec.res.mems = "0";
	if (!t_report("cg_create with every limit", cg_create(&spec, path, sizeof path, &fd, &e) == 0,
		      "%s (errno %d)", e.msg, e.errnum))
		return;
	CHECK_STR("cg_create path", path, dir);
	CHECK_STR("memory.max 64M", slurp(dir, "memory.max"), "67108864");
	CHECK_STR("memory.high 48M", slurp(dir, "memory.high"), "50331648");
	CHECK_STR("memory.swap.max 0", slurp(dir, "memory.swap.max"), "0");
	CHECK_STR("cpu.weight from CPUShares=512", slurp(dir, "cpu.weight"), "59");
	CHECK_STR("cpu.max 50%", slurp(dir, "cpu.max"), "50000 100000");
	CHECK_STR("pids.max 16", slurp(dir, "pids.max"), "16");
	CHECK_STR("io.weight 200", slurp(dir, "io.weight"), "default 200");
	CHECK_STR("cpuset.cpus 0", slurp(dir, "cpuset.cpus"), "0");
	CHECK_STR("cpuset.mems 0", slurp(dir, "cpuset.mems"), "0");
	{
		const char *sc = slurp(CG_MOUNT "/" CONFIG_CGROUP_ROOT, "cgroup.subtree_control");

		CHECK("parent subtree_control has what the unit needs",
		      strstr(sc, "cpuset") && strstr(sc, "cpu ") && strstr(sc, "io") &&
		      strstr(sc, "memory") && strstr(sc, "pids"));
	}
	printf("# guest cgroup.kill %s, io.weight \"%s\"\n",
	       exists(CG_MOUNT "/" CONFIG_CGROUP_ROOT "/cgt-limits/cgroup.kill") ? "present" : "missing",
	       slurp(dir, "io.weight"));

	pid = spawn_into(fd);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (!t_report("clone3 CLONE_INTO_CGROUP with the dirfd", pid > 0, "%s", strerror(errno)))
		goto out;
	snprintf(pcg, sizeof pcg, "/proc/%d", (int)pid);
	snprintf(want, sizeof want, "0::/%s/cgt-limits", CONFIG_CGROUP_ROOT);
	CHECK_STR("child born in the group", slurp(pcg, "cgroup"), want);
	CHECK("cg_populated with a child", cg_populated(fd, &populated, &e) == 0 && populated);
	CHECK("cg_memory_current", cg_memory_current(fd, &mem, &e) == 0);
	CHECK("cg_oom_kills 0 before any OOM", cg_oom_kills(fd, &kills, &e) == 0 && kills == 0);

	/* A second run of the unit while the first lives must not share it. */
	{
		struct err e2 = { 0 };
		char p2[CG_PATH_MAX];
		int fd2 = -1;

		CHECK("cg_create refuses a populated leftover",
		      cg_create(&spec, p2, sizeof p2, &fd2, &e2) < 0 &&
		      strstr(e2.msg, "still holds processes") && fd2 < 0);
		printf("# %s\n", e2.msg);
	}

	evfd = cg_events_fd(fd, &e);
	if (evfd >= 0) {
		char ev[128];

		CHECK("cg_events_fd reads populated 1", pread(evfd, ev, sizeof ev - 1, 0) > 0 &&
		      strstr(ev, "populated 1"));
	} else {
		t_report("cg_events_fd", false, "%s", e.msg);
	}
	CHECK("cg_kill", cg_kill(fd, &e) == 0);
	waitpid(pid, &st, 0);
	CHECK("cg_kill SIGKILLs the child", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK("cg_populated false after the kill", cg_populated(fd, &populated, &e) == 0 && !populated);
	if (evfd >= 0) {
		struct pollfd p = { .fd = evfd, .events = POLLPRI };
		char ev[128] = "";
		ssize_t n;

		CHECK("cg_events_fd wakes poll when the group empties",
		      poll(&p, 1, 1000) == 1 && (p.revents & POLLPRI));
		n = pread(evfd, ev, sizeof ev - 1, 0);
		CHECK("cg_events_fd then reads populated 0", n > 0 && strstr(ev, "populated 0"));
		close(evfd);
	}
out:
	close(fd);
	CHECK("cg_remove", cg_remove(path, &e) == 0);
	CHECK("group gone after cg_remove", !exists(dir));
	CHECK("cg_remove of a gone group is fine", cg_remove(path, &e) == 0);
}

static void test_live_leftover(void)
{
	const char *dir = CG_MOUNT "/" CONFIG_CGROUP_ROOT "/cgt-left";
	char path[CG_PATH_MAX], sub[256];
	struct err e = { 0 };
	int fd = -1;

	/* An empty leftover with an old limit and a child group the old
	 * service made: replaced by a fresh group with only today's limits. */
	reset_spec("cgt-left");
	set(&spec.res.tasks_max, 5);
	if (cg_create(&spec, path, sizeof path, &fd, &e) < 0) {
		t_report("leftover: first create", false, "%s", e.msg);
		return;
	}
	close(fd);
	snprintf(sub, sizeof sub, "%s/inner", dir);
	mkdir(sub, 0755);
	reset_spec("cgt-left");
	set(&spec.res.memory_max, 32 << 20);
	CHECK("cg_create over an empty leftover", cg_create(&spec, path, sizeof path, &fd, &e) == 0);
	CHECK_STR("leftover's pids.max is not carried over", slurp(dir, "pids.max"), "max");
	CHECK_STR("leftover gets the new memory.max", slurp(dir, "memory.max"), "33554432");
	CHECK("leftover's child group is gone", !exists(sub));
	mkdir(sub, 0755);
	close(fd);
	CHECK("cg_remove removes child groups too", cg_remove(path, &e) == 0 && !exists(dir));
}

static void test_live_oom(void)
{
	char path[CG_PATH_MAX];
	struct err e = { 0 };
	uint64_t kills = 0;
	int fd = -1, st = 0;
	pid_t pid;

	reset_spec("cgt-oom");
	set(&spec.res.memory_max, 16 << 20);
	set(&spec.res.memory_swap_max, 0);
	if (cg_create(&spec, path, sizeof path, &fd, &e) < 0) {
		t_report("oom: create", false, "%s", e.msg);
		return;
	}
	pid = spawn_into(fd);
	if (pid == 0) {
		for (int i = 0; i < 64; i++) {
			char *p = malloc(1 << 20);

			if (p)
				memset(p, i + 1, 1 << 20);
		}
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK("64 MB in a 16 MB group is SIGKILLed",
	      pid > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK("cg_oom_kills >= 1", cg_oom_kills(fd, &kills, &e) == 0 && kills >= 1);
	close(fd);
	CHECK("oom group removed", cg_remove(path, &e) == 0);
}

static void test_live_pids(void)
{
	char path[CG_PATH_MAX];
	struct err e = { 0 };
	int fd = -1, st = 0;
	pid_t pid;

	reset_spec("cgt-pids");
	set(&spec.res.tasks_max, 4);
	if (cg_create(&spec, path, sizeof path, &fd, &e) < 0) {
		t_report("pids: create", false, "%s", e.msg);
		return;
	}
	pid = spawn_into(fd);
	if (pid == 0) {
		int ok = 0;

		for (int i = 0; i < 10; i++) {
			pid_t c = fork();

			if (c == 0) {
				pause();
				_exit(0);
			}
			if (c > 0)
				ok++;
		}
		_exit(ok);
	}
	waitpid(pid, &st, 0);
	CHECK_INT("TasksMax=4 lets 3 forks through", WIFEXITED(st) ? WEXITSTATUS(st) : -1, 3);
	CHECK("cg_kill the orphans", cg_kill(fd, &e) == 0);
	close(fd);
	CHECK("pids group removed after kill", cg_remove(path, &e) == 0);
}

/* PID 1's task cap on the units' group, and the ceiling every unit's group
 * gets below it (issue 9, item 17). Puts "max" back at the end, so that the
 * other tests of the tier see the group as they found it. */
static void test_live_pids_cap(void)
{
	const char *root = CG_MOUNT "/" CONFIG_CGROUP_ROOT;
	const char *dir = CG_MOUNT "/" CONFIG_CGROUP_ROOT "/cgt-ceiling";
	char path[CG_PATH_MAX], want[32];
	unsigned long long tmax = 0, pmax = 0;
	struct err e = { 0 };
	uint64_t cap = 0, reserve, limit;
	FILE *f;
	int fd = -1;

	if (CONFIG_PIDS_RESERVE_PERCENT == 0) {
		CHECK("no cap with CONFIG_PIDS_RESERVE_PERCENT 0", cg_cap_units(&cap, &e) == 0 && !cap);
		return;
	}
	if ((f = fopen("/proc/sys/kernel/threads-max", "r"))) {
		if (fscanf(f, "%llu", &tmax) != 1)
			tmax = 0;
		fclose(f);
	}
	if ((f = fopen("/proc/sys/kernel/pid_max", "r"))) {
		if (fscanf(f, "%llu", &pmax) != 1)
			pmax = 0;
		fclose(f);
	}
	limit = pmax - 1 < tmax ? pmax - 1 : tmax;
	if (!t_report("cg_cap_units", cg_cap_units(&cap, &e) == 0, "%s (errno %d)", e.msg, e.errnum))
		return;
	snprintf(want, sizeof want, "%llu", (unsigned long long)cap);
	CHECK_STR("the cap is in the units' pids.max", slurp(root, "pids.max"), want);
	CHECK("the cap leaves at least 64 tasks and 5 % of the kernel's limit",
	      cap + 64 <= limit && cap <= limit - limit / 100 * CONFIG_PIDS_RESERVE_PERCENT);
	CHECK("pids on in the units' subtree_control",
	      strstr(slurp(root, "cgroup.subtree_control"), "pids") != NULL);
	reserve = cap / 100 * CONFIG_PIDS_RESERVE_PERCENT;
	if (reserve < 64)
		reserve = 64;

	/* no TasksMax=: the ceiling */
	reset_spec("cgt-ceiling");
	if (cg_create(&spec, path, sizeof path, &fd, &e) == 0) {
		snprintf(want, sizeof want, "%llu", (unsigned long long)(cap - reserve));
		CHECK_STR("a unit without TasksMax= gets the cap less the reserve",
			  slurp(dir, "pids.max"), want);
		close(fd);
		cg_remove(path, &e);
	} else {
		t_report("ceiling: create", false, "%s", e.msg);
	}
	/* TasksMax=infinity: the ceiling too */
	reset_spec("cgt-ceiling");
	set(&spec.res.tasks_max, LIMIT_INFINITY);
	if (cg_create(&spec, path, sizeof path, &fd, &e) == 0) {
		CHECK_STR("TasksMax=infinity gets the ceiling", slurp(dir, "pids.max"), want);
		close(fd);
		cg_remove(path, &e);
	} else {
		t_report("ceiling infinity: create", false, "%s", e.msg);
	}
	/* below the ceiling: the unit's own */
	reset_spec("cgt-ceiling");
	set(&spec.res.tasks_max, 16);
	if (cg_create(&spec, path, sizeof path, &fd, &e) == 0) {
		CHECK_STR("TasksMax=16 stays 16 under the cap", slurp(dir, "pids.max"), "16");
		close(fd);
		cg_remove(path, &e);
	} else {
		t_report("ceiling 16: create", false, "%s", e.msg);
	}

	/* as before PID 1 capped anything (sandboxctl run elsewhere): no ceiling */
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK("units' pids.max back to max", fd >= 0 && cgf_write(fd, root, "pids.max", "max", &e) == 0);
	if (fd >= 0)
		close(fd);
	reset_spec("cgt-ceiling");
	if (cg_create(&spec, path, sizeof path, &fd, &e) == 0) {
		CHECK_STR("no cap above: a unit without TasksMax= gets max", slurp(dir, "pids.max"), "max");
		close(fd);
		cg_remove(path, &e);
	} else {
		t_report("no cap: create", false, "%s", e.msg);
	}
}

/* The pre-5.7 way in: a plain fork moved by cg_attach(). */
static void test_live_attach(void)
{
	char path[CG_PATH_MAX], pcg[32], want[128];
	struct err e = { 0 };
	int fd = -1, st = 0;
	pid_t pid;

	reset_spec("cgt-attach");
	if (cg_create(&spec, path, sizeof path, &fd, &e) < 0) {
		t_report("attach: create", false, "%s", e.msg);
		return;
	}
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CHECK("cg_attach", pid > 0 && cg_attach(fd, pid, &e) == 0);
	snprintf(pcg, sizeof pcg, "/proc/%d", (int)pid);
	snprintf(want, sizeof want, "0::/%s/cgt-attach", CONFIG_CGROUP_ROOT);
	CHECK_STR("cg_attach moved the child", slurp(pcg, "cgroup"), want);
	CHECK("cg_attach of a gone pid fails", cg_attach(fd, 999999, &e) < 0 &&
	      strstr(e.msg, "cgt-attach/cgroup.procs"));
	cg_kill(fd, &e);
	waitpid(pid, &st, 0);
	close(fd);
	CHECK("attach group removed", cg_remove(path, &e) == 0);
}

/* The pre-5.14 kill (freeze, then pid by pid) on a group with a child
 * group the service made and processes in both. */
static void test_live_kill_fallback(void)
{
	const char *dir = CG_MOUNT "/" CONFIG_CGROUP_ROOT "/cgt-kill";
	char path[CG_PATH_MAX];
	struct err e = { 0 };
	bool populated = true;
	int fd = -1, st = 0;
	pid_t pid;

	reset_spec("cgt-kill");
	if (cg_create(&spec, path, sizeof path, &fd, &e) < 0) {
		t_report("kill fallback: create", false, "%s", e.msg);
		return;
	}
	mkdir(CG_MOUNT "/" CONFIG_CGROUP_ROOT "/cgt-kill/sub", 0755);
	pid = spawn_into(fd);
	if (pid == 0) {
		for (int i = 0; i < 3; i++) {
			if (fork() == 0) {
				if (i == 0) {
					int p = open(CG_MOUNT "/" CONFIG_CGROUP_ROOT
						     "/cgt-kill/sub/cgroup.procs",
						     O_WRONLY | O_CLOEXEC);

					if (p < 0 || write(p, "0", 1) != 1)
						_exit(1);
				}
				pause();
				_exit(0);
			}
		}
		pause();
		_exit(0);
	}
	/* Until all four are in: the parent, two children, one in sub. */
	for (int i = 0; i < 200; i++) {
		if (strcmp(slurp(dir, "cgroup.procs"), "(error)") != 0 &&
		    strchr(slurp(dir, "sub/cgroup.procs"), '\n') == NULL &&
		    slurp(dir, "sub/cgroup.procs")[0] != '\0')
			break;
		cgf_nap_ms(10);
	}
	CHECK("kill fallback", cgf_kill_by_pid(fd, &e) == 0);
	waitpid(pid, &st, 0);
	CHECK("kill fallback SIGKILLs the service", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK("kill fallback empties the child group too",
	      cg_populated(fd, &populated, &e) == 0 && !populated);
	close(fd);
	CHECK("frozen, killed group removed", cg_remove(path, &e) == 0 && !exists(dir));
}

/* Issue #10: a group released through an event loop. While something
 * keeps putting processes into it (a "mover" outside the group, as a fork
 * racing the kill would), cg_release_begin cannot remove it: 1 and an
 * events fd. Once the mover is gone, EPOLLPRI on that fd and
 * cg_release_poll (which kills what is left) remove it: 0. The API itself
 * never waits: the test does, in poll(2).
 *
 * One try of the race: the group with a process (*a) and a mover filling
 * it, then cg_release_begin. Its result; *fd is the group's, or -1. */
static int release_try(const char *dir, char *path, int *fd, pid_t *a, pid_t *mover,
		       int *ev, struct err *e)
{
	char procs[300];

	reset_spec("cgt-release");
	if (cg_create(&spec, path, CG_PATH_MAX, fd, e) < 0)
		return -1;
	mkdir(CG_MOUNT "/" CONFIG_CGROUP_ROOT "/cgt-release/sub", 0755);
	*a = spawn_into(*fd);
	if (*a == 0) {
		pause();
		_exit(0);
	}
	snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
	*mover = fork();
	if (*mover == 0) {
		setpgid(0, 0);
		for (;;) {
			pid_t k = fork();
			char num[16];
			int p;

			if (k == 0) {
				pause();
				_exit(0);
			}
			p = open(procs, O_WRONLY | O_CLOEXEC);
			if (p >= 0) {
				(void)!write(p, num, (size_t)snprintf(num, sizeof num, "%d", (int)k));
				close(p);
			}
			usleep(1000);
		}
	}
	setpgid(*mover, *mover);
	/* until a mover's child joined a (two lines): from then on the mover
	 * keeps the group populated, whatever the kill takes away */
	for (int i = 0; i < 200; i++) {
		const char *nl = strchr(slurp(dir, "cgroup.procs"), '\n');

		if (nl && strchr(nl + 1, '\n'))
			break;
		cgf_nap_ms(10);
	}
	return cg_release_begin(path, *fd, ev, e);
}

static void test_live_release(void)
{
	const char *dir = CG_MOUNT "/" CONFIG_CGROUP_ROOT "/cgt-release";
	char path[CG_PATH_MAX];
	struct err e = { 0 };
	int fd = -1, ev = -1, r, rounds = 0, st = 0, tries = 0;
	pid_t a = -1, mover = -1;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* The kill may empty the group, its processes exit and rmdir succeed
	 * before the mover's next fork is in (it forks once a millisecond, a
	 * fork takes longer under QEMU: 1 try in 10 on the arm64 guest). That
	 * 0, with the group gone, is right: the race is tried again, up to 10
	 * times; 1 must come once. */
	for (;;) {
		r = release_try(dir, path, &fd, &a, &mover, &ev, &e);
		if (r != 0 || ev != -1 || exists(dir) || ++tries == 10)
			break;
		kill(-mover, SIGKILL);
		waitpid(mover, NULL, 0);
		waitpid(a, NULL, 0);
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		t_report("release: create", false, "%s", e.msg);
		prctl(PR_SET_CHILD_SUBREAPER, 0);
		return;
	}
	t_report("release: begin returns 1 while processes live", r == 1 && ev >= 0,
		 "r %d ev %d after %d tries in which the kill emptied the group: %s", r, ev,
		 tries, e.msg);
	kill(-mover, SIGKILL);
	waitpid(mover, NULL, 0);
	while (r == 1 && rounds++ < 100) {
		struct pollfd p = { .fd = ev, .events = POLLPRI };

		/* the test waits; a timer bounds it as PID 1's would */
		poll(&p, 1, 200);
		r = cg_release_poll(path, &ev, &e);
	}
	t_report("release: poll returns 0 once the group is empty", r == 0 && ev == -1 &&
		 !exists(dir), "r %d ev %d after %d rounds, %s %s: %s", r, ev, rounds, dir,
		 exists(dir) ? "still there" : "gone", e.msg);
	CHECK("release: the process in it was killed",
	      waitpid(a, &st, 0) == a && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	close(fd);

	/* a group already gone, and an empty one: 0 at once, no fd */
	ev = 7;
	CHECK("release: a group already gone",
	      cg_release_begin(dir, -1, &ev, &e) == 0 && ev == -1);
	reset_spec("cgt-release");
	if (cg_create(&spec, path, sizeof path, &fd, &e) == 0) {
		close(fd);
		CHECK("release: an empty group at once",
		      cg_release_begin(path, -1, &ev, &e) == 0 && ev == -1 && !exists(dir));
	}
}

/* A cgroup2 mount without the memory controller: a group whose parent did
 * not enable it, bound over /sys/fs/cgroup in a private mount namespace.
 * The unit must be refused, naming the controller and the key. */
static void test_live_missing_controller(void)
{
	const char *outer = CG_MOUNT "/cgt-nomem", *inner = CG_MOUNT "/cgt-nomem/inner";
	int pfd[2], st = 0;
	char msg[ERR_MSG_MAX] = "";
	ssize_t n;
	pid_t pid;

	if (mkdir(outer, 0755) < 0 || mkdir(inner, 0755) < 0 || pipe2(pfd, O_CLOEXEC) < 0) {
		t_report("missing controller: setup", false, "%s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct err e = { 0 };
		char path[CG_PATH_MAX];
		int fd;

		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(2);
		if (mount(inner, CG_MOUNT, NULL, MS_BIND, NULL) < 0)
			_exit(3);
		reset_spec("cgt-nomem");
		set(&spec.res.memory_max, 64 << 20);
		if (cg_create(&spec, path, sizeof path, &fd, &e) == 0)
			_exit(4);
		n = write(pfd[1], e.msg, strlen(e.msg));
		_exit(n > 0 ? 0 : 5);
	}
	close(pfd[1]);
	n = read(pfd[0], msg, sizeof msg - 1);
	if (n > 0)
		msg[n] = '\0';
	close(pfd[0]);
	waitpid(pid, &st, 0);
	if (!msg[0])
		snprintf(msg, sizeof msg, "(child exited %d)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	CHECK_STR("missing memory controller named with its key", msg,
		  "cgroup: the memory controller is not available in /sys/fs/cgroup "
		  "(needed by MemoryMax=)");
	CHECK("nothing created under the group without memory",
	      !exists(CG_MOUNT "/cgt-nomem/inner/" CONFIG_CGROUP_ROOT));
	rmdir(inner);
	rmdir(outer);
}

#endif

int main(int argc, char **argv)
{
	bool live = argc > 1 && strcmp(argv[1], "--live") == 0;

	test_shares();
	test_cpu_max();
	test_available(live);
#if CONFIG_CGROUPS
	/* Never on a host's hybrid layout: nothing below runs without cgroup2. */
	if (live && cg_available(&(struct err){ 0 })) {
		test_live_limits();
		test_live_leftover();
		test_live_oom();
		test_live_pids();
		test_live_pids_cap();
		test_live_attach();
		test_live_kill_fallback();
		test_live_release();
		test_live_missing_controller();
	}
#endif
	return t_exit();
}
