/*
 * The ring transport: store_conn ops over a domain's xenstore page (the
 * rules are in store_ring.h).  Barriers follow Xen's
 * docs/misc/xenstore-ring.txt: a producer writes data, then a write
 * barrier, then its prod index; a consumer reads prod, then a read
 * barrier, then the data, then a full barrier, then its cons index.  Here
 * the acquire loads of req_prod/rsp_cons are the read barriers, and the
 * release stores of req_cons/rsp_prod are the barriers before an index
 * update (a release orders both earlier loads and stores, so it is the
 * full barrier the consumer side needs).
 */
#include "store_ring.h"

#include "log.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define RING_HDR sizeof(struct xsd_sockmsg)

/* Read a guest-written index once; pairs with the guest's barrier before it stores it. */
static XENSTORE_RING_IDX store_ring_load(const XENSTORE_RING_IDX *idx)
{
	return __atomic_load_n(idx, __ATOMIC_ACQUIRE);
}

/* Publish one of our indexes after the data (or our reads of it) it covers. */
static void store_ring_store(XENSTORE_RING_IDX *idx, XENSTORE_RING_IDX v)
{
	__atomic_store_n(idx, v, __ATOMIC_RELEASE);
}

static void store_ring_kick(struct store_ring *r)
{
	if (r->notify)
		r->notify(r);
}

/* The guest broke the ring protocol: it loses its connection, not us. */
static int store_ring_corrupt(struct store_ring *r, const char *what, uint32_t a, uint32_t b)
{
	log_warn_rl("domain %u: corrupt store ring (%s %u, %u); dropping its connection", r->domid,
		    what, a, b);
	r->broken = true;
	__atomic_store_n(&r->intf->error, XENSTORE_ERROR_RINGIDX, __ATOMIC_RELAXED);
	return -EPROTO;
}

/* Copy len bytes at ring index idx out of a ring (wrapping). */
static void store_ring_copy_out(void *dst, const char *ring, XENSTORE_RING_IDX idx, size_t len)
{
	size_t off = MASK_XENSTORE_IDX(idx), first = XENSTORE_RING_SIZE - off;

	if (first > len)
		first = len;
	memcpy(dst, ring + off, first);
	memcpy((char *)dst + first, ring, len - first);
}

static void store_ring_copy_in(char *ring, XENSTORE_RING_IDX idx, const void *src, size_t len)
{
	size_t off = MASK_XENSTORE_IDX(idx), first = XENSTORE_RING_SIZE - off;

	if (first > len)
		first = len;
	memcpy(ring + off, src, first);
	memcpy(ring, (const char *)src + first, len - first);
}

static bool store_ring_output_pending(const struct store_conn *conn)
{
	return conn->ooff < conn->olen;
}

/* Bytes the guest has produced past what we delivered, or -EPROTO. */
static int64_t store_ring_avail(struct store_ring *r)
{
	XENSTORE_RING_IDX prod = store_ring_load(&r->intf->req_prod);

	if ((XENSTORE_RING_IDX)(prod - r->req_cons) > XENSTORE_RING_SIZE ||
	    (XENSTORE_RING_IDX)(prod - r->req_cons) < r->held)
		return store_ring_corrupt(r, "req_prod, req_cons", prod, r->req_cons);
	return (int64_t)(XENSTORE_RING_IDX)(prod - r->req_cons - r->held);
}

/* Release n delivered bytes to the guest (it may be waiting for room). */
static void store_ring_release(struct store_ring *r, uint32_t n)
{
	r->req_cons += n;
	store_ring_store(&r->intf->req_cons, r->req_cons);
	store_ring_kick(r);
}

/* Continue a request longer than the ring: copied and released as it comes. */
static ssize_t store_ring_read_stream(struct store_ring *r, char *buf, size_t len, uint32_t avail)
{
	uint32_t n = r->in_stream;

	if (n > avail)
		n = avail;
	if (n > len)
		n = (uint32_t)len;
	if (n == 0)
		return 0;
	store_ring_copy_out(buf, r->intf->req, r->req_cons, n);
	r->in_stream -= n;
	store_ring_release(r, n);
	return n;
}

/*
 * A request longer than the ring: its validated header is already in buf;
 * release those bytes and stream the body behind it.
 */
static ssize_t store_ring_start_stream(struct store_ring *r, char *buf, size_t len, uint32_t avail,
				       uint32_t body)
{
	store_ring_release(r, (uint32_t)RING_HDR);
	r->in_stream = body;
	return (ssize_t)RING_HDR + store_ring_read_stream(r, buf + RING_HDR, len - RING_HDR,
							  avail - (uint32_t)RING_HDR);
}

