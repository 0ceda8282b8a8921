/* sandboxctl's client side of the control socket: one request line out,
 * "CODE\n" and a body back; the body goes to stdout (stderr on failure)
 * and CODE becomes the exit status. */
#include "ctl_remote.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "../lib/control_proto.h"
#include "../lib/wfile.h"
#include "../config/unit.h"
#include "../config/values.h"

const char ctl_remote_usage[] =
	"  status [--json] [UNIT]             every unit at a glance, or one in detail\n"
	"  start|stop|restart UNIT            start, stop or restart a unit\n"
	"  reset-failed UNIT                  forget a unit's failure and start limit\n"
	"  logs UNIT [-n N] [-f]              a unit's recent output (-f: keep following)\n"
	"  reload [UNIT]                      re-read the unit folder and apply it; with\n"
	"                                     UNIT: its ExecReload=, or its ReloadSignal=\n"
	"  kill [-s SIG] [--kill-whom=main|all] UNIT\n"
	"                                     send a signal to a unit's service\n"
	"  poweroff|reboot|halt               stop every unit and shut down\n";

#define EXIT_CODES \
	"\n" \
	"Talks to the running sandboxd (PID 1) over " CONFIG_RUN_DIR "/" CONTROL_SOCK_NAME "\n" \
	"($SANDBOXD_RUN_DIR overrides the folder); root only, and from inside a unit\n" \
	"only with ControlAccess=yes.\n" \
	"\n" \
	"Exit status: 0 ok, 1 the operation failed, 2 usage error, 3 no such unit,\n" \
	"4 cannot reach PID 1, or PID 1 refuses this caller.\n"

static const char status_help[] =
	"usage: sandboxctl status [--json] [UNIT]\n"
	"\n"
	"Without UNIT, a table of every unit: UNIT STATE PID UPTIME RESTARTS\n"
	"MEMORY (current/max) LAST EXIT. With UNIT, a detailed view: description,\n"
	"state and since when, main PID, cgroup, namespace ids, limits, the last\n"
	"exit (Last State: Terminated  Reason: ...  Exit Code: ...), restart and OOM\n"
	"kill counts, and the last 10 log lines.\n"
	"--json prints the same as JSON: {\"units\": [...]}, or one unit's object.\n" EXIT_CODES;

static const char start_help[] =
	"usage: sandboxctl start UNIT\n"
	"\n"
	"Starts the unit (and what it Requires=). A unit that failed or hit its\n"
	"start limit is revived.\n" EXIT_CODES;

static const char stop_help[] =
	"usage: sandboxctl stop UNIT\n"
	"\n"
	"Stops the unit with its KillSignal=, then SIGKILL after TimeoutStopSec=.\n"
	"It is not restarted until `sandboxctl start`.\n" EXIT_CODES;

static const char restart_help[] =
	"usage: sandboxctl restart UNIT\n"
	"\n"
	"Stops the unit as `stop` does, then starts it again.\n" EXIT_CODES;

static const char reset_failed_help[] =
	"usage: sandboxctl reset-failed UNIT\n"
	"\n"
	"Clears the unit's failed state, restart backoff and start-limit history.\n"
	EXIT_CODES;

static const char logs_help[] =
	"usage: sandboxctl logs UNIT [-n N] [-f]\n"
	"\n"
	"Prints the unit's output kept by PID 1 (stdout and stderr, one line each,\n"
	"with its UTC time), oldest first: all that is kept, or the last N lines.\n"
	"  -n, --lines N   only the last N lines (0: all)\n"
	"  -f, --follow    then keep printing new lines until interrupted; at most\n"
	"                  " CONTROL_MAX_FOLLOW_STR " followers at once, and a follower of a unit\n"
	"                  that reload removes ends\n" EXIT_CODES;

static const char reload_help[] =
	"usage: sandboxctl reload [UNIT]\n"
	"\n"
	"Without UNIT: re-reads the unit folder: new units start, removed units\n"
	"stop, changed units restart. Bad unit files are reported and the running\n"
	"set is kept.\n"
	"With UNIT (running): runs its ExecReload= commands in the service's\n"
	"namespaces and answers when they ended (at most 90 s; a failure is\n"
	"reported, the service keeps running), or, without ExecReload=, sends its\n"
	"ReloadSignal= (default SIGHUP) to its main process.\n"
	EXIT_CODES;

