/*
 * The fake KVM (see fake_kvm.h).
 */
#include "fake_kvm.h"
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FAKE_RUN_SIZE 8192u
#define FAKE_MAX_FD   1024

static struct fake_kvm_vcpu fake_vcpus[FAKE_MAX_FD];
static struct kvm_run *fake_runs[FAKE_MAX_FD];
static struct kvm_cpuid2 fake_cpuid = {.nent = 0};

struct fake_kvm_vcpu *fake_kvm_vcpu(int fd)
{
	return fd >= 0 && fd < FAKE_MAX_FD ? &fake_vcpus[fd] : NULL;
}

static int fake_fd(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fd >= FAKE_MAX_FD) {
		close(fd);
		return -EMFILE;
	}
	memset(&fake_vcpus[fd], 0, sizeof(fake_vcpus[fd]));
	return fd;
}

int kvm_init(void)
{
	return 0;
}

void kvm_fini(void)
{
}

int kvm_api_version(void)
{
	return KVM_API_VERSION;
}

const char *kvm_flavour(void)
{
	return "fake";
}

void kvm_caps_string(char *buf, size_t cap)
{
	snprintf(buf, cap, "fake");
}

int fake_kvm_apic_access_page;

int kvm_has_apic_access_page(void)
{
	return fake_kvm_apic_access_page;
}

uint32_t kvm_host_tsc_khz(void)
{
	return FAKE_KVM_TSC_KHZ;
}

const struct kvm_cpuid2 *kvm_supported_cpuid(void)
{
	return &fake_cpuid;
}

size_t kvm_run_size(void)
{
	return FAKE_RUN_SIZE;
}

int kvm_vm_create(int *vm_fd)
{
	int fd = fake_fd();

	if (fd < 0)
		return fd;
	*vm_fd = fd;
	return 0;
}

void kvm_vm_close(int vm_fd)
{
	if (vm_fd >= 0)
		close(vm_fd);
}

int kvm_vm_set_ram(int vm_fd, void *host, uint64_t size)
{
	return host && size ? 0 : -EINVAL;
}

int kvm_vm_create_irqchip(int vm_fd)
{
	return 0;
}

int kvm_vm_trap_msr_writes(int vm_fd, uint32_t msr)
{
	return 0;
}

int kvm_vcpu_create(int vm_fd, uint32_t id, int *fd, struct kvm_run **run)
{
	int vfd = fake_fd();

	if (vfd < 0)
		return vfd;
	*run = calloc(1, FAKE_RUN_SIZE);
	if (!*run) {
		close(vfd);
		return -ENOMEM;
	}
	fake_runs[vfd] = *run;
	fake_vcpus[vfd].id = id;
	*fd = vfd;
	__atomic_add_fetch(&fake_kvm_live_vcpus, 1, __ATOMIC_SEQ_CST);
	return 0;
}

void kvm_vcpu_close(int fd, struct kvm_run *run)
{
	if (__atomic_load_n(&fake_kvm_in_run, __ATOMIC_SEQ_CST))
		__atomic_add_fetch(&fake_kvm_close_in_run, 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&fake_kvm_live_vcpus, 1, __ATOMIC_SEQ_CST);
	if (fd >= 0 && fd < FAKE_MAX_FD)
		fake_runs[fd] = NULL;
	free(run);
	if (fd >= 0)
		close(fd);
}

/* Wait (1 ms steps) until kicked, like a guest that never exits. */
int kvm_vcpu_run(int fd)
{
	struct kvm_run *run = fake_runs[fd];
	struct timespec ts = {0, 1000000};

	__atomic_add_fetch(&fake_kvm_in_run, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&run->immediate_exit, __ATOMIC_SEQ_CST))
		nanosleep(&ts, NULL);
	/* A real exit takes a while too, and siblings leave at different times. */
	ts.tv_nsec *= 1 + fake_vcpus[fd].id;
	nanosleep(&ts, NULL);
	__atomic_sub_fetch(&fake_kvm_in_run, 1, __ATOMIC_SEQ_CST);
	return -EINTR;
}

int kvm_vcpu_tsc_khz(int fd, uint32_t *khz)
{
	*khz = FAKE_KVM_TSC_KHZ;
	return 0;
}

int fake_kvm_fail_set_cpuid, fake_kvm_live_vcpus, fake_kvm_in_run, fake_kvm_close_in_run;

int kvm_vcpu_set_cpuid(int fd, const struct kvm_cpuid2 *cpuid)
{
	return fake_kvm_fail_set_cpuid ? -EINVAL : 0;
}

int kvm_vcpu_get_sregs(int fd, struct kvm_sregs *sregs)
{
	memset(sregs, 0, sizeof(*sregs));
	return 0;
}

int kvm_vcpu_set_sregs(int fd, const struct kvm_sregs *sregs)
{
	fake_vcpus[fd].sregs_set++;
	return 0;
}

int kvm_vcpu_set_regs(int fd, const struct kvm_regs *regs)
{
	fake_vcpus[fd].regs_set++;
	return 0;
}

int kvm_vcpu_set_mp_state(int fd, uint32_t state)
{
	fake_vcpus[fd].mp_state = state;
	return 0;
}

int kvm_vcpu_get_msr(int fd, uint32_t index, uint64_t *value)
{
	if (index == 0x10)
		*value = fake_vcpus[fd].tsc;
	else if (index == 0x6e0)
		*value = fake_vcpus[fd].deadline;
	else
		return -EINVAL;
	return 0;
}

int kvm_vcpu_set_msr(int fd, uint32_t index, uint64_t value)
{
	if (index != 0x6e0)
		return -EINVAL;
	fake_vcpus[fd].deadline = value;
	fake_vcpus[fd].deadline_writes++;
	return 0;
}

int fake_kvm_irqfds, fake_kvm_ioeventfds, fake_kvm_regions;

int kvm_vm_set_region(int vm_fd, uint32_t slot, uint64_t gpa, void *host, uint64_t size,
		      int readonly)
{
	fake_kvm_regions++;
	return 0;
}

int kvm_has_readonly_mem(void)
{
	return 1;
}

int kvm_vm_set_upcall_routes(int vm_fd, const uint8_t *vectors, uint32_t nr_vcpus)
{
	return 0;
}

int fake_kvm_msis;

int kvm_vm_signal_msi(int vm_fd, uint32_t vcpu, uint8_t vector)
{
	fake_kvm_msis++;
	return 0;
}

int kvm_vm_irqfd(int vm_fd, int efd, uint32_t gsi, int assign)
{
	fake_kvm_irqfds += assign ? 1 : -1;
	return 0;
}

int kvm_vm_ioeventfd(int vm_fd, int efd, uint16_t port, uint32_t match, int assign)
{
	fake_kvm_ioeventfds += assign ? 1 : -1;
	return 0;
}
