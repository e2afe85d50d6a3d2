/*
 * Grant tables in the core and the shared pin rules (lib/grant_pin.c) over
 * real domains, real memfds and the real grant-map window, with the fake
 * KVM: frame placement, setup/query/version ops, guest-to-guest map and
 * unmap (the mapper's window shows the granter's page), pin counts with two
 * mappers, end-access while mapped, every GNTST_* error path the core can
 * return, GNTTABOP_copy, and destroy releasing pins.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <dyad/abi.h>
#include <dyad/xen.h>
#include "fake_kvm.h"
#include "grant_pin.h"
#include "notify.h"
#include "test_hv.h"

#define ARG	  0x300000ull /* argument area */
#define FRAME_GPA 0x110000ull /* the granter's grant frame 0 */
#define PAGE_GPA  0x200000ull /* the granted page */
#define MEM_MB	  8u
#define REF	  5u

static struct domain *g, *m, *x; /* granter, mapper, bystander */

static long hc(struct domain *dom, uint64_t nr, uint64_t a0, void *arg, size_t len, uint64_t count)
{
	struct hc_ctx c = hv_test_ctx(dom, 0, 0x10000, 0);
	long rc;

	memcpy(dom->mem.host + ARG, arg, len);
	c.arg[0] = a0, c.arg[1] = ARG, c.arg[2] = count;
	rc = hypercall_dispatch(&c, nr);
	memcpy(arg, dom->mem.host + ARG, len);
	return rc;
}

static long place_frame(struct domain *dom, uint64_t idx, uint64_t gpfn)
{
	struct xen_add_to_physmap a = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = idx, .gpfn = gpfn};

	return hc(dom, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, &a, sizeof(a), 0);
}

static struct domain *make(const char *name)
{
	struct domain *dom = hv_test_domain(name, MEM_MB, 1, 0);
	struct pt_builder pt;

	pt_init(&pt, dom->mem.host, dom->mem.size, 0x10000);
	for (uint64_t va = 0; va < MEM_MB << 20; va += 2ull << 20)
		pt_map(&pt, va, va, PT_P | PT_W | PT_U, 2ull << 20);
	return dom;
}

static grant_entry_v1_t *gent(uint32_t ref)
{
	return (grant_entry_v1_t *)(void *)(g->mem.host + FRAME_GPA) + ref;
}

static void grant(uint32_t ref, domid_t to, uint16_t flags, uint64_t gpa)
{
	gent(ref)->domid = to;
	gent(ref)->frame = (uint32_t)(gpa >> 12);
	__atomic_store_n(&gent(ref)->flags, flags, __ATOMIC_SEQ_CST);
}

static void setup(void)
{
	hv_test_setup();
	g = make("granter");
	m = make("mapper");
	x = make("bystander");
	ck_assert_int_eq(place_frame(g, 0, FRAME_GPA >> 12), 0);
	grant(REF, (domid_t)m->id, GTF_permit_access, PAGE_GPA);
	memcpy(g->mem.host + PAGE_GPA, "granted page", 13);
}

static void teardown(void)
{
	domain_destroy_all();
	notify_fini();
}

static struct gnttab_map_grant_ref map_op(uint64_t addr, uint32_t flags, domid_t dom, uint32_t ref)
{
	return (struct gnttab_map_grant_ref){
		.host_addr = addr, .flags = flags, .ref = ref, .dom = dom};
}

static int16_t do_map(struct domain *dom, struct gnttab_map_grant_ref *op)
{
	ck_assert_int_eq(
		hc(dom, __HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, op, sizeof(*op), 1),
		0);
	return op->status;
}

static int16_t do_unmap(struct domain *dom, uint64_t addr, grant_handle_t h)
{
	struct gnttab_unmap_grant_ref op = {.host_addr = addr, .handle = h};

	ck_assert_int_eq(
		hc(dom, __HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, &op, sizeof(op), 1),
		0);
	return op.status;
}

