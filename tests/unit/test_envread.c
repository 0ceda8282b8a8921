/* EnvironmentFile= and NOTIFY_SOCKET= as the launch child builds them
 * (sandbox/envfile_read.c), as root on this host: the precedence
 * (systemd's: files over Environment=, later files over earlier), "-" and
 * a missing file, what is refused without hanging (a FIFO, a folder, a
 * file over the bound), a symlink followed as systemd does, and where
 * NOTIFY_SOCKET points with and without a mount namespace. Each check
 * reads the service's own `env`. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "qemu_user.h"
#include "sandbox/envfile_read.h"
#include "sandbox/launch.h"

#define BB "/bin/busybox"

static char dir[] = "/var/tmp/sbx-envread.XXXXXX";

static void base_spec(struct spec *s, const char **env, size_t n_env)
{
	static const char *argv[] = { BB, "sh", "-c", BB " env | " BB " sort", NULL };

	memset(s, 0, sizeof *s);
	strcpy(s->name, "t");
	s->args.v = argv;
	s->args.n = 4;
	s->env.v = env;
	s->env.n = n_env;
	s->cwd = "/";
	s->umask = 022;
	s->namespaces = NS_BIT(NS_PID) | NS_BIT(NS_MOUNT) | NS_BIT(NS_IPC) | NS_BIT(NS_UTS);
	s->hostname = "t";
	s->no_new_privs = true;
}

static void put_file(const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fp = fopen(path, "w"))) {
		fputs(text, fp);
		fclose(fp);
	}
}

/* Launch s with files (NULL-ended names in dir, "-" kept) and notify; the
 * service's sorted env into out. Returns the launch's result. */
