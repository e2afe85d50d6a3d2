/*
 * Event channels, guest side (events.h): Xen's 2-level scan, handlers per
 * port, the virtual interrupt flag, and the event_channel_op wrappers.
 *
 * The raise rules the core and dom0 follow are lib/evtchn_2l.h's; the scan
 * here is their other half, in the order that header's ordering argument
 * needs: evtchn_upcall_pending = 0 (xchg), sel = xchg(sel, 0), then for
 * each selected word pending & ~mask, clearing each pending bit with an
 * atomic AND before its handler runs.  Every step is a LOCKed instruction.
 *
 * Poll mode (rt_events_wait): while this vCPU polls it holds its own
 * evtchn_upcall_pending at 1, so a raise stops at step 4 and nobody writes
 * the upcall irqfd: no interrupt, no ring-0 instruction.  Leaving poll mode
 * clears it and scans once more.  Blocking: rt_block_unmasked (upcall.S
 * helper below) clears the mask, re-checks upcall_pending and issues
 * SCHEDOP_block; an upcall taken between the check and the trap makes the
 * callback move the return address past the trap (Xen Linux's critical
 * section fix-up, in miniature), so a wake-up can never be lost whatever
 * the core's block does with pending events.
 */
#include "events.h"

#include <guest/upcall.h>

#include "hypercall.h"
#include "sched.h"
#include "time.h"
#include "vcpu.h"

#define RT_BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

/* upcall.S's plain numbers. */
_Static_assert(__HYPERVISOR_sched_op == 29 && SCHEDOP_block == 1, "upcall.S trap");
_Static_assert(DYAD_HYPERCALL_PORT == 0xe0, "upcall.S port");
_Static_assert(__builtin_offsetof(struct vcpu_info, evtchn_upcall_pending) == 0, "upcall.S");
_Static_assert(__builtin_offsetof(struct vcpu_info, evtchn_upcall_mask) == 1, "upcall.S");

struct rt_evtchn_slot {
	rt_evtchn_handler *fn;
	void *arg;
};

/* The frame the core placed shared_info in at creation (dyad/boot.h). */
#define RT_SHINFO ((struct shared_info *)DYAD_BOOT_SHARED_INFO)
_Static_assert(__builtin_offsetof(struct shared_info, vcpu_info) == 0, "nucleus: vcpu_info[]");

static struct rt_evtchn_slot rt_evtchn_slots[RT_EVTCHN_PORTS];
static unsigned long rt_events_count[RT_MAX_VCPUS], rt_events_callbacks[RT_MAX_VCPUS];
static int rt_events_rc = -38; /* ENOSYS until rt_events_init succeeds */

struct nucleus_callback nucleus_callback;

void rt_events_upcall(void);
void rt_block_unmasked(struct vcpu_info *vi, uint64_t wake_tsc);

struct shared_info *rt_shared_info(void)
{
	return RT_SHINFO;
}

struct vcpu_info *rt_vcpu_info(unsigned int vcpu)
{
	return &RT_SHINFO->vcpu_info[vcpu % RT_MAX_VCPUS];
}

int rt_events_status(void)
{
	return rt_events_rc;
}

unsigned long rt_events_handled(void)
{
	return rt_events_count[rt_vcpu_self()];
}

unsigned long rt_events_upcalls(void)
{
	return rt_events_callbacks[rt_vcpu_self()];
}

static int rt_events_set_vector(unsigned int vcpu)
{
	struct xen_hvm_evtchn_upcall_vector uv = {.vcpu = vcpu, .vector = DYAD_VECTOR_UPCALL};

	return (int)rt_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv);
}

int rt_events_init(void)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = DYAD_BOOT_SHARED_INFO >> 12, /* the core answers 0 for its frame */
	};
	int rc = (int)rt_memory_op(XENMEM_add_to_physmap, &xatp);

	if (rc == 0) {
		__atomic_store_n(&nucleus_callback.entry, (uint64_t)rt_upcall_entry,
				 __ATOMIC_SEQ_CST);
		rc = rt_events_set_vector(0);
	}
	rt_events_rc = rc;
	return rc;
}

int rt_events_vcpu_init(unsigned int vcpu)
{
	return rt_events_rc ? rt_events_rc : rt_events_set_vector(vcpu);
}

