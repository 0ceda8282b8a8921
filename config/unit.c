/* Unit files -> struct spec: the helpers every setter uses, the generic
 * setters, the key table, the checks and defaults after all files, and the
 * entry points. The setters of the [Unit] and [Service] keys are in
 * unit_service.c, of [Sandbox] and [Resources] in unit_sandbox.c; reading
 * files and lines is in unit_read.c, the mount keys and default mounts in
 * unit_mounts.c.
 *
 * Cost: every list is checked for duplicates through a set (strset.c), so
 * that n words cost O(n); every list and the unit as a whole have caps
 * (unit_parse.h), each with its own message (issue #9, items 15, 16). */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "caps_names.h"
#include "ids.h"
#include "seccomp_rules.h"
#include "unit_parse.h"
#include "values.h"
#include "words.h"
#include "../lib/rlimits.h"

void unit_give_up(struct parse *p)
{
	if (p->gave_up)
		return;
	p->gave_up = true;
	diag_at(p->d, p->file, p->line, NULL, NULL,
		"more than %d problems; the rest of the unit is not read", UNIT_PROBLEMS_MAX);
}

void unit_bad(struct parse *p, const struct key_def *k, const char *fmt, ...)
{
	char what[DIAG_MSG_MAX];
	va_list ap;

	/* the unit is already bad: one line about the rest is enough */
	if (p->d->count - p->errors_before >= UNIT_PROBLEMS_MAX) {
		unit_give_up(p);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (k->accepted)
		diag_at(p->d, p->file, p->line, k->section, k->name, "%s (%s)", what, k->accepted);
	else
		diag_at(p->d, p->file, p->line, k->section, k->name, "%s", what);
}

void unit_oom(struct parse *p)
{
	if (!p->oom)
		diag_at(p->d, p->file, p->line, NULL, NULL, "out of memory");
	p->oom = true;
}

char *unit_dup(struct parse *p, const char *v)
{
	char *c = arena_strdup(&p->s->arena, v);

	if (!c)
		unit_oom(p);
	return c;
}

void *unit_field(struct parse *p, const struct key_def *k)
{
	return (char *)p->s + k->off;
}

struct loc unit_here(const struct parse *p)
{
	return (struct loc){ .file = p->file, .line = p->line };
}

bool unit_split(struct parse *p, const struct key_def *k, const char *v, struct strv *out)
{
	const char *why;

	if (words_split(&p->s->arena, v, UNIT_WORDS_MAX, out, &why) == 0)
		return true;
	if (strcmp(why, "out of memory") == 0)
		unit_oom(p);
	else
		unit_bad(p, k, "%s", why);
	return false;
}

bool unit_is_abs_path(const char *v)
{
	return v[0] == '/';
}

/* Paths: absolute, no NUL-hostile bytes, no "." or ".." components, so
 * that what is checked is what the launcher resolves. */
const char *unit_path_problem(const char *v)
{
	if (!unit_is_abs_path(v))
		return "not an absolute path";
	if (strlen(v) >= 4096)
		return "path too long";
	for (const char *c = v; *c; c++) {
		if (*c == '/' && c[1] == '.' && (c[2] == '/' || !c[2] ||
		    (c[2] == '.' && (c[3] == '/' || !c[3]))))
			return "\".\" and \"..\" components are not allowed";
		if ((unsigned char)*c < 0x20)
			return "control characters are not allowed";
	}
	return NULL;
}

/* Add w to a list without duplicates, at most max entries. The set is
 * rebuilt from the list when they differ (the list was seeded with
 * defaults, or cleared), so a word costs O(1), not a scan of the list.
 * 1 = added, 0 = already there, -1 = reported (cap or memory). */
int unit_list_add(struct parse *p, const struct key_def *k, struct strv *sv,
		  struct strset *set, const char *w, size_t max, const char *what, bool copy)
{
	if (set->n != sv->n) {
		strset_clear(set);
		for (size_t i = 0; i < sv->n; i++)
			if (strset_put(set, sv->v[i], strlen(sv->v[i]), i, NULL) < 0) {
				unit_oom(p);
				return -1;
			}
	}
	if (strset_get(set, w, strlen(w), NULL))
		return 0;
	if (sv->n >= max) {
		unit_bad(p, k, "more than %zu %s", max, what);
		return -1;
	}
	if (copy && !(w = arena_strdup(&p->s->arena, w))) {
		unit_oom(p);
		return -1;
	}
	if (strv_push(&p->s->arena, sv, w) < 0 || strset_put(set, w, strlen(w), sv->n - 1, NULL) < 0) {
		unit_oom(p);
		return -1;
	}
	return 1;
}

void unit_list_clear(struct strv *sv, struct strset *set)
{
	strv_clear(sv);
	strset_clear(set);
}

/* ---- defaults ---------------------------------------------------------- */

static const char *const default_masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	"/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
	NULL,
};
static const char *const default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static void spec_defaults(struct spec *s)
{
	s->type = SERVICE_SIMPLE;
	s->cwd = "/";
	s->umask = 022;
	s->restart = RESTART_ON_FAILURE;
	s->restart_sec_ms = 100;
	s->restart_max_sec_ms = 30000;
	s->start_limit_burst = 5;
	s->start_limit_interval_ms = 10000;
	s->timeout_stop_ms = 5000;
	s->timeout_start_ms = 90000;                  /* systemd's DefaultTimeoutStartSec */
	s->kill_mode = KILL_CONTROL_GROUP;
	s->kill_signal = 15;
	s->syslog_socket = true;
	for (int i = 0; i < EXEC_DIR_COUNT; i++)
		s->dirs[i].mode = 0755;
	s->namespaces = NS_DEFAULT;
	s->caps = (1ull << 29) | (1ull << 5) | (1ull << 10);  /* AUDIT_WRITE KILL NET_BIND_SERVICE */
	s->no_new_privs = true;
	s->init = -1;                                 /* decided after parsing */
	s->seccomp_profile = CONFIG_SECCOMP ? SECCOMP_PROFILE_DEFAULT : SECCOMP_PROFILE_NONE;
	s->seccomp.errnum = EPERM;
	s->res.cpu_period_us = 100000;
}

