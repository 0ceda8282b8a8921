#include "values.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "spec.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits at *p into *out, advancing *p; -1 on no digits or overflow. */
static int take_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (!is_digit(*s))
		return -1;
	for (; is_digit(*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return 0;
}

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v;

	if (take_u64(&s, &v) < 0 || *s)
		return -1;
	*out = v;
	return 0;
}

int parse_long_range(const char *s, long min, long max, long *out)
{
	bool neg = *s == '-';
	uint64_t v;

	if (neg || *s == '+')
		s++;
	if (take_u64(&s, &v) < 0 || *s || v > (uint64_t)LONG_MAX)
		return -1;
	long l = neg ? -(long)v : (long)v;
	if (l < min || l > max)
		return -1;
	*out = l;
	return 0;
}

/* Integer part and up to three fractional digits, scaled by 1000. */
static int take_milli(const char **p, uint64_t *out)
{
	uint64_t whole, frac = 0;
	int scale = 1000;

	if (take_u64(p, &whole) < 0 || whole > UINT64_MAX / 1000)
		return -1;
	if (**p == '.') {
		(*p)++;
		if (!is_digit(**p))
			return -1;
		for (; is_digit(**p); (*p)++) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(**p - '0') * (uint64_t)scale;
			}
		}
	}
	*out = whole * 1000 + frac;
	return 0;
}

int parse_duration_ms(const char *s, uint64_t *ms)
{
	static const struct { const char *unit; uint64_t ms; } units[] = {
		{ "ms", 1 }, { "msec", 1 },
		{ "s", 1000 }, { "sec", 1000 }, { "second", 1000 }, { "seconds", 1000 },
		{ "m", 60000 }, { "min", 60000 }, { "minute", 60000 }, { "minutes", 60000 },
		{ "h", 3600000 }, { "hr", 3600000 }, { "hour", 3600000 }, { "hours", 3600000 },
		{ "d", 86400000 }, { "day", 86400000 }, { "days", 86400000 },
	};
	uint64_t total = 0;
	bool any = false;

	while (*s) {
		uint64_t milli, per_unit_ms = 1000;
		const char *u;
		size_t ulen;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (take_milli(&s, &milli) < 0)
			return -1;
		u = s;
		while (*s >= 'a' && *s <= 'z')
			s++;
		ulen = (size_t)(s - u);
		if (ulen) {
			size_t i;

			for (i = 0; i < ARRAY_LEN(units); i++)
				if (strlen(units[i].unit) == ulen && strncmp(units[i].unit, u, ulen) == 0)
					break;
			if (i == ARRAY_LEN(units))
				return -1;
			per_unit_ms = units[i].ms;
		} else if (any) {
			return -1;   /* "1min 30" is ambiguous */
		}
		/* milli is the value x1000; scale to ms without overflow */
		if (per_unit_ms && milli > UINT64_MAX / per_unit_ms)
			return -1;
		uint64_t part = milli * per_unit_ms / 1000;
		if (total > UINT64_MAX - part)
			return -1;
		total += part;
		any = true;
	}
	if (!any)
		return -1;
	*ms = total;
	return 0;
}

int parse_size(const char *s, uint64_t *bytes)
{
	uint64_t v, mul = 1;

	if (strcmp(s, "infinity") == 0) {
		*bytes = LIMIT_INFINITY;
		return 0;
	}
	if (take_u64(&s, &v) < 0)
		return -1;
	switch (*s) {
	case 'T': mul <<= 10; /* fall through */
	case 'G': mul <<= 10; /* fall through */
	case 'M': mul <<= 10; /* fall through */
	case 'K': mul <<= 10; s++; break;
	case '\0': break;
	default: return -1;
	}
	if (*s || (mul > 1 && v > UINT64_MAX / mul))
		return -1;
	v *= mul;
	if (v == LIMIT_INFINITY)
		return -1;
	*bytes = v;
	return 0;
}

int parse_percent_permyriad(const char *s, uint64_t *out)
{
	uint64_t whole, frac = 0;

	if (take_u64(&s, &whole) < 0 || whole > UINT64_MAX / 100 - 1)
		return -1;
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return -1;
		frac = (uint64_t)(*s++ - '0') * 10;
		if (is_digit(*s))
			frac += (uint64_t)(*s++ - '0');
		if (is_digit(*s))
			return -1;   /* finer than 0.01% is not representable */
	}
	if (strcmp(s, "%") != 0)
		return -1;
	*out = whole * 100 + frac;
	return 0;
}

