/* Pure conversions from unit values to cgroup v2 file contents. Built
 * whatever CONFIG_CGROUPS says: the unit parser may use them to show what
 * will be written. */
#include "cgroup.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

uint64_t cg_shares_to_weight(uint64_t shares)
{
	double l, w;

	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	/*
	 * crun/runc's curve: weight = 10^((log2(s)^2 + 125 log2(s)) / 612 - 7/34),
	 * a quadratic in log2 through (2, 1), (1024, 100) and (262144, 10000).
	 * Written as (l - 1)(l + 126) / 612, the same polynomial, so that the
	 * exponent is an exact integer at those points and ceil() cannot
	 * round 100.00000000000001 up to 101.
	 */
	l = log2((double)shares);
	w = ceil(pow(10.0, (l - 1.0) * (l + 126.0) / 612.0));
	if (w < 1.0)
		return 1;
	if (w > 10000.0)
		return 10000;
	return (uint64_t)w;
}

int cg_cpu_max(char *buf, size_t len, uint64_t permyriad, uint64_t period_us)
{
	uint64_t quota;
	int n;

	if (period_us == 0)
		period_us = 100000;
	if (permyriad == LIMIT_INFINITY) {
		n = snprintf(buf, len, "max %" PRIu64, period_us);
	} else {
		if (permyriad && period_us > UINT64_MAX / permyriad)
			return -1;
		quota = permyriad * period_us / 10000;
		/* The kernel refuses quotas under 1 ms (EINVAL): give the
		 * smallest it takes rather than failing the unit. */
		if (quota < 1000)
			quota = 1000;
		n = snprintf(buf, len, "%" PRIu64 " %" PRIu64, quota, period_us);
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