static int run(struct spec *s, const char *const *files, const char *notify, char *out,
	       size_t len, struct err *e, struct sbx_child *c)
{
	static char paths[8][160];
	static const char *v[9];
	struct sbx_launch_opts o = SBX_LAUNCH_OPTS_INIT;
	size_t n = 0, got = 0;
	ssize_t r;
	int st;

	for (; files && files[n] && n < 8; n++) {
		bool opt = files[n][0] == '-';

		snprintf(paths[n], sizeof paths[n], "%s%s/%s", opt ? "-" : "", dir, files[n] + opt);
		v[n] = paths[n];
	}
	v[n] = NULL;
	s->env_files.v = v;
	s->env_files.n = n;
	o.stdio[0] = SBX_STDIO_NULL;
	o.stdio[1] = SBX_STDIO_PIPE;
	o.notify_sock = notify;
	out[0] = '\0';
	if (sbx_launch(s, &o, c, e) < 0)
		return -1;
	while (got + 1 < len && (r = read(c->stdio[1], out + got, len - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(c->stdio[1]);
	waitpid(c->pid, &st, 0);
	close(c->pidfd);
	return sbx_exit_code(st);
}

static void test_precedence(void)
{
	static const char *env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "A=env", "B=env",
				     "C=env", NULL };
	static const char *const files[] = { "one", "-missing", "two", NULL };
	struct sbx_child c;
	struct spec s;
	struct err e = { 0 };
	char out[2048];
	int code;

	put_file("one", "# comment\nB=one\nC=one\nE='quoted  value'\n");
	put_file("two", "C=two\nF=\"a \\\"b\\\"\"\n");
	base_spec(&s, env, 4);
	code = run(&s, files, NULL, out, sizeof out, &e, &c);
	t_report("envfile-precedence", code == 0 && strcmp(out, "A=env\nB=one\nC=two\n"
							  "E=quoted  value\nF=a \"b\"\n"
							  "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
							  "PWD=/\nSHLVL=1\n") == 0,
		 "code %d (%s), env:\n%s", code, code < 0 ? e.msg : "", out);
}

static void test_refused(void)
{
	static const char *env[] = { "PATH=/bin", NULL };
	static const char *const missing[] = { "missing", NULL };
	static const char *const fifo[] = { "fifo", NULL };
	static const char *const folder[] = { "-folder", NULL };
	static const char *const big[] = { "big", NULL };
	static const char *const link[] = { "link", NULL };
	struct sbx_child c;
	struct spec s;
	struct err e = { 0 };
	char out[1024], want[256], path[128];
	int code;

	base_spec(&s, env, 1);
	code = run(&s, missing, NULL, out, sizeof out, &e, &c);
	snprintf(want, sizeof want, "t: read the environment file %s/missing", dir);
	t_report("envfile-missing-fails", code == -1 && e.errnum == ENOENT &&
		 strcmp(e.msg, want) == 0 && c.exit_code == SBX_EXIT_SETUP,
		 "code %d errno %d: %s", code, e.errnum, e.msg);

	/* a FIFO nobody writes: refused, never opened for reading */
	snprintf(path, sizeof path, "%s/fifo", dir);
	mkfifo(path, 0644);
	code = run(&s, fifo, NULL, out, sizeof out, &e, &c);
	t_report("envfile-fifo-refused", code == -1 && strstr(e.msg, "not a regular file"),
		 "code %d: %s", code, e.msg);

	/* "-" forgives a missing file only */
	snprintf(path, sizeof path, "%s/folder", dir);
	mkdir(path, 0755);
	code = run(&s, folder, NULL, out, sizeof out, &e, &c);
	t_report("envfile-folder-refused", code == -1 && e.errnum == EISDIR, "code %d: %s", code,
		 e.msg);

	{
		static char text[SBX_ENVFILE_MAX + 2];

		memset(text, '#', sizeof text - 1);
		put_file("big", text);
	}
	code = run(&s, big, NULL, out, sizeof out, &e, &c);
	t_report("envfile-too-big-refused", code == -1 && e.errnum == EFBIG, "code %d: %s", code,
		 e.msg);

	/* systemd follows a symlink here: root's configuration */
	put_file("target", "LINKED=yes\n");
	snprintf(path, sizeof path, "%s/link", dir);
	if (symlink("target", path) < 0)
		perror("symlink");
	code = run(&s, link, NULL, out, sizeof out, &e, &c);
	t_report("envfile-symlink-followed", code == 0 && strstr(out, "LINKED=yes\n"),
		 "code %d (%s): %s", code, code < 0 ? e.msg : "", out);
}

static void test_notify(void)
{
	static const char *env[] = { "PATH=/bin", "NOTIFY_SOCKET=/elsewhere", NULL };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct sbx_child c;
	struct spec s;
	struct err e = { 0 };
	char out[1024], want[200];
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), code;

	snprintf(a.sun_path, sizeof a.sun_path, "%s/notify.sock", dir);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		t_report("notify-socket-env", false, "bind %s: %s", a.sun_path, strerror(errno));
		return;
	}
	base_spec(&s, env, 2);
	code = run(&s, NULL, a.sun_path, out, sizeof out, &e, &c);
	t_report("notify-socket-env", code == 0 && strstr(out, "NOTIFY_SOCKET=" SBX_NOTIFY_PATH "\n"),
		 "code %d (%s): %s", code, code < 0 ? e.msg : "", out);
	/* without a mount namespace: PID 1's own path */
	base_spec(&s, env, 2);
	s.namespaces &= ~NS_BIT(NS_MOUNT);
	code = run(&s, NULL, a.sun_path, out, sizeof out, &e, &c);
	snprintf(want, sizeof want, "NOTIFY_SOCKET=%s\n", a.sun_path);
	t_report("notify-socket-env-no-mountns", code == 0 && strstr(out, want),
		 "code %d (%s): %s", code, code < 0 ? e.msg : "", out);
	/* and none without one */
	base_spec(&s, env, 2);
	code = run(&s, NULL, NULL, out, sizeof out, &e, &c);
	t_report("notify-socket-env-none", code == 0 && strstr(out, "NOTIFY_SOCKET=/elsewhere\n"),
		 "code %d (%s): %s", code, code < 0 ? e.msg : "", out);
	close(fd);
}

int main(void)
{
	char cmd[128];

	if (geteuid() != 0 || access(BB, X_OK) < 0) {
		t_skip("envfile", "needs root and busybox-static");
		return t_exit();
	}
	if (!mkdtemp(dir)) {
		t_report("envfile", false, "mkdtemp: %s", strerror(errno));
		return t_exit();
	}
	qu_need(QU_CLONE3);
	test_precedence();
	test_refused();
	test_notify();
	qu_done();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	return t_exit();
}