static int push_all(struct spec *s, struct strv *sv, const char *const *list)
{
	for (; *list; list++)
		if (strv_push(&s->arena, sv, *list) < 0)
			return -1;
	return 0;
}

void unit_reset_field(struct parse *p, const struct key_def *k)
{
	struct spec def;

	memset(&def, 0, sizeof def);
	spec_defaults(&def);
	memcpy(unit_field(p, k), (char *)&def + k->off, k->size);
}

/* ---- generic setters ---------------------------------------------------- */

static void set_text(struct parse *p, const struct key_def *k, const char *v)
{
	const char **f = unit_field(p, k);

	*f = *v ? unit_dup(p, v) : NULL;
}

void unit_set_bool(struct parse *p, const struct key_def *k, const char *v)
{
	if (!*v) {
		unit_reset_field(p, k);
		return;
	}
	if (parse_bool(v, unit_field(p, k)) < 0)
		unit_bad(p, k, "\"%s\" is not a boolean", v);
}

static void set_duration(struct parse *p, const struct key_def *k, const char *v)
{
	uint64_t ms;

	if (!*v) {
		unit_reset_field(p, k);
		return;
	}
	if (parse_duration_ms(v, &ms) < 0)
		unit_bad(p, k, "\"%s\" is not a duration", v);
	else if (ms < (uint64_t)k->arg)
		unit_bad(p, k, "%s is too short", v);
	else
		*(uint64_t *)unit_field(p, k) = ms;
}

void unit_mark_resource(struct parse *p, const struct key_def *k)
{
	if (!p->resources_loc.line)
		p->resources_loc = unit_here(p);
	(void)k;
}

/* A [Resources] value: bytes, or a number in [arg, arg2]; infinity if arg2 < 0 allows it. */
static void set_res_size(struct parse *p, const struct key_def *k, const char *v)
{
	struct u64_opt *o = unit_field(p, k);
	uint64_t b;

	if (!*v) {
		o->set = false;
		return;
	}
	if (parse_size(v, &b) < 0) {
		unit_bad(p, k, "\"%s\" is not a size", v);
		return;
	}
	unit_mark_resource(p, k);
	o->set = true;
	o->v = b;
}

static void set_res_range(struct parse *p, const struct key_def *k, const char *v)
{
	struct u64_opt *o = unit_field(p, k);
	uint64_t n;

	if (!*v) {
		o->set = false;
		return;
	}
	if (k->arg2 < 0 && strcmp(v, "infinity") == 0) {
		n = LIMIT_INFINITY;
	} else if (parse_u64(v, &n) < 0 || n < (uint64_t)k->arg ||
		   n > (uint64_t)(k->arg2 < 0 ? -k->arg2 : k->arg2)) {
		unit_bad(p, k, "\"%s\" is out of range", v);
		return;
	}
	unit_mark_resource(p, k);
	o->set = true;
	o->v = n;
	if (o == &p->s->res.cpu_weight)
		p->cpu_weight_loc = unit_here(p);
	if (o == &p->s->res.cpu_shares)
		p->cpu_shares_loc = unit_here(p);
}

void unit_set_path(struct parse *p, const struct key_def *k, const char *v)
{
	const char *why;

	if (!*v) {
		unit_reset_field(p, k);
		return;
	}
	if ((why = unit_path_problem(v))) {
		unit_bad(p, k, "\"%s\": %s", v, why);
		return;
	}
	*(const char **)unit_field(p, k) = unit_dup(p, v);
}

/* ---- the key table ------------------------------------------------------ */

#define RES(f) offsetof(struct spec, res.f), sizeof(((struct spec *)0)->res.f)
_Static_assert(SPEC_RLIMITS == RLIMITS_N, "spec.rlimits[] is indexed by RLIMIT_*");
#define LIMIT_KEY(n, bytes) LIMIT("Limit" #n, RLIMIT_##n),
#define LIMIT(name, r) { "Service", name, unit_set_rlimit, NOFIELD, r, 0, \
	"N, SOFT:HARD or infinity", false }

static const char ACC_SIZE[] = "bytes with an optional K, M, G or T suffix, or infinity";
static const char ACC_DURATION[] = "a duration such as 500ms, 2s, 1min, 1h or bare seconds";
static const char ACC_BOOL[] = "yes or no";
static const char ACC_DIRS[] = "relative paths such as redis or nginx/tmp";
static const char ACC_PATHS[] = "absolute paths, each with an optional \"-\" (skip it when missing)";
static const char ACC_TIMEOUT[] = "a duration such as 90s or 5min, or infinity (0 is infinity too)";
static const char ACC_EXEC[] = "an absolute path and arguments, \"-\" first to ignore a failure; "
	"an empty value clears the list";
