/*
 * /dev/kvm: the only file in Dyad that issues KVM ioctls (see kvm.h).
 *
 * kvm_init() opens the system fd once, refuses a KVM without what Dyad
 * relies on (in-kernel irqchip, user-space MSR exits with a filter, synced
 * registers, the TSC-deadline timer), and caches the supported CPUID and
 * the host TSC frequency (read from a scratch vCPU, as KVM_GET_TSC_KHZ is a
 * vCPU ioctl on older kernels).  The rest are thin wrappers that turn
 * ioctl results into 0/-errno.
 */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define KVM_CPUID_MAX_ENTRIES 256
#define KVM_ROUTES_MAX	      16 /* DYAD_MAX_VCPUS */

struct kvm_cap_desc {
	int cap;
	const char *name;
	int required;
};

/* The capabilities Dyad uses, reported by physinfo; `required` ones gate start-up. */
static const struct kvm_cap_desc kvm_caps[] = {
	{KVM_CAP_IRQCHIP, "irqchip", 1},
	{KVM_CAP_X86_USER_SPACE_MSR, "user-space-msr", 1},
	{KVM_CAP_X86_MSR_FILTER, "msr-filter", 1},
	{KVM_CAP_SYNC_REGS, "sync-regs", 1},
	{KVM_CAP_IMMEDIATE_EXIT, "immediate-exit", 1},
	{KVM_CAP_TSC_DEADLINE_TIMER, "tsc-deadline", 0},
	{KVM_CAP_GET_TSC_KHZ, "get-tsc-khz", 1},
	{KVM_CAP_IOEVENTFD, "ioeventfd", 0},
	{KVM_CAP_IRQFD, "irqfd", 0},
	{KVM_CAP_SIGNAL_MSI, "signal-msi", 0},
	{KVM_CAP_USER_MEMORY, "user-memory", 1},
	{KVM_CAP_READONLY_MEM, "readonly-mem", 0},
	{KVM_CAP_MP_STATE, "mp-state", 1},
};

static struct {
	int fd;
	int api_version;
	size_t run_size;
	uint32_t tsc_khz;
	struct kvm_cpuid2 *cpuid;
	const char *flavour;
} kvm = {.fd = -1};

static int kvm_ioctl(int fd, unsigned long req, const void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

static const char *kvm_detect_flavour(void)
{
	struct stat st;

	if (stat("/sys/module/kvm_pvm", &st) == 0)
		return "kvm-pvm";
	if (stat("/sys/module/kvm_intel", &st) == 0)
		return "kvm_intel";
	if (stat("/sys/module/kvm_amd", &st) == 0)
		return "kvm_amd";
	return "unknown";
}

static int kvm_check_caps(void)
{
	for (size_t i = 0; i < sizeof(kvm_caps) / sizeof(kvm_caps[0]); i++) {
		if (kvm_caps[i].required &&
		    kvm_ioctl(kvm.fd, KVM_CHECK_EXTENSION, (void *)(long)kvm_caps[i].cap) <= 0) {
			log_err("KVM lacks capability %s, which Dyad needs", kvm_caps[i].name);
			return -ENOTSUP;
		}
	}
	return 0;
}

static int kvm_load_cpuid(void)
{
	size_t sz =
		sizeof(struct kvm_cpuid2) + KVM_CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);
	int rc;

	kvm.cpuid = calloc(1, sz);
	if (!kvm.cpuid)
		return -ENOMEM;
	kvm.cpuid->nent = KVM_CPUID_MAX_ENTRIES;
	rc = kvm_ioctl(kvm.fd, KVM_GET_SUPPORTED_CPUID, kvm.cpuid);
	return rc < 0 ? rc : 0;
}

/* KVM_GET_TSC_KHZ is a vCPU ioctl on older kernels: ask a scratch vCPU. */
static int kvm_probe_tsc(void)
{
	struct kvm_run *run;
	int vm, vcpu, rc;

	rc = kvm_vm_create(&vm);
	if (rc)
		return rc;
	rc = kvm_vcpu_create(vm, 0, &vcpu, &run);
	if (rc == 0) {
		rc = kvm_vcpu_tsc_khz(vcpu, &kvm.tsc_khz);
		kvm_vcpu_close(vcpu, run);
	}
	kvm_vm_close(vm);
	return rc;
}

int kvm_init(void)
{
	int rc;

	kvm.fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm.fd < 0) {
		rc = -errno;
		log_err("cannot open /dev/kvm: %s", strerror(-rc));
		return rc;
	}
	kvm.api_version = kvm_ioctl(kvm.fd, KVM_GET_API_VERSION, NULL);
	if (kvm.api_version != KVM_API_VERSION) {
		log_err("KVM API version %d, Dyad needs %d", kvm.api_version, KVM_API_VERSION);
		return -ENOTSUP;
	}
	rc = kvm_ioctl(kvm.fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (rc < (int)sizeof(struct kvm_run))
		return rc < 0 ? rc : -EINVAL;
	kvm.run_size = (size_t)rc;
	kvm.flavour = kvm_detect_flavour();
	rc = kvm_check_caps();
	if (!rc)
		rc = kvm_load_cpuid();
	if (!rc)
		rc = kvm_probe_tsc();
	if (!rc)
		log_info("KVM %s, API %d, TSC %u kHz", kvm.flavour, kvm.api_version, kvm.tsc_khz);
	return rc;
}

