/*
 * Hypercall dispatch over a real domain structure with the fake KVM:
 * unknown numbers, CPL policy, bad pointers and bad arguments for every
 * hypercall this issue implements.  Guest RAM is the domain's memfd; the
 * test writes page tables into it (identity map of the first 4 MiB with
 * 2 MiB user pages, plus a read-only and a supervisor-only 4 KiB page).
 */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <dyad/abi.h>
#include <dyad/xen.h>
#include "fake_kvm.h"
#include "notify.h"
#include "test_hv.h"

#define ARG	0x200000ull   /* argument area (identity-mapped, user RW) */
#define RO_VA	0x40000000ull /* read-only mapping of gpa 0x300000 */
#define KERN_VA 0x40001000ull /* supervisor-only mapping of gpa 0x301000 */
#define BAD_VA	0x50000000ull /* not mapped */

static struct domain *d, *d3;
static struct pt_builder pt;

static void map_domain(struct domain *dom)
{
	pt_init(&pt, dom->mem.host, dom->mem.size, 0x10000);
	pt_map(&pt, 0, 0, PT_P | PT_W | PT_U, 2ull << 20);
	pt_map(&pt, 0x200000, 0x200000, PT_P | PT_W | PT_U, 2ull << 20);
	pt_map(&pt, RO_VA, 0x300000, PT_P | PT_U, 4096);
	pt_map(&pt, KERN_VA, 0x301000, PT_P | PT_W, 4096);
}

static void setup(void)
{
	hv_test_setup();
	d = hv_test_domain("hc", 4, 2, 0);
	d3 = hv_test_domain("hc3", 4, 1, DYAD_CREATE_F_RING3);
	map_domain(d3);
	map_domain(d);
}

static void teardown(void)
{
	domain_destroy_all();
	notify_fini();
}

static long hc(unsigned int cpl, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct hc_ctx c = hv_test_ctx(d, 0, pt.cr3, cpl);

	c.arg[0] = a0, c.arg[1] = a1, c.arg[2] = a2;
	return hypercall_dispatch(&c, nr);
}

static void *gmem(uint64_t gpa)
{
	return d->mem.host + gpa;
}

START_TEST(unknown_numbers)
{
	static const uint64_t bad[] = {0, 1, 16, 23, 35, 63, 64, 1000, 1ull << 32, ~0ull};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(hc(0, bad[i], 0, 0, 0), -ENOSYS);
}
END_TEST

START_TEST(cpl3_needs_ring3_domain)
{
	struct hc_ctx c;

	ck_assert_int_eq(hc(3, __HYPERVISOR_xen_version, XENVER_version, 0, 0), -EPERM);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_version, 0, 0),
			 DYAD_VERSION_MAJOR << 16 | DYAD_VERSION_MINOR);
	c = hv_test_ctx(d3, 0, pt.cr3, 3);
	c.arg[0] = XENVER_version;
	ck_assert_int_eq(hypercall_dispatch(&c, __HYPERVISOR_xen_version),
			 DYAD_VERSION_MAJOR << 16 | DYAD_VERSION_MINOR);
	/* CPL 3 cannot hand the core a supervisor-only page. */
	c.arg[0] = XENVER_extraversion;
	c.arg[1] = KERN_VA;
	ck_assert_int_eq(hypercall_dispatch(&c, __HYPERVISOR_xen_version), -EFAULT);
}
END_TEST

START_TEST(xen_version_ops)
{
	struct xen_feature_info fi = {.submap_idx = 0};

	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_extraversion, ARG, 0), 0);
	ck_assert_str_eq(gmem(ARG), "-dyad");
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_extraversion, BAD_VA, 0), -EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_capabilities, RO_VA, 0), -EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_compile_info, ARG, 0), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_changeset, ARG, 0), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_platform_parameters, ARG, 0), 0);
	memcpy(gmem(ARG), &fi, sizeof(fi));
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_get_features, ARG, 0), 0);
	memcpy(&fi, gmem(ARG), sizeof(fi));
	ck_assert_uint_eq(fi.submap, 1u << XENFEAT_auto_translated_physmap);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_get_features, RO_VA, 0), -EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_pagesize, 0, 0), 4096);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_guest_handle, ARG, 0), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, XENVER_commandline, ARG, 0), -ENOSYS);
	ck_assert_int_eq(hc(0, __HYPERVISOR_xen_version, 0xffffffff, ARG, 0), -ENOSYS);
}
END_TEST

