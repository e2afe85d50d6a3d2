/*
 * Scheduling from ring 3: sleeping on the single-shot timer, blocking,
 * and shutting the domain down (SCHEDOP_shutdown).
 */
#ifndef RT_SCHED_H
#define RT_SCHED_H

#include <stdint.h>

/* Sleep until system time deadline_ns (rt_now_ns timebase); tolerates early wake-ups. */
void rt_sleep_until(uint64_t deadline_ns);
void rt_sleep_ns(uint64_t ns);
/* Flush the console, then SCHEDOP_shutdown(reason); never returns. */
void rt_shutdown(unsigned int reason) __attribute__((noreturn));
void rt_poweroff(void) __attribute__((noreturn));
void rt_crash(void) __attribute__((noreturn));

#endif /* RT_SCHED_H */
