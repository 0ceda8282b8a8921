/* Issue #11's service keys: Type=notify/forking, PIDFile=, the Exec*
 * lists, the timeouts, KillMode=, ReloadSignal=, EnvironmentFile=, the
 * shared namespaces, systemd's namespace switches and hardening keys,
 * [Service] taking every [Sandbox] and [Resources] key, [Install], and
 * Debian's own unit files parsing (config/unit_exec.c, unit_compat.c). */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "../../config/oci.h"
#include "../../config/unit.h"

static char msgs[16384];

static void collect(void *ctx, const char *msg)
{
	size_t n = strlen(msgs);

	(void)ctx;
	snprintf(msgs + n, sizeof msgs - n, "%s\n", msg);
}

static struct diag d = { .emit = collect };

static struct spec *parse(const char *text)
{
	msgs[0] = '\0';
	d.count = 0;
	return unit_parse_text("web", "web.unit", text, &d);
}

/* Parses, or says why not. */
static struct spec *accepts(const char *name, const char *text)
{
	struct spec *s = parse(text);

	if (!s)
		t_report(name, false, "refused: %s", msgs);
	return s;
}

/* Refused with exactly this one message. */
static void rejects(const char *name, const char *text, const char *want)
{
	char w[2048];
	struct spec *s = parse(text);

	snprintf(w, sizeof w, "%s\n", want);
	if (s) {
		t_report(name, false, "accepted");
		spec_free(s);
		return;
	}
	CHECK_STR(name, msgs, w);
}

#define SVC "[Service]\nExecStart=/bin/true\n"

static void test_type(void)
{
	struct spec *s;

	if ((s = accepts("Type=notify", SVC "Type=notify\n"))) {
		CHECK_INT("Type=notify", s->type, SERVICE_NOTIFY);
		CHECK_INT("notify: Init= defaults to yes", s->init, 1);
		spec_free(s);
	}
	if ((s = accepts("Type=forking", SVC "Type=forking\nPIDFile=/run/web.pid\n"))) {
		CHECK_INT("Type=forking", s->type, SERVICE_FORKING);
		CHECK_INT("forking: Init= defaults to yes", s->init, 1);
		CHECK_STR("PIDFile=", s->pid_file, "/run/web.pid");
		spec_free(s);
	}
	if ((s = accepts("Type=exec", SVC "Type=exec\n"))) {
		CHECK_INT("Type=exec is simple", s->type, SERVICE_SIMPLE);
		spec_free(s);
	}
	if ((s = accepts("PIDFile= relative", SVC "PIDFile=nginx.pid\n"))) {
		CHECK_STR("PIDFile= relative is under /run", s->pid_file, "/run/nginx.pid");
		spec_free(s);
	}
	if ((s = accepts("forking without a pid namespace", SVC "Type=forking\n[Sandbox]\n"
			 "Namespaces=~pid\nInit=no\n"))) {
		CHECK_INT("forking without a pid namespace: no reaper", s->init, 0);
		spec_free(s);
	}
	rejects("forking with Init=no", SVC "Type=forking\n[Sandbox]\nInit=no\n",
		"web.unit:5: [Sandbox] Init: \"no\" with Type=forking and a pid namespace: the "
		"reaper keeps the namespace once the started process exits");
	rejects("Type=dbus", SVC "Type=dbus\n",
		"web.unit:3: [Service] Type: \"dbus\" is not supported: sandboxd has no D-Bus "
		"(simple, exec, oneshot, notify or forking)");
	rejects("Type= unknown", SVC "Type=fork\n",
		"web.unit:3: [Service] Type: unknown type \"fork\" (simple, exec, oneshot, notify or "
		"forking)");
	rejects("PIDFile= with ..", SVC "PIDFile=/run/../etc/x\n",
		"web.unit:3: [Service] PIDFile: \"/run/../etc/x\": \".\" and \"..\" components are "
		"not allowed (a path, absolute or under /run)");
}

