/*
 * One line buffer per vCPU (indexed by rt_vcpu_self).  A full line goes
 * out with one console_io hypercall (an exit costs tens of microseconds
 * on hosts without VT-x, a character at a time would be unusable) until
 * the console ring is set up, then into the ring's out half with one
 * doorbell (console.h).
 *
 * The ring (struct xencons_interface, xen/io/console.h): the guest owns
 * out_prod and in_cons, the backend out_cons and in_prod; indexes run
 * free and are masked with the ring's size.  Each index the backend
 * writes is read once and checked: a backend claiming more bytes than
 * the ring holds is treated as "no room" / "nothing to read" (and the
 * input is resynchronised), never as a reason to read or write outside
 * the ring.  A line goes into the ring whole (RT_CONSOLE_LINE is far below
 * the ring's size), with events masked, so two lines never interleave in
 * the ring; a line an event handler prints while an outer line waits for
 * room goes in first.  (Characters a handler prints while this vCPU's
 * line buffer holds a partial line join that line: the buffer is shared.)
 * Waiting for room is rt_events_wait (the backend notifies as it
 * consumes, and the writer re-checks every RT_CONSOLE_RECHECK_NS in case
 * it does not), bounded: after RT_CONSOLE_STALL_NS without progress the
 * line goes out through console_io (the core's console stream, `dyad
 * console`) and
 * later lines do too while the ring stays full, so a dead backend can
 * neither lose output nor hang the guest (or its shutdown).
 */
#include "console.h"

#include <dyad/xen.h>
#include <xen/io/console.h>

#include "events.h"
#include "hypercall.h"
#include "string.h"
#include "time.h"
#include "vcpu.h"

#define RT_CONSOLE_LINE	      256
#define RT_CONSOLE_RECHECK_NS 10000000ull
#define RT_CONSOLE_SPIN_NS    20000ull
#define RT_CONSOLE_STALL_NS   1000000000ull /* without the backend consuming: use console_io */
#define RT_CONSOLE_ENODEV     19
#define RT_CONSOLE_EINVAL     22

struct rt_console_line {
	char buf[RT_CONSOLE_LINE];
	unsigned int len;
};

static struct rt_console_line rt_console_lines[RT_MAX_VCPUS];
static struct xencons_interface *rt_console_ring;
static evtchn_port_t rt_console_port;
static int rt_console_stalled; /* the last line went out through console_io */

/* Put p whole into the out ring if it has room; 1 if put, 0 if not.  Events masked. */
static int rt_console_ring_put(struct xencons_interface *r, const char *p, size_t len)
{
	XENCONS_RING_IDX cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX prod = r->out_prod;
	uint32_t used = prod - cons;
	size_t n;

	if (used > sizeof(r->out) || sizeof(r->out) - used < len)
		return 0; /* full, or a backend claiming more than the ring holds */
	for (n = 0; n < len; n++)
		r->out[MASK_XENCONS_IDX(prod + n, r->out)] = p[n];
	__atomic_store_n(&r->out_prod, prod + (XENCONS_RING_IDX)len, __ATOMIC_RELEASE);
	rt_evtchn_notify(rt_console_port);
	return 1;
}

/*
 * Wait for room for the whole line while the backend makes progress; 0 once
 * put, -1 after RT_CONSOLE_STALL_NS without the backend consuming anything.
 * Events masked throughout: the backend's event after a full-ring check stays
 * pending.
 */
static int rt_console_ring_wait_put(struct xencons_interface *r, const char *p, size_t len)
{
	XENCONS_RING_IDX seen = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE), cons;
	uint64_t deadline = rt_now_ns() + RT_CONSOLE_STALL_NS;

	while (!rt_console_ring_put(r, p, len)) {
		if (rt_console_stalled || rt_now_ns() >= deadline)
			return -1;
		(void)rt_events_wait(rt_now_ns() + RT_CONSOLE_RECHECK_NS, RT_CONSOLE_SPIN_NS);
		cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
		if (cons != seen) {
			seen = cons;
			deadline = rt_now_ns() + RT_CONSOLE_STALL_NS;
		}
	}
	return 0;
}

/*
 * A line into the ring, whole.  A backend that stopped consuming (the
 * console daemon is down, the ring full) gets RT_CONSOLE_STALL_NS; then
 * the line goes out through console_io instead (never lost, never a hang),
 * and so do later lines that do not fit at once, until the ring has room.
 */
