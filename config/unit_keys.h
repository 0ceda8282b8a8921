/* The unit key table of config/unit.c, as X-macro lists: each list is
 * expanded there more than once (a string block, indexes, the rows), so
 * that a key costs a 16-byte row and its name, not 64 bytes of pointers
 * and fields on a 64-bit target (about 9 KB for the table).
 * Include only from config/unit.c, after the setters' declarations. */
#ifndef SBX_UNIT_KEYS_H
#define SBX_UNIT_KEYS_H

/* The sections; a key's section is an index in this list. */
#define SECTIONS(X) X(Unit) X(Service) X(Sandbox) X(Resources) X(Install)

/* Every setter the table names; a key's setter is an index in this list. */
#define SETTERS(X) \
	X(set_text) X(unit_set_deps) X(unit_set_count) X(set_duration) X(unit_set_type) \
	X(unit_set_exec) X(unit_set_env) X(unit_set_path) X(unit_set_id) X(unit_set_groups) \
	X(unit_set_umask) X(unit_set_restart) X(unit_set_timeout) X(unit_set_signal) \
	X(unit_set_oom_policy) X(unit_set_output) X(unit_set_rlimit) X(unit_set_oom_score) \
	X(unit_set_ignored) X(unit_set_weak_deps) X(unit_set_joins) X(unit_set_pid_file) \
	X(unit_set_exec_list) X(unit_set_kill_mode) X(unit_set_reload_signal) \
	X(unit_set_env_file) X(unit_set_harden) X(unit_set_netns_path) X(unit_set_ns_switch) \
	X(unit_set_bool) X(unit_set_cap_set) X(unit_set_root) X(unit_set_ro_root) \
	X(unit_set_namespaces) X(unit_set_hostname) X(unit_set_caps) X(unit_set_nnp) \
	X(unit_set_init) X(unit_set_binds) X(unit_set_tmpfs) X(unit_set_path_list) \
	X(unit_set_profile) X(unit_set_syscall_filter) X(unit_set_syscall_errno) \
	X(unit_set_restrict_ns) X(unit_set_syscall_archs) X(unit_set_address_families) \
	X(unit_set_hardening) X(unit_set_exec_dirs) X(unit_set_exec_dir_mode) \
	X(unit_set_runtime_preserve) X(unit_set_exec_paths) X(set_res_size) X(set_res_range) \
	X(unit_set_quota) X(unit_set_quota_period) X(unit_set_cpuset) \
	/* end of SETTERS */

/* What a key accepts, for messages such as
 * "\"x\" is not a duration (a duration such as ...)": X(ID, text); a key
 * names its text by ID, NONE for none. */
