/*
 * Idle costs no host CPU: VCPUOP_set_singleshot_timer makes the core arm
 * this vCPU's TSC-deadline timer, and SCHEDOP_block halts the vCPU in the
 * kernel until an interrupt (the timer, an event) arrives.  The core
 * returns from block at once when the deadline has already passed, and any
 * event can wake us early, so every sleep is a loop on the clock.  The
 * loop lives in events.c (rt_events_sleep_until): a timer that fires
 * between arming it and the block trap would otherwise be lost (the
 * TSC-deadline MSR reads 0 once it fired, so the core cannot tell).
 */
#include "sched.h"

#include "console.h"
#include "events.h"
#include "hypercall.h"
#include "time.h"
#include "vcpu.h"

#define RT_SHUTDOWN_DRAIN_NS 1000000000ull

void rt_sleep_until(uint64_t deadline_ns)
{
	rt_events_sleep_until(deadline_ns);
}

void rt_sleep_ns(uint64_t ns)
{
	rt_sleep_until(rt_now_ns() + ns);
}

void rt_shutdown(unsigned int reason)
{
	struct sched_shutdown sd = {.reason = reason};

	rt_console_flush();
	rt_console_drain(RT_SHUTDOWN_DRAIN_NS); /* let the backend log the last lines */
	for (;;) {
		rt_sched_op(SCHEDOP_shutdown, &sd);
		rt_sched_op(SCHEDOP_block, 0);
	}
}

void rt_poweroff(void)
{
	rt_shutdown(SHUTDOWN_poweroff);
}

void rt_crash(void)
{
	rt_shutdown(SHUTDOWN_crash);
}
