/* The unit parser's inside, shared by config/unit.c (the key table, the
 * generic setters, the checks after all files), config/unit_service.c and
 * config/unit_sandbox.c (the setters of their sections),
 * config/unit_read.c (files, lines, drop-ins) and config/unit_mounts.c
 * (the mount keys and default mounts).
 * Not for use outside config/. */
#ifndef SBX_UNIT_PARSE_H
#define SBX_UNIT_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "spec.h"
#include "strset.h"
#include "unit_exec.h"

/* The caps on what one unit may say (README, "Limits of a unit file").
 * Each is far above what a service needs and low enough that a unit at
 * every cap parses in milliseconds; past one, the unit is refused with a
 * FILE:LINE: [Section] Key: message naming it. */
#define UNIT_BYTES_MAX (1u << 20)   /* a unit file and its drop-ins together */
#define UNIT_DROPINS_MAX 256        /* NAME.unit.d/ *.conf files */
#define UNIT_WORDS_MAX 4096         /* words in one value */
#define UNIT_LIST_MAX 4096          /* Environment= variables, After=, Requires= units */
#define UNIT_MOUNTS_MAX 256         /* BindPaths= + BindReadOnlyPaths= + TemporaryFileSystem= */
#define UNIT_PATHS_MAX 256          /* MaskedPaths=, ReadOnlyPaths=, each */
#define UNIT_PROBLEMS_MAX 50        /* reported per unit; then the rest is not read */
#define UNIT_FILTER_GROUPS_MAX 64   /* SystemCallFilter= @group references */
#define UNIT_NOTES_MAX 16           /* skipped system call names noted per unit */

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct parse;
struct key_def;
typedef void (*setter_fn)(struct parse *p, const struct key_def *k, const char *v);

struct key_def {
	const char *section;
	const char *name;
	setter_fn set;
	unsigned off, size;      /* the spec field, for generic setters and resets */
	long arg, arg2;          /* setter-specific: ranges, rlimit number */
	const char *accepted;
	bool list;               /* repeatable; each line adds, empty clears */
};

enum filter_mode { FILTER_UNSET, FILTER_ALLOW, FILTER_DENY };

struct parse {
	struct spec *s;
	struct diag *d;
	unsigned errors_before;
	const char *file;
	int line;
	const char *value;          /* the real value of the current key line */
	const char *section;        /* current section as read; NULL = none yet */
	bool section_bad;
	int seen[256];              /* per file: line a scalar key was set on */
	bool oom;

	/* state that spans files (drop-ins) */
	struct loc exec_loc;
	bool caps_assigned;
	enum filter_mode filter_mode;
	struct strv filter;
	struct loc filter_loc, profile_loc, hostname_loc, init_loc, ro_root_loc;
	struct loc resources_loc, ns_loc, cpu_weight_loc, cpu_shares_loc;
	bool init_set, ro_root_set, profile_set;
	bool exec_tried;            /* an ExecStart= line was there, valid or not */
	struct loc nnp_loc, masked_loc;
	bool restrict_set, restrict_ns;  /* RestrictNamespaces= */
	unsigned ns_allowed;
	struct loc restrict_loc;
	struct loc paths_loc;       /* ReadWritePaths= ... InaccessiblePaths= (unit_dirs.c) */
	/* SystemCallFilter= groups and notes, the hardening keys (unit_seccomp.c) */
	unsigned filter_groups;     /* @group references so far */
	unsigned filter_unknown;    /* names skipped (noted up to UNIT_NOTES_MAX) */
	struct { const char *name; struct loc at; } filter_denied[64];
	size_t n_filter_denied;     /* allow-list names the profile denies */
	struct loc hardening_loc;

	/* what has been read so far, against the caps */
	size_t bytes;               /* of the unit file and its drop-ins */
	size_t mounts_cap;          /* s->mounts has room for this many */
	bool mounts_capped;         /* "more than N mounts" said */
	size_t env_live;            /* Environment= variables (s->env has holes) */
	bool gave_up;               /* too many problems: the rest is not read */
	/* membership of each list, so that a word costs O(1) and not a scan
	 * of the list (item 16); malloc'd, freed when the parse ends */
	struct strset env_keys;     /* KEY -> index in s->env */
	struct strset after_set, requires_set, groups_set, masked_set, readonly_set;
	struct strset filter_set;   /* name -> index in filter (which has holes) */

	struct svc_parse svc;       /* issue #11's service keys (unit_exec.h) */
};

#define FIELD(f) offsetof(struct spec, f), sizeof(((struct spec *)0)->f)
#define NOFIELD 0, 0


