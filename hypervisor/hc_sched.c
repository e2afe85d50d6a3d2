/*
 * sched_op: yield, block, shutdown (Xen's SCHEDOP_*).
 *
 * Blocking is KVM's halted state: the vCPU sleeps in the kernel until an
 * interrupt (its TSC-deadline timer, an event-channel upcall) arrives, at
 * no host CPU cost.  Shutdown records the reason (or the code recorded
 * earlier with SCHEDOP_shutdown_code) and stops every vCPU; the
 * control loop then tells subscribers (dyad-dom0 applies on_poweroff etc.).
 */
#include <errno.h>
#include <sched.h>

#include <dyad/xen.h>
#include "domain.h"
#include "hypercall.h"
#include "vcpu.h"

static long hc_sched_shutdown(struct hc_ctx *c)
{
	struct sched_shutdown s;

	if (guest_copy_from(&c->gv, &s, c->arg[1], sizeof(s)))
		return -EFAULT;
	if (s.reason > SHUTDOWN_watchdog)
		return -EINVAL;
	return domain_shutdown(c->d, s.reason);
}

/*
 * Record the reason a later shutdown will report, without shutting down
 * (Xen: the first code stands, and it wins over the reason of a later
 * SCHEDOP_shutdown or crash; see domain_shutdown()).
 */
static long hc_sched_shutdown_code(struct hc_ctx *c)
{
	struct sched_shutdown s;

	if (guest_copy_from(&c->gv, &s, c->arg[1], sizeof(s)))
		return -EFAULT;
	return domain_set_shutdown_code(c->d, s.reason);
}

long hc_sched_op(struct hc_ctx *c)
{
	switch (c->arg[0]) {
	case SCHEDOP_yield:
		sched_yield();
		return 0;
	case SCHEDOP_block:
		return vcpu_self_block(c->v);
	case SCHEDOP_shutdown:
		return hc_sched_shutdown(c);
	case SCHEDOP_shutdown_code:
		return hc_sched_shutdown_code(c);
	default:
		return -ENOSYS;
	}
}