static void test_exec_lists(void)
{
	struct spec *s;

	s = accepts("Exec lists", SVC
		    "ExecStartPre=/usr/sbin/nginx -t -q -g 'daemon on; master_process on;'\n"
		    "ExecStartPre=-/bin/mkdir -p \"/run/a b\"\n"
		    "ExecStartPost=/bin/echo started\n"
		    "ExecStop=-/sbin/start-stop-daemon --stop\n"
		    "ExecReload=/usr/sbin/nginx -s reload\n"
		    "ExecReload=:/bin/echo $LITERAL\n");
	if (s) {
		const struct exec_list *l = &s->exec_start_pre;

		CHECK_INT("ExecStartPre= lines append", l->n, 2);
		CHECK_STR("ExecStartPre= argv[0]", l->v[0].argv[0], "/usr/sbin/nginx");
		CHECK_STR("ExecStartPre= quoted word", l->v[0].argv[4], "daemon on; master_process on;");
		CHECK("ExecStartPre= argv NULL-terminated", l->v[0].argv[5] == NULL);
		CHECK("ExecStartPre= without \"-\": a failure counts", !l->v[0].ignore_failure);
		CHECK("ExecStartPre= \"-\" prefix", l->v[1].ignore_failure);
		CHECK_STR("\"-\" prefix stripped from argv[0]", l->v[1].argv[0], "/bin/mkdir");
		CHECK_STR("double-quoted word", l->v[1].argv[2], "/run/a b");
		CHECK_INT("loc of each command", l->v[1].loc.line, 4);
		CHECK_STR("loc file", l->v[1].loc.file, "web.unit");
		CHECK_INT("ExecStartPost=", s->exec_start_post.n, 1);
		CHECK("ExecStop= \"-\"", s->exec_stop.n == 1 && s->exec_stop.v[0].ignore_failure);
		CHECK_INT("ExecReload= lines", s->exec_reload.n, 2);
		CHECK_STR("\":\" prefix: no substitution, as always", s->exec_reload.v[1].argv[1],
			  "$LITERAL");
		CHECK_INT("no ExecReload= kill: no ReloadSignal=", s->reload_signal, 0);
		spec_free(s);
	}
	s = accepts("Exec list cleared", SVC "ExecStartPre=/bin/a\nExecStartPre=/bin/b\n"
		    "ExecStartPre=\nExecStartPre=/bin/c\n");
	if (s) {
		CHECK("an empty value clears the list", s->exec_start_pre.n == 1 &&
		      strcmp(s->exec_start_pre.v[0].argv[0], "/bin/c") == 0);
		spec_free(s);
	}
	rejects("prefix +", SVC "ExecStartPre=+/bin/true\n",
		"web.unit:3: [Service] ExecStartPre: prefix \"+\" (full privileges): sandboxd has no "
		"such mode (an absolute path and arguments, \"-\" first to ignore a failure; an "
		"empty value clears the list)");
	rejects("prefix !!", SVC "ExecStop=!!/bin/true\n",
		"web.unit:3: [Service] ExecStop: prefix \"!\" (no user change): sandboxd has no "
		"such mode (an absolute path and arguments, \"-\" first to ignore a failure; an "
		"empty value clears the list)");
	rejects("prefix @ after -", SVC "ExecStartPost=-@/bin/true x\n",
		"web.unit:3: [Service] ExecStartPost: prefix \"@\" (own argv[0]): sandboxd has no "
		"such mode (an absolute path and arguments, \"-\" first to ignore a failure; an "
		"empty value clears the list)");
	rejects("Exec list relative", SVC "ExecStop=-kill x\n",
		"web.unit:3: [Service] ExecStop: \"kill\" is not an absolute path; no shell and no "
		"PATH search are used (an absolute path and arguments, \"-\" first to ignore a "
		"failure; an empty value clears the list)");
	rejects("Exec list unterminated quote", SVC "ExecStop=/bin/sh -c 'x\n",
		"web.unit:3: [Service] ExecStop: unterminated single quote (an absolute path and "
		"arguments, \"-\" first to ignore a failure; an empty value clears the list)");
	rejects("$VAR word", SVC "ExecStartPost=/usr/sbin/sshd -D $SSHD_OPTS\n",
		"web.unit:3: [Service] ExecStartPost: \"$SSHD_OPTS\": sandboxd substitutes no "
		"variables (an absolute path and arguments, \"-\" first to ignore a failure; an "
		"empty value clears the list)");
	rejects("$VAR word in ExecStart=", "[Service]\nExecStart=/bin/echo ${X}\n",
		"web.unit:2: [Service] ExecStart: \"${X}\": sandboxd substitutes no variables (an "
		"absolute path and arguments; quotes and backslash escapes, no shell)");
	rejects("$MAINPID outside the kill idiom", SVC "ExecStop=/bin/kill -TERM $MAINPID x\n",
		"web.unit:3: [Service] ExecStop: \"$MAINPID\": sandboxd substitutes no variables "
		"(ReloadSignal= signals the main process) (an absolute path and arguments, \"-\" "
		"first to ignore a failure; an empty value clears the list)");
	/* not a whole word: left to the program, as today */
	if ((s = accepts("$ inside a word", "[Service]\nExecStart=/bin/sh -c 'echo $HOME'\n")))
		spec_free(s);

	/* Debian's ExecReload=/bin/kill -HUP $MAINPID is ReloadSignal= */
	if ((s = accepts("ExecReload= kill", SVC "ExecReload=/bin/kill -HUP $MAINPID\n"))) {
		CHECK_INT("ExecReload= kill -HUP: ReloadSignal=SIGHUP", s->reload_signal, SIGHUP);
		CHECK_INT("ExecReload= kill: no command", s->exec_reload.n, 0);
		spec_free(s);
	}
	if ((s = accepts("ExecReload= kill -s", SVC "ExecReload=/usr/bin/kill -s USR2 ${MAINPID}\n"))) {
		CHECK_INT("ExecReload= kill -s USR2", s->reload_signal, SIGUSR2);
		spec_free(s);
	}
	if ((s = accepts("ExecReload= kill cleared", SVC "ExecReload=/bin/kill -HUP $MAINPID\n"
			 "ExecReload=\nExecReload=/bin/true\n"))) {
		CHECK("an empty ExecReload= drops the kill too", s->reload_signal == 0 &&
		      s->exec_reload.n == 1);
		spec_free(s);
	}
	rejects("ExecReload= kill and a command", SVC "ExecReload=/usr/sbin/sshd -t\n"
		"ExecReload=/bin/kill -HUP $MAINPID\n",
		"web.unit:4: [Service] ExecReload: kill $MAINPID is read as ReloadSignal=, which "
		"sandboxd sends only without ExecReload= commands (web.unit:3)");

	char big[8192] = SVC;
	for (int i = 0; i <= 64; i++)
		strcat(big, "ExecStartPre=/bin/true\n");
	rejects("Exec list cap", big, "web.unit:67: [Service] ExecStartPre: more than 64 commands "
		"(an absolute path and arguments, \"-\" first to ignore a failure; an empty value "
		"clears the list)");
}