/* The granter's end-access, as a guest does it (Linux's gnttab_end_foreign_access_ref). */
static bool end_access(uint32_t ref)
{
	uint16_t flags = __atomic_load_n(&gent(ref)->flags, __ATOMIC_SEQ_CST);

	do {
		if (flags & (GTF_reading | GTF_writing))
			return false;
	} while (!__atomic_compare_exchange_n(&gent(ref)->flags, &flags, 0, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	return true;
}

START_TEST(frames_and_table_ops)
{
	struct gnttab_query_size q = {.dom = DOMID_SELF};
	struct gnttab_get_version gv = {.dom = DOMID_SELF};
	struct gnttab_set_version sv = {.version = 2};
	struct {
		struct gnttab_setup_table op;
		xen_pfn_t frames[4];
	} st;

	ck_assert_int_eq(place_frame(g, 0, 0x120), -EEXIST);
	ck_assert_int_eq(place_frame(g, 2, 0x120), -EINVAL); /* in order */
	ck_assert_int_eq(place_frame(g, 4, 0x120), -EINVAL);
	ck_assert_int_eq(place_frame(g, XENMAPIDX_grant_table_status, 0x120), -EINVAL);
	ck_assert_int_eq(place_frame(g, 1, 0x10), -EINVAL); /* builder pages */
	ck_assert_int_eq(place_frame(g, 1, MEM_MB << 8), -EINVAL);
	ck_assert_int_eq(place_frame(g, 1, 0x120), 0);
	ck_assert_int_eq(hc(g, __HYPERVISOR_grant_table_op, GNTTABOP_query_size, &q, sizeof(q), 1),
			 0);
	ck_assert_int_eq(q.status, GNTST_okay);
	ck_assert_uint_eq(q.nr_frames, 2);
	ck_assert_uint_eq(q.max_nr_frames, DYAD_GNTTAB_MAX_FRAMES);
	q.dom = (domid_t)m->id;
	ck_assert_int_eq(hc(g, __HYPERVISOR_grant_table_op, GNTTABOP_query_size, &q, sizeof(q), 1),
			 0);
	ck_assert_int_eq(q.status, GNTST_permission_denied);
	ck_assert_int_eq(
		hc(g, __HYPERVISOR_grant_table_op, GNTTABOP_get_version, &gv, sizeof(gv), 1), 0);
	ck_assert_uint_eq(gv.version, 1);
	ck_assert_int_eq(
		hc(g, __HYPERVISOR_grant_table_op, GNTTABOP_set_version, &sv, sizeof(sv), 1),
		-ENOSYS);
	sv.version = 3;
	ck_assert_int_eq(
		hc(g, __HYPERVISOR_grant_table_op, GNTTABOP_set_version, &sv, sizeof(sv), 1),
		-EINVAL);
	sv.version = 1;
	ck_assert_int_eq(
		hc(g, __HYPERVISOR_grant_table_op, GNTTABOP_set_version, &sv, sizeof(sv), 1), 0);
	memset(&st, 0, sizeof(st));
	st.op.dom = DOMID_SELF;
	st.op.nr_frames = 2;
	set_xen_guest_handle(st.op.frame_list, (xen_pfn_t *)(uintptr_t)(ARG + sizeof(st.op)));
	ck_assert_int_eq(
		hc(g, __HYPERVISOR_grant_table_op, GNTTABOP_setup_table, &st, sizeof(st), 1), 0);
	ck_assert_int_eq(st.op.status, GNTST_okay);
	ck_assert_uint_eq(st.frames[0], FRAME_GPA >> 12);
	ck_assert_uint_eq(st.frames[1], 0x120);
	st.op.nr_frames = 3;
	ck_assert_int_eq(
		hc(g, __HYPERVISOR_grant_table_op, GNTTABOP_setup_table, &st, sizeof(st), 1), 0);
	ck_assert_int_eq(st.op.status, GNTST_general_error);
	ck_assert_int_eq(hc(g, __HYPERVISOR_grant_table_op, 99, &st, sizeof(st), 1), -ENOSYS);
	ck_assert_int_eq(hc(g, __HYPERVISOR_grant_table_op, GNTTABOP_copy, &st, sizeof(st), 65),
			 -EINVAL);
	/* the live copy dom0 reads */
	ck_assert_uint_eq(g->gnttab.act->hdr.nr_frames, 2);
	ck_assert_uint_eq(g->gnttab.act->hdr.frame_gpa[1], 0x120000);
	ck_assert_uint_eq(g->gnttab.act->hdr.magic, DYAD_ACTIVE_GRANT_MAGIC);
}
END_TEST

START_TEST(map_shows_granter_page)
{
	struct gnttab_map_grant_ref op =
		map_op(DYAD_GNTMAP_BASE + 3 * 4096, GNTMAP_host_map, (domid_t)g->id, REF);
	uint8_t *slot = m->gnttab.window + 3 * 4096;

	ck_assert_int_eq(do_map(m, &op), GNTST_okay);
	ck_assert_uint_eq(op.handle, 3);
	ck_assert_str_eq((char *)slot, "granted page");
	memcpy(g->mem.host + PAGE_GPA, "changed", 8); /* the granter writes: seen at once */
	ck_assert_str_eq((char *)slot, "changed");
	memcpy(slot, "mapper", 7); /* and the other way */
	ck_assert_str_eq((char *)g->mem.host + PAGE_GPA, "mapper");
	ck_assert_uint_eq(gent(REF)->flags, GTF_permit_access | GTF_reading | GTF_writing);
	ck_assert(!end_access(REF));
	ck_assert_int_eq(do_unmap(m, DYAD_GNTMAP_BASE + 3 * 4096, 3), GNTST_okay);
	ck_assert_uint_eq(slot[0], 0); /* gone: zeros again */
	ck_assert_uint_eq(gent(REF)->flags, GTF_permit_access);
	ck_assert(end_access(REF));
}
END_TEST

START_TEST(readonly_map)
{
	struct gnttab_map_grant_ref op =
		map_op(DYAD_GNTMAP_RO_BASE, GNTMAP_host_map | GNTMAP_readonly, (domid_t)g->id, REF);

	grant(REF, (domid_t)m->id, GTF_permit_access | GTF_readonly, PAGE_GPA);
	ck_assert_int_eq(do_map(m, &op), GNTST_okay);
	ck_assert_uint_eq(op.handle, DYAD_GNTMAP_PAGES);
	ck_assert_str_eq((char *)m->gnttab.window + DYAD_GNTMAP_SIZE, "granted page");
	ck_assert_uint_eq(gent(REF)->flags, GTF_permit_access | GTF_readonly | GTF_reading);
	op = map_op(DYAD_GNTMAP_BASE, GNTMAP_host_map, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_general_error); /* write map of a r/o grant */
	ck_assert_int_eq(do_unmap(m, DYAD_GNTMAP_RO_BASE, DYAD_GNTMAP_PAGES), GNTST_okay);
	ck_assert_uint_eq(gent(REF)->flags, GTF_permit_access | GTF_readonly);
}
END_TEST

/* Two mappers of one grant (the core's mapping and a dom0-style pin): no bit lost early. */
START_TEST(pin_counts_two_mappers)
{
	struct grant_pin_granter gr = {
		.ram = g->mem.host, .ram_size = g->mem.size, .act = g->gnttab.act};
	struct gnttab_map_grant_ref op1 =
		map_op(DYAD_GNTMAP_BASE, GNTMAP_host_map, (domid_t)g->id, REF);
	struct gnttab_map_grant_ref op2 = map_op(
		DYAD_GNTMAP_RO_BASE + 4096, GNTMAP_host_map | GNTMAP_readonly, (domid_t)g->id, REF);
	uint64_t gpa;

	ck_assert_int_eq(do_map(m, &op1), GNTST_okay);
	ck_assert_int_eq(do_map(m, &op2), GNTST_okay);
	ck_assert_int_eq(grant_pin_acquire(&gr, REF, (uint16_t)m->id, false, &gpa), GNTST_okay);
	ck_assert_uint_eq(gpa, PAGE_GPA);
	ck_assert_uint_eq(g->gnttab.act->e[REF].pin_write, 2);
	ck_assert_uint_eq(g->gnttab.act->e[REF].pin_read, 1);
	ck_assert_int_eq(do_unmap(m, DYAD_GNTMAP_BASE, 0), GNTST_okay);
	ck_assert_uint_eq(gent(REF)->flags, GTF_permit_access | GTF_reading | GTF_writing);
	ck_assert_int_eq(grant_pin_release(&gr, REF, false), GNTST_okay);
	ck_assert_uint_eq(gent(REF)->flags, GTF_permit_access | GTF_reading); /* r/o map left */
	ck_assert(!end_access(REF));
	ck_assert_int_eq(grant_pin_release(&gr, REF, false), GNTST_general_error); /* no pin */
	ck_assert_int_eq(do_unmap(m, DYAD_GNTMAP_RO_BASE + 4096, DYAD_GNTMAP_PAGES + 1),
			 GNTST_okay);
	ck_assert_uint_eq(gent(REF)->flags, GTF_permit_access);
	ck_assert(end_access(REF));
	/* another grantee cannot pin what m has pinned, nor what is not granted to it */
	grant(REF, (domid_t)m->id, GTF_permit_access, PAGE_GPA);
	ck_assert_int_eq(do_map(m, &op1), GNTST_okay);
	ck_assert_int_eq(grant_pin_acquire(&gr, REF, 0, true, &gpa), GNTST_general_error);
	ck_assert_int_eq(do_unmap(m, DYAD_GNTMAP_BASE, 0), GNTST_okay);
}
END_TEST

START_TEST(map_errors)
{
	struct gnttab_map_grant_ref op;
	uint64_t w = DYAD_GNTMAP_BASE;

	op = map_op(w, 0, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_gntref); /* neither host nor device map */
	op = map_op(w, GNTMAP_host_map | GNTMAP_device_map, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_general_error);
	op = map_op(w, GNTMAP_host_map | GNTMAP_contains_pte, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_general_error);
	op = map_op(w + 1, GNTMAP_host_map, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_virt_addr); /* unaligned */
	op = map_op(0x200000, GNTMAP_host_map, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_virt_addr); /* RAM, not the window */
	op = map_op(DYAD_GNTMAP_RO_BASE, GNTMAP_host_map, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_virt_addr); /* writable in the RO window */
	op = map_op(w, GNTMAP_host_map | GNTMAP_readonly, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_virt_addr); /* RO in the RW window */
	op = map_op(DYAD_GNTMAP_END, GNTMAP_host_map | GNTMAP_readonly, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_virt_addr);
	op = map_op(w, GNTMAP_host_map, 0, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_domain);
	op = map_op(w, GNTMAP_host_map, DOMID_SELF, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_domain);
	op = map_op(w, GNTMAP_host_map, (domid_t)m->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_domain);
	op = map_op(w, GNTMAP_host_map, 4000, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_domain);
	op = map_op(w, GNTMAP_host_map, (domid_t)g->id, 512); /* frame 1 not placed */
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_gntref);
	op = map_op(w, GNTMAP_host_map, (domid_t)g->id, ~0u);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_gntref);
	op = map_op(w, GNTMAP_host_map, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(x, &op), GNTST_general_error); /* granted to someone else */
	op = map_op(w, GNTMAP_host_map, (domid_t)g->id, REF + 1);
	ck_assert_int_eq(do_map(m, &op), GNTST_general_error); /* GTF_invalid */
	grant(REF + 2, (domid_t)m->id, GTF_accept_transfer, PAGE_GPA);
	op = map_op(w, GNTMAP_host_map, (domid_t)g->id, REF + 2);
	ck_assert_int_eq(do_map(m, &op), GNTST_general_error); /* not permit_access */
	grant(REF + 3, (domid_t)m->id, GTF_permit_access, (uint64_t)MEM_MB << 20);
	op = map_op(w, GNTMAP_host_map, (domid_t)g->id, REF + 3);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_page); /* frame beyond the granter's RAM */
	ck_assert_uint_eq(gent(REF + 3)->flags, GTF_permit_access); /* bits undone */
	/* lock held (a dom0 process died holding it): bounded spin, then eagain */
	g->gnttab.act->e[REF].lock = 1;
	op = map_op(w, GNTMAP_host_map, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_eagain);
	g->gnttab.act->e[REF].lock = 0;
	/* an occupied slot */
	ck_assert_int_eq(do_map(m, &op), GNTST_okay);
	op = map_op(w, GNTMAP_host_map, (domid_t)g->id, REF);
	ck_assert_int_eq(do_map(m, &op), GNTST_bad_virt_addr);
	/* unmap errors */
	ck_assert_int_eq(do_unmap(m, w, 1), GNTST_bad_handle);	   /* not mapped */
	ck_assert_int_eq(do_unmap(m, w, 60000), GNTST_bad_handle); /* out of range */
	ck_assert_int_eq(do_unmap(m, w + 4096, 0), GNTST_bad_virt_addr);
	ck_assert_int_eq(do_unmap(m, w, 0), GNTST_okay);
	ck_assert_int_eq(do_unmap(m, w, 0), GNTST_bad_handle);
	/* a batch stops at a bad pointer with -EFAULT */
	struct hc_ctx c = hv_test_ctx(m, 0, 0x10000, 0);
	c.arg[0] = GNTTABOP_map_grant_ref, c.arg[1] = 0x50000000ull, c.arg[2] = 1;
	ck_assert_int_eq(hypercall_dispatch(&c, __HYPERVISOR_grant_table_op), -EFAULT);
}
END_TEST