void kvm_fini(void)
{
	free(kvm.cpuid);
	kvm.cpuid = NULL;
	if (kvm.fd >= 0)
		close(kvm.fd);
	kvm.fd = -1;
}

int kvm_api_version(void)
{
	return kvm.api_version;
}

const char *kvm_flavour(void)
{
	return kvm.flavour ? kvm.flavour : "unknown";
}

void kvm_caps_string(char *buf, size_t cap)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(kvm_caps) / sizeof(kvm_caps[0]); i++) {
		int n;

		if (kvm_ioctl(kvm.fd, KVM_CHECK_EXTENSION, (void *)(long)kvm_caps[i].cap) <= 0)
			continue;
		n = snprintf(buf + off, cap - off, "%s%s", off ? " " : "", kvm_caps[i].name);
		if (n < 0 || (size_t)n >= cap - off)
			break;
		off += (size_t)n;
	}
}

/* A boolean module parameter ("Y"/"1"), false if it cannot be read. */
static int kvm_module_param_on(const char *path)
{
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == 'Y' || c == 'y' || c == '1';
}

/*
 * VMX allocates the APIC-access page whenever it virtualizes APIC accesses
 * (flexpriority or APICv, on by default); SVM only with AVIC (kvm_amd avic=1).
 */
int kvm_has_apic_access_page(void)
{
	const char *f = kvm_flavour();

	if (strcmp(f, "kvm_intel") == 0)
		return 1;
	if (strcmp(f, "kvm_amd") == 0)
		return kvm_module_param_on("/sys/module/kvm_amd/parameters/avic");
	return 0;
}

uint32_t kvm_host_tsc_khz(void)
{
	return kvm.tsc_khz;
}

const struct kvm_cpuid2 *kvm_supported_cpuid(void)
{
	return kvm.cpuid;
}

size_t kvm_run_size(void)
{
	return kvm.run_size;
}

int kvm_vm_create(int *vm_fd)
{
	int fd = kvm_ioctl(kvm.fd, KVM_CREATE_VM, NULL);

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
	struct kvm_userspace_memory_region r = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};
	int rc = kvm_ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r);

	return rc < 0 ? rc : 0;
}

int kvm_vm_create_irqchip(int vm_fd)
{
	int rc = kvm_ioctl(vm_fd, KVM_CREATE_IRQCHIP, NULL);

	return rc < 0 ? rc : 0;
}

int kvm_vm_trap_msr_writes(int vm_fd, uint32_t msr)
{
	static uint8_t deny; /* bit clear: the access is filtered */
	struct kvm_enable_cap cap = {.cap = KVM_CAP_X86_USER_SPACE_MSR,
				     .args = {KVM_MSR_EXIT_REASON_FILTER}};
	struct kvm_msr_filter f = {.flags = KVM_MSR_FILTER_DEFAULT_ALLOW};
	int rc;

	f.ranges[0] = (struct kvm_msr_filter_range){
		.flags = KVM_MSR_FILTER_WRITE, .nmsrs = 1, .base = msr, .bitmap = &deny};
	rc = kvm_ioctl(vm_fd, KVM_ENABLE_CAP, &cap);
	if (rc >= 0)
		rc = kvm_ioctl(vm_fd, KVM_X86_SET_MSR_FILTER, &f);
	return rc < 0 ? rc : 0;
}

int kvm_vcpu_create(int vm_fd, uint32_t id, int *fd, struct kvm_run **run)
{
	void *p;
	int vfd = kvm_ioctl(vm_fd, KVM_CREATE_VCPU, (void *)(unsigned long)id);

	if (vfd < 0)
		return vfd;
	p = mmap(NULL, kvm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vfd, 0);
	if (p == MAP_FAILED) {
		int rc = -errno;

		close(vfd);
		return rc;
	}
	*fd = vfd;
	*run = p;
	return 0;
}

void kvm_vcpu_close(int fd, struct kvm_run *run)
{
	if (run)
		munmap(run, kvm.run_size);
	if (fd >= 0)
		close(fd);
}

int kvm_vcpu_run(int fd)
{
	int rc = kvm_ioctl(fd, KVM_RUN, NULL);

	return rc < 0 ? rc : 0;
}

int kvm_vcpu_tsc_khz(int fd, uint32_t *khz)
{
	int rc = kvm_ioctl(fd, KVM_GET_TSC_KHZ, NULL);

	if (rc <= 0)
		return rc < 0 ? rc : -EINVAL;
	*khz = (uint32_t)rc;
	return 0;
}

