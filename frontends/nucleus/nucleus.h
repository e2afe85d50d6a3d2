/*
 * The ring-0 nucleus: C parts of the boot path and exception reporting.
 * Everything here runs emulated on hosts without VT-x; keep it short.
 */
#ifndef NUCLEUS_H
#define NUCLEUS_H

#include <stdint.h>

/* What nucleus_exc_common leaves on the stack, lowest address first. */
struct nucleus_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* Report the exception through console_io and shut down as crashed. */
void nucleus_exception(const struct nucleus_frame *f) __attribute__((noreturn));

/* On vCPU 0 before ring 3: run the ring-0 half of bench-cpu if the cmdline selects it. */
void nucleus_boot_bench(uint64_t start_info);

/* A hypercall from ring 0: the trap the hypercall page's stubs contain. */
long nucleus_hypercall3(unsigned int nr, uint64_t a1, uint64_t a2, uint64_t a3);

void nucleus_halt(void) __attribute__((noreturn));

#endif /* NUCLEUS_H */
