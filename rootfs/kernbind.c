#include "kernbind.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "../lib/procfs.h"

/* File systems that are the kernel's knobs or other units' limits. */
static const char *const kernel_fs[] = {
	"proc", "sysfs", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs", "bpf",
	"pstore", "efivarfs", "configfs", "binfmt_misc", "fusectl",
};

static bool is_kernel_fs(const char *type)
{
	for (size_t i = 0; i < sizeof kernel_fs / sizeof kernel_fs[0]; i++)
		if (strcmp(type, kernel_fs[i]) == 0)
			return true;
	return false;
}


/* Fields 5 (the mount point) and the one after " - " (the type). */
static bool parse_line(char *line, char **mp, char **type)
{
	char *sep = strstr(line, " - "), *save = NULL, *tok;
	int n = 0;

	if (!sep)
		return false;
	*sep = '\0';
	*mp = NULL;
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (++n == 5)
			*mp = tok;
	*type = strtok_r(sep + 3, " ", &save);
	if (!*mp || !*type)
		return false;
	mountinfo_unescape(*mp);
	return true;
}

/* Whether the mount at mp lies at or below src, or src inside it. */
static bool related(const char *src, size_t slen, const char *mp)
{
	size_t mlen = strlen(mp);

	if (slen == 1 || (mlen == slen && strncmp(src, mp, slen) == 0))   /* "/" holds all */
		return true;
	if (mlen > slen && strncmp(mp, src, slen) == 0 && mp[slen] == '/')
		return true;   /* below the source: carried by the recursive bind */
	return mlen == 1 || (slen > mlen && strncmp(src, mp, mlen) == 0 && src[mlen] == '/');
}

/* The refusal, as the launch child reports it: step "bind" or "root",
 * path "SRC: holds the kernel's TYPE file system at MP (...)", EPERM. In
 * .bss of the child's copy: no allocation, no stdio there. */
static char refusal[400];

static size_t append(size_t at, const char *str)
{
	while (*str && at + 1 < sizeof refusal)
		refusal[at++] = *str++;
	refusal[at] = '\0';
	return at;
}

static int check_one(const char *what, const char *src, const char *mp, const char *type,
		     struct step_fail *f)
{
	size_t slen = strlen(src), at;

	while (slen > 1 && src[slen - 1] == '/')
		slen--;
	if (!related(src, slen, mp))
		return 0;
	at = append(0, src);
	at = append(at, ": holds the kernel's ");
	at = append(at, type);
	at = append(at, " file system at ");
	at = append(at, mp);
	append(at, " (no kernel file system is ever bound into a unit)");
	return step_failed(f, what, refusal, EPERM);
}

static int check_line(const struct rootfs_plan *p, char *line, struct step_fail *f)
{
	char *mp, *type;

	if (!parse_line(line, &mp, &type) || !is_kernel_fs(type))
		return 0;
	/* The root is bound recursively too: a kernel mount inside it
	 * (other than where the sandbox mounts its own /proc and /sys, which
	 * covers it) would come with it. */
	if (p->root && check_one("root", p->root, mp, type, f) < 0) {
		size_t rl = strlen(p->root);
		bool under = strncmp(mp, p->root, rl) == 0;
		const char *in = under ? mp + rl : "";
		bool covered = under && (strcmp(in, "/proc") == 0 || strcmp(in, "/sys") == 0 ||
					 strncmp(in, "/sys/", 5) == 0);

		if (!covered)
			return -1;
	}
	for (size_t i = 0; i < p->n_ops; i++)
		if (p->ops[i].kind == ROOTFS_OP_BIND &&
		    check_one("bind", p->ops[i].source, mp, type, f) < 0)
			return -1;
	return 0;
}

int rootfs_check_bind_sources(const struct rootfs_plan *p, struct step_fail *f)
{
	char buf[8192], line[4096];
	size_t ll = 0;
	bool skip = false, any = false;
	ssize_t n;
	int fd, rc = 0;

	for (size_t i = 0; i < p->n_ops; i++)
		any |= p->ops[i].kind == ROOTFS_OP_BIND;
	if (!any && !p->root)
		return 0;
	fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return step_failed(f, "read the mount table to check the bind sources",
				   "/proc/self/mountinfo", errno);
	while (rc == 0 && (n = read(fd, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n && rc == 0; i++) {
			if (buf[i] != '\n') {
				if (ll + 1 < sizeof line)
					line[ll++] = buf[i];
				else
					skip = true;   /* a mount point past 4 KiB */
				continue;
			}
			line[ll] = '\0';
			if (!skip)
				rc = check_line(p, line, f);
			ll = 0;
			skip = false;
		}
	}
	if (rc == 0 && n < 0)
		rc = step_failed(f, "read the mount table to check the bind sources",
				 "/proc/self/mountinfo", errno);
	close(fd);
	return rc;
}

bool rootfs_on_kernel_fs(int fd)
{
	/* <linux/magic.h>: proc, sysfs, cgroup, cgroup2, debugfs, tracefs,
	 * securityfs, bpf, pstore, efivarfs, configfs, binfmt_misc, fusectl */
	static const unsigned long magic[] = {
		0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x64626720, 0x74726163, 0x73636673,
		0xcafe4a11, 0x6165676c, 0xde5e81e4, 0x62656570, 0x42494e4d, 0x65735543,
	};
	struct statfs st;

	if (fstatfs(fd, &st) < 0)
		return true;   /* cannot tell: not bound */
	for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++)
		if ((unsigned long)st.f_type == magic[i])
			return true;
	return false;
}
