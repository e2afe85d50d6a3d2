/*
 * Dyad's own part of the guest ABI: how a guest finds and enters the core.
 *
 * Everything else (hypercall numbers, argument structures, shared pages) is
 * Xen's public ABI, pulled in through <dyad/xen.h>.  What differs from Xen is
 * the trap: this host's KVM has no Xen emulation, so a hypercall is a port
 * write rather than vmcall.  The guest discovers the core through CPUID leaves
 * laid out as Xen's (xen/arch-x86/cpuid.h) but with Dyad's signature, writes
 * the guest-physical address of a page to the MSR named by leaf base+2, and
 * the core fills that page with one 32-byte stub per hypercall:
 *
 *     b8 <nr:u32>        mov  $nr, %eax
 *     e7 <port:u8>       out  %eax, $DYAD_HYPERCALL_PORT
 *     c3                 ret
 *
 * The port is an 8-bit immediate so that %dx, which carries argument 3 in
 * Xen's x86-64 convention (rdi, rsi, rdx, r10, r8), is not clobbered.
 * The result comes back in %rax.
 */
#ifndef DYAD_PUBLIC_ABI_H
#define DYAD_PUBLIC_ABI_H

#include <stdint.h>

/* CPUID leaves, Xen's layout (xen/arch-x86/cpuid.h), Dyad's signature. */
#define DYAD_CPUID_BASE		 0x40000000u
#define DYAD_CPUID_MAX_LEAF	 (DYAD_CPUID_BASE + 4)
#define DYAD_CPUID_SIGNATURE_EBX 0x64617944u /* "Dyad" */
#define DYAD_CPUID_SIGNATURE_ECX 0x44564844u /* "DHVD" */
#define DYAD_CPUID_SIGNATURE_EDX 0x56486461u /* "adHV" */
/*
 * base+0: eax = max leaf, ebx:ecx:edx = "DyadDHVDadHV"
 * base+1: eax = version (major << 16 | minor)
 * base+2: eax = number of hypercall pages (1), ebx = MSR index
 * base+3: subleaf 0: ecx = TSC frequency in kHz (Xen's time leaf)
 * base+4: eax = XEN_HVM_CPUID_X2APIC_VIRT | XEN_HVM_CPUID_VCPU_ID_PRESENT |
 *               XEN_HVM_CPUID_DOMID_PRESENT | XEN_HVM_CPUID_UPCALL_VECTOR,
 *         ebx = vcpu id, ecx = domid
 */
#define DYAD_VERSION_MAJOR 0
#define DYAD_VERSION_MINOR 1

/* The hypercall-page MSR (Xen's usual index; filtered so it always exits). */
#define DYAD_MSR_HYPERCALL_PAGE 0x40000000u

/* Port numbers: 8-bit, opened for ring 3 in the TSS I/O bitmap. */
#define DYAD_HYPERCALL_PORT 0xe0u
#define DYAD_DOORBELL_PORT  0xe4u /* event-channel sends; 32-bit port number as data */
#define DYAD_PROBE_PORT	    0xe8u /* acknowledged and ignored: measures a bare exit */

#define DYAD_HYPERCALL_STUB_SIZE 32u
#define DYAD_HYPERCALL_MAX	 64u /* stubs written: numbers 0..63 */

/*
 * System time, as seen by the core and the guest: nanoseconds derived from
 * the guest's own TSC, ns = tsc * 1000000 / tsc_khz (tsc_khz from leaf
 * base+3).  VCPUOP_set_singleshot_timer takes an absolute value in this
 * timebase; the core turns it back into a TSC deadline.
 */

/* Interrupt vectors the nucleus uses. */
#define DYAD_VECTOR_TIMER    0xefu /* x2APIC LVT timer, TSC-deadline mode */
#define DYAD_VECTOR_UPCALL   0xf0u /* event-channel upcall (HVMOP_set_evtchn_upcall_vector) */
#define DYAD_VECTOR_SPURIOUS 0xffu

