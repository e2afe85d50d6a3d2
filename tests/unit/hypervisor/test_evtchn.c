/*
 * Event channels in the core over real domains and the fake KVM: port
 * allocation and the state machine, interdomain connection and close,
 * Xen's masked-port semantics, IPIs and VIRQs, dom0 ends (eventfds, the
 * doorbell ioeventfd count, the CLOSED mark), destroy, and SCHEDOP_block
 * with an upcall pending.  Calls go through hypercall_dispatch() with
 * arguments in guest memory, as a guest makes them.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <dyad/abi.h>
#include <dyad/xen.h>
#include "evtchn_2l.h"
#include "fake_kvm.h"
#include "notify.h"
#include "shinfo_time.h"
#include "virq_timer.h"
#include "test_hv.h"

#define ARG    0x300000ull	     /* argument area */
#define SI_GPA DYAD_BOOT_SHARED_INFO /* where the core places shared_info */
#define MEM_MB 8u

static struct domain *a, *b;

static void map_domain(struct domain *dom, struct pt_builder *pt)
{
	pt_init(pt, dom->mem.host, dom->mem.size, 0x10000);
	for (uint64_t va = 0; va < MEM_MB << 20; va += 2ull << 20)
		pt_map(pt, va, va, PT_P | PT_W | PT_U, 2ull << 20);
}

static long hc(struct domain *dom, uint64_t nr, uint64_t a0, const void *arg, size_t len)
{
	struct pt_builder pt = {.cr3 = 0x10000};
	struct hc_ctx c = hv_test_ctx(dom, 0, pt.cr3, 0);
	long rc;

	memcpy(dom->mem.host + ARG, arg, len);
	c.arg[0] = a0, c.arg[1] = ARG;
	rc = hypercall_dispatch(&c, nr);
	memcpy((void *)(uintptr_t)arg, dom->mem.host + ARG, len);
	return rc;
}

static long place_si(struct domain *dom, uint64_t gpfn, unsigned int idx)
{
	struct xen_add_to_physmap x = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = idx, .gpfn = gpfn};

	return hc(dom, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, &x, sizeof(x));
}

static struct domain *make(const char *name, uint32_t vcpus)
{
	struct domain *dom = hv_test_domain(name, MEM_MB, vcpus, 0);
	struct pt_builder pt;

	map_domain(dom, &pt);
	return dom;
}

static void setup(void)
{
	hv_test_setup();
	a = make("a", 2);
	b = make("b", 1);
	ck_assert_int_eq(place_si(a, SI_GPA >> 12, 0), 0);
	ck_assert_int_eq(place_si(b, SI_GPA >> 12, 0), 0);
}

static void teardown(void)
{
	domain_destroy_all();
	notify_fini();
}

static struct shared_info *si(struct domain *dom)
{
	return (struct shared_info *)(void *)(dom->mem.host + SI_GPA);
}

static int pending(struct domain *dom, uint32_t p)
{
	return evtchn_2l_test(&si(dom)->evtchn_pending[p / 64], p % 64);
}

static long alloc_unbound(struct domain *dom, domid_t remote, uint32_t *port)
{
	evtchn_alloc_unbound_t op = {.dom = DOMID_SELF, .remote_dom = remote};
	long rc = hc(dom, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, &op, sizeof(op));

	*port = op.port;
	return rc;
}

static long bind_inter(struct domain *dom, domid_t rdom, uint32_t rport, uint32_t *port)
{
	evtchn_bind_interdomain_t op = {.remote_dom = rdom, .remote_port = rport};
	long rc =
		hc(dom, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, &op, sizeof(op));

	*port = op.local_port;
	return rc;
}

static long port_op(struct domain *dom, int cmd, uint32_t port)
{
	evtchn_send_t op = {.port = port};

	return hc(dom, __HYPERVISOR_event_channel_op, (uint64_t)cmd, &op, sizeof(op));
}

static evtchn_status_t status(struct domain *dom, uint32_t port)
{
	evtchn_status_t op = {.dom = DOMID_SELF, .port = port};

	ck_assert_int_eq(hc(dom, __HYPERVISOR_event_channel_op, EVTCHNOP_status, &op, sizeof(op)),
			 0);
	return op;
}

/* The value an eventfd holds (0 if none), consuming it. */
static uint64_t efd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

