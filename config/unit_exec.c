/* The setters of issue #11's service keys and their checks after all
 * files (unit_exec.h): the commands around ExecStart=, the timeouts,
 * KillMode=, ReloadSignal=, PIDFile=, EnvironmentFile=, the namespaces
 * shared with other units (JoinsNamespaceOf=, NetworkNamespacePath=) and
 * systemd's namespace switches (PrivateNetwork= ...). systemd's meaning
 * for every key (systemd.service(5), systemd.exec(5), systemd.kill(5));
 * what sandboxd cannot do is refused by name. */
#include "unit_exec.h"

#include <stdio.h>
#include <string.h>

#include "unit_parse.h"
#include "values.h"

static struct set_at here_at(const struct parse *p)
{
	return (struct set_at){ .file = p->file, .section = p->section, .line = p->line };
}

/* ---- PIDFile= ----------------------------------------------------------- */

/* Absolute, or relative to /run as in systemd. Read only for
 * Type=forking (the other types know their main process). */
void unit_set_pid_file(struct parse *p, const struct key_def *k, const char *v)
{
	char buf[4096];
	const char *why;

	p->svc.pid_file_at = *v ? here_at(p) : (struct set_at){ 0 };
	if (!*v) {
		p->s->pid_file = NULL;
		return;
	}
	if (v[0] != '/') {
		if ((size_t)snprintf(buf, sizeof buf, "/run/%s", v) >= sizeof buf) {
			unit_bad(p, k, "path too long");
			return;
		}
		v = buf;
	}
	if ((why = unit_path_problem(v))) {
		unit_bad(p, k, "\"%s\": %s", v, why);
		return;
	}
	p->s->pid_file = unit_dup(p, v);
}

/* ---- ExecStartPre= ExecStartPost= ExecStop= ExecReload= ----------------- */

static bool name_char(char c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (!first && c >= '0' && c <= '9');
}

/* "$NAME" or "${NAME}", the whole word. */
static bool is_variable(const char *w)
{
	bool brace = w[1] == '{';
	const char *c = w + 1 + brace;

	if (w[0] != '$' || !name_char(*c, true))
		return false;
	while (name_char(*c, false))
		c++;
	return brace ? c[0] == '}' && !c[1] : !*c;
}

bool unit_exec_has_variable(struct parse *p, const struct key_def *k, const struct strv *args)
{
	for (size_t i = 0; i < args->n; i++) {
		if (!is_variable(args->v[i]))
			continue;
		unit_bad(p, k, "\"%s\": sandboxd substitutes no variables%s", args->v[i],
			 strstr(args->v[i], "MAINPID") ? " (ReloadSignal= signals the main process)" : "");
		return true;
	}
	return false;
}

static struct exec_list *exec_list_of(struct parse *p, const struct key_def *k)
{
	return unit_field(p, k);
}

/* systemd's prefixes of the executable: "-" is honoured, ":" (no variable
 * substitution) is what sandboxd always does; the others ask for modes
 * outside the sandbox that sandboxd does not have. NULL when refused. */
static const char *take_prefixes(struct parse *p, const struct key_def *k, const char *w,
				 bool *ignore, bool *literal)
{
	static const struct { char c; const char *what; } modes[] = {
		{ '@', "own argv[0]" },
		{ '+', "full privileges" },
		{ '!', "no user change" },
		{ '|', "login shell" },
	};

	for (;; w++) {
		size_t i;

		if (*w == '-') {
			*ignore = true;
			continue;
		}
		if (*w == ':') {
			*literal = true;
			continue;
		}
		for (i = 0; i < sizeof modes / sizeof *modes; i++)
			if (*w == modes[i].c)
				break;
		if (i == sizeof modes / sizeof *modes)
			return w;
		unit_bad(p, k, "prefix \"%c\" (%s): sandboxd has no such mode", w[0], modes[i].what);
		return NULL;
	}
}

/* ExecReload=/bin/kill -HUP $MAINPID, the idiom of Debian's units, is
 * what ReloadSignal= does: read as that. 0 when it is not the idiom. */
