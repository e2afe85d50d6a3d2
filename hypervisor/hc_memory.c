/*
 * memory_op: XENMEM_add_to_physmap for the two spaces Dyad has, shared_info
 * and grant-table frames (gnttab.c).  A grant frame is the guest's own RAM;
 * the pages the builder reserves below DYAD_BOOT_FREE are refused.
 * shared_info is placed by the core at creation at DYAD_BOOT_SHARED_INFO
 * (domain.c): the guest's call naming that frame succeeds and changes
 * nothing (a Xen guest makes it, so the runtime keeps it); any other frame
 * would move it and is refused (-EEXIST, as a second placement always was).
 */
#include <errno.h>

#include <dyad/abi.h>
#include <dyad/boot.h>
#include <dyad/xen.h>
#include "domain.h"
#include "evtchn.h"
#include "gnttab.h"
#include "hypercall.h"

/* shared_info is where the core put it; idempotent for that frame only. */
static long hc_memory_shared_info(struct hc_ctx *c, const struct xen_add_to_physmap *x)
{
	if (x->idx != 0 || x->gpfn >= c->d->mem.size / DYAD_PAGE_SIZE)
		return -EINVAL;
	return x->gpfn == DYAD_BOOT_SHARED_INFO / DYAD_PAGE_SIZE ? 0 : -EEXIST;
}

static long hc_memory_add_to_physmap(struct hc_ctx *c)
{
	struct xen_add_to_physmap x;
	uint64_t gpa;

	if (guest_copy_from(&c->gv, &x, c->arg[1], sizeof(x)))
		return -EFAULT;
	if (x.domid != DOMID_SELF && x.domid != c->d->id)
		return -EPERM;
	if (x.space == XENMAPSPACE_shared_info)
		return hc_memory_shared_info(c, &x);
	if (x.gpfn < DYAD_BOOT_FREE / DYAD_PAGE_SIZE || x.gpfn >= c->d->mem.size / DYAD_PAGE_SIZE)
		return -EINVAL;
	gpa = x.gpfn * DYAD_PAGE_SIZE;
	if (x.space != XENMAPSPACE_grant_table || x.idx >= DYAD_GNTTAB_MAX_FRAMES)
		return -EINVAL; /* includes XENMAPIDX_grant_table_status: v1 only */
	return gnttab_set_frame(c->d, (uint32_t)x.idx, gpa);
}

long hc_memory_op(struct hc_ctx *c)
{
	switch (c->arg[0]) {
	case XENMEM_add_to_physmap:
		return hc_memory_add_to_physmap(c);
	default:
		return -ENOSYS;
	}
}