/* shared_info exists from creation; the guest's add_to_physmap is idempotent for its frame. */
START_TEST(shared_info_placement)
{
	struct domain *c = make("c", 1);
	struct shared_info *s = si(c);
	uint32_t p, mul;
	int8_t shift;

	ck_assert_ptr_eq(c->evtchn.si, s);
	ck_assert_uint_eq(c->evtchn.si_gpa, DYAD_BOOT_SHARED_INFO);
	ck_assert_int_eq(alloc_unbound(c, 0, &p), 0); /* before the guest said anything */
	/* time: a static pvclock for the TSC frequency, and a wallclock near now */
	shinfo_time_scale(c->tsc_khz, &mul, &shift);
	ck_assert_uint_eq(s->vcpu_info[0].time.version, 2);
	ck_assert_uint_eq(s->vcpu_info[0].time.tsc_to_system_mul, mul);
	ck_assert_int_eq(s->vcpu_info[0].time.tsc_shift, shift);
	ck_assert_uint_eq(s->wc_version, 2);
	ck_assert_uint_gt(s->wc_sec, 1600000000u);
	/* the guest's own call for the fixed frame: 0, and nothing is reset */
	s->vcpu_info[0].evtchn_upcall_mask = 1;
	ck_assert_int_eq(place_si(c, DYAD_BOOT_SHARED_INFO >> 12, 0), 0);
	ck_assert_int_eq(place_si(c, DYAD_BOOT_SHARED_INFO >> 12, 0), 0);
	ck_assert_uint_eq(s->vcpu_info[0].evtchn_upcall_mask, 1);
	/* moving it is refused, wherever to */
	ck_assert_int_eq(place_si(c, 0x100, 0), -EEXIST);
	ck_assert_int_eq(place_si(c, 0x6f, 0), -EEXIST);
	ck_assert_int_eq(place_si(c, (DYAD_BOOT_SHARED_INFO >> 12) + 1, 0), -EEXIST);
	ck_assert_int_eq(place_si(c, MEM_MB << 8, 0), -EINVAL); /* beyond RAM */
	ck_assert_int_eq(place_si(c, ~0ull, 0), -EINVAL);
	ck_assert_int_eq(place_si(c, DYAD_BOOT_SHARED_INFO >> 12, 1), -EINVAL); /* idx 1 */
	ck_assert_int_eq(evtchn_set_shared_info(c, 0x100000), -EEXIST);
	ck_assert_ptr_eq(c->evtchn.si, s);
}
END_TEST

START_TEST(alloc_close_status)
{
	uint32_t p1, p2, p3;
	evtchn_status_t st;

	ck_assert_int_eq(alloc_unbound(a, (domid_t)b->id, &p1), 0);
	ck_assert_int_eq(alloc_unbound(a, DOMID_SELF, &p2), 0);
	ck_assert_int_eq(alloc_unbound(a, 0, &p3), 0);
	ck_assert_uint_eq(p1, 1);
	ck_assert_uint_eq(p2, 2);
	ck_assert_uint_eq(p3, 3);
	st = status(a, p1);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, b->id);
	ck_assert_uint_eq(status(a, p2).u.unbound.dom, a->id);
	ck_assert_int_eq(port_op(a, EVTCHNOP_close, p2), 0);
	ck_assert_uint_eq(status(a, p2).status, EVTCHNSTAT_closed);
	ck_assert_int_eq(port_op(a, EVTCHNOP_close, p2), -EINVAL);
	ck_assert_int_eq(alloc_unbound(a, 0, &p2), 0);
	ck_assert_uint_eq(p2, 2); /* lowest free port reused */
	ck_assert_int_eq(port_op(a, EVTCHNOP_close, 0), -EINVAL);
	ck_assert_int_eq(port_op(a, EVTCHNOP_close, DYAD_EVTCHN_MAX_PORTS), -EINVAL);
	ck_assert_int_eq(port_op(a, EVTCHNOP_close, ~0u), -EINVAL);
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, p1), 0); /* unbound: dropped, as Xen */
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, 77), -EINVAL);
	ck_assert_int_eq(alloc_unbound(a, DOMID_IO, &p3), -ESRCH);
	evtchn_alloc_unbound_t op = {.dom = (domid_t)b->id, .remote_dom = 0};
	ck_assert_int_eq(
		hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, &op, sizeof(op)),
		-EPERM);
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, 99, &op, sizeof(op)), -ENOSYS);
}
END_TEST

