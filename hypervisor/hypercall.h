/*
 * Hypercall dispatch: Xen's numbers, Dyad's trap.
 *
 * A hypercall arrives as `out %eax, $DYAD_HYPERCALL_PORT` from a stub of the
 * hypercall page; the vCPU thread reads the number (rax) and the arguments
 * (rdi, rsi, rdx, r10, r8, Xen's x86-64 convention) and CS/CR3 from the
 * registers KVM synced into kvm_run, dispatches through a table keyed by the
 * hypercall number, and writes the result back to rax through the same
 * synced registers (one exit, no extra ioctl).  Table flags carry policy:
 * which calls a CPL-3 caller may make (only in domains created with
 * DYAD_CREATE_F_RING3).  Results are 0/positive or -errno with Xen's
 * errno values (which equal Linux's on x86).
 */
#ifndef DYAD_HV_HYPERCALL_H
#define DYAD_HV_HYPERCALL_H

#include <stdint.h>

#include "guest_ptr.h"

struct domain;
struct vcpu;

struct hc_ctx {
	struct domain *d;
	struct vcpu *v;	      /* the caller */
	struct guest_view gv; /* the caller's address space */
	unsigned int cpl;
	uint64_t arg[5];
};

/* Dispatch one hypercall; the caller puts the result in rax. */
long hypercall_dispatch(struct hc_ctx *c, uint64_t nr);
/* Build the context from v's synced registers, dispatch, write rax back. */
void hypercall_from_exit(struct vcpu *v);
/* The name of a hypercall number for logs, or NULL. */
const char *hypercall_name(uint64_t nr);

/* The guest timebase (abi.h): ns = tsc * 1000000 / tsc_khz, saturating. */
uint64_t hc_tsc_to_ns(uint64_t tsc, uint32_t khz);
/* Its inverse, rounded up so that a deadline never fires early. */
uint64_t hc_ns_to_tsc(uint64_t ns, uint32_t khz);

/* Handlers (hc_*.c). */
long hc_xen_version(struct hc_ctx *c);
long hc_console_io(struct hc_ctx *c);
long hc_sched_op(struct hc_ctx *c);
long hc_vcpu_op(struct hc_ctx *c);
long hc_hvm_op(struct hc_ctx *c);
long hc_event_channel_op(struct hc_ctx *c);
long hc_memory_op(struct hc_ctx *c);
long hc_grant_table_op(struct hc_ctx *c);

#endif /* DYAD_HV_HYPERCALL_H */