/*
 * The next request: a whole one when it fits in the ring (held until its
 * reply is out), else its start (streamed).  The header is copied out of
 * shared memory once, into the private buffer the connection parses, and
 * checked there; only the body is copied after it, so the guest cannot
 * change the length between our check and the connection's parse.
 */
static ssize_t store_ring_read(struct store_conn *conn, void *buf, size_t len)
{
	struct store_ring *r = conn->priv;
	struct xsd_sockmsg hdr;
	int64_t avail;
	uint32_t total;

	if (r->broken)
		return -EPROTO;
	avail = store_ring_avail(r);
	if (avail < 0)
		return -EPROTO;
	if (r->in_stream)
		return store_ring_read_stream(r, buf, len, (uint32_t)avail);
	if (r->held || store_ring_output_pending(conn) || avail < (int64_t)RING_HDR ||
	    len < RING_HDR)
		return 0;
	store_ring_copy_out(&hdr, r->intf->req, r->req_cons, RING_HDR);
	if (hdr.len > XENSTORE_PAYLOAD_MAX)
		return store_ring_corrupt(r, "request length, limit", hdr.len,
					  XENSTORE_PAYLOAD_MAX);
	total = (uint32_t)RING_HDR + hdr.len;
	if (total > XENSTORE_RING_SIZE) {
		memcpy(buf, &hdr, RING_HDR);
		return store_ring_start_stream(r, buf, len, (uint32_t)avail, hdr.len);
	}
	if (avail < total || len < total)
		return 0; /* the rest is coming; the guest notifies when it is there */
	memcpy(buf, &hdr, RING_HDR);
	store_ring_copy_out((char *)buf + RING_HDR, r->intf->req, r->req_cons + RING_HDR, hdr.len);
	r->held = total;
	return total;
}

/* Write up to n bytes of our output; false when the guest's ring is bad. */
static bool store_ring_room(struct store_ring *r, uint32_t *room)
{
	XENSTORE_RING_IDX cons = store_ring_load(&r->intf->rsp_cons);
	XENSTORE_RING_IDX used = r->rsp_prod - cons;

	if (used > XENSTORE_RING_SIZE) {
		(void)store_ring_corrupt(r, "rsp_prod, rsp_cons", r->rsp_prod, cons);
		return false;
	}
	*room = XENSTORE_RING_SIZE - used;
	return true;
}

/*
 * Our own output (trusted): whole messages when they fit, so that a
 * restart never leaves the guest half a reply; longer ones streamed.
 */
static ssize_t store_ring_write(struct store_conn *conn, const void *buf, size_t len)
{
	struct store_ring *r = conn->priv;
	const char *p = buf;
	uint32_t room, n, done = 0;
	struct xsd_sockmsg hdr;

	if (r->broken || !store_ring_room(r, &room))
		return -EPROTO;
	while (done < len && room) {
		if (!r->out_stream) {
			memcpy(&hdr, p + done, sizeof(hdr));
			n = (uint32_t)RING_HDR + hdr.len;
			if (n <= XENSTORE_RING_SIZE && n > room)
				break;
			r->out_stream = n;
		}
		n = r->out_stream < room ? r->out_stream : room;
		store_ring_copy_in(r->intf->rsp, r->rsp_prod, p + done, n);
		r->rsp_prod += n;
		r->out_stream -= n;
		room -= n;
		done += n;
	}
	if (done) {
		store_ring_store(&r->intf->rsp_prod, r->rsp_prod);
		store_ring_kick(r);
	}
	return done;
}

/* Every reply is in the rsp ring: the request it answers may go. */
static void store_ring_drained(struct store_conn *conn)
{
	struct store_ring *r = conn->priv;
	uint32_t n = r->held;

	if (n && !r->broken) {
		r->held = 0;
		store_ring_release(r, n);
	}
}

static bool store_ring_has_input(const struct store_conn *conn)
{
	const struct store_ring *r = conn->priv;

	if (r->broken || store_ring_output_pending(conn) || r->held)
		return false;
	return store_ring_load(&r->intf->req_prod) != r->req_cons;
}

static void store_ring_destroy(struct store_conn *conn)
{
	struct store_ring *r = conn->priv;

	if (r && r->conn == conn)
		r->conn = NULL;
}

static const struct store_conn_ops store_ring_ops = {
	.read = store_ring_read,
	.write = store_ring_write,
	.destroy = store_ring_destroy,
};

