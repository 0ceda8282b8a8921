#include "control_proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config.h"

static const struct {
	const char *word;
	enum control_args args;
} verbs[CTLV_COUNT] = {
	[CTLV_STATUS] = { "status", CONTROL_ARGS_UNIT_OPT },
	[CTLV_STATUS_JSON] = { "status-json", CONTROL_ARGS_UNIT_OPT },
	[CTLV_START] = { "start", CONTROL_ARGS_UNIT },
	[CTLV_STOP] = { "stop", CONTROL_ARGS_UNIT },
	[CTLV_RESTART] = { "restart", CONTROL_ARGS_UNIT },
	[CTLV_RESET_FAILED] = { "reset-failed", CONTROL_ARGS_UNIT },
	[CTLV_LOGS] = { "logs", CONTROL_ARGS_LOGS },
	[CTLV_RELOAD] = { "reload", CONTROL_ARGS_UNIT_OPT },
	[CTLV_POWEROFF] = { "poweroff", CONTROL_ARGS_NONE },
	[CTLV_REBOOT] = { "reboot", CONTROL_ARGS_NONE },
	[CTLV_HALT] = { "halt", CONTROL_ARGS_NONE },
	[CTLV_KILL] = { "kill", CONTROL_ARGS_KILL },
};

const char *control_verb_word(enum control_verb v)
{
	return (unsigned)v < CTLV_COUNT ? verbs[v].word : NULL;
}

enum control_args control_verb_args(enum control_verb v)
{
	return (unsigned)v < CTLV_COUNT ? verbs[v].args : CONTROL_ARGS_NONE;
}

int control_verb_find(const char *w, size_t n)
{
	for (int i = 0; i < CTLV_COUNT; i++)
		if (strlen(verbs[i].word) == n && memcmp(verbs[i].word, w, n) == 0)
			return i;
	return -1;
}

int control_socket_path(char *buf, size_t len)
{
	const char *dir = getenv("SANDBOXD_RUN_DIR");
	struct sockaddr_un sa;
	int n;

	if (!dir || !*dir)
		dir = CONFIG_RUN_DIR;
	n = snprintf(buf, len, "%s/%s", dir, CONTROL_SOCK_NAME);
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof sa.sun_path)
		return -1;
	return 0;
}
