/* CVE-2019-5736: the init's own binary, as units could reach it through
 * /proc/PID/exe (of PID 1, of a launch child, of a sandbox's reaper, all of
 * which execute it), is made read-only for good: PID 1 re-executes itself
 * from a detached, read-only bind mount of its binary (open_tree +
 * mount_setattr + execveat), so that every /proc/PID/exe of ours names a
 * file on a read-only mount and no reopen through it can write (EROFS),
 * even when no process executes the binary any more. The mount is in no
 * mount table: nothing to unmount, and the file on disk can still be
 * replaced by an upgrade (rename over it). */
#ifndef SBX_SEAL_H
#define SBX_SEAL_H

#include "../lib/err.h"

/* In the environment of the re-executed init: the seal is done. */
#define SEAL_DONE_ENV "SANDBOXD_SEALED"

/* Execute the binary of exe_fd (an fd of the file, O_PATH will do) from a
 * new detached read-only bind mount of it, with argv and envp. Returns
 * only on failure (-1, e set); never touches the file itself. */
int seal_exec(int exe_fd, char *const argv[], char *const envp[], struct err *e);

/* For the real PID 1, before the first unit starts: when our binary is on a
 * writable mount and SEAL_DONE_ENV is not set, re-execute ourselves sealed
 * (does not return on success). Returns 0 when there is nothing to do (the
 * binary is on a read-only mount already, or this is the sealed process,
 * whose SEAL_DONE_ENV it removes), -1 when the seal failed (e says why; the
 * caller logs it and runs on unsealed). */
int seal_binary(char *const argv[], struct err *e);

#endif
