/* The systemd keys a Debian unit carries that sandboxd honours without a
 * setting of its own (unit_exec.h): [Install] and Documentation= (nothing
 * to do: sandboxd starts every unit), Wants= and Before=, dependencies on
 * systemd's targets, sockets, mounts ... (which sandboxd has not), the
 * capability sets, and the hardening keys. A hardening key either maps
 * onto the spec (ProtectSystem=no is ReadOnlyRoot=no, ProtectHome= masks
 * the homes) or must agree with what the sandbox does anyway; else the
 * message says what sandboxd does instead. Never silently ignored. */
#include "unit_exec.h"

#include <stdio.h>
#include <string.h>

#include "caps_names.h"
#include "unit.h"
#include "unit_parse.h"
#include "values.h"

static struct set_at here_at(const struct parse *p)
{
	return (struct set_at){ .file = p->file, .section = p->section, .line = p->line };
}

/* ---- names and dependencies --------------------------------------------- */

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

int unit_dep_name(const char *w, char out[UNIT_NAME_MAX + 1])
{
	static const char *const special[] = {
		".target", ".socket", ".mount", ".automount", ".device", ".path", ".slice",
		".scope", ".swap", ".timer",
	};
	char buf[UNIT_NAME_MAX + 16];
	size_t n = strlen(w);

	for (size_t i = 0; i < sizeof special / sizeof *special; i++)
		if (ends_with(w, n, special[i]))
			return unit_name_normalize(w, out) < 0 ? -1 : 1;
	/* "db.service" is the unit db, as "db.unit" is */
	if (ends_with(w, n, ".service")) {
		if (n - 8 >= sizeof buf)
			return -1;
		memcpy(buf, w, n - 8);
		buf[n - 8] = '\0';
		w = buf;
	}
	return unit_name_normalize(w, out) < 0 ? -1 : 0;
}

void unit_set_ignored(struct parse *p, const struct key_def *k, const char *v)
{
	(void)p, (void)k, (void)v;
}

/* Wants= (arg 0): sandboxd starts every unit, so a unit wanted is started
 * anyway; like systemd's, it orders nothing (After= does). Before= (arg
 * 1): only systemd's special units, which are ignored; a service's order
 * is said by its own After=. */
