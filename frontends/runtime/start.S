/*
 * Ring-3 entry points.  The nucleus irets here with rdi = start info,
 * rsi = vcpu id and rsp at the top of this vCPU's stack in rt_stacks.
 */
#include "vcpu.h"

	.text
	.globl rt_start
	.type rt_start, @function
rt_start:
	xor	%ebp, %ebp
	call	rt_main
	ud2
	.size rt_start, . - rt_start

	.globl rt_ap_start
	.type rt_ap_start, @function
rt_ap_start:
	xor	%ebp, %ebp
	call	rt_ap_main
	ud2
	.size rt_ap_start, . - rt_ap_start

	.bss
	.balign 4096
	.globl rt_stacks
rt_stacks:
	.skip	RT_STACK_SIZE * RT_MAX_VCPUS
	.globl rt_stack0_top
	.set	rt_stack0_top, rt_stacks + RT_STACK_SIZE

	.section .note.GNU-stack, "", @progbits
