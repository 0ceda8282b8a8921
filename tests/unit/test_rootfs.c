/* rootfs/: path normalization, in-root resolution against a hostile tree
 * (symlinks and ".." pointing out of it), safe creation of mount points,
 * and the mount plan. Runs unprivileged: openat2 needs no capability. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "qemu_user.h"
#include "rootfs/kernfs.h"
#include "rootfs/mounts.h"
#include "rootfs/resolve.h"

static void norm(const char *name, const char *in, const char *want)
{
	char out[256];

	if (rootfs_normalize(in, out, sizeof out) < 0) {
		t_report(name, want == NULL, "\"%s\" refused", in);
		return;
	}
	if (!want)
		t_report(name, false, "\"%s\" accepted as \"%s\"", in, out);
	else
		CHECK_STR(name, out, want);
}

static char top[64];

static void path_of(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", top, rel);
}

static bool exists(const char *rel)
{
	char p[512];
	struct stat st;

	path_of(p, sizeof p, rel);
	return lstat(p, &st) == 0;
}

static void mk(const char *rel, bool dir)
{
	char p[512];

	path_of(p, sizeof p, rel);
	if (dir) {
		mkdir(p, 0755);
	} else {
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0)
			close(fd);
	}
}

static void ln(const char *target, const char *rel)
{
	char p[512];

	path_of(p, sizeof p, rel);
	if (symlink(target, p) < 0)
		perror(p);
}

/* The inode the fd refers to is the one at rel (outside or inside). */
static bool same_file(int fd, const char *rel)
{
	char p[512];
	struct stat a, b;

	path_of(p, sizeof p, rel);
	return fd >= 0 && fstat(fd, &a) == 0 && stat(p, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

static void test_resolve(void)
{
	struct step_fail f = { 0 };
	char outside[256], rootp[512], target[600];
	int rootfd, fd;

	strcpy(top, "/tmp/sbx-test-rootfs.XXXXXX");
	if (!mkdtemp(top)) {
		t_report("rootfs-tmpdir", false, "mkdtemp: %s", strerror(errno));
		return;
	}
	mk("outside", true);
	mk("outside/secret", false);
	mk("root", true);
	mk("root/real", true);
	mk("root/real/file", false);
	path_of(outside, sizeof outside, "outside");
	/* absolute and relative ways out of root/, and one that stays in */
	snprintf(target, sizeof target, "/../../../..%s", outside);
	ln(target, "root/abs");
	ln("../../../outside", "root/rel");
	ln("/real", "root/inroot");
	ln("/no-such-dir-anywhere", "root/dangling");
	path_of(rootp, sizeof rootp, "root");
	rootfd = open(rootp, O_PATH | O_DIRECTORY | O_CLOEXEC);

	fd = rootfs_open(rootfd, "/inroot/file", 0, &f);
	CHECK("resolve-symlink-inside", same_file(fd, "root/real/file"));
	if (fd >= 0)
		close(fd);
	fd = rootfs_open(rootfd, "/abs/secret", 0, &f);
	t_report("resolve-absolute-symlink-stays-in", fd < 0 && f.errnum == ENOENT,
		 "fd %d errno %d", fd, f.errnum);
	if (fd >= 0)
		close(fd);
	fd = rootfs_open(rootfd, "/rel/secret", 0, &f);
	t_report("resolve-dotdot-symlink-stays-in", fd < 0 && f.errnum == ENOENT,
		 "fd %d errno %d", fd, f.errnum);
	if (fd >= 0)
		close(fd);
	fd = rootfs_open(rootfd, "/../../../outside/secret", 0, &f);
	t_report("resolve-dotdot-path-stays-in", fd < 0 && f.errnum == ENOENT, "fd %d", fd);
	if (fd >= 0)
		close(fd);
	fd = rootfs_open(rootfd, "/../../real/file", 0, &f);
	CHECK("resolve-dotdot-clamps-at-root", same_file(fd, "root/real/file"));
	if (fd >= 0)
		close(fd);
	/* The magic link /proc/PID/root, through a root that has a procfs
	 * (the test's own "/": the temporary root has none, where any
	 * resolver fails with ENOENT): refused, while a plain file beside it
	 * opens, so the refusal is the magic link's. */
	{
		char pp[64];
		int hostroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

		snprintf(pp, sizeof pp, "/proc/%d/status", (int)getpid());
		fd = rootfs_open(hostroot, pp, 0, &f);
		if (fd < 0) {
			t_skip("resolve-no-proc-escape", "no procfs at /proc here");
		} else {
			close(fd);
			snprintf(pp, sizeof pp, "/proc/%d/root", (int)getpid());
			fd = rootfs_open(hostroot, pp, 0, &f);
			t_report("resolve-no-proc-escape", fd < 0,
				 "%s: fd %d errno %d", pp, fd, f.errnum);
			if (fd >= 0)
				close(fd);
		}
		if (hostroot >= 0)
			close(hostroot);
	}

	/* creating mount points */
	fd = rootfs_mkpath(rootfd, "/a/b/c", ROOTFS_DIR, &f);
	CHECK("mkpath-dirs", same_file(fd, "root/a/b/c"));
	if (fd >= 0)
		close(fd);
	fd = rootfs_mkpath(rootfd, "/a/b/file", ROOTFS_FILE, &f);
	{
		struct stat st;

		t_report("mkpath-file", fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode),
			 "fd %d errno %d", fd, f.errnum);
	}
	if (fd >= 0)
		close(fd);
	fd = rootfs_mkpath(rootfd, "/inroot/new", ROOTFS_DIR, &f);
	CHECK("mkpath-through-symlink-inside", same_file(fd, "root/real/new"));
	if (fd >= 0)
		close(fd);
	fd = rootfs_mkpath(rootfd, "/abs/x", ROOTFS_DIR, &f);
	t_report("mkpath-absolute-symlink-out", fd < 0 && !exists("outside/x"),
		 "fd %d, outside/x %s", fd, exists("outside/x") ? "created" : "absent");
	if (fd >= 0)
		close(fd);
	fd = rootfs_mkpath(rootfd, "/rel/y", ROOTFS_DIR, &f);
	t_report("mkpath-relative-symlink-out", fd < 0 && !exists("outside/y"),
		 "fd %d, outside/y %s", fd, exists("outside/y") ? "created" : "absent");
	if (fd >= 0)
		close(fd);
	fd = rootfs_mkpath(rootfd, "/dangling/z", ROOTFS_DIR, &f);
	t_report("mkpath-dangling-symlink", fd < 0 && f.errnum == ELOOP &&
		 strcmp(f.path, "/dangling/z") == 0, "fd %d errno %d", fd, f.errnum);
	if (fd >= 0)
		close(fd);
	CHECK("mkpath-nothing-outside", !exists("outside/x") && !exists("outside/y") &&
	      !exists("outside/z"));
	close(rootfd);

	{
		char cmd[128];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", top);
	}
}

static void test_plan(void)
{
	struct spec s;
	struct mount_spec m[2];
	struct rootfs_plan p;
	struct err e = { 0 };
	static const char *masked[] = { "/proc//kcore/", NULL };

	memset(&s, 0, sizeof s);
	memset(m, 0, sizeof m);
	strcpy(s.name, "t");
	s.namespaces = NS_DEFAULT;
	m[0].kind = MOUNT_BIND;
	m[0].source = "/tmp";
	m[0].destination = "/srv/./data/";
	m[0].readonly = true;
	m[1].kind = MOUNT_TMPFS;
	m[1].source = "tmpfs";
	m[1].destination = "/scratch";
	m[1].data = "size=8m,mode=755,noswap";
	s.mounts = m;
	s.n_mounts = 2;
	s.masked_paths.v = masked;
	s.masked_paths.n = 1;

	if (!t_report("plan-build", rootfs_plan_build(&s, &p, &e) == 0, "%s", e.msg))
		return;
	CHECK_STR("plan-dest-normalized", p.ops[0].dest, "/srv/data");
	CHECK_INT("plan-bind-readonly", p.ops[0].attrs & 1u, 1);
	CHECK_INT("plan-tmpfs-opts", p.ops[1].n_opts, 3);
	CHECK_STR("plan-tmpfs-opt-key", p.ops[1].opts[1].key, "mode");
	CHECK_STR("plan-tmpfs-opt-value", p.ops[1].opts[1].value, "755");
	CHECK("plan-tmpfs-flag", p.ops[1].opts[2].value == NULL);
	CHECK_STR("plan-masked-normalized", p.masked[0], "/proc/kcore");
	rootfs_plan_free(&p);

	/* Issue #9/#10: PID 1 touches no path of the unit; a missing source
	 * or root is the launch child's error (tests/host/launch.sh). */
	m[0].source = "/no/such/source";
	s.root = "/no/such/root";
	CHECK("plan-does-not-stat", rootfs_plan_build(&s, &p, &e) == 0);
	rootfs_plan_free(&p);

	m[0].source = "relative/source";
	CHECK("plan-relative-bind-source", rootfs_plan_build(&s, &p, &e) < 0);
	CHECK_STR("plan-relative-bind-source-msg", e.msg,
		  "bind relative/source: not an absolute path");
	m[0].source = "/tmp";
	s.root = "srv";
	CHECK("plan-relative-root", rootfs_plan_build(&s, &p, &e) < 0);
}

static void test_optional(void)
{
	CHECK("kern-optional-kcore", rootfs_kern_optional("/proc/kcore"));
	CHECK("kern-optional-powercap", rootfs_kern_optional("/sys/devices/virtual/powercap"));
	CHECK("kern-required-timer-list", !rootfs_kern_optional("/proc/timer_list"));
	CHECK("kern-required-sys", !rootfs_kern_optional("/proc/sys"));
	CHECK("kern-required-user-path", !rootfs_kern_optional("/proc/kcore/x"));
}

int main(void)
{
	norm("normalize-plain", "/a/b", "/a/b");
	norm("normalize-dots", "/a/./b//../c/", "/a/c");
	norm("normalize-dotdot-clamped", "/../../x", "/x");
	norm("normalize-root", "/", "/");
	norm("normalize-up-to-root", "/a/..", "/");
	norm("normalize-relative-refused", "a/b", NULL);
	qu_need(QU_OPENAT2);
	test_resolve();
	qu_done();
	test_plan();
	test_optional();
	return t_exit();
}