static int16_t do_copy(struct domain *dom, struct gnttab_copy *op)
{
	ck_assert_int_eq(hc(dom, __HYPERVISOR_grant_table_op, GNTTABOP_copy, op, sizeof(*op), 1),
			 0);
	return op->status;
}

START_TEST(copy)
{
	struct gnttab_copy op = {0};

	/* from the grant into m's own page 0x400 */
	op.source.u.ref = REF;
	op.source.domid = (domid_t)g->id;
	op.source.offset = 0;
	op.dest.u.gmfn = 0x400;
	op.dest.domid = DOMID_SELF;
	op.dest.offset = 100;
	op.len = 13;
	op.flags = GNTCOPY_source_gref;
	ck_assert_int_eq(do_copy(m, &op), GNTST_okay);
	ck_assert_str_eq((char *)m->mem.host + 0x400000 + 100, "granted page");
	ck_assert_uint_eq(gent(REF)->flags, GTF_permit_access); /* transient pin released */
	/* into the grant */
	memcpy(m->mem.host + 0x401000, "from m", 7);
	op = (struct gnttab_copy){.flags = GNTCOPY_dest_gref, .len = 7};
	op.source.u.gmfn = 0x401;
	op.source.domid = (domid_t)m->id;
	op.dest.u.ref = REF;
	op.dest.domid = (domid_t)g->id;
	op.dest.offset = 4096 - 7;
	ck_assert_int_eq(do_copy(m, &op), GNTST_okay);
	ck_assert_str_eq((char *)g->mem.host + PAGE_GPA + 4096 - 7, "from m");
	/* errors */
	op.dest.offset = 4096 - 6;
	ck_assert_int_eq(do_copy(m, &op), GNTST_bad_copy_arg);
	op.dest.offset = 0;
	op.flags |= 0x100;
	ck_assert_int_eq(do_copy(m, &op), GNTST_bad_copy_arg);
	op.flags = GNTCOPY_dest_gref;
	op.source.domid = (domid_t)g->id; /* a gmfn of another domain */
	ck_assert_int_eq(do_copy(m, &op), GNTST_permission_denied);
	op.source.domid = DOMID_SELF;
	op.source.u.gmfn = MEM_MB << 8;
	ck_assert_int_eq(do_copy(m, &op), GNTST_bad_page);
	op.source.u.gmfn = 0x401;
	op.dest.domid = 4000;
	ck_assert_int_eq(do_copy(m, &op), GNTST_bad_domain);
	op.dest.domid = (domid_t)g->id;
	op.dest.u.ref = 3000;
	ck_assert_int_eq(do_copy(m, &op), GNTST_bad_gntref);
	grant(REF, (domid_t)m->id, GTF_permit_access | GTF_readonly, PAGE_GPA);
	op.dest.u.ref = REF;
	ck_assert_int_eq(do_copy(m, &op), GNTST_general_error); /* write into a r/o grant */
	ck_assert_int_eq(do_copy(x, &op), GNTST_general_error); /* not x's grant */
}
END_TEST

