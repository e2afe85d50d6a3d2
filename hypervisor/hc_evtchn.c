/*
 * event_channel_op: copy the argument structure once, validate, call the
 * port table (evtchn.c), write the results back.  Numbers are range-checked
 * by evtchn.c before they index anything.
 */
#include <errno.h>

#include <dyad/xen.h>
#include "domain.h"
#include "evtchn.h"
#include "hypercall.h"

/* Read, act, write back: each op's argument structure has its own size. */
#define HC_EVTCHN_IO(c, op, body)                                                                  \
	do {                                                                                       \
		int rc_;                                                                           \
		if (guest_copy_from(&(c)->gv, &(op), (c)->arg[1], sizeof(op)))                     \
			return -EFAULT;                                                            \
		rc_ = (body);                                                                      \
		if (rc_)                                                                           \
			return rc_;                                                                \
		return guest_copy_to(&(c)->gv, (c)->arg[1], &(op), sizeof(op)) ? -EFAULT : 0;      \
	} while (0)

static bool hc_evtchn_self(struct hc_ctx *c, domid_t dom)
{
	return dom == DOMID_SELF || dom == c->d->id;
}

static long hc_evtchn_alloc_unbound(struct hc_ctx *c)
{
	evtchn_alloc_unbound_t op;

	HC_EVTCHN_IO(c, op,
		     !hc_evtchn_self(c, op.dom)
			     ? -EPERM
			     : evtchn_alloc_unbound(c->d, op.remote_dom, &op.port));
}

static long hc_evtchn_bind_interdomain(struct hc_ctx *c)
{
	evtchn_bind_interdomain_t op;

	HC_EVTCHN_IO(c, op,
		     evtchn_bind_interdomain(c->d, op.remote_dom, op.remote_port, &op.local_port));
}

static long hc_evtchn_bind_virq(struct hc_ctx *c)
{
	evtchn_bind_virq_t op;

	HC_EVTCHN_IO(c, op, evtchn_bind_virq(c->d, op.virq, op.vcpu, &op.port));
}

static long hc_evtchn_bind_ipi(struct hc_ctx *c)
{
	evtchn_bind_ipi_t op;

	HC_EVTCHN_IO(c, op, evtchn_bind_ipi(c->d, op.vcpu, &op.port));
}

static long hc_evtchn_status(struct hc_ctx *c)
{
	evtchn_status_t op;

	HC_EVTCHN_IO(c, op, !hc_evtchn_self(c, op.dom) ? -EPERM : evtchn_status(c->d, &op));
}

/* The ops whose argument is read only. */
static long hc_evtchn_simple(struct hc_ctx *c)
{
	union {
		evtchn_send_t send;
		evtchn_close_t close;
		evtchn_unmask_t unmask;
		evtchn_bind_vcpu_t bind_vcpu;
	} u;
	size_t n = c->arg[0] == EVTCHNOP_bind_vcpu ? sizeof(u.bind_vcpu) : sizeof(u.send);

	if (guest_copy_from(&c->gv, &u, c->arg[1], n))
		return -EFAULT;
	switch (c->arg[0]) {
	case EVTCHNOP_send:
		return evtchn_send(c->d, u.send.port);
	case EVTCHNOP_close:
		return evtchn_close(c->d, u.close.port);
	case EVTCHNOP_unmask:
		return evtchn_unmask(c->d, u.unmask.port);
	default:
		return evtchn_bind_vcpu(c->d, u.bind_vcpu.port, u.bind_vcpu.vcpu);
	}
}

long hc_event_channel_op(struct hc_ctx *c)
{
	switch (c->arg[0]) {
	case EVTCHNOP_alloc_unbound:
		return hc_evtchn_alloc_unbound(c);
	case EVTCHNOP_bind_interdomain:
		return hc_evtchn_bind_interdomain(c);
	case EVTCHNOP_bind_virq:
		return hc_evtchn_bind_virq(c);
	case EVTCHNOP_bind_ipi:
		return hc_evtchn_bind_ipi(c);
	case EVTCHNOP_status:
		return hc_evtchn_status(c);
	case EVTCHNOP_send:
	case EVTCHNOP_close:
	case EVTCHNOP_unmask:
	case EVTCHNOP_bind_vcpu:
		return hc_evtchn_simple(c);
	default:
		return -ENOSYS;
	}
}