static void test_timeouts(void)
{
	struct spec *s;

	if ((s = accepts("timeout defaults", SVC))) {
		CHECK_U64("TimeoutStartSec= default 90 s", s->timeout_start_ms, 90000);
		CHECK_U64("TimeoutStopSec= default 5 s", s->timeout_stop_ms, 5000);
		CHECK_INT("KillMode= default", s->kill_mode, KILL_CONTROL_GROUP);
		CHECK_INT("ReloadSignal= default", s->reload_signal, 0);
		CHECK("SyslogSocket= default yes", s->syslog_socket);
		spec_free(s);
	}
	if ((s = accepts("TimeoutStopSec=0", SVC "TimeoutStopSec=0\nTimeoutStartSec=infinity\n"))) {
		CHECK_U64("TimeoutStopSec=0 is none", s->timeout_stop_ms, LIMIT_INFINITY);
		CHECK_U64("TimeoutStartSec=infinity", s->timeout_start_ms, LIMIT_INFINITY);
		spec_free(s);
	}
	if ((s = accepts("TimeoutSec=", SVC "TimeoutSec=1min 30s\n"))) {
		CHECK_U64("TimeoutSec= sets the start", s->timeout_start_ms, 90000);
		CHECK_U64("TimeoutSec= sets the stop", s->timeout_stop_ms, 90000);
		spec_free(s);
	}
	if ((s = accepts("TimeoutStopSec=infinity", SVC "TimeoutStopSec=infinity\n"
			 "TimeoutStartSec=0\n"))) {
		CHECK_U64("TimeoutStopSec=infinity", s->timeout_stop_ms, LIMIT_INFINITY);
		CHECK_U64("TimeoutStartSec=0 is none", s->timeout_start_ms, LIMIT_INFINITY);
		spec_free(s);
	}
	if ((s = accepts("oneshot start timeout", "[Service]\nType=oneshot\nExecStart=/bin/true\n"))) {
		CHECK_U64("oneshot: no start timeout by default", s->timeout_start_ms, LIMIT_INFINITY);
		spec_free(s);
	}
	if ((s = accepts("oneshot own timeout", "[Service]\nType=oneshot\nExecStart=/bin/true\n"
			 "TimeoutStartSec=5s\n"))) {
		CHECK_U64("oneshot: its own start timeout", s->timeout_start_ms, 5000);
		spec_free(s);
	}
	rejects("TimeoutStartSec= bad", SVC "TimeoutStartSec=soon\n",
		"web.unit:3: [Service] TimeoutStartSec: \"soon\" is not a duration (a duration such "
		"as 90s or 5min, or infinity (0 is infinity too))");
	if ((s = accepts("KillMode=mixed", SVC "KillMode=mixed\nReloadSignal=SIGUSR1\n"))) {
		CHECK_INT("KillMode=mixed", s->kill_mode, KILL_MIXED);
		CHECK_INT("ReloadSignal=SIGUSR1", s->reload_signal, SIGUSR1);
		spec_free(s);
	}
	if ((s = accepts("KillMode=process", SVC "KillMode=process\nReloadSignal=2\n"))) {
		CHECK_INT("KillMode=process", s->kill_mode, KILL_PROCESS);
		CHECK_INT("ReloadSignal= number", s->reload_signal, 2);
		spec_free(s);
	}
	rejects("KillMode=none", SVC "KillMode=none\n",
		"web.unit:3: [Service] KillMode: \"none\" is not supported: sandboxd leaves no "
		"process unsupervised (control-group, mixed or process)");
	rejects("ReloadSignal= bad", SVC "ReloadSignal=SIGFOO\n",
		"web.unit:3: [Service] ReloadSignal: unknown signal \"SIGFOO\" (a signal name such as "
		"SIGHUP, or a number)");
}

static void test_env_files(void)
{
	struct spec *s;

	s = accepts("EnvironmentFile=", SVC "EnvironmentFile=-/etc/default/ssh\n"
		    "EnvironmentFile=/etc/web env\n");
	if (s) {
		CHECK_INT("EnvironmentFile= lines append", s->env_files.n, 2);
		CHECK_STR("\"-\" kept", s->env_files.v[0], "-/etc/default/ssh");
		CHECK_STR("one path per line, blanks kept", s->env_files.v[1], "/etc/web env");
		spec_free(s);
	}
	s = accepts("EnvironmentFile= cleared", SVC "EnvironmentFile=/a\nEnvironmentFile=\n");
	if (s) {
		CHECK_INT("empty EnvironmentFile= clears", s->env_files.n, 0);
		spec_free(s);
	}
	rejects("EnvironmentFile= wildcard", SVC "EnvironmentFile=/etc/env.d/*.conf\n",
		"web.unit:3: [Service] EnvironmentFile: \"/etc/env.d/*.conf\": wildcards are not "
		"supported (an absolute path, \"-\" first if the file may be missing)");
	s = accepts("After= cleared, JoinsNamespaceOf= kept", "[Unit]\nJoinsNamespaceOf=db\n"
		    "After=x\nAfter=\n" SVC);
	if (s) {
		CHECK("an empty After= leaves the joined unit's After=", s->after.n == 1 &&
		      strcmp(s->after.v[0], "db") == 0);
		spec_free(s);
	}
	rejects("EnvironmentFile= relative", SVC "EnvironmentFile=-default/ssh\n",
		"web.unit:3: [Service] EnvironmentFile: \"default/ssh\": not an absolute path (an "
		"absolute path, \"-\" first if the file may be missing)");
}

