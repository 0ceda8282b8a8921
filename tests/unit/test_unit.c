/* The unit parser: values land in the spec, and bad input gets exactly the
 * message a user should read. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "qemu_user.h"
#include "config.h"
#include "../../config/oci.h"
#include "../../config/unit.h"
#include "../../config/units.h"

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

/* The unit must be rejected with exactly this one message. */
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

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static __attribute__((unused)) void test_full_unit(void)
{
	struct spec *s = parse(
		"# a comment\n"
		"[Unit]\n"
		"Description=Web server\n"
		"After=db.unit cache\n"
		"Requires=db\n"
		"\n"
		"[Service]\n"
		"Type=simple\n"
		"ExecStart=/bin/httpd -f -p 80 -h '/srv/www root'\n"
		"Environment=A=1 \"B=two words\"\n"
		"Environment=C=3 A=override\n"
		"WorkingDirectory=/srv\n"
		"User=1000\n"
		"Group=100\n"
		"SupplementaryGroups=10 20\n"
		"UMask=0027\n"
		"Restart=always\n"
		"RestartSec=500ms\n"
		"RestartMaxSec=1min\n"
		"StartLimitBurst=3\n"
		"StartLimitIntervalSec=20s\n"
		"TimeoutStopSec=2s\n"
		"KillSignal=SIGINT\n"
		"OOMPolicy=stop\n"
		"StandardOutput=console\n"
		"StandardError=append:/var/log/web.err\n"
		"LimitNOFILE=100:200\n"
		"LimitCORE=infinity\n"
		"LimitSTACK=8M\n"
		"OOMScoreAdjust=-500\n"
		"[Sandbox]\n"
		"RootDirectory=/srv/rootfs\n"
		"Namespaces=~net\n"
		"Hostname=web-1\n"
		"Capabilities=CAP_NET_BIND_SERVICE\n"
		"Capabilities=chown sys_admin\n"
		"NoNewPrivileges=no\n"
		"Init=no\n"
		"BindPaths=/var/data:/data\n"
		"BindReadOnlyPaths=/etc/ssl\n"
		"TemporaryFileSystem=/tmp:size=8m,mode=1777,noexec\n"
		"MaskedPaths=/proc/cpuinfo\n"
		"ReadOnlyPaths=\n"
		"ReadOnlyPaths=/etc\n"
		"SystemCallFilter=~bpf ptrace\n"
		"SystemCallErrorNumber=EACCES\n"
		"SystemCallArchitectures=native\n"
		"[Resources]\n"
		"MemoryMax=64M\n"
		"MemoryHigh=48M\n"
		"MemorySwapMax=0\n"
		"CPUShares=512\n"
		"CPUQuota=50%\n"
		"CPUQuotaPeriodSec=10ms\n"
		"AllowedCPUs=0-1\n"
		"AllowedMemoryNodes=0\n"
		"TasksMax=16\n"
		"IOWeight=200\n");

	if (!CHECK("full unit parses", s != NULL)) {
		printf("# %s", msgs);
		return;
	}
	CHECK_STR("description", s->description, "Web server");
	CHECK_INT("after count", s->after.n, 2);
	CHECK_STR("after drops .unit", s->after.v[0], "db");
	CHECK_STR("after second", s->after.v[1], "cache");
	CHECK_STR("requires", s->requires.v[0], "db");
	CHECK_INT("args count", s->args.n, 6);
	CHECK_STR("args quoted word", s->args.v[5], "/srv/www root");
	CHECK_STR("env PATH first", s->env.v[0],
		  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	CHECK_INT("env count", s->env.n, 4);
	CHECK_STR("env later assignment wins", s->env.v[3], "A=override");
	CHECK_STR("env quoted", s->env.v[1], "B=two words");
	CHECK_STR("cwd", s->cwd, "/srv");
	CHECK_INT("uid", s->uid, 1000);
	CHECK_INT("gid", s->gid, 100);
	CHECK_INT("supplementary groups", s->supp_group_names.n, 2);
	CHECK_INT("umask", s->umask, 027);
	CHECK_INT("restart", s->restart, RESTART_ALWAYS);
	CHECK_U64("restart sec", s->restart_sec_ms, 500);
	CHECK_U64("restart max sec", s->restart_max_sec_ms, 60000);
	CHECK_INT("start limit burst", s->start_limit_burst, 3);
	CHECK_U64("start limit interval", s->start_limit_interval_ms, 20000);
	CHECK_U64("timeout stop", s->timeout_stop_ms, 2000);
	CHECK_INT("kill signal", s->kill_signal, 2);
	CHECK_INT("oom policy", s->oom_policy, OOM_STOP);
	CHECK_INT("stdout console", s->std_out.kind, OUTPUT_CONSOLE);
	CHECK_INT("stderr append", s->std_err.kind, OUTPUT_APPEND);
	CHECK_STR("stderr path", s->std_err.path, "/var/log/web.err");
	CHECK("LimitNOFILE", s->rlimits[RLIMIT_NOFILE].set && s->rlimits[RLIMIT_NOFILE].soft == 100 &&
	      s->rlimits[RLIMIT_NOFILE].hard == 200);
	CHECK("LimitCORE infinity", s->rlimits[RLIMIT_CORE].soft == LIMIT_INFINITY);
	CHECK_U64("LimitSTACK 8M", s->rlimits[RLIMIT_STACK].soft, 8u << 20);
	CHECK_INT("oom score adj", s->oom_score_adj, -500);
	CHECK_STR("root", s->root, "/srv/rootfs");
	CHECK("root read-only by default with a RootDirectory", s->root_readonly);
	CHECK_INT("namespaces ~net", s->namespaces, NS_DEFAULT & ~NS_BIT(NS_NET));
	CHECK_STR("hostname", s->hostname, "web-1");
	CHECK_U64("capabilities: first line replaces the default, later lines add", s->caps,
		  (1u << 10) | (1u << 0) | (1u << 21));
	CHECK("no new privileges off", !s->no_new_privs);
	CHECK_INT("init off", s->init, 0);
	CHECK_INT("mounts", s->n_mounts, 3);
	CHECK_STR("bind dst", s->mounts[0].destination, "/data");
	CHECK("bind ro", s->mounts[1].readonly && s->mounts[1].kind == MOUNT_BIND &&
	      strcmp(s->mounts[1].destination, "/etc/ssl") == 0);
	CHECK_STR("tmpfs data", s->mounts[2].data, "size=8m,mode=1777");
	CHECK_STR("tmpfs options text: flags and data as applied", s->mounts[2].options_text,
		  "nosuid,nodev,noexec,size=8m,mode=1777");
	CHECK("masked paths keep the defaults and add", s->masked_paths.n == 12 &&
	      strv_contains(&s->masked_paths, "/proc/kcore") &&
	      strv_contains(&s->masked_paths, "/proc/cpuinfo"));
	CHECK("empty ReadOnlyPaths= clears the defaults", s->readonly_paths.n == 1 &&
	      strcmp(s->readonly_paths.v[0], "/etc") == 0);
#if CONFIG_SECCOMP
	CHECK("seccomp deny list", s->seccomp.enabled && !s->seccomp.allow_list);
	CHECK("seccomp default profile + filter", strv_contains(&s->seccomp.names, "ptrace") &&
	      strv_contains(&s->seccomp.names, "mount") && strv_contains(&s->seccomp.names, "kexec_load"));
	CHECK_INT("seccomp errno", s->seccomp.errnum, EACCES);
#endif
	CHECK_U64("memory max", s->res.memory_max.v, 67108864);
	CHECK_U64("memory high", s->res.memory_high.v, 48u << 20);
	CHECK("memory swap max 0", s->res.memory_swap_max.set && s->res.memory_swap_max.v == 0);
	CHECK_U64("cpu shares", s->res.cpu_shares.v, 512);
	CHECK_U64("cpu quota", s->res.cpu_quota_permyriad.v, 5000);
	CHECK_U64("cpu period", s->res.cpu_period_us, 10000);
	CHECK_STR("cpus", s->res.cpus, "0-1");
	CHECK_U64("tasks max", s->res.tasks_max.v, 16);
	CHECK_U64("io weight", s->res.io_weight.v, 200);
	spec_free(s);
}

static void test_defaults(void)
{
	struct spec *s = parse("[Service]\nExecStart=/bin/true\n");

	if (!CHECK("minimal unit parses", s != NULL))
		return;
	CHECK_INT("default type", s->type, SERVICE_SIMPLE);
	CHECK_INT("default restart", s->restart, RESTART_ON_FAILURE);
	CHECK_U64("default restart sec", s->restart_sec_ms, 100);
	CHECK_U64("default restart max", s->restart_max_sec_ms, 30000);
	CHECK_INT("default burst", s->start_limit_burst, 5);
	CHECK_U64("default interval", s->start_limit_interval_ms, 10000);
	CHECK_U64("default stop timeout", s->timeout_stop_ms, 5000);
	CHECK_INT("default kill signal", s->kill_signal, 15);
	CHECK_INT("default oom policy", s->oom_policy, OOM_RESTART);
	CHECK_INT("default namespaces", s->namespaces, NS_DEFAULT);
	CHECK_STR("default hostname is the unit name", s->hostname, "web");
	CHECK_U64("default caps as runc spec", s->caps, (1ull << 29) | (1ull << 5) | (1ull << 10));
	CHECK("default no_new_privs", s->no_new_privs);
	CHECK_INT("default Init=yes with a pid namespace", s->init, 1);
	CHECK("no root: the system's root, read-only by default", !s->root && s->root_readonly);
	CHECK_STR("default cwd", s->cwd, "/");
	CHECK_INT("default masked paths", s->masked_paths.n, 11);
	CHECK_INT("default read-only paths", s->readonly_paths.n, 5);
	CHECK("no resources", !spec_has_resources(s));
#if CONFIG_SECCOMP
	CHECK("default seccomp profile on", s->seccomp.enabled && !s->seccomp.allow_list &&
	      s->seccomp.errnum == EPERM && strv_contains(&s->seccomp.names, "unshare"));
#else
	CHECK("no seccomp without CONFIG_SECCOMP", !s->seccomp.enabled);
#endif
	spec_free(s);

	s = parse("[Service]\nType=oneshot\nExecStart=/bin/true\n");
	CHECK("oneshot defaults to Init=no", s && s->init == 0);
	spec_free(s);
	s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nNamespaces=~uts\n");
	CHECK("no uts namespace: no hostname", s && !s->hostname);
	spec_free(s);
	s = parse("[Sandbox]\nNamespaces=mount pid\n[Service]\nExecStart=/bin/true\n");
	CHECK("explicit namespace list", s && s->namespaces == (NS_BIT(NS_MOUNT) | NS_BIT(NS_PID)));
	spec_free(s);
	s = parse("[Sandbox]\nNamespaces=~mount\n[Service]\nExecStart=/bin/true\n");
	CHECK("no mount namespace: no default masked paths", s && s->masked_paths.n == 0 &&
	      s->readonly_paths.n == 0);
	spec_free(s);
}


/* The mount of s at dst, or NULL. */
static const struct mount_spec *mount_at(const struct spec *s, const char *dst)
{
	for (size_t i = 0; s && i < s->n_mounts; i++)
		if (strcmp(s->mounts[i].destination, dst) == 0)
			return &s->mounts[i];
	return NULL;
}

static bool default_tmpfs(const struct mount_spec *m, const char *data)
{
	return m && m->kind == MOUNT_TMPFS && !m->readonly && m->flags == (2 | 4) &&
	       m->data && strcmp(m->data, data) == 0;
}

#if CONFIG_OCI_SPEC
/* `sandboxctl spec` of s, for a look at what it shows. */
static char *export_text(const struct spec *s)
{
	static char out[65536];
	struct err e;
	int fd = memfd_create("spec", MFD_CLOEXEC);
	ssize_t n;

	out[0] = '\0';
	if (fd < 0 || oci_write_spec(s, fd, &e) < 0 ||
	    (n = pread(fd, out, sizeof out - 1, 0)) < 0)
		n = 0;
	out[n] = '\0';
	if (fd >= 0)
		close(fd);
	return out;
}
#endif

/* Issue #9's safe defaults: a unit that says nothing about them gets a
 * read-only root, a private sized /tmp and /run (without RootDirectory=),
 * a size on every tmpfs and a TasksMax=, and `sandboxctl spec` shows them. */
static void test_safe_defaults(void)
{
	char size[32];
	char tmp_data[64], run_data[64], want_buf[96];
	struct spec *s = parse("[Service]\nExecStart=/bin/true\n");

	if (CONFIG_TMPFS_DEFAULT_SIZE_KB % 1024 == 0)
		snprintf(size, sizeof size, "size=%dm", CONFIG_TMPFS_DEFAULT_SIZE_KB / 1024);
	else
		snprintf(size, sizeof size, "size=%dk", CONFIG_TMPFS_DEFAULT_SIZE_KB);
	snprintf(tmp_data, sizeof tmp_data, "mode=1777,%s", size);
	snprintf(run_data, sizeof run_data, "mode=755,%s", size);
	if (!CHECK("default unit parses", s != NULL))
		return;
	CHECK("default: the system's root read-only", !s->root && s->root_readonly);
	CHECK_INT("default: two mounts of its own", s->n_mounts, 2);
	CHECK("default: a private sized /tmp, nosuid nodev 1777", default_tmpfs(mount_at(s, "/tmp"), tmp_data));
	CHECK("default: a private sized /run, nosuid nodev 755", default_tmpfs(mount_at(s, "/run"), run_data));
#if CONFIG_CGROUPS && CONFIG_DEFAULT_TASKS_MAX > 0
	CHECK("default: TasksMax= from the build", s->res.tasks_max.set &&
	      s->res.tasks_max.v == CONFIG_DEFAULT_TASKS_MAX && s->res.tasks_max_default);
#else
	CHECK("no cgroups: no default TasksMax=", !s->res.tasks_max.set);
#endif
	CHECK("a default TasksMax= alone does not need cgroup2", !spec_has_resources(s));
#if CONFIG_OCI_SPEC
	const char *j = export_text(s);
	char want[128];

	CHECK("spec: root read-only", strstr(j, "\"readonly\": true") != NULL);
	snprintf(want, sizeof want, "\"destination\": \"/tmp\",\n      \"type\": \"tmpfs\"");
	CHECK("spec: /tmp is a tmpfs", strstr(j, want) != NULL);
	snprintf(want, sizeof want, "\"%s\"", size);
	CHECK("spec: the tmpfs size", strstr(j, want) != NULL);
	CHECK("spec: /run mode", strstr(j, "\"mode=755\"") != NULL);
#if CONFIG_CGROUPS && CONFIG_DEFAULT_TASKS_MAX > 0
	snprintf(want, sizeof want, "\"pids\": {\n        \"limit\": %d", CONFIG_DEFAULT_TASKS_MAX);
	CHECK("spec: the pids limit", strstr(j, want) != NULL);
#endif
#endif
	spec_free(s);

	s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nReadOnlyRoot=no\n");
	CHECK("ReadOnlyRoot=no opts out", s && !s->root_readonly);
	spec_free(s);
	s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nNamespaces=~mount\n");
	CHECK("no mount namespace: no read-only root, no mounts", s && !s->root_readonly &&
	      s->n_mounts == 0);
	spec_free(s);
	s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nRootDirectory=/srv/r\n");
	CHECK("RootDirectory=: read-only, its own /tmp and /run", s && s->root_readonly &&
	      s->n_mounts == 0);
	spec_free(s);
	s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nBindPaths=/run\n");
	CHECK("the unit's own /run replaces the default one", s && s->n_mounts == 2 &&
	      mount_at(s, "/run")->kind == MOUNT_BIND && mount_at(s, "/tmp"));
	spec_free(s);
	s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nTemporaryFileSystem=/tmp/:size=1m\n");
	CHECK("the unit's own /tmp/ replaces the default one", s && s->n_mounts == 2 &&
	      strcmp(s->mounts[1].data, "size=1m") == 0 && !mount_at(s, "/tmp"));
	spec_free(s);
	s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nControlAccess=yes\n");
	CHECK("ControlAccess=yes keeps the system's /run (the socket)", s && s->n_mounts == 1 &&
	      mount_at(s, "/tmp") && !mount_at(s, "/run"));
	spec_free(s);
	s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nBindPaths=/srv/sock:/run/app\n");
	CHECK("a bind under /run comes after the default /run", s && s->n_mounts == 3 &&
	      strcmp(s->mounts[2].destination, "/run/app") == 0 &&
	      default_tmpfs(mount_at(s, "/run"), run_data));
	spec_free(s);
	s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nTemporaryFileSystem=/data:mode=700\n");
	snprintf(want_buf, sizeof want_buf, "mode=700,%s", size);
	CHECK("a tmpfs without size= gets the default", s && mount_at(s, "/data") &&
	      strcmp(mount_at(s, "/data")->data, want_buf) == 0);
	spec_free(s);
	rejects("an unlimited tmpfs needs MemoryMax=",
		"[Service]\nExecStart=/bin/true\n[Sandbox]\nTemporaryFileSystem=/data:size=0\n",
		"web.unit:4: [Sandbox] TemporaryFileSystem: /data: size=0 or nr_inodes=0 (no limit) needs MemoryMax= (tmpfs pages are in no process's memory but in its cgroup's)");
	rejects("unlimited inodes need MemoryMax=",
		"[Service]\nExecStart=/bin/true\n[Sandbox]\nTemporaryFileSystem=/data:nr_inodes=0k\n",
		"web.unit:4: [Sandbox] TemporaryFileSystem: /data: size=0 or nr_inodes=0 (no limit) needs MemoryMax= (tmpfs pages are in no process's memory but in its cgroup's)");
	rejects("a tmpfs size is a number",
		"[Service]\nExecStart=/bin/true\n[Sandbox]\nTemporaryFileSystem=/data:size=lots\n",
		"web.unit:4: [Sandbox] TemporaryFileSystem: \"size=lots\" is not a number with an optional k, m or g suffix (DST[:OPTIONS]; options ro, nosuid, nodev, noexec, size=, mode=, nr_inodes=, uid=, gid=)");
#if CONFIG_CGROUPS
	s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nTemporaryFileSystem=/data:size=0\n"
		  "[Resources]\nMemoryMax=64M\n");
	CHECK("an unlimited tmpfs under MemoryMax= is charged to the unit", s != NULL);
	spec_free(s);
	rejects("MemoryMax=infinity does not bound a tmpfs",
		"[Service]\nExecStart=/bin/true\n[Sandbox]\nTemporaryFileSystem=/data:size=0\n[Resources]\nMemoryMax=infinity\n",
		"web.unit:4: [Sandbox] TemporaryFileSystem: /data: size=0 or nr_inodes=0 (no limit) needs MemoryMax= (tmpfs pages are in no process's memory but in its cgroup's)");
	s = parse("[Service]\nExecStart=/bin/true\n[Resources]\nTasksMax=infinity\n");
	CHECK("TasksMax=infinity lifts the default", s && s->res.tasks_max.v == LIMIT_INFINITY &&
	      !s->res.tasks_max_default && spec_has_resources(s));
	spec_free(s);
	s = parse("[Service]\nExecStart=/bin/true\n[Resources]\nTasksMax=10\nTasksMax=\n");
	CHECK("an empty TasksMax= is the default again", s && s->res.tasks_max_default);
	spec_free(s);
#endif
}

