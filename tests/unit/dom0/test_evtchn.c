/*
 * libdom0 evtchn against the scripted fake core and a memfd standing in
 * for the guest's RAM (shared_info on page SI_GFN).  The fake core answers
 * EVTCHN_BIND_DOM0 / ALLOC_DOM0 with two eventfds the test keeps its own
 * references to, and GET_MEMFD with the memfd, so the test plays both the
 * guest (writes the sends eventfd, reads shared_info and the upcall
 * eventfd) and the core (the CLOSED mark).
 *
 * Request numbering: bind is seq 1 and the memfd fetch seq 2 on the first
 * binding into a domain; later calls follow on.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ctl_client.h"
#include "evtchn.h"
#include "evtchn_2l.h"
#include "fake_core.h"

#define GUEST_PAGES 16u
#define SI_GFN	    3u
#define DOMID	    5u

static struct fake_core f;
static struct evtchn_handle *h;
static int send_efd, irq_efd, mem_fd;
static struct shared_info *si;
static uint8_t *ram;

static void setup(void)
{
	fake_core_start(&f);
	ck_assert_int_eq(evtchn_open(f.client, &h), 0);
	send_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	irq_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	mem_fd = memfd_create("fake-guest", MFD_CLOEXEC);
	ck_assert_int_ge(send_efd, 0);
	ck_assert_int_ge(irq_efd, 0);
	ck_assert_int_eq(ftruncate(mem_fd, GUEST_PAGES * 4096), 0);
	ram = mmap(NULL, GUEST_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mem_fd, 0);
	ck_assert_ptr_ne(ram, MAP_FAILED);
	si = (struct shared_info *)(void *)(ram + SI_GFN * 4096);
}

static void teardown(void)
{
	evtchn_close(h); /* every binding was unbound by the test */
	fake_core_stop(&f);
	close(send_efd);
	close(irq_efd);
	close(mem_fd);
	munmap(ram, GUEST_PAGES * 4096);
}

static void queue_bind(uint16_t type, uint32_t seq, uint32_t port, uint32_t vcpu, uint64_t si_gpa)
{
	struct {
		uint32_t guest_port, vcpu;
		uint64_t gpa;
	} body = {port, vcpu, si_gpa};
	int fds[2] = {send_efd, irq_efd};

	fake_core_reply_fds(&f, type, seq, 0, &body, sizeof(body), fds, 2);
}

static void queue_memfd(uint32_t seq)
{
	uint64_t size = GUEST_PAGES * 4096;

	fake_core_reply_fd(&f, DYAD_CTL_GET_MEMFD, seq, 0, &size, sizeof(size), mem_fd);
}

/* Bind guest port `port` on vcpu; returns the local port. */
static uint32_t bind_port(uint32_t port, uint32_t vcpu)
{
	struct dyad_ctl_hdr hdr;
	struct dyad_ctl_evtchn req;
	uint32_t local = 0;

	queue_bind(DYAD_CTL_EVTCHN_BIND_DOM0, 1, port, vcpu, SI_GFN * 4096);
	queue_memfd(2);
	ck_assert_int_eq(evtchn_bind_interdomain(h, DOMID, port, &local), 0);
	ck_assert_uint_eq(fake_core_request(&f, &hdr, &req, sizeof(req)), sizeof(req));
	ck_assert_uint_eq(hdr.type, DYAD_CTL_EVTCHN_BIND_DOM0);
	ck_assert_uint_eq(req.domid, DOMID);
	ck_assert_uint_eq(req.port, port);
	return local;
}

static void unbind(uint32_t local, uint32_t seq)
{
	fake_core_reply(&f, DYAD_CTL_EVTCHN_UNBIND_DOM0, seq, 0, NULL, 0);
	ck_assert_int_eq(evtchn_unbind(h, local), 0);
}

static uint64_t efd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

static void efd_put(int fd, uint64_t v)
{
	ck_assert_int_eq(write(fd, &v, sizeof(v)), sizeof(v));
}

static int readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0);
}