static const char kill_help[] =
	"usage: sandboxctl kill [-s SIG] [--kill-whom=main|all] UNIT\n"
	"\n"
	"Sends a signal to a running unit, as systemctl kill does:\n"
	"  -s, --signal=SIG   the signal: a name (TERM, SIGUSR1) or a number;\n"
	"                     default SIGTERM\n"
	"  --kill-whom=main   the service's main process (the default; with Init=\n"
	"                     the service, not the sandbox's reaper)\n"
	"  --kill-whom=all    every process of the unit (its cgroup)\n"
	"The unit's state changes only as the service reacts (an exit is an exit).\n"
	EXIT_CODES;

static const char poweroff_help[] =
	"usage: sandboxctl poweroff\n"
	"\n"
	"Stops every unit (dependants first), then powers the machine off.\n" EXIT_CODES;

static const char reboot_help[] =
	"usage: sandboxctl reboot\n"
	"\n"
	"Stops every unit (dependants first), then reboots the machine.\n" EXIT_CODES;

static const char halt_help[] =
	"usage: sandboxctl halt\n"
	"\n"
	"Stops every unit (dependants first), then halts the machine.\n" EXIT_CODES;

enum args { A_STATUS, A_UNIT, A_LOGS, A_NONE, A_RELOAD, A_KILL };

/* The client's own verbs: `status --json` is the status-json request. */
static const struct {
	enum control_verb verb;
	enum args args;
	const char *help;
} remote_verbs[] = {
	{ CTLV_STATUS, A_STATUS, status_help },
	{ CTLV_START, A_UNIT, start_help },
	{ CTLV_STOP, A_UNIT, stop_help },
	{ CTLV_RESTART, A_UNIT, restart_help },
	{ CTLV_RESET_FAILED, A_UNIT, reset_failed_help },
	{ CTLV_LOGS, A_LOGS, logs_help },
	{ CTLV_RELOAD, A_RELOAD, reload_help },
	{ CTLV_KILL, A_KILL, kill_help },
	{ CTLV_POWEROFF, A_NONE, poweroff_help },
	{ CTLV_REBOOT, A_NONE, reboot_help },
	{ CTLV_HALT, A_NONE, halt_help },
};

#define N_VERBS (sizeof remote_verbs / sizeof remote_verbs[0])

bool ctl_remote_handles(const char *verb)
{
	for (size_t i = 0; i < N_VERBS; i++)
		if (strcmp(verb, control_verb_word(remote_verbs[i].verb)) == 0)
			return true;
	return false;
}

#if CONFIG_CONTROL_SOCKET

#define REPLY_TIMEOUT_S 30
/* reload UNIT answers when ExecReload= ended: PID 1 bounds it at 90 s */
#define RELOAD_TIMEOUT_S 100

static int reply_timeout = REPLY_TIMEOUT_S;

static int usage(const char *verb, const char *fmt, const char *arg)
{
	fprintf(stderr, "sandboxctl: %s: ", verb);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'sandboxctl %s --help'.\n", verb);
	return CONTROL_BAD_REQUEST;
}

static bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static void set_timeout(int fd, int secs)
{
	struct timeval tv = { .tv_sec = secs };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int unreachable(const char *path, const char *what, int errnum)
{
	if (errnum)
		fprintf(stderr, "sandboxctl: cannot reach PID 1 at %s: %s\n", path, strerror(errnum));
	else
		fprintf(stderr, "sandboxctl: cannot reach PID 1 at %s: %s\n", path,
			what ? what : "unknown error");
	return CONTROL_UNREACHABLE;
}

/* Send one request, relay the reply; returns the exit status. */
static int talk(const char *req, bool follow)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[sizeof sa.sun_path], buf[8192];
	size_t have = 0;
	int fd, code = -1, out = STDOUT_FILENO, send_err = 0;

	if (control_socket_path(path, sizeof path) < 0) {
		fprintf(stderr, "sandboxctl: the control socket's path is too long "
				"(check $SANDBOXD_RUN_DIR)\n");
		return CONTROL_UNREACHABLE;
	}
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return unreachable(path, NULL, errno);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = errno;

		close(fd);
		return unreachable(path, NULL, err);
	}
	set_timeout(fd, reply_timeout);
	for (size_t off = 0, n = strlen(req); off < n;) {
		ssize_t k = send(fd, req + off, n - off, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			/* PID 1 may have answered and closed first (a refusal):
			 * its reply is still ours to read */
			send_err = k < 0 ? errno : EPIPE;
			break;
		}
		off += (size_t)k;
	}

	for (;;) {
		ssize_t k = recv(fd, buf + have, sizeof buf - have, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			close(fd);
			if (code < 0) {
				fprintf(stderr, "sandboxctl: cannot reach PID 1 at %s: no reply within %d s\n",
					path, reply_timeout);
				return CONTROL_UNREACHABLE;
			}
			fprintf(stderr, "sandboxctl: PID 1 stopped answering (%d s)\n", reply_timeout);
			return code ? code : CONTROL_FAILED;
		}
		if (k < 0) {
			int err = errno;

			close(fd);
			if (code < 0)
				return unreachable(path, NULL, err);
			fprintf(stderr, "sandboxctl: reading the reply: %s\n", strerror(err));
			return code ? code : CONTROL_FAILED;
		}
		if (k == 0)
			break;
		have += (size_t)k;
		if (code < 0) {
			char *nl = memchr(buf, '\n', have);
			char *end;
			long v;

			if (!nl) {
				if (have < 8)
					continue;
				close(fd);
				return unreachable(path, "the reply is not sandboxd's", 0);
			}
			*nl = '\0';
			v = strtol(buf, &end, 10);
			if (end == buf || *end || v < 0 || v > 255) {
				close(fd);
				return unreachable(path, "the reply is not sandboxd's", 0);
			}
			code = (int)v;
			out = code ? STDERR_FILENO : STDOUT_FILENO;
			if (follow)
				set_timeout(fd, 0);   /* new lines come when they come */
			size_t rest = have - (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, rest);
			have = rest;
		}
		if (have && wfile_write_all(out, buf, have) < 0) {
			close(fd);
			return code ? code : CONTROL_FAILED;
		}
		have = 0;
	}
	close(fd);
	if (code < 0 && send_err)
		return unreachable(path, NULL, send_err);
	if (code < 0)
		return unreachable(path, "it closed the connection without a reply", 0);
	return code;
}