static void test_namespaces(void)
{
	struct spec *s;

	s = accepts("JoinsNamespaceOf=", "[Unit]\nJoinsNamespaceOf=db cache.service\n" SVC);
	if (s) {
		CHECK_INT("JoinsNamespaceOf= names", s->joins_namespace_of.n, 2);
		CHECK_STR("JoinsNamespaceOf= .service dropped", s->joins_namespace_of.v[1], "cache");
		CHECK("JoinsNamespaceOf= implies After=", strv_contains(&s->after, "db") &&
		      strv_contains(&s->after, "cache"));
		CHECK_INT("joins_loc", s->joins_loc.line, 2);
		CHECK_INT("after_loc from JoinsNamespaceOf=", s->after_loc.line, 2);
		spec_free(s);
	}
	s = accepts("JoinsNamespaceOf= and After=", "[Unit]\nAfter=db\nJoinsNamespaceOf=db\n" SVC);
	if (s) {
		CHECK_INT("After= not repeated", s->after.n, 1);
		spec_free(s);
	}
	rejects("JoinsNamespaceOf= itself", "[Unit]\nJoinsNamespaceOf=web\n" SVC,
		"web.unit:2: [Unit] JoinsNamespaceOf: a unit cannot join its own namespaces (unit names)");
	rejects("JoinsNamespaceOf= a target", "[Unit]\nJoinsNamespaceOf=network.target\n" SVC,
		"web.unit:2: [Unit] JoinsNamespaceOf: \"network.target\" is not a service (unit names)");
	rejects("JoinsNamespaceOf= without net and ipc", "[Unit]\nJoinsNamespaceOf=db\n" SVC
		"[Sandbox]\nNamespaces=~net ~ipc\n",
		"web.unit:2: [Unit] JoinsNamespaceOf: needs the net or ipc namespace (see Namespaces=)");
	s = accepts("NetworkNamespacePath=", SVC "NetworkNamespacePath=/run/netns/blue\n");
	if (s) {
		CHECK_STR("NetworkNamespacePath= in [Service]", s->netns_path, "/run/netns/blue");
		spec_free(s);
	}
	rejects("NetworkNamespacePath= without net", SVC "[Sandbox]\nNamespaces=~net\n"
		"NetworkNamespacePath=/run/netns/blue\n",
		"web.unit:5: [Sandbox] NetworkNamespacePath: needs the net namespace (see Namespaces=)");
	rejects("NetworkNamespacePath= and JoinsNamespaceOf=", "[Unit]\nJoinsNamespaceOf=db\n" SVC
		"NetworkNamespacePath=/run/netns/blue\n",
		"web.unit:5: [Service] NetworkNamespacePath: conflicts with JoinsNamespaceOf= (web.unit:2)");

	s = accepts("Private* switches", SVC "PrivateNetwork=no\nPrivateIPC=false\n"
		    "PrivateUsers=yes\nProtectHostname=no\n");
	if (s) {
		CHECK("PrivateNetwork=no removes net", !(s->namespaces & NS_BIT(NS_NET)));
		CHECK("PrivateIPC=no removes ipc", !(s->namespaces & NS_BIT(NS_IPC)));
		CHECK("PrivateUsers=yes adds user", s->namespaces & NS_BIT(NS_USER));
		CHECK("ProtectHostname=no removes uts", !(s->namespaces & NS_BIT(NS_UTS)));
		CHECK("no uts: no hostname", s->hostname == NULL);
		CHECK("pid kept", s->namespaces & NS_BIT(NS_PID));
		spec_free(s);
	}
	s = accepts("PrivateUsers=identity", SVC "PrivateUsers=identity\nPrivateNetwork=yes\n"
		    "[Sandbox]\nNamespaces=pid net mount user\n");
	if (s) {
		CHECK("PrivateUsers=identity agrees with Namespaces=",
		      s->namespaces == (NS_BIT(NS_PID) | NS_BIT(NS_NET) | NS_BIT(NS_MOUNT) |
					NS_BIT(NS_USER)));
		spec_free(s);
	}
	rejects("PrivateNetwork= against Namespaces=", SVC "PrivateNetwork=yes\n[Sandbox]\n"
		"Namespaces=~net\n",
		"web.unit:3: [Service] PrivateNetwork: \"yes\" conflicts with Namespaces= "
		"(web.unit:5), which leaves out net");
	rejects("PrivateIPC= against Namespaces=", SVC "[Sandbox]\nNamespaces=pid ipc mount\n"
		"PrivateIPC=no\n",
		"web.unit:5: [Sandbox] PrivateIPC: \"no\" conflicts with Namespaces= (web.unit:4), "
		"which has ipc");
	rejects("PrivateUsers=self", SVC "PrivateUsers=self\n",
		"web.unit:3: [Service] PrivateUsers: \"self\" is not supported: sandboxd maps ids "
		"0-65535 as \"identity\" (yes, no or identity)");
	rejects("PrivateNetwork= not a boolean", SVC "PrivateNetwork=maybe\n",
		"web.unit:3: [Service] PrivateNetwork: \"maybe\" is not a boolean (yes or no)");
}

