/*
 * The xenbus client (xenbus.h): Xen's xs_wire framing over the store ring
 * (struct xenstore_domain_interface: a 1 KiB request ring and a 1 KiB
 * response ring, free-running 32-bit indexes, xen/io/xs_wire.h).
 *
 * Concurrency on one vCPU.  Every touch of the ring and of the client's
 * state happens with events masked (rt_events_disable), so the store
 * port's handler, which runs from an upcall, never meets a half-done
 * update.  A request is written whole once the ring has room for it (a
 * request larger than the ring is written in pieces and holds the writer:
 * a nested request meanwhile gets -16 EBUSY).  Waiting (for room or for a
 * reply) is rt_events_wait: SCHEDOP_block with events unmasked, so a watch
 * callback that makes a store call while an app's call waits is fine; each
 * call has its own waiter, found by req_id.  A reply nobody waits for (a
 * duplicate after a store restart, contract §4) is dropped and counted.
 *
 * The handler reads whole messages out of the response ring into one
 * receive buffer (a message may be larger than the ring), hands replies to
 * their waiters, queues watch events, then runs the queued callbacks, one
 * at a time (no nesting).  The response ring's indexes are read once and
 * checked; a store that breaks the framing, or that reports the ring
 * broken itself (intf->error != XENSTORE_ERROR_NONE, xs_wire.h), fails the
 * waiting calls with -5 (EIO): a call still writing its request stops there
 * (the rest would land at the start of a zeroed ring).  When the store
 * offers XENSTORE_SERVER_FEATURE_RECONNECTION, the client asks for a
 * reconnection (connection = XENSTORE_RECONNECT, Xen's
 * docs/misc/xenstore-ring.txt) and registers its watches again on the next
 * store event or call, each slot once (a slot the store refuses stays
 * pending for a later try; never recursively).  At start, a ring left
 * non-empty by an earlier user is reset the same way.
 *
 * Watch events are never lost: when the queue is full, the event is
 * coalesced into its slot's "fired" bit and the callback runs once more
 * with the watched path.  A callback that could not do its work (a store
 * error) asks for another run with rt_xs_watch_retry: on the next dispatch,
 * never within the current one (so it cannot spin while an app's call holds
 * the writer).
 */
#include "xenbus.h"

#include <dyad/xen.h>
#include <xen/io/xs_wire.h>

#include "events.h"
#include "hypercall.h"
#include "printf.h"
#include "string.h"
#include "time.h"
#include "vcpu.h"

/* Linux errno values of the names xs_wire.h's xsd_errors lists. */
#define RT_XS_EPERM	1
#define RT_XS_ENOENT	2
#define RT_XS_EIO	5
#define RT_XS_E2BIG	7
#define RT_XS_EAGAIN	11
#define RT_XS_ENOMEM	12
#define RT_XS_EACCES	13
#define RT_XS_EBUSY	16
#define RT_XS_EEXIST	17
#define RT_XS_ENODEV	19
#define RT_XS_EISDIR	21
#define RT_XS_EINVAL	22
#define RT_XS_ENOSPC	28
#define RT_XS_EROFS	30
#define RT_XS_ENOSYS	38
#define RT_XS_ENOTEMPTY 39
#define RT_XS_ETIMEDOUT 110
#define RT_XS_EISCONN	106

#define RT_XS_HDR	      sizeof(struct xsd_sockmsg)
#define RT_XS_WATCHES	      16
#define RT_XS_QUEUE	      8
#define RT_XS_QPATH	      256
#define RT_XS_SPIN_NS	      50000ull
#define RT_XS_RECHECK_NS      50000000ull /* re-read the ring this often while waiting */
#define RT_XS_RECONNECT_NS    5000000000ull
#define RT_XS_TOKEN_PREFIX    "rtxs"
#define RT_XS_TOKEN_PREFIX_SZ 4

struct rt_xs_waiter {
	struct rt_xs_waiter *next;
	uint32_t req_id;
	int done;      /* 1: reply in; -errno: the connection failed */
	uint32_t type; /* of the reply */
	uint32_t len;  /* of the reply payload (may exceed size) */
	char *buf;
	size_t size;
	char err[16]; /* an XS_ERROR reply's name */
};

