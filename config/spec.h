/* The in-memory spec of one unit: a plain struct mirroring the OCI runtime
 * spec (process, root, mounts, linux.*) plus the supervision settings OCI
 * has no field for. config/ fills it from unit files; the launcher, the
 * supervisor and the `spec` export only read it. Everything it points to
 * lives in its arena. */
#ifndef SBX_SPEC_H
#define SBX_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../lib/arena.h"

#define UNIT_NAME_MAX 64     /* also the kernel's hostname limit */
#define SPEC_MAX_GROUPS 64
#define SPEC_RLIMITS 16      /* RLIMIT_CPU .. RLIMIT_RTTIME */
#define LIMIT_INFINITY UINT64_MAX

/* Where a key was set, for messages raised after parsing (user lookup,
 * dependency checks). line 0 = not set. */
struct loc {
	const char *file;
	int line;
};

struct strv {
	const char **v;   /* NULL-terminated */
	size_t n, cap;
};

/* Type=: when the service counts as started (After= waits for that).
 * simple: once exec'd; oneshot: once exited 0; notify: once it sends
 * READY=1 on NOTIFY_SOCKET; forking: once the started process exited 0 and
 * the main pid is known (PIDFile=, or the one process left). */
enum service_type { SERVICE_SIMPLE, SERVICE_ONESHOT, SERVICE_NOTIFY, SERVICE_FORKING };

/* KillMode=: who gets KillSignal at a stop. control-group: every process
 * of the cgroup; mixed: the main process, then SIGKILL to the rest at the
 * end; process: the main process only (what is left stays until the next
 * start's cleanup). */
enum kill_mode { KILL_CONTROL_GROUP, KILL_MIXED, KILL_PROCESS };

/* One ExecStartPre=/ExecStartPost=/ExecStop=/ExecReload= line. */
struct exec_cmd {
	const char *const *argv;   /* NULL-terminated, in the arena; argv[0] absolute */
	bool ignore_failure;       /* systemd's "-" prefix: a failure is not the unit's */
	struct loc loc;
};

struct exec_list {
	struct exec_cmd *v;        /* in the arena */
	size_t n;
};

/* RuntimeDirectory= ... ConfigurationDirectory=: folders created on the
 * host under /run, /var/lib, /var/cache, /var/log and /etc, owned by the
 * unit's User=/Group=, bound at the same path into its sandbox. */
enum exec_dir_kind {
	EXEC_DIR_RUNTIME, EXEC_DIR_STATE, EXEC_DIR_CACHE, EXEC_DIR_LOGS,
	EXEC_DIR_CONFIGURATION, EXEC_DIR_COUNT
};

struct exec_dirs {
	struct strv names;         /* relative paths as written: "redis", "nginx/tmp" */
	mode_t mode;               /* ...DirectoryMode=, default 0755 */
	struct loc loc;
};

enum restart_policy {
	RESTART_NO,
	RESTART_ON_SUCCESS,
	RESTART_ON_FAILURE,
	RESTART_ON_ABNORMAL,
	RESTART_ALWAYS,
};

/* OOMPolicy=: what an OOM kill of the unit leads to. */
enum oom_policy { OOM_RESTART, OOM_STOP, OOM_REBOOT };

enum output_kind { OUTPUT_LOG, OUTPUT_CONSOLE, OUTPUT_NULL, OUTPUT_FILE, OUTPUT_APPEND };

struct output {
	enum output_kind kind;
	const char *path;          /* OUTPUT_FILE, OUTPUT_APPEND */
};

/* Bits of spec.namespaces, in OCI's order. */
enum ns_type { NS_PID, NS_NET, NS_IPC, NS_UTS, NS_MOUNT, NS_CGROUP, NS_USER, NS_COUNT };
#define NS_BIT(t) (1u << (t))
#define NS_DEFAULT (NS_BIT(NS_PID) | NS_BIT(NS_NET) | NS_BIT(NS_IPC) | \
		    NS_BIT(NS_UTS) | NS_BIT(NS_MOUNT) | NS_BIT(NS_CGROUP))

