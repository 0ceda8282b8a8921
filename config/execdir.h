/* Where RuntimeDirectory= ... ConfigurationDirectory= live on the host
 * (systemd's places, systemd.exec(5)), and their key names, for the
 * parser, the launch child, the mount plan and the remover alike. */
#ifndef SBX_EXECDIR_H
#define SBX_EXECDIR_H

#include "spec.h"

static inline const char *exec_dir_base(enum exec_dir_kind k)
{
	switch (k) {
	case EXEC_DIR_RUNTIME: return "/run";
	case EXEC_DIR_STATE: return "/var/lib";
	case EXEC_DIR_CACHE: return "/var/cache";
	case EXEC_DIR_LOGS: return "/var/log";
	default: return "/etc";
	}
}

/* "Runtime", "State" ...: the key is NAME "Directory", the mode's NAME
 * "DirectoryMode" */
static inline const char *exec_dir_key(enum exec_dir_kind k)
{
	switch (k) {
	case EXEC_DIR_RUNTIME: return "Runtime";
	case EXEC_DIR_STATE: return "State";
	case EXEC_DIR_CACHE: return "Cache";
	case EXEC_DIR_LOGS: return "Logs";
	default: return "Configuration";
	}
}

/* At most this many directories of all five kinds together: each is a
 * mount at every start. */
#define EXEC_DIRS_MAX 32

#endif
