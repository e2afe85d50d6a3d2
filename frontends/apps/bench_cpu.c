/*
 * app=bench-cpu: the same integer loop (include/guest/bench_loop.inc) in
 * ring 3 and in ring 0, to show what the nucleus costs on a host whose
 * guest ring 0 is emulated.  Ring 3 never calls into ring 0, so the ring-0
 * run happened during boot (nucleus/boot_bench.c) and left its figures in
 * nucleus_report; `loops=N` (default 200000) sets both runs.  The ring-3
 * figure is the best of 5 runs; both checksums must agree.
 */
#include "apps.h"

#include "../runtime/printf.h"
#include "../runtime/time.h"
#include <guest/nucleus_report.h>

static uint64_t app_bench_ring3(uint64_t loops, uint64_t *result)
{
	uint64_t best = UINT64_MAX, t0, dt;
	int i;

	for (i = 0; i < 5; i++) {
		t0 = rt_rdtsc();
		*result = rt_bench_loop(loops, BENCH_SEED);
		dt = rt_rdtsc() - t0;
		if (dt < best)
			best = dt;
	}
	return best;
}

int app_bench_cpu_main(void)
{
	const struct nucleus_report *r = &nucleus_report;
	uint64_t loops = r->bench_loops, res3, ns3, ns0, boot;

	if (!loops) {
		rt_printf("bench-cpu: the ring-0 run did not happen (loops=0?)\n");
		return -1;
	}
	ns3 = rt_tsc_to_ns(app_bench_ring3(loops, &res3));
	ns0 = rt_tsc_to_ns(r->bench_tsc);
	if (res3 != r->bench_result) {
		rt_printf("bench-cpu: checksum mismatch ring3 0x%llx ring0 0x%llx\n",
			  (unsigned long long)res3, (unsigned long long)r->bench_result);
		return -1;
	}
	boot = rt_tsc_to_ns(r->boot_tsc_ring3 - r->boot_tsc_entry - r->bench_tsc);
	rt_printf("bench-cpu: loops %llu ring3 %llu ns ring0 %llu ns ratio %llu.%llu\n",
		  (unsigned long long)loops, (unsigned long long)ns3, (unsigned long long)ns0,
		  (unsigned long long)(ns0 / (ns3 ? ns3 : 1)),
		  (unsigned long long)(ns0 * 10 / (ns3 ? ns3 : 1) % 10));
	rt_printf("bench-cpu: per iteration ring3 %llu ps ring0 %llu ps\n",
		  (unsigned long long)(ns3 * 1000 / loops),
		  (unsigned long long)(ns0 * 1000 / loops));
	rt_printf("bench-cpu: nucleus boot path %llu ns without the loop\n",
		  (unsigned long long)boot);
	rt_printf("bench-cpu: checksum 0x%llx\n", (unsigned long long)res3);
	return 0;
}
