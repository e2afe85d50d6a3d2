/*
 * The runtime's boot checklist on vCPU 0, in ring 3 (Mini-OS's
 * start_kernel in spirit): check the start info, time, command line,
 * vCPUs, place shared_info and register the event callback, switch the
 * console to its ring and connect to the store when the HVM params
 * provide them (and watch control/shutdown), then run the app the command
 * line names (`app=NAME`, default hello) and shut down with its verdict:
 * poweroff when it returns 0, crash otherwise.
 */
#include <dyad/xen.h>

#include "cmdline.h"
#include "console.h"
#include "events.h"
#include "printf.h"
#include "sched.h"
#include "shutdown.h"
#include "string.h"
#include "time.h"
#include "vcpu.h"
#include "xenbus.h"
#include "../apps/apps.h"

void rt_main(uint64_t start_info, uint64_t vcpu) __attribute__((noreturn));

static const struct rt_app *rt_select_app(void)
{
	char name[32];
	const struct rt_app *app;
	int rc = rt_cmdline_get("app", name, sizeof(name));

	if (rc == -2)
		return rt_app_find("hello");
	app = rc ? 0 : rt_app_find(name);
	if (!app) {
		rt_printf("runtime: unknown app '%s'; apps:", rc ? "(too long)" : name);
		rt_app_list();
		rt_printf("\n");
	}
	return app;
}

/* The PV devices the toolstack provided (contract §5); -19 means "not provided". */
static void rt_devices_init(void)
{
	char con[8];
	int rc = -19;

	/* `console=io` keeps output on console_io (debugging without a backend). */
	if (rt_cmdline_get("console", con, sizeof(con)) || strcmp(con, "io"))
		rc = rt_console_ring_init();
	if (rc && rc != -19)
		rt_printf("runtime: console ring unusable (%d), staying on console_io\n", rc);
	rc = rt_xs_init();
	if (rc == 0)
		rc = rt_shutdown_watch_start();
	if (rc && rc != -19)
		rt_printf("runtime: store unusable (%d)\n", rc);
}

void rt_main(uint64_t start_info, uint64_t vcpu)
{
	const struct hvm_start_info *si = (const struct hvm_start_info *)start_info;
	const struct rt_app *app;
	int rc;

	(void)vcpu;
	if (si->magic != XEN_HVM_START_MAGIC_VALUE) {
		rt_printf("runtime: bad start info magic 0x%x\n", si->magic);
		rt_crash();
	}
	if (rt_time_init()) {
		rt_printf("runtime: the core gives no TSC frequency (CPUID 0x40000003)\n");
		rt_crash();
	}
	rt_cmdline_init(start_info);
	rt_vcpu_init(start_info);
	(void)rt_events_init(); /* apps that need events report rt_events_status() */
	rt_devices_init();
	app = rt_select_app();
	if (!app)
		rt_crash();
	rc = app->main();
	if (rc) {
		rt_printf("%s: failed (%d)\n", app->name, rc);
		rt_crash();
	}
	rt_poweroff();
}