struct rt_xs_watch_slot {
	char path[RT_XS_QPATH];
	rt_xs_watch_fn *fn;
	void *arg;
	int unregistered; /* the store forgot it (a reconnection): register again */
};

struct rt_xs_event {
	char path[RT_XS_QPATH];
	unsigned int slot;
};

static struct {
	struct xenstore_domain_interface *ring;
	evtchn_port_t port;
	int up, processing, dispatching, writer_busy, rewatch, rewatching;
	uint32_t fired, retry; /* slot bits: run now (coalesced events), run next dispatch */
	uint32_t next_req_id;
	struct rt_xs_waiter *waiters;
	uint32_t rx_len;
	union {
		struct xsd_sockmsg hdr;
		char bytes[RT_XS_HDR + XENSTORE_PAYLOAD_MAX + 1]; /* + the NUL deliver adds */
	} rx;
	struct rt_xs_watch_slot watches[RT_XS_WATCHES];
	struct rt_xs_event queue[RT_XS_QUEUE], current;
	unsigned int q_head, q_tail;
	unsigned long stray, dropped, coalesced;
} rt_xs;

static const struct {
	const char *name;
	int err;
} rt_xs_errors[] = {
	{"EINVAL", RT_XS_EINVAL}, {"EACCES", RT_XS_EACCES},   {"EEXIST", RT_XS_EEXIST},
	{"EISDIR", RT_XS_EISDIR}, {"ENOENT", RT_XS_ENOENT},   {"ENOMEM", RT_XS_ENOMEM},
	{"ENOSPC", RT_XS_ENOSPC}, {"EIO", RT_XS_EIO},	      {"ENOTEMPTY", RT_XS_ENOTEMPTY},
	{"ENOSYS", RT_XS_ENOSYS}, {"EROFS", RT_XS_EROFS},     {"EBUSY", RT_XS_EBUSY},
	{"EAGAIN", RT_XS_EAGAIN}, {"EISCONN", RT_XS_EISCONN}, {"E2BIG", RT_XS_E2BIG},
	{"EPERM", RT_XS_EPERM},
};

int rt_xs_available(void)
{
	return rt_xs.up;
}

unsigned long rt_xs_stray_replies(void)
{
	return rt_xs.stray;
}

unsigned long rt_xs_dropped_events(void)
{
	return rt_xs.dropped;
}

unsigned long rt_xs_coalesced_events(void)
{
	return rt_xs.coalesced;
}

/* An XS_ERROR payload ("EACCES") as -errno; an unknown name is -EINVAL, as Linux's xenbus. */
static int rt_xs_errno(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(rt_xs_errors) / sizeof(rt_xs_errors[0]); i++) {
		if (!strcmp(rt_xs_errors[i].name, name))
			return -rt_xs_errors[i].err;
	}
	return -RT_XS_EINVAL;
}

static void rt_xs_fail_waiters(int err)
{
	struct rt_xs_waiter *w;

	for (w = rt_xs.waiters; w; w = w->next) {
		if (!w->done)
			w->done = err;
	}
}

/* The ring is broken (by the store, or the store says so): fail the calls in flight, ask for a
 * fresh ring. */
static void rt_xs_broken(void)
{
	unsigned int i;

	rt_xs.rx_len = 0;
	rt_xs_fail_waiters(-RT_XS_EIO);
	if (!(rt_xs.ring->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION))
		return;
	__atomic_store_n(&rt_xs.ring->connection, XENSTORE_RECONNECT, __ATOMIC_SEQ_CST);
	for (i = 0; i < RT_XS_WATCHES; i++)
		rt_xs.watches[i].unregistered = rt_xs.watches[i].fn != 0;
	rt_xs.rewatch = 1;
	rt_evtchn_notify(rt_xs.port);
}

/* The store's own verdict on the ring (xs_wire.h: XENSTORE_ERROR_*, 0 = none). */
static int rt_xs_ring_error(void)
{
	return __atomic_load_n(&rt_xs.ring->error, __ATOMIC_ACQUIRE) != XENSTORE_ERROR_NONE;
}

