/*
 * x86 CPUID, initial register state and hypercall page (see vcpu_x86.h).
 *
 * Validation follows Xen's arch_set_info_hvm_guest for VCPU_HVM_MODE_64B:
 * the state must already be long mode (CR0.PE|PG, EFER.LME|LMA, CR4.PAE)
 * with a page-aligned CR3 inside the domain's RAM, and (like Xen's
 * hvm_cr0/cr4/efer checks) no control-register bit Dyad does not know
 * (vcpu_x86.h's whitelists; CR0.NW without CD is invalid, SDM 2.5).
 * CPUID leaf 7 hides LA57, so no guest tries 5-level paging.  Anything
 * KVM's VM entry would still reject ends as KVM_EXIT_FAIL_ENTRY, which
 * crashes only that domain.
 */
#include "vcpu_x86.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <dyad/abi.h>
#include <dyad/boot.h>

#define X86_RFLAGS_BAD	  (~0x3fffffull | (1ull << 3) | (1ull << 5) | (1ull << 15) | (1ull << 17))
#define X86_PHYS_MASK	  0x000ffffffffff000ull
#define X86_SEG_TSS_BUSY  11u
#define X86_SEG_TSS_AVAIL 9u

#define CPUID_HV_ENTRIES 7u /* base+0, +1, +2, +3 (3 subleaves), +4 */

static int x86_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

static void cpuid_set(struct kvm_cpuid_entry2 *e, uint32_t fn, uint32_t idx, uint32_t eax,
		      uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	*e = (struct kvm_cpuid_entry2){
		.function = fn, .index = idx, .eax = eax, .ebx = ebx, .ecx = ecx, .edx = edx};
	if (fn == DYAD_CPUID_BASE + 3)
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
}

/* Dyad's hypervisor leaves, Xen's layout (abi.h). */
static void cpuid_add_hv(struct kvm_cpuid_entry2 *e, uint32_t vcpu_id, uint32_t domid,
			 uint32_t tsc_khz)
{
	uint32_t b = DYAD_CPUID_BASE;

	cpuid_set(e++, b, 0, DYAD_CPUID_MAX_LEAF, DYAD_CPUID_SIGNATURE_EBX,
		  DYAD_CPUID_SIGNATURE_ECX, DYAD_CPUID_SIGNATURE_EDX);
	cpuid_set(e++, b + 1, 0, DYAD_VERSION_MAJOR << 16 | DYAD_VERSION_MINOR, 0, 0, 0);
	cpuid_set(e++, b + 2, 0, 1, DYAD_MSR_HYPERCALL_PAGE, 0, 0);
	cpuid_set(e++, b + 3, 0, 0, 0, tsc_khz, 0);
	cpuid_set(e++, b + 3, 1, 0, 0, 0, 0);
	cpuid_set(e++, b + 3, 2, tsc_khz, 0, 0, 0);
	cpuid_set(e, b + 4, 0,
		  XEN_HVM_CPUID_X2APIC_VIRT | XEN_HVM_CPUID_VCPU_ID_PRESENT |
			  XEN_HVM_CPUID_DOMID_PRESENT | XEN_HVM_CPUID_UPCALL_VECTOR,
		  vcpu_id, domid, 0);
}

/* Adjust one of KVM's entries: x2APIC, TSC deadline, APIC id, no LA57. */
static void cpuid_fix_entry(struct kvm_cpuid_entry2 *e, uint32_t vcpu_id)
{
	if (e->function == 1) {
		e->ecx |= (1u << 21) | (1u << 24) | (1u << 31);
		e->ebx = (e->ebx & 0x00ffffffu) | (vcpu_id << 24);
	} else if (e->function == 7 && e->index == 0) {
		e->ecx &= ~(1u << 16); /* CPUID.(7,0):ECX[16] = LA57 (SDM vol. 2A, CPUID) */
	} else if (e->function == 0xb || e->function == 0x1f) {
		e->edx = vcpu_id;
	}
}

