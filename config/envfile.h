/* EnvironmentFile= contents: systemd's format, parsed without allocation
 * so that the launch child (which reads the file, never PID 1) can call it
 * between fork and exec.
 *
 *   KEY=VALUE lines; blank lines, lines starting with # or ; and lines
 *   without "=" are ignored; blanks around the key and before the value
 *   are dropped; an unquoted value keeps its inner blanks, loses trailing
 *   ones, takes "\c" as c and "\<newline>" as a continuation; '...' is
 *   literal (newlines too); "..." unescapes \" \\ \` \$ and
 *   \<newline>, keeps any other backslash. No "export ", no expansion. */
#ifndef SBX_ENVFILE_H
#define SBX_ENVFILE_H

#include <stddef.h>

/* One assignment, KEY=VALUE, is at most this long: longer ones are
 * skipped. The buffer is on the caller's stack. */
#define ENVFILE_ENTRY_MAX 32768

/* Call add(ctx, "KEY=VALUE", len) for every valid assignment of
 * text[0..len), in order (kv is NUL-terminated, valid until add returns;
 * a later one of the same KEY must override an earlier one: the caller's
 * business). Returns the number of assignments skipped: a name that is
 * not [A-Za-z_][A-Za-z0-9_]*, a NUL byte or invalid UTF-8, longer than
 * ENVFILE_ENTRY_MAX. */
int envfile_parse(const char *text, size_t len,
		  void (*add)(void *ctx, const char *kv, size_t kvlen), void *ctx);

#endif
