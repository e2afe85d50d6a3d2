/*
 * The event-channel upcall: how the nucleus hands an upcall interrupt to
 * the ring-3 runtime (Xen PV's event callback, Dyad's registration).
 *
 * Registration is plain memory, no hypercall: the runtime fills struct
 * nucleus_callback (in its own user-accessible data, like nucleus_report)
 * with the address of its ring-3 entry once shared_info is placed.  The
 * vcpu_info array is not registered: shared_info sits at the fixed frame
 * DYAD_BOOT_SHARED_INFO (dyad/boot.h), vcpu_info[] at its start.  The
 * nucleus reads the entry on every upcall (vector DYAD_VECTOR_UPCALL):
 *
 *   - EOI always (the x2APIC EOI MSR);
 *   - taken in ring 0 (boot), no callback registered, or vcpu_info's
 *     evtchn_upcall_mask set (the virtual interrupt flag): iretq, nothing
 *     else; evtchn_upcall_pending stays set for the runtime to find;
 *   - otherwise it sets evtchn_upcall_mask, skips NUCLEUS_UPCALL_GAP bytes
 *     below the interrupted rsp, pushes the interrupted rip then rflags
 *     there, and irets to `entry` on that ring-3 stack.  The callback
 *     saves every register it uses, runs with the mask set, and returns to
 *     the interrupted context itself: `popfq; ret $NUCLEUS_UPCALL_GAP`.
 *
 * The nucleus refuses (EOI only) a frame below nucleus_end, so ring 3
 * cannot make it write into supervisor pages (an entry there faults in
 * ring 3, as any bad jump would).  The vCPU id comes from the ring-0
 * stack the interrupt arrived on.
 */
#ifndef GUEST_UPCALL_H
#define GUEST_UPCALL_H

#define NUCLEUS_UPCALL_GAP 128

#ifndef __ASSEMBLER__
#include <stdint.h>

struct nucleus_callback {
	uint64_t entry; /* ring-3 callback; 0 = none (EOI only) */
};

/* Defined by the runtime (user-accessible), read by the nucleus. */
extern struct nucleus_callback nucleus_callback;

/* The ring-3 entry (runtime/upcall.S). */
void rt_upcall_entry(void);
#endif

#endif /* GUEST_UPCALL_H */