START_TEST(console_io_ops)
{
	char out[64];
	uint64_t start;

	memcpy(gmem(ARG), "hello", 5);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, CONSOLEIO_write, 5, ARG), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, CONSOLEIO_write, 0, BAD_VA), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, CONSOLEIO_write, 5, BAD_VA), -EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, CONSOLEIO_write, 1u << 20, ARG), -EINVAL);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, CONSOLEIO_write, ~0ull, ARG), -EINVAL);
	/* The last 4 bytes of the identity map, then an unmapped page. */
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, CONSOLEIO_write, 8, 0x3ffffc), -EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, CONSOLEIO_read, 5, ARG), -EPERM);
	ck_assert_int_eq(hc(0, __HYPERVISOR_console_io, 7, 5, ARG), -ENOSYS);
	ck_assert_uint_eq(stream_read(&d->console, 0, out, sizeof(out), &start), 5);
	ck_assert_int_eq(memcmp(out, "hello", 5), 0);
}
END_TEST

START_TEST(sched_op_shutdown)
{
	struct sched_shutdown s = {.reason = 5};
	struct dyad_ctl_event ev[8];
	struct dyad_ctl_dominfo info;

	memcpy(gmem(ARG), &s, sizeof(s));
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_shutdown, ARG, 0), -EINVAL);
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_shutdown, BAD_VA, 0), -EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_shutdown_code, ARG, 0), -EINVAL);
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, 99, ARG, 0), -ENOSYS);
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0), 0);
	domain_info(d, &info);
	ck_assert_uint_eq(info.state, DYAD_DOMAIN_STATE_PAUSED);
	notify_drain(ev, 8);
	s.reason = SHUTDOWN_reboot;
	memcpy(gmem(ARG), &s, sizeof(s));
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_shutdown, ARG, 0), 0);
	domain_info(d, &info);
	ck_assert_uint_eq(info.state, DYAD_DOMAIN_STATE_SHUTDOWN);
	ck_assert_uint_eq(info.shutdown_reason, SHUTDOWN_reboot);
	ck_assert_uint_eq(notify_drain(ev, 8), 1);
	ck_assert_uint_eq(ev[0].kind, DYAD_EVENT_SHUTDOWN);
	ck_assert_uint_eq(ev[0].domid, d->id);
}
END_TEST

START_TEST(sched_op_crash)
{
	struct sched_shutdown s = {.reason = SHUTDOWN_crash};
	struct dyad_ctl_dominfo info;

	memcpy(gmem(ARG), &s, sizeof(s));
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_shutdown, ARG, 0), 0);
	domain_info(d, &info);
	ck_assert_uint_eq(info.state, DYAD_DOMAIN_STATE_CRASHED);
	domain_info(d3, &info);
	ck_assert_uint_eq(info.state, DYAD_DOMAIN_STATE_PAUSED); /* the other domain */
}
END_TEST

START_TEST(sched_op_block)
{
	struct fake_kvm_vcpu *f = fake_kvm_vcpu(d->vcpus[0].fd);

	f->tsc = 1000;
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0), 0);
	ck_assert(d->vcpus[0].halt_next); /* nothing armed: halt */
	d->vcpus[0].halt_next = false;
	ck_assert_int_eq(vcpu_self_set_deadline(&d->vcpus[0], 999), 0);
	f->deadline = 0; /* the timer fired already: the MSR reads 0 */
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0), 0);
	ck_assert(!d->vcpus[0].halt_next); /* deadline passed: return at once */
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0), 0);
	ck_assert(d->vcpus[0].halt_next); /* one-shot: nothing armed any more */
	d->vcpus[0].halt_next = false;
	ck_assert_int_eq(vcpu_self_set_deadline(&d->vcpus[0], 2000), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0), 0);
	ck_assert(d->vcpus[0].halt_next);
}
END_TEST

static void put_hvm_ctx(uint32_t mode, uint64_t cr0, uint64_t cr3, uint64_t efer)
{
	struct vcpu_hvm_context ctx = {.mode = mode};

	ctx.cpu_regs.x86_64 = (struct vcpu_hvm_x86_64){
		.rip = 0x100000,
		.rsp = 0x30000,
		.rflags = 2,
		.cr0 = cr0,
		.cr3 = cr3,
		.cr4 = 0x620,
		.efer = efer,
	};
	memcpy(gmem(ARG), &ctx, sizeof(ctx));
}

static void put_hvm_ctx_crs(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	put_hvm_ctx(VCPU_HVM_MODE_64B, cr0, 0x10000, efer);
	memcpy((uint8_t *)gmem(ARG) + offsetof(struct vcpu_hvm_context, cpu_regs.x86_64.cr4), &cr4,
	       sizeof(cr4));
}

