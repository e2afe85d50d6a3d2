/*
 * app=idle: an idle guest must cost almost no host CPU.  Sleeps on the
 * single-shot timer, `sleep_ms` (default 1000) at a time, forever; with
 * `ticks=N` it prints "idle: tick K" after each sleep and powers off after N.
 */
#include "apps.h"

#include "../runtime/cmdline.h"
#include "../runtime/printf.h"
#include "../runtime/sched.h"

int app_idle_main(void)
{
	uint64_t ms = rt_cmdline_u64("sleep_ms", 1000), ticks = rt_cmdline_u64("ticks", 0), k;

	rt_printf("idle: sleeping\n");
	for (k = 1; !ticks || k <= ticks; k++) {
		rt_sleep_ns(ms * 1000000ull);
		if (ticks)
			rt_printf("idle: tick %llu\n", (unsigned long long)k);
	}
	return 0;
}
