/* systemd's system call sets (SystemCallFilter=@name), as data: the
 * groups systemd.exec(5) and `systemd-analyze syscall-filter` list, with
 * the members systemd gives them today. A group may name other groups
 * ("@system-service" holds "@default", "@default" holds "@sandbox").
 * Calls newer than this libseccomp stay in the lists, as in systemd's:
 * whoever expands a group skips what libseccomp does not know; the names
 * of 32-bit and other architectures are left out (syscall_groups.c). */
#ifndef SBX_SYSCALL_GROUPS_H
#define SBX_SYSCALL_GROUPS_H

#include <stdbool.h>
#include <stddef.h>

/* Call fn for every system call name of group ("@name"), nested groups
 * expanded; "@known" is every call libseccomp knows on the native
 * architecture (systemd: every call of its kernel headers) and
 * @obsolete. A name is static data unless `transient` (then fn must copy
 * it: libseccomp's string, freed when fn returns). Returns -1 for an
 * unknown group, else 0. A name may come more than once. */
typedef void (*syscall_name_fn)(void *ctx, const char *name, bool transient);
int syscall_group_each(const char *group, syscall_name_fn fn, void *ctx);

/* Whether group ("@name") is one of the known groups. */
bool syscall_group_known(const char *group);

/* The groups' names, "@aio @basic-io ... @known", into buf (cut to len,
 * NUL-terminated when len > 0); returns the length. For messages. */
size_t syscall_group_list(char *buf, size_t len);

#endif