static void test_sections(void)
{
	struct spec *s;

	s = accepts("[Service] takes [Sandbox] and [Resources] keys", SVC
		    "NoNewPrivileges=true\nReadOnlyRoot=no\nSyslogSocket=no\n"
		    "LimitNOFILE=65535\nCapabilities=CAP_CHOWN\n"
#if CONFIG_CGROUPS
		    "MemoryMax=64M\n"
#endif
		    );
	if (s) {
#if CONFIG_CGROUPS
		CHECK("MemoryMax= in [Service]", s->res.memory_max.set &&
		      s->res.memory_max.v == 64u << 20);
#endif
		CHECK("ReadOnlyRoot= in [Service]", !s->root_readonly);
		CHECK("SyslogSocket=no", !s->syslog_socket);
		CHECK_U64("Capabilities= in [Service]", s->caps, 1);
		spec_free(s);
	}
	rejects("a [Sandbox] key in [Service] is named as written", SVC "Hostname=a_b\n",
		"web.unit:3: [Service] Hostname: \"a_b\" is not a hostname (letters, digits, '-' and "
		"'.', at most 64)");
	rejects("[Service] key in [Sandbox]", SVC "[Sandbox]\nKillMode=mixed\n",
		"web.unit:4: [Sandbox] KillMode: unknown key in this section (it belongs in [Service])");
	rejects("[Resources] key in [Unit]", "[Unit]\nMemoryMax=1M\n" SVC,
		"web.unit:2: [Unit] MemoryMax: unknown key in this section (it belongs in [Resources])");

	s = accepts("[Install] and [Unit] extras", "[Unit]\nDescription=x\nDocumentation=man:x(8) "
		    "https://x\nAfter=network-online.target remote-fs.target nss-lookup.target "
		    "auditd.service\nWants=network-online.target db\nRequires=network.target\n"
		    "Before=nss-lookup.target\n" SVC "[Install]\nWantedBy=multi-user.target\n"
		    "Alias=redis.service\nRequiredBy=x.target\nAlso=y.socket\nDefaultInstance=a\n");
	if (s) {
		CHECK_INT("After= of targets ignored, of a .service kept", s->after.n, 1);
		CHECK_STR("After=auditd.service is auditd", s->after.v[0], "auditd");
		CHECK_INT("Requires=network.target ignored", s->requires.n, 0);
		CHECK("Wants= orders nothing", !strv_contains(&s->after, "db"));
		spec_free(s);
	}
	rejects("unknown key in [Install]", SVC "[Install]\nWantedBy=x\nUpheldBy=y\n",
		"web.unit:5: [Install] UpheldBy: unknown key");
	rejects("Before= of a service", "[Unit]\nBefore=nss-lookup.target db.service\n" SVC,
		"web.unit:2: [Unit] Before: \"db.service\": not supported for a service; write "
		"After=web in db (systemd's targets and other units that are not services (ignored))");
	rejects("Wants= bad name", "[Unit]\nWants=a/b\n" SVC,
		"web.unit:2: [Unit] Wants: \"a/b\" is not a unit name (unit names)");
	rejects("Condition keys", "[Unit]\nConditionPathExists=!/etc/x\n" SVC,
		"web.unit:2: [Unit] ConditionPathExists: is not supported: sandboxd starts every unit "
		"of its folder");
}

static bool has_path(const struct strv *sv, const char *p)
{
	return strv_contains(sv, p);
}

static const struct mount_spec *mount_at(const struct spec *s, const char *dst)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (strcmp(s->mounts[i].destination, dst) == 0)
			return &s->mounts[i];
	return NULL;
}