static const char ACC_CAPS[] = "CAP_* names, ~names for all but these, or empty for none";

static const struct key_def keys[] = {
	{ "Unit", "Description", set_text, FIELD(description), 0, 0, NULL, false },
	{ "Unit", "After", unit_set_deps, FIELD(after), 0, 0, "unit names", true },
	{ "Unit", "Requires", unit_set_deps, FIELD(requires), 0, 0, "unit names", true },
	/* INT_MAX, not UINT_MAX: key_def's long is 32 bits on armhf, where
	 * UINT_MAX reads as -1 and every burst would be out of range */
	{ "Unit", "StartLimitBurst", unit_set_count, FIELD(start_limit_burst), 0, INT_MAX, "a count; 0 = no limit", false },
	{ "Unit", "StartLimitIntervalSec", set_duration, FIELD(start_limit_interval_ms), 0, 0, ACC_DURATION, false },

	{ "Service", "Type", unit_set_type, NOFIELD, 0, 0, "simple, exec, oneshot, notify or forking", false },
	{ "Service", "ExecStart", unit_set_exec, NOFIELD, 0, 0, "an absolute path and arguments; quotes and backslash escapes, no shell", false },
	{ "Service", "Environment", unit_set_env, NOFIELD, 0, 0, "KEY=VALUE words", true },
	{ "Service", "WorkingDirectory", unit_set_path, FIELD(cwd), 0, 0, "an absolute path", false },
	{ "Service", "User", unit_set_id, NOFIELD, 0, 0, "a user name or number", false },
	{ "Service", "Group", unit_set_id, NOFIELD, 1, 0, "a group name or number", false },
	{ "Service", "SupplementaryGroups", unit_set_groups, NOFIELD, 0, 0, "group names or numbers", true },
	{ "Service", "UMask", unit_set_umask, NOFIELD, 0, 0, "an octal mode such as 0022", false },
	{ "Service", "Restart", unit_set_restart, NOFIELD, 0, 0, "no, on-success, on-failure, on-abnormal or always", false },
	{ "Service", "RestartSec", set_duration, FIELD(restart_sec_ms), 1, 0, ACC_DURATION, false },
	{ "Service", "RestartMaxSec", set_duration, FIELD(restart_max_sec_ms), 1, 0, ACC_DURATION, false },
	{ "Service", "StartLimitBurst", unit_set_count, FIELD(start_limit_burst), 0, INT_MAX, "a count; 0 = no limit", false },
	{ "Service", "StartLimitIntervalSec", set_duration, FIELD(start_limit_interval_ms), 0, 0, ACC_DURATION, false },
	{ "Service", "TimeoutStopSec", unit_set_timeout, NOFIELD, 1, 0, ACC_TIMEOUT, false },
	{ "Service", "KillSignal", unit_set_signal, FIELD(kill_signal), 0, 0, "a signal name such as SIGTERM, or a number", false },
	{ "Service", "OOMPolicy", unit_set_oom_policy, NOFIELD, 0, 0, "restart, stop or reboot", false },
	{ "Service", "StandardOutput", unit_set_output, FIELD(std_out), 0, 0, "log, console, null, file:PATH or append:PATH", false },
	{ "Service", "StandardError", unit_set_output, FIELD(std_err), 0, 0, "log, console, null, file:PATH or append:PATH", false },
	RLIMITS_EACH(LIMIT_KEY)
	{ "Service", "OOMScoreAdjust", unit_set_oom_score, NOFIELD, 0, 0, "-1000 to 1000", false },

	/* issue #11: the service keys of Debian's units (unit_exec.c, unit_compat.c) */
	{ "Unit", "Documentation", unit_set_ignored, NOFIELD, 0, 0, NULL, true },
	{ "Unit", "Wants", unit_set_weak_deps, NOFIELD, 0, 0, "unit names", true },
	{ "Unit", "Before", unit_set_weak_deps, NOFIELD, 1, 0, "systemd's targets and other units that are not services (ignored)", true },
	{ "Unit", "JoinsNamespaceOf", unit_set_joins, NOFIELD, 0, 0, "unit names", true },
	{ "Service", "PIDFile", unit_set_pid_file, NOFIELD, 0, 0, "a path, absolute or under /run", false },
	{ "Service", "ExecStartPre", unit_set_exec_list, FIELD(exec_start_pre), 0, 0, ACC_EXEC, true },
	{ "Service", "ExecStartPost", unit_set_exec_list, FIELD(exec_start_post), 0, 0, ACC_EXEC, true },
	{ "Service", "ExecStop", unit_set_exec_list, FIELD(exec_stop), 0, 0, ACC_EXEC, true },
	{ "Service", "ExecReload", unit_set_exec_list, FIELD(exec_reload), 0, 0, ACC_EXEC, true },
	{ "Service", "TimeoutStartSec", unit_set_timeout, NOFIELD, 0, 0, ACC_TIMEOUT, false },
	{ "Service", "TimeoutSec", unit_set_timeout, NOFIELD, 2, 0, ACC_TIMEOUT, false },
	{ "Service", "KillMode", unit_set_kill_mode, NOFIELD, 0, 0, "control-group, mixed or process", false },
	{ "Service", "ReloadSignal", unit_set_reload_signal, NOFIELD, 0, 0, "a signal name such as SIGHUP, or a number", false },
	{ "Service", "EnvironmentFile", unit_set_env_file, NOFIELD, 0, 0, "an absolute path, \"-\" first if the file may be missing", true },
	{ "Service", "NotifyAccess", unit_set_harden, NOFIELD, H_NOTIFY_ACCESS, 0, "all, main or exec: sandboxd reads every process of the unit", false },
	{ "Sandbox", "NetworkNamespacePath", unit_set_netns_path, FIELD(netns_path), 0, 0, "an absolute path", false },
	{ "Sandbox", "PrivateNetwork", unit_set_ns_switch, NOFIELD, SW_NET, 0, ACC_BOOL, false },
	{ "Sandbox", "PrivateIPC", unit_set_ns_switch, NOFIELD, SW_IPC, 0, ACC_BOOL, false },
	{ "Sandbox", "PrivateUsers", unit_set_ns_switch, NOFIELD, SW_USER, 0, "yes, no or identity", false },
	{ "Sandbox", "ProtectHostname", unit_set_ns_switch, NOFIELD, SW_UTS, 0, "yes, no or private", false },
	{ "Sandbox", "SyslogSocket", unit_set_bool, FIELD(syslog_socket), 0, 0, ACC_BOOL, false },
	{ "Sandbox", "ProtectSystem", unit_set_harden, NOFIELD, H_PROTECT_SYSTEM, 0, "yes, full or strict (the read-only root), or no (ReadOnlyRoot=no)", false },
	{ "Sandbox", "ProtectHome", unit_set_harden, NOFIELD, H_PROTECT_HOME, 0, "yes, read-only, tmpfs or no", false },
	{ "Sandbox", "PrivateTmp", unit_set_harden, NOFIELD, H_PRIVATE_TMP, 0, "yes or disconnected; no with RootDirectory= or without the mount namespace", false },
	{ "Sandbox", "PrivateDevices", unit_set_harden, NOFIELD, H_PRIVATE_DEVICES, 0, ACC_BOOL, false },
	{ "Sandbox", "PrivateMounts", unit_set_harden, NOFIELD, H_PRIVATE_MOUNTS, 0, ACC_BOOL, false },
	{ "Sandbox", "ProtectKernelTunables", unit_set_harden, NOFIELD, H_KERNEL_TUNABLES, 0, ACC_BOOL, false },
	{ "Sandbox", "ProtectKernelModules", unit_set_harden, NOFIELD, H_KERNEL_MODULES, 0, ACC_BOOL, false },
	{ "Sandbox", "ProtectKernelLogs", unit_set_harden, NOFIELD, H_KERNEL_LOGS, 0, ACC_BOOL, false },
	{ "Sandbox", "ProtectControlGroups", unit_set_harden, NOFIELD, H_CONTROL_GROUPS, 0, "yes, private, strict or no", false },
	{ "Sandbox", "ProtectClock", unit_set_harden, NOFIELD, H_CLOCK, 0, ACC_BOOL, false },
	{ "Sandbox", "ProtectProc", unit_set_harden, NOFIELD, H_PROTECT_PROC, 0, "default, invisible, noaccess or ptraceable", false },
	{ "Sandbox", "ProcSubset", unit_set_harden, NOFIELD, H_PROC_SUBSET, 0, "all", false },
	{ "Sandbox", "RemoveIPC", unit_set_harden, NOFIELD, H_REMOVE_IPC, 0, ACC_BOOL, false },
	{ "Sandbox", "DynamicUser", unit_set_harden, NOFIELD, H_DYNAMIC_USER, 0, "no", false },
	{ "Sandbox", "CapabilityBoundingSet", unit_set_cap_set, NOFIELD, 0, 0, ACC_CAPS, true },
	{ "Sandbox", "AmbientCapabilities", unit_set_cap_set, NOFIELD, 1, 0, ACC_CAPS, true },
	{ "Install", "WantedBy", unit_set_ignored, NOFIELD, 0, 0, NULL, true },
	{ "Install", "RequiredBy", unit_set_ignored, NOFIELD, 0, 0, NULL, true },
	{ "Install", "Alias", unit_set_ignored, NOFIELD, 0, 0, NULL, true },
	{ "Install", "Also", unit_set_ignored, NOFIELD, 0, 0, NULL, true },
	{ "Install", "DefaultInstance", unit_set_ignored, NOFIELD, 0, 0, NULL, true },

	{ "Sandbox", "RootDirectory", unit_set_root, FIELD(root), 0, 0, "an absolute path", false },
	{ "Sandbox", "ReadOnlyRoot", unit_set_ro_root, FIELD(root_readonly), 0, 0, ACC_BOOL, false },
	{ "Sandbox", "Namespaces", unit_set_namespaces, NOFIELD, 0, 0, "pid net ipc uts mount cgroup user, or ~name to remove one from the default", false },
	{ "Sandbox", "Hostname", unit_set_hostname, NOFIELD, 0, 0, "letters, digits, '-' and '.', at most 64", false },
	{ "Sandbox", "Capabilities", unit_set_caps, NOFIELD, 0, 0, "CAP_* names", true },
	{ "Sandbox", "NoNewPrivileges", unit_set_nnp, FIELD(no_new_privs), 0, 0, ACC_BOOL, false },
	{ "Sandbox", "ControlAccess", unit_set_bool, FIELD(control_access), 0, 0, ACC_BOOL, false },
	{ "Sandbox", "Init", unit_set_init, NOFIELD, 0, 0, ACC_BOOL, false },
	{ "Sandbox", "BindPaths", unit_set_binds, NOFIELD, 0, 0, "SRC[:DST] absolute paths", true },
	{ "Sandbox", "BindReadOnlyPaths", unit_set_binds, NOFIELD, 1, 0, "SRC[:DST] absolute paths", true },
	{ "Sandbox", "TemporaryFileSystem", unit_set_tmpfs, NOFIELD, 0, 0, "DST[:OPTIONS]; options ro, nosuid, nodev, noexec, size=, mode=, nr_inodes=, uid=, gid=", true },
	{ "Sandbox", "MaskedPaths", unit_set_path_list, FIELD(masked_paths), 0, 0, "absolute paths", true },
	{ "Sandbox", "ReadOnlyPaths", unit_set_path_list, FIELD(readonly_paths), 0, 0, "absolute paths", true },
	{ "Sandbox", "SeccompProfile", unit_set_profile, NOFIELD, 0, 0, "default or none", false },
	{ "Sandbox", "SystemCallFilter", unit_set_syscall_filter, NOFIELD, 0, 0, "system call names and @groups, or ~names to deny", true },
	{ "Sandbox", "SystemCallErrorNumber", unit_set_syscall_errno, NOFIELD, 0, 0, "an errno name such as EPERM, or kill", false },
	{ "Sandbox", "RestrictNamespaces", unit_set_restrict_ns, NOFIELD, 0, 0, "yes, no, or the types a process may make or enter: cgroup ipc net mnt pid user uts; ~types for all but these", false },
	{ "Sandbox", "SystemCallArchitectures", unit_set_syscall_archs, NOFIELD, 0, 0, "native", false },
	{ "Sandbox", "RestrictAddressFamilies", unit_set_address_families, NOFIELD, 0, 0, "AF_ names, ~names to deny, or none", true },
	{ "Sandbox", "MemoryDenyWriteExecute", unit_set_hardening, FIELD(seccomp.mdwe), 0, 0, ACC_BOOL, false },
	{ "Sandbox", "LockPersonality", unit_set_hardening, FIELD(seccomp.lock_personality), 0, 0, ACC_BOOL, false },
	{ "Sandbox", "RestrictRealtime", unit_set_hardening, FIELD(seccomp.restrict_realtime), 0, 0, ACC_BOOL, false },
	{ "Sandbox", "RestrictSUIDSGID", unit_set_hardening, FIELD(seccomp.restrict_suid_sgid), 0, 0, ACC_BOOL, false },

	/* issue #11, runtime/state directories and paths (unit_dirs.c), in both sections */
	{ "Service", "RuntimeDirectory", unit_set_exec_dirs, NOFIELD, EXEC_DIR_RUNTIME, 0, ACC_DIRS, true },
	{ "Service", "RuntimeDirectoryMode", unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_RUNTIME, 0, "an octal mode such as 0750", false },
	{ "Service", "StateDirectory", unit_set_exec_dirs, NOFIELD, EXEC_DIR_STATE, 0, ACC_DIRS, true },
	{ "Service", "StateDirectoryMode", unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_STATE, 0, "an octal mode such as 0750", false },
	{ "Service", "CacheDirectory", unit_set_exec_dirs, NOFIELD, EXEC_DIR_CACHE, 0, ACC_DIRS, true },
	{ "Service", "CacheDirectoryMode", unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_CACHE, 0, "an octal mode such as 0750", false },
	{ "Service", "LogsDirectory", unit_set_exec_dirs, NOFIELD, EXEC_DIR_LOGS, 0, ACC_DIRS, true },
	{ "Service", "LogsDirectoryMode", unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_LOGS, 0, "an octal mode such as 0750", false },
	{ "Service", "ConfigurationDirectory", unit_set_exec_dirs, NOFIELD, EXEC_DIR_CONFIGURATION, 0, ACC_DIRS, true },
	{ "Service", "ConfigurationDirectoryMode", unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_CONFIGURATION, 0, "an octal mode such as 0750", false },
	{ "Service", "RuntimeDirectoryPreserve", unit_set_runtime_preserve, NOFIELD, 0, 0, "no, yes or restart", false },
	{ "Sandbox", "RuntimeDirectory", unit_set_exec_dirs, NOFIELD, EXEC_DIR_RUNTIME, 0, ACC_DIRS, true },
	{ "Sandbox", "RuntimeDirectoryMode", unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_RUNTIME, 0, "an octal mode such as 0750", false },
	{ "Sandbox", "StateDirectory", unit_set_exec_dirs, NOFIELD, EXEC_DIR_STATE, 0, ACC_DIRS, true },
	{ "Sandbox", "StateDirectoryMode", unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_STATE, 0, "an octal mode such as 0750", false },
	{ "Sandbox", "CacheDirectory", unit_set_exec_dirs, NOFIELD, EXEC_DIR_CACHE, 0, ACC_DIRS, true },
	{ "Sandbox", "CacheDirectoryMode", unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_CACHE, 0, "an octal mode such as 0750", false },
	{ "Sandbox", "LogsDirectory", unit_set_exec_dirs, NOFIELD, EXEC_DIR_LOGS, 0, ACC_DIRS, true },
	{ "Sandbox", "LogsDirectoryMode", unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_LOGS, 0, "an octal mode such as 0750", false },
	{ "Sandbox", "ConfigurationDirectory", unit_set_exec_dirs, NOFIELD, EXEC_DIR_CONFIGURATION, 0, ACC_DIRS, true },
	{ "Sandbox", "ConfigurationDirectoryMode", unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_CONFIGURATION, 0, "an octal mode such as 0750", false },
	{ "Sandbox", "RuntimeDirectoryPreserve", unit_set_runtime_preserve, NOFIELD, 0, 0, "no, yes or restart", false },
	{ "Service", "ReadWritePaths", unit_set_exec_paths, FIELD(readwrite_paths), 0, 0, ACC_PATHS, true },
	{ "Service", "InaccessiblePaths", unit_set_exec_paths, NOFIELD, 0, 0, ACC_PATHS, true },
	{ "Service", "NoExecPaths", unit_set_exec_paths, FIELD(noexec_paths), 0, 0, ACC_PATHS, true },
	{ "Service", "ExecPaths", unit_set_exec_paths, FIELD(exec_paths), 0, 0, ACC_PATHS, true },
	{ "Sandbox", "ReadWritePaths", unit_set_exec_paths, FIELD(readwrite_paths), 0, 0, ACC_PATHS, true },
	{ "Sandbox", "InaccessiblePaths", unit_set_exec_paths, NOFIELD, 0, 0, ACC_PATHS, true },
	{ "Sandbox", "NoExecPaths", unit_set_exec_paths, FIELD(noexec_paths), 0, 0, ACC_PATHS, true },
	{ "Sandbox", "ExecPaths", unit_set_exec_paths, FIELD(exec_paths), 0, 0, ACC_PATHS, true },

	{ "Resources", "MemoryMax", set_res_size, RES(memory_max), 0, 0, ACC_SIZE, false },
	{ "Resources", "MemoryHigh", set_res_size, RES(memory_high), 0, 0, ACC_SIZE, false },
	{ "Resources", "MemorySwapMax", set_res_size, RES(memory_swap_max), 0, 0, ACC_SIZE, false },
	{ "Resources", "CPUWeight", set_res_range, RES(cpu_weight), 1, 10000, "1 to 10000", false },
	{ "Resources", "CPUShares", set_res_range, RES(cpu_shares), 2, 262144, "2 to 262144", false },
	{ "Resources", "CPUQuota", unit_set_quota, NOFIELD, 0, 0, "a percentage such as 50% or 150%", false },
	{ "Resources", "CPUQuotaPeriodSec", unit_set_quota_period, NOFIELD, 0, 0, "1ms to 1s", false },
	{ "Resources", "AllowedCPUs", unit_set_cpuset, RES(cpus), 0, 0, "CPU numbers and ranges such as 0-1,3", false },
	{ "Resources", "AllowedMemoryNodes", unit_set_cpuset, RES(mems), 0, 0, "NUMA node numbers and ranges such as 0-1", false },
	{ "Resources", "TasksMax", set_res_range, RES(tasks_max), 1, -4194304, "1 to 4194304, or infinity", false },
	{ "Resources", "IOWeight", set_res_range, RES(io_weight), 1, 10000, "1 to 10000", false },
};