/* Review (b): control-register bits outside the whitelists are refused. */
START_TEST(vcpu_op_initialise_reserved_bits)
{
	static const struct {
		uint64_t cr0, cr4, efer;
	} bad[] = {
		{0x80010033 | (1ull << 6), 0x620, 0xd00},  /* CR0 bit 6 reserved */
		{0x80010033 | (1ull << 32), 0x620, 0xd00}, /* CR0 upper half */
		{0x80010033 | (1ull << 29), 0x620, 0xd00}, /* NW without CD */
		{0x80010033, 0x620 | (1ull << 12), 0xd00}, /* LA57 */
		{0x80010033, 0x620 | (1ull << 13), 0xd00}, /* VMXE */
		{0x80010033, 0x620 | (1ull << 15), 0xd00}, /* reserved */
		{0x80010033, 0x620 | (1ull << 40), 0xd00}, /* reserved */
		{0x80010033, 0x620, 0xd00 | (1ull << 12)}, /* EFER.SVME */
		{0x80010033, 0x620, 0xd00 | (1ull << 63)}, /* reserved */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_hvm_ctx_crs(bad[i].cr0, bad[i].cr4, bad[i].efer);
		ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), -EINVAL);
	}
	ck_assert(!d->vcpus[1].initialised);
	/* Every whitelisted bit together is fine (CD with NW, SCE, PGE, OSXSAVE, ...). */
	put_hvm_ctx_crs(X86_CR0_VALID, X86_CR4_VALID & ~(1ull << 17), X86_EFER_VALID);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), 0);
}
END_TEST

/* Review (f): Xen's SCHEDOP_shutdown_code: the first code wins over later reasons. */
START_TEST(sched_op_shutdown_code)
{
	struct sched_shutdown s = {.reason = SHUTDOWN_poweroff};
	struct dyad_ctl_dominfo info;

	memcpy(gmem(ARG), &s, sizeof(s));
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_shutdown_code, BAD_VA, 0), -EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_shutdown_code, ARG, 0), 0);
	domain_info(d, &info);
	ck_assert_uint_eq(info.state, DYAD_DOMAIN_STATE_PAUSED); /* no shutdown yet */
	s.reason = SHUTDOWN_reboot;
	memcpy(gmem(ARG), &s, sizeof(s));
	ck_assert_int_eq(hc(0, __HYPERVISOR_sched_op, SCHEDOP_shutdown_code, ARG, 0), 0);
	domain_crash(d, "test: a fatal exit after the guest recorded its code");
	domain_info(d, &info);
	ck_assert_uint_eq(info.state, DYAD_DOMAIN_STATE_SHUTDOWN);
	ck_assert_uint_eq(info.shutdown_reason, SHUTDOWN_poweroff);
}
END_TEST

START_TEST(vcpu_op_initialise)
{
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 2, ARG), -ENOENT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, ~0ull, ARG), -ENOENT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, BAD_VA), -EFAULT);
	put_hvm_ctx(VCPU_HVM_MODE_32B, 0x80010033, 0x10000, 0xd00);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), -EINVAL);
	put_hvm_ctx(VCPU_HVM_MODE_64B, 0x00010033, 0x10000, 0xd00); /* no PG */
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), -EINVAL);
	put_hvm_ctx(VCPU_HVM_MODE_64B, 0x80010033, 0x10000, 0x100); /* LME without LMA */
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), -EINVAL);
	put_hvm_ctx(VCPU_HVM_MODE_64B, 0x80010033, 4ull << 20, 0xd00); /* CR3 past RAM */
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), -EINVAL);
	put_hvm_ctx(VCPU_HVM_MODE_64B, 0x80010033, 0x10800, 0xd00); /* unaligned CR3 */
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), -EINVAL);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0), -EINVAL);
	put_hvm_ctx(VCPU_HVM_MODE_64B, 0x80010033, 0x10000, 0xd00);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), -EEXIST);
	ck_assert(d->vcpus[1].ctx_pending && d->vcpus[1].ctx_wake);
	ck_assert_uint_eq(d->vcpus[1].ctx.cs.selector, DYAD_SEL_KCODE);
	ck_assert_uint_eq(d->vcpus[1].ctx.tr.type, 11);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 1, 0), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 1, 0), 1);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_down, 1, 0), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 1, 0), 0);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, 1000, 1, 0), -ENOSYS);
}
END_TEST