/* Run the handlers of one selected word; returns how many ran. */
static unsigned long rt_events_word(struct shared_info *s, unsigned int w)
{
	xen_ulong_t bits = __atomic_load_n(&s->evtchn_pending[w], __ATOMIC_SEQ_CST) &
			   ~__atomic_load_n(&s->evtchn_mask[w], __ATOMIC_SEQ_CST);
	unsigned long n = 0;

	while (bits) {
		unsigned int b = (unsigned int)__builtin_ctzl(bits);
		evtchn_port_t port = w * RT_BITS_PER_WORD + b;
		struct rt_evtchn_slot *slot = &rt_evtchn_slots[port];
		xen_ulong_t m = (xen_ulong_t)1 << b;

		bits &= bits - 1;
		/* Test-and-clear: of two overlapping scans only one runs the handler. */
		if (!(__atomic_fetch_and(&s->evtchn_pending[w], ~m, __ATOMIC_SEQ_CST) & m))
			continue;
		if (slot->fn)
			slot->fn(port, slot->arg);
		n++;
	}
	return n;
}

/* One 2-level scan pass per upcall_pending; called with this vCPU masked. */
static unsigned long rt_events_scan(struct vcpu_info *vi)
{
	struct shared_info *s = rt_shared_info();
	unsigned long n = 0;
	xen_ulong_t sel;

	do {
		__atomic_exchange_n(&vi->evtchn_upcall_pending, (uint8_t)0, __ATOMIC_SEQ_CST);
		sel = __atomic_exchange_n(&vi->evtchn_pending_sel, (xen_ulong_t)0,
					  __ATOMIC_SEQ_CST);
		while (sel) {
			unsigned int w = (unsigned int)__builtin_ctzl(sel);

			sel &= sel - 1;
			n += rt_events_word(s, w);
		}
	} while (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST));
	rt_events_count[rt_vcpu_self()] += n;
	return n;
}

/* Called from rt_upcall_entry with this vCPU masked; returns unmasked. */
void rt_events_upcall(void)
{
	unsigned int self = rt_vcpu_self();
	struct vcpu_info *vi = rt_vcpu_info(self);

	rt_events_callbacks[self]++;
	for (;;) {
		rt_events_scan(vi);
		__atomic_store_n(&vi->evtchn_upcall_mask, (uint8_t)0, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST))
			return;
		__atomic_store_n(&vi->evtchn_upcall_mask, (uint8_t)1, __ATOMIC_SEQ_CST);
	}
}

int rt_events_disable(void)
{
	struct vcpu_info *vi = rt_vcpu_info(rt_vcpu_self());

	return __atomic_exchange_n(&vi->evtchn_upcall_mask, (uint8_t)1, __ATOMIC_SEQ_CST);
}

void rt_events_restore(int was_masked)
{
	struct vcpu_info *vi = rt_vcpu_info(rt_vcpu_self());

	if (was_masked)
		return;
	__atomic_store_n(&vi->evtchn_upcall_mask, (uint8_t)0, __ATOMIC_SEQ_CST);
	/* An upcall that came while masked was only EOIed: catch up here. */
	while (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&vi->evtchn_upcall_mask, (uint8_t)1, __ATOMIC_SEQ_CST);
		rt_events_scan(vi);
		__atomic_store_n(&vi->evtchn_upcall_mask, (uint8_t)0, __ATOMIC_SEQ_CST);
	}
}

unsigned long rt_events_poll(void)
{
	struct vcpu_info *vi = rt_vcpu_info(rt_vcpu_self());
	int was = rt_events_disable();
	unsigned long n = rt_events_scan(vi);

	rt_events_restore(was);
	return n;
}

/* Spin with upcall_pending held at 1 (no kicks); scan without clearing it. */
static unsigned long rt_events_spin(struct vcpu_info *vi, uint64_t until_ns)
{
	struct shared_info *s = rt_shared_info();
	unsigned long n = 0;

	__atomic_store_n(&vi->evtchn_upcall_pending, (uint8_t)1, __ATOMIC_SEQ_CST);
	do {
		xen_ulong_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, (xen_ulong_t)0,
						      __ATOMIC_SEQ_CST);

		while (sel) {
			unsigned int w = (unsigned int)__builtin_ctzl(sel);

			sel &= sel - 1;
			n += rt_events_word(s, w);
		}
		if (n)
			break;
		__builtin_ia32_pause();
	} while (rt_now_ns() < until_ns);
	rt_events_count[rt_vcpu_self()] += n;
	return n + rt_events_scan(vi); /* leave poll mode: clear pending, look again */
}

/*
 * The TSC value past which the single-shot timer for deadline_ns has
 * surely fired: a microsecond early, so rounding differences with the
 * core's conversion can only make a sleep loop go round once more.
 */
static uint64_t rt_events_wake_tsc(uint64_t deadline_ns)
{
	uint64_t tsc;

	if (deadline_ns == UINT64_MAX)
		return UINT64_MAX;
	tsc = rt_muldiv64(deadline_ns, rt_tsc_khz(), 1000000);
	return tsc > rt_tsc_khz() / 1000 ? tsc - rt_tsc_khz() / 1000 : 0;
}

