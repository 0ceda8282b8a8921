/* UTF-8, as the JSON writer and the log escaping need it. */
#ifndef SBX_UTF8_H
#define SBX_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes, n >= 1): 1 to
 * 4, or 0 when it is not one (overlong forms, surrogates and code points
 * past U+10FFFF included). */
size_t utf8_seq(const unsigned char *s, size_t n);

#endif