static int rt_xs_connected(void)
{
	return __atomic_load_n(&rt_xs.ring->connection, __ATOMIC_SEQ_CST) == XENSTORE_CONNECTED;
}

static void rt_xs_queue_event(const char *payload, uint32_t len)
{
	size_t plen = strnlen(payload, len);
	const char *token = payload + plen + 1;
	struct rt_xs_event *e;
	unsigned int slot;

	/* "path\0token\0", the token ours: "rtxs<slot>". */
	if (plen >= len || plen >= RT_XS_QPATH ||
	    strncmp(token, RT_XS_TOKEN_PREFIX, RT_XS_TOKEN_PREFIX_SZ)) {
		rt_xs.dropped++;
		return;
	}
	slot = (unsigned int)(token[RT_XS_TOKEN_PREFIX_SZ] - 'a');
	if (slot >= RT_XS_WATCHES || token[RT_XS_TOKEN_PREFIX_SZ + 1]) {
		rt_xs.dropped++;
		return;
	}
	if (rt_xs.q_tail - rt_xs.q_head >= RT_XS_QUEUE) {
		rt_xs.coalesced++; /* queue full: the slot runs once more, with its own path */
		rt_xs.fired |= 1u << slot;
		return;
	}
	e = &rt_xs.queue[rt_xs.q_tail++ % RT_XS_QUEUE];
	memcpy(e->path, payload, plen + 1);
	e->slot = slot;
}

/* A whole message is in rx: a reply to its waiter, or a watch event to the queue. */
static void rt_xs_deliver(void)
{
	const struct xsd_sockmsg *h = &rt_xs.rx.hdr;
	char *payload = rt_xs.rx.bytes + RT_XS_HDR;
	struct rt_xs_waiter *w;

	payload[h->len] = '\0'; /* bytes has room: the union ends past the payload max */
	if (h->type == XS_WATCH_EVENT) {
		rt_xs_queue_event(payload, h->len);
		return;
	}
	for (w = rt_xs.waiters; w; w = w->next) {
		if (w->req_id == h->req_id && !w->done)
			break;
	}
	if (!w) {
		rt_xs.stray++;
		return;
	}
	w->type = h->type;
	w->len = h->len;
	if (h->type == XS_ERROR) {
		size_t n = h->len < sizeof(w->err) ? h->len : sizeof(w->err) - 1;

		memcpy(w->err, payload, n);
		w->err[n] = '\0';
	} else if (w->size) {
		size_t n = h->len < w->size ? h->len : w->size - 1;

		memcpy(w->buf, payload, n);
		w->buf[n] = '\0';
	}
	w->done = 1;
}

static uint32_t rt_xs_rx_need(void)
{
	if (rt_xs.rx_len < RT_XS_HDR)
		return (uint32_t)RT_XS_HDR - rt_xs.rx_len;
	return (uint32_t)RT_XS_HDR + rt_xs.rx.hdr.len - rt_xs.rx_len;
}

/* Take one chunk out of the response ring; 1 if something was taken, 0 if empty, -1 if broken. */
static int rt_xs_rx_chunk(void)
{
	struct xenstore_domain_interface *r = rt_xs.ring;
	XENSTORE_RING_IDX cons = __atomic_load_n(&r->rsp_cons, __ATOMIC_SEQ_CST);
	XENSTORE_RING_IDX prod = __atomic_load_n(&r->rsp_prod, __ATOMIC_ACQUIRE);
	uint32_t avail = prod - cons, n = rt_xs_rx_need();

	if (avail > XENSTORE_RING_SIZE)
		return -1;
	if (!avail)
		return 0;
	if (n > avail)
		n = avail;
	if (n > XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons))
		n = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons);
	memcpy(rt_xs.rx.bytes + rt_xs.rx_len, r->rsp + MASK_XENSTORE_IDX(cons), n);
	__atomic_store_n(&r->rsp_cons, cons + n, __ATOMIC_RELEASE);
	rt_xs.rx_len += n;
	if (rt_xs.rx_len == RT_XS_HDR && rt_xs.rx.hdr.len > XENSTORE_PAYLOAD_MAX)
		return -1;
	if (rt_xs.rx_len >= RT_XS_HDR && !rt_xs_rx_need()) {
		rt_xs_deliver();
		rt_xs.rx_len = 0;
	}
	return 1;
}

