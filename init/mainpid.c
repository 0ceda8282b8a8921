/* MAINPID= and PIDFile=: a pid in the unit's namespace mapped to PID 1's,
 * and the PID file read by a child of PID 1 (mainpid.h). */
#include "mainpid.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "notify.h"
#include "sup_int.h"
#include "../cgroup/cgroup.h"
#include "../lib/procfs.h"
#include "../rootfs/mountapi.h"

/* ---- processes of the unit ------------------------------------------------------------ */

/* The last pid of /proc/PID/status's NSpid: the process's pid in its own
 * (innermost) pid namespace; 0 when unreadable. */
static pid_t nspid_last(pid_t pid)
{
	char path[40], buf[2048];
	const char *l;
	long v = 0;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (procfs_read(AT_FDCWD, path, buf, sizeof buf) < 0 || !(l = strstr(buf, "\nNSpid:")))
		return 0;
	for (l += 7; *l && *l != '\n';) {
		char *end;

		if (*l >= '0' && *l <= '9') {
			v = strtol(l, &end, 10);
			l = end;
		} else {
			l++;
		}
	}
	return v > 0 && v <= 0x7fffffff ? (pid_t)v : 0;
}

/* The inode of /proc/PID/ns/pid (0: unreadable). */
static ino_t pidns_of(pid_t pid)
{
	char path[40];
	struct stat st;

	snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static pid_t ppid_of(pid_t pid)
{
	char path[40], buf[512];
	const char *p;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	/* "PID (comm) S PPID ...": comm may hold anything, the last ')' ends it */
	if (procfs_read(AT_FDCWD, path, buf, sizeof buf) < 0 || !(p = strrchr(buf, ')')))
		return 0;
	return (pid_t)strtol(p + 3 < buf + strlen(buf) ? p + 3 : p, NULL, 10);
}

/* The line "0::/sandboxd/web" of /proc/PID/cgroup names s's group or one
 * below it. */
static bool in_cgroup(const struct svc *s, pid_t pid)
{
	char path[40], buf[1024];
	const char *rel = s->cgroup + strlen(CG_MOUNT), *l;
	size_t n = strlen(rel);

	if (strncmp(s->cgroup, CG_MOUNT, strlen(CG_MOUNT)) != 0)
		return false;
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	if (procfs_read(AT_FDCWD, path, buf, sizeof buf) < 0)
		return false;
	for (l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (strncmp(l, "0::", 3) == 0 && strncmp(l + 3, rel, n) == 0 &&
		    (l[3 + n] == '\n' || l[3 + n] == '/' || l[3 + n] == '\0'))
			return true;
	return false;
}

bool mainpid_in_unit(const struct svc *s, pid_t pid)
{
	ino_t ns;

	if (pid <= 0)
		return false;
	if (s->cgroup[0])
		return in_cgroup(s, pid);
	if (s->pid <= 0)
		return false;
	if (pid == s->pid)
		return true;
	/* a pid namespace of the unit's own: its members are the unit's */
	ns = pidns_of(s->pid);
	if (ns && ns != pidns_of(getpid()))
		return pidns_of(pid) == ns;
	/* else a descendant of the process we launched (bounded walk up) */
	for (int i = 0; i < 64 && pid > 1; i++) {
		pid = ppid_of(pid);
		if (pid == s->pid)
			return true;
	}
	return false;
}

/* Does host pid p have pid want in the unit's namespace (ns)? */
static bool matches(pid_t p, pid_t want, ino_t ns)
{
	return nspid_last(p) == want && (!ns || pidns_of(p) == ns);
}

/* cgroup.procs of the unit's group, read in pieces (it may list many). */
static pid_t scan_cgroup(const struct svc *s, pid_t want, ino_t ns)
{
	char buf[4096];
	size_t have = 0;
	unsigned seen = 0;
	int fd = openat(s->cgroup_fd, "cgroup.procs", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	pid_t found = 0;

	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
		char *p, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
			pid_t pid = (pid_t)strtol(p, NULL, 10);

			if (++seen > MAINPID_SCAN_MAX)
				goto out;
			if (pid > 0 && matches(pid, want, ns)) {
				found = pid;
				goto out;
			}
		}
		have -= (size_t)(p - buf);
		memmove(buf, p, have);
	}
out:
	close(fd);
	return found;
}

/* s->pid and its descendants, breadth first, through
 * /proc/P/task/P/children. */
static pid_t scan_children(const struct svc *s, pid_t want, ino_t ns)
{
	static pid_t queue[MAINPID_SCAN_MAX];
	size_t head = 0, tail = 0;

	queue[tail++] = s->pid;
	while (head < tail) {
		pid_t p = queue[head++];
		char path[64], buf[4096], *c, *end;

		if (matches(p, want, ns))
			return p;
		snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)p, (int)p);
		if (procfs_read(AT_FDCWD, path, buf, sizeof buf) < 0)
			continue;
		for (c = buf; *c && tail < MAINPID_SCAN_MAX; c = end) {
			long v = strtol(c, &end, 10);

			if (end == c)
				break;
			if (v > 0)
				queue[tail++] = (pid_t)v;
		}
	}
	return 0;
}

