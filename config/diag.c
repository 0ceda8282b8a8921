#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

void diag_at(struct diag *d, const char *file, int line, const char *section,
	     const char *key, const char *fmt, ...)
{
	char what[DIAG_MSG_MAX], msg[DIAG_MSG_MAX + 256];
	va_list ap;
	int n = 0;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);

	if (file && line > 0)
		n = snprintf(msg, sizeof msg, "%s:%d: ", file, line);
	else if (file)
		n = snprintf(msg, sizeof msg, "%s: ", file);
	if (n < 0 || (size_t)n >= sizeof msg)
		n = 0;
	if (section && key)
		snprintf(msg + n, sizeof msg - (size_t)n, "[%s] %s: %s", section, key, what);
	else if (section)
		snprintf(msg + n, sizeof msg - (size_t)n, "[%s]: %s", section, what);
	else if (key)
		snprintf(msg + n, sizeof msg - (size_t)n, "%s: %s", key, what);
	else
		snprintf(msg + n, sizeof msg - (size_t)n, "%s", what);

	d->count++;
	if (d->emit)
		d->emit(d->ctx, msg);
}

void diag_to_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	dprintf(STDERR_FILENO, "%s\n", msg);
}
