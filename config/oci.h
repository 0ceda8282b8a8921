/* `sandboxctl spec`: a unit's spec as an OCI runtime-spec config.json, so
 * the same unit can be run by crun or runc for comparison. */
#ifndef SBX_OCI_H
#define SBX_OCI_H

#include "config.h"

#include "../lib/err.h"
#include "spec.h"

#if CONFIG_OCI_SPEC
/* Write config.json (2-space indent, fixed key order, final newline) to
 * fd. 0, or -1 with *e set when writing fails. */
int oci_write_spec(const struct spec *s, int fd, struct err *e);
#else
static inline int oci_write_spec(const struct spec *s, int fd, struct err *e)
{
	(void)s;
	(void)fd;
	return err_set(e, 0, "this build has no OCI export (CONFIG_OCI_SPEC)");
}
#endif

#endif