static int unit_arg(const char *verb, const char *arg, char name[UNIT_NAME_MAX + 1])
{
	if (unit_name_normalize(arg, name) < 0)
		return usage(verb, "\"%s\" is not a unit name", arg);
	return 0;
}

static int remote_status(int argc, char **argv, const char *help)
{
	char name[UNIT_NAME_MAX + 1], req[128];
	const char *unit = NULL;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(help, stdout);
			return 0;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (argv[i][0] == '-') {
			return usage("status", "unknown option %s", argv[i]);
		} else if (unit) {
			return usage("status", "one unit at a time (got also %s)", argv[i]);
		} else {
			unit = argv[i];
		}
	}
	if (unit && unit_arg("status", unit, name))
		return CONTROL_BAD_REQUEST;
	snprintf(req, sizeof req, "%s%s%s\n",
		 control_verb_word(json ? CTLV_STATUS_JSON : CTLV_STATUS), unit ? " " : "",
		 unit ? name : "");
	return talk(req, false);
}

static int remote_unit(const char *verb, int argc, char **argv, const char *help)
{
	char name[UNIT_NAME_MAX + 1], req[128];
	const char *unit = NULL;

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(help, stdout);
			return 0;
		} else if (argv[i][0] == '-') {
			return usage(verb, "unknown option %s", argv[i]);
		} else if (unit) {
			return usage(verb, "one unit at a time (got also %s)", argv[i]);
		} else {
			unit = argv[i];
		}
	}
	if (!unit)
		return usage(verb, "which unit?%s", "");
	if (unit_arg(verb, unit, name))
		return CONTROL_BAD_REQUEST;
	snprintf(req, sizeof req, "%s %s\n", verb, name);
	return talk(req, false);
}

static bool parse_lines(const char *s, unsigned long *n)
{
	char *end;

	if (!*s || *s < '0' || *s > '9' || strlen(s) > 9)
		return false;
	*n = strtoul(s, &end, 10);
	return *end == '\0';
}

static int remote_logs(int argc, char **argv, const char *help)
{
	char name[UNIT_NAME_MAX + 1], req[128];
	const char *unit = NULL, *val;
	unsigned long lines = 0;
	bool follow = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (is_help(a)) {
			fputs(help, stdout);
			return 0;
		} else if (strcmp(a, "-f") == 0 || strcmp(a, "--follow") == 0) {
			follow = true;
		} else if (strcmp(a, "-n") == 0 || strcmp(a, "--lines") == 0 ||
			   strncmp(a, "--lines=", 8) == 0 || (strncmp(a, "-n", 2) == 0 && a[2])) {
			if (strcmp(a, "-n") == 0 || strcmp(a, "--lines") == 0) {
				if (++i == argc)
					return usage("logs", "%s needs a number of lines", a);
				val = argv[i];
			} else {
				val = a[1] == 'n' ? a + 2 : a + 8;
			}
			if (!parse_lines(val, &lines))
				return usage("logs", "\"%s\" is not a number of lines", val);
		} else if (a[0] == '-') {
			return usage("logs", "unknown option %s", a);
		} else if (unit) {
			return usage("logs", "one unit at a time (got also %s)", a);
		} else {
			unit = a;
		}
	}
	if (!unit)
		return usage("logs", "which unit?%s", "");
	if (unit_arg("logs", unit, name))
		return CONTROL_BAD_REQUEST;
	snprintf(req, sizeof req, "%s %s %lu %d\n", control_verb_word(CTLV_LOGS), name, lines,
		 follow ? 1 : 0);
	return talk(req, follow);
}