#define N_KEYS (sizeof keys / sizeof *keys)
_Static_assert(N_KEYS <= sizeof ((struct parse *)0)->seen / sizeof(int), "seen[] too small");

int unit_on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	const char *elsewhere = NULL;

	(void)value;   /* "@": the real value is p->value */
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key_def *k = &keys[i];

		if (strcmp(k->name, name) != 0)
			continue;
		/* Debian's units put every exec, sandbox and resource key in
		 * [Service]: those are taken there too, and named as written */
		bool alias = strcmp(section, "Service") == 0 &&
			     (strcmp(k->section, "Sandbox") == 0 || strcmp(k->section, "Resources") == 0);
		if (strcmp(k->section, section) != 0 && !alias) {
			elsewhere = k->section;
			continue;
		}
		struct key_def as_written = *k;
		as_written.section = p->section;
		if (!k->list && *p->value) {
			if (p->seen[i]) {
				diag_at(p->d, p->file, p->line, section, name,
					"set twice in this file (first at line %d)", p->seen[i]);
				return 1;
			}
			p->seen[i] = p->line;
		}
		k->set(p, &as_written, p->value);
		return 1;
	}
	if (elsewhere)
		diag_at(p->d, p->file, p->line, section, name,
			"unknown key in this section (it belongs in [%s])", elsewhere);
	else if (strncmp(name, "Condition", 9) == 0 || strncmp(name, "Assert", 6) == 0)
		diag_at(p->d, p->file, p->line, section, name,
			"is not supported: sandboxd starts every unit of its folder");
	else
		diag_at(p->d, p->file, p->line, section, name, "unknown key");
	return 1;
}