static int reload_kill_signal(const struct strv *a)
{
	const char *base = strrchr(a->v[0], '/');
	int sig;

	if (!base || strcmp(base, "/kill") != 0 || a->n < 3 || a->n > 4)
		return 0;
	const char *pid = a->v[a->n - 1];
	if (strcmp(pid, "$MAINPID") != 0 && strcmp(pid, "${MAINPID}") != 0)
		return 0;
	if (a->n == 4 ? strcmp(a->v[1], "-s") != 0 || parse_signal(a->v[2], &sig) < 0
		      : a->v[1][0] != '-' || parse_signal(a->v[1] + 1, &sig) < 0)
		return 0;
	return sig;
}

void unit_set_exec_list(struct parse *p, const struct key_def *k, const char *v)
{
	struct spec *s = p->s;
	struct exec_list *l = exec_list_of(p, k);
	struct strv args = { 0 };
	bool ignore = false, literal = false;
	const char *argv0;

	if (!*v) {
		*l = (struct exec_list){ 0 };
		if (l == &s->exec_reload && p->svc.reload_kill_at.line) {
			s->reload_signal = 0;
			p->svc.reload_kill_at = (struct set_at){ 0 };
		}
		return;
	}
	if (!unit_split(p, k, v, &args))
		return;
	if (args.n == 0 || !(argv0 = take_prefixes(p, k, args.v[0], &ignore, &literal)))
		return;
	if (!unit_is_abs_path(argv0)) {
		unit_bad(p, k, "\"%s\" is not an absolute path; no shell and no PATH search are used",
			 argv0);
		return;
	}
	args.v[0] = argv0;
	int sig = l == &s->exec_reload && !literal ? reload_kill_signal(&args) : 0;
	if (sig) {
		s->reload_signal = sig;
		p->svc.reload_kill_at = here_at(p);
		return;
	}
	if (!literal && unit_exec_has_variable(p, k, &args))
		return;
	if (l->n >= UNIT_EXEC_CMDS_MAX) {
		unit_bad(p, k, "more than %d commands", UNIT_EXEC_CMDS_MAX);
		return;
	}
	struct exec_cmd *n = arena_realloc(&s->arena, l->v, l->n * sizeof *l->v,
					   (l->n + 1) * sizeof *l->v);
	if (!n) {
		unit_oom(p);
		return;
	}
	n[l->n++] = (struct exec_cmd){
		.argv = args.v, .ignore_failure = ignore, .loc = unit_here(p),
	};
	l->v = n;
}

/* ---- timeouts, KillMode=, ReloadSignal= --------------------------------- */

/* TimeoutStartSec= (arg 0), TimeoutStopSec= (1), TimeoutSec= (both):
 * "infinity" and 0 mean no timeout, as in systemd. */
void unit_set_timeout(struct parse *p, const struct key_def *k, const char *v)
{
	struct spec *s = p->s;
	uint64_t ms;

	if (!*v) {
		if (k->arg != 1) {
			s->timeout_start_ms = 90000;
			p->svc.timeout_start_set = false;
		}
		if (k->arg != 0)
			s->timeout_stop_ms = 5000;
		return;
	}
	if (strcmp(v, "infinity") == 0) {
		ms = LIMIT_INFINITY;
	} else if (parse_duration_ms(v, &ms) < 0) {
		unit_bad(p, k, "\"%s\" is not a duration", v);
		return;
	}
	/* 0 is systemd's "none"; past ~8900 years is none too, and keeps
	 * every deadline the supervisor adds to its clock in range */
	if (ms == 0 || ms > (UINT64_C(1) << 48))
		ms = LIMIT_INFINITY;
	if (k->arg != 1) {
		s->timeout_start_ms = ms;
		p->svc.timeout_start_set = true;
	}
	if (k->arg != 0)
		s->timeout_stop_ms = ms;
}

void unit_set_kill_mode(struct parse *p, const struct key_def *k, const char *v)
{
	static const char *const modes[] = {
		[KILL_CONTROL_GROUP] = "control-group", [KILL_MIXED] = "mixed", [KILL_PROCESS] = "process",
	};

	if (!*v) {
		p->s->kill_mode = KILL_CONTROL_GROUP;
		return;
	}
	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
		if (strcmp(v, modes[i]) == 0) {
			p->s->kill_mode = (enum kill_mode)i;
			return;
		}
	if (strcmp(v, "none") == 0)
		unit_bad(p, k, "\"none\" is not supported: sandboxd leaves no process unsupervised");
	else
		unit_bad(p, k, "unknown mode \"%s\"", v);
}

