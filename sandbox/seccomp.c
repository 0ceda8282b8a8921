#include "seccomp.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#if CONFIG_SECCOMP
#include <seccomp.h>

static const char *const always_allow[] = { "execve", "exit", "exit_group", "rt_sigreturn" };

static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, struct err *e)
{
	int nr = seccomp_syscall_resolve_name(name), r;

	if (nr == __NR_SCMP_ERROR)
		return err_set(e, 0, "seccomp: unknown system call %s", name);
	r = seccomp_rule_add(ctx, action, nr, 0);
	/* -EEXIST: listed twice; a negative nr is a call this architecture
	 * does not have (socketcall on x86-64): nothing to filter. */
	if (r == 0 || r == -EEXIST || (nr < 0 && r == -EDOM))
		return 0;
	return err_set(e, -r, "seccomp: add a rule for %s", name);
}

int sbx_seccomp_compile(const struct seccomp_rules *r, struct sbx_bpf *out, struct err *e)
{
	uint32_t action = r->kill ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO((uint32_t)r->errnum);
	scmp_filter_ctx ctx;
	int fd = -1, rc = -1;
	off_t size;

	memset(out, 0, sizeof *out);
	ctx = seccomp_init(r->allow_list ? action : SCMP_ACT_ALLOW);
	if (!ctx)
		return err_set(e, ENOMEM, "seccomp: create a filter");
	/* The context holds only the native architecture, so every other one
	 * (i386 via int 0x80) takes the bad-arch action; libseccomp also
	 * rejects x32 numbers (>= 0x40000000) on x86-64 that way. Make that
	 * action a kill of the whole process, not just the thread. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0) {
		err_set(e, EINVAL, "seccomp: set the filter's attributes");
		goto out;
	}
	for (size_t i = 0; i < r->names.n; i++)
		if (add_rule(ctx, r->allow_list ? SCMP_ACT_ALLOW : action, r->names.v[i], e) < 0)
			goto out;
	if (r->allow_list)
		for (size_t i = 0; i < sizeof always_allow / sizeof always_allow[0]; i++)
			if (add_rule(ctx, SCMP_ACT_ALLOW, always_allow[i], e) < 0)
				goto out;

	/* libseccomp 2.5 exports only to an fd: a memfd, read back here. */
	fd = (int)syscall(SYS_memfd_create, "seccomp-bpf", 1u /* MFD_CLOEXEC */);
	if (fd < 0) {
		err_set(e, errno, "seccomp: memfd_create");
		goto out;
	}
	if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
		err_set(e, -rc, "seccomp: export the filter");
		rc = -1;
		goto out;
	}
	rc = -1;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS) {
		err_set(e, size < 0 ? errno : E2BIG, "seccomp: filter of %lld bytes",
			(long long)size);
		goto out;
	}
	out->insns = malloc((size_t)size);
	if (!out->insns) {
		err_set(e, ENOMEM, "seccomp: filter of %lld bytes", (long long)size);
		goto out;
	}
	if (pread(fd, out->insns, (size_t)size, 0) != size) {
		err_set(e, errno, "seccomp: read the filter back");
		sbx_bpf_free(out);
		goto out;
	}
	out->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return rc;
}

#else

int sbx_seccomp_compile(const struct seccomp_rules *r, struct sbx_bpf *out, struct err *e)
{
	(void)r;
	memset(out, 0, sizeof *out);
	return err_set(e, 0, "this build has no seccomp support (CONFIG_SECCOMP), "
		       "but the unit filters system calls");
}

#endif

/* ---- the on-disk cache ---- */

#define CACHE_TEXT_MAX 65536

