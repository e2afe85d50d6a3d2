/*
 * The nucleus's boot path, vCPU 0 and secondary vCPUs.
 *
 * The builder has done the heavy lifting (boot.h): we arrive in 64-bit
 * mode with paging, GDT, IDT and TSS loaded.  Every instruction here is
 * emulated on hosts without VT-x (~250 ns each), so the path is short and
 * straight: find the core by its CPUID signature, register the hypercall
 * page, switch the local APIC to x2APIC with the TSC-deadline timer, and
 * iretq to the ring-3 runtime.  Nothing in ring 0 runs after that except
 * interrupt and exception stubs (vectors.S).
 */
#include "nucleus_asm.h"

	.text
	.code64

/*
 * vCPU 0: rbx = start info GPA, rdi = 0, rsp = DYAD_BOOT_RSP0(0), IF = 0.
 */
	.globl nucleus_entry
	.type nucleus_entry, @function
nucleus_entry:
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, nucleus_report+NUC_REPORT_TSC_ENTRY(%rip)
	mov	%rbx, %r12
	call	nucleus_find_core
	call	nucleus_apic_init
	mov	%r12, %rdi
	call	nucleus_boot_bench		/* only if the cmdline asks for it */
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, nucleus_report+NUC_REPORT_TSC_RING3(%rip)
	xor	%edi, %edi
	lea	rt_start(%rip), %rsi
	lea	rt_stack0_top(%rip), %rdx
	jmp	nucleus_to_ring3
	.size nucleus_entry, . - nucleus_entry

/*
 * Secondary vCPUs, started by the runtime with VCPUOP_initialise:
 * rdi = vcpu id, rsi = ring-3 rip, rdx = ring-3 rsp.  The core gave us
 * flat ring-0 segments and an empty GDTR/IDTR; load ours before anything
 * can fault, and take the ring-0 stack from the id, not from ring 3.
 */
	.globl nucleus_ap_entry
	.type nucleus_ap_entry, @function
nucleus_ap_entry:
	lgdt	nucleus_gdtr(%rip)
	lidt	nucleus_idtr(%rip)
	mov	%edi, %eax
	and	$(NUC_MAX_VCPUS - 1), %eax
	mov	%eax, %edi
	inc	%eax
	shl	$14, %eax			/* * NUC_STACK0_SIZE */
	add	$NUC_STACK0, %eax
	mov	%rax, %rsp
	mov	$NUC_SEL_KDATA, %eax
	mov	%eax, %ss
	mov	%edi, %eax
	shl	$4, %eax
	add	$NUC_SEL_TSS0, %eax
	ltr	%ax
	mov	%rsi, %r12
	mov	%rdx, %r13
	call	nucleus_apic_init
	mov	%r12, %rsi
	mov	%r13, %rdx
	jmp	nucleus_to_ring3
	.size nucleus_ap_entry, . - nucleus_ap_entry

/* edi = vcpu id, rsi = ring-3 rip, rdx = ring-3 rsp.  Does not return. */
	.type nucleus_to_ring3, @function
nucleus_to_ring3:
	mov	$NUC_SEL_UDATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	pushq	$NUC_SEL_UDATA
	pushq	%rdx
	pushq	$NUC_RFLAGS_USER
	pushq	$NUC_SEL_UCODE
	pushq	%rsi
	mov	%edi, %esi
	mov	$NUC_START_INFO, %edi
	iretq
	.size nucleus_to_ring3, . - nucleus_to_ring3

/*
 * Check the core's CPUID signature, note the TSC frequency for ring 3
 * (which cannot read these leaves itself, see nucleus_report.h), then
 * register the hypercall page at the MSR leaf base+2 names.  Without the core there is nobody to report
 * to: halt with interrupts off.
 */
	.type nucleus_find_core, @function
nucleus_find_core:
	mov	$NUC_CPUID_BASE, %eax
	xor	%ecx, %ecx
	cpuid
	cmp	$NUC_SIG_EBX, %ebx
	jne	nucleus_halt
	cmp	$NUC_SIG_ECX, %ecx
	jne	nucleus_halt
	cmp	$NUC_SIG_EDX, %edx
	jne	nucleus_halt
	cmp	$(NUC_CPUID_BASE + 3), %eax
	jb	nucleus_halt
	mov	$(NUC_CPUID_BASE + 3), %eax	/* time leaf, subleaf 0: ecx = TSC kHz */
	xor	%ecx, %ecx
	cpuid
	mov	%ecx, nucleus_report+NUC_REPORT_TSC_KHZ(%rip)
	mov	$(NUC_CPUID_BASE + 2), %eax
	xor	%ecx, %ecx
	cpuid
	mov	%ebx, %ecx
	mov	$NUC_HYPERCALL_PAGE, %eax
	xor	%edx, %edx
	wrmsr
	ret
	.size nucleus_find_core, . - nucleus_find_core

/* x2APIC on, software-enabled, LVT timer in TSC-deadline mode.  Clobbers eax/ecx/edx. */
	.type nucleus_apic_init, @function
nucleus_apic_init:
	mov	$NUC_MSR_APIC_BASE, %ecx
	rdmsr
	or	$NUC_APIC_BASE_EN_EXTD, %eax
	wrmsr
	xor	%edx, %edx
	mov	$NUC_MSR_X2APIC_SVR, %ecx
	mov	$(NUC_SVR_ENABLE | NUC_VECTOR_SPURIOUS), %eax
	wrmsr
	mov	$NUC_MSR_X2APIC_LVTT, %ecx
	mov	$(NUC_LVTT_TSC_DEADLINE | NUC_VECTOR_TIMER), %eax
	wrmsr
	ret
	.size nucleus_apic_init, . - nucleus_apic_init

	.globl nucleus_halt
	.type nucleus_halt, @function
nucleus_halt:
	cli
1:	hlt
	jmp	1b
	.size nucleus_halt, . - nucleus_halt

	.section .rodata
	.balign 8
	.word 0, 0, 0
nucleus_gdtr:
	.word	NUC_GDT_LIMIT
	.quad	NUC_GDT
	.balign 8
	.word 0, 0, 0
nucleus_idtr:
	.word	NUC_IDT_LIMIT
	.quad	NUC_IDT

	.section .note.GNU-stack, "", @progbits
