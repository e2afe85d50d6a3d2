/* The table of guest programs. Add a program: one file, one line here. */
#include "apps.h"

#include "../runtime/printf.h"
#include "../runtime/string.h"

static const struct rt_app rt_apps[] = {
	{"hello", app_hello_main, "greet, show cmdline and vCPU count, power off"},
	{"smp", app_smp_main, "bring up every vCPU and synchronise them"},
	{"crash", app_crash_main, "fault on purpose (crash=pf|ud|gp|de)"},
	{"idle", app_idle_main, "sleep on the single-shot timer forever"},
	{"spin", app_spin_main, "busy loop printing a counter every ~100 ms"},
	{"bench-cpu", app_bench_cpu_main, "the same integer loop in ring 3 and ring 0"},
	{"bench-hypercall", app_bench_hypercall_main, "null hypercall vs bare exit, each ring"},
	{"evtchn-ping", app_evtchn_ping_main, "event-channel ping-pong with dom0 or a guest"},
	{"gnttab-exercise", app_gnttab_exercise_main, "grant, map, copy and revoke pages"},
	{"hostile", app_hostile_main, "hammer the ABI with invalid arguments"},
	{"xs", app_xs_main, "store reads, writes, a peer's node, a watch, the node quota"},
	{"echo", app_echo_main, "echo console input lines"},
	{"lines", app_lines_main, "print count=N numbered lines, then idle"},
	{"con-hostile", app_con_hostile_main, "corrupt the console ring, then idle"},
};

const struct rt_app *rt_app_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(rt_apps) / sizeof(rt_apps[0]); i++) {
		if (!strcmp(rt_apps[i].name, name))
			return &rt_apps[i];
	}
	return 0;
}

void rt_app_list(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(rt_apps) / sizeof(rt_apps[0]); i++)
		rt_printf(" %s", rt_apps[i].name);
}
