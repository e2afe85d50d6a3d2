/*
 * One connection abstraction for every transport (Xen's struct connection):
 * the transport moves bytes through its ops, the connection frames them.
 * A request header is copied out of the input buffer once and checked
 * (len <= XENSTORE_PAYLOAD_MAX, else the client is cut off: it cannot be
 * re-synchronised); the payload is copied once into a NUL-padded buffer,
 * so a handler can never read past it.  Replies and watch events are
 * queued and written only after the journal has the changes they report.
 * An unprivileged connection with too many unanswered requests is not read
 * until it drains (Xen's outstanding-request quota).
 *
 * Ring transports (store_ring.c) have no descriptor to poll: they say when
 * they hold input (has_input) and learn when every reply is written
 * (drained), which is when they release the requests those replies answer.
 * A connection re-attached after a restart answers a request naming a
 * transaction it does not know with EAGAIN: it was the previous instance's.
 */
#include "store_core.h"

#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Past this much unread output a connection is cut off. */
#define STORE_CONN_OUT_MAX (64u << 20)
/*
 * An unprivileged connection's queued output above which watch events are
 * dropped (counted, logged rate-limited) rather than queued: a guest that
 * watches a busy node and never consumes its rsp ring holds at most this
 * plus its replies, which the outstanding-request quota bounds.  This is
 * the approach of XSA-326 (Xen limits what a domain can make xenstored
 * hold for it instead of buffering without bound).
 */
#define STORE_CONN_EVENT_OUT_MAX (256u << 10)
/* A drained output buffer larger than this is freed rather than kept. */
#define STORE_CONN_OBUF_KEEP (64u << 10)

struct store_conn *store_conn_new(struct store_core *c, const struct store_conn_ops *ops,
				  void *priv, int fd, uint32_t domid, bool privileged)
{
	struct store_conn *conn = calloc(1, sizeof(*conn));

	if (!conn)
		return NULL;
	conn->core = c;
	conn->ops = ops;
	conn->priv = priv;
	conn->fd = fd;
	conn->who = (struct store_who){.domid = domid, .privileged = privileged, .target = -1};
	store_domain_who(c, &conn->who);
	conn->next = c->conns;
	if (c->conns)
		c->conns->prev = conn;
	c->conns = conn;
	return conn;
}

void store_conn_free(struct store_conn *conn)
{
	struct store_core *c = conn->core;
	struct store_domain *d = store_domain_get(c, conn->who.domid);

	if (d && d->conn == conn)
		d->conn = NULL;
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		c->conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	while (conn->txns) {
		struct store_txn *t = conn->txns;

		conn->txns = t->next;
		store_txn_free(t);
	}
	store_watch_reset(conn);
	if (conn->ops && conn->ops->destroy)
		conn->ops->destroy(conn);
	free(conn->obuf);
	free(conn);
}

void store_conn_fail(struct store_conn *conn, const char *why)
{
	if (!conn->dead)
		log_warn_rl("dropping connection of domain %u: %s", conn->who.domid, why);
	conn->dead = true;
}

bool store_conn_stalled(const struct store_conn *conn)
{
	unsigned int max = conn->core->quota.outstanding;

	return (!conn->who.privileged && max && conn->pending >= max) || store_mem_stalled(conn);
}

bool store_conn_ready(const struct store_conn *conn)
{
	struct xsd_sockmsg hdr;
	size_t avail = conn->rlen - conn->roff;

	if (conn->dead || store_conn_stalled(conn))
		return false;
	if (avail >= sizeof(hdr)) {
		memcpy(&hdr, conn->rbuf + conn->roff, sizeof(hdr));
		if (hdr.len > XENSTORE_PAYLOAD_MAX || avail >= sizeof(hdr) + hdr.len)
			return true;
	}
	return conn->has_input && conn->has_input(conn);
}

/* An unprivileged reader that is this far behind loses the event. */
static bool store_conn_drop_event(struct store_conn *conn, size_t size)
{
	if (conn->who.privileged || conn->olen - conn->ooff + size <= STORE_CONN_EVENT_OUT_MAX)
		return false;
	conn->events_dropped++;
	log_warn_rl("domain %u is not reading its watch events: dropped %llu so far",
		    conn->who.domid, (unsigned long long)conn->events_dropped);
	return true;
}

int store_conn_send(struct store_conn *conn, uint32_t type, uint32_t req_id, uint32_t tx_id,
		    const void *data, size_t len)
{
	struct xsd_sockmsg hdr = {type, req_id, tx_id, (uint32_t)len};
	size_t need = conn->olen + sizeof(hdr) + len;

	if (type == XS_WATCH_EVENT && store_conn_drop_event(conn, sizeof(hdr) + len))
		return -ENOSPC;
	if (conn->olen - conn->ooff + sizeof(hdr) + len > STORE_CONN_OUT_MAX) {
		store_conn_fail(conn, "not reading its replies");
		return -ENOSPC;
	}
	if (need > conn->ocap) {
		size_t cap = conn->ocap ? conn->ocap : 4096;
		char *b;

		while (cap < need)
			cap *= 2;
		b = realloc(conn->obuf, cap);
		if (!b)
			return -ENOMEM;
		conn->obuf = b;
		conn->ocap = cap;
	}
	memcpy(conn->obuf + conn->olen, &hdr, sizeof(hdr));
	if (len)
		memcpy(conn->obuf + conn->olen + sizeof(hdr), data, len);
	conn->olen = need;
	if (type != XS_WATCH_EVENT)
		conn->pending++;
	return 0;
}

