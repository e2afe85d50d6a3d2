/*
 * The domain builder (libxenguest's xc_dom_* in spirit): turns a validated
 * configuration into a running domain.
 *
 *   1. read and validate the kernel image        nothing exists yet
 *   2. create the domain in the core             from here on, failure destroys it
 *   3. map its RAM (the memfd) and load the image, straight from the file
 *      buffer into guest RAM: one copy, and only the file bytes, since the
 *      memfd starts zero-filled
 *   4. write the boot structures (boot_x86.c) and set vCPU 0's registers
 *   5. record the config for dyad-dom0, then unpause (unless asked not to)
 */
#include "libdyad.h"
#include "boot_x86.h"
#include "ctl_client.h"
#include "elf_image.h"

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
	if (rc == -EEXIST)
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
		rc = builder_create(&b);
	if (rc == 0)
		rc = builder_fill(&b);
	if (rc == 0)
		rc = builder_finish(&b, flags);
	if (rc && b.domid != DYAD_DOMID_INVALID) {
		/* Best effort: err already holds the failure that matters. */
		(void)!ctl_destroy(c, b.domid);
		dyad_record_remove(b.domid);
	}
	free(b.file);
	*domid = rc ? DYAD_DOMID_INVALID : b.domid;
	return rc;
}