START_TEST(port_limit)
{
	uint32_t p;

	for (uint32_t i = 1; i < DYAD_EVTCHN_MAX_PORTS; i++) {
		ck_assert_int_eq(alloc_unbound(b, 0, &p), 0);
		ck_assert_uint_eq(p, i);
	}
	ck_assert_int_eq(alloc_unbound(b, 0, &p), -ENOSPC);
	ck_assert_int_eq(port_op(b, EVTCHNOP_close, 500), 0);
	ck_assert_int_eq(alloc_unbound(b, 0, &p), 0);
	ck_assert_uint_eq(p, 500);
}
END_TEST

START_TEST(interdomain)
{
	uint32_t pa, pb, px;
	evtchn_status_t st;
	int efd_b = b->evtchn.upcall_efd[0];

	ck_assert_int_eq(alloc_unbound(a, (domid_t)b->id, &pa), 0);
	ck_assert_int_eq(bind_inter(b, (domid_t)a->id, pa + 1, &px), -EINVAL);
	ck_assert_int_eq(bind_inter(b, 999, pa, &px), -ESRCH);
	ck_assert_int_eq(bind_inter(a, (domid_t)a->id, pa, &px), -EINVAL); /* not offered to a */
	ck_assert_int_eq(bind_inter(b, (domid_t)a->id, pa, &pb), 0);
	ck_assert(pending(b, pb)); /* Xen: the binder's port is notified once */
	ck_assert_uint_eq(efd_take(efd_b), 1);
	st = status(b, pb);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_interdomain);
	ck_assert_uint_eq(st.u.interdomain.dom, a->id);
	ck_assert_uint_eq(st.u.interdomain.port, pa);
	ck_assert_uint_eq(status(a, pa).u.interdomain.port, pb);
	ck_assert_int_eq(bind_inter(b, (domid_t)a->id, pa, &px), -EINVAL); /* bound already */

	/* Guest scan: clear everything, then a send from a raises b's port again. */
	si(b)->evtchn_pending[0] = 0;
	si(b)->vcpu_info[0].evtchn_pending_sel = 0;
	si(b)->vcpu_info[0].evtchn_upcall_pending = 0;
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, pa), 0);
	ck_assert(pending(b, pb));
	ck_assert_uint_eq(si(b)->vcpu_info[0].evtchn_pending_sel, 1);
	ck_assert_uint_eq(si(b)->vcpu_info[0].evtchn_upcall_pending, 1);
	ck_assert_uint_eq(efd_take(efd_b), 1);
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, pa), 0); /* merged: no second kick */
	ck_assert_uint_eq(efd_take(efd_b), 0);
	ck_assert_int_eq(port_op(b, EVTCHNOP_send, pb), 0);
	ck_assert(pending(a, pa));

	/* Close one end: the other becomes unbound (to the same domain). */
	ck_assert_int_eq(port_op(a, EVTCHNOP_close, pa), 0);
	st = status(b, pb);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, a->id);
	ck_assert_int_eq(bind_inter(a, (domid_t)b->id, pb, &pa), 0); /* and can be re-bound */
	ck_assert_uint_eq(status(b, pb).status, EVTCHNSTAT_interdomain);
}
END_TEST

START_TEST(loopback)
{
	uint32_t p1, p2;

	ck_assert_int_eq(alloc_unbound(a, DOMID_SELF, &p1), 0);
	ck_assert_int_eq(bind_inter(a, DOMID_SELF, p1, &p2), 0);
	si(a)->evtchn_pending[0] = 0;
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, p2), 0);
	ck_assert(pending(a, p1));
	ck_assert(!pending(a, p2));
	ck_assert_int_eq(port_op(a, EVTCHNOP_close, p1), 0);
	ck_assert_uint_eq(status(a, p2).status, EVTCHNSTAT_unbound);
}
END_TEST

