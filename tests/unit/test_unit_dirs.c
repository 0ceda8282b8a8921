/* Issue #11, helper "dirs": the parser's side of RuntimeDirectory= ...
 * ConfigurationDirectory=, their modes, RuntimeDirectoryPreserve=,
 * ReadWritePaths=, InaccessiblePaths=, NoExecPaths=, ExecPaths= and tmpfs
 * uid=/gid= names; and the mount plan built from them (parent side, no
 * file system access). */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "../../config/unit.h"
#include "../../rootfs/mountapi.h"
#include "../../rootfs/mounts.h"

static char msgs[16384];

static void collect(void *ctx, const char *msg)
{
	(void)ctx;
	size_t n = strlen(msgs);

	snprintf(msgs + n, sizeof msgs - n, "%s\n", msg);
}

static struct diag d = { .emit = collect };

static struct spec *parse(const char *text)
{
	msgs[0] = '\0';
	d.count = 0;
	return unit_parse_text("web", "web.unit", text, &d);
}

static void rejects(const char *name, const char *text, const char *want)
{
	char w[1024];
	struct spec *s = parse(text);

	snprintf(w, sizeof w, "%s\n", want);
	if (s) {
		t_report(name, false, "accepted");
		spec_free(s);
		return;
	}
	CHECK_STR(name, msgs, w);
}

#define EXEC "[Service]\nExecStart=/bin/true\n"

static void test_dirs(void)
{
	struct spec *s = parse(EXEC
		"RuntimeDirectory=redis redis/sub\n"
		"RuntimeDirectory=redis\n"
		"RuntimeDirectoryMode=0750\n"
		"StateDirectory=redis\n"
		"RuntimeDirectoryPreserve=restart\n"
		"[Sandbox]\n"
		"CacheDirectory=c\n"
		"LogsDirectory=l\n"
		"LogsDirectoryMode=2750\n"
		"ConfigurationDirectory=cfg\n");

	if (!t_report("dirs-parse", s != NULL, "%s", msgs))
		return;
	CHECK_INT("dirs-runtime-n", s->dirs[EXEC_DIR_RUNTIME].names.n, 2);
	CHECK_STR("dirs-runtime-2", s->dirs[EXEC_DIR_RUNTIME].names.v[1], "redis/sub");
	CHECK_INT("dirs-runtime-mode", s->dirs[EXEC_DIR_RUNTIME].mode, 0750);
	CHECK_INT("dirs-state-mode-default", s->dirs[EXEC_DIR_STATE].mode, 0755);
	CHECK_INT("dirs-logs-mode", s->dirs[EXEC_DIR_LOGS].mode, 02750);
	CHECK_STR("dirs-cache", s->dirs[EXEC_DIR_CACHE].names.v[0], "c");
	CHECK_STR("dirs-config", s->dirs[EXEC_DIR_CONFIGURATION].names.v[0], "cfg");
	CHECK_INT("dirs-preserve", s->runtime_preserve, EXEC_PRESERVE_RESTART);
	spec_free(s);

	s = parse(EXEC "RuntimeDirectory=a\nRuntimeDirectory=\nRuntimeDirectory=b\n"
		  "RuntimeDirectoryPreserve=yes\n");
	if (t_report("dirs-reset", s && s->dirs[EXEC_DIR_RUNTIME].names.n == 1 &&
		     strcmp(s->dirs[EXEC_DIR_RUNTIME].names.v[0], "b") == 0 &&
		     s->runtime_preserve == EXEC_PRESERVE_YES, "%s", msgs))
		spec_free(s);

	rejects("dirs-absolute", EXEC "StateDirectory=/var/lib/x\n",
		"web.unit:3: [Service] StateDirectory: \"/var/lib/x\": not a relative path "
		"(relative paths such as redis or nginx/tmp)");
	rejects("dirs-dotdot", EXEC "StateDirectory=a/../../etc\n",
		"web.unit:3: [Service] StateDirectory: \"a/../../etc\": \".\" and \"..\" "
		"components are not allowed (relative paths such as redis or nginx/tmp)");
	rejects("dirs-empty-component", EXEC "CacheDirectory=a//b\n",
		"web.unit:3: [Service] CacheDirectory: \"a//b\": empty path component "
		"(relative paths such as redis or nginx/tmp)");
	rejects("dirs-link-form", EXEC "LogsDirectory=a:b\n",
		"web.unit:3: [Service] LogsDirectory: \"a:b\": the NAME:LINK form (a symlink to "
		"the folder) is not supported (relative paths such as redis or nginx/tmp)");
	rejects("dirs-mode", EXEC "StateDirectoryMode=0855\n",
		"web.unit:3: [Service] StateDirectoryMode: \"0855\" is not an octal mode "
		"(an octal mode such as 0750)");
	rejects("dirs-preserve-bad", EXEC "RuntimeDirectoryPreserve=later\n",
		"web.unit:3: [Service] RuntimeDirectoryPreserve: \"later\" is not yes, no or "
		"restart (no, yes or restart)");
	rejects("dirs-pid1-run", EXEC "RuntimeDirectory=sandboxd\n",
		"web.unit:3: RuntimeDirectory: \"sandboxd\": /run/sandboxd is, holds or is inside "
		"PID 1's own folder " CONFIG_RUN_DIR);
	rejects("dirs-pid1-units", EXEC "ConfigurationDirectory=sandboxd/x\n",
		"web.unit:3: ConfigurationDirectory: \"sandboxd/x\": /etc/sandboxd/x is, holds or "
		"is inside PID 1's own folder " CONFIG_UNIT_DIR);

	/* the cap, with its own message */
	char text[4096] = EXEC "StateDirectory=";
	for (int i = 0; i < 33; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), " d%d", i);
	strcat(text, "\n");
	rejects("dirs-cap", text, "web.unit:3: [Service] StateDirectory: more than 32 directories "
		"(RuntimeDirectory= ... ConfigurationDirectory= together) (relative paths such as "
		"redis or nginx/tmp)");
}

