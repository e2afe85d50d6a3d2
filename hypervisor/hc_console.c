/*
 * console_io and xen_version: the hypercalls a guest makes to say hello.
 *
 * CONSOLEIO_write appends the guest's bytes to its domain's console stream
 * (read with `dyad console`), copied from guest memory a chunk at a time so
 * that no guest-controlled size reaches an allocation; one call is bounded
 * to HC_CONSOLE_WRITE_MAX bytes.  CONSOLEIO_read is dom0's in Xen: -EPERM.
 * xen_version answers with Dyad's version (abi.h) in Xen's structures.
 */
#include <errno.h>
#include <string.h>

#include <dyad/abi.h>
#include <dyad/xen.h>
#include "domain.h"
#include "hypercall.h"
#include "log.h"
#include "notify.h"

#define HC_CONSOLE_WRITE_MAX (64u * 1024u)
#define HC_CONSOLE_CHUNK     512u

static long hc_console_write(struct hc_ctx *c, uint64_t count, uint64_t buf)
{
	uint8_t chunk[HC_CONSOLE_CHUNK];

	if (count > HC_CONSOLE_WRITE_MAX)
		return -EINVAL;
	for (uint64_t done = 0; done < count;) {
		size_t n = count - done < sizeof(chunk) ? (size_t)(count - done) : sizeof(chunk);

		if (guest_copy_from(&c->gv, chunk, buf + done, n))
			return -EFAULT;
		stream_write(&c->d->console, chunk, n);
		done += n;
	}
	if (count)
		notify_kick();
	return 0;
}

long hc_console_io(struct hc_ctx *c)
{
	switch (c->arg[0]) {
	case CONSOLEIO_write:
		return hc_console_write(c, c->arg[1], c->arg[2]);
	case CONSOLEIO_read:
		return -EPERM;
	default:
		return -ENOSYS;
	}
}

/* Copy a fixed-size string answer out to the guest. */
static long hc_version_string(struct hc_ctx *c, const char *s, size_t size)
{
	char buf[1024] = {0};

	strncpy(buf, s, size - 1);
	return guest_copy_to(&c->gv, c->arg[1], buf, size) ? -EFAULT : 0;
}

static long hc_version_compile(struct hc_ctx *c)
{
	struct xen_compile_info ci = {0};

	strncpy(ci.compiler, "clang/gcc (C17)", sizeof(ci.compiler) - 1);
	strncpy(ci.compile_by, "dyad", sizeof(ci.compile_by) - 1);
	strncpy(ci.compile_domain, "dyad", sizeof(ci.compile_domain) - 1);
	strncpy(ci.compile_date, __DATE__, sizeof(ci.compile_date) - 1);
	return guest_copy_to(&c->gv, c->arg[1], &ci, sizeof(ci)) ? -EFAULT : 0;
}

static long hc_version_features(struct hc_ctx *c)
{
	struct xen_feature_info fi;

	if (guest_copy_from(&c->gv, &fi, c->arg[1], sizeof(fi)))
		return -EFAULT;
	fi.submap = fi.submap_idx == 0 ? (1u << XENFEAT_auto_translated_physmap) : 0;
	return guest_copy_to(&c->gv, c->arg[1], &fi, sizeof(fi)) ? -EFAULT : 0;
}

/* XENVER_guest_handle: the domain's UUID (RENAME may change it). */
static long hc_version_handle(struct hc_ctx *c)
{
	uint8_t uuid[16];

	domain_uuid_copy(c->d, uuid);
	return guest_copy_to(&c->gv, c->arg[1], uuid, sizeof(uuid)) ? -EFAULT : 0;
}

static long hc_version_params(struct hc_ctx *c)
{
	struct xen_platform_parameters pp = {.virt_start = 0}; /* no hypervisor hole */

	return guest_copy_to(&c->gv, c->arg[1], &pp, sizeof(pp)) ? -EFAULT : 0;
}

long hc_xen_version(struct hc_ctx *c)
{
	switch (c->arg[0]) {
	case XENVER_version:
		return DYAD_VERSION_MAJOR << 16 | DYAD_VERSION_MINOR;
	case XENVER_extraversion:
		return hc_version_string(c, "-dyad", sizeof(xen_extraversion_t));
	case XENVER_compile_info:
		return hc_version_compile(c);
	case XENVER_capabilities:
		return hc_version_string(c, "hvm-3.0-x86_64", sizeof(xen_capabilities_info_t));
	case XENVER_changeset:
		return hc_version_string(c, "dyad 0.1", sizeof(xen_changeset_info_t));
	case XENVER_platform_parameters:
		return hc_version_params(c);
	case XENVER_get_features:
		return hc_version_features(c);
	case XENVER_pagesize:
		return (long)DYAD_PAGE_SIZE;
	case XENVER_guest_handle:
		return hc_version_handle(c);
	default:
		return -ENOSYS;
	}
}
