/*
 * Grant tables v1 in the core: a domain's grant frames and active-grant
 * table (shared with dom0), and its grant-map window for guest-to-guest
 * mappings (see abi.h for the window and handle layout).
 *
 * The window is one anonymous host mapping registered as two memslots
 * before the irqchip (RW, then RO with KVM_MEM_READONLY when the host has
 * it).  A map replaces one page of it with mmap(MAP_FIXED|MAP_SHARED) of
 * the granter's memfd page; an unmap puts anonymous memory back.  KVM's MMU
 * notifier keeps the guest's view coherent; memslots never change.  The
 * pin rules are lib/grant_pin.c's.
 */
#ifndef DYAD_HV_GNTTAB_H
#define DYAD_HV_GNTTAB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <dyad/active_grant.h>

#define GNTTAB_WUR   __attribute__((warn_unused_result))
#define GNTTAB_SLOTS (DYAD_GNTMAP_PAGES + DYAD_GNTMAP_RO_PAGES)

struct domain;
struct hc_ctx;

struct gnttab_slot {
	bool used;
	uint32_t granter; /* domid */
	uint32_t ref;
};

struct gnttab {
	bool ready;
	pthread_mutex_t lock;
	int act_fd;			     /* active-grant memfd (dom0 gets it) */
	struct dyad_active_grant_table *act; /* its mapping */
	uint8_t *window;		     /* host side of both windows */
	struct gnttab_slot slot[GNTTAB_SLOTS];
};

/* Active table + window; the window's memslots are registered by the caller. */
int gnttab_init(struct domain *d) GNTTAB_WUR;
/* Unmaps what d mapped (unpinning in the granters) and frees everything. */
void gnttab_fini(struct domain *d);
/* XENMAPSPACE_grant_table idx at a checked RAM page. */
int gnttab_set_frame(struct domain *d, uint32_t idx, uint64_t gpa) GNTTAB_WUR;
/* The grant_table_op hypercall. */
long hc_grant_table_op(struct hc_ctx *c);

#endif /* DYAD_HV_GNTTAB_H */