static void test_lines(void)
{
	char big[1200];
	struct spec *s;

	/* longer than inih's 200-byte lines; ';' after a blank is not a comment */
	snprintf(big, sizeof big, "[Service]\nExecStart=/bin/sh -c 'echo a ; echo b' %0600d\n", 7);
	s = parse(big);
	CHECK("a 650-byte line is read whole", s && s->args.n == 4 && strlen(s->args.v[3]) == 600);
	CHECK("';' inside a value is kept", s && strcmp(s->args.v[2], "echo a ; echo b") == 0);
	spec_free(s);

	s = parse("[Service]\nExecStart=/bin/echo one \\\n  two \\\n# skipped comment\n three\n");
	CHECK("backslash continuation joins lines", s && s->args.n == 4 &&
	      strcmp(s->args.v[3], "three") == 0);
	spec_free(s);

	s = parse("\xef\xbb\xbf[Service]\r\nExecStart=/bin/true\r\n");
	CHECK("BOM and CRLF are accepted", s != NULL);
	spec_free(s);
}

static void test_errors(void)
{
	rejects("unknown key", "[Service]\nExecStart=/bin/true\nExecStopNow=/bin/false\n",
		"web.unit:3: [Service] ExecStopNow: unknown key");
	rejects("key in the wrong section", "[Service]\nExecStart=/bin/true\n[Sandbox]\nMemoryMax=1M\n",
		"web.unit:4: [Sandbox] MemoryMax: unknown key in this section (it belongs in [Resources])");
	rejects("unknown section", "[Socket]\nListenStream=80\n[Service]\nExecStart=/bin/true\n",
		"web.unit:1: [Socket]: unknown section (Unit, Service, Sandbox, Resources or Install)");
	rejects("missing ExecStart", "[Service]\nType=simple\n",
		"web.unit: [Service] ExecStart: missing (an absolute path and arguments)");
	rejects("relative ExecStart", "[Service]\nExecStart=httpd -f\n",
		"web.unit:2: [Service] ExecStart: \"httpd\" is not an absolute path; no shell and no PATH search are used (an absolute path and arguments; quotes and backslash escapes, no shell)");
	rejects("unterminated quote", "[Service]\nExecStart=/bin/sh -c 'echo\n",
		"web.unit:2: [Service] ExecStart: unterminated single quote (an absolute path and arguments; quotes and backslash escapes, no shell)");
	rejects("bad size", "[Service]\nExecStart=/bin/true\n[Resources]\nMemoryMax=64MB\n",
		"web.unit:4: [Resources] MemoryMax: \"64MB\" is not a size (bytes with an optional K, M, G or T suffix, or infinity)");
	rejects("out of range weight", "[Service]\nExecStart=/bin/true\n[Resources]\nCPUWeight=0\n",
		"web.unit:4: [Resources] CPUWeight: \"0\" is out of range (1 to 10000)");
	rejects("out of range shares", "[Service]\nExecStart=/bin/true\n[Resources]\nCPUShares=262145\n",
		"web.unit:4: [Resources] CPUShares: \"262145\" is out of range (2 to 262144)");
	rejects("bad duration", "[Service]\nExecStart=/bin/true\nRestartSec=5 parsecs\n",
		"web.unit:3: [Service] RestartSec: \"5 parsecs\" is not a duration (a duration such as 500ms, 2s, 1min, 1h or bare seconds)");
	rejects("RootDirectory=/", "[Service]\nExecStart=/bin/true\n[Sandbox]\nRootDirectory=/\n",
		"web.unit:4: [Sandbox] RootDirectory: \"/\" is the system's root: leave RootDirectory= unset to run there (an absolute path)");
	rejects("relative path", "[Service]\nExecStart=/bin/true\nWorkingDirectory=srv\n",
		"web.unit:3: [Service] WorkingDirectory: \"srv\": not an absolute path (an absolute path)");
	rejects("dot-dot in a path", "[Service]\nExecStart=/bin/true\n[Sandbox]\nBindPaths=/a:/b/../etc\n",
		"web.unit:4: [Sandbox] BindPaths: \"/b/../etc\": \".\" and \"..\" components are not allowed (SRC[:DST] absolute paths)");
	rejects("unknown capability", "[Service]\nExecStart=/bin/true\n[Sandbox]\nCapabilities=CAP_KILL CAP_FLY\n",
		"web.unit:4: [Sandbox] Capabilities: unknown capability \"CAP_FLY\" (CAP_* names)");
	rejects("unknown namespace", "[Service]\nExecStart=/bin/true\n[Sandbox]\nNamespaces=~time\n",
		"web.unit:4: [Sandbox] Namespaces: unknown namespace \"time\" (pid net ipc uts mount cgroup user, or ~name to remove one from the default)");
	rejects("hostname without uts", "[Service]\nExecStart=/bin/true\n[Sandbox]\nNamespaces=~uts\nHostname=x\n",
		"web.unit:5: [Sandbox] Hostname: needs the uts namespace (see Namespaces=)");
	rejects("duplicate key in one file", "[Service]\nExecStart=/bin/true\nUMask=0022\nUMask=0077\n",
		"web.unit:4: [Service] UMask: set twice in this file (first at line 3)");
	rejects("two ExecStart", "[Service]\nExecStart=/bin/true\nExecStart=/bin/false\n",
		"web.unit:3: [Service] ExecStart: set twice in this file (first at line 2)");
	rejects("not a key line", "[Service]\nExecStart=/bin/true\njust words\n",
		"web.unit:3: \"just words\": expected Key=Value, [Section] or a # comment");
	rejects("key outside a section", "ExecStart=/bin/true\n",
		"web.unit:1: ExecStart: outside of any section; put it under [Unit], [Service], [Sandbox] or [Resources]\n"
		"web.unit: [Service] ExecStart: missing (an absolute path and arguments)");
	rejects("unknown OOMPolicy", "[Service]\nExecStart=/bin/true\nOOMPolicy=panic\n",
		"web.unit:3: [Service] OOMPolicy: unknown policy \"panic\" (restart, stop or reboot)");
	rejects("oom score range", "[Service]\nExecStart=/bin/true\nOOMScoreAdjust=1001\n",
		"web.unit:3: [Service] OOMScoreAdjust: \"1001\" is out of range (-1000 to 1000)");
	rejects("soft above hard", "[Service]\nExecStart=/bin/true\nLimitNOFILE=300:200\n",
		"web.unit:3: [Service] LimitNOFILE: soft limit 300 is above the hard limit 200 (N, SOFT:HARD or infinity)");
	rejects("bad env", "[Service]\nExecStart=/bin/true\nEnvironment=1A=x\n",
		"web.unit:3: [Service] Environment: \"1A=x\" is not KEY=VALUE (KEY=VALUE words)");
#if CONFIG_CGROUPS
	rejects("shares and weight", "[Service]\nExecStart=/bin/true\n[Resources]\nCPUWeight=100\nCPUShares=1024\n",
		"web.unit:5: [Resources] CPUShares: conflicts with CPUWeight= (web.unit:4); set one");
#endif
	rejects("self dependency", "[Unit]\nAfter=web.unit\n[Service]\nExecStart=/bin/true\n",
		"web.unit:2: [Unit] After: a unit cannot depend on itself (unit names)");
	rejects("duplicate read-only bind destination names its key", "[Service]\nExecStart=/bin/true\n[Sandbox]\nBindPaths=/a:/x\nBindReadOnlyPaths=/b:/x\n",
		"web.unit:5: [Sandbox] BindReadOnlyPaths: /x is already a mount destination (web.unit:4)");
	rejects("duplicate mount destination", "[Service]\nExecStart=/bin/true\n[Sandbox]\nBindPaths=/a:/x\nTemporaryFileSystem=/x\n",
		"web.unit:5: [Sandbox] TemporaryFileSystem: /x is already a mount destination (web.unit:4)");
	rejects("unknown tmpfs option", "[Service]\nExecStart=/bin/true\n[Sandbox]\nTemporaryFileSystem=/tmp:size=1m,huge=yes\n",
		"web.unit:4: [Sandbox] TemporaryFileSystem: unknown tmpfs option \"huge=yes\" (DST[:OPTIONS]; options ro, nosuid, nodev, noexec, size=, mode=, nr_inodes=, uid=, gid=)");
	rejects("read-only root needs a mount namespace", "[Service]\nExecStart=/bin/true\n[Sandbox]\nNamespaces=~mount\nReadOnlyRoot=yes\n",
		"web.unit:5: [Sandbox] ReadOnlyRoot: needs the mount namespace (see Namespaces=)");
	rejects("masked paths need a mount namespace", "[Service]\nExecStart=/bin/true\n[Sandbox]\nNamespaces=~mount\nMaskedPaths=/etc/x\n",
		"web.unit:5: [Sandbox]: MaskedPaths= and ReadOnlyPaths= need the mount namespace (see Namespaces=)");
	rejects("Init needs a pid namespace", "[Service]\nExecStart=/bin/true\n[Sandbox]\nNamespaces=~pid\nInit=yes\n",
		"web.unit:5: [Sandbox] Init: needs the pid namespace (see Namespaces=)");
#if CONFIG_SECCOMP
	rejects("no_new_privs off needs CAP_SYS_ADMIN under seccomp", "[Service]\nExecStart=/bin/true\n[Sandbox]\nNoNewPrivileges=no\n",
		"web.unit:4: [Sandbox] NoNewPrivileges: \"no\" needs CAP_SYS_ADMIN or no seccomp filter (SeccompProfile=none, no SystemCallFilter=, RestrictNamespaces= or hardening key): the kernel loads a filter only under no_new_privs");
	/* unknown names and names the profile denies: accepted with a note
	 * (tests/unit/test_seccomp_filter.c) */
	rejects("unknown errno", "[Service]\nExecStart=/bin/true\n[Sandbox]\nSystemCallErrorNumber=EWHAT\n",
		"web.unit:4: [Sandbox] SystemCallErrorNumber: unknown errno name \"EWHAT\" (an errno name such as EPERM, or kill)");
#else
	rejects("seccomp keys need CONFIG_SECCOMP", "[Service]\nExecStart=/bin/true\n[Sandbox]\nSystemCallFilter=~mount\n",
		"web.unit:4: [Sandbox] SystemCallFilter: this build has no seccomp support (CONFIG_SECCOMP)");
#endif
#if !CONFIG_CGROUPS
	rejects("resources need CONFIG_CGROUPS", "[Service]\nExecStart=/bin/true\n[Resources]\nMemoryMax=1M\n",
		"web.unit:4: [Resources]: this build has no cgroup support (CONFIG_CGROUPS)");
#endif

	/* several problems in one file: every one is reported */
	struct spec *s = parse("[Service]\nExecStart=/bin/true\nRestart=sometimes\nUMask=9\n"
			       "[Sandbox]\nNoNewPrivileges=maybe\n");
	CHECK("every problem is reported", !s && d.count == 3);
}

