/*
 * Fuzz target: arbitrary bytes as guest page tables, argument memory and
 * hypercall registers, through hypercall_dispatch() and guest_ptr, on a
 * real domain structure with the fake KVM.
 *
 * Input format: a 64-byte header (little-endian u64s: nr, arg0..arg4,
 * cr3, cpl) followed by up to FUZZ_RAM_BYTES bytes copied to guest-physical
 * 0 of a 4 MiB domain, where the page tables and argument structs live.
 * The rest of RAM is zero.  The domain is rebuilt for every input.
 */
#include <stdint.h>
#include <string.h>

#include "domain.h"
#include "hypercall.h"
#include "log.h"
#include "notify.h"
#include "vcpu.h"

#define FUZZ_HDR       64u
#define FUZZ_RAM_BYTES (256u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_once(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	log_init("fuzz", LOG_LEVEL_ERR);
	if (vcpu_signals_init() || notify_init())
		__builtin_trap();
}

static struct domain *fuzz_domain(uint32_t flags)
{
	struct dyad_ctl_create req = {.name = "fuzz", .mem_mb = 4, .vcpus = 2, .flags = flags};
	struct domain *d = NULL;

	return domain_create(&req, &d) ? NULL : d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dyad_ctl_event ev[8];
	uint64_t h[8] = {0};
	struct domain *d;
	struct hc_ctx c;

	fuzz_once();
	if (size < FUZZ_HDR)
		return 0;
	memcpy(h, data, FUZZ_HDR);
	d = fuzz_domain((uint32_t)(h[7] >> 8) & DYAD_CREATE_F_RING3);
	if (!d)
		return 0;
	memcpy(d->mem.host, data + FUZZ_HDR,
	       size - FUZZ_HDR < FUZZ_RAM_BYTES ? size - FUZZ_HDR : FUZZ_RAM_BYTES);
	c = (struct hc_ctx){.d = d, .v = &d->vcpus[0], .cpl = (unsigned int)(h[7] & 3)};
	c.gv = (struct guest_view){
		.ram = d->mem.host, .ram_size = d->mem.size, .cr3 = h[6], .user = c.cpl == 3};
	memcpy(c.arg, &h[1], sizeof(c.arg));
	(void)hypercall_dispatch(&c, h[0]);
	domain_destroy(d);
	while (notify_drain(ev, 8))
		;
	return 0;
}