/* Xen: a masked port's pending bit stays set; the upcall comes on unmask. */
START_TEST(masked_port)
{
	uint32_t pa, pb;
	int efd = b->evtchn.upcall_efd[0];
	struct vcpu_info *vi = &si(b)->vcpu_info[0];

	ck_assert_int_eq(alloc_unbound(a, (domid_t)b->id, &pa), 0);
	ck_assert_int_eq(bind_inter(b, (domid_t)a->id, pa, &pb), 0);
	memset(si(b)->evtchn_pending, 0, sizeof(si(b)->evtchn_pending));
	vi->evtchn_pending_sel = 0;
	vi->evtchn_upcall_pending = 0;
	efd_take(efd);
	si(b)->evtchn_mask[0] |= 1ull << pb;
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, pa), 0);
	ck_assert(pending(b, pb));
	ck_assert_uint_eq(vi->evtchn_pending_sel, 0);
	ck_assert_uint_eq(vi->evtchn_upcall_pending, 0);
	ck_assert_uint_eq(efd_take(efd), 0);
	ck_assert_int_eq(port_op(b, EVTCHNOP_unmask, pb), 0);
	ck_assert(!(si(b)->evtchn_mask[0] & (1ull << pb)));
	ck_assert_uint_eq(vi->evtchn_pending_sel, 1);
	ck_assert_uint_eq(vi->evtchn_upcall_pending, 1);
	ck_assert_uint_eq(efd_take(efd), 1);
	/* Unmasking a port that is not masked does nothing. */
	ck_assert_int_eq(port_op(b, EVTCHNOP_unmask, pb), 0);
	ck_assert_uint_eq(efd_take(efd), 0);
	/* Masked and not pending: unmask delivers nothing. */
	si(b)->evtchn_pending[0] = 0;
	si(b)->evtchn_mask[0] |= 1ull << pb;
	vi->evtchn_pending_sel = 0;
	vi->evtchn_upcall_pending = 0;
	ck_assert_int_eq(port_op(b, EVTCHNOP_unmask, pb), 0);
	ck_assert_uint_eq(vi->evtchn_upcall_pending, 0);
	ck_assert_int_eq(port_op(b, EVTCHNOP_unmask, 0), -EINVAL);
	ck_assert_int_eq(port_op(b, EVTCHNOP_unmask, 5000), -EINVAL);
}
END_TEST

START_TEST(ipi_and_vcpu)
{
	evtchn_bind_ipi_t ipi = {.vcpu = 1};
	evtchn_bind_vcpu_t bv = {.port = 0, .vcpu = 1};
	uint32_t p;

	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)),
			 0);
	ck_assert_uint_eq(status(a, ipi.port).status, EVTCHNSTAT_ipi);
	ck_assert_uint_eq(status(a, ipi.port).vcpu, 1);
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, ipi.port), 0);
	ck_assert_uint_eq(si(a)->vcpu_info[1].evtchn_upcall_pending, 1);
	ck_assert_uint_eq(si(a)->vcpu_info[0].evtchn_upcall_pending, 0);
	ck_assert_uint_eq(efd_take(a->evtchn.upcall_efd[1]), 1);
	ipi.vcpu = 2;
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)),
			 -ENOENT);
	bv.port = 1;
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_vcpu, &bv, sizeof(bv)),
			 -EINVAL); /* an IPI stays on its vCPU */
	ck_assert_int_eq(alloc_unbound(a, (domid_t)b->id, &p), 0);
	bv.port = p;
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_vcpu, &bv, sizeof(bv)),
			 0);
	ck_assert_uint_eq(status(a, p).vcpu, 1);
	bv.vcpu = 7;
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_vcpu, &bv, sizeof(bv)),
			 -ENOENT);
}
END_TEST

START_TEST(virqs)
{
	evtchn_bind_virq_t v = {.virq = VIRQ_TIMER, .vcpu = 1};
	uint32_t port;

	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &v, sizeof(v)),
			 0);
	port = v.port;
	ck_assert_uint_eq(status(a, port).status, EVTCHNSTAT_virq);
	ck_assert_uint_eq(status(a, port).u.virq, VIRQ_TIMER);
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &v, sizeof(v)),
			 -EEXIST);
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, port), -EINVAL);
	evtchn_raise_virq(a, 1, VIRQ_TIMER);
	ck_assert(pending(a, port));
	ck_assert_uint_eq(si(a)->vcpu_info[1].evtchn_upcall_pending, 1);
	v.virq = VIRQ_DOM_EXC;
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &v, sizeof(v)),
			 -EPERM);
	v.virq = VIRQ_CON_RING;
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &v, sizeof(v)),
			 -EPERM);
	v.virq = 5000;
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &v, sizeof(v)),
			 -EINVAL);
	v.virq = VIRQ_TIMER;
	v.vcpu = 9;
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &v, sizeof(v)),
			 -ENOENT);
	ck_assert_int_eq(port_op(a, EVTCHNOP_close, port), 0);
	v.vcpu = 1;
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &v, sizeof(v)),
			 0); /* bindable again after close */
}
END_TEST

