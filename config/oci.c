#include "oci.h"

#if CONFIG_OCI_SPEC

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps_names.h"
#include "../lib/json.h"
#include "../lib/rlimits.h"
#include "seccomp_rules.h"
#include "values.h"

/* Debian 12's crun 1.8.1 refuses 1.2.x ("unknown version specified"). */
#define OCI_VERSION "1.1.0"

/* SystemCallArchitectures=native: the build's own architecture and no
 * other. runc and crun hand each name to seccomp_arch_add() on top of
 * the native one libseccomp starts with, so listing SCMP_ARCH_X86 (or
 * SCMP_ARCH_ARM on arm64) would let a 32-bit task's calls be filtered
 * instead of killed by the bad-architecture check; the native name alone
 * keeps the export readable and matches `runc spec` on x86_64. libseccomp
 * rejects x32 numbers on x86-64 by itself. Elsewhere the list stays
 * empty, which runc and crun read as the native architecture only. */
#if defined(__x86_64__)
#define OCI_SECCOMP_ARCH "SCMP_ARCH_X86_64"
#elif defined(__aarch64__)
#define OCI_SECCOMP_ARCH "SCMP_ARCH_AARCH64"
#elif defined(__arm__) && !defined(__ARMEB__)
#define OCI_SECCOMP_ARCH "SCMP_ARCH_ARM"
#endif

/* The mounts `runc spec` gives every container, before the unit's own. */
struct base_mount {
	const char *destination, *type, *source;
	const char *options[7];
};

