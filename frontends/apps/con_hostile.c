/*
 * app=con-hostile: a guest that attacks its console backend through its
 * own ring.  For `duration_ms` (default 2000) it writes garbage to every
 * index of its xencons_interface (out_prod and out_cons, in_prod and
 * in_cons: random values, jumps of half the index space, values just
 * past the ring size) and floods the console event channel, then writes
 * `con-hostile: done` with console_io (its ring is garbage by design),
 * resets out_prod to out_cons, and idles.
 */
#include "apps.h"

#include <dyad/xen.h>
#include <xen/io/console.h>

#include "../runtime/cmdline.h"
#include "../runtime/console.h"
#include "../runtime/hypercall.h"
#include "../runtime/sched.h"
#include "../runtime/time.h"

#define CON_HOSTILE_NOTIFIES 64 /* per round */

static uint64_t con_hostile_rand(uint64_t *s)
{
	*s ^= *s << 13; /* xorshift64 */
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void con_hostile_round(volatile struct xencons_interface *r, uint64_t *seed,
			      evtchn_port_t port)
{
	uint64_t v = con_hostile_rand(seed);
	unsigned int i;

	switch (v % 4) {
	case 0: /* random everything, and garbage bytes in the rings */
		r->out_prod = (uint32_t)v;
		r->out_cons = (uint32_t)(v >> 32);
		r->in_prod = (uint32_t)con_hostile_rand(seed);
		r->in_cons = (uint32_t)con_hostile_rand(seed);
		r->out[v % sizeof(r->out)] = (char)v;
		break;
	case 1: /* half the index space ahead */
		r->out_prod += 0x80000000u;
		r->in_cons += 0x80000000u;
		break;
	case 2: /* just past the ring */
		r->out_prod = r->out_cons + (uint32_t)sizeof(r->out) + 1;
		r->in_cons = r->in_prod + 1;
		break;
	default: /* backwards */
		r->out_prod = r->out_cons - 1;
		break;
	}
	for (i = 0; i < CON_HOSTILE_NOTIFIES; i++)
		__asm__ volatile("outl %%eax, %0"
				 :
				 : "i"(DYAD_DOORBELL_PORT), "a"(port)
				 : "memory");
}

int app_con_hostile_main(void)
{
	volatile struct xencons_interface *r = rt_console_ring_page();
	uint64_t end = rt_now_ns() + rt_cmdline_u64("duration_ms", 2000) * 1000000ull;
	uint64_t seed = rt_rdtsc() | 1, port = 0, rounds = 0;

	if (!r || rt_hvm_get_param(HVM_PARAM_CONSOLE_EVTCHN, &port)) {
		rt_console_emergency("con-hostile: no console ring\n");
		return 1;
	}
	rt_console_flush();
	while (rt_now_ns() < end) {
		con_hostile_round(r, &seed, (evtchn_port_t)port);
		rounds++;
		if (rounds % 16 == 0)
			rt_sleep_ns(1000000ull); /* let the backend look at it */
	}
	r->out_prod = r->out_cons;
	rt_console_emergency("con-hostile: done\n");
	for (;;)
		rt_sleep_ns(1000000000ull);
}