pid_t mainpid_resolve(const struct svc *s, pid_t want)
{
	ino_t ns = 0;

	if (want <= 0)
		return 0;
	if (s->pid > 0)
		ns = pidns_of(s->pid);
	if (s->cgroup[0] && s->cgroup_fd >= 0)
		return scan_cgroup(s, want, ns);
	if (s->pid <= 0)
		return 0;
	return scan_children(s, want, ns);
}

/* ---- PIDFile= --------------------------------------------------------------------------- */

pid_t mainpid_parse(const char *text, size_t len)
{
	size_t i = 0, b;
	long long v = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
		i++;
	b = i;
	while (i < len && text[i] >= '0' && text[i] <= '9' && i - b < 10)
		v = v * 10 + (text[i++] - '0');
	if (i == b || v <= 0 || v > 0x7fffffff)
		return 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	return i == len ? (pid_t)v : 0;
}

/* What the reader child writes to its pipe, once. */
struct pf_report {
	int err;                 /* errno of the step that failed, 0: text read */
	int step;                /* which step */
	int len;
	char text[32];
};

enum { PF_ROOT, PF_GONE, PF_OPEN, PF_TYPE, PF_READ };

static const char *const pf_steps[] = {
	[PF_ROOT] = "opening the unit's root", [PF_GONE] = "the unit's process ended",
	[PF_OPEN] = "opening it", [PF_TYPE] = "looking at it", [PF_READ] = "reading it",
};

/* The child: nothing of PID 1's is used but the pipe and the pidfd; its
 * alarm bounds it whatever it waits on. */
static _Noreturn void pf_child(int wfd, int pidfd, pid_t root_pid, const char *file)
{
	struct pf_report r = { 0 };
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	sigset_t none;
	char path[40];
	struct stat st;
	int root, fd = -1, lo = wfd < pidfd ? wfd : pidfd, hi = wfd < pidfd ? pidfd : wfd;
	ssize_t n;

	sigemptyset(&none);
	signal(SIGALRM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	alarm(MAINPID_FILE_TIMEOUT_S);
	if (lo > 0)
		syscall(SYS_close_range, 0u, (unsigned)lo - 1, 0u);
	if (hi > lo + 1)
		syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0u);
	syscall(SYS_close_range, (unsigned)hi + 1, ~0u, 0u);

	snprintf(path, sizeof path, "/proc/%d/root", (int)root_pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		r.err = errno;
		r.step = PF_ROOT;
	} else if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) {
		/* the pid was reused after the process died: not its root */
		r.err = ESRCH;
		r.step = PF_GONE;
	} else if ((fd = sys_openat2(root, file, &how)) < 0) {
		r.err = errno;
		r.step = PF_OPEN;
	} else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r.err = EINVAL;
		r.step = PF_TYPE;
	} else if ((n = read(fd, r.text, sizeof r.text)) < 0) {
		r.err = errno;
		r.step = PF_READ;
	} else {
		r.len = (int)n;
	}
	if (write(wfd, &r, sizeof r) < 0)
		_exit(1);
	_exit(0);
}

static void pf_done(struct sup *sv, struct svc *s, pid_t host, const char *why)
{
	struct svc_sock *k = s->sock;

	if (k && k->pidfile_w.fd >= 0) {
		loop_del(&sv->loop, &k->pidfile_w);
		close(k->pidfile_w.fd);
		k->pidfile_w.fd = -1;
	}
	sup_main_pid_found(sv, s, host, why);
}

