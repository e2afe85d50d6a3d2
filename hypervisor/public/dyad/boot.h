/*
 * The boot contract between the domain builder (toolstack/) and the guest
 * nucleus (frontends/nucleus/).
 *
 * Guest ring-0 code is emulated instruction by instruction on hosts without
 * VT-x, so the builder does the heavy lifting: it writes the page tables,
 * GDT, IDT, TSSes and hvm_start_info into the zero-filled guest RAM and
 * enters the nucleus already in 64-bit long mode.  Guest-virtual equals
 * guest-physical (an identity map of all RAM).
 *
 * Guest-physical layout of the first 2 MiB (4 KiB pages; U = user-accessible):
 *
 *   0x000000  not mapped (NULL guard)
 *   0x001000  U  RW  hvm_start_info, dyad_boot_ext at +0x80, memmap at +0x100,
 *                    cmdline at +0x800
 *   0x002000  -  RW  GDT (see selectors below)
 *   0x003000  -  RW  IDT, 256 gates, from the note's vectors table
 *   0x004000  -  RW  TSS of vCPU i at +0x100 * i (104 bytes + I/O bitmap)
 *   0x005000  U  RO  hypercall page (the nucleus writes its GPA to the MSR)
 *   0x006000  U  RW  store ring (xenstore_domain_interface), HVM_PARAM_STORE_PFN
 *   0x007000  U  RW  console ring (xencons_interface), HVM_PARAM_CONSOLE_PFN
 *   0x008000  U  RW  shared_info, placed by the core at creation (the guest's
 *                    XENMAPSPACE_shared_info must name this frame)
 *   0x009000  -      unused (supervisor)
 *   0x010000  -  RW  page tables: PML4, PDPT, PT(0-2M), PD per GiB (+ GiB 8:
 *                    the grant-map windows of abi.h)
 *   0x020000  -  RW  ring-0 stacks, 16 KiB per vCPU
 *   0x060000  -  RW  IST1 (#DF, NMI, #MC) stacks, 4 KiB per vCPU
 *   0x070000  U  RW  free for the runtime
 *   0x100000  image: [nucleus_start, nucleus_end) supervisor, the rest U RW
 *
 * Above 2 MiB all RAM is mapped user read-write with 2 MiB pages.  Pages
 * reserved for the core (store and console rings) are marked reserved in the
 * start-info memory map, never taken out of the identity map.
 *
 * vCPU 0 entry state (builder -> core SET_VCPU_CONTEXT):
 *   rip = note.entry, rsp = DYAD_BOOT_RSP0(0), rbx = DYAD_BOOT_START_INFO,
 *   rdi = 0 (vcpu id), rflags = 0x2 (interrupts off),
 *   cr0 = DYAD_BOOT_CR0, cr3 = DYAD_BOOT_PML4, cr4 = DYAD_BOOT_CR4,
 *   efer = DYAD_BOOT_EFER, cs = KCODE, ds/es/ss = KDATA, fs = gs = 0 (null),
 *   tr = TSS(0) (busy), gdtr/idtr as below.
 *
 * Secondary vCPUs come up through VCPUOP_initialise (64-bit
 * vcpu_hvm_context): the core gives them flat 64-bit ring-0 segments with
 * the selectors KCODE/KDATA and a GDTR/IDTR of base 0, limit 0; the nucleus
 * then loads the GDT, IDT and TSS(i) itself before anything can fault.
 */
#ifndef DYAD_PUBLIC_BOOT_H
#define DYAD_PUBLIC_BOOT_H

#include <stdint.h>

#define DYAD_PAGE_SIZE	0x1000ull
#define DYAD_MAX_VCPUS	16u
#define DYAD_MIN_MEM_MB 4u
#define DYAD_MAX_MEM_MB 8192u /* 13 page directories fit at DYAD_BOOT_PD */