void rt_events_sleep_until(uint64_t deadline_ns)
{
	struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = deadline_ns, .flags = 0};
	unsigned int self = rt_vcpu_self();
	struct vcpu_info *vi = rt_vcpu_info(self);
	int was = rt_events_disable();

	while (rt_now_ns() < deadline_ns) {
		if (rt_vcpu_op(VCPUOP_set_singleshot_timer, self, &t) < 0)
			break;
		rt_block_unmasked(vi, rt_events_wake_tsc(deadline_ns));
	}
	rt_events_disable();
	rt_events_restore(was);
}

unsigned long rt_events_wait(uint64_t deadline_ns, uint64_t spin_ns)
{
	unsigned int self = rt_vcpu_self();
	struct vcpu_info *vi = rt_vcpu_info(self);
	int was = rt_events_disable();
	uint64_t now = rt_now_ns(),
		 until = now + spin_ns < deadline_ns ? now + spin_ns : deadline_ns;
	unsigned long n = rt_events_spin(vi, until), before = rt_events_count[self];

	while (!n && rt_now_ns() < deadline_ns) {
		struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = deadline_ns};

		if (deadline_ns != UINT64_MAX)
			(void)rt_vcpu_op(VCPUOP_set_singleshot_timer, self, &t);
		rt_block_unmasked(vi, rt_events_wake_tsc(deadline_ns)); /* handlers run in here */
		rt_events_disable();
		n = rt_events_count[self] - before;
		n += rt_events_scan(vi);
	}
	rt_events_restore(was);
	return n;
}

static int rt_evtchn_port_ok(evtchn_port_t port)
{
	return port < RT_EVTCHN_PORTS;
}

int rt_evtchn_set_handler(evtchn_port_t port, rt_evtchn_handler *fn, void *arg)
{
	int was;

	if (!rt_evtchn_port_ok(port))
		return -22; /* EINVAL */
	was = rt_events_disable();
	rt_evtchn_slots[port].arg = arg;
	rt_evtchn_slots[port].fn = fn;
	rt_events_restore(was);
	return 0;
}

int rt_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = remote};
	int rc = (int)rt_evtchn_op(EVTCHNOP_alloc_unbound, &op);

	if (rc == 0)
		*port = op.port;
	return rc;
}

int rt_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = {.remote_dom = remote, .remote_port = remote_port};
	int rc = (int)rt_evtchn_op(EVTCHNOP_bind_interdomain, &op);

	if (rc == 0)
		*port = op.local_port;
	return rc;
}

int rt_evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_virq op = {.virq = virq, .vcpu = vcpu};
	int rc = (int)rt_evtchn_op(EVTCHNOP_bind_virq, &op);

	if (rc == 0)
		*port = op.port;
	return rc;
}

int rt_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = {.port = port};
	int rc = (int)rt_evtchn_op(EVTCHNOP_close, &op);

	if (rc == 0 && rt_evtchn_port_ok(port)) {
		int was = rt_events_disable();

		rt_evtchn_slots[port].fn = 0;
		rt_events_restore(was);
	}
	return rc;
}

int rt_evtchn_state(evtchn_port_t port)
{
	struct evtchn_status op = {.dom = DOMID_SELF, .port = port};
	int rc = (int)rt_evtchn_op(EVTCHNOP_status, &op);

	return rc ? rc : (int)op.status;
}

int rt_evtchn_send(evtchn_port_t port)
{
	struct evtchn_send op = {.port = port};

	return (int)rt_evtchn_op(EVTCHNOP_send, &op);
}

void rt_evtchn_mask(evtchn_port_t port)
{
	if (rt_evtchn_port_ok(port))
		__atomic_fetch_or(&rt_shared_info()->evtchn_mask[port / RT_BITS_PER_WORD],
				  (xen_ulong_t)1 << (port % RT_BITS_PER_WORD), __ATOMIC_SEQ_CST);
}

/*
 * Xen's EVTCHNOP_unmask re-raises a port that became pending while masked
 * (lib/evtchn_2l.h evtchn_2l_unmask) for whichever vCPU it is bound to, so
 * unmasking is the hypercall; it only costs an exit when called.
 */
void rt_evtchn_unmask(evtchn_port_t port)
{
	struct evtchn_unmask op = {.port = port};

	(void)rt_evtchn_op(EVTCHNOP_unmask, &op);
	if (!__atomic_load_n(&rt_vcpu_info(rt_vcpu_self())->evtchn_upcall_mask, __ATOMIC_SEQ_CST))
		rt_events_restore(0);
}

int rt_evtchn_pending(evtchn_port_t port)
{
	if (!rt_evtchn_port_ok(port))
		return 0;
	return (int)((__atomic_load_n(&rt_shared_info()->evtchn_pending[port / RT_BITS_PER_WORD],
				      __ATOMIC_SEQ_CST) >>
		      (port % RT_BITS_PER_WORD)) &
		     1);
}
