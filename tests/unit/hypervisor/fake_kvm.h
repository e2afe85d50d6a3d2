/*
 * A fake of hypervisor/kvm.h for unit tests and fuzz targets: VMs and vCPUs
 * are /dev/null descriptors with a calloc'd kvm_run, KVM_RUN waits until
 * kicked, and MSR and register writes are recorded per vCPU fd so tests can
 * check what the core asked of KVM.  Not thread-safe beyond what the tests
 * need (one vCPU thread per fd, tests read after the fact).
 */
#ifndef DYAD_TEST_FAKE_KVM_H
#define DYAD_TEST_FAKE_KVM_H

#include <stdint.h>

#define FAKE_KVM_TSC_KHZ 1000000u /* 1 GHz: 1 tick = 1 ns */

struct fake_kvm_vcpu {
	uint64_t tsc;	   /* returned for MSR_IA32_TSC */
	uint64_t deadline; /* last MSR_IA32_TSC_DEADLINE written */
	unsigned int deadline_writes;
	uint32_t mp_state;
	int sregs_set, regs_set;
	uint32_t id; /* the vCPU id: leaves KVM_RUN (id + 1) ms after a kick */
};

/* The recorded state of the vCPU with this fd (fds below 1024). */
struct fake_kvm_vcpu *fake_kvm_vcpu(int fd);

/* Live irqfds / ioeventfds (assign +1, deassign -1) and memslots added beyond RAM. */
extern int fake_kvm_irqfds, fake_kvm_ioeventfds, fake_kvm_regions;
/* KVM_SIGNAL_MSI calls (the core's own upcalls once a vector is set). */
extern int fake_kvm_msis;
/* kvm_has_apic_access_page() answers this (0: like kvm-pvm). */
extern int fake_kvm_apic_access_page;
/* Non-zero: KVM_SET_CPUID2 fails (-EINVAL), after KVM_CREATE_VCPU succeeded. */
extern int fake_kvm_fail_set_cpuid;
/* vCPU fds open; threads inside kvm_vcpu_run; vCPU closes while one was inside. */
extern int fake_kvm_live_vcpus, fake_kvm_in_run, fake_kvm_close_in_run;

#endif /* DYAD_TEST_FAKE_KVM_H */