/* ---- after all files ---------------------------------------------------- */

static void finish(struct parse *p, const char *file)
{
	struct spec *s = p->s;

	if (!s->args.n && !p->exec_tried)
		diag_at(p->d, file, 0, "Service", "ExecStart",
			"missing (an absolute path and arguments)");
	unit_exec_finish_ns(p);
	unit_compat_finish_early(p);
	/* The root is read-only for every unit that can have it so, with or
	 * without RootDirectory= (item 3): a unit writes where it was given
	 * a mount. ReadOnlyRoot=no opts out. */
	bool mountns = s->namespaces & NS_BIT(NS_MOUNT);
	if (p->ro_root_set && s->root_readonly && !mountns)
		diag_at(p->d, p->ro_root_loc.file, p->ro_root_loc.line, "Sandbox", "ReadOnlyRoot",
			"needs the mount namespace (see Namespaces=)");
	if (!p->ro_root_set)
		s->root_readonly = mountns;
	if (!(s->namespaces & NS_BIT(NS_UTS))) {
		if (p->hostname_loc.line)
			diag_at(p->d, p->hostname_loc.file, p->hostname_loc.line, "Sandbox", "Hostname",
				"needs the uts namespace (see Namespaces=)");
		s->hostname = NULL;
	} else if (!s->hostname) {
		s->hostname = s->name;
	}
	if (s->root && !(s->namespaces & NS_BIT(NS_MOUNT)))
		diag_at(p->d, s->root_loc.file, s->root_loc.line, "Sandbox", "RootDirectory",
			"needs the mount namespace (see Namespaces=)");
	bool pidns = s->namespaces & NS_BIT(NS_PID);
	if (s->init < 0)
		s->init = pidns && s->type != SERVICE_ONESHOT;
	else if (s->init && !pidns)
		diag_at(p->d, p->init_loc.file, p->init_loc.line, "Sandbox", "Init",
			"needs the pid namespace (see Namespaces=)");
	unit_exec_finish(p);
	unit_compat_finish(p);
	unit_mounts_finish(p);
	if (p->cpu_weight_loc.line && p->cpu_shares_loc.line)
		diag_at(p->d, p->cpu_shares_loc.file, p->cpu_shares_loc.line, "Resources",
			"CPUShares", "conflicts with CPUWeight= (%s:%d); set one",
			p->cpu_weight_loc.file, p->cpu_weight_loc.line);
	if (!CONFIG_CGROUPS && spec_has_resources(s))
		diag_at(p->d, p->resources_loc.file, p->resources_loc.line, "Resources", NULL,
			"this build has no cgroup support (CONFIG_CGROUPS)");
#if CONFIG_CGROUPS && CONFIG_DEFAULT_TASKS_MAX > 0
	/* One unit must not take every task of the machine (item 17): the
	 * build's default unless the unit says (TasksMax=infinity lifts it).
	 * Marked as a default, so that a unit that asked for no [Resources]
	 * still runs where there is no cgroup2. */
	if (!s->res.tasks_max.set) {
		s->res.tasks_max = (struct u64_opt){ .set = true, .v = CONFIG_DEFAULT_TASKS_MAX };
		s->res.tasks_max_default = true;
	}
#endif
	unit_seccomp_finish(p, file);
	/* The kernel installs a seccomp filter for a process without
	 * CAP_SYS_ADMIN only under no_new_privs. */
	if (s->seccomp.enabled && !(s->caps & (1ull << 21)) && !s->no_new_privs)
		diag_at(p->d, p->nnp_loc.file, p->nnp_loc.line, "Sandbox", "NoNewPrivileges",
			"\"no\" needs CAP_SYS_ADMIN or no seccomp filter (SeccompProfile=none, no "
			"SystemCallFilter=, RestrictNamespaces= or hardening key): the kernel "
			"loads a filter only under no_new_privs");
	/* In a user namespace every mount the launch child makes (the covers
	 * over PID 1's folders, the masks, the read-only root and /proc/sys)
	 * belongs to the unit's own namespace, so the kernel does not lock
	 * them: with CAP_SYS_ADMIN and the mount calls let through, the unit
	 * could unmount them all (and its uid 0 is the host's, 0-65535 being
	 * mapped to themselves). Refused until the user namespace comes after
	 * the mounts (docs/SECURITY.md, known limits). */
	if ((s->namespaces & NS_BIT(NS_USER)) && (s->caps & (1ull << 21)) &&
	    unit_mount_calls_allowed(&s->seccomp))
		diag_at(p->d, p->ns_loc.file ? p->ns_loc.file : file, p->ns_loc.line, "Sandbox",
			"Namespaces",
			"user together with CAP_SYS_ADMIN needs a seccomp filter that denies the mount "
			"calls (the default profile does): the unit could undo its own sandbox's mounts");
	/* Without a mount namespace the unit sees the system's cgroup2 mount,
	 * and without a cgroup namespace the kernel lets a root service move
	 * itself out of its cgroup (cgroup.procs of the root): out of its
	 * limits, and out of what tells PID 1 that it is inside a unit. That
	 * is the administrator's shape, and must say so. */
	if (!(s->namespaces & (NS_BIT(NS_MOUNT) | NS_BIT(NS_CGROUP))) && !s->control_access)
		diag_at(p->d, p->ns_loc.file ? p->ns_loc.file : file, p->ns_loc.line, "Sandbox",
			"Namespaces",
			"without both mount and cgroup namespaces a root service can leave its cgroup "
			"and pass for the administrator: keep one of them, or set ControlAccess=yes "
			"for the administrator's own unit");
	/* Masking and read-only paths are mounts: without a mount namespace
	 * they cannot be applied, so the defaults do not apply either. */
	if (!(s->namespaces & NS_BIT(NS_MOUNT))) {
		if (p->masked_loc.line)
			diag_at(p->d, p->masked_loc.file, p->masked_loc.line, "Sandbox", NULL,
				"MaskedPaths= and ReadOnlyPaths= need the mount namespace (see Namespaces=)");
		strv_clear(&s->masked_paths);
		strv_clear(&s->readonly_paths);
	}

	/* close the holes Environment= left (later assignments win) */
	size_t live = 0;
	for (size_t i = 0; i < s->env.n; i++)
		if (s->env.v[i])
			s->env.v[live++] = s->env.v[i];
	s->env.n = live;
	if (s->env.v)
		s->env.v[live] = NULL;

	/* PATH first, as `runc spec` has it, unless the unit sets its own */
	bool has_path = false;
	for (size_t i = 0; i < s->env.n; i++)
		has_path |= strncmp(s->env.v[i], "PATH=", 5) == 0;
	if (!has_path) {
		struct strv env = { 0 };

		if (strv_push(&s->arena, &env, DEFAULT_PATH) < 0)
			unit_oom(p);
		for (size_t i = 0; i < s->env.n; i++)
			if (strv_push(&s->arena, &env, s->env.v[i]) < 0)
				unit_oom(p);
		s->env = env;
	}
}