/* Drain the response ring; called with events masked. */
static void rt_xs_process(void)
{
	int rc, took = 0;

	if (rt_xs.processing || !rt_xs_connected())
		return;
	if (rt_xs_ring_error()) {
		rt_xs_broken();
		return;
	}
	rt_xs.processing = 1;
	while ((rc = rt_xs_rx_chunk()) > 0)
		took = 1;
	if (rc < 0)
		rt_xs_broken();
	else if (took)
		rt_evtchn_notify(rt_xs.port); /* room in the response ring */
	rt_xs.processing = 0;
}

/* The next event to run: queued first, then a coalesced slot; 0 when none. */
static int rt_xs_next_event(void)
{
	unsigned int slot;

	if (rt_xs.q_head != rt_xs.q_tail) {
		rt_xs.current = rt_xs.queue[rt_xs.q_head++ % RT_XS_QUEUE];
		return 1;
	}
	if (!rt_xs.fired)
		return 0;
	slot = (unsigned int)__builtin_ctz(rt_xs.fired);
	rt_xs.fired &= ~(1u << slot);
	memcpy(rt_xs.current.path, rt_xs.watches[slot].path, RT_XS_QPATH);
	rt_xs.current.slot = slot;
	return 1;
}

/* Run queued watch callbacks, one at a time; called with events masked. */
static void rt_xs_dispatch(void)
{
	if (rt_xs.dispatching)
		return;
	rt_xs.dispatching = 1;
	rt_xs.fired |= rt_xs.retry; /* retries asked for by an earlier dispatch */
	rt_xs.retry = 0;
	while (rt_xs_next_event()) {
		struct rt_xs_watch_slot *s = &rt_xs.watches[rt_xs.current.slot];

		if (s->fn)
			s->fn(rt_xs.current.path, s->arg);
	}
	rt_xs.dispatching = 0;
}

void rt_xs_watch_retry(void)
{
	if (rt_xs.dispatching)
		rt_xs.retry |= 1u << rt_xs.current.slot;
}

static void rt_xs_rewatch(void);

static void rt_xs_event(evtchn_port_t port, void *arg)
{
	rt_xs_process();
	if (rt_xs.rewatch && !rt_xs.dispatching && rt_xs_connected())
		rt_xs_rewatch();
	rt_xs_dispatch();
}

/*
 * Block until an event or RT_XS_RECHECK_NS; the caller re-checks its
 * condition, with events masked so an event after its check stays pending
 * for rt_events_wait to see.
 */
static void rt_xs_block(void)
{
	int was;

	(void)rt_events_wait(rt_now_ns() + RT_XS_RECHECK_NS, RT_XS_SPIN_NS);
	was = rt_events_disable();
	rt_xs_process();
	rt_xs_dispatch(); /* retries wait for a later dispatch: this is one */
	rt_events_restore(was);
}

static uint32_t rt_xs_req_space(void)
{
	struct xenstore_domain_interface *r = rt_xs.ring;
	uint32_t used = __atomic_load_n(&r->req_prod, __ATOMIC_SEQ_CST) -
			__atomic_load_n(&r->req_cons, __ATOMIC_SEQ_CST);

	return used > XENSTORE_RING_SIZE ? 0 : XENSTORE_RING_SIZE - used;
}

/* Copy up to n bytes at req_prod (no publish); returns the count copied. */
static uint32_t rt_xs_req_copy(XENSTORE_RING_IDX prod, const char *p, uint32_t n)
{
	uint32_t off = MASK_XENSTORE_IDX(prod), first = XENSTORE_RING_SIZE - off;

	if (first > n)
		first = n;
	memcpy(rt_xs.ring->req + off, p, first);
	memcpy(rt_xs.ring->req, p + first, n - first);
	return n;
}

struct rt_xs_msg {
	const char *part[3];
	uint32_t len[3];
	unsigned int nparts;
	uint32_t total; /* header included */
};

