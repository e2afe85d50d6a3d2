/*
 * app=bench-hypercall: the cost of a null hypercall (xen_version
 * XENVER_version through the hypercall page) next to a bare port-I/O exit
 * (an `out` to DYAD_PROBE_PORT, which the core acknowledges and ignores),
 * from ring 3 here and from ring 0 during boot (nucleus/boot_bench.c).
 * The difference between the two is what Dyad's dispatch adds to the exit.
 * `loops=N` sets the count (default 2000; ring 0 is emulated, so keep it
 * modest).  Lines: "bench-hypercall: RING FIGURE NS ns".
 */
#include "apps.h"

#include "../runtime/hypercall.h"
#include "../runtime/printf.h"
#include "../runtime/time.h"
#include <guest/nucleus_report.h>

static void app_bench_report(const char *ring, const char *figure, uint64_t tsc, uint64_t loops)
{
	rt_printf("bench-hypercall: %s %s %llu ns\n", ring, figure,
		  (unsigned long long)(rt_tsc_to_ns(tsc) / loops));
}

int app_bench_hypercall_main(void)
{
	const struct nucleus_report *r = &nucleus_report;
	uint64_t loops = r->hc_loops, t0, hc;

	if (!loops) {
		rt_printf("bench-hypercall: the ring-0 run did not happen\n");
		return -1;
	}
	t0 = rt_rdtsc();
	for (uint64_t i = 0; i < loops; i++)
		rt_hypercall(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
	hc = rt_rdtsc() - t0;
	app_bench_report("ring3", "null-hypercall", hc, loops);
	t0 = rt_rdtsc();
	for (uint64_t i = 0; i < loops; i++)
		__asm__ volatile("outl %%eax, %0" : : "i"(DYAD_PROBE_PORT), "a"(0));
	app_bench_report("ring3", "port-io-exit", rt_rdtsc() - t0, loops);
	app_bench_report("ring0", "null-hypercall", r->hc_tsc, loops);
	app_bench_report("ring0", "port-io-exit", r->pio_tsc, loops);
	return 0;
}