static void test_paths(void)
{
	struct spec *s = parse(EXEC
		"ReadWritePaths=/srv/data -/srv/maybe\n"
		"InaccessiblePaths=/home -/root\n"
		"NoExecPaths=/\n"
		"ExecPaths=/usr/bin -/opt\n");

	if (!t_report("paths-parse", s != NULL, "%s", msgs))
		return;
	CHECK_INT("paths-rw-n", s->readwrite_paths.n, 2);
	CHECK_STR("paths-rw-optional-kept", s->readwrite_paths.v[1], "-/srv/maybe");
	CHECK("paths-inaccessible-masked", strv_contains(&s->masked_paths, "/home") &&
	      strv_contains(&s->masked_paths, "/root"));
	CHECK_STR("paths-noexec", s->noexec_paths.v[0], "/");
	CHECK_STR("paths-exec-optional", s->exec_paths.v[1], "-/opt");

	/* the plan: the rw binds after the unit's own mounts, exec paths
	 * shallow first */
	struct rootfs_plan p;
	struct err e = { 0 };

	if (t_report("paths-plan", rootfs_plan_build(s, &p, &e) == 0, "%s", e.msg)) {
		size_t n = p.n_ops;

		CHECK("paths-plan-rw", n >= 2 && strcmp(p.ops[n - 2].dest, "/srv/data") == 0 &&
		      !p.ops[n - 2].optional && strcmp(p.ops[n - 1].dest, "/srv/maybe") == 0 &&
		      p.ops[n - 1].optional && p.ops[n - 1].kind == ROOTFS_OP_BIND &&
		      !(p.ops[n - 1].attrs & SBX_MOUNT_ATTR_RDONLY));
		CHECK("paths-plan-exec-order", p.n_execpaths == 3 &&
		      strcmp(p.execpaths[0].path, "/") == 0 && !p.execpaths[0].exec &&
		      p.execpaths[1].exec && p.execpaths[1].optional &&
		      strcmp(p.execpaths[1].path, "/opt") == 0 && p.execpaths[2].exec &&
		      strcmp(p.execpaths[2].path, "/usr/bin") == 0);
		rootfs_plan_free(&p);
	}
	/* with a root, a rw path is the root's */
	s->root = "/srv/root";
	if (t_report("paths-plan-root", rootfs_plan_build(s, &p, &e) == 0, "%s", e.msg)) {
		size_t n = p.n_ops;

		CHECK_STR("paths-plan-root-source", p.ops[n - 2].source, "/srv/root/srv/data");
		CHECK_STR("paths-plan-root-dest", p.ops[n - 2].dest, "/srv/data");
		rootfs_plan_free(&p);
	}
	spec_free(s);

	rejects("paths-relative", EXEC "ReadWritePaths=srv\n",
		"web.unit:3: [Service] ReadWritePaths: \"srv\": not an absolute path (absolute paths, "
		"each with an optional \"-\" (skip it when missing))");
	rejects("paths-plus", EXEC "NoExecPaths=+/srv\n",
		"web.unit:3: [Service] NoExecPaths: \"+/srv\": the \"+\" prefix is not supported (with "
		"RootDirectory= every path is inside it) (absolute paths, each with an optional \"-\" "
		"(skip it when missing))");
	rejects("paths-exec-proc", EXEC "ExecPaths=/proc/self\n",
		"web.unit:3: [Service] ExecPaths: \"/proc/self\": not under /proc, /sys or /dev "
		"(absolute paths, each with an optional \"-\" (skip it when missing))");
	rejects("paths-inaccessible-reset", EXEC "InaccessiblePaths=\n",
		"web.unit:3: [Service] InaccessiblePaths: an empty value (a reset) is not supported "
		"(absolute paths, each with an optional \"-\" (skip it when missing))");
	rejects("paths-need-mount-ns", EXEC "ReadWritePaths=/srv\n[Sandbox]\nNamespaces=~mount\n",
		"web.unit:3: ReadWritePaths=, NoExecPaths= and ExecPaths= need the mount namespace "
		"(see Namespaces=)");
}

