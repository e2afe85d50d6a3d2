/*
 * The seam between Dyad's core and /dev/kvm.
 *
 * kvm.c is the only file that issues KVM ioctls.  Everything above it deals
 * in file descriptors, the shared struct kvm_run and the plain register
 * structures of <linux/kvm.h>, so that the domain, vCPU and hypercall logic
 * can be linked against a fake implementation of this header in the unit
 * tests and fuzz targets (tests/unit/hypervisor/fake_kvm.c) and run without
 * KVM.  Every function returns 0 or -errno unless it says otherwise.
 */
#ifndef DYAD_HV_KVM_H
#define DYAD_HV_KVM_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#define KVM_WUR __attribute__((warn_unused_result))

/* Open /dev/kvm, check the API version and the capabilities Dyad needs. */
int kvm_init(void) KVM_WUR;
void kvm_fini(void);

/* Facts about the host's KVM, valid after kvm_init(). */
int kvm_api_version(void);
const char *kvm_flavour(void);		     /* "kvm-pvm", "kvm_intel", "kvm_amd", "unknown" */
void kvm_caps_string(char *buf, size_t cap); /* present capabilities Dyad relies on */
uint32_t kvm_host_tsc_khz(void);
/* True if KVM maps a private APIC-access page at 0xfee00000 (VT-x; AMD with AVIC). */
int kvm_has_apic_access_page(void);
const struct kvm_cpuid2 *kvm_supported_cpuid(void);

/* A VM: create, give it RAM (before the irqchip), the irqchip, the MSR filter. */
int kvm_vm_create(int *vm_fd) KVM_WUR;
void kvm_vm_close(int vm_fd);
int kvm_vm_set_ram(int vm_fd, void *host, uint64_t size) KVM_WUR;
int kvm_vm_create_irqchip(int vm_fd) KVM_WUR;
/* Writes of `msr` exit to user space (KVM_EXIT_X86_WRMSR, reason FILTER). */
int kvm_vm_trap_msr_writes(int vm_fd, uint32_t msr) KVM_WUR;

/* Another memslot (before the irqchip): the grant-map windows; readonly = KVM_MEM_READONLY. */
int kvm_vm_set_region(int vm_fd, uint32_t slot, uint64_t gpa, void *host, uint64_t size,
		      int readonly) KVM_WUR;
/* True if the host supports KVM_MEM_READONLY. */
int kvm_has_readonly_mem(void);
/*
 * The upcall MSIs: one route per vCPU, GSI = KVM_UPCALL_GSI_BASE + vcpu, to
 * x2APIC id vcpu with the vCPU's vector (0 = no route).  Replaces the whole
 * routing table (KVM_SET_GSI_ROUTING).
 */
#define KVM_UPCALL_GSI_BASE 32u
int kvm_vm_set_upcall_routes(int vm_fd, const uint8_t *vectors, uint32_t nr_vcpus) KVM_WUR;
/* KVM_SIGNAL_MSI: the upcall MSI to x2APIC id vcpu, injected from the calling thread. */
int kvm_vm_signal_msi(int vm_fd, uint32_t vcpu, uint8_t vector) KVM_WUR;
/* KVM_IRQFD: attach (assign) or detach eventfd efd to gsi. */
int kvm_vm_irqfd(int vm_fd, int efd, uint32_t gsi, int assign) KVM_WUR;
/* KVM_IOEVENTFD: 4-byte PIO writes of `match` to `port` signal efd, in the kernel. */
int kvm_vm_ioeventfd(int vm_fd, int efd, uint16_t port, uint32_t match, int assign) KVM_WUR;

/* A vCPU: its fd and its mapped kvm_run. */
int kvm_vcpu_create(int vm_fd, uint32_t id, int *fd, struct kvm_run **run) KVM_WUR;
void kvm_vcpu_close(int fd, struct kvm_run *run);
/* One KVM_RUN; -EINTR when kicked (immediate_exit or a signal). */
int kvm_vcpu_run(int fd) KVM_WUR;
int kvm_vcpu_tsc_khz(int fd, uint32_t *khz) KVM_WUR;
int kvm_vcpu_set_cpuid(int fd, const struct kvm_cpuid2 *cpuid) KVM_WUR;
int kvm_vcpu_get_sregs(int fd, struct kvm_sregs *sregs) KVM_WUR;
int kvm_vcpu_set_sregs(int fd, const struct kvm_sregs *sregs) KVM_WUR;
int kvm_vcpu_set_regs(int fd, const struct kvm_regs *regs) KVM_WUR;
int kvm_vcpu_set_mp_state(int fd, uint32_t state) KVM_WUR;
int kvm_vcpu_get_msr(int fd, uint32_t index, uint64_t *value) KVM_WUR;
int kvm_vcpu_set_msr(int fd, uint32_t index, uint64_t value) KVM_WUR;
/* The size of the kvm_run mapping (bounds for io.data_offset). */
size_t kvm_run_size(void);

#endif /* DYAD_HV_KVM_H */