void unit_set_reload_signal(struct parse *p, const struct key_def *k, const char *v)
{
	p->svc.reload_kill_at = (struct set_at){ 0 };
	if (!*v)
		p->s->reload_signal = 0;
	else if (parse_signal(v, &p->s->reload_signal) < 0)
		unit_bad(p, k, "unknown signal \"%s\"", v);
}

/* ---- EnvironmentFile= --------------------------------------------------- */

/* One absolute path per line ("-" first: a missing file is no error),
 * kept as written; read by the launch child, never here. */
void unit_set_env_file(struct parse *p, const struct key_def *k, const char *v)
{
	struct strv *l = &p->s->env_files;
	const char *why;

	if (!*v) {
		strv_clear(l);
		return;
	}
	if ((why = unit_path_problem(v + (v[0] == '-')))) {
		unit_bad(p, k, "\"%s\": %s", v + (v[0] == '-'), why);
		return;
	}
	if (strpbrk(v, "*?[")) {
		unit_bad(p, k, "\"%s\": wildcards are not supported", v);
		return;
	}
	if (l->n >= UNIT_PATHS_MAX) {
		unit_bad(p, k, "more than %d files", UNIT_PATHS_MAX);
		return;
	}
	const char *c = unit_dup(p, v);
	if (c && strv_push(&p->s->arena, l, c) < 0)
		unit_oom(p);
}

/* ---- shared namespaces -------------------------------------------------- */

/* JoinsNamespaceOf=: unit names as After= takes them; each is also an
 * After= (the other unit starts first). */
void unit_set_joins(struct parse *p, const struct key_def *k, const char *v)
{
	struct spec *s = p->s;
	struct strv words = { 0 };

	if (!*v) {
		unit_list_clear(&s->joins_namespace_of, &p->svc.joins_set);
		s->joins_loc = (struct loc){ 0 };
		p->svc.joins_at = (struct set_at){ 0 };
		return;
	}
	if (!unit_split(p, k, v, &words))
		return;
	for (size_t i = 0; i < words.n; i++) {
		char name[UNIT_NAME_MAX + 1];
		int r = unit_dep_name(words.v[i], name);

		if (r < 0) {
			unit_bad(p, k, "\"%s\" is not a unit name", words.v[i]);
			continue;
		}
		if (r > 0) {
			unit_bad(p, k, "\"%s\" is not a service", words.v[i]);
			continue;
		}
		if (strcmp(name, s->name) == 0) {
			unit_bad(p, k, "a unit cannot join its own namespaces");
			continue;
		}
		if (unit_list_add(p, k, &s->joins_namespace_of, &p->svc.joins_set, name,
				  UNIT_LIST_MAX, "units", true) < 0)
			return;
	}
	s->joins_loc = unit_here(p);
	p->svc.joins_at = here_at(p);
}

/* Each unit joined is an After= too (the contract of spec.h), added once
 * every file is read, so that an empty After= in a drop-in leaves it. */
static void joins_after(struct parse *p)
{
	static const struct key_def k = { "Unit", "JoinsNamespaceOf", unit_set_joins, NOFIELD,
					  0, 0, NULL, true };
	struct spec *s = p->s;

	for (size_t i = 0; i < s->joins_namespace_of.n; i++)
		if (unit_list_add(p, &k, &s->after, &p->after_set, s->joins_namespace_of.v[i],
				  UNIT_LIST_MAX, "units", false) < 0)
			return;
	if (s->joins_namespace_of.n && !s->after_loc.line)
		s->after_loc = s->joins_loc;
}

void unit_set_netns_path(struct parse *p, const struct key_def *k, const char *v)
{
	unit_set_path(p, k, v);
	p->svc.netns_at = *v ? here_at(p) : (struct set_at){ 0 };
}

/* PrivateNetwork= PrivateIPC= PrivateUsers= ProtectHostname=: a namespace
 * of Namespaces=, added or removed after all files. */