static void on_pidfile(struct loop_watch *w, uint32_t events)
{
	struct svc *s = w->ctx;
	struct sup *sv = sup_the;
	struct pf_report r;
	char why[128 + PATH_MAX];
	const char *file;
	ssize_t n;
	pid_t p, host;

	(void)events;
	if (w->fd < 0 || !s->sock)
		return;
	n = read(w->fd, &r, sizeof r);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	file = s->spec && s->spec->pid_file ? s->spec->pid_file : "?";
	if (n != (ssize_t)sizeof r) {
		snprintf(why, sizeof why, "PIDFile= %s could not be read within %d s", file,
			 MAINPID_FILE_TIMEOUT_S);
		pf_done(sv, s, 0, why);
		return;
	}
	if (r.step == PF_TYPE) {
		snprintf(why, sizeof why, "PIDFile= %s is not a regular file", file);
		pf_done(sv, s, 0, why);
		return;
	}
	if (r.err) {
		snprintf(why, sizeof why, "PIDFile= %s: %s: %s",
			 file, r.step >= 0 && r.step <= PF_READ ? pf_steps[r.step] : "?", strerror(r.err));
		pf_done(sv, s, 0, why);
		return;
	}
	p = mainpid_parse(r.text, r.len >= 0 && r.len <= (int)sizeof r.text ? (size_t)r.len : 0);
	if (!p) {
		snprintf(why, sizeof why, "PIDFile= %s holds no pid", file);
		pf_done(sv, s, 0, why);
		return;
	}
	if (!(host = mainpid_resolve(s, p))) {
		snprintf(why, sizeof why, "PIDFile= %s names pid %d, which is not a process of the unit",
			 file, (int)p);
		pf_done(sv, s, 0, why);
		return;
	}
	pf_done(sv, s, host, NULL);
}

/* Alive and not a zombie (a zombie has no root to open). */
static bool alive(pid_t pid)
{
	char path[40], buf[512];
	const char *p;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (pid <= 0 || procfs_read(AT_FDCWD, path, buf, sizeof buf) < 0 || !(p = strrchr(buf, ')')))
		return false;
	return p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* A process of the unit whose root is the unit's: the one PID 1
 * launched if it lives, else the main one, else the first of its cgroup. */
static pid_t root_pid(const struct svc *s)
{
	char buf[64];
	int fd;
	ssize_t n;

	if (alive(s->pid))
		return s->pid;
	if (alive(s->main_pid))
		return s->main_pid;
	if (!s->cgroup[0] || s->cgroup_fd < 0)
		return 0;
	fd = openat(s->cgroup_fd, "cgroup.procs", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

int mainpid_file_begin(struct sup *sv, struct svc *s)
{
	struct svc_sock *k = s->sock;
	const char *why = NULL;
	int p[2], pidfd;
	pid_t rp, child;
	struct err e;

	if (!s->spec || !s->spec->pid_file)
		why = "no PIDFile= set";
	else if (!k)
		why = "the unit is not up";
	else if (!(rp = root_pid(s)))
		why = "no process of the unit is left to read PIDFile= in";
	if (why) {
		sup_main_pid_found(sv, s, 0, why);
		return -1;
	}
	if (k->pidfile_w.fd >= 0) {
		loop_del(&sv->loop, &k->pidfile_w);
		close(k->pidfile_w.fd);
		k->pidfile_w.fd = -1;
	}
	pidfd = (int)syscall(SYS_pidfd_open, rp, 0);
	/* checked with the pidfd held: rp cannot be reused from here on */
	if (pidfd >= 0 && !mainpid_in_unit(s, rp)) {
		close(pidfd);
		pidfd = -1;
	}
	if (pidfd < 0) {
		sup_main_pid_found(sv, s, 0, "reading PIDFile=: the unit's process ended");
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		close(pidfd);
		sup_main_pid_found(sv, s, 0, "reading PIDFile=: cannot make a pipe");
		return -1;
	}
	child = fork();
	if (child == 0)
		pf_child(p[1], pidfd, rp, s->spec->pid_file);
	close(p[1]);
	close(pidfd);
	if (child < 0) {
		close(p[0]);
		sup_main_pid_found(sv, s, 0, "reading PIDFile=: cannot fork");
		return -1;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	k->pidfile_w = (struct loop_watch){ .fd = p[0], .fn = on_pidfile, .ctx = s };
	if (loop_add(&sv->loop, &k->pidfile_w, EPOLLIN, &e) < 0) {
		close(p[0]);
		k->pidfile_w.fd = -1;
		sup_main_pid_found(sv, s, 0, "reading PIDFile=: cannot watch the reader");
		return -1;
	}
	return 0;
}