/* ---- entry points ------------------------------------------------------- */

int unit_name_normalize(const char *in, char out[UNIT_NAME_MAX + 1])
{
	size_t n = strlen(in);

	if (n > 5 && strcmp(in + n - 5, ".unit") == 0)
		n -= 5;
	if (n == 0 || n > UNIT_NAME_MAX || in[0] == '.' || in[0] == '-')
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '@'))
			return -1;
	}
	memcpy(out, in, n);
	out[n] = '\0';
	return 0;
}

static struct spec *spec_new(struct parse *p, const char *name, struct diag *d, const char *file)
{
	struct spec *s = calloc(1, sizeof *s);

	memset(p, 0, sizeof *p);
	p->d = d;
	p->errors_before = d->count;
	unit_svc_parse_init(p);
	if (!s) {
		diag_at(d, file, 0, NULL, NULL, "out of memory");
		return NULL;
	}
	p->s = s;
	if (unit_name_normalize(name, s->name) < 0) {
		diag_at(d, file, 0, NULL, NULL,
			"\"%s\" is not a unit name (letters, digits, \"-_.@\", at most %d)",
			name, UNIT_NAME_MAX);
		free(s);
		return NULL;
	}
	spec_defaults(s);
	if (push_all(s, &s->masked_paths, default_masked) < 0 ||
	    push_all(s, &s->readonly_paths, default_readonly) < 0 ||
	    !(s->path = arena_strdup(&s->arena, file))) {
		diag_at(d, file, 0, NULL, NULL, "out of memory");
		spec_free(s);
		return NULL;
	}
	return s;
}

