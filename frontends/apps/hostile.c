/*
 * app=hostile: hammer the guest ABI with invalid arguments.  Every call is
 * one the core must refuse: bad ports, domids, refs, frames and grant
 * handles, bad pointers (NULL, supervisor pages of the nucleus, the boot
 * tables and page tables, beyond RAM, non-canonical, kernel half, a struct
 * spanning the end of RAM, the read-only hypercall page as an output),
 * unknown hypercall numbers and sub-ops, huge counts.  Each call prints
 * "hostile: <what> -> <rc>"; a call that is not refused also prints
 * "hostile: NOT REFUSED: <what>".  The last line is
 * "hostile: N calls, all refused" (or "hostile: N calls, K not refused"),
 * then the domain powers off.
 *
 *   peer=D     also attack domain D (a bystander): its ports and refs
 *   rounds=N   repeat the barrage N times (default 1; rounds after the
 *              first print one summary line each: "hostile: round R: ...")
 *   doorbells=N bad doorbell writes per round (default 1000; no result)
 *
 * Nothing here may crash this guest: no pointer is dereferenced by the
 * guest itself, and no call that could shut the domain down gets memory
 * whose contents might pass for a valid request.
 */
#include "apps.h"

#include "../runtime/cmdline.h"
#include "../runtime/events.h"
#include "../runtime/gnttab.h"
#include "../runtime/hypercall.h"
#include "../runtime/printf.h"
#include "../runtime/string.h"

struct hostile {
	unsigned long calls, accepted;
	int quiet;
	uint64_t ram;  /* bytes of RAM (dyad_boot_ext) */
	uint64_t peer; /* 0 = none */
};

static struct hostile H;
/* The only page a call that wrongly succeeded could write: never our code or data. */
static uint8_t hostile_scratch[4096] __attribute__((aligned(4096)));
#define SCRATCH ((uint64_t)hostile_scratch >> 12)

