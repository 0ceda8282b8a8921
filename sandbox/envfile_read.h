/* The service's environment, built in the launch child: Environment=
 * (the spec's, PATH first), then each EnvironmentFile= in order, read
 * from the host's tree before the sandbox is entered and parsed by
 * config/envfile.h -- as systemd, the files' settings override
 * Environment=, and a later file's an earlier one's -- then
 * NOTIFY_SOCKET= when PID 1 gave the unit a notify socket (last: it
 * always names PID 1's socket). No allocation: static tables, bounded
 * (SBX_ENV_MAX variables, SBX_ENV_TEXT bytes, SBX_ENVFILE_MAX bytes a
 * file); past a bound the launch fails rather than run a service
 * without part of its environment. */
#ifndef SBX_ENVFILE_READ_H
#define SBX_ENVFILE_READ_H

#include "../config/spec.h"
#include "../rootfs/fail.h"

#define SBX_ENVFILE_MAX (64 * 1024)
#define SBX_ENV_MAX 1024
#define SBX_ENV_TEXT (128 * 1024)

/* *envp: the spec's list, or the built one (static storage of the
 * child). notify: the value of NOTIFY_SOCKET, NULL for none. */
int sbx_env_build(const struct spec *s, const char *notify, const char *const **envp,
		  struct step_fail *f);

#endif
