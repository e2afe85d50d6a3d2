/*
 * ns = tsc * 1000000 / tsc_khz (abi.h).  The TSC is the host's (kvm-pvm
 * ignores TSC offsets), so the product needs 128 bits: mul/div in asm,
 * since there is no libgcc for __udivti3.  tsc_khz comes from the nucleus,
 * which read CPUID leaf base+3 in ring 0: CPUID from ring 3 is not
 * virtualized on kvm-pvm (see include/guest/nucleus_report.h).
 */
#include "time.h"

#include <guest/nucleus_report.h>

static uint64_t rt_khz;

uint64_t rt_muldiv64(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t hi, lo, q, r;

	__asm__("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b) : "cc");
	if (c == 0 || hi >= c)
		return UINT64_MAX;
	__asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(c) : "cc");
	(void)r;
	return q;
}

int rt_time_init(void)
{
	rt_khz = nucleus_report.tsc_khz;
	return rt_khz ? 0 : -1;
}

uint64_t rt_tsc_khz(void)
{
	return rt_khz;
}

uint64_t rt_tsc_to_ns(uint64_t tsc)
{
	return rt_muldiv64(tsc, 1000000, rt_khz);
}

uint64_t rt_now_ns(void)
{
	return rt_tsc_to_ns(rt_rdtsc());
}
