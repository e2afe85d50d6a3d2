/*
 * Event channels from ring 3: Xen's 2-level ABI over the shared_info page
 * the core placed at DYAD_BOOT_SHARED_INFO (the runtime confirms the frame
 * with XENMAPSPACE_shared_info), the upcall the nucleus turns into a callback
 * (include/guest/upcall.h), per-port handlers, and the ops (alloc_unbound,
 * bind_interdomain, bind_virq, send, close).
 *
 * vcpu_info.evtchn_upcall_mask is this vCPU's interrupt flag.  Handlers run
 * with it set, on the interrupted stack, either from the upcall or from
 * rt_events_poll/rt_events_wait; they must be short.  They may wait for
 * events (rt_events_wait nests: the xenbus client's watch callbacks make
 * store calls) and may print, though a line printed from a handler can
 * land inside one the interrupted code had half built.
 */
#ifndef RT_EVENTS_H
#define RT_EVENTS_H

#include <dyad/xen.h>
#include <dyad/abi.h>
#include <stdint.h>

#define RT_EVTCHN_PORTS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

typedef void rt_evtchn_handler(evtchn_port_t port, void *arg);

/* At boot (vCPU 0): confirm shared_info's frame, register the callback and vCPU 0's vector. */
int rt_events_init(void);
/* 0 when events work, else rt_events_init's error (apps report it). */
int rt_events_status(void);
/* Register the upcall vector of the calling secondary vCPU. */
int rt_events_vcpu_init(unsigned int vcpu);
struct shared_info *rt_shared_info(void);
struct vcpu_info *rt_vcpu_info(unsigned int vcpu);

/* The virtual interrupt flag: disable returns the old mask; restore re-checks pending. */
int rt_events_disable(void);
void rt_events_restore(int was_masked);
/* Run the handlers of every pending, unmasked port now; returns how many ran. */
unsigned long rt_events_poll(void);
/*
 * Wait for at least one event or until deadline_ns (UINT64_MAX: no
 * deadline): poll for spin_ns without any interrupt (upcall_pending held
 * at 1 so senders skip the irqfd), then block with SCHEDOP_block.
 * Returns the number of handlers run.
 */
unsigned long rt_events_wait(uint64_t deadline_ns, uint64_t spin_ns);
/*
 * Sleep on the single-shot timer until deadline_ns.  Race-free: a timer or
 * upcall that fires just before the SCHEDOP_block trap cannot leave the
 * vCPU halted.  Events are unmasked while blocked (handlers may run), as
 * with Xen's SCHEDOP_block; the caller's mask state is restored after.
 */
void rt_events_sleep_until(uint64_t deadline_ns);
/* Handlers run on this vCPU since boot. */
unsigned long rt_events_handled(void);
/* Callbacks the nucleus made on this vCPU since boot. */
unsigned long rt_events_upcalls(void);

int rt_evtchn_set_handler(evtchn_port_t port, rt_evtchn_handler *fn, void *arg)
	__attribute__((warn_unused_result));
int rt_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
	__attribute__((warn_unused_result));
int rt_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_port_t *port)
	__attribute__((warn_unused_result));
int rt_evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
	__attribute__((warn_unused_result));
int rt_evtchn_close(evtchn_port_t port);
/* EVTCHNOP_status: state (EVTCHNSTAT_*) or -errno. */
int rt_evtchn_state(evtchn_port_t port);
/* Send through the doorbell (`out` to DYAD_DOORBELL_PORT): no return value. */
static inline void rt_evtchn_notify(evtchn_port_t port)
{
	__asm__ volatile("outl %%eax, %0" : : "i"(DYAD_DOORBELL_PORT), "a"(port) : "memory");
}
/* Send through EVTCHNOP_send (reports errors). */
int rt_evtchn_send(evtchn_port_t port);
void rt_evtchn_mask(evtchn_port_t port);
void rt_evtchn_unmask(evtchn_port_t port);
int rt_evtchn_pending(evtchn_port_t port);

#endif /* RT_EVENTS_H */
