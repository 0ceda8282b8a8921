/* sandboxd's own printf engine. In the static musl build lib/fmt.c
 * defines vfprintf(), so musl's is never linked: every printf-family call
 * (snprintf, dprintf, fprintf, ...) of sandboxd and of the libraries
 * comes here. musl's vfprintf carries the floating-point formatter, which
 * works in long double: on aarch64 that links libgcc's soft quad-float
 * routines too; the two are 15 to 21 KB of a binary that formats no
 * floating-point number (docs/BUILD.md, "Size").
 *
 * What it formats, as C17 says: the flags - + space # 0, a width and a
 * precision (digits or *), the lengths hh h l ll j z t, and the conversions
 * d i u o x X c s p n %, and %m (strerror(errno), as musl's and glibc's).
 * musl's choices where C leaves them open: %s of NULL is "(null)", %p is
 * 0x and at least as many hex digits as a pointer has (NULL: all zeros, no
 * 0x). A floating-point conversion (f F e E g G a A), %lc, %ls or an
 * unknown one is refused, as musl refuses an invalid one: -1 with errno
 * EINVAL, after the text before it. */
#ifndef SBX_FMT_H
#define SBX_FMT_H

#include <stdarg.h>
#include <stdio.h>

/* vfprintf(f, fmt, ap): the count of bytes formatted (all of them, also
 * when f is vsnprintf's string that keeps fewer), or -1 with errno
 * (EINVAL: a conversion it does not make; EOVERFLOW: more than INT_MAX
 * bytes) or when writing to f failed. */
int fmt_vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