int vcpu_x86_build_cpuid(const struct kvm_cpuid2 *supported, uint32_t vcpu_id, uint32_t domid,
			 uint32_t tsc_khz, struct kvm_cpuid2 **out)
{
	uint32_t n = supported ? supported->nent : 0, k = 0;
	struct kvm_cpuid2 *c =
		calloc(1, sizeof(*c) + (n + CPUID_HV_ENTRIES) * sizeof(c->entries[0]));

	if (!c)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		const struct kvm_cpuid_entry2 *e = &supported->entries[i];

		if (e->function >= 0x40000000u && e->function < 0x50000000u)
			continue; /* KVM's signature leaves: replaced by Dyad's */
		c->entries[k] = *e;
		cpuid_fix_entry(&c->entries[k++], vcpu_id);
	}
	cpuid_add_hv(&c->entries[k], vcpu_id, domid, tsc_khz);
	c->nent = k + CPUID_HV_ENTRIES;
	*out = c;
	return 0;
}

/* VMX-style access rights (ctl_msg.h) to a kvm_segment. */
static struct kvm_segment x86_seg_from_ctl(const struct dyad_ctl_segment *s)
{
	struct kvm_segment k = {
		.base = s->base,
		.limit = s->limit,
		.selector = s->selector,
		.type = s->attr & 0xf,
		.s = (s->attr >> 4) & 1,
		.dpl = (s->attr >> 5) & 3,
		.present = (s->attr >> 7) & 1,
		.avl = (s->attr >> 12) & 1,
		.l = (s->attr >> 13) & 1,
		.db = (s->attr >> 14) & 1,
		.g = (s->attr >> 15) & 1,
	};

	k.unusable = !k.present;
	return k;
}

/* The control-register checks shared by both sources; NULL if fine. */
static const char *x86_check_mode(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer,
				  uint64_t rip, uint64_t rflags, uint64_t ram_size)
{
	if (cr0 & ~X86_CR0_VALID)
		return "CR0 has reserved or unsupported bits set";
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return "CR0.NW without CR0.CD is invalid";
	if (cr4 & ~X86_CR4_VALID)
		return "CR4 has reserved or unsupported bits set (LA57, VMXE, SMXE, PKE, ...)";
	if (efer & ~X86_EFER_VALID)
		return "EFER has reserved or unsupported bits set (only SCE, LME, LMA, NXE)";
	if ((cr0 & (X86_CR0_PE | X86_CR0_PG)) != (X86_CR0_PE | X86_CR0_PG))
		return "CR0.PE and CR0.PG must be set";
	if (!(cr4 & X86_CR4_PAE))
		return "CR4.PAE must be set";
	if ((efer & (X86_EFER_LME | X86_EFER_LMA)) != (X86_EFER_LME | X86_EFER_LMA))
		return "EFER.LME and EFER.LMA must be set";
	if (cr3 & ~X86_PHYS_MASK)
		return "CR3 must be page-aligned";
	if (cr3 >= ram_size || ram_size - cr3 < DYAD_PAGE_SIZE)
		return "CR3 is outside the domain's RAM";
	if (!x86_canonical(rip))
		return "RIP is not canonical";
	if (rflags & X86_RFLAGS_BAD)
		return "RFLAGS has reserved or VM bits set";
	return NULL;
}

static const char *x86_check_segs(const struct vcpu_x86_state *st)
{
	if (!st->cs.present || !st->cs.s || !(st->cs.type & 8))
		return "CS must be a present code segment";
	if (!st->cs.l || st->cs.db)
		return "CS must be a 64-bit code segment (L=1, D=0)";
	if (!st->tr.present || st->tr.s ||
	    (st->tr.type != X86_SEG_TSS_BUSY && st->tr.type != X86_SEG_TSS_AVAIL))
		return "TR must be a present 64-bit TSS";
	if (st->ss.present && st->ss.dpl != st->cs.dpl)
		return "SS.DPL must equal CS.DPL";
	return NULL;
}

