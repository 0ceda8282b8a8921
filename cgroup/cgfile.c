#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "config.h"

#if CONFIG_CGROUPS
#include "cgfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "../lib/clock.h"

const char *cgf_name(int dirfd, const char *dir, const char *file, char *buf, size_t len)
{
	char link[32], target[PATH_MAX];
	ssize_t n = -1;

	if (!dir) {
		snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
		n = readlink(link, target, sizeof target - 1);
		if (n >= 0) {
			target[n] = '\0';
			dir = target;
		}
	}
	if (dir)
		snprintf(buf, len, "%s/%s", dir, file);
	else
		snprintf(buf, len, "%s (in cgroup fd %d)", file, dirfd);
	return buf;
}

int cgf_read(int dirfd, const char *dir, const char *file, char *buf, size_t len,
	     struct err *e)
{
	char name[ERR_MSG_MAX];
	size_t got = 0;
	ssize_t n;
	int fd, saved;

	fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	/* Files like cgroup.events are generated per read: read until EOF. */
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail_fd;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == len - 1) {
		char c;

		n = read(fd, &c, 1);
		if (n != 0) {
			errno = n > 0 ? E2BIG : errno;
			goto fail_fd;
		}
	}
	close(fd);
	buf[got] = '\0';
	return (int)got;

fail_fd:
	saved = errno;
	close(fd);
	errno = saved;
fail:
	saved = errno;
	buf[0] = '\0';
	return err_set(e, saved, "cgroup: reading %s",
		       cgf_name(dirfd, dir, file, name, sizeof name));
}

int cgf_write(int dirfd, const char *dir, const char *file, const char *val,
	      struct err *e)
{
	char name[ERR_MSG_MAX];
	size_t len = strlen(val);
	ssize_t n;
	int fd, saved;

	fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	do
		n = write(fd, val, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		saved = n < 0 ? errno : EIO;
		close(fd);
		errno = saved;
		goto fail;
	}
	close(fd);
	return 0;

fail:
	saved = errno;
	return err_set(e, saved, "cgroup: writing \"%s\" to %s", val,
		       cgf_name(dirfd, dir, file, name, sizeof name));
}

int cgf_key_u64(const char *text, const char *key, uint64_t *v)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (*p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			const char *num = p + klen + 1;
			char *end;
			unsigned long long x;

			if (*num < '0' || *num > '9')
				return -1;
			errno = 0;
			x = strtoull(num, &end, 10);
			if (errno || (*end != '\n' && *end != '\0'))
				return -1;
			*v = x;
			return 0;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return -1;
}

bool cgf_has_word(const char *list, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = list;

	while (*p) {
		size_t n;

		while (*p == ' ' || *p == '\n')
			p++;
		n = strcspn(p, " \n");
		if (n == wlen && strncmp(p, word, n) == 0)
			return true;
		p += n;
	}
	return false;
}

/* getdents64's record: the libcs disagree on exposing it, the kernel not. */
struct cgf_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int cgf_for_children(int dirfd, int (*fn)(int dirfd, const char *name, void *ctx),
		     void *ctx, struct err *e)
{
	char name[ERR_MSG_MAX];
	_Alignas(8) char buf[1024];
	int fd, saved;
	long n;

	/* A private fd: the caller's dirfd keeps its offset, and a walk can be
	 * restarted from a fresh one. */
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	for (;;) {
		n = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail_fd;
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct cgf_dirent64 *d = (struct cgf_dirent64 *)(buf + off);

			off += d->d_reclen;
			if (d->d_type != DT_DIR || strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0)
				continue;
			if (fn(fd, d->d_name, ctx) < 0) {
				close(fd);
				return -1;
			}
		}
	}
	close(fd);
	return 0;

fail_fd:
	saved = errno;
	close(fd);
	errno = saved;
fail:
	saved = errno;
	return err_set(e, saved, "cgroup: listing %s",
		       cgf_name(dirfd, NULL, ".", name, sizeof name));
}

uint64_t cgf_now_ms(void)
{
	return (uint64_t)clock_mono_ms();
}

void cgf_nap_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
#endif