#if CONFIG_SECCOMP
static void test_seccomp_rules(void)
{
	struct spec *s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nSeccompProfile=none\n"
			       "SystemCallFilter=read write\nSystemCallFilter=openat\n"
			       "SystemCallFilter=~write\nSystemCallErrorNumber=kill\n");

	if (!CHECK("allow-list parses", s != NULL)) {
		printf("# %s", msgs);
		return;
	}
	CHECK("allow-list mode", s->seccomp.enabled && s->seccomp.allow_list && s->seccomp.kill);
	CHECK("allow-list adds and ~removes", strv_contains(&s->seccomp.names, "openat") &&
	      strv_contains(&s->seccomp.names, "read") && !strv_contains(&s->seccomp.names, "write"));
	CHECK("allow-list always lets execve and exit_group through",
	      strv_contains(&s->seccomp.names, "execve") && strv_contains(&s->seccomp.names, "exit_group"));
	CHECK("names are sorted", strcmp(s->seccomp.names.v[0], s->seccomp.names.v[1]) < 0);
	spec_free(s);

	s = parse("[Service]\nExecStart=/bin/true\n[Sandbox]\nSeccompProfile=none\n");
	CHECK("profile none, no filter: seccomp off", s && !s->seccomp.enabled);
	spec_free(s);
}
#endif

