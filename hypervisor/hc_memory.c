/*
 * memory_op: XENMEM_add_to_physmap for the two spaces Dyad has, shared_info
 * (evtchn.c) and grant-table frames (gnttab.c).  The page is the guest's
 * own RAM; the pages the builder reserves below DYAD_BOOT_FREE are refused.
 * shared_info gets its time fields (shinfo_time.c) when placed.
 */
#include <errno.h>

#include <dyad/abi.h>
#include <dyad/boot.h>
#include <dyad/xen.h>
#include "domain.h"
#include "evtchn.h"
#include "gnttab.h"
#include "hypercall.h"
#include "shinfo_time.h"
#include "vcpu.h"

/* Place shared_info and fill in its time fields from the caller's TSC. */
static long hc_memory_shared_info(struct hc_ctx *c, uint64_t gpa)
{
	uint64_t tsc;
	int rc = vcpu_self_read_tsc(c->v, &tsc);

	if (rc)
		return -EIO;
	rc = evtchn_set_shared_info(c->d, gpa);
	if (!rc)
		shinfo_time_init((struct shared_info *)(void *)(c->d->mem.host + gpa),
				 c->d->nr_vcpus, c->d->tsc_khz, tsc);
	return rc;
}

static long hc_memory_add_to_physmap(struct hc_ctx *c)
{
	struct xen_add_to_physmap x;
	uint64_t gpa;

	if (guest_copy_from(&c->gv, &x, c->arg[1], sizeof(x)))
		return -EFAULT;
	if (x.domid != DOMID_SELF && x.domid != c->d->id)
		return -EPERM;
	if (x.gpfn < DYAD_BOOT_FREE / DYAD_PAGE_SIZE || x.gpfn >= c->d->mem.size / DYAD_PAGE_SIZE)
		return -EINVAL;
	gpa = x.gpfn * DYAD_PAGE_SIZE;
	switch (x.space) {
	case XENMAPSPACE_shared_info:
		return x.idx == 0 ? hc_memory_shared_info(c, gpa) : -EINVAL;
	case XENMAPSPACE_grant_table:
		if (x.idx >= DYAD_GNTTAB_MAX_FRAMES)
			return -EINVAL; /* includes XENMAPIDX_grant_table_status: v1 only */
		return gnttab_set_frame(c->d, (uint32_t)x.idx, gpa);
	default:
		return -EINVAL;
	}
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