/* Any hypercall number, trapping inline (the page has stubs for 0..63 only). */
static long hostile_trap(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			 uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a4;
	register uint64_t r8 __asm__("r8") = a5;
	long ret;

	__asm__ volatile("outl %%eax, %[port]"
			 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
			 : "0"(nr), [port] "i"(DYAD_HYPERCALL_PORT)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}

static void hostile_note(const char *what, long rc)
{
	H.calls++;
	if (rc >= 0)
		H.accepted++;
	if (!H.quiet)
		rt_printf("hostile: %s -> %ld\n", what, rc);
	if (rc >= 0)
		rt_printf("hostile: NOT REFUSED: %s\n", what);
}

/* A call with a formatted name; rc < 0 is a refusal. */
#define HOSTILE(rc, ...)                                                                           \
	do {                                                                                       \
		char what_[96];                                                                    \
		long rc_ = (rc);                                                                   \
		rt_snprintf(what_, sizeof(what_), __VA_ARGS__);                                    \
		hostile_note(what_, rc_);                                                          \
	} while (0)

/* The bad pointers every pointer-taking call is tried with. */
static unsigned int hostile_ptrs(uint64_t *p, const char **name)
{
	static const char *const names[] = {"NULL",	   "nucleus",	       "IDT",
					    "page tables", "beyond RAM",       "non-canonical",
					    "kernel half", "spanning RAM end", "window end"};
	uint64_t v[] = {0,
			DYAD_BOOT_IMAGE,
			DYAD_BOOT_IDT,
			DYAD_BOOT_PML4,
			H.ram + 0x1000,
			0x8000000000000000ull,
			0xffff800000000000ull,
			H.ram - 4,
			DYAD_GNTMAP_END - 2};

	for (unsigned int i = 0; i < 9; i++) {
		p[i] = v[i];
		name[i] = names[i];
	}
	return 9;
}

static void hostile_numbers(void)
{
	static const uint64_t nrs[] = {40, 63, 64, 1000, 0xffffffffull, 0x100000000ull + 29};

	/* a1 = 99: even a core that truncates the number to 32 bits sees a bad sub-op */
	for (unsigned int i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		HOSTILE(hostile_trap(nrs[i], 99, 0, 0, 0, 0), "hypercall nr 0x%llx",
			(unsigned long long)nrs[i]);
	HOSTILE(rt_hypercall(__HYPERVISOR_set_trap_table, 0, 0, 0, 0, 0), "set_trap_table");
	HOSTILE(rt_hypercall(__HYPERVISOR_mmu_update, 0, 0, 0, 0, 0), "mmu_update");
	HOSTILE(rt_evtchn_op(99, 0), "evtchn_op cmd 99");
	HOSTILE(rt_evtchn_op(-1, 0), "evtchn_op cmd -1");
	HOSTILE(rt_memory_op(999, 0), "memory_op cmd 999");
	HOSTILE(rt_grant_table_op(99, 0, 1), "grant_table_op cmd 99");
	HOSTILE(rt_hvm_op(999, 0), "hvm_op cmd 999");
	HOSTILE(rt_sched_op(99, 0), "sched_op cmd 99");
	HOSTILE(rt_vcpu_op(99, 0, 0), "vcpu_op cmd 99");
	HOSTILE(rt_console_io(99, 0, 0), "console_io cmd 99");
	HOSTILE(rt_hypercall(__HYPERVISOR_xen_version, 99, 0, 0, 0, 0), "xen_version cmd 99");
	HOSTILE(rt_hypercall(__HYPERVISOR_callback_op, 0, 0, 0, 0, 0), "callback_op");
}

static void hostile_pointers(void)
{
	uint64_t p[9];
	const char *n[9];
	unsigned int k = hostile_ptrs(p, n);

	for (unsigned int i = 0; i < k; i++) {
		HOSTILE(rt_evtchn_op(EVTCHNOP_alloc_unbound, (void *)p[i]), "alloc_unbound ptr %s",
			n[i]);
		HOSTILE(rt_evtchn_op(EVTCHNOP_send, (void *)p[i]), "evtchn send ptr %s", n[i]);
		HOSTILE(rt_memory_op(XENMEM_add_to_physmap, (void *)p[i]), "add_to_physmap ptr %s",
			n[i]);
		HOSTILE(rt_grant_table_op(GNTTABOP_setup_table, (void *)p[i], 1),
			"setup_table ptr %s", n[i]);
		HOSTILE(rt_grant_table_op(GNTTABOP_copy, (void *)p[i], 1), "gnttab copy ptr %s",
			n[i]);
		HOSTILE(rt_grant_table_op(GNTTABOP_map_grant_ref, (void *)p[i], 1), "map ptr %s",
			n[i]);
		HOSTILE(rt_hvm_op(HVMOP_set_evtchn_upcall_vector, (void *)p[i]),
			"upcall_vector ptr %s", n[i]);
		HOSTILE(rt_console_io(CONSOLEIO_write, 64, (void *)p[i]), "console write ptr %s",
			n[i]);
		if (i == 0 || i == 4) /* only pointers that cannot hold a valid shutdown reason */
			HOSTILE(rt_sched_op(SCHEDOP_shutdown, (void *)p[i]), "shutdown ptr %s",
				n[i]);
	}
	/* Outputs into the read-only hypercall page (stub 0, set_trap_table, is never used). */
	HOSTILE(rt_evtchn_op(EVTCHNOP_alloc_unbound, (void *)DYAD_BOOT_HYPERCALL_PAGE),
		"alloc_unbound ptr hypercall page (read-only)");
	HOSTILE(rt_console_io(CONSOLEIO_write, 1ull << 40, (void *)0x200000),
		"console write 1 TiB");
	HOSTILE(rt_console_io(CONSOLEIO_write, (uint64_t)-1, (void *)0x200000), "console write -1");
}

static void hostile_ports(void)
{
	static const uint32_t ports[] = {0, 1023, 1024, 4095, 4096, 0x7fffffff, 0xffffffff};

	for (unsigned int i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct evtchn_unmask u = {.port = ports[i]};
		struct evtchn_bind_vcpu bv = {.port = ports[i], .vcpu = 0};

		HOSTILE(rt_evtchn_send(ports[i]), "send port %u", ports[i]);
		HOSTILE(rt_evtchn_close(ports[i]), "close port %u", ports[i]);
		if (ports[i] >= DYAD_EVTCHN_MAX_PORTS) /* a free port's unmask/status are fine */
			HOSTILE(rt_evtchn_op(EVTCHNOP_unmask, &u), "unmask port %u", ports[i]);
		HOSTILE(rt_evtchn_op(EVTCHNOP_bind_vcpu, &bv), "bind_vcpu port %u", ports[i]);
		if (ports[i] >= DYAD_EVTCHN_MAX_PORTS)
			HOSTILE(rt_evtchn_state(ports[i]), "status port %u", ports[i]);
	}
	for (unsigned int i = 0; i < 1000; i++) /* doorbell: no result to check */
		rt_evtchn_notify(0xfffff000u + i);
}

static void hostile_domids(void)
{
	static const uint32_t doms[] = {999, DOMID_IO, DOMID_XEN, 0xfffe};
	evtchn_port_t port;

	for (unsigned int i = 0; i < sizeof(doms) / sizeof(doms[0]); i++) {
		struct evtchn_alloc_unbound au = {.dom = (domid_t)doms[i], .remote_dom = 0};
		struct evtchn_status st = {.dom = (domid_t)doms[i], .port = 1};

		/* Xen lets alloc_unbound name a domain that does not exist yet: not tried. */
		if (doms[i] != 999)
			HOSTILE(rt_evtchn_alloc_unbound((domid_t)doms[i], &port),
				"alloc_unbound remote %u", doms[i]);
		HOSTILE(rt_evtchn_op(EVTCHNOP_alloc_unbound, &au), "alloc_unbound dom %u", doms[i]);
		HOSTILE(rt_evtchn_bind_interdomain((domid_t)doms[i], 1, &port),
			"bind_interdomain dom %u port 1", doms[i]);
		HOSTILE(rt_evtchn_op(EVTCHNOP_status, &st), "status dom %u", doms[i]);
	}
	HOSTILE(rt_evtchn_bind_interdomain(0, 7, &port),
		"bind_interdomain dom0 port 7 (not offered)");
	HOSTILE(rt_evtchn_bind_virq(999, 0, &port), "bind_virq 999");
	HOSTILE(rt_evtchn_bind_virq(VIRQ_DOM_EXC, 0, &port), "bind_virq VIRQ_DOM_EXC");
	HOSTILE(rt_evtchn_bind_virq(VIRQ_TIMER, 99, &port), "bind_virq VIRQ_TIMER vcpu 99");
	{
		struct evtchn_bind_ipi ipi = {.vcpu = 99};

		HOSTILE(rt_evtchn_op(EVTCHNOP_bind_ipi, &ipi), "bind_ipi vcpu 99");
	}
}

static long hostile_physmap(unsigned int space, uint64_t idx, uint64_t gpfn, domid_t dom)
{
	struct xen_add_to_physmap x = {.domid = dom, .space = space, .idx = idx, .gpfn = gpfn};

	return rt_memory_op(XENMEM_add_to_physmap, &x);
}

static void hostile_memory(void)
{
	uint64_t top = H.ram >> 12;

	HOSTILE(hostile_physmap(XENMAPSPACE_shared_info, 0, top + 1, DOMID_SELF),
		"shared_info again (beyond RAM)");
	HOSTILE(hostile_physmap(XENMAPSPACE_shared_info, 0, SCRATCH, DOMID_SELF),
		"shared_info again (moving it)");
	HOSTILE(hostile_physmap(XENMAPSPACE_grant_table, 0, top + 1, DOMID_SELF),
		"grant frame 0 beyond RAM");
	HOSTILE(hostile_physmap(XENMAPSPACE_grant_table, 0, 0x3, DOMID_SELF),
		"grant frame 0 at IDT");
	HOSTILE(hostile_physmap(XENMAPSPACE_grant_table, 4, SCRATCH, DOMID_SELF), "grant frame 4");
	HOSTILE(hostile_physmap(XENMAPSPACE_grant_table, 3, SCRATCH, DOMID_SELF),
		"grant frame 3 before 1-2");
	HOSTILE(hostile_physmap(XENMAPSPACE_grant_table, XENMAPIDX_grant_table_status, SCRATCH,
				DOMID_SELF),
		"grant status frame (v2)");
	HOSTILE(hostile_physmap(XENMAPSPACE_grant_table, 0, SCRATCH, 0), "grant frame for dom0");
	HOSTILE(hostile_physmap(99, 0, SCRATCH, DOMID_SELF), "add_to_physmap space 99");
	HOSTILE(hostile_physmap(XENMAPSPACE_gmfn, 0, SCRATCH, DOMID_SELF), "add_to_physmap gmfn");
	if (H.peer)
		HOSTILE(hostile_physmap(XENMAPSPACE_shared_info, 0, SCRATCH, (domid_t)H.peer),
			"shared_info for peer");
}

/* One grant op; the hypercall's error, else the op's status (read after the call). */
static long hostile_gnt(unsigned int cmd, void *op, const int16_t *status)
{
	long rc = rt_grant_table_op(cmd, op, 1);

	return rc ? rc : *status;
}

static long hostile_map(domid_t dom, grant_ref_t ref, uint32_t flags, uint64_t addr)
{
	struct gnttab_map_grant_ref m = {.host_addr = addr, .flags = flags, .ref = ref, .dom = dom};

	return hostile_gnt(GNTTABOP_map_grant_ref, &m, &m.status);
}

static void hostile_grant_maps(void)
{
	domid_t d = H.peer ? (domid_t)H.peer : 999;
	uint64_t w = DYAD_GNTMAP_BASE;

	HOSTILE(hostile_map(DOMID_SELF, 8, GNTMAP_host_map, w), "map own grant");
	HOSTILE(hostile_map(0, 8, GNTMAP_host_map, w), "map dom0's grant");
	HOSTILE(hostile_map(999, 8, GNTMAP_host_map, w), "map dom 999");
	HOSTILE(hostile_map(d, 0xffffffff, GNTMAP_host_map, w), "map ref 0xffffffff");
	HOSTILE(hostile_map(d, 5000, GNTMAP_host_map, w), "map ref 5000");
	HOSTILE(hostile_map(d, 8, 0, w), "map without host_map");
	HOSTILE(hostile_map(d, 8, GNTMAP_host_map | GNTMAP_device_map, w), "map device_map");
	HOSTILE(hostile_map(d, 8, GNTMAP_host_map | GNTMAP_contains_pte, w), "map contains_pte");
	HOSTILE(hostile_map(d, 8, GNTMAP_host_map, 0x200000), "map at RAM");
	HOSTILE(hostile_map(d, 8, GNTMAP_host_map, w + 8), "map unaligned slot");
	HOSTILE(hostile_map(d, 8, GNTMAP_host_map, DYAD_GNTMAP_RO_BASE), "map rw into RO window");
	HOSTILE(hostile_map(d, 8, GNTMAP_host_map | GNTMAP_readonly, w), "map ro into RW window");
	HOSTILE(hostile_map(d, 8, GNTMAP_host_map, DYAD_GNTMAP_END), "map past the window");
	for (grant_ref_t r = 0; H.peer && r < 16; r++)
		HOSTILE(hostile_map(d, r, GNTMAP_host_map | GNTMAP_readonly, DYAD_GNTMAP_RO_BASE),
			"map peer ref %u", r);
}

static void hostile_grant_other(void)
{
	struct gnttab_unmap_grant_ref u = {.host_addr = DYAD_GNTMAP_BASE, .handle = 0};
	struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 1000};
	struct gnttab_set_version sv = {.version = 2};
	struct gnttab_copy c = {.len = 8};
	struct gnttab_map_grant_ref many[2];

	HOSTILE(hostile_gnt(GNTTABOP_unmap_grant_ref, &u, &u.status),
		"unmap handle 0 (not mapped)");
	u.handle = 5000;
	HOSTILE(hostile_gnt(GNTTABOP_unmap_grant_ref, &u, &u.status), "unmap handle 5000");
	HOSTILE(hostile_gnt(GNTTABOP_setup_table, &st, &st.status), "setup_table 1000 frames");
	st.dom = 999;
	st.nr_frames = 1;
	HOSTILE(hostile_gnt(GNTTABOP_setup_table, &st, &st.status), "setup_table dom 999");
	HOSTILE(rt_grant_table_op(GNTTABOP_set_version, &sv, 1), "set_version 2");
	sv.version = 7;
	HOSTILE(rt_grant_table_op(GNTTABOP_set_version, &sv, 1), "set_version 7");
	memset(many, 0, sizeof(many));
	HOSTILE(rt_grant_table_op(GNTTABOP_map_grant_ref, many, 65), "map count 65");
	HOSTILE(rt_grant_table_op(GNTTABOP_map_grant_ref, many, 0xffffffffu), "map count 2^32-1");
	HOSTILE(rt_grant_table_op(GNTTABOP_copy, &c, 0x7fffffffu), "copy count 2^31-1");
	/* copies: gmfn beyond RAM, crossing a page, too long, someone else's gmfn, bad gref */
	c.source.u.gmfn = (H.ram >> 12) + 5;
	c.source.domid = DOMID_SELF;
	c.dest.u.gmfn = SCRATCH;
	c.dest.domid = DOMID_SELF;
	HOSTILE(rt_gnttab_copy(&c), "copy from gmfn beyond RAM");
	c.source.u.gmfn = SCRATCH;
	c.source.offset = 4095;
	c.len = 2;
	HOSTILE(rt_gnttab_copy(&c), "copy crossing a page");
	c.source.offset = 0;
	c.len = 5000;
	HOSTILE(rt_gnttab_copy(&c), "copy 5000 bytes");
	c.len = 8;
	c.source.domid = H.peer ? (domid_t)H.peer : 0;
	HOSTILE(rt_gnttab_copy(&c), "copy from dom %u's gmfn", c.source.domid);
	c.flags = GNTCOPY_source_gref;
	c.source.u.ref = 0xffffffff;
	HOSTILE(rt_gnttab_copy(&c), "copy from gref 0xffffffff");
	c.source.domid = 999;
	HOSTILE(rt_gnttab_copy(&c), "copy from dom 999 gref");
}

static void hostile_misc(void)
{
	struct xen_hvm_evtchn_upcall_vector uv = {.vcpu = 99, .vector = DYAD_VECTOR_UPCALL};
	struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = 1};
	struct sched_shutdown sd = {.reason = 99};
	struct xen_hvm_param hp = {.domid = DOMID_SELF, .index = 9999};

	HOSTILE(rt_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv), "upcall vector vcpu 99");
	uv.vcpu = 0;
	uv.vector = 5;
	HOSTILE(rt_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv), "upcall vector 5");
	HOSTILE(rt_hvm_op(HVMOP_get_param, &hp), "get_param 9999");
	HOSTILE(rt_vcpu_op(VCPUOP_up, 99, 0), "vcpu_op up vcpu 99");
	HOSTILE(rt_vcpu_op(VCPUOP_initialise, 0, 0), "vcpu_op initialise vcpu 0 NULL");
	HOSTILE(rt_vcpu_op(VCPUOP_set_singleshot_timer, 99, &t), "singleshot timer vcpu 99");
	HOSTILE(rt_sched_op(SCHEDOP_shutdown, &sd), "shutdown reason 99");
}

