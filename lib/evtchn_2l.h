/*
 * Xen's 2-level event-channel raise and unmask rules: ONE copy, used by the
 * core (hypervisor/evtchn.c) and by dom0 (its notify path), both of which
 * operate on a guest's shared_info through their shared mapping of the
 * guest's memfd, concurrently with each other and with the guest.
 *
 * Raising port p on vCPU v:
 *   1. set pending[p]; if it was already set, stop (the event is merged);
 *   2. if mask[p] is set, stop (pending stays set: the guest sees it when it
 *      unmasks, EVTCHNOP_unmask or its own scan);
 *   3. set bit p/64 of v's evtchn_pending_sel; if it was already set, stop;
 *   4. set v's evtchn_upcall_pending; if it was 0, the caller must interrupt
 *      the vCPU (write 1 to its upcall irqfd's eventfd): return true.
 * Unmasking p: clear mask[p]; if pending[p] is set, steps 3-4.
 *
 * Memory ordering.  Every step is an atomic read-modify-write with
 * sequentially consistent ordering (a LOCK-prefixed instruction on x86,
 * a full barrier), and the guest's scan does, in order: upcall_pending = 0
 * (xchg), sel = xchg(sel, 0), then per selected word pending & ~mask, and
 * clears each pending bit with an atomic AND before running its handler.
 * Claim: an event raised on an unmasked port is either seen by a scan that
 * is running or causes a new upcall.  Since the steps are totally ordered:
 *   - if our step 3 (sel) comes after the guest's sel xchg, then our step 4
 *     comes after the guest's upcall_pending = 0 (which precedes its xchg):
 *     we find 0 and interrupt the vCPU -> a new scan;
 *   - if our step 3 comes before the guest's sel xchg, the guest reads our
 *     selector bit, and as step 1 precedes step 3 it also reads our pending
 *     bit -> handled in this scan.
 * A pending bit cleared by the guest before its handler runs cannot lose a
 * raise that happens during the handler: that raise finds pending clear and
 * re-arms the whole chain.  Masked ports are the guest's own business: the
 * mask bit is only written by the guest (and cleared by EVTCHNOP_unmask),
 * the raiser only reads it, and the unmask path repeats steps 3-4, so a
 * pending-while-masked event is delivered on unmask (Xen's semantics).
 * dom0 and the core may raise the same port at once: step 1's RMW makes
 * exactly one of them continue; both may kick, which is harmless.
 *
 * Header-only (static inline) and free of libc so that host code of any
 * process can include it; uses the GCC/Clang __atomic builtins, which are
 * the C11 memory model applied to the plain fields of Xen's structures.
 */
#ifndef DYAD_EVTCHN_2L_H
#define DYAD_EVTCHN_2L_H

#include <stdbool.h>
#include <stdint.h>

#include <dyad/xen.h>

#define EVTCHN_2L_BITS_PER_WORD (sizeof(xen_ulong_t) * 8u)
#define EVTCHN_2L_NR_PORTS	(sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64u)

static inline bool evtchn_2l_test_and_set(xen_ulong_t *word, unsigned int bit)
{
	xen_ulong_t m = (xen_ulong_t)1 << bit;

	return (__atomic_fetch_or(word, m, __ATOMIC_SEQ_CST) & m) != 0;
}

static inline bool evtchn_2l_test_and_clear(xen_ulong_t *word, unsigned int bit)
{
	xen_ulong_t m = (xen_ulong_t)1 << bit;

	return (__atomic_fetch_and(word, ~m, __ATOMIC_SEQ_CST) & m) != 0;
}

static inline bool evtchn_2l_test(const xen_ulong_t *word, unsigned int bit)
{
	return (__atomic_load_n(word, __ATOMIC_SEQ_CST) >> bit) & 1u;
}

/* Steps 3-4: select the word and mark the vCPU; true if it must be kicked. */
static inline bool evtchn_2l_mark(struct vcpu_info *vi, uint32_t port)
{
	if (evtchn_2l_test_and_set(&vi->evtchn_pending_sel, port / EVTCHN_2L_BITS_PER_WORD))
		return false;
	return __atomic_exchange_n(&vi->evtchn_upcall_pending, (uint8_t)1, __ATOMIC_SEQ_CST) == 0;
}

/*
 * Raise `port` (< EVTCHN_2L_NR_PORTS, checked by the caller) in shared_info
 * s, notifying vcpu_info vi.  Returns true if the caller must kick the vCPU
 * (write 1 to its upcall eventfd).
 */
static inline bool evtchn_2l_raise(struct shared_info *s, struct vcpu_info *vi, uint32_t port)
{
	uint32_t w = port / EVTCHN_2L_BITS_PER_WORD, b = port % EVTCHN_2L_BITS_PER_WORD;

	if (evtchn_2l_test_and_set(&s->evtchn_pending[w], b))
		return false;
	if (evtchn_2l_test(&s->evtchn_mask[w], b))
		return false;
	return evtchn_2l_mark(vi, port);
}

/* EVTCHNOP_unmask: clear the mask; deliver what was pending.  Kick if true. */
static inline bool evtchn_2l_unmask(struct shared_info *s, struct vcpu_info *vi, uint32_t port)
{
	uint32_t w = port / EVTCHN_2L_BITS_PER_WORD, b = port % EVTCHN_2L_BITS_PER_WORD;

	if (!evtchn_2l_test_and_clear(&s->evtchn_mask[w], b))
		return false;
	if (!evtchn_2l_test(&s->evtchn_pending[w], b))
		return false;
	return evtchn_2l_mark(vi, port);
}

/* Clear a port's pending bit (the core does it when a port is closed/reused). */
static inline void evtchn_2l_clear_pending(struct shared_info *s, uint32_t port)
{
	evtchn_2l_test_and_clear(&s->evtchn_pending[port / EVTCHN_2L_BITS_PER_WORD],
				 port % EVTCHN_2L_BITS_PER_WORD);
}

#endif /* DYAD_EVTCHN_2L_H */
