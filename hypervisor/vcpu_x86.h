/*
 * x86 specifics of a Dyad vCPU, as pure functions over <linux/kvm.h>
 * structures (no ioctls, so the unit tests cover them):
 *   - the CPUID table a vCPU gets (KVM's supported set, x2APIC and
 *     TSC-deadline forced on, APIC id = vCPU id, KVM's own hypervisor leaves
 *     replaced by Dyad's, laid out as abi.h documents);
 *   - the conversion and validation of an initial register state, from the
 *     control protocol (struct dyad_vcpu_regs, vCPU 0 by the builder) or from
 *     VCPUOP_initialise (struct vcpu_hvm_context, secondary vCPUs): 64-bit
 *     long mode only, CR3 inside RAM, as Xen's arch_set_info_hvm_guest checks,
 *     and no CR0/CR4/EFER bit outside the whitelists below;
 *   - the conversion back, for GET_VCPU_CONTEXT (core dumps);
 *   - the hypercall page (one 32-byte stub per hypercall number).
 */
#ifndef DYAD_HV_VCPU_X86_H
#define DYAD_HV_VCPU_X86_H

#include <stdint.h>
#include <linux/kvm.h>

#include <dyad/xen.h>
#include "ctl_msg.h"

#define X86_CR0_PE   (1ull << 0)
#define X86_CR0_NW   (1ull << 29)
#define X86_CR0_CD   (1ull << 30)
#define X86_CR0_PG   (1ull << 31)
#define X86_CR4_PAE  (1ull << 5)
#define X86_CR4_LA57 (1ull << 12)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
/*
 * The bits a guest's initial state may set (SDM vol. 3A 2.5 and 2.2.1).
 * CR0: PE MP EM TS ET NE WP AM NW CD PG.  CR4: VME PVI TSD DE PSE PAE MCE
 * PGE PCE OSFXSR OSXMMEXCPT UMIP FSGSBASE PCIDE OSXSAVE SMEP SMAP; not LA57
 * (Dyad's guests use 4-level paging, and the CPUID leaf hides it), VMXE,
 * SMXE or PKE.  EFER: SCE LME LMA NXE; not SVME and the rest.  KVM still
 * refuses a whitelisted bit the host CPU lacks, which fails the domain's
 * first entry (it crashes, nothing else notices).
 */
#define X86_CR0_VALID	      0xe005003full
#define X86_CR4_VALID	      0x00370fffull
#define X86_EFER_VALID	      0x00000d01ull
#define X86_RFLAGS_FIXED      (1ull << 1)
#define X86_MSR_TSC	      0x10u
#define X86_MSR_TSC_DEADLINE  0x6e0u
#define X86_APIC_BASE_DEFAULT 0xfee00000ull
#define X86_APIC_BASE_BSP     (1ull << 8)
#define X86_APIC_BASE_EXTD    (1ull << 10)
#define X86_APIC_BASE_EN      (1ull << 11)

/* An initial architectural state, validated, waiting to be loaded. */
struct vcpu_x86_state {
	struct kvm_regs regs;
	struct kvm_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct kvm_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, efer;
};

/*
 * Build a vCPU's CPUID from KVM's supported table.  *out is malloc'd.
 * 0 or -ENOMEM.
 */
int vcpu_x86_build_cpuid(const struct kvm_cpuid2 *supported, uint32_t vcpu_id, uint32_t domid,
			 uint32_t tsc_khz, struct kvm_cpuid2 **out)
	__attribute__((warn_unused_result));

/* From the control protocol; -EINVAL (with *why) if not a sane 64-bit state. */
int vcpu_x86_from_ctl(const struct dyad_vcpu_regs *in, uint64_t ram_size,
		      struct vcpu_x86_state *out, const char **why)
	__attribute__((warn_unused_result));

/* From VCPUOP_initialise: 64-bit mode only, flat ring-0 segments. */
int vcpu_x86_from_hvm(const struct vcpu_hvm_context *in, uint64_t ram_size,
		      struct vcpu_x86_state *out, const char **why)
	__attribute__((warn_unused_result));

/* For GET_VCPU_CONTEXT: a state in the control protocol's shape. */
void vcpu_x86_to_ctl(const struct vcpu_x86_state *st, struct dyad_vcpu_regs *out);

/* Overlay st onto sregs read from KVM (keeps its interrupt bitmap, cr8). */
void vcpu_x86_apply_sregs(const struct vcpu_x86_state *st, uint32_t vcpu_id,
			  struct kvm_sregs *sregs);

/* Fill one 4 KiB page with the hypercall stubs (abi.h). */
void vcpu_x86_fill_hypercall_page(uint8_t *page);

#endif /* DYAD_HV_VCPU_X86_H */