#define ACCEPTED(X) \
	X(UNITS, "unit names") \
	X(COUNT, "a count; 0 = no limit") \
	X(DURATION, "a duration such as 500ms, 2s, 1min, 1h or bare seconds") \
	X(TYPE, "simple, exec, oneshot, notify or forking") \
	X(EXEC_START, "an absolute path and arguments; quotes and backslash escapes, no shell") \
	X(ENV, "KEY=VALUE words") \
	X(ABS_PATH, "an absolute path") \
	X(USER, "a user name or number") \
	X(GROUP, "a group name or number") \
	X(GROUPS, "group names or numbers") \
	X(UMASK, "an octal mode such as 0022") \
	X(RESTART, "no, on-success, on-failure, on-abnormal or always") \
	X(TIMEOUT, "a duration such as 90s or 5min, or infinity (0 is infinity too)") \
	X(KILL_SIGNAL, "a signal name such as SIGTERM, or a number") \
	X(OOM_POLICY, "restart, stop or reboot") \
	X(OUTPUT, "log, console, null, file:PATH or append:PATH") \
	X(RLIMIT, "N, SOFT:HARD or infinity") \
	X(OOM_SCORE, "-1000 to 1000") \
	X(BEFORE, "systemd's targets and other units that are not services (ignored)") \
	X(PID_FILE, "a path, absolute or under /run") \
	X(EXEC, "an absolute path and arguments, \"-\" first to ignore a failure; " \
	  "an empty value clears the list") \
	X(KILL_MODE, "control-group, mixed or process") \
	X(RELOAD_SIGNAL, "a signal name such as SIGHUP, or a number") \
	X(ENV_FILE, "an absolute path, \"-\" first if the file may be missing") \
	X(NOTIFY_ACCESS, "all, main or exec: sandboxd reads every process of the unit") \
	X(BOOL, "yes or no") \
	X(PRIVATE_USERS, "yes, no or identity") \
	X(PROTECT_HOSTNAME, "yes, no or private") \
	X(PROTECT_SYSTEM, "yes, full or strict (the read-only root), or no (ReadOnlyRoot=no)") \
	X(PROTECT_HOME, "yes, read-only, tmpfs or no") \
	X(PRIVATE_TMP, "yes or disconnected; no with RootDirectory= or without the mount namespace") \
	X(PROTECT_CGROUPS, "yes, private, strict or no") \
	X(PROTECT_PROC, "default, invisible, noaccess or ptraceable") \
	X(ALL, "all") \
	X(NO, "no") \
	X(CAPS, "CAP_* names, ~names for all but these, or empty for none") \
	X(NAMESPACES, "pid net ipc uts mount cgroup user, or ~name to remove one from the default") \
	X(HOSTNAME, "letters, digits, '-' and '.', at most 64") \
	X(CAP_NAMES, "CAP_* names") \
	X(BINDS, "SRC[:DST] absolute paths") \
	X(TMPFS, "DST[:OPTIONS]; options ro, nosuid, nodev, noexec, size=, mode=, nr_inodes=, uid=, gid=") \
	X(ABS_PATHS, "absolute paths") \
	X(PROFILE, "default or none") \
	X(SYSCALLS, "system call names and @groups, or ~names to deny") \
	X(ERRNO, "an errno name such as EPERM, or kill") \
	X(RESTRICT_NS, "yes, no, or the types a process may make or enter: cgroup ipc net mnt pid user uts; ~types for all but these") \
	X(NATIVE, "native") \
	X(FAMILIES, "AF_ names, ~names to deny, or none") \
	X(DIRS, "relative paths such as redis or nginx/tmp") \
	X(DIR_MODE, "an octal mode such as 0750") \
	X(PRESERVE, "no, yes or restart") \
	X(PATHS, "absolute paths, each with an optional \"-\" (skip it when missing)") \
	X(SIZE, "bytes with an optional K, M, G or T suffix, or infinity") \
	X(WEIGHT, "1 to 10000") \
	X(SHARES, "2 to 262144") \
	X(QUOTA, "a percentage such as 50% or 150%") \
	X(QUOTA_PERIOD, "1ms to 1s") \
	X(CPUS, "CPU numbers and ranges such as 0-1,3") \
	X(MEMS, "NUMA node numbers and ranges such as 0-1") \
	X(TASKS, "1 to 4194304, or infinity") \
	/* end of ACCEPTED */

/* The runtime/state directory and path keys (unit_dirs.c), in [Service]
 * and in [Sandbox] alike: X(sec, ...) for the section sec. */
