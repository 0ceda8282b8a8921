/* The printf engine: see fmt.h for what it formats and why it exists. */
#include "fmt.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

enum { F_LEFT = 1, F_PLUS = 2, F_SPACE = 4, F_ALT = 8, F_ZERO = 16 };
enum { L_NONE, L_HH, L_H, L_L, L_LL, L_J, L_Z, L_T, L_BIG_L };

/* The output goes through a small buffer, so that a message reaches an
 * unbuffered stream (stderr, the console) in one write, as musl's
 * vfprintf gives it one: pieces longer than the buffer go out whole. */
struct out {
	FILE *f;
	size_t len;       /* bytes waiting in buf */
	size_t total;     /* bytes formatted so far */
	bool failed;      /* a write to f came short */
	int err;          /* errno at the start, for %m */
	char buf[256];
};

static void flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->failed = true;
	o->len = 0;
}

static void put(struct out *o, const char *s, size_t n)
{
	o->total += n;
	if (n > sizeof o->buf - o->len) {
		flush(o);
		if (n >= sizeof o->buf) {
			if (fwrite(s, 1, n, o->f) != n)
				o->failed = true;
			return;
		}
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* n copies of c (n <= 0: none) */
static void pad(struct out *o, char c, long n)
{
	char run[32];

	memset(run, c, sizeof run);
	for (; n > 0; n -= (long)sizeof run)
		put(o, run, n < (long)sizeof run ? (size_t)n : sizeof run);
}

/* spec: the flags, width and precision (-1: none) of one conversion;
 * digits: the least number of digits (the precision, or %p's own) */
struct spec {
	unsigned fl;
	int width, prec, digits;
};

/* text of n bytes after a prefix of pl bytes and zeros '0's, padded to the
 * width: spaces before it, or after it for '-' */
static void field(struct out *o, const struct spec *sp, const char *prefix, size_t pl,
		  long zeros, const char *text, size_t n)
{
	long fill = (long)sp->width - (long)(pl + n) - (zeros > 0 ? zeros : 0);

	if (!(sp->fl & F_LEFT))
		pad(o, ' ', fill);
	put(o, prefix, pl);
	pad(o, '0', zeros);
	put(o, text, n);
	if (sp->fl & F_LEFT)
		pad(o, ' ', fill);
}

/* An integer conversion of magnitude v (neg: it was negative). */
static void integer(struct out *o, struct spec sp, uintmax_t v, bool neg, char conv)
{
	char digits[3 * sizeof v], *end = digits + sizeof digits, *d = end;
	const char *xdigits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = conv == 'o' ? 8 : conv == 'x' || conv == 'X' ? 16 : 10;
	char prefix[2];
	size_t pl = 0;

	for (uintmax_t x = v; x; x /= base)
		*--d = xdigits[x % base];
	size_t nd = (size_t)(end - d);
	long prec = sp.digits < 0 ? 1 : sp.digits;
	if (v == 0 && prec > 0)   /* a 0 has its digit, unless precision 0 */
		*--d = '0', nd = 1;
	/* '#' with o: the first digit is a 0 */
	if (base == 8 && (sp.fl & F_ALT) && (nd == 0 || *d != '0') && prec <= (long)nd)
		prec = (long)nd + 1;
	if (neg)
		prefix[pl++] = '-';
	else if (conv == 'd' && (sp.fl & F_PLUS))
		prefix[pl++] = '+';
	else if (conv == 'd' && (sp.fl & F_SPACE))
		prefix[pl++] = ' ';
	if (base == 16 && (sp.fl & F_ALT) && v)
		prefix[pl++] = '0', prefix[pl++] = conv;
	long zeros = prec - (long)nd;
	/* '0' pads to the width, unless '-' or a precision says otherwise */
	if ((sp.fl & F_ZERO) && !(sp.fl & F_LEFT) && sp.prec < 0) {
		long room = (long)sp.width - (long)(pl + nd);
		if (room > zeros)
			zeros = room;
	}
	field(o, &sp, prefix, pl, zeros, d, nd);
}

/* A width or precision of digits at *s; false when it passes INT_MAX. */
static bool number(const char **s, int *v)
{
	long n = 0;

	for (; **s >= '0' && **s <= '9'; (*s)++) {
		n = n * 10 + (**s - '0');
		if (n > INT_MAX)
			return false;
	}
	*v = (int)n;
	return true;
}

/* One conversion after its '%' (at *s, moved past it); false with errno
 * for one it does not make. */
static bool convert(struct out *o, const char **s, va_list *ap)
{
	struct spec sp = { 0, 0, -1, -1 };
	const char *flags = "-+ #0", *c;
	int len = L_NONE;

	while (**s && (c = strchr(flags, **s)))
		sp.fl |= 1u << (c - flags), (*s)++;
	if (**s == '*') {
		(*s)++;
		sp.width = va_arg(*ap, int);
		if (sp.width < 0) {
			if (sp.width == INT_MIN)
				return errno = EOVERFLOW, false;
			sp.fl |= F_LEFT, sp.width = -sp.width;
		}
	} else if (!number(s, &sp.width)) {
		return errno = EOVERFLOW, false;
	}
	if (**s == '.') {
		(*s)++;
		if (**s == '*') {
			(*s)++;
			sp.prec = va_arg(*ap, int);
			if (sp.prec < 0)
				sp.prec = -1;   /* a negative one is none */
		} else if (!number(s, &sp.prec)) {
			return errno = EOVERFLOW, false;
		}
	}
	sp.digits = sp.prec;
	switch (**s) {
	case 'h': len = (*s)[1] == 'h' ? ((*s)++, L_HH) : L_H; (*s)++; break;
	case 'l': len = (*s)[1] == 'l' ? ((*s)++, L_LL) : L_L; (*s)++; break;
	case 'j': len = L_J; (*s)++; break;
	case 'z': len = L_Z; (*s)++; break;
	case 't': len = L_T; (*s)++; break;
	case 'L': len = L_BIG_L; (*s)++; break;
	}
	char conv = **s;
	if (conv)
		(*s)++;
	switch (conv) {
	case 'd': case 'i': {
		intmax_t v;
		switch (len) {
		case L_HH: v = (signed char)va_arg(*ap, int); break;
		case L_H: v = (short)va_arg(*ap, int); break;
		case L_L: v = va_arg(*ap, long); break;
		case L_LL: v = va_arg(*ap, long long); break;
		case L_J: v = va_arg(*ap, intmax_t); break;
		case L_Z: v = va_arg(*ap, ssize_t); break;
		case L_T: v = va_arg(*ap, ptrdiff_t); break;
		default: v = va_arg(*ap, int); break;
		}
		integer(o, sp, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0, 'd');
		return true;
	}
	case 'u': case 'o': case 'x': case 'X': {
		uintmax_t v;
		switch (len) {
		case L_HH: v = (unsigned char)va_arg(*ap, unsigned); break;
		case L_H: v = (unsigned short)va_arg(*ap, unsigned); break;
		case L_L: v = va_arg(*ap, unsigned long); break;
		case L_LL: v = va_arg(*ap, unsigned long long); break;
		case L_J: v = va_arg(*ap, uintmax_t); break;
		case L_Z: v = va_arg(*ap, size_t); break;
		case L_T: v = (uintmax_t)va_arg(*ap, ptrdiff_t); break;
		default: v = va_arg(*ap, unsigned); break;
		}
		integer(o, sp, v, false, conv);
		return true;
	}
	case 'p': {
		uintptr_t v = (uintptr_t)va_arg(*ap, void *);
		sp.digits = sp.prec > (int)(2 * sizeof(void *)) ? sp.prec : (int)(2 * sizeof(void *));
		sp.fl |= F_ALT;
		integer(o, sp, v, false, 'x');
		return true;
	}
	case 'c': {
		if (len != L_NONE)
			break;
		char ch = (char)va_arg(*ap, int);
		field(o, &sp, "", 0, 0, &ch, 1);
		return true;
	}
	case 'm': case 's': {
		if (len != L_NONE)
			break;
		const char *str = conv == 'm' ? strerror(o->err) : va_arg(*ap, const char *);
		if (!str)
			str = "(null)";
		size_t n = sp.prec < 0 ? strlen(str) : strnlen(str, (size_t)sp.prec);
		field(o, &sp, "", 0, 0, str, n);
		return true;
	}
	case 'n': {
		/* the count so far, which fits an int (checked as it grows) */
		int n = (int)o->total;
		switch (len) {
		case L_HH: *va_arg(*ap, signed char *) = (signed char)n; break;
		case L_H: *va_arg(*ap, short *) = (short)n; break;
		case L_L: *va_arg(*ap, long *) = n; break;
		case L_LL: *va_arg(*ap, long long *) = n; break;
		case L_J: *va_arg(*ap, intmax_t *) = n; break;
		case L_Z: *va_arg(*ap, ssize_t *) = n; break;
		case L_T: *va_arg(*ap, ptrdiff_t *) = n; break;
		default: *va_arg(*ap, int *) = n; break;
		}
		return true;
	}
	case '%':
		put(o, "%", 1);
		return true;
	}
	return errno = EINVAL, false;
}

int fmt_vfprintf(FILE *restrict f, const char *restrict format, va_list ap)
{
	struct out o = { .f = f, .err = errno };
	const char *fmt = format;
	va_list args;
	bool ok = true;

	va_copy(args, ap);
	while (*fmt && ok) {
		const char *pct = strchrnul(fmt, '%');
		put(&o, fmt, (size_t)(pct - fmt));
		fmt = pct;
		if (*fmt == '%') {
			fmt++;
			ok = convert(&o, &fmt, &args);
		}
		if (o.total > INT_MAX) {
			errno = EOVERFLOW;
			ok = false;
		}
	}
	va_end(args);
	flush(&o);
	return ok && !o.failed ? (int)o.total : -1;
}

/* musl's own is never linked (fmt.h). glibc's printf functions do not go
 * through vfprintf, so the sanitizer builds keep theirs. */
#ifndef __GLIBC__
int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	return fmt_vfprintf(f, fmt, ap);
}
#endif