START_TEST(dom0_guest_first)
{
	struct dyad_ctl_evtchn_dom0 rep;
	int fds[2], efd;
	uint32_t p;

	ck_assert_int_eq(alloc_unbound(a, 0, &p), 0);
	ck_assert_int_eq(evtchn_dom0_bind(a, p + 1, &rep, fds), -EINVAL);
	ck_assert_int_eq(evtchn_dom0_bind(a, 0, &rep, fds), -EINVAL);
	ck_assert_int_eq(evtchn_dom0_bind(a, p, &rep, fds), 0);
	ck_assert_uint_eq(rep.guest_port, p);
	ck_assert_uint_eq(rep.shared_info_gpa, SI_GPA);
	ck_assert_uint_eq(rep.vcpu, 0);
	ck_assert_int_eq(fds[1], a->evtchn.upcall_efd[0]);
	ck_assert_int_eq(fake_kvm_ioeventfds, 1);
	ck_assert_int_eq(evtchn_dom0_bind(a, p, &rep, fds), -EINVAL); /* bound already */
	ck_assert_uint_eq(status(a, p).status, EVTCHNSTAT_interdomain);
	ck_assert_uint_eq(status(a, p).u.interdomain.dom, 0);
	efd = dup(fds[0]);
	/* Xen: the binder's end is pending after bind, the guest's is not */
	ck_assert_int_eq(pending(a, p), 0);
	ck_assert_uint_eq(efd_take(efd), 1);
	/* guest -> dom0 through the hypercall (the doorbell is in the kernel) */
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, p), 0);
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, p), 0);
	ck_assert_uint_eq(efd_take(efd), 2);
	/* bind_vcpu refused: dom0 holds vCPU 0's eventfd */
	evtchn_bind_vcpu_t bv = {.port = p, .vcpu = 1};
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_vcpu, &bv, sizeof(bv)),
			 -EINVAL);
	/* the guest closes: dom0 reads the CLOSED mark, the ioeventfd is gone */
	ck_assert_int_eq(port_op(a, EVTCHNOP_close, p), 0);
	ck_assert_uint_ge(efd_take(efd), DYAD_EVTCHN_CLOSED_MARK);
	ck_assert_int_eq(fake_kvm_ioeventfds, 0);
	close(efd);
}
END_TEST

START_TEST(dom0_first)
{
	struct dyad_ctl_evtchn_dom0 rep;
	int fds[2], efd;
	uint32_t p;

	ck_assert_int_eq(evtchn_dom0_alloc(a, &rep, fds), 0);
	ck_assert_uint_eq(status(a, rep.guest_port).status, EVTCHNSTAT_closed);
	ck_assert_int_eq(port_op(a, EVTCHNOP_close, rep.guest_port), -EINVAL);
	ck_assert_int_eq(bind_inter(a, 0, rep.guest_port + 1, &p), -EINVAL);
	ck_assert_int_eq(bind_inter(a, 0, rep.guest_port, &p), 0);
	ck_assert_uint_eq(p, rep.guest_port);
	ck_assert_uint_eq(status(a, p).status, EVTCHNSTAT_interdomain);
	efd = dup(fds[0]);
	/* dom0 -> guest: the shared rules + the upcall eventfd */
	si(a)->vcpu_info[0].evtchn_upcall_pending = 0;
	si(a)->vcpu_info[0].evtchn_pending_sel = 0;
	evtchn_2l_clear_pending(si(a), p);
	efd_take(fds[1]);
	ck_assert(evtchn_2l_raise(si(a), &si(a)->vcpu_info[0], p));
	ck_assert(!evtchn_2l_raise(si(a), &si(a)->vcpu_info[0], p));
	/* dom0 unbinds: the guest port is unbound to dom0 again, dom0 sees CLOSED */
	ck_assert_int_eq(evtchn_dom0_unbind(a, p), 0);
	ck_assert_uint_ge(efd_take(efd), DYAD_EVTCHN_CLOSED_MARK);
	ck_assert_uint_eq(status(a, p).status, EVTCHNSTAT_unbound);
	ck_assert_int_eq(evtchn_dom0_unbind(a, p), -EINVAL);
	ck_assert_int_eq(evtchn_dom0_unbind(a, 0), -EINVAL);
	close(efd);
	/* an unbind of a reservation frees the port */
	ck_assert_int_eq(evtchn_dom0_alloc(a, &rep, fds), 0);
	ck_assert_int_eq(evtchn_dom0_unbind(a, rep.guest_port), 0);
	ck_assert_int_eq(bind_inter(a, 0, rep.guest_port, &p), -EINVAL);
	ck_assert_int_eq(fake_kvm_ioeventfds, 0);
}
END_TEST

