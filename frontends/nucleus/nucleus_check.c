/*
 * Compile-time proof that nucleus_asm.h's plain numbers are the contract's
 * (abi.h, boot.h).  Produces no code.
 */
#include "nucleus_asm.h"

#include <dyad/xen.h>
#include <dyad/abi.h>
#include <dyad/boot.h>
#include <stddef.h>
#include <guest/nucleus_report.h>
#include <guest/upcall.h>

_Static_assert(NUC_CPUID_BASE == DYAD_CPUID_BASE, "cpuid base");
_Static_assert(NUC_SIG_EBX == DYAD_CPUID_SIGNATURE_EBX, "signature");
_Static_assert(NUC_SIG_ECX == DYAD_CPUID_SIGNATURE_ECX, "signature");
_Static_assert(NUC_SIG_EDX == DYAD_CPUID_SIGNATURE_EDX, "signature");
_Static_assert(NUC_HYPERCALL_PAGE == DYAD_BOOT_HYPERCALL_PAGE, "hypercall page");
_Static_assert(NUC_HYPERCALL_PORT == DYAD_HYPERCALL_PORT, "hypercall port");
_Static_assert(NUC_START_INFO == DYAD_BOOT_START_INFO, "start info");
_Static_assert(NUC_GDT == DYAD_BOOT_GDT, "gdt");
_Static_assert(NUC_GDT_LIMIT == DYAD_GDT_LIMIT, "gdt limit");
_Static_assert(NUC_IDT == DYAD_BOOT_IDT, "idt");
_Static_assert(NUC_STACK0 == DYAD_BOOT_STACK0, "stack0");
_Static_assert(NUC_STACK0_SIZE == DYAD_BOOT_STACK0_SIZE && NUC_STACK0_SIZE == 1 << 14, "stack0");
_Static_assert(NUC_MAX_VCPUS == DYAD_MAX_VCPUS, "max vcpus (a power of two)");
_Static_assert(NUC_SEL_KDATA == DYAD_SEL_KDATA, "kdata");
_Static_assert(NUC_SEL_UDATA == DYAD_SEL_UDATA, "udata");
_Static_assert(NUC_SEL_UCODE == DYAD_SEL_UCODE, "ucode");
_Static_assert(NUC_SEL_TSS0 == DYAD_SEL_TSS(0), "tss");
_Static_assert(NUC_VECTOR_TIMER == DYAD_VECTOR_TIMER, "timer vector");
_Static_assert(NUC_VECTOR_SPURIOUS == DYAD_VECTOR_SPURIOUS, "spurious vector");
_Static_assert(NUC_REPORT_TSC_ENTRY == offsetof(struct nucleus_report, boot_tsc_entry), "report");
_Static_assert(NUC_REPORT_TSC_RING3 == offsetof(struct nucleus_report, boot_tsc_ring3), "report");
_Static_assert(NUC_REPORT_TSC_KHZ == offsetof(struct nucleus_report, tsc_khz), "report");
_Static_assert(NUC_VECTOR_UPCALL == DYAD_VECTOR_UPCALL, "upcall vector");
_Static_assert(NUC_CB_ENTRY == offsetof(struct nucleus_callback, entry), "callback");
_Static_assert(NUC_SHARED_INFO == DYAD_BOOT_SHARED_INFO, "shared_info frame");
_Static_assert(offsetof(struct shared_info, vcpu_info) == 0, "vcpu_info first");
_Static_assert(sizeof(struct vcpu_info) == 1 << NUC_VCPU_INFO_SHIFT, "vcpu_info size");
_Static_assert(NUC_VCPU_INFO_MASK == offsetof(struct vcpu_info, evtchn_upcall_mask), "mask");
_Static_assert(NUC_UPCALL_GAP == NUCLEUS_UPCALL_GAP, "upcall gap");
_Static_assert(NUC_MAX_VCPUS <= XEN_LEGACY_MAX_VCPUS, "vcpu_info in shared_info");
