/*
 * The hypercall table and the trap glue (see hypercall.h).
 */
#include "hypercall.h"

#include <errno.h>
#include <inttypes.h>

#include <dyad/xen.h>
#include "domain.h"
#include "log.h"
#include "vcpu.h"

#define HC_F_USER (1u << 0) /* callable from CPL 3 in a ring-3-runtime domain */

struct hc_desc {
	const char *name;
	long (*fn)(struct hc_ctx *c);
	unsigned int flags;
};

static const struct hc_desc hc_table[] = {
	[__HYPERVISOR_xen_version] = {"xen_version", hc_xen_version, HC_F_USER},
	[__HYPERVISOR_console_io] = {"console_io", hc_console_io, HC_F_USER},
	[__HYPERVISOR_vcpu_op] = {"vcpu_op", hc_vcpu_op, HC_F_USER},
	[__HYPERVISOR_sched_op] = {"sched_op", hc_sched_op, HC_F_USER},
	[__HYPERVISOR_hvm_op] = {"hvm_op", hc_hvm_op, HC_F_USER},
	[__HYPERVISOR_memory_op] = {"memory_op", hc_memory_op, HC_F_USER},
	[__HYPERVISOR_grant_table_op] = {"grant_table_op", hc_grant_table_op, HC_F_USER},
	[__HYPERVISOR_event_channel_op] = {"event_channel_op", hc_event_channel_op, HC_F_USER},
};

#define HC_TABLE_SIZE (sizeof(hc_table) / sizeof(hc_table[0]))

static const struct hc_desc *hc_lookup(uint64_t nr)
{
	if (nr >= HC_TABLE_SIZE || !hc_table[nr].fn)
		return NULL;
	return &hc_table[nr];
}

const char *hypercall_name(uint64_t nr)
{
	const struct hc_desc *h = hc_lookup(nr);

	return h ? h->name : NULL;
}

long hypercall_dispatch(struct hc_ctx *c, uint64_t nr)
{
	const struct hc_desc *h = hc_lookup(nr);

	if (!h) {
		log_warn_rl("dom%u vcpu%u: unknown hypercall %" PRIu64, c->d->id, c->v->id, nr);
		return -ENOSYS;
	}
	if (c->cpl == 3 && (!(h->flags & HC_F_USER) || !(c->d->flags & DYAD_CREATE_F_RING3))) {
		log_warn_rl("dom%u vcpu%u: %s from CPL 3 refused", c->d->id, c->v->id, h->name);
		return -EPERM;
	}
	return h->fn(c);
}

void hypercall_from_exit(struct vcpu *v)
{
	struct kvm_regs *r = &v->run->s.regs.regs;
	const struct kvm_sregs *s = &v->run->s.regs.sregs;
	struct hc_ctx c = {
		.d = v->d,
		.v = v,
		.cpl = s->cs.selector & 3,
		.gv = {.ram = v->d->mem.host, .ram_size = v->d->mem.size, .cr3 = s->cr3},
		.arg = {r->rdi, r->rsi, r->rdx, r->r10, r->r8},
	};

	c.gv.user = c.cpl == 3;
	r->rax = (uint64_t)hypercall_dispatch(&c, (uint32_t)r->rax);
	v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}
