/* StandardOutput=/StandardError= file:PATH and append:PATH, opened by the
 * launch child before it enters the sandbox (issue #10: PID 1 never opens
 * a path a unit names; a hung mount there would stop it for good). The
 * file sits where the unit may write (its folder is often bound in), so the
 * unit can swap it between two starts for a symlink to a host file, a FIFO,
 * or a hard link to a host file: refused, never truncated or written
 * through (issue #9 item 6, the checks init/outfile.c made in PID 1). */
#ifndef SBX_STDFILE_H
#define SBX_STDFILE_H

#include <stdbool.h>

#include "../rootfs/fail.h"

/* Open path for writing: no symlink in any component, a regular file with
 * a single link (truncated for file:, once known to be one; created 0640
 * when missing), never a device (a unit with CAP_MKNOD could plant one,
 * and this open is root's in the host's tree); O_APPEND
 * for append:, O_NONBLOCK, O_NOCTTY, O_CLOEXEC. key: "StandardOutput" or
 * "StandardError". The fd, or -1 with f = ("open",
 * "KEY=file:PATH: REASON", errno or 0). No allocation, no stdio. */
int sbx_stdfile_open(const char *key, const char *path, bool append, struct step_fail *f);

#endif
