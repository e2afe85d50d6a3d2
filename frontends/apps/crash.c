/*
 * app=crash: fault on purpose from ring 3, so the nucleus's exception
 * report and SHUTDOWN_crash can be tested.  `crash=pf` (default) writes
 * to the unmapped page 0, `ud` runs ud2, `gp` runs a privileged
 * instruction (hlt), `de` divides by zero.
 */
#include "apps.h"

#include "../runtime/cmdline.h"
#include "../runtime/console.h"
#include "../runtime/printf.h"
#include "../runtime/string.h"

static void app_crash_now(const char *kind)
{
	unsigned int num = 1, zero = 0;

	if (!strcmp(kind, "ud"))
		__asm__ volatile("ud2");
	else if (!strcmp(kind, "gp"))
		__asm__ volatile("hlt");
	else if (!strcmp(kind, "de")) /* in asm: C's 1u / x may be folded into a compare */
		__asm__ volatile("xor %%edx, %%edx; divl %1" : "+a"(num) : "r"(zero) : "rdx", "cc");
	else
		*(volatile unsigned int *)0 = 0xdead;
}

int app_crash_main(void)
{
	char kind[8];

	if (rt_cmdline_get("crash", kind, sizeof(kind)))
		kind[0] = '\0';
	if (kind[0] && strcmp(kind, "pf") && strcmp(kind, "ud") && strcmp(kind, "gp") &&
	    strcmp(kind, "de")) {
		rt_printf("crash: unknown kind '%s' (pf, ud, gp, de)\n", kind);
		return -22;
	}
	rt_printf("crash: faulting on purpose (%s)\n", kind[0] ? kind : "pf");
	rt_console_flush();
	app_crash_now(kind);
	rt_printf("crash: still alive after the fault\n");
	return -1;
}