/* Write [off, off + n) of the message (header then parts) at prod. */
static void rt_xs_put_range(const struct rt_xs_msg *m, const struct xsd_sockmsg *h,
			    XENSTORE_RING_IDX prod, uint32_t off, uint32_t n)
{
	uint32_t base = 0;
	unsigned int i;

	for (i = 0; i <= m->nparts && n; i++) {
		const char *p = i ? m->part[i - 1] : (const char *)h;
		uint32_t len = i ? m->len[i - 1] : (uint32_t)RT_XS_HDR, k;

		if (off >= base + len) {
			base += len;
			continue;
		}
		k = base + len - off < n ? base + len - off : n;
		prod += rt_xs_req_copy(prod, p + (off - base), k);
		off += k;
		n -= k;
		base += len;
	}
}

/* Put as much of the message as fits from off; returns the new offset.  Events masked. */
static uint32_t rt_xs_put_some(const struct rt_xs_msg *m, const struct xsd_sockmsg *h, uint32_t off)
{
	uint32_t space = rt_xs_req_space(), n = m->total - off;
	XENSTORE_RING_IDX prod = rt_xs.ring->req_prod;

	if (n > space)
		n = space;
	if (!n)
		return off;
	rt_xs_put_range(m, h, prod, off, n);
	__atomic_store_n(&rt_xs.ring->req_prod, prod + n, __ATOMIC_RELEASE);
	rt_evtchn_notify(rt_xs.port);
	return off + n;
}

/*
 * Send a message: whole when it fits the ring, else in pieces holding the
 * writer.  A broken connection (w failed) ends it with -EIO, part-sent or not.
 */
static int rt_xs_send(const struct rt_xs_msg *m, const struct xsd_sockmsg *h,
		      const struct rt_xs_waiter *w)
{
	int big = m->total > XENSTORE_RING_SIZE, was, rc = 0;
	uint32_t off = 0;

	if (rt_xs.writer_busy)
		return -RT_XS_EBUSY;
	rt_xs.writer_busy = big;
	for (;;) {
		was = rt_events_disable();
		if (w->done < 0)
			rc = w->done;
		else if (rt_xs_connected() && !rt_xs_ring_error() &&
			 (big || rt_xs_req_space() >= m->total))
			off = rt_xs_put_some(m, h, off);
		rt_events_restore(was);
		if (rc || off == m->total)
			break;
		rt_xs_block();
	}
	rt_xs.writer_busy = 0;
	return rc;
}

