/* Issue #11's lifecycle around the main process: readiness (Type=notify,
 * Type=forking) and the service's own pid. */
#include "sup_int.h"

void sup_main_pid_found(struct sup *sv, struct svc *s, pid_t host_pid_or_0, const char *why)
{
	if (host_pid_or_0 > 0) {
		s->main_pid = host_pid_or_0;
		return;
	}
	if (why)
		sup_log(sv, "%s: no main pid: %s", s->name, why);
}
