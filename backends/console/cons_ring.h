/*
 * The backend's side of a guest's console ring (Xen's xencons_interface,
 * xen/io/console.h): it consumes the `out` ring (guest -> dom0, 2048 bytes)
 * and produces into the `in` ring (dom0 -> guest, 1024 bytes).
 *
 * The page is shared with a guest that may be hostile, so the indexes the
 * guest writes (out_prod, in_cons) are read once per operation and checked
 * against the indexes we own, which we keep in private memory and only
 * ever write to the page:
 *   - out: 0 <= out_prod - out_cons <= sizeof(out)
 *   - in:  0 <= in_prod - in_cons  <= sizeof(in)
 * (unsigned modular arithmetic, as in Xen: indexes are free-running).  A
 * violation is -EPROTO and the caller disconnects the guest; nothing here
 * ever indexes past the arrays whatever the guest writes.
 */
#ifndef DYAD_CONS_RING_H
#define DYAD_CONS_RING_H

#include <stddef.h>
#include <stdint.h>

#include "dyad/xen.h"
#include <xen/io/console.h>

#define CONS_RING_OUT_SIZE sizeof(((struct xencons_interface *)0)->out)
#define CONS_RING_IN_SIZE  sizeof(((struct xencons_interface *)0)->in)

struct cons_ring {
	struct xencons_interface *intf; /* guest memory */
	uint32_t out_cons;		/* ours: private copy, written to the page */
	uint32_t in_prod;		/* ours: private copy, written to the page */
	uint32_t bad_prod, bad_cons;	/* the offending pair after -EPROTO (for logs) */
};

/*
 * Adopt a ring: take our indexes from the page once (a restarted backend
 * continues where the last one stopped) and check them against the guest's.
 * -EPROTO if the page is already inconsistent.
 */
int cons_ring_attach(struct cons_ring *r, struct xencons_interface *intf)
	__attribute__((warn_unused_result));

/*
 * Copy up to cap bytes of guest output into dst and consume them.  *n is
 * the count (0: ring empty).  -EPROTO when out_prod is out of range.
 */
int cons_ring_read(struct cons_ring *r, uint8_t *dst, size_t cap, size_t *n)
	__attribute__((warn_unused_result));

/*
 * Produce up to len bytes of input; *n is how many fit (0: ring full).
 * -EPROTO when in_cons is out of range.
 */
int cons_ring_write(struct cons_ring *r, const uint8_t *src, size_t len, size_t *n)
	__attribute__((warn_unused_result));

#endif /* DYAD_CONS_RING_H */
