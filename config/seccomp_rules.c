#include "seccomp_rules.h"

#include <stddef.h>

#include "config.h"

#if CONFIG_SECCOMP
#include <seccomp.h>
#endif

/* Modelled on the classes Docker's and systemd's profiles deny: kernel
 * code loading, rebooting, mounting (the new mount API too), swap, BPF
 * and perf, the kernel keyring, file handles (the "shocker" escape),
 * userfaultfd, clock setting, namespace creation and entry, quotas,
 * process accounting, raw I/O ports and obsolete calls. */
const char *const seccomp_default_deny[] = {
	"acct", "add_key", "bpf", "clock_adjtime", "clock_settime",
	"create_module", "delete_module", "finit_module", "fsconfig", "fsmount",
	"fsopen", "fspick", "get_kernel_syms", "init_module", "ioperm", "iopl",
	"kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mount",
	"mount_setattr", "move_mount", "name_to_handle_at", "nfsservctl",
	"open_by_handle_at", "open_tree", "perf_event_open", "pivot_root",
	"query_module", "quotactl", "reboot", "request_key", "setns",
	"settimeofday", "swapoff", "swapon", "_sysctl", "syslog", "umount2",
	"unshare", "uselib", "userfaultfd", "ustat", "vhangup", NULL,
};

const char *const seccomp_always_allow[] = {
	"execve", "exit", "exit_group", "rt_sigreturn", NULL,
};

bool seccomp_syscall_known(const char *name)
{
#if CONFIG_SECCOMP
	return seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name) != __NR_SCMP_ERROR;
#else
	(void)name;
	return false;
#endif
}
