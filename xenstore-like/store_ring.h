/*
 * The guest transport of dyad-store: a domain's xenstore_domain_interface
 * page (xen/io/xs_wire.h) served as a store_conn.  The page is shared with
 * a hostile guest; this file is the only code that touches it.  It knows
 * nothing of event channels or foreign memory: the daemon (store_guest.c)
 * maps the page and passes a notify callback, the unit tests and the fuzz
 * target use a page in plain memory.
 *
 * Rules (Xen's docs/misc/xenstore-ring.txt, and contract §4):
 *  - The guest's indexes (req_prod, rsp_cons) are read once per use with
 *    acquire semantics and checked against our own private copies of
 *    req_cons and rsp_prod: prod - cons <= XENSTORE_RING_SIZE, request
 *    lengths <= XENSTORE_PAYLOAD_MAX.  A violation sets the page's error
 *    field, kills the connection (logged, rate-limited, naming the domain)
 *    and leaves the ring ignored until the guest asks to RECONNECT.
 *  - req_cons moves past a request only once its reply is in the rsp ring,
 *    so a request an instance never answered is answered by the next one
 *    after a restart (a reply answered twice is dropped by the guest's
 *    req_id check).  Requests longer than the ring cannot be held whole
 *    and are released as they are copied.
 *  - One request at a time per domain: the next one is taken only when
 *    every reply before it is in the rsp ring.  A full rsp ring therefore
 *    stalls the domain's input without any polling; the guest's
 *    notification after it consumes replies resumes it.
 *  - server_features gets XENSTORE_SERVER_FEATURE_RECONNECTION; connection
 *    = XENSTORE_RECONNECT drops the connection's watches, transactions and
 *    buffered bytes, zeroes the indexes, sets XENSTORE_CONNECTED, notifies.
 */
#ifndef DYAD_STORE_RING_H
#define DYAD_STORE_RING_H

#include "store_core.h"

struct store_ring {
	struct xenstore_domain_interface *intf; /* shared with the guest */
	struct store_core *core;
	uint32_t domid;
	struct store_conn *conn; /* NULL while broken (until RECONNECT) */
	/* Our indexes: written to the page, never read back from it. */
	XENSTORE_RING_IDX req_cons, rsp_prod;
	uint32_t held;	     /* request bytes past req_cons delivered, awaiting their reply */
	uint32_t in_stream;  /* bytes still to copy of a request longer than the ring */
	uint32_t out_stream; /* bytes still to write of a reply longer than the ring */
	bool broken;	     /* corrupt ring: ignored until the guest reconnects */
	bool restored;	     /* connections made here answer unknown tx_ids with EAGAIN */
	uint64_t reconnects; /* for tests and logs */
	void (*notify)(struct store_ring *r); /* raise the guest's event channel */
	void *arg;			      /* the caller's (store_guest) */
};

/*
 * Attach to intf (which must stay mapped until store_ring_detach): adopt
 * the page's indexes (they are checked: a guest may have written requests
 * before INTRODUCE, or a previous instance of the store served it), set
 * the feature bit, open the connection and notify.  0, or -ENOMEM; a
 * corrupt page is not an error (the ring starts broken).
 */
int store_ring_attach(struct store_ring *r, struct store_core *c, uint32_t domid,
		      struct xenstore_domain_interface *intf) __attribute__((warn_unused_result));
/* Drop the connection (the domain is going away); the page is not touched again. */
void store_ring_detach(struct store_ring *r);
/*
 * The guest notified us (or a restart/scan looks): honour RECONNECT.
 * Input itself is pulled by the event loop through the connection.
 */
void store_ring_event(struct store_ring *r);

#endif /* DYAD_STORE_RING_H */