static void test_tmpfs_names(void)
{
	struct spec *s = parse(EXEC "[Sandbox]\nTemporaryFileSystem=/run/redis:uid=redis,gid=redis,mode=0750\n"
			       "TemporaryFileSystem=/srv:uid=100\n");
	const struct mount_spec *m = NULL, *n = NULL;

	if (!t_report("tmpfs-names-parse", s != NULL, "%s", msgs))
		return;
	for (size_t i = 0; i < s->n_mounts; i++) {
		if (strcmp(s->mounts[i].destination, "/run/redis") == 0)
			m = &s->mounts[i];
		if (strcmp(s->mounts[i].destination, "/srv") == 0)
			n = &s->mounts[i];
	}
	if (t_report("tmpfs-names", m && m->uid_name && m->gid_name &&
		     strcmp(m->uid_name, "redis") == 0 && strcmp(m->gid_name, "redis") == 0 &&
		     !strstr(m->data, "uid=") && !strstr(m->data, "gid="), "%s", m ? m->data : "none")) {
		CHECK("tmpfs-names-export", strstr(m->options_text, "uid=redis") &&
		      strstr(m->options_text, "gid=redis"));
		CHECK("tmpfs-number-in-data", n && !n->uid_name && strstr(n->data, "uid=100"));
	}
	struct rootfs_plan p;
	struct err e = { 0 };

	if (t_report("tmpfs-names-plan", rootfs_plan_build(s, &p, &e) == 0, "%s", e.msg)) {
		const struct rootfs_op *op = NULL;

		for (size_t i = 0; i < p.n_ops; i++)
			if (strcmp(p.ops[i].dest, "/run/redis") == 0)
				op = &p.ops[i];
		CHECK("tmpfs-names-plan-slots", op && op->id_name[0] && op->id_name[1] &&
		      op->n_opts >= 2 && op->opts[op->n_opts - 2].value == op->id_val[0] &&
		      op->opts[op->n_opts - 1].value == op->id_val[1] &&
		      strcmp(op->opts[op->n_opts - 1].key, "gid") == 0);
		rootfs_plan_free(&p);
	}
	spec_free(s);
	rejects("tmpfs-name-bad", EXEC "[Sandbox]\nTemporaryFileSystem=/x:uid=a/b\n",
		"web.unit:4: [Sandbox] TemporaryFileSystem: \"uid=a/b\" is not a number or a user/group "
		"name (DST[:OPTIONS]; options ro, nosuid, nodev, noexec, size=, mode=, nr_inodes=, "
		"uid=, gid=)");
}

int main(void)
{
	test_dirs();
	test_paths();
	test_tmpfs_names();
	return t_exit();
}
