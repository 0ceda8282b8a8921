/* Pure conversions from unit values to cgroup v2 file contents. Built
 * whatever CONFIG_CGROUPS says: the unit parser may use them to show what
 * will be written. */
#include "cgroup.h"

#include <inttypes.h>
#include <stdio.h>

/*
 * A small log2 and 10^x for cg_shares_to_weight, in place of
 * libm's log2, pow and ceil: musl's pow and its tables are 7 to 9 KiB of
 * the 400 KiB budget. The domain is finite (shares 3..262143) and
 * tests/unit/test_cgroup.c compares every value with libm's curve.
 */

/* ln(m) for m in [1, 2): 2 atanh(z) with z = (m - 1) / (m + 1) <= 1/3; each
 * term is at most 1/9 of the one before, so 20 reach double precision. */
static double ln_1_2(double m)
{
	double z = (m - 1.0) / (m + 1.0), z2 = z * z, t = z, sum = 0.0;

	for (int k = 1; k < 40; k += 2) {
		sum += t / k;
		t *= z2;
	}
	return 2.0 * sum;
}

/* log2(s), exact when s is a power of two (m = 1 gives 0). */
static double log2_u64(uint64_t s)
{
	int k = 0;

	while ((s >> k) > 1)
		k++;
	return k + ln_1_2((double)s / (double)(1ULL << k)) / 0.69314718055994530942;
}

/* 10^e for e in [0, 5): 10^floor(e) exactly times exp(x), x = frac(e) ln 10 <
 * 2.31, by its Taylor series (all terms positive; 30 reach double
 * precision). Exact at integer e. */
static double exp10_small(double e)
{
	int n = (int)e;
	double x = (e - n) * 2.30258509299404568402, t = 1.0, sum = 1.0;

	for (int k = 1; k < 30; k++) {
		t *= x / k;
		sum += t;
	}
	while (n-- > 0)
		sum *= 10.0;
	return sum;
}

uint64_t cg_shares_to_weight(uint64_t shares)
{
	double l, w;
	uint64_t c;

	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	/*
	 * crun/runc's curve: weight = 10^((log2(s)^2 + 125 log2(s)) / 612 - 7/34),
	 * a quadratic in log2 through (2, 1), (1024, 100) and (262144, 10000).
	 * Written as (l - 1)(l + 126) / 612, the same polynomial, so that the
	 * exponent is an exact integer at those points and the ceiling cannot
	 * round 100.00000000000001 up to 101.
	 */
	l = log2_u64(shares);
	w = exp10_small((l - 1.0) * (l + 126.0) / 612.0);
	c = (uint64_t)w;   /* w is in (1, 10000): the ceiling without libm */
	if ((double)c < w)
		c++;
	if (c < 1)
		return 1;
	return c > 10000 ? 10000 : c;
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
