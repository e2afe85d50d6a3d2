/*
 * Secondary vCPU bring-up, Xen PVH style (VCPUOP_initialise + VCPUOP_up)
 * but entering 64-bit mode directly: INIT/SIPI would start the AP in real
 * mode, which hosts without VT-x emulate badly.  The AP enters
 * nucleus_ap_entry in ring 0 with rdi = id, rsi = ring-3 entry, rdx =
 * ring-3 stack; the nucleus loads the GDT/IDT/TSS and irets to
 * rt_ap_start, which lands in rt_ap_main.
 */
#include "vcpu.h"

#include "cmdline.h"
#include "events.h"
#include "hypercall.h"
#include "sched.h"
#include "string.h"
#include <guest/nucleus_report.h>

extern char rt_stacks[];
void nucleus_ap_entry(void);

struct rt_vcpu_slot {
	rt_vcpu_fn *fn;
	void *arg;
};

static struct rt_vcpu_slot rt_vcpu_slots[RT_MAX_VCPUS];
static unsigned int rt_vcpus = 1;

void rt_vcpu_init(uint64_t start_info)
{
	const struct dyad_boot_ext *ext =
		(const struct dyad_boot_ext *)(start_info + (DYAD_BOOT_EXT - DYAD_BOOT_START_INFO));
	uint64_t limit = rt_cmdline_u64("vcpus", RT_MAX_VCPUS);

	if (ext->magic == DYAD_BOOT_EXT_MAGIC && ext->vcpus >= 1 && ext->vcpus <= RT_MAX_VCPUS)
		rt_vcpus = ext->vcpus;
	if (limit >= 1 && limit < rt_vcpus)
		rt_vcpus = (unsigned int)limit;
}

unsigned int rt_vcpu_count(void)
{
	return rt_vcpus;
}

unsigned int rt_vcpu_self(void)
{
	uint64_t sp = (uint64_t)__builtin_frame_address(0);
	uint64_t idx = (sp - (uint64_t)rt_stacks) / RT_STACK_SIZE;

	return idx < RT_MAX_VCPUS ? (unsigned int)idx : 0;
}

static void rt_vcpu_context(struct vcpu_hvm_context *ctx, unsigned int id)
{
	struct vcpu_hvm_x86_64 *x = &ctx->cpu_regs.x86_64;

	memset(ctx, 0, sizeof(*ctx));
	ctx->mode = VCPU_HVM_MODE_64B;
	x->rip = (uint64_t)nucleus_ap_entry;
	x->rsp = DYAD_BOOT_RSP0(id);
	x->rdi = id;
	x->rsi = (uint64_t)rt_ap_start;
	x->rdx = (uint64_t)rt_stacks + (uint64_t)(id + 1) * RT_STACK_SIZE;
	x->rflags = 0x2;
	x->cr0 = DYAD_BOOT_CR0;
	x->cr3 = DYAD_BOOT_PML4;
	x->cr4 = DYAD_BOOT_CR4;
	x->efer = DYAD_BOOT_EFER;
}

int rt_vcpu_start(unsigned int id, rt_vcpu_fn *fn, void *arg)
{
	struct vcpu_hvm_context ctx;
	long rc;

	if (id == 0 || id >= rt_vcpus)
		return -22; /* EINVAL */
	rt_vcpu_slots[id].fn = fn;
	rt_vcpu_slots[id].arg = arg;
	rt_vcpu_context(&ctx, id);
	rc = rt_vcpu_op(VCPUOP_initialise, id, &ctx);
	if (rc == 0)
		rc = rt_vcpu_op(VCPUOP_up, id, 0);
	return (int)rc;
}

void rt_vcpu_park(void)
{
	for (;;)
		rt_sleep_ns(1000000000ull);
}

void rt_ap_main(uint64_t start_info, uint64_t vcpu)
{
	struct rt_vcpu_slot *slot = &rt_vcpu_slots[vcpu % RT_MAX_VCPUS];

	(void)start_info;
	(void)rt_events_vcpu_init((unsigned int)vcpu); /* fails quietly without events */
	if (slot->fn)
		slot->fn((unsigned int)vcpu, slot->arg);
	rt_vcpu_park();
}