int kvm_vcpu_set_cpuid(int fd, const struct kvm_cpuid2 *cpuid)
{
	int rc = kvm_ioctl(fd, KVM_SET_CPUID2, cpuid);

	return rc < 0 ? rc : 0;
}

int kvm_vcpu_get_sregs(int fd, struct kvm_sregs *sregs)
{
	int rc = kvm_ioctl(fd, KVM_GET_SREGS, sregs);

	return rc < 0 ? rc : 0;
}

int kvm_vcpu_set_sregs(int fd, const struct kvm_sregs *sregs)
{
	int rc = kvm_ioctl(fd, KVM_SET_SREGS, sregs);

	return rc < 0 ? rc : 0;
}

int kvm_vcpu_set_regs(int fd, const struct kvm_regs *regs)
{
	int rc = kvm_ioctl(fd, KVM_SET_REGS, regs);

	return rc < 0 ? rc : 0;
}

int kvm_vcpu_set_mp_state(int fd, uint32_t state)
{
	struct kvm_mp_state mp = {.mp_state = state};
	int rc = kvm_ioctl(fd, KVM_SET_MP_STATE, &mp);

	return rc < 0 ? rc : 0;
}

/* struct kvm_msrs with room for one entry. */
union kvm_one_msr {
	struct kvm_msrs hdr;
	uint8_t bytes[sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)];
};

static int kvm_vcpu_msr(int fd, unsigned long req, uint32_t index, uint64_t *value)
{
	union kvm_one_msr m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.hdr.entries[0].index = index;
	m.hdr.entries[0].data = *value;
	rc = kvm_ioctl(fd, req, &m);
	if (rc != 1)
		return rc < 0 ? rc : -EINVAL;
	*value = m.hdr.entries[0].data;
	return 0;
}

int kvm_vcpu_get_msr(int fd, uint32_t index, uint64_t *value)
{
	*value = 0;
	return kvm_vcpu_msr(fd, KVM_GET_MSRS, index, value);
}

int kvm_vcpu_set_msr(int fd, uint32_t index, uint64_t value)
{
	return kvm_vcpu_msr(fd, KVM_SET_MSRS, index, &value);
}

int kvm_vm_set_region(int vm_fd, uint32_t slot, uint64_t gpa, void *host, uint64_t size,
		      int readonly)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = readonly ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};
	int rc = kvm_ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r);

	return rc < 0 ? rc : 0;
}

int kvm_has_readonly_mem(void)
{
	return kvm_ioctl(kvm.fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_READONLY_MEM) > 0;
}

/* struct kvm_irq_routing with room for one entry per vCPU. */
union kvm_routes {
	struct kvm_irq_routing hdr;
	uint8_t bytes[sizeof(struct kvm_irq_routing) +
		      KVM_ROUTES_MAX * sizeof(struct kvm_irq_routing_entry)];
};

int kvm_vm_set_upcall_routes(int vm_fd, const uint8_t *vectors, uint32_t nr_vcpus)
{
	union kvm_routes rt;
	uint32_t n = 0;
	int rc;

	memset(&rt, 0, sizeof(rt));
	for (uint32_t i = 0; i < nr_vcpus && i < KVM_ROUTES_MAX; i++) {
		struct kvm_irq_routing_entry *e = &rt.hdr.entries[n];

		if (!vectors[i])
			continue;
		e->gsi = KVM_UPCALL_GSI_BASE + i;
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = 0xfee00000u | (i & 0xffu) << 12; /* x2APIC id i, physical */
		e->u.msi.data = vectors[i];			       /* fixed, edge */
		n++;
	}
	rt.hdr.nr = n;
	rc = kvm_ioctl(vm_fd, KVM_SET_GSI_ROUTING, &rt);
	return rc < 0 ? rc : 0;
}

int kvm_vm_signal_msi(int vm_fd, uint32_t vcpu, uint8_t vector)
{
	struct kvm_msi msi = {.address_lo = 0xfee00000u | (vcpu & 0xffu) << 12, .data = vector};
	int rc = kvm_ioctl(vm_fd, KVM_SIGNAL_MSI, &msi);

	return rc < 0 ? rc : 0;
}

int kvm_vm_irqfd(int vm_fd, int efd, uint32_t gsi, int assign)
{
	struct kvm_irqfd f = {
		.fd = (uint32_t)efd, .gsi = gsi, .flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN};
	int rc = kvm_ioctl(vm_fd, KVM_IRQFD, &f);

	return rc < 0 ? rc : 0;
}

int kvm_vm_ioeventfd(int vm_fd, int efd, uint16_t port, uint32_t match, int assign)
{
	struct kvm_ioeventfd io = {
		.datamatch = match,
		.addr = port,
		.len = 4,
		.fd = efd,
		.flags = KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};
	int rc = kvm_ioctl(vm_fd, KVM_IOEVENTFD, &io);

	return rc < 0 ? rc : 0;
}
