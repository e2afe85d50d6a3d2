/*
 * app=smp: start every vCPU (count from the builder's boot extension,
 * `vcpus=N` lowers it); each secondary prints "vcpu N running" and checks
 * in on an atomic counter; vCPU 0 waits for all of them (up to
 * `timeout_ms`, default 10 s) and prints "smp: all N vcpus running".
 */
#include "apps.h"

#include "../runtime/cmdline.h"
#include "../runtime/printf.h"
#include "../runtime/time.h"
#include "../runtime/vcpu.h"

static unsigned int app_smp_arrived;

static void app_smp_secondary(unsigned int vcpu, void *arg)
{
	(void)arg;
	rt_printf("vcpu %u running\n", vcpu);
	__atomic_fetch_add(&app_smp_arrived, 1, __ATOMIC_SEQ_CST);
}

static int app_smp_start_all(unsigned int n)
{
	unsigned int i;
	int rc;

	for (i = 1; i < n; i++) {
		rc = rt_vcpu_start(i, app_smp_secondary, 0);
		if (rc) {
			rt_printf("smp: starting vcpu %u failed (%d)\n", i, rc);
			return rc;
		}
	}
	return 0;
}

int app_smp_main(void)
{
	unsigned int n = rt_vcpu_count(), seen;
	uint64_t deadline = rt_now_ns() + rt_cmdline_u64("timeout_ms", 10000) * 1000000ull;
	int rc;

	rt_printf("smp: starting %u vcpus\n", n);
	rt_printf("vcpu 0 running\n");
	rc = app_smp_start_all(n);
	if (rc)
		return rc;
	while ((seen = __atomic_load_n(&app_smp_arrived, __ATOMIC_SEQ_CST)) < n - 1) {
		if (rt_now_ns() > deadline) {
			rt_printf("smp: timeout, %u of %u vcpus running\n", seen + 1, n);
			return -1;
		}
		__asm__ volatile("pause");
	}
	rt_printf("smp: all %u vcpus running\n", n);
	return 0;
}