static void test_hardening(void)
{
	struct spec *s;

	s = accepts("hardening that sandboxd does", SVC "ProtectSystem=strict\nProtectHome=true\n"
		    "PrivateTmp=true\nPrivateDevices=true\nProtectKernelTunables=true\n"
		    "ProtectKernelModules=true\nProtectKernelLogs=true\nProtectControlGroups=true\n"
		    "ProtectClock=true\nProtectProc=invisible\nProcSubset=all\nRemoveIPC=true\n"
		    "PrivateMounts=yes\nDynamicUser=no\nNotifyAccess=main\nNoNewPrivileges=true\n"
		    "ReadOnlyPaths=\n");
	if (s) {
		CHECK("ProtectSystem=strict: read-only root", s->root_readonly);
		CHECK("ProtectHome=yes masks /home /root /run/user", has_path(&s->masked_paths, "/home") &&
		      has_path(&s->masked_paths, "/root") && has_path(&s->masked_paths, "/run/user"));
		CHECK("ProtectKernelTunables=yes keeps /proc/sys read-only",
		      has_path(&s->readonly_paths, "/proc/sys") &&
		      has_path(&s->readonly_paths, "/proc/sysrq-trigger"));
		CHECK("PrivateTmp=yes on the system's root: the default /tmp", mount_at(s, "/tmp"));
		spec_free(s);
	}
	s = accepts("ProtectHome=read-only", SVC "ProtectHome=read-only\nProtectSystem=no\n");
	if (s) {
		CHECK("ProtectHome=read-only", has_path(&s->readonly_paths, "/home") &&
		      !has_path(&s->masked_paths, "/home"));
		CHECK("ProtectSystem=no: a writable root", !s->root_readonly);
		spec_free(s);
	}
	s = accepts("PrivateTmp= with RootDirectory=", SVC "PrivateTmp=yes\n"
		    "RootDirectory=/var/tmp/img\n");
	if (s) {
		const struct mount_spec *m = mount_at(s, "/tmp");

		CHECK("PrivateTmp=yes with RootDirectory=: a tmpfs /tmp", m && m->kind == MOUNT_TMPFS &&
		      strstr(m->data, "mode=1777"));
		CHECK_INT("PrivateTmp= mount located at its line", m ? m->loc.line : 0, 3);
		spec_free(s);
	}
	s = accepts("PrivateTmp=no with RootDirectory=", SVC "PrivateTmp=no\n"
		    "RootDirectory=/var/tmp/img\n");
	if (s) {
		CHECK("PrivateTmp=no with RootDirectory=: the image's /tmp", !mount_at(s, "/tmp"));
		spec_free(s);
	}
	rejects("ProtectSystem= against ReadOnlyRoot=", SVC "ProtectSystem=full\nReadOnlyRoot=no\n",
		"web.unit:3: [Service] ProtectSystem: conflicts with ReadOnlyRoot= (web.unit:4); set one");
	rejects("ProtectSystem= without a mount namespace", SVC "ProtectSystem=yes\n"
		"[Sandbox]\nNamespaces=~mount\n",
		"web.unit:3: [Service] ProtectSystem: needs the mount namespace (see Namespaces=)");
	rejects("PrivateTmp=no", SVC "PrivateTmp=no\n",
		"web.unit:3: [Service] PrivateTmp: \"no\" is not supported: a unit on the system's "
		"root has its own /tmp (BindPaths=/tmp shares it)");
	rejects("PrivateDevices=no", SVC "PrivateDevices=no\n",
		"web.unit:3: [Service] PrivateDevices: \"no\" is not supported: a unit's /dev is "
		"sandboxd's minimal one");
	rejects("ProtectKernelModules= with CAP_SYS_MODULE", SVC "ProtectKernelModules=yes\n"
		"Capabilities=CAP_SYS_MODULE\n",
		"web.unit:3: [Service] ProtectKernelModules: needs no CAP_SYS_MODULE");
	rejects("ProtectProc= without a pid namespace", SVC "ProtectProc=noaccess\n[Sandbox]\n"
		"Namespaces=~pid\n",
		"web.unit:3: [Service] ProtectProc: needs the pid namespace");
	rejects("ProcSubset=pid", SVC "ProcSubset=pid\n",
		"web.unit:3: [Service] ProcSubset: \"pid\" is not supported: sandboxd mounts all of "
		"/proc, masked (all)");
	rejects("DynamicUser=yes", SVC "DynamicUser=yes\n",
		"web.unit:3: [Service] DynamicUser: is not supported: set User= (no)");
	rejects("NotifyAccess=none", SVC "NotifyAccess=none\n",
		"web.unit:3: [Service] NotifyAccess: \"none\" is not supported (all, main or exec: "
		"sandboxd reads every process of the unit)");
	rejects("ProtectHome= bad", SVC "ProtectHome=sometimes\n",
		"web.unit:3: [Service] ProtectHome: \"sometimes\" is not a value of this key (yes, "
		"read-only, tmpfs or no)");
	if ((s = accepts("ProtectProc=default without pid", SVC "ProtectProc=default\n[Sandbox]\n"
			 "Namespaces=~pid\n")))
		spec_free(s);
	if ((s = accepts("no hardening without a mount namespace", SVC "PrivateDevices=no\n"
			 "PrivateTmp=no\n[Sandbox]\nNamespaces=~mount\n")))
		spec_free(s);
}

#define CAP(n) (UINT64_C(1) << (n))
#define DEFAULT_CAPS (CAP(29) | CAP(5) | CAP(10))

static void test_caps(void)
{
	struct spec *s;

	if ((s = accepts("CapabilityBoundingSet= empty", SVC "CapabilityBoundingSet=\n"))) {
		CHECK_U64("empty bounding set: no capability", s->caps, 0);
		spec_free(s);
	}
	if ((s = accepts("root: bounding set", SVC "CapabilityBoundingSet=CAP_NET_ADMIN\n"
			 "CapabilityBoundingSet=CAP_NET_RAW\n"))) {
		CHECK_U64("root gets its bounding set", s->caps, CAP(12) | CAP(13));
		spec_free(s);
	}
	if ((s = accepts("bounding set ~", SVC "CapabilityBoundingSet=~CAP_KILL CAP_SYS_ADMIN\n"))) {
		CHECK_U64("~: takes from the default, grants nothing", s->caps, CAP(29) | CAP(10));
		spec_free(s);
	}
	if ((s = accepts("user: ambient", SVC "User=1000\nAmbientCapabilities=CAP_NET_RAW\n"
			 "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_BIND_SERVICE\n"))) {
		CHECK_U64("ambient added, within the bounding set", s->caps, CAP(13) | CAP(10));
		spec_free(s);
	}
	if ((s = accepts("Capabilities= narrowed", SVC "Capabilities=CAP_CHOWN CAP_KILL\n"
			 "CapabilityBoundingSet=CAP_KILL\n"))) {
		CHECK_U64("Capabilities= within the bounding set", s->caps, CAP(5));
		spec_free(s);
	}
	rejects("ambient outside the bounding set", SVC "AmbientCapabilities=CAP_NET_RAW\n"
		"CapabilityBoundingSet=CAP_KILL\n",
		"web.unit:4: [Service] CapabilityBoundingSet: leaves out CAP_NET_RAW, which "
		"AmbientCapabilities= asks for");
	rejects("unknown capability", SVC "AmbientCapabilities=CAP_FLY\n",
		"web.unit:3: [Service] AmbientCapabilities: unknown capability \"CAP_FLY\" (CAP_* "
		"names, ~names for all but these, or empty for none)");
}

/* Debian 12's own [Unit]/[Service]/[Install] blocks, as shipped, but for
 * the keys of other helpers' areas (directories, seccomp). */