static void rt_xs_unlink(struct rt_xs_waiter *w)
{
	struct rt_xs_waiter **pp;
	int was = rt_events_disable();

	for (pp = &rt_xs.waiters; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	rt_events_restore(was);
}

/* One request, one reply: the reply's payload length, or -errno. */
static int rt_xs_call(uint32_t type, uint32_t tx, struct rt_xs_msg *m, char *buf, size_t size)
{
	struct rt_xs_waiter w = {.buf = buf, .size = size};
	struct xsd_sockmsg h = {.type = type, .tx_id = tx};
	unsigned int i;
	int rc, was;

	for (i = 0, m->total = RT_XS_HDR; i < m->nparts; i++)
		m->total += m->len[i];
	h.len = m->total - RT_XS_HDR;
	if (h.len > XENSTORE_PAYLOAD_MAX)
		return -RT_XS_E2BIG;
	/* Masked from here: a reply's event after the check below cannot be lost. */
	was = rt_events_disable();
	h.req_id = w.req_id = rt_xs.next_req_id++;
	w.next = rt_xs.waiters;
	rt_xs.waiters = &w;
	rc = rt_xs_send(m, &h, &w);
	while (!rc && !w.done)
		rt_xs_block();
	rt_xs_unlink(&w);
	rt_events_restore(was);
	if (rc || w.done < 0)
		return rc ? rc : w.done;
	if (w.type == XS_ERROR)
		return rt_xs_errno(w.err);
	return w.type == type ? (int)w.len : -RT_XS_EIO;
}

static int rt_xs_ready(void)
{
	if (!rt_xs.up)
		return -RT_XS_ENODEV;
	return rt_vcpu_self() == 0 ? 0 : -RT_XS_EINVAL;
}

/* A request whose payload is a with its NUL, then b (with its NUL when b_nul). */
static int rt_xs_req(uint32_t type, uint32_t tx, const char *a, const char *b, int b_nul, char *buf,
		     size_t size)
{
	struct rt_xs_msg m = {.part = {a, b}, .len = {(uint32_t)strlen(a) + 1}, .nparts = 1};
	int rc = rt_xs_ready();

	if (rc)
		return rc;
	if (rt_xs.rewatch && !rt_xs.dispatching)
		rt_xs_rewatch(); /* no-op while a rewatch is in progress */
	if (b) {
		m.len[1] = (uint32_t)strlen(b) + (b_nul ? 1 : 0);
		m.nparts = 2;
	}
	return rt_xs_call(type, tx, &m, buf, size);
}

int rt_xs_read(uint32_t tx, const char *path, char *buf, size_t size)
{
	int rc = rt_xs_req(XS_READ, tx, path, 0, 0, buf, size);

	if (rc < 0)
		return rc;
	return (size_t)rc >= size ? -RT_XS_E2BIG : rc;
}

int rt_xs_write(uint32_t tx, const char *path, const char *value)
{
	int rc = rt_xs_req(XS_WRITE, tx, path, value, 0, 0, 0);

	return rc < 0 ? rc : 0;
}

int rt_xs_rm(uint32_t tx, const char *path)
{
	int rc = rt_xs_req(XS_RM, tx, path, 0, 0, 0, 0);

	return rc < 0 ? rc : 0;
}

int rt_xs_directory(uint32_t tx, const char *path, char *buf, size_t size)
{
	int rc = rt_xs_req(XS_DIRECTORY, tx, path, 0, 0, buf, size), i, n = 0;

	if (rc < 0)
		return rc;
	if ((size_t)rc >= size)
		return -RT_XS_E2BIG;
	for (i = 0; i < rc; i++)
		n += !buf[i];
	return n;
}

int rt_xs_transaction_start(uint32_t *tx)
{
	char id[16];
	uint64_t v = 0;
	int rc = rt_xs_req(XS_TRANSACTION_START, RT_XS_NO_TX, "", 0, 0, id, sizeof(id)), i;

	if (rc < 0)
		return rc;
	for (i = 0; i < rc && id[i] >= '0' && id[i] <= '9' && v <= UINT32_MAX; i++)
		v = v * 10 + (uint64_t)(id[i] - '0');
	if (i == 0 || (i < rc && id[i]) || v == 0 || v > UINT32_MAX)
		return -RT_XS_EIO; /* "a decimal id" is all the store may answer */
	*tx = (uint32_t)v;
	return 0;
}

int rt_xs_transaction_end(uint32_t tx, int abort)
{
	int rc = rt_xs_req(XS_TRANSACTION_END, tx, abort ? "F" : "T", 0, 0, 0, 0);

	return rc < 0 ? rc : 0;
}

static void rt_xs_token(unsigned int slot, char token[8])
{
	memcpy(token, RT_XS_TOKEN_PREFIX, RT_XS_TOKEN_PREFIX_SZ);
	token[RT_XS_TOKEN_PREFIX_SZ] = (char)('a' + slot);
	token[RT_XS_TOKEN_PREFIX_SZ + 1] = '\0';
}

static int rt_xs_watch_op(uint32_t type, unsigned int slot)
{
	char token[8];
	int rc;

	rt_xs_token(slot, token);
	rc = rt_xs_req(type, RT_XS_NO_TX, rt_xs.watches[slot].path, token, 1, 0, 0);
	return rc < 0 ? rc : 0;
}

/*
 * After a reconnection the store forgot our watches: register them again,
 * each pending slot once.  The requests it makes come back through
 * rt_xs_req, which must not start another round (the guard): a slot the
 * store refuses stays pending for the next event or call.
 */
static void rt_xs_rewatch(void)
{
	unsigned int i;
	int pending = 0;

	if (rt_xs.rewatching)
		return;
	rt_xs.rewatching = 1;
	for (i = 0; i < RT_XS_WATCHES; i++) {
		struct rt_xs_watch_slot *s = &rt_xs.watches[i];
		int rc;

		if (!s->fn || !s->unregistered)
			continue;
		rc = rt_xs_watch_op(XS_WATCH, i);
		if (!rc || rc == -RT_XS_EEXIST)
			s->unregistered = 0;
		else
			pending = 1;
	}
	rt_xs.rewatch = pending;
	rt_xs.rewatching = 0;
}

int rt_xs_watch(const char *path, rt_xs_watch_fn *fn, void *arg)
{
	size_t len = strlen(path);
	unsigned int i;
	int rc;

	if (!fn || len >= RT_XS_QPATH)
		return -RT_XS_EINVAL;
	for (i = 0; i < RT_XS_WATCHES && rt_xs.watches[i].fn; i++)
		;
	if (i == RT_XS_WATCHES)
		return -RT_XS_ENOSPC;
	memcpy(rt_xs.watches[i].path, path, len + 1);
	rt_xs.watches[i].arg = arg;
	rt_xs.watches[i].unregistered = 0;
	rt_xs.fired &= ~(1u << i); /* a stale bit of the slot's last user */
	rt_xs.retry &= ~(1u << i);
	rt_xs.watches[i].fn = fn; /* before the request: the first event may come first */
	rc = rt_xs_watch_op(XS_WATCH, i);
	if (rc)
		rt_xs.watches[i].fn = 0;
	return rc;
}

int rt_xs_unwatch(const char *path, rt_xs_watch_fn *fn)
{
	unsigned int i;

	for (i = 0; i < RT_XS_WATCHES; i++) {
		struct rt_xs_watch_slot *s = &rt_xs.watches[i];

		if (s->fn == fn && !strcmp(s->path, path)) {
			s->fn = 0; /* queued events for it are skipped */
			return rt_xs_watch_op(XS_UNWATCH, i);
		}
	}
	return -RT_XS_ENOENT;
}

/* Xen's reconnection: ask, then wait for the store to zero the indexes and say connected. */
static int rt_xs_reconnect(void)
{
	uint64_t deadline = rt_now_ns() + RT_XS_RECONNECT_NS;
	int was = rt_events_disable(), rc = 0;

	__atomic_store_n(&rt_xs.ring->connection, XENSTORE_RECONNECT, __ATOMIC_SEQ_CST);
	rt_evtchn_notify(rt_xs.port);
	while (!rc && !rt_xs_connected()) {
		if (rt_now_ns() >= deadline)
			rc = -RT_XS_ETIMEDOUT;
		else
			rt_xs_block();
	}
	rt_events_restore(was);
	return rc;
}

static int rt_xs_params(uint64_t *pfn, uint64_t *port)
{
	int rc = rt_hvm_get_param(HVM_PARAM_STORE_PFN, pfn);

	if (rc || !*pfn)
		return rc ? rc : -RT_XS_ENODEV;
	rc = rt_hvm_get_param(HVM_PARAM_STORE_EVTCHN, port);
	if (rc)
		return rc;
	/* The ring must be the frame the boot layout reserves for it (dyad/boot.h). */
	if (*pfn != DYAD_BOOT_STORE_RING >> 12 || !*port || *port >= RT_EVTCHN_PORTS)
		return -RT_XS_EINVAL;
	return 0;
}

int rt_xs_init(void)
{
	struct xenstore_domain_interface *r;
	uint64_t pfn, port;
	int rc = rt_xs_params(&pfn, &port);

	if (rc)
		return rc;
	if (rt_events_status())
		return rt_events_status();
	r = (struct xenstore_domain_interface *)(pfn << 12);
	rt_xs.ring = r;
	rt_xs.port = (evtchn_port_t)port;
	rt_xs.next_req_id = 1;
	rc = rt_evtchn_set_handler(rt_xs.port, rt_xs_event, 0);
	if (rc)
		return rc;
	if ((r->req_prod || r->rsp_prod || r->rsp_cons || r->req_cons) &&
	    (r->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION))
		rc = rt_xs_reconnect();
	rt_xs.up = !rc;
	return rc;
}
