/*
 * Hypercalls straight from ring 3 through the hypercall page.
 *
 * The core filled DYAD_BOOT_HYPERCALL_PAGE with one 32-byte stub per
 * hypercall (mov $nr,%eax; out %eax,$port; ret; abi.h); arguments go in
 * Xen's x86-64 registers rdi, rsi, rdx, r10, r8 and the result comes back
 * in rax.  The argument registers are treated as clobbered, as Xen allows.
 * Pointer arguments are guest-virtual and must point at user pages.
 */
#ifndef RT_HYPERCALL_H
#define RT_HYPERCALL_H

#include <dyad/xen.h>
#include <dyad/abi.h>
#include <dyad/boot.h>

static inline long rt_hypercall(unsigned int nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
				uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a4;
	register uint64_t r8 __asm__("r8") = a5;
	uint64_t fn = DYAD_BOOT_HYPERCALL_PAGE + (uint64_t)nr * DYAD_HYPERCALL_STUB_SIZE;
	long ret;

	__asm__ volatile("call *%%rax"
			 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
			 : "0"(fn)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}

static inline long rt_console_io(int cmd, uint64_t count, const void *buf)
{
	return rt_hypercall(__HYPERVISOR_console_io, (uint64_t)cmd, count, (uint64_t)buf, 0, 0);
}

static inline long rt_sched_op(int cmd, void *arg)
{
	return rt_hypercall(__HYPERVISOR_sched_op, (uint64_t)cmd, (uint64_t)arg, 0, 0, 0);
}

static inline long rt_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return rt_hypercall(__HYPERVISOR_vcpu_op, (uint64_t)cmd, vcpu, (uint64_t)arg, 0, 0);
}

static inline long rt_memory_op(unsigned int cmd, void *arg)
{
	return rt_hypercall(__HYPERVISOR_memory_op, cmd, (uint64_t)arg, 0, 0, 0);
}

static inline long rt_evtchn_op(int cmd, void *arg)
{
	return rt_hypercall(__HYPERVISOR_event_channel_op, (uint64_t)cmd, (uint64_t)arg, 0, 0, 0);
}

static inline long rt_grant_table_op(unsigned int cmd, void *arg, unsigned int count)
{
	return rt_hypercall(__HYPERVISOR_grant_table_op, cmd, (uint64_t)arg, count, 0, 0);
}

static inline long rt_hvm_op(unsigned int cmd, void *arg)
{
	return rt_hypercall(__HYPERVISOR_hvm_op, cmd, (uint64_t)arg, 0, 0, 0);
}

/* HVMOP_get_param for this domain: 0 and *value, or -errno. */
static inline int rt_hvm_get_param(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
	int rc = (int)rt_hvm_op(HVMOP_get_param, &p);

	if (rc == 0)
		*value = p.value;
	return rc;
}

#endif /* RT_HYPERCALL_H */
