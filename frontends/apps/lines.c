/*
 * app=lines: `count=N` (default 10000) numbered lines `line 00001` ...,
 * then `lines: done`, then it idles (the log test reads them all later).
 */
#include "apps.h"

#include "../runtime/cmdline.h"
#include "../runtime/printf.h"
#include "../runtime/sched.h"

int app_lines_main(void)
{
	uint64_t n = rt_cmdline_u64("count", 10000), i;

	for (i = 1; i <= n; i++)
		rt_printf("line %05llu\n", (unsigned long long)i);
	rt_printf("lines: done\n");
	for (;;)
		rt_sleep_ns(1000000000ull);
}
