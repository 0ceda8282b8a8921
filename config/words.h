/* Splitting a value into words, shell-like but without a shell: words
 * are separated by blanks; '...' is literal; "..." and bare words take
 * backslash escapes (\\ \" \' \n \t \r \xHH, "\ " for a blank). */
#ifndef SBX_WORDS_H
#define SBX_WORDS_H

#include "spec.h"

/* Append the words of text to sv, at most max of them (more is an error,
 * found before they are all copied). Returns 0, or -1 with *why set to a
 * static description of the problem (why == "out of memory" on ENOMEM). */
int words_split(struct arena *a, const char *text, size_t max, struct strv *sv,
		const char **why);

#endif
