/*
 * vcpu_op: bringing secondary vCPUs up and down, and the one-shot timer.
 *
 * Secondary vCPUs start in 64-bit mode from a vcpu_hvm_context
 * (VCPUOP_initialise, validated as Xen does), never through INIT/SIPI.
 * The single-shot timer is the vCPU's own TSC-deadline MSR, armed through
 * KVM_SET_MSRS so that ring-3 guest code needs no privileged access; the
 * guest programs its LVT timer in TSC-deadline mode itself.  Time is
 * ns = tsc * 1000000 / tsc_khz (abi.h), so a deadline converts back with
 * rounding up (never early).
 */
#include <errno.h>

#include <dyad/xen.h>
#include "domain.h"
#include "hypercall.h"
#include "virq_timer.h"
#include "vcpu.h"

uint64_t hc_tsc_to_ns(uint64_t tsc, uint32_t khz)
{
	unsigned __int128 ns = (unsigned __int128)tsc * 1000000u / (khz ? khz : 1);

	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

uint64_t hc_ns_to_tsc(uint64_t ns, uint32_t khz)
{
	unsigned __int128 t = ((unsigned __int128)ns * khz + 999999u) / 1000000u;

	return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

static long hc_vcpu_initialise(struct hc_ctx *c, struct vcpu *t)
{
	struct vcpu_hvm_context ctx;
	struct vcpu_x86_state st;
	const char *why;

	if (guest_copy_from(&c->gv, &ctx, c->arg[2], sizeof(ctx)))
		return -EFAULT;
	if (vcpu_x86_from_hvm(&ctx, c->d->mem.size, &st, &why))
		return -EINVAL;
	return vcpu_initialise(t, &st);
}

static long hc_vcpu_set_timer(struct hc_ctx *c)
{
	struct vcpu_set_singleshot_timer t;
	uint64_t tsc, deadline, now;

	if (guest_copy_from(&c->gv, &t, c->arg[2], sizeof(t)))
		return -EFAULT;
	if (vcpu_self_read_tsc(c->v, &tsc))
		return -EIO;
	if ((t.flags & VCPU_SSHOTTMR_future) && t.timeout_abs_ns < hc_tsc_to_ns(tsc, c->d->tsc_khz))
		return -ETIME;
	deadline = hc_ns_to_tsc(t.timeout_abs_ns, c->d->tsc_khz);
	/* 0 would disarm the timer: a deadline in the distant past is due now. */
	if (vcpu_self_set_deadline(c->v, deadline ? deadline : 1))
		return -EIO;
	now = hc_tsc_to_ns(tsc, c->d->tsc_khz);
	virq_timer_arm(c->d, c->v->id, t.timeout_abs_ns > now ? t.timeout_abs_ns - now : 0);
	return 0;
}

long hc_vcpu_op(struct hc_ctx *c)
{
	struct vcpu *t;

	if (c->arg[1] >= c->d->nr_vcpus)
		return -ENOENT;
	t = &c->d->vcpus[c->arg[1]];
	switch (c->arg[0]) {
	case VCPUOP_initialise:
		return hc_vcpu_initialise(c, t);
	case VCPUOP_up:
		return vcpu_up(t);
	case VCPUOP_down:
		return vcpu_down(t);
	case VCPUOP_is_up:
		return vcpu_is_up(t) ? 1 : 0;
	case VCPUOP_set_singleshot_timer:
		return t == c->v ? hc_vcpu_set_timer(c) : -EINVAL;
	case VCPUOP_stop_singleshot_timer:
		if (t != c->v)
			return -EINVAL;
		virq_timer_stop(c->d, c->v->id);
		return vcpu_self_set_deadline(c->v, 0) ? -EIO : 0;
	default:
		return -ENOSYS;
	}
}