static int remote_reload(int argc, char **argv, const char *help)
{
	char name[UNIT_NAME_MAX + 1], req[128];
	const char *unit = NULL, *verb = control_verb_word(CTLV_RELOAD);

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(help, stdout);
			return 0;
		} else if (argv[i][0] == '-') {
			return usage(verb, "unknown option %s", argv[i]);
		} else if (unit) {
			return usage(verb, "one unit at a time (got also %s)", argv[i]);
		} else {
			unit = argv[i];
		}
	}
	if (unit && unit_arg(verb, unit, name))
		return CONTROL_BAD_REQUEST;
	if (unit)
		reply_timeout = RELOAD_TIMEOUT_S;
	snprintf(req, sizeof req, "%s%s%s\n", verb, unit ? " " : "", unit ? name : "");
	return talk(req, false);
}

static int remote_kill(int argc, char **argv, const char *help)
{
	char name[UNIT_NAME_MAX + 1], req[128];
	const char *unit = NULL, *whom = "main", *verb = control_verb_word(CTLV_KILL), *val;
	int sig = SIGTERM;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (is_help(a)) {
			fputs(help, stdout);
			return 0;
		} else if (strcmp(a, "-s") == 0 || strcmp(a, "--signal") == 0 ||
			   strncmp(a, "--signal=", 9) == 0 || (strncmp(a, "-s", 2) == 0 && a[2])) {
			if (strcmp(a, "-s") == 0 || strcmp(a, "--signal") == 0) {
				if (++i == argc)
					return usage(verb, "%s needs a signal", a);
				val = argv[i];
			} else {
				val = a[1] == 's' ? a + 2 : a + 9;
			}
			if (parse_signal(val, &sig) < 0 || sig < 1 || sig > 64)
				return usage(verb, "\"%s\" is not a signal", val);
		} else if (strncmp(a, "--kill-whom=", 12) == 0) {
			whom = a + 12;
			if (strcmp(whom, "main") != 0 && strcmp(whom, "all") != 0)
				return usage(verb, "--kill-whom is main or all, not \"%s\"", whom);
		} else if (a[0] == '-') {
			return usage(verb, "unknown option %s", a);
		} else if (unit) {
			return usage(verb, "one unit at a time (got also %s)", a);
		} else {
			unit = a;
		}
	}
	if (!unit)
		return usage(verb, "which unit?%s", "");
	if (unit_arg(verb, unit, name))
		return CONTROL_BAD_REQUEST;
	snprintf(req, sizeof req, "%s %s %d %s\n", verb, name, sig, whom);
	return talk(req, false);
}

static int remote_none(const char *verb, int argc, char **argv, const char *help)
{
	char req[32];

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(help, stdout);
			return 0;
		}
		if (argv[i][0] == '-')
			return usage(verb, "unknown option %s", argv[i]);
		return usage(verb, "takes no argument (got %s)", argv[i]);
	}
	snprintf(req, sizeof req, "%s\n", verb);
	return talk(req, false);
}

int ctl_remote(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < N_VERBS; i++)
		if (argc > 0 && strcmp(argv[0], control_verb_word(remote_verbs[i].verb)) == 0)
			break;
	if (i == N_VERBS) {
		fprintf(stderr, "sandboxctl: unknown command \"%s\"\n", argc > 0 ? argv[0] : "");
		return CONTROL_BAD_REQUEST;
	}
	switch (remote_verbs[i].args) {
	case A_STATUS:
		return remote_status(argc, argv, remote_verbs[i].help);
	case A_UNIT:
		return remote_unit(control_verb_word(remote_verbs[i].verb), argc, argv,
				   remote_verbs[i].help);
	case A_LOGS:
		return remote_logs(argc, argv, remote_verbs[i].help);
	case A_NONE:
		return remote_none(control_verb_word(remote_verbs[i].verb), argc, argv,
				   remote_verbs[i].help);
	case A_RELOAD:
		return remote_reload(argc, argv, remote_verbs[i].help);
	case A_KILL:
		return remote_kill(argc, argv, remote_verbs[i].help);
	}
	return CONTROL_BAD_REQUEST;
}

#else /* !CONFIG_CONTROL_SOCKET */

int ctl_remote(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "sandboxctl: this build has no control socket (CONFIG_CONTROL_SOCKET)\n");
	return 2;
}

#endif