void unit_set_weak_deps(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv words = { 0 };

	if (!*v || !unit_split(p, k, v, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		char name[UNIT_NAME_MAX + 1];
		int r = unit_dep_name(words.v[i], name);

		if (r < 0)
			unit_bad(p, k, "\"%s\" is not a unit name", words.v[i]);
		else if (r == 0 && k->arg == 1)
			unit_bad(p, k, "\"%s\": not supported for a service; write After=%s in %s",
				 words.v[i], p->s->name, name);
	}
}

/* ---- capability sets ---------------------------------------------------- */

#define CAPS_ALL ((UINT64_C(1) << CAP_COUNT) - 1)

/* CapabilityBoundingSet= (arg 0), AmbientCapabilities= (arg 1), as
 * systemd reads them: the first line sets, later lines add, "~" lines
 * take away, an empty value is the empty set. */
void unit_set_cap_set(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv words = { 0 };
	bool invert = v[0] == '~', *set = k->arg ? NULL : &p->svc.bset_set;
	uint64_t *f = k->arg ? &p->svc.ambient : &p->svc.bset, sum = 0;

	if (!k->arg)
		p->svc.bset_at = here_at(p);
	if (!*v) {
		*f = 0;
		if (set)
			*set = true, p->svc.bset_inverted = false;
		return;
	}
	if (!unit_split(p, k, v + invert, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		int c = cap_from_name(words.v[i]);

		if (c < 0) {
			unit_bad(p, k, "unknown capability \"%s\"", words.v[i]);
			return;
		}
		sum |= UINT64_C(1) << c;
	}
	bool first = set ? !*set : *f == 0;
	if (set && invert)
		p->svc.bset_inverted = true;
	if (invert)
		*f = (first ? CAPS_ALL : *f) & ~sum;
	else
		*f = first ? sum : *f | sum;
	if (set)
		*set = true;
}

/* sandboxd gives the unit's processes one set whatever their user:
 * Capabilities= (or the default), plus AmbientCapabilities=, within
 * CapabilityBoundingSet=. A root unit that lists its bounding set (no ~
 * line) and no Capabilities= gets that list, as systemd gives root its
 * whole bounding set; a ~ line only takes away from sandboxd's default,
 * never grants the rest of the kernel's capabilities. */
void unit_compat_finish_caps(struct parse *p)
{
	struct spec *s = p->s;
	bool root = s->user_name ? strcmp(s->user_name, "root") == 0 : s->uid == 0;
	const struct set_at *at = &p->svc.bset_at;

	if (p->svc.bset_set && !p->svc.bset_inverted && root && !p->caps_assigned)
		s->caps = p->svc.bset;
	s->caps |= p->svc.ambient;
	if (!p->svc.bset_set)
		return;
	uint64_t out = p->svc.ambient & ~p->svc.bset;
	if (out) {
		int c = __builtin_ctzll(out);

		diag_at(p->d, at->file, at->line, at->section, "CapabilityBoundingSet",
			"leaves out %s, which AmbientCapabilities= asks for", cap_name((unsigned)c));
	}
	s->caps &= p->svc.bset;
}

/* ---- hardening keys ----------------------------------------------------- */

/* The words each key takes, as codes: [0] = no, the rest yes-like. */
struct harden_words {
	const char *w[5];
};

static const struct harden_words hwords[H_COUNT] = {
	[H_PROTECT_SYSTEM] = { { "no", "yes", "full", "strict" } },
	[H_PROTECT_HOME] = { { "no", "yes", "read-only", "tmpfs" } },
	[H_PRIVATE_TMP] = { { "no", "yes", "disconnected" } },
	[H_CONTROL_GROUPS] = { { "no", "yes", "private", "strict" } },
	[H_PROTECT_PROC] = { { "default", "invisible", "noaccess", "ptraceable" } },
	[H_PROC_SUBSET] = { { "all", "pid" } },
	[H_NOTIFY_ACCESS] = { { "none", "main", "exec", "all" } },
};

void unit_set_harden(struct parse *p, const struct key_def *k, const char *v)
{
	const struct harden_words *hw = &hwords[k->arg];
	int code = -1;
	bool b;

	p->svc.harden[k->arg] = -1;
	if (!*v)
		return;
	for (int i = 0; i < 5 && hw->w[i]; i++)
		if (strcmp(v, hw->w[i]) == 0)
			code = i;
	if (code < 0 && k->arg != H_PROTECT_PROC && k->arg != H_PROC_SUBSET &&
	    k->arg != H_NOTIFY_ACCESS && parse_bool(v, &b) == 0)
		code = b;
	if (code < 0) {
		unit_bad(p, k, "\"%s\" is not a value of this key", v);
		return;
	}
	switch (k->arg) {
	case H_DYNAMIC_USER:
		if (code)
			unit_bad(p, k, "is not supported: set User=");
		break;
	case H_PROC_SUBSET:
		if (code)
			unit_bad(p, k, "\"pid\" is not supported: sandboxd mounts all of /proc, masked");
		break;
	case H_NOTIFY_ACCESS:
		/* the unit's socket is reachable only from inside its sandbox:
		 * every process of the unit may send, as with "all" */
		if (!code)
			unit_bad(p, k, "\"none\" is not supported");
		break;
	default:
		break;
	}
	p->svc.harden[k->arg] = code;
	p->svc.harden_at[k->arg] = here_at(p);
	p->svc.harden_name[k->arg] = k->name;
}

#define MOUNTNS "the mount namespace (see Namespaces=)"
#define NOT_SUPP "\"no\" is not supported: %s"

static void harden_diag(struct parse *p, enum harden h, const char *fmt, const char *what)
{
	const struct set_at *at = &p->svc.harden_at[h];

	diag_at(p->d, at->file, at->line, at->section, p->svc.harden_name[h], fmt, what);
}

static void push_missing(struct parse *p, struct strv *sv, const char *const *paths)
{
	for (; *paths; paths++)
		if (!strv_contains(sv, *paths) && strv_push(&p->s->arena, sv, *paths) < 0)
			unit_oom(p);
}

/* ProtectSystem=: sandboxd's read-only root is "strict" (and so also yes
 * and full); "no" is ReadOnlyRoot=no. Before the root's default. */
static void protect_system(struct parse *p)
{
	struct spec *s = p->s;
	int v = p->svc.harden[H_PROTECT_SYSTEM];

	if (v < 0)
		return;
	if (p->ro_root_set && s->root_readonly != (v > 0)) {
		const struct set_at *at = &p->svc.harden_at[H_PROTECT_SYSTEM];

		diag_at(p->d, at->file, at->line, at->section, "ProtectSystem",
			"conflicts with ReadOnlyRoot= (%s:%d); set one", p->ro_root_loc.file,
			p->ro_root_loc.line);
		return;
	}
	if (v > 0 && !(s->namespaces & NS_BIT(NS_MOUNT))) {
		harden_diag(p, H_PROTECT_SYSTEM, "needs %s", MOUNTNS);
		return;
	}
	p->ro_root_set = true;
	p->ro_root_loc = (struct loc){ p->svc.harden_at[H_PROTECT_SYSTEM].file,
				       p->svc.harden_at[H_PROTECT_SYSTEM].line };
	s->root_readonly = v > 0;
}

void unit_compat_finish_early(struct parse *p)
{
	unit_compat_finish_caps(p);
	protect_system(p);
}

/* ProtectHome=: yes and tmpfs hide /home, /root and /run/user behind an
 * empty read-only folder (MaskedPaths=; systemd's tmpfs would be
 * writable), read-only makes them read-only. */
static void protect_home(struct parse *p, bool mountns)
{
	static const char *const homes[] = { "/home", "/root", "/run/user", NULL };
	int v = p->svc.harden[H_PROTECT_HOME];

	if (v <= 0)
		return;
	if (!mountns) {
		harden_diag(p, H_PROTECT_HOME, "needs %s", MOUNTNS);
		return;
	}
	push_missing(p, v == 2 ? &p->s->readonly_paths : &p->s->masked_paths, homes);
}

/* PrivateTmp=: a unit on the system's root has its own /tmp already; one
 * with RootDirectory= gets a tmpfs there (unless it mounts one itself). */
static void private_tmp(struct parse *p, bool mountns)
{
	struct spec *s = p->s;
	int v = p->svc.harden[H_PRIVATE_TMP];

	if (v < 0)
		return;
	if (v == 0) {
		if (mountns && !s->root)
			harden_diag(p, H_PRIVATE_TMP, NOT_SUPP, "a unit on the system's root has its "
				    "own /tmp (BindPaths=/tmp shares it)");
		return;
	}
	if (!mountns) {
		harden_diag(p, H_PRIVATE_TMP, "needs %s", MOUNTNS);
		return;
	}
	if (!s->root)
		return;
	for (size_t i = 0; i < s->n_mounts; i++)
		if (strcmp(s->mounts[i].destination, "/tmp") == 0)
			return;
	/* a mount of the unit's own, as TemporaryFileSystem=/tmp would be,
	 * located at the PrivateTmp= line */
	const struct set_at *at = &p->svc.harden_at[H_PRIVATE_TMP];
	const struct key_def kd = { at->section, "PrivateTmp", unit_set_tmpfs, NOFIELD, 0, 0, NULL,
				    false };
	const char *file = p->file;
	int line = p->line;
	p->file = at->file;
	p->line = at->line;
	unit_set_tmpfs(p, &kd, "/tmp:mode=1777");
	p->file = file;
	p->line = line;
}

/* The keys sandboxd's sandbox does anyway: "yes" must find it so, "no"
 * must find it not so. */
static const struct {
	enum harden h;
	const char *need;   /* after "needs " */
	const char *does;   /* what sandboxd does; NULL: "no" is always fine */
} checks[] = {
	{ H_PRIVATE_DEVICES, MOUNTNS, "a unit's /dev is sandboxd's minimal one" },
	{ H_KERNEL_TUNABLES, MOUNTNS, "/sys and /proc/sys are read-only" },
	{ H_KERNEL_MODULES, "no CAP_SYS_MODULE", "no module loads without CAP_SYS_MODULE" },
	{ H_KERNEL_LOGS, "the mount namespace and no CAP_SYSLOG", "no kernel log without CAP_SYSLOG" },
	{ H_CONTROL_GROUPS, "the mount namespace (and cgroup for private, strict)",
	  "/sys/fs/cgroup is read-only" },
	{ H_CLOCK, "the mount namespace, no CAP_SYS_TIME and CAP_WAKE_ALARM",
	  "no clock is set without CAP_SYS_TIME" },
	{ H_PROTECT_PROC, "the pid namespace", NULL },
	{ H_REMOVE_IPC, "the ipc namespace", "IPC objects go with the ipc namespace" },
	{ H_PRIVATE_MOUNTS, MOUNTNS, "a unit has its own mount namespace" },
};

static bool sandbox_does(const struct spec *s, enum harden h, int v)
{
	unsigned ns = s->namespaces;
	bool mountns = ns & NS_BIT(NS_MOUNT);

	switch (h) {
	case H_PRIVATE_DEVICES:
	case H_KERNEL_TUNABLES:
	case H_PRIVATE_MOUNTS:
		return mountns;
	case H_KERNEL_MODULES:
		return !(s->caps & (UINT64_C(1) << 16));
	case H_KERNEL_LOGS:
		return mountns && !(s->caps & (UINT64_C(1) << 34));
	case H_CONTROL_GROUPS:
		return mountns && (v < 2 || (ns & NS_BIT(NS_CGROUP)));
	case H_CLOCK:
		return mountns && !(s->caps & ((UINT64_C(1) << 25) | (UINT64_C(1) << 35)));
	case H_PROTECT_PROC:
		return ns & NS_BIT(NS_PID);
	case H_REMOVE_IPC:
		return ns & NS_BIT(NS_IPC);
	default:
		return true;
	}
}

void unit_compat_finish(struct parse *p)
{
	struct spec *s = p->s;
	bool mountns = s->namespaces & NS_BIT(NS_MOUNT);

	protect_home(p, mountns);
	private_tmp(p, mountns);
	for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
		enum harden h = checks[i].h;
		int v = p->svc.harden[h];

		if (v < 0 || (v == 0 && !checks[i].does))
			continue;
		bool does = sandbox_does(s, h, v);
		if (v > 0 && !does)
			harden_diag(p, h, "needs %s", checks[i].need);
		else if (v == 0 && does)
			harden_diag(p, h, NOT_SUPP, checks[i].does);
	}
	/* ProtectKernelTunables=yes keeps /proc/sys read-only even where
	 * ReadOnlyPaths= was emptied */
	if (p->svc.harden[H_KERNEL_TUNABLES] > 0 && mountns) {
		static const char *const tunables[] = {
			"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
		};

		push_missing(p, &s->readonly_paths, tunables);
	}
}
