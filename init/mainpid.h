/* The service's pid as the unit tells it (issue #11): MAINPID= and
 * PIDFile= give a number in the unit's OWN pid namespace; PID 1 needs the
 * process in its own. Only kernel files are read here (cgroup.procs,
 * /proc/PID/status, /proc/PID/task/PID/children, /proc/PID/cgroup,
 * /proc/PID/ns/pid), never a path of the unit's tree: the PID file itself
 * is read by a short-lived child (mainpid_file_begin). */
#ifndef SBX_MAINPID_H
#define SBX_MAINPID_H

#include <stdbool.h>
#include <sys/types.h>

struct sup;
struct svc;

/* Provided by the supervisor (init/sup_exec.c, declared in sup_int.h
 * too): the service's pid in PID 1's namespace, or 0 with why. */
void sup_main_pid_found(struct sup *sv, struct svc *s, pid_t host_pid_or_0, const char *why);

/* The host pid of the unit's process whose pid in the unit's pid
 * namespace is pid_in_unit_ns; 0: no process of the unit has it. With a
 * cgroup, the processes of its cgroup.procs; without, s->pid and its
 * descendants. At most MAINPID_SCAN_MAX processes are looked at. */
#define MAINPID_SCAN_MAX 2048
pid_t mainpid_resolve(const struct svc *s, pid_t pid_in_unit_ns);

/* Is host_pid (PID 1's namespace) a process of s? In its cgroup (or a
 * group below it); without a cgroup: s->pid itself, or in s->pid's pid
 * namespace when that is the unit's own, else a descendant of s->pid. */
bool mainpid_in_unit(const struct svc *s, pid_t host_pid);

/* Read s->spec->pid_file without PID 1 opening it (it is in the unit's
 * tree, writable by the unit: a FIFO, a symlink, a huge file, on a hung
 * FUSE mount): a child opens /proc/PID/root of a process of the unit and
 * the file under it (RESOLVE_IN_ROOT, no magic links, O_NOFOLLOW,
 * O_NONBLOCK, a regular file only), reads at most 32 bytes and writes
 * them to a pipe; its alarm ends it after MAINPID_FILE_TIMEOUT_S. The loop
 * watches the pipe and calls sup_main_pid_found() once, with the host
 * pid or 0 and why. A read in flight is replaced by a new one, cancelled
 * by notify_close(). 0: begun; -1: sup_main_pid_found(0, why) was called
 * already. The child is not a unit's process: sup_reap() reaps it as it
 * reaps every pid it does not know. */
#define MAINPID_FILE_TIMEOUT_S 2
int mainpid_file_begin(struct sup *sv, struct svc *s);

/* Parse a PID file's content: a decimal pid, blanks and newlines around
 * it; 0 when it is not one (pure: tests). */
pid_t mainpid_parse(const char *text, size_t len);

#endif
