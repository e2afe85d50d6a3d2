/*
 * Grant tables v1, guest side (gnttab.h).
 *
 * The table is a static, page-aligned array in the runtime's bss: frame i
 * is placed with XENMEM_add_to_physmap(XENMAPSPACE_grant_table, idx i) and
 * setup_table must give back exactly those gfns.  Refs below
 * GNTTAB_NR_RESERVED_ENTRIES are Xen's reserved ones and never handed out.
 *
 * Granting writes frame and domid before flags (release order), as the
 * mapper reads flags first.  Ending access is Xen's v1 rule: a cmpxchg loop
 * on flags that refuses while GTF_reading or GTF_writing is set, so a
 * mapper's status bits can never be cleared under it.  Window slots for
 * mapping peers' grants are tracked in two bitmaps (RW and RO windows).
 * Not thread-safe: one vCPU at a time, never from event handlers.
 */
#include "gnttab.h"

#include "hypercall.h"
#include "string.h"

#define RT_GNT_PER_FRAME DYAD_GNTTAB_ENTRIES_PER_FRAME
#define RT_GNT_REFS	 DYAD_GNTTAB_MAX_REFS
#define RT_GNT_NONE	 0xffffffffu

static grant_entry_v1_t rt_gnt_table[DYAD_GNTTAB_MAX_FRAMES][RT_GNT_PER_FRAME]
	__attribute__((aligned(4096)));
static grant_ref_t rt_gnt_next[RT_GNT_REFS];
static grant_ref_t rt_gnt_head = RT_GNT_NONE;
static unsigned int rt_gnt_nr_refs, rt_gnt_free;
static uint64_t rt_gnt_slots_rw[DYAD_GNTMAP_PAGES / 64], rt_gnt_slots_ro[DYAD_GNTMAP_RO_PAGES / 64];

_Static_assert(sizeof(grant_entry_v1_t) * RT_GNT_PER_FRAME == 4096, "one frame");

static int rt_gnttab_place(unsigned int i)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_grant_table,
		.idx = i,
		.gpfn = (uint64_t)rt_gnt_table[i] >> 12,
	};

	return (int)rt_memory_op(XENMEM_add_to_physmap, &xatp);
}

static int rt_gnttab_check_setup(unsigned int frames)
{
	xen_pfn_t pfns[DYAD_GNTTAB_MAX_FRAMES];
	struct gnttab_setup_table op = {.dom = DOMID_SELF, .nr_frames = frames};
	int rc;

	set_xen_guest_handle(op.frame_list, pfns);
	rc = (int)rt_grant_table_op(GNTTABOP_setup_table, &op, 1);
	if (rc || op.status)
		return rc ? rc : op.status;
	for (unsigned int i = 0; i < frames; i++) {
		if (pfns[i] != (uint64_t)rt_gnt_table[i] >> 12)
			return -5; /* EIO: the core disagrees about our frames */
	}
	return 0;
}

int rt_gnttab_init(unsigned int frames)
{
	int rc = 0;

	if (rt_gnt_nr_refs)
		return -17; /* EEXIST */
	if (frames < 1 || frames > DYAD_GNTTAB_MAX_FRAMES)
		return -22; /* EINVAL */
	for (unsigned int i = 0; i < frames && !rc; i++)
		rc = rt_gnttab_place(i);
	if (!rc)
		rc = rt_gnttab_check_setup(frames);
	if (rc)
		return rc;
	rt_gnt_nr_refs = frames * RT_GNT_PER_FRAME;
	for (grant_ref_t r = rt_gnt_nr_refs; r-- > GNTTAB_NR_RESERVED_ENTRIES;) {
		rt_gnt_next[r] = rt_gnt_head;
		rt_gnt_head = r;
		rt_gnt_free++;
	}
	return 0;
}

grant_entry_v1_t *rt_gnttab_entry(grant_ref_t ref)
{
	if (ref >= rt_gnt_nr_refs)
		return 0;
	return &rt_gnt_table[ref / RT_GNT_PER_FRAME][ref % RT_GNT_PER_FRAME];
}