static void x86_regs_from_ctl(const struct dyad_vcpu_regs *in, struct kvm_regs *r)
{
	*r = (struct kvm_regs){
		.rax = in->rax,
		.rbx = in->rbx,
		.rcx = in->rcx,
		.rdx = in->rdx,
		.rsi = in->rsi,
		.rdi = in->rdi,
		.rsp = in->rsp,
		.rbp = in->rbp,
		.r8 = in->r8,
		.r9 = in->r9,
		.r10 = in->r10,
		.r11 = in->r11,
		.r12 = in->r12,
		.r13 = in->r13,
		.r14 = in->r14,
		.r15 = in->r15,
		.rip = in->rip,
		.rflags = in->rflags | X86_RFLAGS_FIXED,
	};
}

int vcpu_x86_from_ctl(const struct dyad_vcpu_regs *in, uint64_t ram_size,
		      struct vcpu_x86_state *out, const char **why)
{
	struct vcpu_x86_state st = {0};

	*why = x86_check_mode(in->cr0, in->cr3, in->cr4, in->efer, in->rip, in->rflags, ram_size);
	if (*why)
		return -EINVAL;
	x86_regs_from_ctl(in, &st.regs);
	st.cs = x86_seg_from_ctl(&in->cs);
	st.ds = x86_seg_from_ctl(&in->ds);
	st.es = x86_seg_from_ctl(&in->es);
	st.fs = x86_seg_from_ctl(&in->fs);
	st.gs = x86_seg_from_ctl(&in->gs);
	st.ss = x86_seg_from_ctl(&in->ss);
	st.tr = x86_seg_from_ctl(&in->tr);
	st.ldt = x86_seg_from_ctl(&in->ldt);
	st.gdt = (struct kvm_dtable){.base = in->gdt.base, .limit = in->gdt.limit};
	st.idt = (struct kvm_dtable){.base = in->idt.base, .limit = in->idt.limit};
	st.cr0 = in->cr0, st.cr2 = in->cr2, st.cr3 = in->cr3, st.cr4 = in->cr4, st.efer = in->efer;
	*why = x86_check_segs(&st);
	if (*why)
		return -EINVAL;
	st.tr.type = X86_SEG_TSS_BUSY; /* VM entry wants a busy TSS */
	*out = st;
	return 0;
}

/* A kvm_segment in VMX-style access rights (ctl_msg.h), the inverse of the above. */
static struct dyad_ctl_segment x86_seg_to_ctl(const struct kvm_segment *k)
{
	return (struct dyad_ctl_segment){
		.base = k->base,
		.limit = k->limit,
		.selector = k->selector,
		.attr = (uint16_t)((k->type & 0xf) | (k->s & 1) << 4 | (k->dpl & 3) << 5 |
				   (k->present & 1) << 7 | (k->avl & 1) << 12 | (k->l & 1) << 13 |
				   (k->db & 1) << 14 | (k->g & 1) << 15),
	};
}

void vcpu_x86_to_ctl(const struct vcpu_x86_state *st, struct dyad_vcpu_regs *out)
{
	const struct kvm_regs *r = &st->regs;

	*out = (struct dyad_vcpu_regs){
		.rax = r->rax,
		.rbx = r->rbx,
		.rcx = r->rcx,
		.rdx = r->rdx,
		.rsi = r->rsi,
		.rdi = r->rdi,
		.rsp = r->rsp,
		.rbp = r->rbp,
		.r8 = r->r8,
		.r9 = r->r9,
		.r10 = r->r10,
		.r11 = r->r11,
		.r12 = r->r12,
		.r13 = r->r13,
		.r14 = r->r14,
		.r15 = r->r15,
		.rip = r->rip,
		.rflags = r->rflags,
		.cr0 = st->cr0,
		.cr2 = st->cr2,
		.cr3 = st->cr3,
		.cr4 = st->cr4,
		.efer = st->efer,
	};
	out->cs = x86_seg_to_ctl(&st->cs), out->ds = x86_seg_to_ctl(&st->ds);
	out->es = x86_seg_to_ctl(&st->es), out->fs = x86_seg_to_ctl(&st->fs);
	out->gs = x86_seg_to_ctl(&st->gs), out->ss = x86_seg_to_ctl(&st->ss);
	out->tr = x86_seg_to_ctl(&st->tr), out->ldt = x86_seg_to_ctl(&st->ldt);
	out->gdt = (struct dyad_ctl_dtable){.base = st->gdt.base, .limit = st->gdt.limit};
	out->idt = (struct dyad_ctl_dtable){.base = st->idt.base, .limit = st->idt.limit};
}

