/* The unit parser's part for issue #11's service keys: Type=notify/
 * forking, PIDFile=, ExecStartPre=/ExecStartPost=/ExecStop=/ExecReload=,
 * TimeoutStartSec=/TimeoutStopSec=/TimeoutSec=, KillMode=, ReloadSignal=,
 * EnvironmentFile=, JoinsNamespaceOf=, NetworkNamespacePath=,
 * PrivateNetwork=/PrivateIPC=/PrivateUsers= (config/unit_exec.c); the
 * systemd keys a Debian unit carries that sandboxd honours or checks:
 * hardening (ProtectSystem= ...), capability sets, [Install], Wants=,
 * Before=, Documentation= (config/unit_compat.c).
 * Not for use outside config/. */
#ifndef SBX_UNIT_EXEC_H
#define SBX_UNIT_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "spec.h"
#include "strset.h"

/* ExecStartPre= ... ExecReload=: commands per list */
#define UNIT_EXEC_CMDS_MAX 64

struct parse;
struct key_def;

/* Where a key was set and in which section (as written: [Service] or
 * [Sandbox]), for the checks after all files. */
struct set_at {
	const char *file, *section;
	int line;
};

/* The hardening keys checked after all files (key_def.arg). */
enum harden {
	H_PROTECT_SYSTEM, H_PROTECT_HOME, H_PRIVATE_TMP, H_PRIVATE_DEVICES,
	H_KERNEL_TUNABLES, H_KERNEL_MODULES, H_KERNEL_LOGS, H_CONTROL_GROUPS,
	H_CLOCK, H_PROTECT_PROC, H_PROC_SUBSET, H_REMOVE_IPC, H_PRIVATE_MOUNTS,
	H_DYNAMIC_USER, H_NOTIFY_ACCESS, H_COUNT
};

/* Namespace switches (key_def.arg): PrivateNetwork=, PrivateIPC=,
 * PrivateUsers=, ProtectHostname=. */
enum ns_switch { SW_NET, SW_IPC, SW_USER, SW_UTS, SW_COUNT };

/* What these keys leave for the checks after all files; in struct parse. */
struct svc_parse {
	bool timeout_start_set;
	struct set_at pid_file_at, netns_at, joins_at, reload_kill_at;
	struct strset joins_set;
	int sw[SW_COUNT];                 /* -1 unset, 0 no, 1 yes */
	struct set_at sw_at[SW_COUNT];
	int harden[H_COUNT];              /* -1 unset, else the key's own code */
	struct set_at harden_at[H_COUNT];
	const char *harden_name[H_COUNT]; /* the key's name, for messages */
	bool bset_set, bset_inverted;     /* CapabilityBoundingSet=, a ~ line in it */
	uint64_t bset, ambient;           /* AmbientCapabilities= in ambient */
	struct set_at bset_at;
};

/* ---- config/unit_exec.c ---- */
void unit_set_pid_file(struct parse *p, const struct key_def *k, const char *v);
void unit_set_exec_list(struct parse *p, const struct key_def *k, const char *v);
void unit_set_timeout(struct parse *p, const struct key_def *k, const char *v);
void unit_set_kill_mode(struct parse *p, const struct key_def *k, const char *v);
void unit_set_reload_signal(struct parse *p, const struct key_def *k, const char *v);
void unit_set_env_file(struct parse *p, const struct key_def *k, const char *v);
void unit_set_joins(struct parse *p, const struct key_def *k, const char *v);
void unit_set_netns_path(struct parse *p, const struct key_def *k, const char *v);
void unit_set_ns_switch(struct parse *p, const struct key_def *k, const char *v);
/* A whole word "$NAME" or "${NAME}" of a command line: systemd would
 * substitute it, sandboxd does not; reported, true when there was one. */
bool unit_exec_has_variable(struct parse *p, const struct key_def *k, const struct strv *args);
/* Fresh state: every switch and hardening key unset. */
void unit_svc_parse_init(struct parse *p);
/* Before the namespace-dependent checks of finish(): the namespace
 * switches against Namespaces=. */
void unit_exec_finish_ns(struct parse *p);
/* With the rest of finish(): Init= for forking, PIDFile=, the joins,
 * NetworkNamespacePath=, the ExecReload= kill line. */
void unit_exec_finish(struct parse *p);

/* ---- config/unit_compat.c ---- */
void unit_set_ignored(struct parse *p, const struct key_def *k, const char *v);
void unit_set_weak_deps(struct parse *p, const struct key_def *k, const char *v);
void unit_set_harden(struct parse *p, const struct key_def *k, const char *v);
void unit_set_cap_set(struct parse *p, const struct key_def *k, const char *v);
/* A dependency's name as written ("db", "db.unit", "db.service") into
 * out: 0; 1 for systemd's unit types other than services
 * (network.target, dbus.socket ...), which sandboxd has not: the caller
 * ignores those; -1: not a unit name. */
int unit_dep_name(const char *w, char out[UNIT_NAME_MAX + 1]);
/* CapabilityBoundingSet=/AmbientCapabilities= onto spec.caps,
 * ProtectSystem= onto the read-only root: before the checks that read
 * them. */
void unit_compat_finish_caps(struct parse *p);
void unit_compat_finish_early(struct parse *p);
/* The hardening keys against the final namespaces, caps and root. */
void unit_compat_finish(struct parse *p);

#endif