/* Destroying the mapper releases its pins; destroying the granter leaves the mapper sane. */
START_TEST(destroy_releases)
{
	struct gnttab_map_grant_ref op =
		map_op(DYAD_GNTMAP_BASE, GNTMAP_host_map, (domid_t)g->id, REF);
	uint8_t *slot;

	ck_assert_int_eq(do_map(m, &op), GNTST_okay);
	domain_destroy(m);
	ck_assert_uint_eq(gent(REF)->flags, GTF_permit_access);
	ck_assert_uint_eq(g->gnttab.act->e[REF].pin_write, 0);
	grant(REF, (domid_t)x->id, GTF_permit_access, PAGE_GPA);
	ck_assert_int_eq(do_map(x, &op), GNTST_okay);
	slot = x->gnttab.window;
	domain_destroy(g);
	ck_assert_str_eq((char *)slot, "granted page"); /* still the page, as in Xen */
	ck_assert_int_eq(do_unmap(x, DYAD_GNTMAP_BASE, 0), GNTST_okay);
	ck_assert_uint_eq(slot[0], 0);
}
END_TEST

/* A vCPU-thread style mapper races domain create/destroy (the table lock); ASan/TSan. */
static int race_stop;

static void *race_mapper(void *arg)
{
	struct gnttab_map_grant_ref op;
	struct gnttab_unmap_grant_ref un = {.host_addr = DYAD_GNTMAP_BASE, .handle = 0};
	struct gnttab_copy cp = {.flags = GNTCOPY_source_gref, .len = 8};

	(void)arg;
	cp.source.u.ref = REF;
	cp.source.domid = (domid_t)g->id;
	cp.dest.u.gmfn = 0x400;
	cp.dest.domid = DOMID_SELF;
	while (!__atomic_load_n(&race_stop, __ATOMIC_RELAXED)) {
		struct hc_ctx c = hv_test_ctx(m, 0, 0x10000, 0);

		op = map_op(DYAD_GNTMAP_BASE, GNTMAP_host_map, (domid_t)g->id, REF);
		memcpy(m->mem.host + ARG, &op, sizeof(op));
		memcpy(m->mem.host + ARG + 0x1000, &un, sizeof(un));
		memcpy(m->mem.host + ARG + 0x2000, &cp, sizeof(cp));
		c.arg[1] = ARG, c.arg[2] = 1;
		c.arg[0] = GNTTABOP_map_grant_ref;
		(void)hypercall_dispatch(&c, __HYPERVISOR_grant_table_op);
		c.arg[0] = GNTTABOP_copy, c.arg[1] = ARG + 0x2000;
		(void)hypercall_dispatch(&c, __HYPERVISOR_grant_table_op);
		c.arg[0] = GNTTABOP_unmap_grant_ref, c.arg[1] = ARG + 0x1000;
		(void)hypercall_dispatch(&c, __HYPERVISOR_grant_table_op);
	}
	return NULL;
}

START_TEST(concurrent_map_destroy)
{
	pthread_t t;

	__atomic_store_n(&race_stop, 0, __ATOMIC_RELAXED);
	ck_assert_int_eq(pthread_create(&t, NULL, race_mapper, NULL), 0);
	for (int i = 0; i < 30; i++) {
		domain_destroy(x);
		x = make("bystander");
	}
	__atomic_store_n(&race_stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	ck_assert_uint_eq(g->gnttab.act->e[REF].pin_write, 0);
	ck_assert_uint_eq(gent(REF)->flags, GTF_permit_access);
}
END_TEST

static Suite *gnttab_suite(void)
{
	Suite *s = suite_create("gnttab");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, frames_and_table_ops);
	tcase_add_test(tc, map_shows_granter_page);
	tcase_add_test(tc, readonly_map);
	tcase_add_test(tc, pin_counts_two_mappers);
	tcase_add_test(tc, map_errors);
	tcase_add_test(tc, copy);
	tcase_add_test(tc, destroy_releases);
	tcase_add_test(tc, concurrent_map_destroy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gnttab_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