static const struct base_mount base_mounts_head[] = {
	{ "/proc", "proc", "proc", { "nosuid", "noexec", "nodev" } },
	{ "/dev", "tmpfs", "tmpfs",
	  { "nosuid", "strictatime", "mode=755", "size=65536k" } },
	{ "/dev/pts", "devpts", "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
	{ "/dev/shm", "tmpfs", "shm",
	  { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
	{ "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
};

/* A new sysfs shows the network namespace it was mounted in; without one
 * of our own the kernel refuses a fresh sysfs, so the host's is bound. */
static const struct base_mount sys_netns =
	{ "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro" } };
static const struct base_mount sys_bind =
	{ "/sys", "bind", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro" } };
static const struct base_mount cgroup_mount =
	{ "/sys/fs/cgroup", "cgroup", "cgroup",
	  { "nosuid", "noexec", "nodev", "relatime", "ro" } };

/* OCI's int64 fields use -1 for "no limit"; values past INT64_MAX cannot
 * be written there and mean the same. */
static int64_t limit_i64(uint64_t v)
{
	return v > INT64_MAX ? -1 : (int64_t)v;
}

static bool finite(const struct u64_opt *o)
{
	return o->set && o->v <= INT64_MAX;
}

static void kv_strv(struct json *j, const char *key, const struct strv *sv)
{
	json_key(j, key);
	json_arr_begin(j);
	for (size_t i = 0; i < sv->n; i++)
		json_str(j, sv->v[i]);
	json_arr_end(j);
}

static void kv_u64_text(struct json *j, const char *key, uint64_t v)
{
	char num[24];

	if (v == LIMIT_INFINITY)
		snprintf(num, sizeof num, "max");
	else
		snprintf(num, sizeof num, "%" PRIu64, v);
	json_kv_str(j, key, num);
}

static void write_caps(struct json *j, const struct spec *s)
{
	static const char *const sets[] = {
		"bounding", "effective", "permitted", "inheritable", "ambient",
	};
	/* A non-root user keeps capabilities across execve only as ambient
	 * ones, and the kernel raises only ambient caps that are also
	 * inheritable. Root needs neither, so its inheritable set stays empty
	 * (CVE-2022-29162: inheritable caps granted by default). */
	size_t n_sets = s->uid != 0 ? 5 : 3;

	json_key(j, "capabilities");
	json_obj_begin(j);
	for (size_t k = 0; k < n_sets; k++) {
		json_key(j, sets[k]);
		json_arr_begin(j);
		for (unsigned bit = 0; bit < CAP_COUNT; bit++)
			if (s->caps & ((uint64_t)1 << bit))
				json_str(j, cap_name(bit));
		json_arr_end(j);
	}
	json_obj_end(j);
}

static void write_process(struct json *j, const struct spec *s)
{
	bool any_rlimit = false;

	json_key(j, "process");
	json_obj_begin(j);
	json_kv_bool(j, "terminal", false);

	json_key(j, "user");
	json_obj_begin(j);
	json_kv_uint(j, "uid", s->uid);
	json_kv_uint(j, "gid", s->gid);
	if (s->umask_set)
		json_kv_uint(j, "umask", s->umask);
	if (s->n_groups > 0) {
		size_t n = s->n_groups < SPEC_MAX_GROUPS ? s->n_groups : SPEC_MAX_GROUPS;

		json_key(j, "additionalGids");
		json_arr_begin(j);
		for (size_t i = 0; i < n; i++)
			json_uint(j, s->groups[i]);
		json_arr_end(j);
	}
	json_obj_end(j);

	kv_strv(j, "args", &s->args);
	kv_strv(j, "env", &s->env);
	json_kv_str(j, "cwd", s->cwd ? s->cwd : "/");
	write_caps(j, s);

	for (size_t i = 0; i < SPEC_RLIMITS; i++)
		any_rlimit |= s->rlimits[i].set;
	if (any_rlimit) {
		json_key(j, "rlimits");
		json_arr_begin(j);
		for (size_t i = 0; i < SPEC_RLIMITS; i++) {
			if (!s->rlimits[i].set)
				continue;
			json_obj_begin(j);
			json_kv_str(j, "type", rlimits_table[i].oci);
			json_kv_uint(j, "hard", s->rlimits[i].hard);
			json_kv_uint(j, "soft", s->rlimits[i].soft);
			json_obj_end(j);
		}
		json_arr_end(j);
	}

	json_kv_bool(j, "noNewPrivileges", s->no_new_privs);
	if (s->oom_score_adj_set)
		json_kv_int(j, "oomScoreAdj", s->oom_score_adj);
	json_obj_end(j);
}

static void write_mount_head(struct json *j, const char *dest, const char *type,
			     const char *source)
{
	json_obj_begin(j);
	json_kv_str(j, "destination", dest);
	json_kv_str(j, "type", type);
	json_kv_str(j, "source", source);
	json_key(j, "options");
	json_arr_begin(j);
}

static void write_mount_tail(struct json *j)
{
	json_arr_end(j);
	json_obj_end(j);
}

static void write_base_mount(struct json *j, const struct base_mount *m)
{
	write_mount_head(j, m->destination, m->type, m->source);
	for (size_t i = 0; i < sizeof m->options / sizeof m->options[0] && m->options[i]; i++)
		json_str(j, m->options[i]);
	write_mount_tail(j);
}

/* "size=8m, mode=1777" -> "size=8m", "mode=1777": pieces are written
 * straight from the text, so no copy is needed. */
static void write_split_options(struct json *j, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *end = strchr(p, ',');
		const char *a = p, *b = end ? end : p + strlen(p);

		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b > a)
			json_strn(j, a, (size_t)(b - a));
		if (!end)
			break;
		p = end + 1;
	}
}

static void write_mounts(struct json *j, const struct spec *s)
{
	json_key(j, "mounts");
	json_arr_begin(j);
	for (size_t i = 0; i < sizeof base_mounts_head / sizeof base_mounts_head[0]; i++)
		write_base_mount(j, &base_mounts_head[i]);
	write_base_mount(j, s->namespaces & NS_BIT(NS_NET) ? &sys_netns : &sys_bind);
	write_base_mount(j, &cgroup_mount);

	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct mount_spec *m = &s->mounts[i];

		if (m->kind == MOUNT_BIND) {
			write_mount_head(j, m->destination, "bind", m->source);
			json_str(j, "rbind");
			json_str(j, m->readonly ? "ro" : "rw");
		} else {
			write_mount_head(j, m->destination, "tmpfs", "tmpfs");
			if (m->options_text) {
				write_split_options(j, m->options_text);
			} else {
				json_str(j, "nosuid");
				json_str(j, "nodev");
				json_str(j, "mode=755");
			}
		}
		write_mount_tail(j);
	}
	json_arr_end(j);
}

/* OCI's memory.swap is memory+swap (the cgroup v1 meaning); runc and crun
 * write memory.swap.max = swap - limit on v2. That only works with a finite
 * memory limit beside it, so without one the v2 value goes into unified. */
static bool swap_in_memory(const struct resources *r)
{
	return r->memory_swap_max.set && finite(&r->memory_max);
}

static int64_t memory_plus_swap(const struct resources *r)
{
	uint64_t mem = r->memory_max.v, swap = r->memory_swap_max.v;

	if (swap > INT64_MAX || swap > INT64_MAX - mem)
		return -1;
	return (int64_t)(mem + swap);
}

static int64_t cpu_quota_us(const struct resources *r, uint64_t period)
{
	uint64_t q = r->cpu_quota_permyriad.v;

	if (q == LIMIT_INFINITY || (period && q > UINT64_MAX / period))
		return -1;
	return limit_i64(q * period / 10000);
}

static void write_resources(struct json *j, const struct resources *r)
{
	/* The parser defaults the period; a hand-made spec may not have. */
	uint64_t period = r->cpu_period_us ? r->cpu_period_us : 100000;
	bool memory = r->memory_max.set || swap_in_memory(r);
	bool cpu = r->cpu_shares.set || r->cpu_quota_permyriad.set || r->cpus || r->mems;
	bool unified_swap = r->memory_swap_max.set && !swap_in_memory(r);
	bool unified = r->cpu_weight.set || r->io_weight.set || r->memory_high.set ||
		       unified_swap;

	if (!memory && !cpu && !r->tasks_max.set && !unified)
		return;

	json_key(j, "resources");
	json_obj_begin(j);
	if (memory) {
		json_key(j, "memory");
		json_obj_begin(j);
		if (r->memory_max.set)
			json_kv_int(j, "limit", limit_i64(r->memory_max.v));
		if (swap_in_memory(r))
			json_kv_int(j, "swap", memory_plus_swap(r));
		json_obj_end(j);
	}
	if (cpu) {
		json_key(j, "cpu");
		json_obj_begin(j);
		if (r->cpu_shares.set)
			json_kv_uint(j, "shares", r->cpu_shares.v);
		if (r->cpu_quota_permyriad.set) {
			json_kv_int(j, "quota", cpu_quota_us(r, period));
			json_kv_uint(j, "period", period);
		}
		if (r->cpus)
			json_kv_str(j, "cpus", r->cpus);
		if (r->mems)
			json_kv_str(j, "mems", r->mems);
		json_obj_end(j);
	}
	if (r->tasks_max.set) {
		json_key(j, "pids");
		json_obj_begin(j);
		json_kv_int(j, "limit", limit_i64(r->tasks_max.v));
		json_obj_end(j);
	}
	if (unified) {
		/* Keys in file-name order. */
		json_key(j, "unified");
		json_obj_begin(j);
		if (r->cpu_weight.set)
			kv_u64_text(j, "cpu.weight", r->cpu_weight.v);
		if (r->io_weight.set)
			kv_u64_text(j, "io.weight", r->io_weight.v);
		if (r->memory_high.set)
			kv_u64_text(j, "memory.high", r->memory_high.v);
		if (unified_swap)
			kv_u64_text(j, "memory.swap.max", r->memory_swap_max.v);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static void write_cmp(struct json *j, const struct seccomp_arg_cmp *c)
{
	static const char *const ops[] = {
		[SECCOMP_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ", [SECCOMP_OP_EQ] = "SCMP_CMP_EQ",
		[SECCOMP_OP_GT] = "SCMP_CMP_GT", [SECCOMP_OP_LT] = "SCMP_CMP_LT",
	};

	json_obj_begin(j);
	json_kv_uint(j, "index", c->arg);
	if (c->op == SECCOMP_OP_MASKED_EQ) {
		json_kv_uint(j, "value", c->mask);
		json_kv_uint(j, "valueTwo", c->value);
	} else {
		json_kv_uint(j, "value", c->value);
	}
	json_kv_str(j, "op", ops[c->op]);
	json_obj_end(j);
}

/* RestrictNamespaces= and the hardening keys: the same rules the
 * launcher compiles. */
static void write_arg_rules(struct json *j, const struct seccomp_rules *sc, const char *action,
			    const struct seccomp_arg_rule *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct seccomp_arg_cmp first = { v[i].op, v[i].arg, v[i].mask, v[i].value };

		json_obj_begin(j);
		json_key(j, "names");
		json_arr_begin(j);
		json_str(j, v[i].name);
		json_arr_end(j);
		if (v[i].action == SECCOMP_ARG_ALLOW) {
			json_kv_str(j, "action", "SCMP_ACT_ALLOW");
		} else if (v[i].action == SECCOMP_ARG_ENOSYS) {
			json_kv_str(j, "action", "SCMP_ACT_ERRNO");
			json_kv_int(j, "errnoRet", 38);   /* ENOSYS */
		} else if (v[i].action == SECCOMP_ARG_ERRNO) {
			json_kv_str(j, "action", "SCMP_ACT_ERRNO");
			json_kv_int(j, "errnoRet", v[i].errnum);
		} else {
			json_kv_str(j, "action", action);
			if (!sc->kill)
				json_kv_int(j, "errnoRet", sc->errnum);
		}
		if (v[i].op != SECCOMP_OP_NONE) {
			json_key(j, "args");
			json_arr_begin(j);
			write_cmp(j, &first);
			if (v[i].and.op != SECCOMP_OP_NONE)
				write_cmp(j, &v[i].and);
			json_arr_end(j);
		}
		json_obj_end(j);
	}
}

static void write_seccomp(struct json *j, const struct seccomp_rules *sc)
{
	const char *action = sc->kill ? "SCMP_ACT_KILL_PROCESS" : "SCMP_ACT_ERRNO";
	struct seccomp_arg_rule ns[SECCOMP_NS_RULES_MAX], hard[SECCOMP_HARDEN_RULES_MAX];
	size_t n_ns = seccomp_ns_rules(sc, ns), n_hard = seccomp_harden_rules(sc, hard);

	json_key(j, "seccomp");
	json_obj_begin(j);
	if (sc->allow_list) {
		json_kv_str(j, "defaultAction", action);
		if (!sc->kill)
			json_kv_int(j, "defaultErrnoRet", sc->errnum);
	} else {
		json_kv_str(j, "defaultAction", "SCMP_ACT_ALLOW");
	}
	json_key(j, "architectures");
	json_arr_begin(j);
#ifdef OCI_SECCOMP_ARCH
	json_str(j, OCI_SECCOMP_ARCH);
#endif
	json_arr_end(j);

	json_key(j, "syscalls");
	json_arr_begin(j);
	if (sc->names.n > 0) {
		json_obj_begin(j);
		json_key(j, "names");
		json_arr_begin(j);
		for (size_t i = 0; i < sc->names.n; i++)
			if (!seccomp_conditional(sc, sc->names.v[i], hard, n_hard))
				json_str(j, sc->names.v[i]);
		json_arr_end(j);
		if (sc->allow_list) {
			json_kv_str(j, "action", "SCMP_ACT_ALLOW");
		} else {
			json_kv_str(j, "action", action);
			if (!sc->kill)
				json_kv_int(j, "errnoRet", sc->errnum);
		}
		json_obj_end(j);
	}
	write_arg_rules(j, sc, action, ns, n_ns);
	write_arg_rules(j, sc, action, hard, n_hard);
	json_arr_end(j);
	json_obj_end(j);
}

/* Who runs the export must also run it: identity-map the first 65536 ids
 * (enough for the users of a rootfs) rather than all 2^32, which some
 * runtimes reject when the ids are not all mapped in the parent. */
static void write_id_map(struct json *j, const char *key)
{
	json_key(j, key);
	json_arr_begin(j);
	json_obj_begin(j);
	json_kv_uint(j, "containerID", 0);
	json_kv_uint(j, "hostID", 0);
	json_kv_uint(j, "size", 65536);
	json_obj_end(j);
	json_arr_end(j);
}

static void write_linux(struct json *j, const struct spec *s)
{
	json_key(j, "linux");
	json_obj_begin(j);

	json_key(j, "namespaces");
	json_arr_begin(j);
	for (unsigned t = 0; t < NS_COUNT; t++) {
		if (!(s->namespaces & NS_BIT(t)))
			continue;
		json_obj_begin(j);
		json_kv_str(j, "type", ns_type_name((enum ns_type)t));
		/* NetworkNamespacePath=: entered, not made */
		if (t == NS_NET && s->netns_path)
			json_kv_str(j, "path", s->netns_path);
		json_obj_end(j);
	}
	json_arr_end(j);

	if (s->namespaces & NS_BIT(NS_USER)) {
		write_id_map(j, "uidMappings");
		write_id_map(j, "gidMappings");
	}

#if CONFIG_CGROUPS
	{
		char path[sizeof CONFIG_CGROUP_ROOT + UNIT_NAME_MAX + 2];

		snprintf(path, sizeof path, "/%s/%s", CONFIG_CGROUP_ROOT, s->name);
		json_kv_str(j, "cgroupsPath", path);
	}
#endif
	/* with the build's default TasksMax= too: the export shows what runs */
	if (spec_has_resources(s) || s->res.tasks_max.set)
		write_resources(j, &s->res);

	kv_strv(j, "maskedPaths", &s->masked_paths);
	kv_strv(j, "readonlyPaths", &s->readonly_paths);
	if (s->seccomp.enabled)
		write_seccomp(j, &s->seccomp);
	json_obj_end(j);
}

/* ---- the service's supervision, which OCI has no field for ---------------
 * Annotations (strings only): each Exec* list as its lines would be
 * written in a unit, one command a line, "-" first when its failure is
 * ignored; only what differs from the defaults, so a plain unit's export
 * is unchanged. */

/* One word as the unit parser reads it back (config/words.c). */
static size_t put_word(char *o, const char *w)
{
	size_t n = 0;

	if (*w && !strpbrk(w, " \t'\"\\") && !strpbrk(w, "\n\r")) {
		for (const char *c = w; *c; c++)
			if ((unsigned char)*c < 0x20)
				goto quoted;
		n = strlen(w);
		memcpy(o, w, n);
		return n;
	}
quoted:
	o[n++] = '"';
	for (; *w; w++) {
		unsigned char c = (unsigned char)*w;

		if (c == '"' || c == '\\') {
			o[n++] = '\\';
			o[n++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			n += (size_t)sprintf(o + n, "\\x%02x", c);
		} else {
			o[n++] = (char)c;
		}
	}
	o[n++] = '"';
	return n;
}

/* The commands of l, malloc'ed (the unit's 1 MiB cap bounds it); NULL
 * when out of memory. */
static char *exec_text(const struct exec_list *l)
{
	size_t size = 1;

	for (size_t i = 0; i < l->n; i++)
		for (const char *const *a = l->v[i].argv; *a; a++)
			size += 4 * strlen(*a) + 4;
	char *t = malloc(size + 2 * l->n), *o = t;
	if (!t)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			*o++ = '\n';
		if (l->v[i].ignore_failure)
			*o++ = '-';
		for (const char *const *a = l->v[i].argv; *a; a++) {
			if (a != l->v[i].argv)
				*o++ = ' ';
			o += put_word(o, *a);
		}
	}
	*o = '\0';
	return t;
}

static char *strv_text(const struct strv *sv, char sep)
{
	size_t size = 1;

	for (size_t i = 0; i < sv->n; i++)
		size += strlen(sv->v[i]) + 1;
	char *t = malloc(size), *o = t;
	if (!t)
		return NULL;
	for (size_t i = 0; i < sv->n; i++) {
		size_t n = strlen(sv->v[i]);

		if (i)
			*o++ = sep;
		memcpy(o, sv->v[i], n);
		o += n;
	}
	*o = '\0';
	return t;
}

/* A malloc'ed text as the value (an empty one when it could not be made). */
static void kv_owned(struct json *j, const char *key, char *text)
{
	json_kv_str(j, key, text ? text : "");
	free(text);
}

static void kv_ms(struct json *j, const char *key, uint64_t ms)
{
	char t[32];

	if (ms == LIMIT_INFINITY)
		snprintf(t, sizeof t, "infinity");
	else
		snprintf(t, sizeof t, "%" PRIu64 "ms", ms);
	json_kv_str(j, key, t);
}

static void write_service_annotations(struct json *j, const struct spec *s)
{
	static const char *const types[] = { "simple", "oneshot", "notify", "forking" };
	static const char *const kill_modes[] = { "control-group", "mixed", "process" };
	const struct { const char *key; const struct exec_list *l; } lists[] = {
		{ "org.sandboxd.execStartPre", &s->exec_start_pre },
		{ "org.sandboxd.execStartPost", &s->exec_start_post },
		{ "org.sandboxd.execStop", &s->exec_stop },
		{ "org.sandboxd.execReload", &s->exec_reload },
	};

	if (s->type != SERVICE_SIMPLE)
		json_kv_str(j, "org.sandboxd.type", types[s->type]);
	if (s->pid_file)
		json_kv_str(j, "org.sandboxd.pidFile", s->pid_file);
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
		if (lists[i].l->n)
			kv_owned(j, lists[i].key, exec_text(lists[i].l));
	if (s->timeout_start_ms != 90000)
		kv_ms(j, "org.sandboxd.timeoutStartSec", s->timeout_start_ms);
	if (s->timeout_stop_ms != 5000)
		kv_ms(j, "org.sandboxd.timeoutStopSec", s->timeout_stop_ms);
	if (s->kill_mode != KILL_CONTROL_GROUP)
		json_kv_str(j, "org.sandboxd.killMode", kill_modes[s->kill_mode]);
	if (s->reload_signal && signal_name(s->reload_signal))
		json_kv_str(j, "org.sandboxd.reloadSignal", signal_name(s->reload_signal));
	if (s->env_files.n)
		kv_owned(j, "org.sandboxd.environmentFiles", strv_text(&s->env_files, '\n'));
	if (s->joins_namespace_of.n)
		kv_owned(j, "org.sandboxd.joinsNamespaceOf", strv_text(&s->joins_namespace_of, ' '));
	if (!s->syslog_socket)
		json_kv_str(j, "org.sandboxd.syslogSocket", "false");
}

int oci_write_spec(const struct spec *s, int fd, struct err *e)
{
	struct json j;

	json_init(&j, fd);
	json_obj_begin(&j);
	json_kv_str(&j, "ociVersion", OCI_VERSION);
	write_process(&j, s);

	json_key(&j, "root");
	json_obj_begin(&j);
	json_kv_str(&j, "path", s->root ? s->root : "/");
	json_kv_bool(&j, "readonly", s->root_readonly);
	json_obj_end(&j);

	if (s->hostname)
		json_kv_str(&j, "hostname", s->hostname);
	write_mounts(&j, s);

	json_key(&j, "annotations");
	json_obj_begin(&j);
	json_kv_str(&j, "org.sandboxd.unit", s->name);
	if (s->description)
		json_kv_str(&j, "org.sandboxd.description", s->description);
	if (s->control_access)
		json_kv_str(&j, "org.sandboxd.controlAccess", "true");
	write_service_annotations(&j, s);
	json_obj_end(&j);

	write_linux(&j, s);
	json_obj_end(&j);
	if (json_finish(&j, e) < 0)
		return err_wrap(e, "%s: OCI spec: ", s->name);
	return 0;
}

#endif
