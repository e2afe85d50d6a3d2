/*
 * hvm_op: HVMOP_get_param for the special pages a guest needs to find
 * (store and console rings and their event channels), as the toolstack set
 * them (hvm_param.c; 0 = not provided).  A guest cannot set them: Xen's
 * HVMOP_set_param is dom0's, here DYAD_CTL_SET_PARAM.
 * HVMOP_set_evtchn_upcall_vector: the vCPU's upcall MSI (evtchn.c).
 */
#include <errno.h>

#include <dyad/xen.h>
#include "domain.h"
#include "evtchn.h"
#include "hvm_param.h"
#include "hypercall.h"

static long hc_hvm_get_param(struct hc_ctx *c)
{
	struct xen_hvm_param p;

	if (guest_copy_from(&c->gv, &p, c->arg[1], sizeof(p)))
		return -EFAULT;
	if (p.domid != DOMID_SELF && p.domid != c->d->id)
		return -EPERM;
	if (hvm_param_get(c->d, p.index, &p.value))
		return -EINVAL;
	return guest_copy_to(&c->gv, c->arg[1], &p, sizeof(p)) ? -EFAULT : 0;
}

static long hc_hvm_upcall_vector(struct hc_ctx *c)
{
	struct xen_hvm_evtchn_upcall_vector u;

	if (guest_copy_from(&c->gv, &u, c->arg[1], sizeof(u)))
		return -EFAULT;
	return evtchn_set_upcall_vector(c->d, u.vcpu, u.vector);
}

long hc_hvm_op(struct hc_ctx *c)
{
	switch (c->arg[0]) {
	case HVMOP_get_param:
		return hc_hvm_get_param(c);
	case HVMOP_set_evtchn_upcall_vector:
		return hc_hvm_upcall_vector(c);
	default:
		return -ENOSYS;
	}
}
