/*
 * app=spin: a busy guest that shows progress: "spin: N" every `period_ms`
 * (default 100) of system time, never sleeping, so a test can see pause
 * stop the count and unpause resume it.  `ticks=N` powers off after N lines.
 */
#include "apps.h"

#include "../runtime/cmdline.h"
#include "../runtime/printf.h"
#include "../runtime/time.h"

int app_spin_main(void)
{
	uint64_t period = rt_cmdline_u64("period_ms", 100) * 1000000ull;
	uint64_t ticks = rt_cmdline_u64("ticks", 0), n = 0;
	uint64_t next = rt_now_ns() + period;

	rt_printf("spin: running\n");
	while (!ticks || n < ticks) {
		uint64_t now = rt_now_ns();

		if (now < next)
			continue;
		next = now + period;
		rt_printf("spin: %llu\n", (unsigned long long)++n);
	}
	return 0;
}