START_TEST(test_notify_sets_exactly_the_right_bits)
{
	uint32_t local = bind_port(130, 2); /* word 2, bit 2 */
	xen_ulong_t zero[sizeof(si->evtchn_pending) / sizeof(xen_ulong_t)] = {0};

	ck_assert_uint_ne(local, 0);
	ck_assert_int_eq(evtchn_notify(h, local), 0);
	ck_assert_uint_eq(si->evtchn_pending[2], 1ull << 2);
	si->evtchn_pending[2] = 0;
	ck_assert_mem_eq(si->evtchn_pending, zero, sizeof(zero)); /* nothing else */
	si->evtchn_pending[2] = 1ull << 2;
	ck_assert_uint_eq(si->vcpu_info[2].evtchn_pending_sel, 1ull << 2);
	ck_assert_uint_eq(si->vcpu_info[2].evtchn_upcall_pending, 1);
	ck_assert_uint_eq(si->vcpu_info[0].evtchn_pending_sel, 0);
	ck_assert_uint_eq(si->vcpu_info[1].evtchn_upcall_pending, 0);
	ck_assert_uint_eq(efd_take(irq_efd), 1); /* one kick */
	/* Already pending: merged, no second kick. */
	ck_assert_int_eq(evtchn_notify(h, local), 0);
	ck_assert_uint_eq(efd_take(irq_efd), 0);
	/* The guest scanned (cleared the pending bit) but not the upcall flag. */
	si->evtchn_pending[2] = 0;
	ck_assert_int_eq(evtchn_notify(h, local), 0);
	ck_assert_uint_eq(efd_take(irq_efd), 0);
	/* A full scan done: the next notify kicks again. */
	si->evtchn_pending[2] = 0;
	si->vcpu_info[2].evtchn_pending_sel = 0;
	si->vcpu_info[2].evtchn_upcall_pending = 0;
	ck_assert_int_eq(evtchn_notify(h, local), 0);
	ck_assert_uint_eq(efd_take(irq_efd), 1);
	unbind(local, 3);
}
END_TEST

START_TEST(test_masked_port_stays_pending_without_kick)
{
	uint32_t local = bind_port(7, 0);

	si->evtchn_mask[0] = 1ull << 7;
	ck_assert_int_eq(evtchn_notify(h, local), 0);
	ck_assert_uint_eq(si->evtchn_pending[0], 1ull << 7);
	ck_assert_uint_eq(si->vcpu_info[0].evtchn_pending_sel, 0);
	ck_assert_uint_eq(si->vcpu_info[0].evtchn_upcall_pending, 0);
	ck_assert_uint_eq(efd_take(irq_efd), 0);
	/* The guest's unmask delivers it (same shared rules). */
	ck_assert(evtchn_2l_unmask(si, &si->vcpu_info[0], 7));
	ck_assert_uint_eq(si->vcpu_info[0].evtchn_upcall_pending, 1);
	unbind(local, 3);
}
END_TEST

START_TEST(test_pending_is_oneshot_until_unmask)
{
	uint32_t local = bind_port(9, 0), got = 0;

	ck_assert_int_eq(evtchn_pending(h, &got), -EAGAIN);
	ck_assert_int_eq(readable(evtchn_fd(h)), 0);
	efd_put(send_efd, 1); /* the guest's doorbell */
	ck_assert_int_eq(readable(evtchn_fd(h)), 1);
	ck_assert_int_eq(evtchn_pending(h, &got), 0);
	ck_assert_uint_eq(got, local);
	/* Disarmed: a new send is counted but does not fire... */
	efd_put(send_efd, 1);
	ck_assert_int_eq(readable(evtchn_fd(h)), 0);
	ck_assert_int_eq(evtchn_pending(h, &got), -EAGAIN);
	/* ...until unmask. */
	ck_assert_int_eq(evtchn_unmask(h, local), 0);
	ck_assert_int_eq(evtchn_pending(h, &got), 0);
	ck_assert_uint_eq(got, local);
	ck_assert_int_eq(evtchn_unmask(h, local), 0);
	ck_assert_int_eq(evtchn_pending(h, &got), -EAGAIN);
	unbind(local, 3);
}
END_TEST

START_TEST(test_closed_mark_reported)
{
	uint32_t local = bind_port(11, 0), got = 0;

	efd_put(send_efd, 1 + DYAD_EVTCHN_CLOSED_MARK); /* a send, then the close */
	ck_assert_int_eq(evtchn_pending(h, &got), -EPIPE);
	ck_assert_uint_eq(got, local);
	ck_assert_int_eq(evtchn_notify(h, local), -EPIPE);
	ck_assert_int_eq(evtchn_unmask(h, local), -EPIPE);
	/* The core already dropped it: unbind succeeds even on -ESRCH. */
	fake_core_reply(&f, DYAD_CTL_EVTCHN_UNBIND_DOM0, 3, -ESRCH, NULL, 0);
	ck_assert_int_eq(evtchn_unbind(h, local), 0);
	ck_assert_int_eq(evtchn_notify(h, local), -EINVAL);
}
END_TEST