static void test_debian(void)
{
	struct spec *s;

	s = accepts("Debian nginx.service",
		"[Unit]\n"
		"Description=A high performance web server and a reverse proxy server\n"
		"Documentation=man:nginx(8)\n"
		"After=network-online.target remote-fs.target nss-lookup.target\n"
		"Wants=network-online.target\n"
		"\n[Service]\n"
		"Type=forking\n"
		"PIDFile=/run/nginx.pid\n"
		"ExecStartPre=/usr/sbin/nginx -t -q -g 'daemon on; master_process on;'\n"
		"ExecStart=/usr/sbin/nginx -g 'daemon on; master_process on;'\n"
		"ExecReload=/usr/sbin/nginx -g 'daemon on; master_process on;' -s reload\n"
		"ExecStop=-/sbin/start-stop-daemon --quiet --stop --retry QUIT/5 --pidfile /run/nginx.pid\n"
		"TimeoutStopSec=5\n"
		"KillMode=mixed\n"
		"\n[Install]\n"
		"WantedBy=multi-user.target\n");
	if (s) {
		CHECK("nginx: forking, mixed, 5 s", s->type == SERVICE_FORKING &&
		      s->kill_mode == KILL_MIXED && s->timeout_stop_ms == 5000);
		CHECK("nginx: one command per list", s->exec_start_pre.n == 1 &&
		      s->exec_reload.n == 1 && s->exec_stop.n == 1 && s->exec_stop.v[0].ignore_failure);
		CHECK_INT("nginx: no After= left", s->after.n, 0);
		spec_free(s);
	}
	s = accepts("Debian redis-server.service",
		"[Unit]\n"
		"Description=Advanced key-value store\n"
		"After=network.target\n"
		"Documentation=http://redis.io/documentation, man:redis-server(1)\n"
		"\n[Service]\n"
		"Type=notify\n"
		"ExecStart=/usr/bin/redis-server /etc/redis/redis.conf --supervised systemd --daemonize no\n"
		"PIDFile=/run/redis/redis-server.pid\n"
		"TimeoutStopSec=0\n"
		"Restart=always\n"
		"User=redis\n"
		"Group=redis\n"
		"\nUMask=007\n"
		"PrivateTmp=true\n"
		"LimitNOFILE=65535\n"
		"PrivateDevices=true\n"
		"ProtectHome=true\n"
		"ProtectSystem=strict\n"
		"\nCapabilityBoundingSet=\n"
		"NoNewPrivileges=true\n"
		"PrivateUsers=true\n"
		"ProtectClock=true\n"
		"ProtectControlGroups=true\n"
		"ProtectHostname=true\n"
		"ProtectKernelLogs=true\n"
		"ProtectKernelModules=true\n"
		"ProtectKernelTunables=true\n"
		"ProtectProc=invisible\n"
		"RemoveIPC=true\n"
		"SystemCallArchitectures=native\n"
		"\n[Install]\n"
		"WantedBy=multi-user.target\n"
		"Alias=redis.service\n");
	if (s) {
		CHECK("redis: notify, no stop timeout", s->type == SERVICE_NOTIFY &&
		      s->timeout_stop_ms == LIMIT_INFINITY);
		CHECK_U64("redis: no capability", s->caps, 0);
		CHECK("redis: user namespace", s->namespaces & NS_BIT(NS_USER));
		CHECK_STR("redis: user by name", s->user_name, "redis");
		spec_free(s);
	}
	s = accepts("Debian mosquitto.service",
		"[Unit]\n"
		"Description=Mosquitto MQTT Broker\n"
		"Documentation=man:mosquitto.conf(5) man:mosquitto(8)\n"
		"After=network.target\n"
		"Wants=network.target\n"
		"\n[Service]\n"
		"Type=notify\n"
		"NotifyAccess=main\n"
		"ExecStart=/usr/sbin/mosquitto -c /etc/mosquitto/mosquitto.conf\n"
		"ExecReload=/bin/kill -HUP $MAINPID\n"
		"Restart=on-failure\n"
		"ExecStartPre=/bin/mkdir -m 740 -p /var/log/mosquitto\n"
		"ExecStartPre=/bin/chown mosquitto /var/log/mosquitto\n"
		"ExecStartPre=/bin/mkdir -m 740 -p /run/mosquitto\n"
		"ExecStartPre=/bin/chown mosquitto /run/mosquitto\n"
		"\n[Install]\n"
		"WantedBy=multi-user.target\n");
	if (s) {
		CHECK("mosquitto: four ExecStartPre=, reload by SIGHUP", s->exec_start_pre.n == 4 &&
		      s->reload_signal == SIGHUP && s->exec_reload.n == 0);
		spec_free(s);
	}
	s = accepts("Debian dnsmasq.service",
		"[Unit]\n"
		"Description=dnsmasq - A lightweight DHCP and caching DNS server\n"
		"Requires=network.target\n"
		"Wants=nss-lookup.target\n"
		"Before=nss-lookup.target\n"
		"After=network.target\n"
		"\n[Service]\n"
		"Type=forking\n"
		"PIDFile=/run/dnsmasq/dnsmasq.pid\n"
		"\n# Test the config file and refuse starting if it is not valid.\n"
		"ExecStartPre=/usr/share/dnsmasq/systemd-helper checkconfig\n"
		"ExecStart=/usr/share/dnsmasq/systemd-helper exec\n"
		"ExecStartPost=/usr/share/dnsmasq/systemd-helper start-resolvconf\n"
		"ExecStop=/usr/share/dnsmasq/systemd-helper stop-resolvconf\n"
		"\n\nExecReload=/bin/kill -HUP $MAINPID\n"
		"\n[Install]\n"
		"WantedBy=multi-user.target\n");
	if (s)
		spec_free(s);
	/* ssh.service less ConditionPathExists=, RestartPreventExitStatus=,
	 * the RuntimeDirectory= keys, its $SSHD_OPTS and the ExecReload= test */
	s = accepts("Debian ssh.service",
		"[Unit]\n"
		"Description=OpenBSD Secure Shell server\n"
		"Documentation=man:sshd(8) man:sshd_config(5)\n"
		"After=network.target\n"
		"\n[Service]\n"
		"EnvironmentFile=-/etc/default/ssh\n"
		"ExecStartPre=/usr/sbin/sshd -t\n"
		"ExecStart=/usr/sbin/sshd -D\n"
		"ExecReload=/bin/kill -HUP $MAINPID\n"
		"KillMode=process\n"
		"Restart=on-failure\n"
		"Type=notify\n"
		"\n[Install]\n"
		"WantedBy=multi-user.target\n"
		"Alias=sshd.service\n");
	if (s) {
		CHECK("ssh: process kill mode, env file", s->kill_mode == KILL_PROCESS &&
		      s->env_files.n == 1);
		spec_free(s);
	}
}