/*
 * The Dyad ELF note (PT_NOTE, name "Dyad", type DYAD_ELFNOTE_BOOT).  The
 * builder refuses an image without it.  All addresses are guest-virtual,
 * which equals guest-physical in the boot mapping (see boot.h).
 */
#define DYAD_ELFNOTE_NAME	  "Dyad"
#define DYAD_ELFNOTE_BOOT	  1u
#define DYAD_ELFNOTE_VERSION	  1u
#define DYAD_BOOT_F_RING3_RUNTIME (1u << 0) /* hypercalls from CPL 3 are allowed */

struct dyad_elfnote_boot {
	uint32_t version;	/* DYAD_ELFNOTE_VERSION */
	uint32_t flags;		/* DYAD_BOOT_F_* */
	uint64_t entry;		/* 64-bit ring-0 entry of vCPU 0 */
	uint64_t vectors;	/* uint64_t[256] of IDT entry points; 0 = not present */
	uint64_t nucleus_start; /* page-aligned [start, end): mapped supervisor-only */
	uint64_t nucleus_end;
};
_Static_assert(sizeof(struct dyad_elfnote_boot) == 40, "note layout");

/*
 * Event channels (Xen's 2-level ABI; see lib/evtchn_2l.h for the raise rules).
 * Ports run 1 .. DYAD_EVTCHN_MAX_PORTS - 1 per domain (0 is never valid, as
 * in Xen).  A send is `out %eax, $DYAD_DOORBELL_PORT` with eax = the local
 * port (any ring; EVTCHNOP_send works too).  For a port whose remote end is
 * dom0 the doorbell write is matched in the kernel by a per-port ioeventfd
 * (no exit) for the first DYAD_EVTCHN_IOEVENTFD_MAX such ports of a domain;
 * beyond that the write exits and the core forwards it.
 */
#define DYAD_EVTCHN_MAX_PORTS	  1024u
#define DYAD_EVTCHN_IOEVENTFD_MAX 900u
/*
 * dom0's eventfd of a dom0-bound port counts guest sends (+1 each).  When
 * the port is closed by either side or its domain is destroyed, the core
 * adds DYAD_EVTCHN_CLOSED_MARK: a read value >= the mark means "closed".
 */
#define DYAD_EVTCHN_CLOSED_MARK (1ull << 62)

/*
 * Grant tables v1: up to DYAD_GNTTAB_MAX_FRAMES guest RAM pages placed with
 * XENMAPSPACE_grant_table, 512 grant_entry_v1 each.
 */
#define DYAD_GNTTAB_MAX_FRAMES	      4u
#define DYAD_GNTTAB_ENTRIES_PER_FRAME 512u /* 4096 / sizeof(grant_entry_v1_t) */
#define DYAD_GNTTAB_MAX_REFS	      (DYAD_GNTTAB_MAX_FRAMES * DYAD_GNTTAB_ENTRIES_PER_FRAME)

/*
 * The grant-map window of every domain: GNTTABOP_map_grant_ref host_addr is
 * the guest-physical (= guest-virtual, identity-mapped by the builder,
 * user-accessible) address of one slot.  Writable maps go to the RW window,
 * GNTMAP_readonly maps to the RO window (a KVM_MEM_READONLY memslot, mapped
 * read-only in the page tables).  Unmapped slots read as zeros.  The grant
 * handle returned is the slot index: RW slot i -> handle i, RO slot i ->
 * handle DYAD_GNTMAP_PAGES + i.
 */
#define DYAD_GNTMAP_BASE     0x200000000ull /* 8 GiB: above the largest RAM */
#define DYAD_GNTMAP_PAGES    1024u
#define DYAD_GNTMAP_SIZE     ((uint64_t)DYAD_GNTMAP_PAGES * 0x1000u)
#define DYAD_GNTMAP_RO_BASE  (DYAD_GNTMAP_BASE + DYAD_GNTMAP_SIZE)
#define DYAD_GNTMAP_RO_PAGES 1024u
#define DYAD_GNTMAP_END	     (DYAD_GNTMAP_RO_BASE + (uint64_t)DYAD_GNTMAP_RO_PAGES * 0x1000u)

#endif /* DYAD_PUBLIC_ABI_H */