/*
 * Where a re-attached connection's transaction ids start: a random point
 * of the 32-bit space, so that an id the previous instance gave the guest
 * (counted from 1) is not handed out again and the guest's stale one still
 * earns EAGAIN (store_conn.c).
 */
static uint32_t store_ring_txid_base(void)
{
	uint32_t base;

	if (getrandom(&base, sizeof(base), GRND_NONBLOCK) != (ssize_t)sizeof(base))
		base = (uint32_t)time(NULL) * 2654435761u ^ (uint32_t)getpid();
	return base | 0x80000000u; /* far from the small ids a fresh instance gives */
}

static int store_ring_open_conn(struct store_ring *r)
{
	r->conn = store_conn_new(r->core, &store_ring_ops, r, -1, r->domid, false);
	if (!r->conn)
		return -ENOMEM;
	r->conn->drained = store_ring_drained;
	r->conn->has_input = store_ring_has_input;
	r->conn->restored = r->restored;
	if (r->restored)
		r->conn->next_txid = store_ring_txid_base();
	r->conn->watches_changed = true;
	return 0;
}

/* Adopt the page's indexes, checked as any the guest wrote. */
static void store_ring_adopt(struct store_ring *r)
{
	struct xenstore_domain_interface *intf = r->intf;
	XENSTORE_RING_IDX rc = store_ring_load(&intf->req_cons);
	XENSTORE_RING_IDX rp = store_ring_load(&intf->req_prod);
	XENSTORE_RING_IDX sc = store_ring_load(&intf->rsp_cons);
	XENSTORE_RING_IDX sp = store_ring_load(&intf->rsp_prod);

	r->req_cons = rc;
	r->rsp_prod = sp;
	r->held = r->in_stream = r->out_stream = 0;
	if ((XENSTORE_RING_IDX)(rp - rc) > XENSTORE_RING_SIZE)
		(void)store_ring_corrupt(r, "at attach: req_prod, req_cons", rp, rc);
	else if ((XENSTORE_RING_IDX)(sp - sc) > XENSTORE_RING_SIZE)
		(void)store_ring_corrupt(r, "at attach: rsp_prod, rsp_cons", sp, sc);
}

int store_ring_attach(struct store_ring *r, struct store_core *c, uint32_t domid,
		      struct xenstore_domain_interface *intf)
{
	r->intf = intf;
	r->core = c;
	r->domid = domid;
	r->broken = false;
	store_ring_adopt(r);
	__atomic_fetch_or(&intf->server_features, XENSTORE_SERVER_FEATURE_RECONNECTION,
			  __ATOMIC_RELEASE);
	if (!r->broken && store_ring_open_conn(r))
		return -ENOMEM;
	store_ring_kick(r);
	store_ring_event(r);
	return 0;
}

void store_ring_detach(struct store_ring *r)
{
	if (r->conn) {
		/* Freed by the event loop later: it must not reach the ring again. */
		r->conn->dead = true;
		r->conn->priv = NULL;
		r->conn = NULL;
	}
	r->intf = NULL;
}

/* XENSTORE_RECONNECT: a fresh connection on a zeroed ring. */
static void store_ring_reconnect(struct store_ring *r)
{
	static struct log_ratelimit reconnect_rl = LOG_RATELIMIT_INIT(5000, 10);
	struct xenstore_domain_interface *intf = r->intf;

	if (r->conn)
		store_conn_reset(r->conn);
	else if (store_ring_open_conn(r))
		return; /* out of memory: the guest's RECONNECT stays pending */
	r->req_cons = r->rsp_prod = 0;
	r->held = r->in_stream = r->out_stream = 0;
	r->broken = false;
	r->reconnects++;
	intf->req_cons = intf->req_prod = intf->rsp_cons = intf->rsp_prod = 0;
	intf->error = XENSTORE_ERROR_NONE;
	/* The zeroed ring is visible before the guest sees CONNECTED. */
	__atomic_store_n(&intf->connection, XENSTORE_CONNECTED, __ATOMIC_RELEASE);
	/* A guest may reconnect in a loop: it must not flood the log. */
	log_rl(&reconnect_rl, LOG_LEVEL_INFO, "domain %u reconnected its store ring (%llu times)",
	       r->domid, (unsigned long long)r->reconnects);
	store_ring_kick(r);
}

void store_ring_event(struct store_ring *r)
{
	if (!r->intf)
		return;
	if (__atomic_load_n(&r->intf->connection, __ATOMIC_ACQUIRE) == XENSTORE_RECONNECT)
		store_ring_reconnect(r);
}
