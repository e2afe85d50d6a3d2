/*
 * What the ring-0 nucleus leaves for the ring-3 runtime.
 *
 * The nucleus offers no services at run time (ring 3 never calls into ring
 * 0), so anything it measures during boot is written once into this record,
 * which lives in the runtime's user-accessible data, before vCPU 0 drops to
 * ring 3.  All times are raw TSC values.
 *
 * The TSC frequency is here too because CPUID is not virtualized for guest
 * ring 3 on kvm-pvm: a ring-3 CPUID runs natively and returns the outer
 * host's leaves (e.g. "KVMKVMKVM" at 0x40000000), so only the nucleus can
 * read Dyad's leaves.  Ring 3 must never rely on CPUID for them.
 */
#ifndef GUEST_NUCLEUS_REPORT_H
#define GUEST_NUCLEUS_REPORT_H

#include <stdint.h>

struct nucleus_report {
	uint64_t boot_tsc_entry; /* rdtsc at the first nucleus instruction */
	uint64_t boot_tsc_ring3; /* rdtsc just before the iretq to ring 3 */
	uint64_t bench_loops;	 /* 0: the ring-0 bench did not run */
	uint64_t bench_tsc;	 /* TSC ticks the ring-0 loop took */
	uint64_t bench_result;	 /* the loop's checksum */
	uint64_t tsc_khz;	 /* CPUID leaf base+3 subleaf 0 ECX, read in ring 0 */
	uint64_t hc_loops;	 /* bench-hypercall: 0 = the ring-0 run did not happen */
	uint64_t hc_tsc;	 /* ticks for hc_loops null hypercalls from ring 0 */
	uint64_t pio_tsc;	 /* ticks for hc_loops bare port-I/O exits from ring 0 */
};

/* Defined by the runtime (user-accessible), written by the nucleus on vCPU 0. */
extern struct nucleus_report nucleus_report;

/* The benchmark loop, assembled once for each ring from common/bench_loop.inc. */
uint64_t nucleus_bench_loop(uint64_t loops, uint64_t seed);
uint64_t rt_bench_loop(uint64_t loops, uint64_t seed);

#define BENCH_SEED	       0x243f6a8885a308d3ull
#define BENCH_DEFAULT_LOOPS    200000ull
#define BENCH_HC_DEFAULT_LOOPS 2000ull

/* Ring-3 entry points the nucleus irets to: rdi = start info, rsi = vcpu id. */
void rt_start(void);
void rt_ap_start(void);
extern char rt_stack0_top[];

#endif /* GUEST_NUCLEUS_REPORT_H */
