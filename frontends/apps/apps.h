/*
 * Guest programs, chosen with `app=NAME` on the kernel command line.  Each
 * lives in its own file; apps.c holds the table.  An app returns 0 for a
 * clean poweroff, anything else to report a crash.  Integration tests
 * match app output by exact strings: keep the lines stable.
 */
#ifndef RT_APPS_H
#define RT_APPS_H

struct rt_app {
	const char *name;
	int (*main)(void);
	const char *summary;
};

const struct rt_app *rt_app_find(const char *name);
/* Print " name" for each app on the current console line. */
void rt_app_list(void);

int app_hello_main(void);
int app_smp_main(void);
int app_crash_main(void);
int app_idle_main(void);
int app_spin_main(void);
int app_bench_cpu_main(void);
int app_bench_hypercall_main(void);
int app_evtchn_ping_main(void);
int app_gnttab_exercise_main(void);
int app_hostile_main(void);
int app_xs_main(void);
int app_echo_main(void);
int app_lines_main(void);
int app_con_hostile_main(void);

#endif /* RT_APPS_H */
