/*
 * The PV control protocol, guest side (docs/issue45-contract.md §5): watch
 * control/shutdown; on "poweroff"/"halt", "reboot" or "crash" write ""
 * back first (as Linux's xenbus does, so the toolstack sees the request
 * taken), print `shutdown: <value>`, and SCHEDOP_shutdown with the
 * matching reason.  Unknown values are cleared and ignored.  The callback
 * runs from the store port's event handler, so a busy app (spinning in
 * ring 3) and an idle one (blocked) are stopped alike.  A read that fails
 * for any reason but "gone" (-2 ENOENT) asks xenbus for another run
 * (rt_xs_watch_retry), so a request is not lost to a busy or failing store.
 */
#include "shutdown.h"

#include <dyad/xen.h>

#include "printf.h"
#include "sched.h"
#include "string.h"
#include "xenbus.h"

#define RT_SHUTDOWN_NODE   "control/shutdown"
#define RT_SHUTDOWN_ENOENT 2
#define RT_SHUTDOWN_E2BIG  7

static const struct {
	const char *value;
	unsigned int reason;
} rt_shutdown_values[] = {
	{"poweroff", SHUTDOWN_poweroff},
	{"halt", SHUTDOWN_poweroff},
	{"reboot", SHUTDOWN_reboot},
	{"crash", SHUTDOWN_crash},
};

static void rt_shutdown_watch(const char *path, void *arg)
{
	char value[32];
	unsigned int i;
	int rc = rt_xs_read(RT_XS_NO_TX, RT_SHUTDOWN_NODE, value, sizeof(value));

	if (rc == -RT_SHUTDOWN_E2BIG) { /* too long for any value we know: clear it */
		if (rt_xs_write(RT_XS_NO_TX, RT_SHUTDOWN_NODE, ""))
			rt_xs_watch_retry();
		return;
	}
	if (rc < 0 && rc != -RT_SHUTDOWN_ENOENT) {
		/* -EBUSY (an app's long request holds the ring), -EIO, -ENOMEM, ...:
		 * the node keeps its value and may never fire again, so look again. */
		rt_xs_watch_retry();
		return;
	}
	if (rc <= 0) /* gone, or "" (registration, our own write-back) */
		return;
	rc = rt_xs_write(RT_XS_NO_TX, RT_SHUTDOWN_NODE, "");
	for (i = 0; i < sizeof(rt_shutdown_values) / sizeof(rt_shutdown_values[0]); i++) {
		if (!strcmp(value, rt_shutdown_values[i].value)) {
			rt_printf("shutdown: %s\n", value);
			if (rc)
				rt_printf("shutdown: clearing %s failed (%d)\n", RT_SHUTDOWN_NODE,
					  rc);
			rt_shutdown(rt_shutdown_values[i].reason);
		}
	}
}

int rt_shutdown_watch_start(void)
{
	return rt_xs_watch(RT_SHUTDOWN_NODE, rt_shutdown_watch, 0);
}