/* ---- helpers for setters (config/unit.c) ---- */
void unit_bad(struct parse *p, const struct key_def *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void unit_oom(struct parse *p);
/* Too many problems: say so once and read no further. */
void unit_give_up(struct parse *p);
char *unit_dup(struct parse *p, const char *v);
struct loc unit_here(const struct parse *p);
/* The value's words into *out (at most UNIT_WORDS_MAX); false (reported)
 * when it does not split. */
bool unit_split(struct parse *p, const struct key_def *k, const char *v, struct strv *out);
/* NULL, or why v is not an acceptable absolute path. */
const char *unit_path_problem(const char *v);
/* inih's handler: one Key=Value line of the current section. */
int unit_on_key(void *user, const char *section, const char *name, const char *value);

/* ---- the generic setters and list helpers (config/unit.c) ---- */
void *unit_field(struct parse *p, const struct key_def *k);
bool unit_is_abs_path(const char *v);
int unit_list_add(struct parse *p, const struct key_def *k, struct strv *sv,
		  struct strset *set, const char *w, size_t max, const char *what, bool copy);
void unit_list_clear(struct strv *sv, struct strset *set);
void unit_reset_field(struct parse *p, const struct key_def *k);
void unit_set_bool(struct parse *p, const struct key_def *k, const char *v);
void unit_mark_resource(struct parse *p, const struct key_def *k);
void unit_set_path(struct parse *p, const struct key_def *k, const char *v);

/* ---- [Unit] and [Service] setters (config/unit_service.c) ---- */
void unit_set_deps(struct parse *p, const struct key_def *k, const char *v);
void unit_set_type(struct parse *p, const struct key_def *k, const char *v);
void unit_set_exec(struct parse *p, const struct key_def *k, const char *v);
void unit_set_env(struct parse *p, const struct key_def *k, const char *v);
void unit_set_id(struct parse *p, const struct key_def *k, const char *v);
void unit_set_groups(struct parse *p, const struct key_def *k, const char *v);
void unit_set_umask(struct parse *p, const struct key_def *k, const char *v);
void unit_set_restart(struct parse *p, const struct key_def *k, const char *v);
void unit_set_count(struct parse *p, const struct key_def *k, const char *v);
void unit_set_signal(struct parse *p, const struct key_def *k, const char *v);
void unit_set_oom_policy(struct parse *p, const struct key_def *k, const char *v);
void unit_set_output(struct parse *p, const struct key_def *k, const char *v);
void unit_set_rlimit(struct parse *p, const struct key_def *k, const char *v);
void unit_set_oom_score(struct parse *p, const struct key_def *k, const char *v);

/* ---- [Sandbox] and [Resources] setters (config/unit_sandbox.c); the seccomp
 * keys and checks (config/unit_seccomp.c) ---- */
void unit_set_root(struct parse *p, const struct key_def *k, const char *v);
void unit_set_ro_root(struct parse *p, const struct key_def *k, const char *v);
void unit_set_namespaces(struct parse *p, const struct key_def *k, const char *v);
void unit_set_hostname(struct parse *p, const struct key_def *k, const char *v);
void unit_set_caps(struct parse *p, const struct key_def *k, const char *v);
void unit_set_nnp(struct parse *p, const struct key_def *k, const char *v);
void unit_set_init(struct parse *p, const struct key_def *k, const char *v);
void unit_set_path_list(struct parse *p, const struct key_def *k, const char *v);
void unit_set_profile(struct parse *p, const struct key_def *k, const char *v);
void unit_set_syscall_filter(struct parse *p, const struct key_def *k, const char *v);
void unit_set_syscall_errno(struct parse *p, const struct key_def *k, const char *v);
void unit_set_restrict_ns(struct parse *p, const struct key_def *k, const char *v);
void unit_set_syscall_archs(struct parse *p, const struct key_def *k, const char *v);
void unit_set_address_families(struct parse *p, const struct key_def *k, const char *v);
void unit_set_hardening(struct parse *p, const struct key_def *k, const char *v);
void unit_set_quota(struct parse *p, const struct key_def *k, const char *v);
void unit_set_quota_period(struct parse *p, const struct key_def *k, const char *v);
void unit_set_cpuset(struct parse *p, const struct key_def *k, const char *v);
void unit_seccomp_finish(struct parse *p, const char *file);
bool unit_mount_calls_allowed(const struct seccomp_rules *r);

/* ---- reading (config/unit_read.c) ---- */
/* Parse text as `file`; -1 when nothing more should be read (out of
 * memory, or too many problems). */
int unit_read_text(struct parse *p, const char *file, const char *text, size_t len);
int unit_read_file(struct parse *p, const char *path);
/* NAME.unit.d/ *.conf, in lexical order. */
void unit_read_dropins(struct parse *p, const char *unit_path);

/* ---- mounts (config/unit_mounts.c) ---- */
void unit_set_binds(struct parse *p, const struct key_def *k, const char *v);
void unit_set_tmpfs(struct parse *p, const struct key_def *k, const char *v);
/* After all files: duplicate destinations, tmpfs sizes, and the default
 * mounts of a unit with a mount namespace. */
void unit_mounts_finish(struct parse *p);

/* ---- runtime/state directories (config/unit_dirs.c) ---- */
void unit_set_exec_dirs(struct parse *p, const struct key_def *k, const char *v);
void unit_set_exec_dir_mode(struct parse *p, const struct key_def *k, const char *v);
void unit_set_runtime_preserve(struct parse *p, const struct key_def *k, const char *v);
/* ReadWritePaths=, NoExecPaths=, ExecPaths= (the field: a strv) and
 * InaccessiblePaths= (into masked_paths); "-" prefix. */
void unit_set_exec_paths(struct parse *p, const struct key_def *k, const char *v);
/* After all files (from unit_mounts_finish): PID 1's folders refused,
 * the path keys need the mount namespace. */
void unit_dirs_finish(struct parse *p);

#endif