/* A reply naming shared_info outside RAM is refused and undone in the core. */
START_TEST(test_bad_shared_info_refused_and_undone)
{
	struct dyad_ctl_hdr hdr;
	struct dyad_ctl_evtchn req;
	uint32_t local = 0;

	queue_bind(DYAD_CTL_EVTCHN_BIND_DOM0, 1, 12, 0, GUEST_PAGES * 4096);
	queue_memfd(2);
	fake_core_reply(&f, DYAD_CTL_EVTCHN_UNBIND_DOM0, 3, 0, NULL, 0);
	ck_assert_int_eq(evtchn_bind_interdomain(h, DOMID, 12, &local), -EPROTO);
	ck_assert_uint_eq(fake_core_request(&f, &hdr, &req, sizeof(req)), sizeof(req));
	ck_assert_uint_eq(fake_core_request(&f, &hdr, &req, sizeof(req)), 8); /* GET_MEMFD */
	ck_assert_uint_eq(fake_core_request(&f, &hdr, &req, sizeof(req)), sizeof(req));
	ck_assert_uint_eq(hdr.type, DYAD_CTL_EVTCHN_UNBIND_DOM0);
	ck_assert_uint_eq(req.port, 12);
	/* A vCPU without a vcpu_info in shared_info: refused before any mapping. */
	queue_bind(DYAD_CTL_EVTCHN_BIND_DOM0, 4, 12, XEN_LEGACY_MAX_VCPUS, SI_GFN * 4096);
	fake_core_reply(&f, DYAD_CTL_EVTCHN_UNBIND_DOM0, 5, 0, NULL, 0);
	ck_assert_int_eq(evtchn_bind_interdomain(h, DOMID, 12, &local), -EPROTO);
}
END_TEST

START_TEST(test_core_error_passed_through)
{
	uint32_t local = 0, gport = 0;

	fake_core_reply(&f, DYAD_CTL_EVTCHN_BIND_DOM0, 1, -EINVAL, NULL, 0);
	ck_assert_int_eq(evtchn_bind_interdomain(h, DOMID, 3, &local), -EINVAL);
	fake_core_reply(&f, DYAD_CTL_EVTCHN_ALLOC_DOM0, 2, -ESRCH, NULL, 0);
	ck_assert_int_eq(evtchn_bind_unbound_port(h, 99, &gport, &local), -ESRCH);
	ck_assert_int_eq(evtchn_notify(h, 1), -EINVAL);
	ck_assert_int_eq(evtchn_unmask(h, 0), -EINVAL);
	ck_assert_int_eq(evtchn_unbind(h, EVTCHN_MAX_LOCAL + 1), -EINVAL);
}
END_TEST

START_TEST(test_alloc_returns_guest_port)
{
	uint32_t local = 0, gport = 0, d = 0, p = 0;

	queue_bind(DYAD_CTL_EVTCHN_ALLOC_DOM0, 1, 44, 1, SI_GFN * 4096);
	queue_memfd(2);
	ck_assert_int_eq(evtchn_bind_unbound_port(h, DOMID, &gport, &local), 0);
	ck_assert_uint_eq(gport, 44);
	ck_assert_int_eq(evtchn_remote(h, local, &d, &p), 0);
	ck_assert_uint_eq(d, DOMID);
	ck_assert_uint_eq(p, 44);
	ck_assert_int_eq(evtchn_notify(h, local), 0);
	ck_assert_uint_eq(si->vcpu_info[1].evtchn_pending_sel, 1);
	unbind(local, 3);
}
END_TEST

static Suite *evtchn_suite(void)
{
	Suite *s = suite_create("evtchn");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_notify_sets_exactly_the_right_bits);
	tcase_add_test(tc, test_masked_port_stays_pending_without_kick);
	tcase_add_test(tc, test_pending_is_oneshot_until_unmask);
	tcase_add_test(tc, test_closed_mark_reported);
	tcase_add_test(tc, test_bad_shared_info_refused_and_undone);
	tcase_add_test(tc, test_core_error_passed_through);
	tcase_add_test(tc, test_alloc_returns_guest_port);
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
