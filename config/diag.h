/* Diagnostics of unit files. Every message reads
 *   FILE:LINE: [Section] Key: what is wrong (what is accepted)
 * and goes to a sink the caller chooses (stderr for `check`, the console
 * for PID 1, a buffer for tests). A unit with diagnostics is bad; the
 * others still load. */
#ifndef SBX_DIAG_H
#define SBX_DIAG_H

#define DIAG_MSG_MAX 768

struct diag {
	void (*emit)(void *ctx, const char *msg);
	void *ctx;
	unsigned count;
	/* Notes: "FILE:LINE: [Section] Key: note: ..." about a unit that is
	 * still valid (a name skipped, a call that stays denied). Not
	 * counted; NULL: notes are dropped (PID 1 leaves them to `check`). */
	void (*note)(void *ctx, const char *msg);
};

/* file/line/section/key may be NULL/0 for messages about a whole file. */
void diag_at(struct diag *d, const char *file, int line, const char *section,
	     const char *key, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* A note (see struct diag): the same form, prefixed "note: ". */
void diag_note(struct diag *d, const char *file, int line, const char *section,
	       const char *key, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* A sink that prints each message as a line on stderr. */
void diag_to_stderr(void *ctx, const char *msg);

#endif