static struct kvm_segment x86_flat(uint16_t sel, uint8_t type, int code)
{
	return (struct kvm_segment){.base = 0,
				    .limit = 0xffffffffu,
				    .selector = sel,
				    .type = type,
				    .present = 1,
				    .s = 1,
				    .dpl = 0,
				    .l = code ? 1 : 0,
				    .db = code ? 0 : 1,
				    .g = 1};
}

/* Flat ring-0 64-bit segments for a secondary vCPU (boot.h). */
static void x86_ap_segments(struct vcpu_x86_state *st)
{
	st->cs = x86_flat(DYAD_SEL_KCODE, 11, 1);
	st->ds = x86_flat(DYAD_SEL_KDATA, 3, 0);
	st->es = st->ds;
	st->ss = st->ds;
	st->fs = (struct kvm_segment){.unusable = 1};
	st->gs = st->fs;
	st->ldt = st->fs;
	st->tr = (struct kvm_segment){.limit = 0x67, .type = X86_SEG_TSS_BUSY, .present = 1};
}

int vcpu_x86_from_hvm(const struct vcpu_hvm_context *in, uint64_t ram_size,
		      struct vcpu_x86_state *out, const char **why)
{
	const struct vcpu_hvm_x86_64 *x = &in->cpu_regs.x86_64;
	struct vcpu_x86_state st = {0};

	if (in->mode != VCPU_HVM_MODE_64B) {
		*why = "only VCPU_HVM_MODE_64B is supported";
		return -EINVAL;
	}
	*why = x86_check_mode(x->cr0, x->cr3, x->cr4, x->efer, x->rip, x->rflags, ram_size);
	if (*why)
		return -EINVAL;
	st.regs = (struct kvm_regs){.rax = x->rax,
				    .rcx = x->rcx,
				    .rdx = x->rdx,
				    .rbx = x->rbx,
				    .rsp = x->rsp,
				    .rbp = x->rbp,
				    .rsi = x->rsi,
				    .rdi = x->rdi,
				    .rip = x->rip,
				    .rflags = x->rflags | X86_RFLAGS_FIXED};
	x86_ap_segments(&st);
	st.cr0 = x->cr0, st.cr3 = x->cr3, st.cr4 = x->cr4, st.efer = x->efer;
	*out = st;
	return 0;
}

void vcpu_x86_apply_sregs(const struct vcpu_x86_state *st, uint32_t vcpu_id, struct kvm_sregs *s)
{
	s->cs = st->cs, s->ds = st->ds, s->es = st->es, s->fs = st->fs;
	s->gs = st->gs, s->ss = st->ss, s->tr = st->tr, s->ldt = st->ldt;
	s->gdt = st->gdt, s->idt = st->idt;
	s->cr0 = st->cr0, s->cr2 = st->cr2, s->cr3 = st->cr3, s->cr4 = st->cr4;
	s->efer = st->efer;
	/* The local APIC starts enabled in x2APIC mode: guests use its MSRs only. */
	s->apic_base = X86_APIC_BASE_DEFAULT | X86_APIC_BASE_EN | X86_APIC_BASE_EXTD |
		       (vcpu_id == 0 ? X86_APIC_BASE_BSP : 0);
}

void vcpu_x86_fill_hypercall_page(uint8_t *page)
{
	memset(page, 0x90, DYAD_PAGE_SIZE); /* nop, never int3 (see ARCHITECTURE.md) */
	for (uint32_t nr = 0; nr < DYAD_HYPERCALL_MAX; nr++) {
		uint8_t *p = page + nr * DYAD_HYPERCALL_STUB_SIZE;

		p[0] = 0xb8; /* mov $nr, %eax */
		memcpy(p + 1, &nr, sizeof(nr));
		p[5] = 0xe7; /* out %eax, $port */
		p[6] = DYAD_HYPERCALL_PORT;
		p[7] = 0xc3; /* ret */
	}
}
