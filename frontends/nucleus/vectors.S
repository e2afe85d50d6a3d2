/*
 * The nucleus's interrupt and exception entry points and the table of
 * them that the Dyad ELF note names (the builder turns it into the IDT).
 *
 * Exceptions 0-31 all end in nucleus_exception(), which reports the
 * registers and shuts the domain down as crashed.  Interrupts need little
 * work in ring 0: any other vector is EOIed and the interrupted code
 * resumes; the event-channel upcall and the timer are EOIed and, when
 * taken in ring 3 with events unmasked, turned into a call of the
 * runtime's callback (include/guest/upcall.h).  A spurious interrupt is
 * not in service, so it gets no EOI (SDM vol. 3, 11.9).
 */
#include "nucleus_asm.h"

	.text
	.code64

/* One 16-byte stub per exception: uniform frame (error code, vector). */
.macro EXC vec, has_error
	.balign 16
	.if \has_error == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	nucleus_exc_common
.endm

	.balign 16
nucleus_exc_stubs:
	EXC 0, 0
	EXC 1, 0
	EXC 2, 0
	EXC 3, 0
	EXC 4, 0
	EXC 5, 0
	EXC 6, 0
	EXC 7, 0
	EXC 8, 1
	EXC 9, 0
	EXC 10, 1
	EXC 11, 1
	EXC 12, 1
	EXC 13, 1
	EXC 14, 1
	EXC 15, 0
	EXC 16, 0
	EXC 17, 1
	EXC 18, 0
	EXC 19, 0
	EXC 20, 0
	EXC 21, 1
	EXC 22, 0
	EXC 23, 0
	EXC 24, 0
	EXC 25, 0
	EXC 26, 0
	EXC 27, 0
	EXC 28, 0
	EXC 29, 1
	EXC 30, 1
	EXC 31, 0

/* Save the general registers under the CPU's frame; see struct nucleus_frame. */
	.type nucleus_exc_common, @function
nucleus_exc_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	mov	%rsp, %rdi
	and	$-16, %rsp
	call	nucleus_exception
	jmp	nucleus_halt
	.size nucleus_exc_common, . - nucleus_exc_common

/* Timer, upcall and any other external interrupt: EOI and resume. */
	.balign 16
	.type nucleus_irq_eoi, @function
nucleus_irq_eoi:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	mov	$NUC_MSR_X2APIC_EOI, %ecx
	xor	%eax, %eax
	xor	%edx, %edx
	wrmsr
	popq	%rdx
	popq	%rcx
	popq	%rax
	iretq
	.size nucleus_irq_eoi, . - nucleus_irq_eoi

/*
 * The event-channel upcall (include/guest/upcall.h).  Every instruction
 * here is emulated on hosts without VT-x: about thirty on the callback
 * path, a dozen when masked.  Frame after the three pushes: 0 rdx, 8 rcx,
 * 16 rax, then the CPU's 24 rip, 32 cs, 40 rflags, 48 rsp, 56 ss.
 */
	.balign 16
	.type nucleus_irq_upcall, @function
nucleus_irq_upcall:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	mov	$NUC_MSR_X2APIC_EOI, %ecx
	xor	%eax, %eax
	xor	%edx, %edx
	wrmsr
	testb	$3, 32(%rsp)			/* ring 0 (boot): EOI only */
	jz	1f
	cmpq	$0, nucleus_callback+NUC_CB_ENTRY(%rip)
	je	1f
	lea	-NUC_STACK0(%rsp), %rdx		/* vcpu id = ring-0 stack index */
	shr	$14, %rdx
	shl	$NUC_VCPU_INFO_SHIFT, %rdx
	add	$NUC_SHARED_INFO, %rdx		/* &vcpu_info[id], the fixed frame */
	cmpb	$0, NUC_VCPU_INFO_MASK(%rdx)	/* virtual IF off: EOI only */
	jne	1f
	mov	48(%rsp), %rax
	sub	$(NUC_UPCALL_GAP + NUC_UPCALL_FRAME), %rax
	cmp	$nucleus_end, %rax		/* never write below nucleus_end */
	jb	1f
	movb	$1, NUC_VCPU_INFO_MASK(%rdx)
	mov	24(%rsp), %rcx
	mov	%rcx, 8(%rax)			/* interrupted rip */
	mov	40(%rsp), %rcx
	mov	%rcx, (%rax)			/* interrupted rflags */
	mov	%rax, 48(%rsp)
	mov	nucleus_callback+NUC_CB_ENTRY(%rip), %rcx
	mov	%rcx, 24(%rsp)
1:	popq	%rdx
	popq	%rcx
	popq	%rax
	iretq
	.size nucleus_irq_upcall, . - nucleus_irq_upcall

	.balign 16
	.type nucleus_irq_spurious, @function
nucleus_irq_spurious:
	iretq
	.size nucleus_irq_spurious, . - nucleus_irq_spurious

/*
 * uint64_t[256]: the note's vectors table.  The timer vector takes the
 * upcall path too: the callback it makes lets the runtime see a timer
 * that fires just before a SCHEDOP_block trap (runtime/upcall.S), which
 * the core cannot see any more once the TSC-deadline MSR has reset.
 */
	.section .rodata
	.balign 8
	.globl nucleus_vectors
nucleus_vectors:
	.set .Lvec, 0
	.rept 32
	.quad	nucleus_exc_stubs + (.Lvec) * 16
	.set .Lvec, .Lvec + 1
	.endr
	.rept NUC_VECTOR_TIMER - 32
	.quad	nucleus_irq_eoi
	.endr
	.quad	nucleus_irq_upcall		/* timer: see below */
	.rept NUC_VECTOR_UPCALL - NUC_VECTOR_TIMER - 1
	.quad	nucleus_irq_eoi
	.endr
	.quad	nucleus_irq_upcall
	.rept NUC_VECTOR_SPURIOUS - NUC_VECTOR_UPCALL - 1
	.quad	nucleus_irq_eoi
	.endr
	.quad	nucleus_irq_spurious
	.size nucleus_vectors, . - nucleus_vectors

	.section .note.GNU-stack, "", @progbits
