/*
 * vCPUs from the runtime's side: per-vCPU ring-3 stacks, "which vCPU am
 * I", and bringing secondary vCPUs up with VCPUOP_initialise (a 64-bit
 * vcpu_hvm_context entering the nucleus's AP entry) and VCPUOP_up.
 *
 * The vCPU count comes from the builder's dyad_boot_ext (boot.h); a
 * `vcpus=N` on the command line can only lower it.
 */
#ifndef RT_VCPU_H
#define RT_VCPU_H

#define RT_STACK_SIZE 0x4000 /* ring-3 stack per vCPU */
#define RT_MAX_VCPUS  16     /* DYAD_MAX_VCPUS */

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef void rt_vcpu_fn(unsigned int vcpu, void *arg);

void rt_vcpu_init(uint64_t start_info);
/* vCPUs this domain has (1..RT_MAX_VCPUS). */
unsigned int rt_vcpu_count(void);
/* The calling vCPU's id, from the ring-3 stack it runs on. */
unsigned int rt_vcpu_self(void);
/* Start vCPU id (1..count-1) in ring 3 running fn(id, arg); it parks when fn returns. */
int rt_vcpu_start(unsigned int id, rt_vcpu_fn *fn, void *arg) __attribute__((warn_unused_result));
/* Sleep forever, costing no host CPU. */
void rt_vcpu_park(void) __attribute__((noreturn));

void rt_ap_main(uint64_t start_info, uint64_t vcpu) __attribute__((noreturn));
#endif

#endif /* RT_VCPU_H */