static void test_files(void)
{
	char dir[] = "/tmp/sbx-unit-XXXXXX", p[512];
	struct unit_set set = { 0 };

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(p, sizeof p, "%s/units", dir);
	mkdir(p, 0755);
	/* a folder without units (reload after the last one was removed):
	 * nothing to sort, and UBSan said qsort(NULL, 0) killed PID 1 */
	msgs[0] = '\0';
	d.count = 0;
	units_add_dir(&set, p, &d);
	CHECK("an empty folder loads no unit", set.n == 0 && set.n_bad == 0);
	units_free(&set);
	snprintf(p, sizeof p, "%s/units/web.unit.d", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/rootfs", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/rootfs/etc", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/rootfs/etc/passwd", dir);
	write_file(p, "root:x:0:0:root:/root:/bin/sh\nwww:x:33:34:www:/var/www:/bin/false\n");
	snprintf(p, sizeof p, "%s/rootfs/etc/group", dir);
	write_file(p, "root:x:0:\nwww:x:34:\nnet:x:70:www\n");

	char text[1024];
	snprintf(text, sizeof text,
		 "[Unit]\nAfter=db\n[Service]\nExecStart=/bin/httpd\nUser=www\n"
		 "SupplementaryGroups=net 5\nRestartSec=1s\n[Sandbox]\nRootDirectory=%s/rootfs\n", dir);
	snprintf(p, sizeof p, "%s/units/web.unit", dir);
	write_file(p, text);
	/* drop-ins in lexical order: 20 overrides 10; ExecStart must be reset first */
	snprintf(p, sizeof p, "%s/units/web.unit.d/20-late.conf", dir);
	write_file(p, "[Service]\nRestartSec=3s\nExecStart=\nExecStart=/bin/httpd -v\n");
	snprintf(p, sizeof p, "%s/units/web.unit.d/10-early.conf", dir);
	write_file(p, "[Service]\nRestartSec=2s\n");
	snprintf(p, sizeof p, "%s/units/web.unit.d/ignored.txt", dir);
	write_file(p, "garbage");
	snprintf(p, sizeof p, "%s/units/db.unit", dir);
	write_file(p, "[Service]\nType=oneshot\nExecStart=/bin/db-init\n");
	snprintf(p, sizeof p, "%s/units/a.unit", dir);
	write_file(p, "[Unit]\nRequires=b\n[Service]\nExecStart=/bin/a\n");
	snprintf(p, sizeof p, "%s/units/b.unit", dir);
	write_file(p, "[Unit]\nAfter=c.unit\n[Service]\nExecStart=/bin/b\n");
	snprintf(p, sizeof p, "%s/units/c.unit", dir);
	write_file(p, "[Unit]\nAfter=a\n[Service]\nExecStart=/bin/c\n");
	snprintf(p, sizeof p, "%s/units/needs-c.unit", dir);
	write_file(p, "[Unit]\nRequires=c\n[Service]\nExecStart=/bin/x\n");
	snprintf(p, sizeof p, "%s/units/typo.unit", dir);
	write_file(p, "[Unit]\nAfter=dbb\nRequires=nope\n[Service]\nExecStart=/bin/x\n");
	snprintf(p, sizeof p, "%s/units/broken.unit", dir);
	write_file(p, "[Service\nExecStart=/bin/x\n");
	snprintf(p, sizeof p, "%s/units/uses-broken.unit", dir);
	write_file(p, "[Unit]\nRequires=broken\n[Service]\nExecStart=/bin/x\n");
	snprintf(p, sizeof p, "%s/units/nouser.unit", dir);
	snprintf(text, sizeof text, "[Service]\nExecStart=/bin/x\nUser=nobody\n[Sandbox]\nRootDirectory=%s/rootfs\n", dir);
	write_file(p, text);

	msgs[0] = '\0';
	d.count = 0;
	snprintf(p, sizeof p, "%s/units", dir);
	units_add_dir(&set, p, &d);
	units_check_deps(&set, &d);

	struct spec *web = units_find(&set, "web.unit");
	if (CHECK("web loads with its drop-ins", web != NULL)) {
		CHECK_U64("drop-ins apply in lexical order", web->restart_sec_ms, 3000);
		CHECK("a drop-in resets and replaces ExecStart", web->args.n == 2 &&
		      strcmp(web->args.v[1], "-v") == 0);
		CHECK_INT("User=www from the rootfs passwd", web->uid, 33);
		CHECK_INT("its primary group", web->gid, 34);
		CHECK("SupplementaryGroups resolved from the rootfs group file",
		      web->n_groups == 2 && web->groups[0] == 70 && web->groups[1] == 5);
	}
	CHECK("db is good", units_find(&set, "db") != NULL);
	CHECK("good units survive bad ones", set.n == 2);
	CHECK("the cycle's members and dependants are bad", set.n_bad == 8);

	char want[4096];
	CHECK("a broken header is reported", strstr(msgs, "broken.unit:1: \"[Service\": a section header is [Name] alone on its line") != NULL);
	snprintf(want, sizeof want, "%s/units/nouser.unit:3: [Service] User: unknown user \"nobody\" (not in %s/rootfs/etc/passwd)", dir, dir);
	CHECK("an unknown user is reported with the file it was looked up in", strstr(msgs, want) != NULL);
	snprintf(want, sizeof want, "%s/units/typo.unit:2: [Unit] After: no unit named \"dbb\"", dir);
	CHECK("an unknown dependency is named", strstr(msgs, want) != NULL);
	snprintf(want, sizeof want, "%s/units/typo.unit:3: [Unit] Requires: no unit named \"nope\"", dir);
	CHECK("every unknown dependency of a unit is named", strstr(msgs, want) != NULL);
	snprintf(want, sizeof want, "%s/units/uses-broken.unit:2: [Unit] Requires: unit \"broken\" has errors", dir);
	CHECK("a dependency on a bad unit is named", strstr(msgs, want) != NULL);
	CHECK("the cycle is named", strstr(msgs, "dependency cycle: a -> b -> c -> a") != NULL);
	snprintf(want, sizeof want, "%s/units/needs-c.unit:2: [Unit] Requires: unit \"c\" has errors", dir);
	CHECK("a unit needing a cycle member fails too", strstr(msgs, want) != NULL);

	/* the same name twice */
	snprintf(p, sizeof p, "%s/units/db.unit", dir);
	CHECK("a duplicate unit name is an error", units_add_file(&set, p, &d) < 0 &&
	      strstr(msgs, "a unit named \"db\" is already loaded from") != NULL);
	units_free(&set);

	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

int main(void)
{
#if CONFIG_SECCOMP && CONFIG_CGROUPS
	test_full_unit();
#endif
	test_defaults();
	test_safe_defaults();
	test_lines();
	test_errors();
#if CONFIG_SECCOMP
	test_seccomp_rules();
#endif
	qu_need(QU_OPENAT2);   /* User= is looked up in the unit's root */
	test_files();
	qu_done();
	return t_exit();
}
