/*
 * VIRQ_TIMER: the singleshot timer as an event channel.
 *
 * The timer itself is the vCPU's LAPIC TSC deadline (hc_vcpu.c), which
 * fires inside KVM without the core seeing it.  A vCPU that has bound
 * VIRQ_TIMER also gets a host timerfd armed for the same instant; one
 * thread waits on all of them and raises the port when one expires.  The
 * thread names a timer by (domid, vcpu), never by pointer, and looks the
 * domain up under the domain-table read lock, so a domain destroyed
 * meanwhile is simply not found.
 */
#ifndef DYAD_HV_VIRQ_TIMER_H
#define DYAD_HV_VIRQ_TIMER_H

#include <stdint.h>

struct domain;

/* Start / stop the timer thread (dyad-hv's main; unit tests call fire directly). */
int virq_timer_init(void) __attribute__((warn_unused_result));
void virq_timer_fini(void);
/* VCPUOP_set/stop_singleshot_timer on vcpu: arm in delta_ns (0 = now) or disarm. */
void virq_timer_arm(struct domain *d, uint32_t vcpu, uint64_t delta_ns);
void virq_timer_stop(struct domain *d, uint32_t vcpu);
/* Expiry: raise the vCPU's VIRQ_TIMER port if the domain still exists. */
void virq_timer_fire(uint32_t domid, uint32_t vcpu);
/* Destroy: close the domain's timerfds. */
void virq_timer_fini_domain(struct domain *d);

#endif /* DYAD_HV_VIRQ_TIMER_H */