static void rt_console_ring_write(const char *p, size_t len)
{
	int was = rt_events_disable();

	if (rt_console_ring_wait_put(rt_console_ring, p, len)) {
		rt_console_stalled = 1;
		rt_console_io(CONSOLEIO_write, len, p);
	} else {
		rt_console_stalled = 0;
	}
	rt_events_restore(was);
}

static void rt_console_flush_line(struct rt_console_line *l)
{
	char out[RT_CONSOLE_LINE];
	unsigned int n = l->len;

	if (!n)
		return;
	/* Take the line first: a handler printing while we wait starts a new one. */
	memcpy(out, l->buf, n);
	l->len = 0;
	if (rt_console_ring)
		rt_console_ring_write(out, n);
	else
		rt_console_io(CONSOLEIO_write, n, out);
}

void rt_console_putc(char c)
{
	struct rt_console_line *l = &rt_console_lines[rt_vcpu_self()];

	l->buf[l->len++] = c;
	if (c == '\n' || l->len == RT_CONSOLE_LINE)
		rt_console_flush_line(l);
}

void rt_console_write(const char *s, size_t len)
{
	while (len--)
		rt_console_putc(*s++);
}

void rt_console_flush(void)
{
	rt_console_flush_line(&rt_console_lines[rt_vcpu_self()]);
}

void rt_console_emergency(const char *s)
{
	rt_console_io(CONSOLEIO_write, strlen(s), s);
}

static void rt_console_event(evtchn_port_t port, void *arg)
{
	/* Nothing to do here: waiters re-check the ring after every event. */
}

int rt_console_ring_init(void)
{
	uint64_t pfn = 0, port = 0;
	int rc = rt_hvm_get_param(HVM_PARAM_CONSOLE_PFN, &pfn);

	if (rc || !pfn)
		return rc ? rc : -RT_CONSOLE_ENODEV;
	rc = rt_hvm_get_param(HVM_PARAM_CONSOLE_EVTCHN, &port);
	if (rc)
		return rc;
	/* The frame the boot layout reserves for it (dyad/boot.h). */
	if (pfn != DYAD_BOOT_CONSOLE_RING >> 12 || !port || port >= RT_EVTCHN_PORTS)
		return -RT_CONSOLE_EINVAL;
	if (rt_events_status())
		return rt_events_status();
	rc = rt_evtchn_set_handler((evtchn_port_t)port, rt_console_event, 0);
	if (rc)
		return rc;
	rt_console_flush(); /* what is buffered goes out the old way, in order */
	rt_console_port = (evtchn_port_t)port;
	__atomic_store_n(&rt_console_ring, (struct xencons_interface *)(pfn << 12),
			 __ATOMIC_SEQ_CST);
	return 0;
}

int rt_console_ring_active(void)
{
	return rt_console_ring != 0;
}

struct xencons_interface *rt_console_ring_page(void)
{
	return rt_console_ring;
}

int rt_console_read(char *buf, size_t size)
{
	struct xencons_interface *r = rt_console_ring;
	XENCONS_RING_IDX cons, prod;
	size_t n = 0;
	int was;

	if (!r)
		return -RT_CONSOLE_ENODEV;
	was = rt_events_disable();
	cons = r->in_cons;
	prod = __atomic_load_n(&r->in_prod, __ATOMIC_ACQUIRE);
	if (prod - cons > sizeof(r->in))
		cons = prod; /* a bad in_prod: drop what we cannot trust */
	while (n < size && cons != prod)
		buf[n++] = r->in[MASK_XENCONS_IDX(cons++, r->in)];
	__atomic_store_n(&r->in_cons, cons, __ATOMIC_RELEASE);
	rt_events_restore(was);
	if (n)
		rt_evtchn_notify(rt_console_port);
	return (int)n;
}

void rt_console_drain(uint64_t timeout_ns)
{
	struct xencons_interface *r = rt_console_ring;
	uint64_t deadline = rt_now_ns() + timeout_ns;
	int was = rt_events_disable();

	while (r && rt_now_ns() < deadline &&
	       __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE) != r->out_prod)
		(void)rt_events_wait(rt_now_ns() + RT_CONSOLE_RECHECK_NS, RT_CONSOLE_SPIN_NS);
	rt_events_restore(was);
}