int parse_octal_mode(const char *s, mode_t *out)
{
	unsigned v = 0;

	if (!*s || strlen(s) > 4)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		v = v * 8 + (unsigned)(*s - '0');
	}
	if (v > 0777)
		return -1;
	*out = (mode_t)v;
	return 0;
}

int parse_cpu_list(const char *s)
{
	if (!*s)
		return -1;
	for (;;) {
		uint64_t lo, hi;

		if (take_u64(&s, &lo) < 0 || lo > 4095)
			return -1;
		if (*s == '-') {
			s++;
			if (take_u64(&s, &hi) < 0 || hi < lo || hi > 4095)
				return -1;
		}
		if (!*s)
			return 0;
		if (*s++ != ',')
			return -1;
	}
}

static const struct { const char *name; int num; } signals[] = {
	{ "SIGHUP", SIGHUP }, { "SIGINT", SIGINT }, { "SIGQUIT", SIGQUIT },
	{ "SIGILL", SIGILL }, { "SIGTRAP", SIGTRAP }, { "SIGABRT", SIGABRT },
	{ "SIGBUS", SIGBUS }, { "SIGFPE", SIGFPE }, { "SIGKILL", SIGKILL },
	{ "SIGUSR1", SIGUSR1 }, { "SIGSEGV", SIGSEGV }, { "SIGUSR2", SIGUSR2 },
	{ "SIGPIPE", SIGPIPE }, { "SIGALRM", SIGALRM }, { "SIGTERM", SIGTERM },
	{ "SIGSTKFLT", SIGSTKFLT }, { "SIGCHLD", SIGCHLD }, { "SIGCONT", SIGCONT },
	{ "SIGSTOP", SIGSTOP }, { "SIGTSTP", SIGTSTP }, { "SIGTTIN", SIGTTIN },
	{ "SIGTTOU", SIGTTOU }, { "SIGURG", SIGURG }, { "SIGXCPU", SIGXCPU },
	{ "SIGXFSZ", SIGXFSZ }, { "SIGVTALRM", SIGVTALRM }, { "SIGPROF", SIGPROF },
	{ "SIGWINCH", SIGWINCH }, { "SIGIO", SIGIO }, { "SIGPWR", SIGPWR },
	{ "SIGSYS", SIGSYS },
};

int parse_signal(const char *s, int *sig)
{
	uint64_t n;

	if (is_digit(*s)) {
		if (parse_u64(s, &n) < 0 || n < 1 || n > 64)
			return -1;
		*sig = (int)n;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(signals); i++) {
		if (strcmp(s, signals[i].name) == 0 || strcmp(s, signals[i].name + 3) == 0) {
			*sig = signals[i].num;
			return 0;
		}
	}
	return -1;
}

const char *signal_name(int sig)
{
	for (size_t i = 0; i < ARRAY_LEN(signals); i++)
		if (signals[i].num == sig)
			return signals[i].name;
	return NULL;
}

#define E(x) { #x, x }
static const struct { const char *name; int num; } errnos[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR),
	E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(ETXTBSY),
	E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE),
	E(EDOM), E(ERANGE), E(ENOSYS), E(ENOTSUP), E(EOPNOTSUPP), E(ELOOP),
	E(ENAMETOOLONG), E(ENOTEMPTY), E(EPROTONOSUPPORT), E(EAFNOSUPPORT),
	E(EADDRINUSE), E(ECONNREFUSED), E(ETIMEDOUT), E(ENOTCONN), E(ECANCELED),
};
#undef E

int parse_errno_name(const char *s, int *err)
{
	for (size_t i = 0; i < ARRAY_LEN(errnos); i++) {
		if (strcmp(s, errnos[i].name) == 0) {
			*err = errnos[i].num;
			return 0;
		}
	}
	return -1;
}

const char *errno_name(int err)
{
	for (size_t i = 0; i < ARRAY_LEN(errnos); i++)
		if (errnos[i].num == err)
			return errnos[i].name;
	return NULL;
}
