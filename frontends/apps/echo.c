/*
 * app=echo: console input.  Prints `echo: ready`, then every line typed
 * into the console ring (ended by CR or LF) as `echo: <line>`.  Needs the
 * console ring (HVM_PARAM_CONSOLE_PFN).
 */
#include "apps.h"

#include <stdint.h>

#include "../runtime/console.h"
#include "../runtime/events.h"
#include "../runtime/printf.h"

#define ECHO_LINE 200

int app_echo_main(void)
{
	char line[ECHO_LINE + 1], in[64];
	unsigned int len = 0;
	int n, i;

	if (!rt_console_ring_active()) {
		rt_printf("echo: no console ring\n");
		return 1;
	}
	rt_printf("echo: ready\n");
	for (;;) {
		int was = rt_events_disable(); /* input after an empty read stays pending */

		n = rt_console_read(in, sizeof(in));
		if (n <= 0)
			(void)rt_events_wait(UINT64_MAX, 0);
		rt_events_restore(was);
		for (i = 0; i < n; i++) {
			if (in[i] != '\r' && in[i] != '\n') {
				if (len < ECHO_LINE)
					line[len++] = in[i];
				continue;
			}
			if (!len)
				continue; /* CR LF: one line */
			line[len] = '\0';
			rt_printf("echo: %s\n", line);
			len = 0;
		}
	}
}