/* KVM's ~1000 ioeventfds per VM: the first 900 dom0 ports get one, the rest go via the core. */
START_TEST(ioeventfd_cap)
{
	struct dyad_ctl_evtchn_dom0 rep;
	int fds[2], efd = -1;
	uint32_t p = 0;

	for (uint32_t i = 0; i < DYAD_EVTCHN_IOEVENTFD_MAX + 5; i++) {
		ck_assert_int_eq(alloc_unbound(b, 0, &p), 0);
		ck_assert_int_eq(evtchn_dom0_bind(b, p, &rep, fds), 0);
	}
	ck_assert_int_eq(fake_kvm_ioeventfds, (int)DYAD_EVTCHN_IOEVENTFD_MAX);
	ck_assert(!b->evtchn.port[p].iofd);
	efd = dup(fds[0]);
	ck_assert_uint_eq(efd_take(efd), 1);		   /* pending from the bind */
	ck_assert_int_eq(port_op(b, EVTCHNOP_send, p), 0); /* the doorbell exit path */
	ck_assert_uint_eq(efd_take(efd), 1);
	ck_assert_int_eq(port_op(b, EVTCHNOP_close, 1), 0); /* frees one ioeventfd */
	ck_assert_int_eq(fake_kvm_ioeventfds, (int)DYAD_EVTCHN_IOEVENTFD_MAX - 1);
	ck_assert_int_eq(evtchn_dom0_unbind(b, p), 0);
	ck_assert_int_eq(evtchn_dom0_bind(b, p, &rep, fds), 0); /* gets the free one */
	ck_assert_int_eq(fake_kvm_ioeventfds, (int)DYAD_EVTCHN_IOEVENTFD_MAX);
	ck_assert(b->evtchn.port[p].iofd);
	close(efd);
}
END_TEST

/* dom0 binds a fresh, never-run domain's port (the store and console do). */
START_TEST(dom0_before_guest_runs)
{
	struct domain *c = make("c", 1);
	struct dyad_ctl_evtchn_dom0 rep;
	uint32_t p;
	int fds[2];

	ck_assert_int_eq(evtchn_alloc_unbound(c, 0, &p), 0);
	ck_assert_int_eq(evtchn_dom0_bind(c, p, &rep, fds), 0);
	ck_assert_uint_eq(rep.shared_info_gpa, DYAD_BOOT_SHARED_INFO);
	ck_assert_uint_eq(c->evtchn.port[p].state, EVTCHN_INTERDOMAIN);
	ck_assert_int_eq(evtchn_dom0_alloc(c, &rep, fds), 0);
	ck_assert_uint_eq(rep.guest_port, p + 1);
}
END_TEST

/* Destroying a domain unbinds its peers and closes its dom0 ends. */
START_TEST(destroy_peers)
{
	struct dyad_ctl_evtchn_dom0 rep;
	uint32_t pa, pb, p0;
	int fds[2], efd;

	ck_assert_int_eq(alloc_unbound(a, (domid_t)b->id, &pa), 0);
	ck_assert_int_eq(bind_inter(b, (domid_t)a->id, pa, &pb), 0);
	ck_assert_int_eq(alloc_unbound(b, 0, &p0), 0);
	ck_assert_int_eq(evtchn_dom0_bind(b, p0, &rep, fds), 0);
	efd = dup(fds[0]);
	domain_destroy(b);
	ck_assert_uint_eq(status(a, pa).status, EVTCHNSTAT_unbound);
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, pa), 0);
	ck_assert_uint_ge(efd_take(efd), DYAD_EVTCHN_CLOSED_MARK);
	ck_assert_int_eq(fake_kvm_ioeventfds, 0);
	close(efd);
}
END_TEST

