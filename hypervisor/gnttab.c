/*
 * Grant tables in the core (see gnttab.h): frames, the active-grant memfd,
 * guest-to-guest map/unmap through the window, GNTTABOP_copy, and the
 * grant_table_op hypercall.  Each op structure is copied from the guest
 * once, decided on that copy, and its status written back.
 */
#include "gnttab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dyad/xen.h>
#include "domain.h"
#include "grant_pin.h"
#include "hypercall.h"
#include "log.h"

#define GNTTAB_BATCH_MAX 64u /* ops per hypercall */
/*
 * Live guest-to-guest maps in all domains together.  Each splits the
 * window's VMA (up to 2 more VMAs), and dyad-hv is one process with
 * vm.max_map_count (65530) VMAs for everything: guests may not use them up.
 */
#define GNTTAB_MAPS_MAX 16384u

static unsigned int gnttab_live_maps;
#define GNTTAB_PAGE 4096u

int gnttab_init(struct domain *d)
{
	struct gnttab *g = &d->gnttab;
	char name[32];
	void *p;

	pthread_mutex_init(&g->lock, NULL);
	g->ready = true;
	snprintf(name, sizeof(name), "dyad-dom%u-grants", d->id);
	g->act_fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (g->act_fd < 0)
		return -errno;
	if (ftruncate(g->act_fd, DYAD_ACTIVE_GRANT_SIZE) < 0 ||
	    fcntl(g->act_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		return -errno;
	p = mmap(NULL, DYAD_ACTIVE_GRANT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g->act_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	g->act = p;
	grant_pin_table_init(g->act);
	p = mmap(NULL, DYAD_GNTMAP_END - DYAD_GNTMAP_BASE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	g->window = p;
	return 0;
}

int gnttab_set_frame(struct domain *d, uint32_t idx, uint64_t gpa)
{
	struct gnttab *g = &d->gnttab;
	int rc = 0;

	if (idx >= DYAD_GNTTAB_MAX_FRAMES)
		return -EINVAL;
	pthread_mutex_lock(&g->lock);
	if (idx < grant_pin_nr_frames(g->act))
		rc = -EEXIST;
	else if (idx > grant_pin_nr_frames(g->act))
		rc = -EINVAL; /* frames are placed in order */
	else
		grant_pin_table_set_frame(g->act, idx, gpa);
	pthread_mutex_unlock(&g->lock);
	return rc;
}

static struct grant_pin_granter gnttab_granter(struct domain *r)
{
	return (struct grant_pin_granter){
		.ram = r->mem.host, .ram_size = r->mem.size, .act = r->gnttab.act};
}

/* Anonymous zero memory back over slot s. */
static void gnttab_slot_clear(struct gnttab *g, uint32_t s)
{
	void *p = mmap(g->window + (uint64_t)s * GNTTAB_PAGE, GNTTAB_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		log_warn_rl("gnttab: window slot %u not cleared", s);
}

/* Drop slot s's pin in its granter (if that still exists) and clear it (g locked). */
static void gnttab_slot_release(struct gnttab *g, uint32_t s)
{
	struct domain *r;

	domain_table_rdlock();
	r = domain_find(g->slot[s].granter);
	if (r) {
		struct grant_pin_granter gr = gnttab_granter(r);

		if (grant_pin_release(&gr, g->slot[s].ref, s >= DYAD_GNTMAP_PAGES) != GNTST_okay)
			log_warn_rl("gnttab: unpin of d%u ref %u failed", r->id, g->slot[s].ref);
	}
	domain_table_unlock();
	gnttab_slot_clear(g, s);
	g->slot[s].used = false;
	__atomic_sub_fetch(&gnttab_live_maps, 1, __ATOMIC_RELAXED);
}

void gnttab_fini(struct domain *d)
{
	struct gnttab *g = &d->gnttab;

	if (!g->ready)
		return;
	for (uint32_t s = 0; s < GNTTAB_SLOTS; s++)
		if (g->slot[s].used)
			gnttab_slot_release(g, s);
	if (g->window)
		munmap(g->window, DYAD_GNTMAP_END - DYAD_GNTMAP_BASE);
	if (g->act)
		munmap(g->act, DYAD_ACTIVE_GRANT_SIZE);
	if (g->act_fd >= 0)
		close(g->act_fd);
	g->window = NULL;
	g->act = NULL;
	g->act_fd = -1;
	pthread_mutex_destroy(&g->lock);
	g->ready = false;
}

/* host_addr -> slot index for a map of this kind, or -1. */
static int gnttab_slot_of(uint64_t addr, bool readonly)
{
	uint64_t base = readonly ? DYAD_GNTMAP_RO_BASE : DYAD_GNTMAP_BASE;
	uint64_t i = (addr - base) / GNTTAB_PAGE;

	if (addr < base || (addr & (GNTTAB_PAGE - 1)) || i >= DYAD_GNTMAP_PAGES)
		return -1;
	return (int)(i + (readonly ? DYAD_GNTMAP_PAGES : 0));
}

/* Pin and place the page (g locked, the table read-locked). */
static int16_t gnttab_map_into(struct domain *d, struct domain *r, uint32_t s,
			       const struct gnttab_map_grant_ref *op, bool ro)
{
	struct grant_pin_granter gr = gnttab_granter(r);
	uint64_t gpa;
	int16_t st = grant_pin_acquire(&gr, op->ref, (uint16_t)d->id, ro, &gpa);
	void *p;

	if (st != GNTST_okay)
		return st;
	if (__atomic_add_fetch(&gnttab_live_maps, 1, __ATOMIC_RELAXED) > GNTTAB_MAPS_MAX) {
		__atomic_sub_fetch(&gnttab_live_maps, 1, __ATOMIC_RELAXED);
		if (grant_pin_release(&gr, op->ref, ro) != GNTST_okay)
			log_warn_rl("gnttab: unpin after a refused map failed");
		return GNTST_no_space;
	}
	p = mmap(d->gnttab.window + (uint64_t)s * GNTTAB_PAGE, GNTTAB_PAGE,
		 PROT_READ | (ro ? 0 : PROT_WRITE), MAP_SHARED | MAP_FIXED, r->mem.fd, (off_t)gpa);
	if (p == MAP_FAILED) {
		__atomic_sub_fetch(&gnttab_live_maps, 1, __ATOMIC_RELAXED);
		if (grant_pin_release(&gr, op->ref, ro) != GNTST_okay)
			log_warn_rl("gnttab: unpin after a failed map failed");
		gnttab_slot_clear(&d->gnttab, s);
		return GNTST_general_error;
	}
	d->gnttab.slot[s] = (struct gnttab_slot){.used = true, .granter = r->id, .ref = op->ref};
	return GNTST_okay;
}

static int16_t gnttab_map_one(struct domain *d, struct gnttab_map_grant_ref *op)
{
	bool ro = op->flags & GNTMAP_readonly;
	int s = gnttab_slot_of(op->host_addr, ro);
	struct domain *r;
	int16_t st;

	if (!(op->flags & GNTMAP_host_map))
		return GNTST_bad_gntref; /* Xen: neither host nor device map */
	if (op->flags & ~(uint32_t)(GNTMAP_host_map | GNTMAP_readonly))
		return GNTST_general_error; /* device/application map, contains_pte */
	if (s < 0)
		return GNTST_bad_virt_addr;
	if (op->dom == 0 || op->dom == DOMID_SELF || op->dom == d->id)
		return GNTST_bad_domain;
	pthread_mutex_lock(&d->gnttab.lock);
	if (d->gnttab.slot[s].used) {
		st = GNTST_bad_virt_addr; /* the slot holds a mapping already */
	} else {
		domain_table_rdlock();
		r = domain_find(op->dom);
		st = r ? gnttab_map_into(d, r, (uint32_t)s, op, ro) : GNTST_bad_domain;
		domain_table_unlock();
	}
	pthread_mutex_unlock(&d->gnttab.lock);
	if (st == GNTST_okay) {
		op->handle = (grant_handle_t)s;
		op->dev_bus_addr = 0;
	}
	return st;
}

static int16_t gnttab_unmap_one(struct domain *d, const struct gnttab_unmap_grant_ref *op)
{
	uint32_t s = op->handle;
	int16_t st = GNTST_okay;

	if (s >= GNTTAB_SLOTS)
		return GNTST_bad_handle;
	pthread_mutex_lock(&d->gnttab.lock);
	if (!d->gnttab.slot[s].used)
		st = GNTST_bad_handle;
	else if (gnttab_slot_of(op->host_addr, s >= DYAD_GNTMAP_PAGES) != (int)s)
		st = GNTST_bad_virt_addr;
	else
		gnttab_slot_release(&d->gnttab, s);
	pthread_mutex_unlock(&d->gnttab.lock);
	return st;
}

/* One end of a copy, resolved to a host page (pinned if a gref). */
struct gnttab_copy_end {
	struct domain *r; /* granter when pinned */
	uint32_t ref;
	bool pinned, ro;
	uint8_t *page;
};

static int16_t gnttab_copy_resolve(struct domain *d, const struct gnttab_copy_ptr *p, bool gref,
				   bool ro, struct gnttab_copy_end *e)
{
	uint64_t gpa;

	*e = (struct gnttab_copy_end){.ro = ro};
	if (!gref) {
		if (p->domid != DOMID_SELF && p->domid != d->id)
			return GNTST_permission_denied;
		if (p->u.gmfn >= d->mem.size / GNTTAB_PAGE)
			return GNTST_bad_page;
		e->page = d->mem.host + p->u.gmfn * GNTTAB_PAGE;
		return GNTST_okay;
	}
	e->r = p->domid == DOMID_SELF ? d : domain_find(p->domid);
	if (!e->r)
		return GNTST_bad_domain;
	struct grant_pin_granter gr = gnttab_granter(e->r);
	int16_t st = grant_pin_acquire(&gr, p->u.ref, (uint16_t)d->id, ro, &gpa);

	if (st != GNTST_okay)
		return st;
	e->pinned = true;
	e->ref = p->u.ref;
	e->page = e->r->mem.host + gpa;
	return GNTST_okay;
}

static void gnttab_copy_put(struct gnttab_copy_end *e)
{
	struct grant_pin_granter gr;

	if (!e->pinned)
		return;
	gr = gnttab_granter(e->r);
	if (grant_pin_release(&gr, e->ref, e->ro) != GNTST_okay)
		log_warn_rl("gnttab: copy unpin failed");
}

static int16_t gnttab_copy_one(struct domain *d, const struct gnttab_copy *op)
{
	struct gnttab_copy_end src, dst = {0};
	int16_t st = grant_copy_check(op);

	if (st != GNTST_okay)
		return st;
	domain_table_rdlock();
	st = gnttab_copy_resolve(d, &op->source, op->flags & GNTCOPY_source_gref, true, &src);
	if (st == GNTST_okay)
		st = gnttab_copy_resolve(d, &op->dest, op->flags & GNTCOPY_dest_gref, false, &dst);
	if (st == GNTST_okay)
		memmove(dst.page + op->dest.offset, src.page + op->source.offset, op->len);
	gnttab_copy_put(&dst);
	gnttab_copy_put(&src);
	domain_table_unlock();
	return st;
}

static long gnttab_setup_table(struct hc_ctx *c)
{
	struct gnttab_setup_table op;
	uint32_t n;

	if (guest_copy_from(&c->gv, &op, c->arg[1], sizeof(op)))
		return -EFAULT;
	n = grant_pin_nr_frames(c->d->gnttab.act);
	if (op.dom != DOMID_SELF && op.dom != c->d->id)
		op.status = GNTST_permission_denied;
	else if (op.nr_frames > n)
		op.status = GNTST_general_error;
	else
		op.status = GNTST_okay;
	for (uint32_t i = 0; op.status == GNTST_okay && i < op.nr_frames; i++) {
		xen_pfn_t f = c->d->gnttab.act->hdr.frame_gpa[i] / GNTTAB_PAGE;

		if (guest_copy_to(&c->gv, (uint64_t)(uintptr_t)op.frame_list.p + i * sizeof(f), &f,
				  sizeof(f)))
			return -EFAULT;
	}
	return guest_copy_to(&c->gv, c->arg[1], &op, sizeof(op)) ? -EFAULT : 0;
}

static long gnttab_query_size(struct hc_ctx *c)
{
	struct gnttab_query_size op;

	if (guest_copy_from(&c->gv, &op, c->arg[1], sizeof(op)))
		return -EFAULT;
	if (op.dom != DOMID_SELF && op.dom != c->d->id) {
		op.status = GNTST_permission_denied;
	} else {
		op.nr_frames = grant_pin_nr_frames(c->d->gnttab.act);
		op.max_nr_frames = DYAD_GNTTAB_MAX_FRAMES;
		op.status = GNTST_okay;
	}
	return guest_copy_to(&c->gv, c->arg[1], &op, sizeof(op)) ? -EFAULT : 0;
}

static long gnttab_version(struct hc_ctx *c, bool set)
{
	struct gnttab_set_version sv;
	struct gnttab_get_version gv;

	if (set) {
		if (guest_copy_from(&c->gv, &sv, c->arg[1], sizeof(sv)))
			return -EFAULT;
		if (sv.version != 1 && sv.version != 2)
			return -EINVAL;
		if (sv.version == 2)
			return -ENOSYS; /* Xen with v2 disabled: "as before set_version" */
		return 0;
	}
	if (guest_copy_from(&c->gv, &gv, c->arg[1], sizeof(gv)))
		return -EFAULT;
	if (gv.dom != DOMID_SELF && gv.dom != c->d->id)
		return -EPERM;
	gv.version = 1;
	return guest_copy_to(&c->gv, c->arg[1], &gv, sizeof(gv)) ? -EFAULT : 0;
}

/* A batch of map, unmap or copy ops: copy in, decide, write the status back. */
#define GNTTAB_BATCH(NAME, TYPE, FN)                                                               \
	static long NAME(struct hc_ctx *c)                                                         \
	{                                                                                          \
		for (uint64_t i = 0; i < c->arg[2]; i++) {                                         \
			TYPE op;                                                                   \
			uint64_t at = c->arg[1] + i * sizeof(op);                                  \
			if (guest_copy_from(&c->gv, &op, at, sizeof(op)))                          \
				return -EFAULT;                                                    \
			op.status = FN(c->d, &op);                                                 \
			if (guest_copy_to(&c->gv, at, &op, sizeof(op)))                            \
				return -EFAULT;                                                    \
		}                                                                                  \
		return 0;                                                                          \
	}

GNTTAB_BATCH(gnttab_map_batch, struct gnttab_map_grant_ref, gnttab_map_one)
GNTTAB_BATCH(gnttab_unmap_batch, struct gnttab_unmap_grant_ref, gnttab_unmap_one)
GNTTAB_BATCH(gnttab_copy_batch, struct gnttab_copy, gnttab_copy_one)

long hc_grant_table_op(struct hc_ctx *c)
{
	if (c->arg[2] > GNTTAB_BATCH_MAX)
		return -EINVAL;
	switch (c->arg[0]) {
	case GNTTABOP_setup_table:
		return gnttab_setup_table(c);
	case GNTTABOP_query_size:
		return gnttab_query_size(c);
	case GNTTABOP_get_version:
		return gnttab_version(c, false);
	case GNTTABOP_set_version:
		return gnttab_version(c, true);
	case GNTTABOP_map_grant_ref:
		return gnttab_map_batch(c);
	case GNTTABOP_unmap_grant_ref:
		return gnttab_unmap_batch(c);
	case GNTTABOP_copy:
		return gnttab_copy_batch(c);
	default:
		return -ENOSYS;
	}
}
