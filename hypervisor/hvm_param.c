/*
 * HVM parameters of a domain (see hvm_param.h).
 *
 * The numbers are Xen's (xen/include/public/hvm/params.h: STORE_PFN 1,
 * STORE_EVTCHN 2, CONSOLE_PFN 17, CONSOLE_EVTCHN 18); each maps to one slot
 * of struct hvm_params.  Values come from dom0 and are validated anyway:
 * a guest trusts what it reads here to find its rings.
 */
#include "hvm_param.h"

#include <errno.h>
#include <stdbool.h>

#include <dyad/abi.h>
#include <dyad/boot.h>
#include <dyad/xen.h>
#include "domain.h"

enum hvm_param_kind { HVM_PARAM_KIND_PFN, HVM_PARAM_KIND_EVTCHN };

/* The slot of a known index, or -1. */
static int hvm_param_slot(uint32_t index, enum hvm_param_kind *kind)
{
	switch (index) {
	case HVM_PARAM_STORE_PFN:
		return *kind = HVM_PARAM_KIND_PFN, 0;
	case HVM_PARAM_STORE_EVTCHN:
		return *kind = HVM_PARAM_KIND_EVTCHN, 1;
	case HVM_PARAM_CONSOLE_PFN:
		return *kind = HVM_PARAM_KIND_PFN, 2;
	case HVM_PARAM_CONSOLE_EVTCHN:
		return *kind = HVM_PARAM_KIND_EVTCHN, 3;
	default:
		return -1;
	}
}

/*
 * A special page is one of the builder's two ring pages or a page of the
 * free area (boot.h): never page 0, shared_info, the hypercall page, the
 * page tables, the start info or the kernel image below DYAD_BOOT_FREE.
 */
static bool hvm_param_ring_pfn(struct domain *d, uint64_t pfn)
{
	if (pfn >= d->mem.size / DYAD_PAGE_SIZE)
		return false;
	return pfn == DYAD_BOOT_STORE_RING / DYAD_PAGE_SIZE ||
	       pfn == DYAD_BOOT_CONSOLE_RING / DYAD_PAGE_SIZE ||
	       pfn >= DYAD_BOOT_FREE / DYAD_PAGE_SIZE;
}

static const char *hvm_param_check(struct domain *d, enum hvm_param_kind kind, uint64_t value)
{
	if (value == 0)
		return NULL; /* not provided */
	if (kind == HVM_PARAM_KIND_PFN && value >= d->mem.size / DYAD_PAGE_SIZE)
		return "the PFN is not a RAM page of the domain";
	if (kind == HVM_PARAM_KIND_PFN && !hvm_param_ring_pfn(d, value))
		return "the PFN is a page the core or the boot layout uses (a ring must be the "
		       "store or console ring page of boot.h, or in the free area)";
	if (kind == HVM_PARAM_KIND_EVTCHN && value >= DYAD_EVTCHN_MAX_PORTS)
		return "the event channel is not a valid port number";
	if (kind == HVM_PARAM_KIND_EVTCHN && !evtchn_port_allocated(d, (uint32_t)value))
		return "the event channel is not allocated in the domain";
	return NULL;
}

int hvm_param_set(struct domain *d, uint32_t index, uint64_t value, const char **why)
{
	enum hvm_param_kind kind;
	int slot = hvm_param_slot(index, &kind);

	*why = slot < 0 ? "unknown HVM parameter (store/console PFN and event channel only)"
			: hvm_param_check(d, kind, value);
	if (*why)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	d->params.value[slot] = value;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int hvm_param_get(struct domain *d, uint32_t index, uint64_t *value)
{
	enum hvm_param_kind kind;
	int slot = hvm_param_slot(index, &kind);

	if (slot < 0)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	*value = d->params.value[slot];
	pthread_mutex_unlock(&d->lock);
	return 0;
}
