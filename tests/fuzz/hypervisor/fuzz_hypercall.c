/*
 * Fuzz target: arbitrary bytes as guest page tables, argument memory and
 * hypercall registers, through hypercall_dispatch() and guest_ptr, on a
 * real domain structure with the fake KVM.
 *
 * Input format: a 64-byte header (little-endian u64s: nr, arg0..arg4,
 * cr3, cpl) followed by up to FUZZ_RAM_BYTES bytes copied to guest-physical
 * 0 of a 4 MiB domain, where the page tables and argument structs live.
 * The rest of RAM is zero.  The domain is rebuilt for every input.
 *
 * Every domain has shared_info from creation (at DYAD_BOOT_SHARED_INFO,
 * inside the input's RAM bytes, so the input controls its contents).
 * With FUZZ_F_PREPARE in the cpl word the domain first gets grant frame 0
 * (at FUZZ_GNT_GPFN), so event-channel and
 * grant ops get past their set-up checks, and the peer (a second domain,
 * domid 1, the first one this process creates, kept across inputs) offers
 * port 1 to it and takes its grant entries from the input's RAM bytes at
 * FUZZ_PEER_GRANTS (a domid of 0xffff there means "the fuzzed domain").
 * Seeds: make_hc_seeds.py.
 */
#include <stdint.h>
#include <string.h>

#include "domain.h"
#include "evtchn.h"
#include "gnttab.h"
#include "hypercall.h"
#include "log.h"
#include "notify.h"
#include "vcpu.h"

#define FUZZ_HDR	 64u
#define FUZZ_RAM_BYTES	 (256u * 1024u)
#define FUZZ_F_PREPARE	 (1ull << 16)
#define FUZZ_GNT_GPFN	 0x3f1u
#define FUZZ_PEER_GRANTS 0x30000u
#define FUZZ_PEER_PAGE	 0x200000u /* what the peer grants usually point at */

static struct domain *fuzz_peer;

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

static struct domain *fuzz_domain(const char *name, uint32_t flags)
{
	struct dyad_ctl_create req = {.mem_mb = 4, .vcpus = 2, .flags = flags};
	struct domain *d = NULL;

	strncpy(req.name, name, sizeof(req.name) - 1);
	return domain_create(&req, &d) ? NULL : d;
}

static void fuzz_make_peer(void)
{
	if (fuzz_peer)
		return;
	fuzz_peer = fuzz_domain("peer", 0);
	if (!fuzz_peer || gnttab_set_frame(fuzz_peer, 0, FUZZ_GNT_GPFN * 4096ull))
		__builtin_trap();
	memset(fuzz_peer->mem.host + FUZZ_PEER_PAGE, 0x5a, 4096);
}

/* A grant frame for d; the peer offers port 1 and its grants to d. */
static void fuzz_prepare(struct domain *d)
{
	grant_entry_v1_t *e =
		(grant_entry_v1_t *)(void *)(fuzz_peer->mem.host + FUZZ_GNT_GPFN * 4096ull);
	uint32_t port;

	if (gnttab_set_frame(d, 0, FUZZ_GNT_GPFN * 4096ull))
		__builtin_trap();
	memcpy(e, d->mem.host + FUZZ_PEER_GRANTS, 4096);
	for (uint32_t i = 0; i < 4096 / sizeof(*e); i++)
		if (e[i].domid == 0xffff)
			e[i].domid = (domid_t)d->id;
	(void)evtchn_close(fuzz_peer, 1);
	if (evtchn_alloc_unbound(fuzz_peer, d->id, &port))
		__builtin_trap();
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
	fuzz_make_peer();
	d = fuzz_domain("fuzz", (uint32_t)(h[7] >> 8) & DYAD_CREATE_F_RING3);
	if (!d)
		return 0;
	memcpy(d->mem.host, data + FUZZ_HDR,
	       size - FUZZ_HDR < FUZZ_RAM_BYTES ? size - FUZZ_HDR : FUZZ_RAM_BYTES);
	if (h[7] & FUZZ_F_PREPARE)
		fuzz_prepare(d);
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