bool store_conn_flush(struct store_conn *conn)
{
	while (!conn->dead && conn->ooff < conn->olen) {
		ssize_t n =
			conn->ops->write(conn, conn->obuf + conn->ooff, conn->olen - conn->ooff);

		if (n < 0)
			conn->dead = true;
		if (n <= 0)
			return false;
		conn->ooff += (size_t)n;
	}
	conn->ooff = conn->olen = 0;
	conn->pending = 0;
	if (conn->ocap > STORE_CONN_OBUF_KEEP) {
		free(conn->obuf); /* a burst's buffer is not kept for the connection's life */
		conn->obuf = NULL;
		conn->ocap = 0;
	}
	if (!conn->dead && conn->drained)
		conn->drained(conn);
	return true;
}

void store_conn_reset(struct store_conn *conn)
{
	while (conn->txns) {
		struct store_txn *t = conn->txns;

		conn->txns = t->next;
		store_txn_free(t);
	}
	conn->ntxns = 0;
	conn->roff = conn->rlen = 0;
	conn->ooff = conn->olen = 0;
	conn->pending = 0;
	if (conn->nwatches)
		conn->watches_changed = true; /* an empty set stays unwritten */
	store_watch_reset(conn);
}

/* Message types that run inside the transaction they name (store_ops.c's non-NOTX entries). */
static bool store_conn_uses_tx(uint32_t type)
{
	switch (type) {
	case XS_DIRECTORY:
	case XS_DIRECTORY_PART:
	case XS_READ:
	case XS_GET_PERMS:
	case XS_WRITE:
	case XS_MKDIR:
	case XS_RM:
	case XS_SET_PERMS:
	case XS_TRANSACTION_START:
	case XS_TRANSACTION_END:
		return true;
	default:
		return false;
	}
}

/* A restored connection's request naming a transaction of the previous instance. */
static bool store_conn_stale_tx(struct store_conn *conn, const struct xsd_sockmsg *hdr)
{
	static const char eagain[] = "EAGAIN";

	if (!conn->restored || !hdr->tx_id || !store_conn_uses_tx(hdr->type) ||
	    store_txn_find(conn, hdr->tx_id))
		return false;
	conn->core->requests++;
	(void)!store_conn_send(conn, XS_ERROR, hdr->req_id, hdr->tx_id, eagain, sizeof(eagain));
	return true;
}

static void store_conn_handle(struct store_conn *conn, const struct xsd_sockmsg *hdr, char *payload)
{
	unsigned int nwatches = conn->nwatches;

	if (store_conn_stale_tx(conn, hdr))
		return;
	store_conn_dispatch(conn, hdr, payload);
	/* Only WATCH, UNWATCH and RESET_WATCHES that succeed change the count. */
	if (conn->nwatches != nwatches)
		conn->watches_changed = true;
}

/* Handle every complete request in the input buffer. */
static void store_conn_parse(struct store_conn *conn)
{
	static char payload[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg hdr;

	while (!conn->dead && !store_conn_stalled(conn) && conn->rlen - conn->roff >= sizeof(hdr)) {
		memcpy(&hdr, conn->rbuf + conn->roff, sizeof(hdr));
		if (hdr.len > XENSTORE_PAYLOAD_MAX) {
			store_conn_fail(conn, "request longer than XENSTORE_PAYLOAD_MAX");
			return;
		}
		if (conn->rlen - conn->roff < sizeof(hdr) + hdr.len)
			break;
		memcpy(payload, conn->rbuf + conn->roff + sizeof(hdr), hdr.len);
		payload[hdr.len] = '\0';
		conn->roff += sizeof(hdr) + hdr.len;
		store_conn_handle(conn, &hdr, payload);
	}
	if (conn->roff == conn->rlen)
		conn->roff = conn->rlen = 0;
}

void store_conn_input(struct store_conn *conn)
{
	ssize_t n;

	if (conn->dead)
		return;
	if (!store_conn_stalled(conn)) {
		if (conn->roff) {
			memmove(conn->rbuf, conn->rbuf + conn->roff, conn->rlen - conn->roff);
			conn->rlen -= conn->roff;
			conn->roff = 0;
		}
		n = conn->ops->read(conn, conn->rbuf + conn->rlen, sizeof(conn->rbuf) - conn->rlen);
		if (n < 0) {
			conn->dead = true;
			return;
		}
		conn->rlen += (size_t)n;
	}
	store_conn_parse(conn);
}
