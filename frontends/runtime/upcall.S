/*
 * The ring-3 event callback the nucleus irets to (include/guest/upcall.h).
 *
 * We arrive on the interrupted stack with events masked on this vCPU, rsp
 * pointing at the interrupted rflags, then rip, then NUCLEUS_UPCALL_GAP
 * untouched bytes, then the interrupted rsp.  Save the caller-saved
 * registers (the guest is general-registers-only: no vector state), align
 * the stack for C, run rt_events_upcall (which unmasks before it returns),
 * restore, and return to the interrupted context with popfq; ret $GAP.
 *
 * If the interrupted rip lies in [rt_block_begin, rt_block_end), the
 * upcall came after rt_block_unmasked checked evtchn_upcall_pending but
 * before its SCHEDOP_block trap: the return address moves to rt_block_end
 * so the vCPU does not go to sleep on an event it has just handled.
 */
#include <guest/upcall.h>

#define RT_HC_PORT	 0xe0	/* DYAD_HYPERCALL_PORT */
#define RT_SCHEDOP_block 1	/* xen/sched.h */
#define RT_HC_sched_op	 29	/* __HYPERVISOR_sched_op, asserted in events.c */
#define RT_VI_PENDING	 0	/* offsetof(struct vcpu_info, evtchn_upcall_pending) */
#define RT_VI_MASK	 1	/* offsetof(struct vcpu_info, evtchn_upcall_mask) */
#define RT_FRAME_RIP	 96	/* 11 saved registers, then rflags, then rip */

	.text
	.globl rt_upcall_entry
	.type rt_upcall_entry, @function
rt_upcall_entry:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	mov	%rsp, %rbx
	xor	%ebp, %ebp
	and	$-16, %rsp
	call	rt_events_upcall
	mov	%rbx, %rsp
	mov	RT_FRAME_RIP(%rbx), %rax
	lea	rt_block_begin(%rip), %rcx
	cmp	%rcx, %rax
	jb	1f
	lea	rt_block_end(%rip), %rcx
	cmp	%rcx, %rax
	jae	1f
	mov	%rcx, RT_FRAME_RIP(%rbx)
1:
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	popfq
	ret	$NUCLEUS_UPCALL_GAP
	.size rt_upcall_entry, . - rt_upcall_entry

/*
 * void rt_block_unmasked(struct vcpu_info *vi, uint64_t wake_tsc): unmask
 * events, then block unless an upcall is pending or the TSC has reached
 * wake_tsc (the single-shot timer's deadline, or a bit before it; ~0 for
 * none).  The trap is inline (abi.h's stub sequence) so that the fix-up
 * range covers it: an upcall or timer interrupt taken after the checks
 * and before the trap returns to rt_block_end instead.
 */
	.globl rt_block_unmasked
	.type rt_block_unmasked, @function
rt_block_unmasked:
	movb	$0, RT_VI_MASK(%rdi)
	mfence
rt_block_begin:
	cmpb	$0, RT_VI_PENDING(%rdi)
	jne	rt_block_end
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	cmp	%rsi, %rax
	jae	rt_block_end
	mov	$RT_SCHEDOP_block, %edi
	xor	%esi, %esi
	mov	$RT_HC_sched_op, %eax
	out	%eax, $RT_HC_PORT
rt_block_end:
	ret
	.size rt_block_unmasked, . - rt_block_unmasked

	.section .note.GNU-stack, "", @progbits
