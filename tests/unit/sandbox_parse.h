/* For the seccomp tests: a unit whose [Sandbox] section is the given text,
 * parsed as PID 1 parses it, with its error messages in msgs and its notes
 * in notes (both cleared by each parse). One copy per test program. */
#ifndef SBX_TEST_SANDBOX_PARSE_H
#define SBX_TEST_SANDBOX_PARSE_H

#include <stdio.h>
#include <string.h>

#include "../../config/diag.h"
#include "../../config/unit.h"

static char msgs[16384], notes[16384];

static void collect(void *ctx, const char *msg)
{
	char *buf = ctx ? notes : msgs;
	size_t n = strlen(buf);

	snprintf(buf + n, sizeof msgs - n, "%s\n", msg);
}

static void collect_note(void *ctx, const char *msg)
{
	(void)ctx;
	collect(notes, msg);
}

static struct diag d = { .emit = collect, .note = collect_note };

static struct spec *parse(const char *sandbox)
{
	static char text[16384];

	snprintf(text, sizeof text, "[Service]\nExecStart=/bin/true\n[Sandbox]\n%s", sandbox);
	msgs[0] = notes[0] = '\0';
	d.count = 0;
	return unit_parse_text("web", "web.unit", text, &d);
}

#endif