START_TEST(upcall_vector)
{
	struct xen_hvm_evtchn_upcall_vector u = {.vcpu = 1, .vector = DYAD_VECTOR_UPCALL};

	ck_assert_int_eq(hc(a, __HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, &u, sizeof(u)),
			 0);
	ck_assert_int_eq(fake_kvm_irqfds, 1);
	ck_assert(a->evtchn.irqfd[1]);
	/* with a vector, the core's own kicks are KVM_SIGNAL_MSI, not eventfd writes */
	evtchn_bind_ipi_t ipi = {.vcpu = 1};
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, &ipi, sizeof(ipi)),
			 0);
	ck_assert_int_eq(port_op(a, EVTCHNOP_send, ipi.port), 0);
	ck_assert_int_eq(fake_kvm_msis, 1);
	ck_assert_uint_eq(efd_take(a->evtchn.upcall_efd[1]), 0);
	u.vector = 0x30; /* again: new route, same irqfd */
	ck_assert_int_eq(hc(a, __HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, &u, sizeof(u)),
			 0);
	ck_assert_int_eq(fake_kvm_irqfds, 1);
	u.vector = 0x0f;
	ck_assert_int_eq(hc(a, __HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, &u, sizeof(u)),
			 -EINVAL);
	u.vector = 0x40;
	u.vcpu = 2;
	ck_assert_int_eq(hc(a, __HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, &u, sizeof(u)),
			 -ENOENT);
}
END_TEST

/* SCHEDOP_block: unmask, and return at once when an upcall is pending. */
/* Xen's scale for a few frequencies: ns from 1 s worth of ticks is 1e9 (within 1 ppm). */
START_TEST(time_scale)
{
	static const uint32_t khz[] = {1000000, 2596140, 3000000, 999999, 100000, 5000000};

	for (size_t i = 0; i < sizeof(khz) / sizeof(khz[0]); i++) {
		uint64_t ticks = (uint64_t)khz[i] * 1000u;
		uint32_t mul;
		int8_t shift;
		unsigned __int128 ns;

		shinfo_time_scale(khz[i], &mul, &shift);
		ticks = shift >= 0 ? ticks << shift : ticks >> -shift;
		ns = ((unsigned __int128)ticks * mul) >> 32;
		ck_assert_uint_ge((uint64_t)ns, 999999000u);
		ck_assert_uint_le((uint64_t)ns, 1000001000u);
		ck_assert_uint_ge(mul, 1u << 31);
	}
}
END_TEST

/* Sends from both sides race closes and re-binds (run under ASan/TSan). */
static int race_stop;

static void *race_sender(void *arg)
{
	struct domain *dom = arg;

	while (!__atomic_load_n(&race_stop, __ATOMIC_RELAXED))
		for (uint32_t p = 1; p < 8; p++)
			(void)evtchn_send(dom, p);
	return NULL;
}

START_TEST(concurrent_send_close)
{
	pthread_t t1, t2;
	uint32_t pa, pb;

	__atomic_store_n(&race_stop, 0, __ATOMIC_RELAXED);
	ck_assert_int_eq(pthread_create(&t1, NULL, race_sender, a), 0);
	ck_assert_int_eq(pthread_create(&t2, NULL, race_sender, b), 0);
	for (int i = 0; i < 3000; i++) {
		if (alloc_unbound(a, (domid_t)b->id, &pa) == 0 &&
		    bind_inter(b, (domid_t)a->id, pa, &pb) == 0)
			(void)port_op(i & 1 ? a : b, EVTCHNOP_close, i & 1 ? pa : pb);
		(void)port_op(a, EVTCHNOP_close, pa);
		(void)port_op(b, EVTCHNOP_close, pb);
	}
	__atomic_store_n(&race_stop, 1, __ATOMIC_RELAXED);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	for (uint32_t p = 1; p < 8; p++)
		ck_assert_uint_eq(status(a, p).status, EVTCHNSTAT_closed);
}
END_TEST