#define EXEC_DIR_KEYS(X, sec) \
	X(sec, RuntimeDirectory, unit_set_exec_dirs, NOFIELD, EXEC_DIR_RUNTIME, 0, DIRS, 1) \
	X(sec, RuntimeDirectoryMode, unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_RUNTIME, 0, DIR_MODE, 0) \
	X(sec, StateDirectory, unit_set_exec_dirs, NOFIELD, EXEC_DIR_STATE, 0, DIRS, 1) \
	X(sec, StateDirectoryMode, unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_STATE, 0, DIR_MODE, 0) \
	X(sec, CacheDirectory, unit_set_exec_dirs, NOFIELD, EXEC_DIR_CACHE, 0, DIRS, 1) \
	X(sec, CacheDirectoryMode, unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_CACHE, 0, DIR_MODE, 0) \
	X(sec, LogsDirectory, unit_set_exec_dirs, NOFIELD, EXEC_DIR_LOGS, 0, DIRS, 1) \
	X(sec, LogsDirectoryMode, unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_LOGS, 0, DIR_MODE, 0) \
	X(sec, ConfigurationDirectory, unit_set_exec_dirs, NOFIELD, EXEC_DIR_CONFIGURATION, 0, DIRS, 1) \
	X(sec, ConfigurationDirectoryMode, unit_set_exec_dir_mode, NOFIELD, EXEC_DIR_CONFIGURATION, 0, DIR_MODE, 0) \
	X(sec, RuntimeDirectoryPreserve, unit_set_runtime_preserve, NOFIELD, 0, 0, PRESERVE, 0) \
	/* end of EXEC_DIR_KEYS */
#define EXEC_PATH_KEYS(X, sec) \
	X(sec, ReadWritePaths, unit_set_exec_paths, FIELD(readwrite_paths), 0, 0, PATHS, 1) \
	X(sec, InaccessiblePaths, unit_set_exec_paths, NOFIELD, 0, 0, PATHS, 1) \
	X(sec, NoExecPaths, unit_set_exec_paths, FIELD(noexec_paths), 0, 0, PATHS, 1) \
	X(sec, ExecPaths, unit_set_exec_paths, FIELD(exec_paths), 0, 0, PATHS, 1) \
	/* end of EXEC_PATH_KEYS */

/* X(SECTION, Name, setter, field, arg, arg2, ACCEPTED ID, list):
 * field is FIELD(member), RES(member) or NOFIELD (the spec field of the
 * generic setters and resets), arg (0..255) and arg2 (32 bits) are
 * setter-specific (ranges, the rlimit number), list is 1 for repeatable
 * keys (each line adds, empty clears). RLIMITS_EACH adds LimitNAME= by
 * X_LIMIT(NAME, BYTES). (Section, Name) is unique: it names the key's
 * string in the block. */