unsigned int rt_gnttab_free_count(void)
{
	return rt_gnt_free;
}

int rt_gnttab_grant_access(domid_t domid, uint64_t gfn, int readonly)
{
	grant_ref_t ref = rt_gnt_head;
	grant_entry_v1_t *e;

	if (ref == RT_GNT_NONE)
		return -28; /* ENOSPC */
	if (gfn > UINT32_MAX)
		return -22; /* v1 frames are 32-bit */
	rt_gnt_head = rt_gnt_next[ref];
	rt_gnt_free--;
	e = rt_gnttab_entry(ref);
	e->frame = (uint32_t)gfn;
	e->domid = domid;
	__atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
			 __ATOMIC_RELEASE);
	return (int)ref;
}

int rt_gnttab_end_access(grant_ref_t ref)
{
	grant_entry_v1_t *e = rt_gnttab_entry(ref);
	uint16_t flags;

	if (!e || ref < GNTTAB_NR_RESERVED_ENTRIES)
		return -22; /* EINVAL */
	flags = __atomic_load_n(&e->flags, __ATOMIC_SEQ_CST);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -16; /* EBUSY: still mapped or being copied */
	} while (!__atomic_compare_exchange_n(&e->flags, &flags, (uint16_t)0, 0, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	if (!(flags & GTF_permit_access))
		return -22; /* not granted: do not free it twice */
	rt_gnt_next[ref] = rt_gnt_head;
	rt_gnt_head = ref;
	rt_gnt_free++;
	return 0;
}

/* A free slot of the window (RW or RO), marked used; -1 when full. */
static int rt_gnttab_slot_get(uint64_t *bits, unsigned int words)
{
	for (unsigned int w = 0; w < words; w++) {
		if (~bits[w]) {
			unsigned int b = (unsigned int)__builtin_ctzll(~bits[w]);

			bits[w] |= 1ull << b;
			return (int)(w * 64 + b);
		}
	}
	return -1;
}

int rt_gnttab_map(domid_t dom, grant_ref_t ref, int readonly, struct rt_gnttab_map *m)
{
	uint64_t *bits = readonly ? rt_gnt_slots_ro : rt_gnt_slots_rw;
	uint64_t base = readonly ? DYAD_GNTMAP_RO_BASE : DYAD_GNTMAP_BASE;
	int slot = rt_gnttab_slot_get(bits, DYAD_GNTMAP_PAGES / 64);
	struct gnttab_map_grant_ref op = {
		.flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
		.ref = ref,
		.dom = dom,
	};
	long rc;

	if (slot < 0)
		return GNTST_no_space;
	op.host_addr = base + (uint64_t)slot * DYAD_PAGE_SIZE;
	rc = rt_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
	if (rc || op.status) {
		bits[slot / 64] &= ~(1ull << (slot % 64));
		return rc ? (int)rc : op.status;
	}
	m->addr = (void *)op.host_addr;
	m->handle = op.handle;
	return GNTST_okay;
}

int rt_gnttab_unmap(struct rt_gnttab_map *m)
{
	struct gnttab_unmap_grant_ref op = {.host_addr = (uint64_t)m->addr, .handle = m->handle};
	long rc = rt_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
	uint64_t a = (uint64_t)m->addr;
	int ro = a >= DYAD_GNTMAP_RO_BASE;
	unsigned int slot =
		(unsigned int)((a - (ro ? DYAD_GNTMAP_RO_BASE : DYAD_GNTMAP_BASE)) >> 12);

	if (rc || op.status)
		return rc ? (int)rc : op.status;
	if (slot < DYAD_GNTMAP_PAGES)
		(ro ? rt_gnt_slots_ro : rt_gnt_slots_rw)[slot / 64] &= ~(1ull << (slot % 64));
	return GNTST_okay;
}

int rt_gnttab_copy(struct gnttab_copy *op)
{
	long rc = rt_grant_table_op(GNTTABOP_copy, op, 1);

	return rc ? (int)rc : op->status;
}
