/* The one error convention of sandboxd (see docs/ERRORS.md).
 *
 * A fallible function takes `struct err *` last and returns < 0 on failure
 * after filling it with err_set(): what was being done, the path or unit,
 * and the errno (0 when the failure is not a syscall's). Outer layers add
 * context with err_wrap(). The record is fixed-size and never allocates, so
 * PID 1 can report errors under memory pressure.
 */
#ifndef SBX_ERR_H
#define SBX_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 512

struct err {
	int errnum;             /* errno of the failing syscall, 0 if none */
	char msg[ERR_MSG_MAX];  /* "what was being done: detail" */
};

/* Fill *e and return -1. errnum 0 means "not a syscall failure". */
int err_set(struct err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the message with more context ("web: " + msg); returns -1. */
int err_wrap(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "msg: strerror(errnum)" or just "msg" into buf; returns buf. */
const char *err_str(const struct err *e, char *buf, size_t len);

/* Print "PROG: msg[: strerror]" to stderr. */
void err_print(const char *prog, const struct err *e);

#endif
