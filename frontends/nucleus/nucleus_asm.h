/*
 * Plain-number copies of the contract constants the nucleus's assembly
 * uses (the public headers carry C suffixes such as 0x1000ull that the
 * assembler cannot read).  nucleus_check.c asserts each one against
 * <dyad/abi.h> and <dyad/boot.h>, so they cannot drift.
 */
#ifndef NUCLEUS_ASM_H
#define NUCLEUS_ASM_H

#define NUC_CPUID_BASE 0x40000000
#define NUC_SIG_EBX    0x64617944
#define NUC_SIG_ECX    0x44564844
#define NUC_SIG_EDX    0x56486461

#define NUC_HYPERCALL_PAGE 0x5000
#define NUC_HYPERCALL_PORT 0xe0
#define NUC_START_INFO	   0x1000
#define NUC_SHARED_INFO	   0x8000
#define NUC_GDT		   0x2000
#define NUC_GDT_LIMIT	   (0x28 + 16 * 16 - 1)
#define NUC_IDT		   0x3000
#define NUC_IDT_LIMIT	   0xfff
#define NUC_STACK0	   0x20000
#define NUC_STACK0_SIZE	   0x4000
#define NUC_MAX_VCPUS	   16

#define NUC_SEL_KDATA 0x10
#define NUC_SEL_UDATA 0x1b
#define NUC_SEL_UCODE 0x23
#define NUC_SEL_TSS0  0x28

#define NUC_VECTOR_TIMER    0xef
#define NUC_VECTOR_UPCALL   0xf0
#define NUC_VECTOR_SPURIOUS 0xff

#define NUC_MSR_APIC_BASE     0x1b
#define NUC_APIC_BASE_EN_EXTD 0xc00 /* xAPIC enable | x2APIC mode */
#define NUC_MSR_X2APIC_EOI    0x80b
#define NUC_MSR_X2APIC_SVR    0x80f
#define NUC_MSR_X2APIC_LVTT   0x832
#define NUC_LVTT_TSC_DEADLINE (2 << 17)
#define NUC_SVR_ENABLE	      0x100

#define NUC_RFLAGS_USER 0x202 /* IF, reserved bit 1; IOPL 0 */

/* Offsets in struct nucleus_report (include/guest/nucleus_report.h). */
#define NUC_REPORT_TSC_ENTRY 0
#define NUC_REPORT_TSC_RING3 8
#define NUC_REPORT_TSC_KHZ   40

/*
 * The upcall (include/guest/upcall.h): offsets in struct nucleus_callback,
 * struct vcpu_info's size (vcpu_info[] starts shared_info) and the offset of evtchn_upcall_mask in
 * it, and the bytes the nucleus leaves untouched below the interrupted ring-3 rsp.
 */
#define NUC_CB_ENTRY	    0
#define NUC_VCPU_INFO_SHIFT 6 /* sizeof(struct vcpu_info) == 64 */
#define NUC_VCPU_INFO_MASK  1
#define NUC_UPCALL_GAP	    128
#define NUC_UPCALL_FRAME    16 /* rflags, rip */

/* The exception frame nucleus_exc_common builds (see struct nucleus_frame). */
#define NUC_FRAME_GPRS 15

#endif /* NUCLEUS_ASM_H */
