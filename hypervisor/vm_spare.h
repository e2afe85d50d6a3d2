/*
 * A spare VM, made ahead of the next CREATE by a background thread.
 *
 * Setting a VM's MSR filter (KVM_X86_SET_MSR_FILTER) waits for an SRCU
 * grace period: ~12 ms of the ~18 ms a CREATE took on the kvm-pvm test host,
 * and it does not depend on the domain.  The spare is a VM with user-space
 * MSR exits enabled and the hypercall-page MSR filtered, nothing else: RAM,
 * the grant-map window and the irqchip are added by domain_build_vm, in that
 * order.  Without vm_spare_init() (the unit tests) vm_spare_take() builds
 * one on the spot.
 */
#ifndef DYAD_HV_VM_SPARE_H
#define DYAD_HV_VM_SPARE_H

/* Start the thread that keeps one spare ready; 0 or -errno. */
int vm_spare_init(void) __attribute__((warn_unused_result));
/* A VM for a new domain: the spare if one is ready, else one made now. */
int vm_spare_take(int *vm_fd) __attribute__((warn_unused_result));
/* Stop the thread and close the spare. */
void vm_spare_fini(void);

#endif /* DYAD_HV_VM_SPARE_H */