enum mount_kind { MOUNT_BIND, MOUNT_TMPFS };

struct mount_spec {
	enum mount_kind kind;
	const char *source;        /* host path (bind) or "tmpfs" */
	const char *destination;   /* absolute, inside the rootfs */
	bool readonly;
	unsigned long flags;       /* MS_NOSUID, MS_NODEV, ... (tmpfs) */
	const char *data;          /* tmpfs data options ("mode=755,size=8m"); always a size= */
	const char *options_text;  /* flags and data as applied ("nosuid,nodev,size=8m"), for the export */
	/* tmpfs uid=/gid= given as names: looked up in the launch child as
	 * User= is (sandbox/userdb.h) and added to data there; NULL: none
	 * (a number is already in data) */
	const char *uid_name, *gid_name;
	bool unlimited;            /* tmpfs with size=0 or nr_inodes=0: needs MemoryMax= */
	struct loc loc;
};

struct rlimit_spec {
	bool set;
	uint64_t soft, hard;       /* LIMIT_INFINITY = RLIM_INFINITY */
};

enum seccomp_profile { SECCOMP_PROFILE_NONE, SECCOMP_PROFILE_DEFAULT };

/* Resolved filter: with allow_list false, everything not in `names` is
 * allowed and `names` get `action`; with allow_list true, only `names`
 * are allowed and everything else gets `action`. */
struct seccomp_rules {
	bool enabled;
	bool allow_list;
	bool kill;                 /* action: kill the process instead of errno */
	int errnum;                /* action's errno when !kill */
	struct strv names;         /* sorted, unique */
	/* RestrictNamespaces= (SeccompProfile=default: all restricted):
	 * clone, unshare and setns are filtered by their flags so that only
	 * the ns_allowed types (NS_BIT) can be made or entered, and clone3,
	 * whose flags sit in memory, answers ENOSYS. */
	bool restrict_ns;
	unsigned ns_allowed;
	/* RestrictAddressFamilies=: socket(2)/socketpair(2) by family.
	 * af_deny false: only the families in af_mask (bit n = AF n, n < 64);
	 * true: all but those. */
	bool af_restrict, af_deny;
	uint64_t af_mask;
	bool mdwe;                 /* MemoryDenyWriteExecute= */
	bool lock_personality;     /* LockPersonality= */
	bool restrict_realtime;    /* RestrictRealtime= */
	bool restrict_suid_sgid;   /* RestrictSUIDSGID= */
};

struct u64_opt {
	bool set;
	uint64_t v;                /* LIMIT_INFINITY = "max" */
};

struct resources {
	struct u64_opt memory_max, memory_high, memory_swap_max;
	struct u64_opt cpu_weight;          /* 1..10000 */
	struct u64_opt cpu_shares;          /* 2..262144, written as cpu.weight */
	struct u64_opt cpu_quota_permyriad; /* CPUQuota= in 1/100 % (5000 = 50%) */
	uint64_t cpu_period_us;             /* default 100000 */
	const char *cpus, *mems;            /* cpuset lists as written, validated */
	struct u64_opt tasks_max;
	bool tasks_max_default;             /* tasks_max is the build's default, not the unit's */
	struct u64_opt io_weight;           /* 1..10000 */
};

struct spec {
	struct arena arena;
	char name[UNIT_NAME_MAX + 1];
	const char *path;                   /* the .unit file */
	uint64_t source_hash;               /* of every file read: reload compares it */

	/* [Unit] */
	const char *description;
	struct strv after, requires;        /* unit names without ".unit" */
	struct loc after_loc, requires_loc;

