/*
 * libdyad: the toolstack library (Xen's libxl + libxenguest in spirit).
 * A domain's configuration, its parse from xl.cfg syntax, the domain
 * builder, and the record of each running domain's config that dyad-dom0
 * reads to apply on_poweroff/on_reboot/on_crash.
 */
#ifndef DYAD_LIBDYAD_H
#define DYAD_LIBDYAD_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_msg.h"
#include <dyad/boot.h>

struct ctl_client;

/* xl's actions, in xl.cfg spelling. */
enum dyad_action {
	DYAD_ACTION_DESTROY,
	DYAD_ACTION_RESTART,
	DYAD_ACTION_PRESERVE,
	DYAD_ACTION_RENAME_RESTART,
	DYAD_ACTION_COREDUMP_DESTROY,
	DYAD_ACTION_COREDUMP_RESTART,
};

struct dyad_domain_config {
	char name[DYAD_NAME_MAX];
	uint8_t uuid[16];      /* generated when the config has none */
	uint64_t memory_mb;    /* default 128 */
	uint32_t vcpus;	       /* default 1 */
	char kernel[PATH_MAX]; /* absolute after parsing */
	char cmdline[DYAD_BOOT_CMDLINE_MAX];
	enum dyad_action on_poweroff; /* default destroy */
	enum dyad_action on_reboot;   /* default restart */
	enum dyad_action on_crash;    /* default destroy */
};

#define DYAD_BUILD_F_PAUSED (1u << 0) /* leave the domain paused (dyad create -p) */
/* The store may be starting (services just started): wait up to 5 s for its socket. */
#define DYAD_BUILD_F_WAIT_STORE (1u << 1)

/*
 * Build and start a domain from cfg: load and validate the kernel ELF,
 * create the domain, map its memory, write the image, the boot structures
 * and the start info, set vCPU 0, allocate the store and console event
 * channels and set the HVM params, write the domain's store nodes and
 * introduce it to the store, record cfg for dyad-dom0, unpause.
 * On failure nothing is left behind and err names the cause.
 */
int dyad_domain_build(struct ctl_client *c, const struct dyad_domain_config *cfg,
		      unsigned int flags, uint32_t *domid, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The per-domain record RUNDIR/domains/<domid>.json (JSON via json-c). */
int dyad_record_save(uint32_t domid, const struct dyad_domain_config *cfg)
	__attribute__((warn_unused_result));
int dyad_record_load(uint32_t domid, struct dyad_domain_config *cfg)
	__attribute__((warn_unused_result));
void dyad_record_remove(uint32_t domid);

const char *dyad_action_name(enum dyad_action a);
int dyad_action_parse(const char *s, enum dyad_action *out) __attribute__((warn_unused_result));

#endif /* DYAD_LIBDYAD_H */
