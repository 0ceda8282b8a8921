/* EnvironmentFile= and NOTIFY_SOCKET= in the launch child. See
 * envfile_read.h. The files are the host's (root's configuration), but a
 * path may lead into a tree a unit writes (its RootDirectory=, a
 * StateDirectory=): symlinks are followed as systemd does, magic links
 * never; the file is reached O_PATH, must be a regular file no larger
 * than SBX_ENVFILE_MAX, and only then is read, through that fd, without
 * blocking (no FIFO, no device is ever opened for reading). */
#include "envfile_read.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/envfile.h"
#include "../rootfs/mountapi.h"

/* .bss of the child's copy: nothing allocated between clone and exec */
static char file_text[SBX_ENVFILE_MAX + 1];
static char text[SBX_ENV_TEXT];
static size_t text_used;
static const char *vars[SBX_ENV_MAX + 1];
static size_t n_vars;
static bool overflow;

/* KEY=VALUE replaces the variable of the same KEY, else is appended. kv
 * is copied when it is not the spec's own (copy). */
static void set_var(const char *kv, size_t len, bool copy)
{
	size_t klen = strcspn(kv, "="), i;
	const char *v = kv;

	if (copy) {
		if (len + 1 > sizeof text - text_used) {
			overflow = true;
			return;
		}
		memcpy(text + text_used, kv, len);
		text[text_used + len] = '\0';
		v = text + text_used;
		text_used += len + 1;
	}
	for (i = 0; i < n_vars; i++)
		if (strncmp(vars[i], kv, klen + 1) == 0) {
			vars[i] = v;
			return;
		}
	if (n_vars >= SBX_ENV_MAX) {
		overflow = true;
		return;
	}
	vars[n_vars++] = v;
}

static void add_cb(void *ctx, const char *kv, size_t len)
{
	(void)ctx;
	set_var(kv, len, true);
}

/* The file's text into file_text; 1: missing and optional; -1: f. */
static int read_file(const char *path, bool optional, size_t *len, struct step_fail *f)
{
	static const char step[] = "read the environment file";
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	char self[40];
	int pfd, fd, err;
	size_t got = 0;
	ssize_t n;

	pfd = sys_openat2(AT_FDCWD, path, &how);
	if (pfd < 0) {
		if (optional && errno == ENOENT)
			return 1;
		return step_failed(f, step, path, errno);
	}
	if (fstat(pfd, &st) < 0)
		err = errno;
	else if (S_ISDIR(st.st_mode))
		err = EISDIR;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL;
	else if (st.st_size > SBX_ENVFILE_MAX)
		err = EFBIG;
	else
		err = 0;
	if (err) {
		close(pfd);
		return step_failed(f, err == EINVAL ? "read the environment file (not a regular "
				   "file)" : step, path, err);
	}
	/* reopen what was checked: the fd's magic link names that inode,
	 * and only a regular file is behind it */
	memcpy(self, "/proc/self/fd/", 14);
	{
		char num[12];
		int k = 0, v = pfd;

		do
			num[k++] = (char)('0' + v % 10);
		while ((v /= 10) && k < 11);
		for (int i = 0; i < k; i++)
			self[14 + i] = num[k - 1 - i];
		self[14 + k] = '\0';
	}
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	err = errno;
	close(pfd);
	if (fd < 0)
		return step_failed(f, step, path, err);
	while (got < SBX_ENVFILE_MAX + 1 &&
	       (n = read(fd, file_text + got, SBX_ENVFILE_MAX + 1 - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			close(fd);
			return step_failed(f, step, path, err);
		}
		got += (size_t)n;
	}
	close(fd);
	if (got > SBX_ENVFILE_MAX)   /* it grew since fstat */
		return step_failed(f, step, path, EFBIG);
	*len = got;
	return 0;
}

int sbx_env_build(const struct spec *s, const char *notify, const char *const **envp,
		  struct step_fail *f)
{
	static const char notify_key[] = "NOTIFY_SOCKET=";

	if (!s->env_files.n && !notify)
		return 0;
	n_vars = text_used = 0;
	overflow = false;
	for (size_t i = 0; i < s->env.n; i++)
		set_var(s->env.v[i], strlen(s->env.v[i]), false);
	for (size_t i = 0; i < s->env_files.n; i++) {
		const char *path = s->env_files.v[i];
		bool optional = path[0] == '-';
		size_t len = 0;
		int r;

		if (optional)
			path++;
		r = read_file(path, optional, &len, f);
		if (r < 0)
			return -1;
		if (r == 0)
			envfile_parse(file_text, len, add_cb, NULL);
		if (overflow)
			return step_failed(f, "read the environment file", path, E2BIG);
	}
	if (notify) {
		size_t k = sizeof notify_key - 1, v = strlen(notify);

		if (k + v + 1 > sizeof text - text_used)
			return step_failed(f, "set NOTIFY_SOCKET", notify, E2BIG);
		memcpy(text + text_used, notify_key, k);
		memcpy(text + text_used + k, notify, v + 1);
		set_var(text + text_used, k + v, false);
		text_used += k + v + 1;
		if (overflow)
			return step_failed(f, "set NOTIFY_SOCKET", notify, E2BIG);
	}
	vars[n_vars] = NULL;
	*envp = vars;
	return 0;
}