#define DYAD_BOOT_START_INFO	 0x1000ull
#define DYAD_BOOT_EXT		 (DYAD_BOOT_START_INFO + 0x80)
#define DYAD_BOOT_MEMMAP	 (DYAD_BOOT_START_INFO + 0x100)
#define DYAD_BOOT_MEMMAP_MAX	 32u /* 24-byte entries up to +0x400 */
#define DYAD_BOOT_CMDLINE	 (DYAD_BOOT_START_INFO + 0x800)
#define DYAD_BOOT_CMDLINE_MAX	 0x800u /* bytes, including the NUL */
#define DYAD_BOOT_GDT		 0x2000ull
#define DYAD_BOOT_IDT		 0x3000ull
#define DYAD_BOOT_TSS		 0x4000ull
#define DYAD_BOOT_TSS_STRIDE	 0x100ull
#define DYAD_BOOT_HYPERCALL_PAGE 0x5000ull
#define DYAD_BOOT_STORE_RING	 0x6000ull
#define DYAD_BOOT_CONSOLE_RING	 0x7000ull
#define DYAD_BOOT_SHARED_INFO	 0x8000ull
#define DYAD_BOOT_PML4		 0x10000ull
#define DYAD_BOOT_PDPT		 0x11000ull
#define DYAD_BOOT_PT0		 0x12000ull
#define DYAD_BOOT_PD		 0x13000ull /* PD for GiB i at + i * 4 KiB */
/*
 * The grant-map windows (abi.h, GiB 8) use the PD of GiB 8, which RAM never
 * needs: the RW window as user RW 2 MiB pages, the RO window user read-only.
 */
#define DYAD_BOOT_PD_GNTMAP   (DYAD_BOOT_PD + 8 * 0x1000ull)
#define DYAD_BOOT_STACK0      0x20000ull
#define DYAD_BOOT_STACK0_SIZE 0x4000ull
#define DYAD_BOOT_IST	      0x60000ull
#define DYAD_BOOT_IST_SIZE    0x1000ull
#define DYAD_BOOT_FREE	      0x70000ull
#define DYAD_BOOT_IMAGE	      0x100000ull /* lowest address an image may load at */

#define DYAD_BOOT_RSP0(i)     (DYAD_BOOT_STACK0 + ((i) + 1) * DYAD_BOOT_STACK0_SIZE)
#define DYAD_BOOT_IST1(i)     (DYAD_BOOT_IST + ((i) + 1) * DYAD_BOOT_IST_SIZE)
#define DYAD_BOOT_TSS_ADDR(i) (DYAD_BOOT_TSS + (i)*DYAD_BOOT_TSS_STRIDE)

/* GDT selectors.  TSS descriptors are 16 bytes, one per vCPU. */
#define DYAD_SEL_KCODE	0x08u /* 64-bit code, DPL 0 */
#define DYAD_SEL_KDATA	0x10u /* data, DPL 0 */
#define DYAD_SEL_UDATA	0x1bu /* data, DPL 3 (0x18 | RPL 3) */
#define DYAD_SEL_UCODE	0x23u /* 64-bit code, DPL 3 (0x20 | RPL 3) */
#define DYAD_SEL_TSS(i) (0x28u + 16u * (i))
#define DYAD_GDT_LIMIT	(0x28u + 16u * DYAD_MAX_VCPUS - 1u)

/*
 * TSS: 104-byte 64-bit TSS, I/O map base = 104, a 32-byte bitmap covering
 * ports 0x00-0xff (bit clear = allowed), then the 0xff terminator byte.
 * rsp0 = DYAD_BOOT_RSP0(i), ist1 = DYAD_BOOT_IST1(i).  Open ports:
 * DYAD_HYPERCALL_PORT, DYAD_DOORBELL_PORT and DYAD_PROBE_PORT (4 bytes each).
 */
#define DYAD_TSS_IOMAP_BASE 104u
#define DYAD_TSS_LIMIT	    (DYAD_TSS_IOMAP_BASE + 32u) /* includes the 0xff byte */

/* IDT: 64-bit interrupt gates, selector KCODE, DPL 0; #DF(8), NMI(2), #MC(18) on IST1. */

#define DYAD_BOOT_CR0  0x80010033ull /* PG WP NE ET MP PE */
#define DYAD_BOOT_CR4  0x00000620ull /* OSXMMEXCPT OSFXSR PAE */
#define DYAD_BOOT_EFER 0x00000d00ull /* NXE LMA LME */

/*
 * Dyad's boot extension at DYAD_BOOT_EXT (after the 56-byte hvm_start_info):
 * what PVH's start info cannot say and a Xen guest would read from ACPI or
 * the store.  Written by the builder; the runtime checks the magic.
 */
#define DYAD_BOOT_EXT_MAGIC 0x78457944u /* "DyEx" */
struct dyad_boot_ext {
	uint32_t magic;	   /* DYAD_BOOT_EXT_MAGIC */
	uint32_t vcpus;	   /* vCPUs the domain was created with */
	uint64_t ram_size; /* bytes of RAM identity-mapped from 0 */
};
_Static_assert(sizeof(struct dyad_boot_ext) == 16, "dyad_boot_ext layout");

#endif /* DYAD_PUBLIC_BOOT_H */