static struct spec *spec_done(struct parse *p)
{
	struct strset *sets[] = { &p->env_keys, &p->after_set, &p->requires_set, &p->groups_set,
				  &p->masked_set, &p->readonly_set, &p->filter_set,
				  &p->svc.joins_set };

	for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
		strset_clear(sets[i]);
	if (p->d->count != p->errors_before || p->oom) {
		spec_free(p->s);
		return NULL;
	}
	return p->s;
}

struct spec *unit_parse_text(const char *name, const char *file, const char *text,
			     struct diag *d)
{
	struct parse p;
	struct spec *s = spec_new(&p, name, d, file);

	if (!s)
		return NULL;
	size_t len = strlen(text);
	if (len > UNIT_BYTES_MAX)
		diag_at(d, file, 0, NULL, NULL, "larger than 1 MiB");
	else if (unit_read_text(&p, file, text, len) == 0)
		finish(&p, s->path);
	return spec_done(&p);
}

struct spec *unit_load(const char *path, struct diag *d)
{
	const char *base = strrchr(path, '/');
	char name[UNIT_NAME_MAX + 16];
	struct parse p;

	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n <= 5 || strcmp(base + n - 5, ".unit") != 0 || n - 5 >= sizeof name) {
		diag_at(d, path, 0, NULL, NULL, "a unit file is named NAME.unit");
		return NULL;
	}
	memcpy(name, base, n - 5);
	name[n - 5] = '\0';

	struct spec *s = spec_new(&p, name, d, path);
	if (!s)
		return NULL;
	if (unit_read_file(&p, s->path) == 0) {
		unit_read_dropins(&p, s->path);
		if (!p.oom && !p.gave_up) {
			finish(&p, s->path);
			if (ids_resolve_at_load())   /* never in PID 1: ids.h */
				ids_resolve(s, d);
		}
	}
	return spec_done(&p);
}

void spec_free(struct spec *s)
{
	if (!s)
		return;
	arena_free(&s->arena);
	free(s);
}