void unit_set_ns_switch(struct parse *p, const struct key_def *k, const char *v)
{
	bool b;

	p->svc.sw[k->arg] = -1;
	if (!*v)
		return;
	if (k->arg == SW_USER && strcmp(v, "identity") == 0) {
		b = true;   /* 0-65535 mapped to themselves: sandboxd's user namespace */
	} else if (k->arg == SW_USER && (strcmp(v, "self") == 0 || strcmp(v, "full") == 0 ||
					 strcmp(v, "managed") == 0)) {
		unit_bad(p, k, "\"%s\" is not supported: sandboxd maps ids 0-65535 as \"identity\"", v);
		return;
	} else if (k->arg == SW_UTS && strcmp(v, "private") == 0) {
		b = true;
	} else if (parse_bool(v, &b) < 0) {
		unit_bad(p, k, "\"%s\" is not a boolean", v);
		return;
	}
	p->svc.sw[k->arg] = b;
	p->svc.sw_at[k->arg] = here_at(p);
}

static const char *const sw_key[SW_COUNT] = {
	[SW_NET] = "PrivateNetwork", [SW_IPC] = "PrivateIPC",
	[SW_USER] = "PrivateUsers", [SW_UTS] = "ProtectHostname",
};
static const enum ns_type sw_ns[SW_COUNT] = {
	[SW_NET] = NS_NET, [SW_IPC] = NS_IPC, [SW_USER] = NS_USER, [SW_UTS] = NS_UTS,
};

void unit_exec_finish_ns(struct parse *p)
{
	struct spec *s = p->s;

	for (int i = 0; i < SW_COUNT; i++) {
		const struct set_at *at = &p->svc.sw_at[i];
		unsigned bit = NS_BIT(sw_ns[i]);
		bool want = p->svc.sw[i] > 0, has = s->namespaces & bit;

		if (p->svc.sw[i] < 0)
			continue;
		/* both said something: they must say the same */
		if (p->ns_loc.line && want != has) {
			diag_at(p->d, at->file, at->line, at->section, sw_key[i],
				"\"%s\" conflicts with Namespaces= (%s:%d), which %s %s", want ? "yes" : "no",
				p->ns_loc.file, p->ns_loc.line, has ? "has" : "leaves out",
				ns_type_keyword(sw_ns[i]));
			continue;
		}
		if (want)
			s->namespaces |= bit;
		else
			s->namespaces &= ~bit;
	}
}

/* ---- after all files ---------------------------------------------------- */

void unit_exec_finish(struct parse *p)
{
	struct spec *s = p->s;
	const struct set_at *at;

	joins_after(p);
	/* systemd: a oneshot's start has no timeout unless it sets one */
	if (s->type == SERVICE_ONESHOT && !p->svc.timeout_start_set)
		s->timeout_start_ms = LIMIT_INFINITY;
	if (s->type == SERVICE_FORKING && (s->namespaces & NS_BIT(NS_PID)) && s->init == 0)
		diag_at(p->d, p->init_loc.file, p->init_loc.line, "Sandbox", "Init",
			"\"no\" with Type=forking and a pid namespace: the reaper keeps the "
			"namespace once the started process exits");
	at = &p->svc.reload_kill_at;
	if (at->line && s->exec_reload.n)
		diag_at(p->d, at->file, at->line, at->section, "ExecReload",
			"kill $MAINPID is read as ReloadSignal=, which sandboxd sends only "
			"without ExecReload= commands (%s:%d)", s->exec_reload.v[0].loc.file,
			s->exec_reload.v[0].loc.line);
	at = &p->svc.joins_at;
	if (at->line && !(s->namespaces & (NS_BIT(NS_NET) | NS_BIT(NS_IPC))))
		diag_at(p->d, at->file, at->line, at->section, "JoinsNamespaceOf",
			"needs the net or ipc namespace (see Namespaces=)");
	at = &p->svc.netns_at;
	if (at->line && !(s->namespaces & NS_BIT(NS_NET)))
		diag_at(p->d, at->file, at->line, at->section, "NetworkNamespacePath",
			"needs the net namespace (see Namespaces=)");
	if (at->line && p->svc.joins_at.line)
		diag_at(p->d, at->file, at->line, at->section, "NetworkNamespacePath",
			"conflicts with JoinsNamespaceOf= (%s:%d)",
			p->svc.joins_at.file, p->svc.joins_at.line);
}

void unit_svc_parse_init(struct parse *p)
{
	for (int i = 0; i < SW_COUNT; i++)
		p->svc.sw[i] = -1;
	for (int i = 0; i < H_COUNT; i++)
		p->svc.harden[i] = -1;
}
