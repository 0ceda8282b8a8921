/* Exact little parsers for the kernel's text files (procfs, cgroupfs,
 * mountinfo), in place of sscanf(): musl's scanf links its float scanner
 * (about 10 KiB, and on aarch64 the long-double soft-float helpers), and
 * its %llu takes "-1" as 2^64 - 1 and saturates on overflow without a word.
 * Blanks are scanf's white space (space, \t, \n, \v, \f, \r). */
#ifndef SBX_SCAN_H
#define SBX_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The unsigned decimal at *s after blanks: true with *v and *s just past
 * its last digit. False, *s and *v untouched, when no digit comes first
 * (a sign is no digit) or the number does not fit 64 bits. */
bool scan_u64(const char **s, uint64_t *v);

/* Does a word end at p (a blank or the end of the text)? For numbers that
 * must be the whole word: "12abc" is no number. */
bool scan_word_end(const char *p);

/* Past n blank-separated words of s (and the blanks before them); NULL
 * when s has fewer than n words. */
const char *scan_skip(const char *s, unsigned n);

/* The next blank-separated word of *s into out, NUL-terminated and cut to
 * size - 1 bytes (like %Ns; size > 0); *s moves past the whole word.
 * Returns the whole word's length (more than size - 1 when it was cut),
 * 0 when no word is left. */
size_t scan_word(const char **s, char *out, size_t size);

/* One line of /proc/PID/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT
 * OPTIONS [TAGS...] - TYPE SOURCE OPTIONS". */
struct scan_mount {
	long id, parent;
	char mp[256];    /* unescaped; a longer one is cut to 255 bytes (as
			  * sscanf's %255s did): no caller takes one that long */
	char type[64];
};

/* True with m filled when line has the ids, a mount point and a type
 * after " - "; false for any other text (a line is skipped, never half
 * read). */
bool scan_mountinfo_line(const char *line, struct scan_mount *m);

#endif