#if CONFIG_OCI_SPEC
/* `sandboxctl spec`: malloc'ed text. */
static char *export_text(const struct spec *s)
{
	int fd = memfd_create("oci", MFD_CLOEXEC);
	struct err e;
	char *buf = NULL;

	if (fd < 0 || oci_write_spec(s, fd, &e) < 0)
		goto out;
	off_t n = lseek(fd, 0, SEEK_CUR);
	if (n < 0 || !(buf = calloc(1, (size_t)n + 1)) || pread(fd, buf, (size_t)n, 0) != n) {
		free(buf);
		buf = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

static void has_line(const char *name, const char *text, const char *want)
{
	t_report(name, text && strstr(text, want), "no \"%s\" in the export", want);
}

static void test_export(void)
{
	struct spec *s;

	s = accepts("export unit", SVC
		"Type=forking\nPIDFile=/run/web.pid\nKillMode=process\nTimeoutStopSec=0\n"
		"TimeoutStartSec=2min\nExecStartPre=/usr/sbin/nginx -t -g 'daemon on;'\n"
		"ExecStartPre=-/bin/printf '%s\\n' \"it's\" \"a\\\"b\" \"tab\\there\"\n"
		"ExecStop=/bin/stop\nExecStartPost=/bin/post\nExecReload=/bin/kill -HUP $MAINPID\n"
		"EnvironmentFile=-/etc/default/web\nEnvironmentFile=/etc/web.env\n"
		"SyslogSocket=no\n[Unit]\nJoinsNamespaceOf=db\n");
	if (!s)
		return;
	char *t = export_text(s);
	has_line("export: type", t, "\"org.sandboxd.type\": \"forking\"");
	has_line("export: pid file", t, "\"org.sandboxd.pidFile\": \"/run/web.pid\"");
	has_line("export: ExecStartPre= as unit lines", t,
		 "\"org.sandboxd.execStartPre\": \"/usr/sbin/nginx -t -g \\\"daemon on;\\\"\\u000a-/bin/printf \\\"%s\\\\\\\\n\\\" \\\"it's\\\" \\\"a\\\\\\\"b\\\" \\\"tab\\\\x09here\\\"\"");
	has_line("export: ExecStop=", t, "\"org.sandboxd.execStop\": \"/bin/stop\"");
	has_line("export: ExecStartPost=", t, "\"org.sandboxd.execStartPost\": \"/bin/post\"");
	has_line("export: start timeout", t, "\"org.sandboxd.timeoutStartSec\": \"120000ms\"");
	has_line("export: stop timeout", t, "\"org.sandboxd.timeoutStopSec\": \"infinity\"");
	has_line("export: kill mode", t, "\"org.sandboxd.killMode\": \"process\"");
	has_line("export: reload signal", t, "\"org.sandboxd.reloadSignal\": \"SIGHUP\"");
	has_line("export: environment files", t,
		 "\"org.sandboxd.environmentFiles\": \"-/etc/default/web\\u000a/etc/web.env\"");
	has_line("export: joins", t, "\"org.sandboxd.joinsNamespaceOf\": \"db\"");
	has_line("export: syslog socket", t, "\"org.sandboxd.syslogSocket\": \"false\"");
	free(t);
	spec_free(s);

	s = accepts("export netns", SVC "NetworkNamespacePath=/run/netns/blue\n");
	if (s) {
		t = export_text(s);
		has_line("export: NetworkNamespacePath= as the network namespace's path", t,
			 "\"type\": \"network\",\n        \"path\": \"/run/netns/blue\"");
		CHECK("export: a plain unit has no service annotations",
		      t && !strstr(t, "org.sandboxd.type") && !strstr(t, "timeoutStopSec"));
		free(t);
		spec_free(s);
	}
}
#else
static void test_export(void)
{
	t_skip("export", "this build has no OCI export (CONFIG_OCI_SPEC)");
}
#endif

int main(void)
{
	test_export();
	test_type();
	test_exec_lists();
	test_timeouts();
	test_env_files();
	test_namespaces();
	test_sections();
	test_hardening();
	test_caps();
	test_debian();
	return t_exit();
}
