/*
 * The domain builder (libxenguest's xc_dom_* in spirit): turns a validated
 * configuration into a running domain.
 *
 *   1. read and validate the kernel image; connect to the store (nothing exists yet)
 *   2. create the domain in the core (from here on, failure destroys it)
 *   3. map its RAM (the memfd) and load the image, straight from the file
 *      buffer into guest RAM: one copy, and only the file bytes, since the
 *      memfd starts zero-filled
 *   4. write the boot structures (boot_x86.c) and set vCPU 0's registers
 *   5. the store and console event channels (unbound ports of the domain
 *      accepting dom0) and the four HVM params naming them and their pages
 *   6. the domain's nodes in the store (domain_store.c), in one
 *      transaction, then INTRODUCE it so the store serves its ring
 *   7. record the config for dyad-dom0, then unpause (unless asked not to)
 *
 * Failure at any step undoes the earlier ones: the store's nodes are
 * removed and the domain released, the domain destroyed, the record
 * removed.  err names the step that failed.
 */
#include "libdyad.h"
#include "boot_x86.h"
#include "ctl_client.h"
#include "domain_store.h"
#include "elf_image.h"
#include "store_client.h"

#include <dyad/xen.h>
#include <xen/hvm/params.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct builder {
	struct ctl_client *c;
	const struct dyad_domain_config *cfg;
	uint8_t *file;
	size_t file_size;
	struct elf_image img;
	uint32_t domid;
	uint32_t store_port, console_port;
	struct store_client *store; /* connected before the domain is created */
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int builder_fail(struct builder *b, int rc,
							      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int builder_read_kernel(struct builder *b)
{
	char why[256];
	int rc = elf_image_read_file(b->cfg->kernel, &b->file, &b->file_size, why, sizeof(why));

	if (rc == 0)
		rc = elf_image_parse(b->file, b->file_size, b->cfg->memory_mb << 20, &b->img, why,
				     sizeof(why));
	if (rc)
		return builder_fail(b, rc, "%s: %s", b->cfg->kernel, why);
	return 0;
}

static int builder_create(struct builder *b)
{
	struct dyad_ctl_create req = {0};
	int rc;

	memcpy(req.uuid, b->cfg->uuid, sizeof(req.uuid));
	snprintf(req.name, sizeof(req.name), "%s", b->cfg->name);
	req.mem_mb = b->cfg->memory_mb;
	req.vcpus = b->cfg->vcpus;
	req.flags = (b->img.note.flags & DYAD_BOOT_F_RING3_RUNTIME) ? DYAD_CREATE_F_RING3 : 0;
	rc = ctl_create(b->c, &req, &b->domid);
	if (rc)
		b->domid = DYAD_DOMID_INVALID;
	/* The core says EEXIST for a taken name; check it is that before saying so. */
	if (rc == -EEXIST && ctl_lookup(b->c, b->cfg->name, &(uint32_t){0}) == 0)
		return builder_fail(b, rc, "a domain named '%s' already exists", b->cfg->name);
	if (rc)
		return builder_fail(b, rc, "creating the domain: %s", strerror(-rc));
	return 0;
}

/* Map the RAM, load the image and boot structures, set vCPU 0. */
static int builder_fill(struct builder *b)
{
	struct boot_x86_params p = {0};
	struct dyad_vcpu_regs regs = {0};
	uint64_t size = 0;
	char why[256];
	void *ram;
	int fd = -1, rc = ctl_get_memfd(b->c, b->domid, &fd, &size);

	if (rc)
		return builder_fail(b, rc, "getting the domain's memory: %s", strerror(-rc));
	if (size != b->cfg->memory_mb << 20) {
		close(fd);
		return builder_fail(
			b, -EPROTO, "the core gave %llu bytes of RAM, %llu MiB expected",
			(unsigned long long)size, (unsigned long long)b->cfg->memory_mb);
	}
	ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (ram == MAP_FAILED)
		return builder_fail(b, -errno, "mapping the domain's memory: %s", strerror(errno));
	elf_image_load(&b->img, ram);
	p.ram_size = size;
	p.vcpus = b->cfg->vcpus;
	p.note = b->img.note;
	p.image_end = b->img.end;
	p.cmdline = b->cfg->cmdline;
	rc = boot_x86_build(ram, &p, &regs, why, sizeof(why));
	munmap(ram, size);
	if (rc)
		return builder_fail(b, rc, "writing the boot structures: %s", why);
	rc = ctl_set_vcpu_context(b->c, b->domid, 0, &regs);
	if (rc)
		return builder_fail(b, rc, "setting vCPU 0's registers: %s", strerror(-rc));
	return 0;
}

/* The store and console channels and the HVM params the guest reads them from. */
static int builder_channels(struct builder *b)
{
	static const char *const what[] = {"store_pfn", "store_evtchn", "console_pfn",
					   "console_evtchn"};
	const uint32_t idx[] = {HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN, HVM_PARAM_CONSOLE_PFN,
				HVM_PARAM_CONSOLE_EVTCHN};
	uint64_t val[4];
	int rc = ctl_evtchn_alloc_unbound(b->c, b->domid, 0, &b->store_port);

	if (rc)
		return builder_fail(b, rc, "allocating the store event channel: %s", strerror(-rc));
	rc = ctl_evtchn_alloc_unbound(b->c, b->domid, 0, &b->console_port);
	if (rc)
		return builder_fail(b, rc, "allocating the console event channel: %s",
				    strerror(-rc));
	val[0] = DYAD_BOOT_STORE_RING >> 12;
	val[1] = b->store_port;
	val[2] = DYAD_BOOT_CONSOLE_RING >> 12;
	val[3] = b->console_port;
	for (unsigned int i = 0; i < 4; i++) {
		rc = ctl_set_param(b->c, b->domid, idx[i], val[i]);
		if (rc)
			return builder_fail(b, rc, "setting HVM param %s: %s", what[i],
					    strerror(-rc));
	}
	return 0;
}

/* Connect to the store before anything exists: a store that is down costs nothing. */
static int builder_store_open(struct builder *b, unsigned int flags)
{
	char why[256];
	int rc = domain_store_open(&b->store, (flags & DYAD_BUILD_F_WAIT_STORE) ? 5000 : 0, why,
				   sizeof(why));

	if (rc) {
		b->store = NULL;
		return builder_fail(b, rc, "%s", why);
	}
	return 0;
}

/* The domain's nodes in one transaction, then INTRODUCE (xs_introduce_domain). */
static int builder_store(struct builder *b)
{
	struct domain_store_node nodes[DOMAIN_STORE_NODES];
	int rc;

	domain_store_layout(b->cfg, b->domid, b->console_port, nodes);
	rc = domain_store_write_nodes(b->store, nodes, DOMAIN_STORE_NODES);
	if (rc)
		return builder_fail(b, rc, "writing the domain's store nodes: %s", strerror(-rc));
	rc = store_client_introduce(b->store, b->domid, DYAD_BOOT_STORE_RING >> 12, b->store_port);
	if (rc)
		return builder_fail(b, rc, "introducing the domain to the store: %s",
				    strerror(-rc));
	return 0;
}

static int builder_finish(struct builder *b, unsigned int flags)
{
	int rc = dyad_record_save(b->domid, b->cfg);

	if (rc)
		return builder_fail(b, rc, "writing the domain record: %s", strerror(-rc));
	if (flags & DYAD_BUILD_F_PAUSED)
		return 0;
	rc = ctl_unpause(b->c, b->domid);
	if (rc)
		return builder_fail(b, rc, "unpausing the domain: %s", strerror(-rc));
	return 0;
}

int dyad_domain_build(struct ctl_client *c, const struct dyad_domain_config *cfg,
		      unsigned int flags, uint32_t *domid, char *err, size_t errlen)
{
	struct builder b = {
		.c = c, .cfg = cfg, .domid = DYAD_DOMID_INVALID, .err = err, .errlen = errlen};
	int rc = builder_read_kernel(&b);

	if (rc == 0)
		rc = builder_store_open(&b, flags);
	if (rc == 0)
		rc = builder_create(&b);
	if (rc == 0)
		rc = builder_fill(&b);
	if (rc == 0)
		rc = builder_channels(&b);
	if (rc == 0)
		rc = builder_store(&b);
	if (rc == 0)
		rc = builder_finish(&b, flags);
	if (rc && b.domid != DYAD_DOMID_INVALID) {
		/* Best effort: err already holds the failure that matters. */
		if (b.store)
			(void)!domain_store_remove(b.store, b.domid);
		(void)!ctl_destroy(c, b.domid);
		dyad_record_remove(b.domid);
	}
	store_client_close(b.store);
	free(b.file);
	*domid = rc ? DYAD_DOMID_INVALID : b.domid;
	return rc;
}