START_TEST(vcpu_op_timer)
{
	struct fake_kvm_vcpu *f = fake_kvm_vcpu(d->vcpus[0].fd);
	struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = 5000, .flags = 0};

	f->tsc = 10000; /* 1 GHz fake: ns == ticks */
	memcpy(gmem(ARG), &t, sizeof(t));
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 1, ARG), -EINVAL);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, BAD_VA),
			 -EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, ARG), 0);
	ck_assert_uint_eq(f->deadline, 5000); /* past but allowed: fires at once */
	t.flags = VCPU_SSHOTTMR_future;
	memcpy(gmem(ARG), &t, sizeof(t));
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, ARG), -ETIME);
	t.timeout_abs_ns = 20000;
	memcpy(gmem(ARG), &t, sizeof(t));
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, ARG), 0);
	ck_assert_uint_eq(f->deadline, 20000);
	t = (struct vcpu_set_singleshot_timer){.timeout_abs_ns = 0};
	memcpy(gmem(ARG), &t, sizeof(t));
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, ARG), 0);
	ck_assert_uint_eq(f->deadline, 1); /* never 0, which would disarm */
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, 1, 0), -EINVAL);
	ck_assert_int_eq(hc(0, __HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, 0, 0), 0);
	ck_assert_uint_eq(f->deadline, 0);
}
END_TEST

START_TEST(timebase)
{
	ck_assert_uint_eq(hc_tsc_to_ns(2600000, 2600000), 1000000);
	ck_assert_uint_eq(hc_ns_to_tsc(1000000, 2600000), 2600000);
	ck_assert_uint_eq(hc_ns_to_tsc(1, 2600000), 3);		/* rounded up */
	ck_assert_uint_eq(hc_ns_to_tsc(~0ull, 2600000), ~0ull); /* saturates */
	ck_assert_uint_eq(hc_tsc_to_ns(~0ull, 1), ~0ull);
}
END_TEST

START_TEST(hvm_op_get_param)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = HVM_PARAM_STORE_PFN, .value = 77};
	const char *why;

	memcpy(gmem(ARG), &p, sizeof(p));
	ck_assert_int_eq(hc(0, __HYPERVISOR_hvm_op, HVMOP_get_param, ARG, 0), 0);
	memcpy(&p, gmem(ARG), sizeof(p));
	ck_assert_uint_eq(p.value, 0);
	p.domid = (domid_t)d->id;
	p.index = HVM_PARAM_CONSOLE_EVTCHN;
	memcpy(gmem(ARG), &p, sizeof(p));
	ck_assert_int_eq(hc(0, __HYPERVISOR_hvm_op, HVMOP_get_param, ARG, 0), 0);
	p.domid = (domid_t)d3->id;
	memcpy(gmem(ARG), &p, sizeof(p));
	ck_assert_int_eq(hc(0, __HYPERVISOR_hvm_op, HVMOP_get_param, ARG, 0), -EPERM);
	p.domid = DOMID_SELF;
	p.index = 9999;
	memcpy(gmem(ARG), &p, sizeof(p));
	ck_assert_int_eq(hc(0, __HYPERVISOR_hvm_op, HVMOP_get_param, ARG, 0), -EINVAL);
	ck_assert_int_eq(hc(0, __HYPERVISOR_hvm_op, HVMOP_get_param, BAD_VA, 0), -EFAULT);
	p.index = HVM_PARAM_STORE_PFN;
	memcpy(gmem(0x300000), &p, sizeof(p)); /* readable, not writable */
	ck_assert_int_eq(hc(0, __HYPERVISOR_hvm_op, HVMOP_get_param, RO_VA, 0), -EFAULT);
	ck_assert_int_eq(hc(0, __HYPERVISOR_hvm_op, 999, ARG, 0), -ENOSYS);
	/* what the toolstack set (DYAD_CTL_SET_PARAM) is what the guest reads */
	ck_assert_int_eq(hvm_param_set(d, HVM_PARAM_STORE_PFN, 6, &why), 0);
	memcpy(gmem(ARG), &p, sizeof(p));
	ck_assert_int_eq(hc(0, __HYPERVISOR_hvm_op, HVMOP_get_param, ARG, 0), 0);
	memcpy(&p, gmem(ARG), sizeof(p));
	ck_assert_uint_eq(p.value, 6);
}
END_TEST

static Suite *hypercall_suite(void)
{
	Suite *s = suite_create("hypercall");
	TCase *tc = tcase_create("dispatch");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, unknown_numbers);
	tcase_add_test(tc, cpl3_needs_ring3_domain);
	tcase_add_test(tc, xen_version_ops);
	tcase_add_test(tc, console_io_ops);
	tcase_add_test(tc, sched_op_shutdown);
	tcase_add_test(tc, sched_op_crash);
	tcase_add_test(tc, sched_op_block);
	tcase_add_test(tc, vcpu_op_initialise);
	tcase_add_test(tc, vcpu_op_initialise_reserved_bits);
	tcase_add_test(tc, sched_op_shutdown_code);
	tcase_add_test(tc, vcpu_op_timer);
	tcase_add_test(tc, timebase);
	tcase_add_test(tc, hvm_op_get_param);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hypercall_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