/* VIRQ_TIMER: a host timerfd armed with the singleshot timer, raised by the timer thread. */
static long set_timer(struct domain *dom, uint32_t vcpu, uint64_t abs_ns)
{
	struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = abs_ns};
	struct hc_ctx c = hv_test_ctx(dom, vcpu, 0x10000, 0);

	memcpy(dom->mem.host + ARG, &t, sizeof(t));
	c.arg[0] = VCPUOP_set_singleshot_timer, c.arg[1] = vcpu, c.arg[2] = ARG;
	return hypercall_dispatch(&c, __HYPERVISOR_vcpu_op);
}

START_TEST(virq_timer)
{
	evtchn_bind_virq_t v = {.virq = VIRQ_TIMER, .vcpu = 0};
	struct itimerspec its;

	ck_assert_int_eq(set_timer(a, 0, 5000000), 0); /* not bound: no timerfd */
	ck_assert_int_eq(a->evtchn.timer_fd[0], -1);
	ck_assert_int_eq(hc(a, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &v, sizeof(v)),
			 0);
	fake_kvm_vcpu(a->vcpus[0].fd)->tsc = 10000000; /* 10 ms (1 GHz fake TSC) */
	ck_assert_int_eq(set_timer(a, 0, 1000), 0);    /* in the past: raised now */
	ck_assert(pending(a, v.port));
	evtchn_2l_clear_pending(si(a), v.port);
	ck_assert_int_eq(virq_timer_init(), 0);
	ck_assert_int_eq(set_timer(a, 0, 30000000), 0); /* +20 ms */
	ck_assert_int_ge(a->evtchn.timer_fd[0], 0);
	ck_assert_int_eq(timerfd_gettime(a->evtchn.timer_fd[0], &its), 0);
	ck_assert(its.it_value.tv_nsec > 0 || its.it_value.tv_sec > 0);
	ck_assert(!pending(a, v.port));
	for (int i = 0; i < 500 && !pending(a, v.port); i++)
		usleep(1000);
	ck_assert(pending(a, v.port)); /* the timer thread raised it */
	evtchn_2l_clear_pending(si(a), v.port);
	ck_assert_int_eq(set_timer(a, 0, 30000000), 0);
	struct hc_ctx c = hv_test_ctx(a, 0, 0x10000, 0);
	c.arg[0] = VCPUOP_stop_singleshot_timer, c.arg[1] = 0;
	ck_assert_int_eq(hypercall_dispatch(&c, __HYPERVISOR_vcpu_op), 0);
	usleep(40000);
	ck_assert(!pending(a, v.port)); /* stopped */
	virq_timer_fire(a->id, 0);
	ck_assert(pending(a, v.port));
	virq_timer_fire(9999, 0); /* a domain that is gone: nothing */
	virq_timer_fini();
}
END_TEST

START_TEST(block_with_pending)
{
	struct vcpu *v = &a->vcpus[0];
	struct vcpu_info *vi = &si(a)->vcpu_info[0];

	vi->evtchn_upcall_mask = 1;
	vi->evtchn_upcall_pending = 1;
	v->halt_next = false;
	ck_assert_int_eq(vcpu_self_block(v), 0);
	ck_assert(!v->halt_next);
	ck_assert_uint_eq(vi->evtchn_upcall_mask, 0);
	vi->evtchn_upcall_pending = 0;
	ck_assert_int_eq(vcpu_self_block(v), 0);
	ck_assert(v->halt_next);
	v->halt_next = false;
}
END_TEST

static Suite *evtchn_suite(void)
{
	Suite *s = suite_create("evtchn");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, shared_info_placement);
	tcase_add_test(tc, alloc_close_status);
	tcase_add_test(tc, port_limit);
	tcase_add_test(tc, interdomain);
	tcase_add_test(tc, loopback);
	tcase_add_test(tc, masked_port);
	tcase_add_test(tc, ipi_and_vcpu);
	tcase_add_test(tc, virqs);
	tcase_add_test(tc, dom0_guest_first);
	tcase_add_test(tc, dom0_first);
	tcase_add_test(tc, dom0_before_guest_runs);
	tcase_add_test(tc, ioeventfd_cap);
	tcase_add_test(tc, destroy_peers);
	tcase_add_test(tc, upcall_vector);
	tcase_add_test(tc, block_with_pending);
	tcase_add_test(tc, time_scale);
	tcase_add_test(tc, virq_timer);
	tcase_add_test(tc, concurrent_send_close);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(evtchn_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
