/*
 * The console ring consumer/producer (see cons_ring.h).
 *
 * Barriers, as in Xen's xenconsoled (tools/console/daemon/io.c):
 *  - read: load out_prod (acquire) before reading the bytes it covers,
 *    pairing with the guest's wmb() between writing bytes and out_prod;
 *    then a full fence before publishing out_cons, so the bytes are read
 *    before the guest may overwrite them (pairs with the guest's mb()
 *    after reading out_cons).
 *  - write: load in_cons (acquire), write the bytes, release-store
 *    in_prod, pairing with the guest's rmb() after reading in_prod.
 */
#include "cons_ring.h"

#include <errno.h>
#include <string.h>

#define CONS_RING_IDX(i, size) ((i) & ((uint32_t)(size)-1))

_Static_assert((CONS_RING_OUT_SIZE & (CONS_RING_OUT_SIZE - 1)) == 0, "out ring is a power of 2");
_Static_assert((CONS_RING_IN_SIZE & (CONS_RING_IN_SIZE - 1)) == 0, "in ring is a power of 2");

static int cons_ring_bad(struct cons_ring *r, uint32_t prod, uint32_t cons)
{
	r->bad_prod = prod;
	r->bad_cons = cons;
	return -EPROTO;
}

int cons_ring_attach(struct cons_ring *r, struct xencons_interface *intf)
{
	uint32_t out_prod, out_cons, in_prod, in_cons;

	memset(r, 0, sizeof(*r));
	r->intf = intf;
	out_cons = __atomic_load_n(&intf->out_cons, __ATOMIC_RELAXED);
	out_prod = __atomic_load_n(&intf->out_prod, __ATOMIC_ACQUIRE);
	in_prod = __atomic_load_n(&intf->in_prod, __ATOMIC_RELAXED);
	in_cons = __atomic_load_n(&intf->in_cons, __ATOMIC_ACQUIRE);
	if (out_prod - out_cons > CONS_RING_OUT_SIZE)
		return cons_ring_bad(r, out_prod, out_cons);
	if (in_prod - in_cons > CONS_RING_IN_SIZE)
		return cons_ring_bad(r, in_prod, in_cons);
	r->out_cons = out_cons;
	r->in_prod = in_prod;
	return 0;
}

int cons_ring_read(struct cons_ring *r, uint8_t *dst, size_t cap, size_t *n)
{
	/* Read once: every check and copy below uses this value. */
	uint32_t prod = __atomic_load_n(&r->intf->out_prod, __ATOMIC_ACQUIRE);
	uint32_t avail = prod - r->out_cons;
	size_t done = 0;

	*n = 0;
	if (avail > CONS_RING_OUT_SIZE)
		return cons_ring_bad(r, prod, r->out_cons);
	while (done < cap && done < avail) {
		uint32_t idx = CONS_RING_IDX(r->out_cons + (uint32_t)done, CONS_RING_OUT_SIZE);
		size_t chunk = CONS_RING_OUT_SIZE - idx;

		if (chunk > avail - done)
			chunk = avail - done;
		if (chunk > cap - done)
			chunk = cap - done;
		memcpy(dst + done, (const char *)r->intf->out + idx, chunk);
		done += chunk;
	}
	/* The bytes are copied before the guest may reuse their slots. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->out_cons += (uint32_t)done;
	__atomic_store_n(&r->intf->out_cons, r->out_cons, __ATOMIC_RELEASE);
	*n = done;
	return 0;
}

int cons_ring_write(struct cons_ring *r, const uint8_t *src, size_t len, size_t *n)
{
	uint32_t cons = __atomic_load_n(&r->intf->in_cons, __ATOMIC_ACQUIRE);
	uint32_t used = r->in_prod - cons;
	size_t done = 0;

	*n = 0;
	if (used > CONS_RING_IN_SIZE)
		return cons_ring_bad(r, r->in_prod, cons);
	while (done < len && done < CONS_RING_IN_SIZE - used) {
		uint32_t idx = CONS_RING_IDX(r->in_prod + (uint32_t)done, CONS_RING_IN_SIZE);
		size_t chunk = CONS_RING_IN_SIZE - idx;
		size_t room = CONS_RING_IN_SIZE - used - done;

		if (chunk > room)
			chunk = room;
		if (chunk > len - done)
			chunk = len - done;
		memcpy(r->intf->in + idx, src + done, chunk);
		done += chunk;
	}
	/* The bytes are in the ring before in_prod says so. */
	r->in_prod += (uint32_t)done;
	__atomic_store_n(&r->intf->in_prod, r->in_prod, __ATOMIC_RELEASE);
	*n = done;
	return 0;
}
