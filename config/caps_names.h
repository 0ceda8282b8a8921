/* Capability names, shared by the unit parser (Capabilities=) and the OCI
 * export. Kept as a table of our own rather than libcap's so the static
 * binary needs no libcap and knows every bit up to CAP_CHECKPOINT_RESTORE
 * even when built against old kernel headers. */
#ifndef SBX_CAPS_NAMES_H
#define SBX_CAPS_NAMES_H

#define CAP_COUNT 41   /* bits 0 (CAP_CHOWN) .. 40 (CAP_CHECKPOINT_RESTORE) */

/* "CAP_CHOWN" ... ; NULL when bit >= CAP_COUNT. */
const char *cap_name(unsigned bit);

/* "CAP_KILL", "cap_kill", "kill" -> 5; -1 when unknown. */
int cap_from_name(const char *name);

#endif