#define KEYS(X) \
	X(Unit, Description, set_text, FIELD(description), 0, 0, NONE, 0) \
	X(Unit, After, unit_set_deps, FIELD(after), 0, 0, UNITS, 1) \
	X(Unit, Requires, unit_set_deps, FIELD(requires), 0, 0, UNITS, 1) \
	/* INT_MAX, not UINT_MAX: arg2 is 32 bits (key_def.arg2 too on armhf), \
	 * where UINT_MAX reads as -1: every burst would be out of range */ \
	X(Unit, StartLimitBurst, unit_set_count, FIELD(start_limit_burst), 0, INT_MAX, COUNT, 0) \
	X(Unit, StartLimitIntervalSec, set_duration, FIELD(start_limit_interval_ms), 0, 0, DURATION, 0) \
	X(Service, Type, unit_set_type, NOFIELD, 0, 0, TYPE, 0) \
	X(Service, ExecStart, unit_set_exec, NOFIELD, 0, 0, EXEC_START, 0) \
	X(Service, Environment, unit_set_env, NOFIELD, 0, 0, ENV, 1) \
	X(Service, WorkingDirectory, unit_set_path, FIELD(cwd), 0, 0, ABS_PATH, 0) \
	X(Service, User, unit_set_id, NOFIELD, 0, 0, USER, 0) \
	X(Service, Group, unit_set_id, NOFIELD, 1, 0, GROUP, 0) \
	X(Service, SupplementaryGroups, unit_set_groups, NOFIELD, 0, 0, GROUPS, 1) \
	X(Service, UMask, unit_set_umask, NOFIELD, 0, 0, UMASK, 0) \
	X(Service, Restart, unit_set_restart, NOFIELD, 0, 0, RESTART, 0) \
	X(Service, RestartSec, set_duration, FIELD(restart_sec_ms), 1, 0, DURATION, 0) \
	X(Service, RestartMaxSec, set_duration, FIELD(restart_max_sec_ms), 1, 0, DURATION, 0) \
	X(Service, StartLimitBurst, unit_set_count, FIELD(start_limit_burst), 0, INT_MAX, COUNT, 0) \
	X(Service, StartLimitIntervalSec, set_duration, FIELD(start_limit_interval_ms), 0, 0, DURATION, 0) \
	X(Service, TimeoutStopSec, unit_set_timeout, NOFIELD, 1, 0, TIMEOUT, 0) \
	X(Service, KillSignal, unit_set_signal, FIELD(kill_signal), 0, 0, KILL_SIGNAL, 0) \
	X(Service, OOMPolicy, unit_set_oom_policy, NOFIELD, 0, 0, OOM_POLICY, 0) \
	X(Service, StandardOutput, unit_set_output, FIELD(std_out), 0, 0, OUTPUT, 0) \
	X(Service, StandardError, unit_set_output, FIELD(std_err), 0, 0, OUTPUT, 0) \
	RLIMITS_EACH(X##_LIMIT) \
	X(Service, OOMScoreAdjust, unit_set_oom_score, NOFIELD, 0, 0, OOM_SCORE, 0) \
	/* issue #11: the service keys of Debian's units (unit_exec.c, unit_compat.c) */ \
	X(Unit, Documentation, unit_set_ignored, NOFIELD, 0, 0, NONE, 1) \
	X(Unit, Wants, unit_set_weak_deps, NOFIELD, 0, 0, UNITS, 1) \
	X(Unit, Before, unit_set_weak_deps, NOFIELD, 1, 0, BEFORE, 1) \
	X(Unit, JoinsNamespaceOf, unit_set_joins, NOFIELD, 0, 0, UNITS, 1) \
	X(Service, PIDFile, unit_set_pid_file, NOFIELD, 0, 0, PID_FILE, 0) \
	X(Service, ExecStartPre, unit_set_exec_list, FIELD(exec_start_pre), 0, 0, EXEC, 1) \
	X(Service, ExecStartPost, unit_set_exec_list, FIELD(exec_start_post), 0, 0, EXEC, 1) \
	X(Service, ExecStop, unit_set_exec_list, FIELD(exec_stop), 0, 0, EXEC, 1) \
	X(Service, ExecReload, unit_set_exec_list, FIELD(exec_reload), 0, 0, EXEC, 1) \
	X(Service, TimeoutStartSec, unit_set_timeout, NOFIELD, 0, 0, TIMEOUT, 0) \
	X(Service, TimeoutSec, unit_set_timeout, NOFIELD, 2, 0, TIMEOUT, 0) \
	X(Service, KillMode, unit_set_kill_mode, NOFIELD, 0, 0, KILL_MODE, 0) \
	X(Service, ReloadSignal, unit_set_reload_signal, NOFIELD, 0, 0, RELOAD_SIGNAL, 0) \
	X(Service, EnvironmentFile, unit_set_env_file, NOFIELD, 0, 0, ENV_FILE, 1) \
	X(Service, NotifyAccess, unit_set_harden, NOFIELD, H_NOTIFY_ACCESS, 0, NOTIFY_ACCESS, 0) \
	X(Sandbox, NetworkNamespacePath, unit_set_netns_path, FIELD(netns_path), 0, 0, ABS_PATH, 0) \
	X(Sandbox, PrivateNetwork, unit_set_ns_switch, NOFIELD, SW_NET, 0, BOOL, 0) \
	X(Sandbox, PrivateIPC, unit_set_ns_switch, NOFIELD, SW_IPC, 0, BOOL, 0) \
	X(Sandbox, PrivateUsers, unit_set_ns_switch, NOFIELD, SW_USER, 0, PRIVATE_USERS, 0) \
	X(Sandbox, ProtectHostname, unit_set_ns_switch, NOFIELD, SW_UTS, 0, PROTECT_HOSTNAME, 0) \
	X(Sandbox, SyslogSocket, unit_set_bool, FIELD(syslog_socket), 0, 0, BOOL, 0) \
	X(Sandbox, ProtectSystem, unit_set_harden, NOFIELD, H_PROTECT_SYSTEM, 0, PROTECT_SYSTEM, 0) \
	X(Sandbox, ProtectHome, unit_set_harden, NOFIELD, H_PROTECT_HOME, 0, PROTECT_HOME, 0) \
	X(Sandbox, PrivateTmp, unit_set_harden, NOFIELD, H_PRIVATE_TMP, 0, PRIVATE_TMP, 0) \
	X(Sandbox, PrivateDevices, unit_set_harden, NOFIELD, H_PRIVATE_DEVICES, 0, BOOL, 0) \
	X(Sandbox, PrivateMounts, unit_set_harden, NOFIELD, H_PRIVATE_MOUNTS, 0, BOOL, 0) \
	X(Sandbox, ProtectKernelTunables, unit_set_harden, NOFIELD, H_KERNEL_TUNABLES, 0, BOOL, 0) \
	X(Sandbox, ProtectKernelModules, unit_set_harden, NOFIELD, H_KERNEL_MODULES, 0, BOOL, 0) \
	X(Sandbox, ProtectKernelLogs, unit_set_harden, NOFIELD, H_KERNEL_LOGS, 0, BOOL, 0) \
	X(Sandbox, ProtectControlGroups, unit_set_harden, NOFIELD, H_CONTROL_GROUPS, 0, PROTECT_CGROUPS, 0) \
	X(Sandbox, ProtectClock, unit_set_harden, NOFIELD, H_CLOCK, 0, BOOL, 0) \
	X(Sandbox, ProtectProc, unit_set_harden, NOFIELD, H_PROTECT_PROC, 0, PROTECT_PROC, 0) \
	X(Sandbox, ProcSubset, unit_set_harden, NOFIELD, H_PROC_SUBSET, 0, ALL, 0) \
	X(Sandbox, RemoveIPC, unit_set_harden, NOFIELD, H_REMOVE_IPC, 0, BOOL, 0) \
	X(Sandbox, DynamicUser, unit_set_harden, NOFIELD, H_DYNAMIC_USER, 0, NO, 0) \
	X(Sandbox, CapabilityBoundingSet, unit_set_cap_set, NOFIELD, 0, 0, CAPS, 1) \
	X(Sandbox, AmbientCapabilities, unit_set_cap_set, NOFIELD, 1, 0, CAPS, 1) \
	X(Install, WantedBy, unit_set_ignored, NOFIELD, 0, 0, NONE, 1) \
	X(Install, RequiredBy, unit_set_ignored, NOFIELD, 0, 0, NONE, 1) \
	X(Install, Alias, unit_set_ignored, NOFIELD, 0, 0, NONE, 1) \
	X(Install, Also, unit_set_ignored, NOFIELD, 0, 0, NONE, 1) \
	X(Install, DefaultInstance, unit_set_ignored, NOFIELD, 0, 0, NONE, 1) \
	X(Sandbox, RootDirectory, unit_set_root, FIELD(root), 0, 0, ABS_PATH, 0) \
	X(Sandbox, ReadOnlyRoot, unit_set_ro_root, FIELD(root_readonly), 0, 0, BOOL, 0) \
	X(Sandbox, Namespaces, unit_set_namespaces, NOFIELD, 0, 0, NAMESPACES, 0) \
	X(Sandbox, Hostname, unit_set_hostname, NOFIELD, 0, 0, HOSTNAME, 0) \
	X(Sandbox, Capabilities, unit_set_caps, NOFIELD, 0, 0, CAP_NAMES, 1) \
	X(Sandbox, NoNewPrivileges, unit_set_nnp, FIELD(no_new_privs), 0, 0, BOOL, 0) \
	X(Sandbox, ControlAccess, unit_set_bool, FIELD(control_access), 0, 0, BOOL, 0) \
	X(Sandbox, Init, unit_set_init, NOFIELD, 0, 0, BOOL, 0) \
	X(Sandbox, BindPaths, unit_set_binds, NOFIELD, 0, 0, BINDS, 1) \
	X(Sandbox, BindReadOnlyPaths, unit_set_binds, NOFIELD, 1, 0, BINDS, 1) \
	X(Sandbox, TemporaryFileSystem, unit_set_tmpfs, NOFIELD, 0, 0, TMPFS, 1) \
	X(Sandbox, MaskedPaths, unit_set_path_list, FIELD(masked_paths), 0, 0, ABS_PATHS, 1) \
	X(Sandbox, ReadOnlyPaths, unit_set_path_list, FIELD(readonly_paths), 0, 0, ABS_PATHS, 1) \
	X(Sandbox, SeccompProfile, unit_set_profile, NOFIELD, 0, 0, PROFILE, 0) \
	X(Sandbox, SystemCallFilter, unit_set_syscall_filter, NOFIELD, 0, 0, SYSCALLS, 1) \
	X(Sandbox, SystemCallErrorNumber, unit_set_syscall_errno, NOFIELD, 0, 0, ERRNO, 0) \
	X(Sandbox, RestrictNamespaces, unit_set_restrict_ns, NOFIELD, 0, 0, RESTRICT_NS, 0) \
	X(Sandbox, SystemCallArchitectures, unit_set_syscall_archs, NOFIELD, 0, 0, NATIVE, 0) \
	X(Sandbox, RestrictAddressFamilies, unit_set_address_families, NOFIELD, 0, 0, FAMILIES, 1) \
	X(Sandbox, MemoryDenyWriteExecute, unit_set_hardening, FIELD(seccomp.mdwe), 0, 0, BOOL, 0) \
	X(Sandbox, LockPersonality, unit_set_hardening, FIELD(seccomp.lock_personality), 0, 0, BOOL, 0) \
	X(Sandbox, RestrictRealtime, unit_set_hardening, FIELD(seccomp.restrict_realtime), 0, 0, BOOL, 0) \
	X(Sandbox, RestrictSUIDSGID, unit_set_hardening, FIELD(seccomp.restrict_suid_sgid), 0, 0, BOOL, 0) \
	/* issue #11, runtime/state directories and paths (unit_dirs.c), in both sections */ \
	EXEC_DIR_KEYS(X, Service) EXEC_DIR_KEYS(X, Sandbox) \
	EXEC_PATH_KEYS(X, Service) EXEC_PATH_KEYS(X, Sandbox) \
	X(Resources, MemoryMax, set_res_size, RES(memory_max), 0, 0, SIZE, 0) \
	X(Resources, MemoryHigh, set_res_size, RES(memory_high), 0, 0, SIZE, 0) \
	X(Resources, MemorySwapMax, set_res_size, RES(memory_swap_max), 0, 0, SIZE, 0) \
	X(Resources, CPUWeight, set_res_range, RES(cpu_weight), 1, 10000, WEIGHT, 0) \
	X(Resources, CPUShares, set_res_range, RES(cpu_shares), 2, 262144, SHARES, 0) \
	X(Resources, CPUQuota, unit_set_quota, NOFIELD, 0, 0, QUOTA, 0) \
	X(Resources, CPUQuotaPeriodSec, unit_set_quota_period, NOFIELD, 0, 0, QUOTA_PERIOD, 0) \
	X(Resources, AllowedCPUs, unit_set_cpuset, RES(cpus), 0, 0, CPUS, 0) \
	X(Resources, AllowedMemoryNodes, unit_set_cpuset, RES(mems), 0, 0, MEMS, 0) \
	X(Resources, TasksMax, set_res_range, RES(tasks_max), 1, -4194304, TASKS, 0) \
	X(Resources, IOWeight, set_res_range, RES(io_weight), 1, 10000, WEIGHT, 0) \
	/* end of KEYS */

#endif
