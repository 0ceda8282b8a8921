#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int err_set(struct err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	e->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int err_wrap(struct err *e, const char *fmt, ...)
{
	char prefix[ERR_MSG_MAX], old[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	/* truncation is acceptable: the record is bounded by design */
	size_t n = strnlen(prefix, sizeof prefix - 1);
	memcpy(e->msg, prefix, n);
	size_t rest = strnlen(old, sizeof old - 1);
	if (rest > sizeof e->msg - 1 - n)
		rest = sizeof e->msg - 1 - n;
	memcpy(e->msg + n, old, rest);
	e->msg[n + rest] = '\0';
	return -1;
}

const char *err_str(const struct err *e, char *buf, size_t len)
{
	if (e->errnum)
		snprintf(buf, len, "%s: %s", e->msg, strerror(e->errnum));
	else
		snprintf(buf, len, "%s", e->msg);
	return buf;
}

void err_print(const char *prog, const struct err *e)
{
	char buf[ERR_MSG_MAX + 128];

	dprintf(STDERR_FILENO, "%s: %s\n", prog, err_str(e, buf, sizeof buf));
}
