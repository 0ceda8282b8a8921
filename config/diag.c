#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void format(char *msg, size_t size, const char *file, int line, const char *section,
		   const char *key, const char *what)
{
	int n = 0;

	if (file && line > 0)
		n = snprintf(msg, size, "%s:%d: ", file, line);
	else if (file)
		n = snprintf(msg, size, "%s: ", file);
	if (n < 0 || (size_t)n >= size)
		n = 0;
	if (section && key)
		snprintf(msg + n, size - (size_t)n, "[%s] %s: %s", section, key, what);
	else if (section)
		snprintf(msg + n, size - (size_t)n, "[%s]: %s", section, what);
	else if (key)
		snprintf(msg + n, size - (size_t)n, "%s: %s", key, what);
	else
		snprintf(msg + n, size - (size_t)n, "%s", what);
}

void diag_at(struct diag *d, const char *file, int line, const char *section,
	     const char *key, const char *fmt, ...)
{
	char what[DIAG_MSG_MAX], msg[DIAG_MSG_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	format(msg, sizeof msg, file, line, section, key, what);
	d->count++;
	if (d->emit)
		d->emit(d->ctx, msg);
}

void diag_note(struct diag *d, const char *file, int line, const char *section,
	       const char *key, const char *fmt, ...)
{
	char what[DIAG_MSG_MAX], msg[DIAG_MSG_MAX + 256];
	va_list ap;

	if (!d->note)
		return;
	memcpy(what, "note: ", 6);
	va_start(ap, fmt);
	vsnprintf(what + 6, sizeof what - 6, fmt, ap);
	va_end(ap);
	format(msg, sizeof msg, file, line, section, key, what);
	d->note(d->ctx, msg);
}

void diag_to_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	dprintf(STDERR_FILENO, "%s\n", msg);
}