/* The rules as text, the cache key: everything the filter depends on. */
static char *rules_text(const struct seccomp_rules *r, size_t *len)
{
	size_t n = 128;
	char *t, *p;
	int k;

	for (size_t i = 0; i < r->names.n; i++)
		n += strlen(r->names.v[i]) + 1;
	if (n > CACHE_TEXT_MAX || !(t = malloc(n)))
		return NULL;
#if CONFIG_SECCOMP
	const struct scmp_version *v = seccomp_version();

	k = snprintf(t, n, "sandboxd-bpf 1 x86_64 libseccomp %u.%u.%u allow=%d kill=%d errno=%d\n",
		     v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0, r->allow_list, r->kill,
		     r->errnum);
#else
	k = snprintf(t, n, "sandboxd-bpf 1 none\n");
#endif
	p = t + k;
	for (size_t i = 0; i < r->names.n; i++) {
		size_t l = strlen(r->names.v[i]);

		memcpy(p, r->names.v[i], l);
		p[l] = '\n';
		p += l + 1;
	}
	*p = '\0';
	*len = (size_t)(p - t);
	return t;
}

static bool private_to_us(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & 022);
}

static int cache_load(int dfd, const char *name, const char *text, size_t tlen,
		      struct sbx_bpf *out)
{
	struct stat st;
	size_t blen;
	char *buf;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !private_to_us(&st) ||
	    (size_t)st.st_size <= tlen + 1 ||
	    (size_t)st.st_size > tlen + 1 + BPF_MAXINSNS * sizeof(struct sock_filter)) {
		close(fd);
		return -1;
	}
	blen = (size_t)st.st_size - tlen - 1;
	buf = malloc((size_t)st.st_size);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size ||
	    memcmp(buf, text, tlen + 1) != 0 || blen % sizeof(struct sock_filter)) {
		free(buf);
		close(fd);
		return -1;
	}
	close(fd);
	memmove(buf, buf + tlen + 1, blen);
	out->insns = (struct sock_filter *)(void *)buf;
	out->len = (unsigned short)(blen / sizeof(struct sock_filter));
	return 0;
}

static void cache_store(int dfd, const char *name, const char *text, size_t tlen,
			const struct sbx_bpf *b)
{
	char tmp[64];
	size_t blen = b->len * sizeof(struct sock_filter);
	int fd;

	snprintf(tmp, sizeof tmp, ".%s.%d", name, (int)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, text, tlen + 1) != (ssize_t)(tlen + 1) ||
	    write(fd, b->insns, blen) != (ssize_t)blen || close(fd) < 0 ||
	    renameat(dfd, tmp, dfd, name) < 0)
		unlinkat(dfd, tmp, 0);
}

/* dir, made (0700) when missing, if it and its parent are ours alone. */
static int cache_dir(const char *dir)
{
	char parent[256];
	struct stat st;
	const char *slash = strrchr(dir, '/');
	int fd;

	if (!slash || slash == dir || (size_t)(slash - dir) >= sizeof parent)
		return -1;
	memcpy(parent, dir, (size_t)(slash - dir));
	parent[slash - dir] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir(parent, 0755) < 0 && errno != EEXIST)
			return -1;
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -1;
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !private_to_us(&st) || lstat(parent, &st) < 0 ||
	    !S_ISDIR(st.st_mode) || !private_to_us(&st)) {
		close(fd);
		return -1;
	}
	return fd;
}

int sbx_seccomp_compile_cached(const struct seccomp_rules *r, const char *dir,
			       struct sbx_bpf *out, struct err *e)
{
	uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a: only names the file */
	char name[32];
	size_t tlen = 0;
	char *text = rules_text(r, &tlen);
	int dfd = text ? cache_dir(dir) : -1, rc;

	if (dfd < 0) {
		free(text);
		return sbx_seccomp_compile(r, out, e);
	}
	for (size_t i = 0; i < tlen; i++)
		h = (h ^ (unsigned char)text[i]) * 0x100000001b3ull;
	snprintf(name, sizeof name, "%016llx.bpf", (unsigned long long)h);
	rc = cache_load(dfd, name, text, tlen, out);
	if (rc < 0) {
		rc = sbx_seccomp_compile(r, out, e);
		if (rc == 0)
			cache_store(dfd, name, text, tlen, out);
	}
	close(dfd);
	free(text);
	return rc;
}

void sbx_bpf_free(struct sbx_bpf *b)
{
	free(b->insns);
	b->insns = NULL;
	b->len = 0;
}

int sbx_seccomp_load(const struct sbx_bpf *b)
{
	struct sock_fprog prog = { .len = b->len, .filter = b->insns };

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}