static void hostile_round(void)
{
	hostile_numbers();
	hostile_pointers();
	hostile_ports();
	hostile_domids();
	hostile_memory();
	hostile_grant_maps();
	hostile_grant_other();
	hostile_misc();
}

int app_hostile_main(void)
{
	const struct dyad_boot_ext *ext = (const struct dyad_boot_ext *)DYAD_BOOT_EXT;
	uint64_t rounds = rt_cmdline_u64("rounds", 1);

	H.ram = ext->magic == DYAD_BOOT_EXT_MAGIC ? ext->ram_size : 0x4000000;
	H.peer = rt_cmdline_u64("peer", 0);
	rt_printf("hostile: starting, ram 0x%llx peer %llu rounds %llu\n",
		  (unsigned long long)H.ram, (unsigned long long)H.peer,
		  (unsigned long long)rounds);
	for (uint64_t r = 1; r <= rounds; r++) {
		unsigned long before = H.calls, acc = H.accepted;

		H.quiet = r > 1;
		hostile_round();
		if (H.quiet)
			rt_printf("hostile: round %llu: %lu calls, %lu not refused\n",
				  (unsigned long long)r, H.calls - before, H.accepted - acc);
	}
	if (H.accepted)
		rt_printf("hostile: %lu calls, %lu not refused\n", H.calls, H.accepted);
	else
		rt_printf("hostile: %lu calls, all refused\n", H.calls);
	return 0;
}
