/*
 * Guest time: nanoseconds from the TSC and the frequency the core gives in
 * CPUID leaf base+3 (abi.h "System time"; read by the nucleus), the
 * timebase the single-shot timer takes.  rdtsc runs natively in ring 3.
 */
#ifndef RT_TIME_H
#define RT_TIME_H

#include <stdint.h>

/* 0, or -1 when the core gives no TSC frequency. */
int rt_time_init(void) __attribute__((warn_unused_result));
uint64_t rt_tsc_khz(void);
static inline uint64_t rt_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
uint64_t rt_tsc_to_ns(uint64_t tsc);
uint64_t rt_now_ns(void);
/* a * b / c with a 128-bit intermediate; UINT64_MAX if the result overflows. */
uint64_t rt_muldiv64(uint64_t a, uint64_t b, uint64_t c);

#endif /* RT_TIME_H */