	/* [Service]: process */
	enum service_type type;
	struct strv args;                   /* process.args; args.v[0] absolute */
	struct loc exec_loc;
	struct strv env;                    /* "KEY=VALUE", PATH first */
	const char *cwd;
	const char *user_name, *group_name; /* as written; NULL = numeric/unset */
	struct strv supp_group_names;       /* as written */
	struct loc user_loc, group_loc, supp_loc;
	uid_t uid;                          /* resolved (spec_resolve_ids) */
	gid_t gid;
	gid_t *groups;                      /* n_groups (<= SPEC_MAX_GROUPS), in the arena */
	size_t n_groups;
	bool umask_set;
	mode_t umask;                       /* default 0022 */
	struct rlimit_spec rlimits[SPEC_RLIMITS];  /* indexed by RLIMIT_* */
	/* EnvironmentFile=: read by the launch child (never by PID 1) from
	 * the host's tree before the sandbox is entered; a leading "-" (kept
	 * in the string) = ignore a missing file. As in systemd, the files'
	 * settings override Environment=, a later file's an earlier one's. */
	struct strv env_files;
	struct exec_list exec_start_pre, exec_start_post, exec_stop, exec_reload;
	bool oom_score_adj_set;
	int oom_score_adj;

	/* [Service]: supervision */
	enum restart_policy restart;
	uint64_t restart_sec_ms, restart_max_sec_ms;
	unsigned start_limit_burst;
	uint64_t start_limit_interval_ms;
	uint64_t timeout_stop_ms;           /* LIMIT_INFINITY: no timeout (0 or infinity) */
	uint64_t timeout_start_ms;          /* TimeoutStartSec=: launch to ready; LIMIT_INFINITY: none */
	const char *pid_file;               /* PIDFile=: absolute, in the sandbox's tree */
	enum kill_mode kill_mode;
	int reload_signal;                  /* ReloadSignal=; 0: SIGHUP (when no ExecReload=) */
	int kill_signal;
	enum oom_policy oom_policy;
	struct output std_out, std_err;

	/* [Sandbox] */
	const char *root;                   /* root.path; NULL = system's root */
	struct loc root_loc;
	bool root_readonly;                 /* default: yes with a mount namespace */
	unsigned namespaces;                /* NS_BIT() set */
	const char *hostname;               /* NULL without a UTS namespace */
	uint64_t caps;                      /* bit n = capability n */
	bool no_new_privs;
	bool control_access;                /* ControlAccess=: may talk to PID 1's socket */
	int init;                           /* Init=: 1 yes, 0 no */
	/* JoinsNamespaceOf=: units whose network and IPC namespaces this one
	 * enters (implies After=); at most one unit with a process */
	struct strv joins_namespace_of;
	struct loc joins_loc;
	const char *netns_path;             /* NetworkNamespacePath=: a named netns file */
	bool syslog_socket;                 /* SyslogSocket=: /dev/log into the log ring; default yes */
	struct exec_dirs dirs[EXEC_DIR_COUNT];
	struct strv noexec_paths, exec_paths;   /* NoExecPaths=, ExecPaths= */
	struct mount_spec *mounts;
	size_t n_mounts;
	struct strv masked_paths, readonly_paths;
	enum seccomp_profile seccomp_profile;
	struct seccomp_rules seccomp;

	/* [Resources] */
	struct resources res;
};

/* Names for messages and the export. */
const char *ns_type_name(enum ns_type t);          /* "pid", "network" ... OCI names */
const char *ns_type_keyword(enum ns_type t);       /* "pid", "net" ... unit keywords */
const char *restart_policy_name(enum restart_policy r);
bool spec_has_resources(const struct spec *s);
bool spec_is_root_user(const struct spec *s);

/* strv helpers: allocate from the spec's arena; return -1 when out of memory. */
int strv_push(struct arena *a, struct strv *sv, const char *s);
bool strv_contains(const struct strv *sv, const char *s);
void strv_remove(struct strv *sv, const char *s);
void strv_clear(struct strv *sv);
void strv_sort_unique(struct strv *sv);

#endif
