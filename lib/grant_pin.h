/*
 * Grant-table v1 map/unmap/copy rules: ONE implementation, used by the core
 * (guest-to-guest GNTTABOP_map_grant_ref / unmap / copy) and by dom0
 * (libdom0 gnttab), both operating on the granter's memory and active-grant
 * table (hypervisor/public/dyad/active_grant.h) through shared mappings.
 *
 * A pin (map or copy) of ref r by grantee domain G, read-only or not:
 *   - r < nr_frames * 512 and its frame placed, else GNTST_bad_gntref;
 *   - under the entry lock: Xen's _set_status_v1 on the granter's
 *     grant_entry_v1: the flags/domid word is re-read and a cmpxchg loop
 *     (at most 4 retries, then GNTST_general_error: "unstable entry") sets
 *     GTF_reading, plus GTF_writing for a writable pin, provided the type
 *     is GTF_permit_access, domid == G and (writable) !GTF_readonly; any of
 *     these failing is GNTST_general_error as in Xen;
 *   - the granted frame must lie in the granter's RAM (GNTST_bad_page);
 *   - the first pin captures the frame; later pins use the captured one;
 *   - a pin of an entry already pinned by another grantee is refused.
 * An unpin drops its count and clears GTF_writing when the write count
 * reaches 0 and GTF_reading when both counts reach 0 (Xen's rule), so two
 * mappers never clear each other's bits and the granter's end-access (which
 * checks !(flags & (GTF_reading|GTF_writing))) fails while anything is
 * mapped.  A count that would pass 0xffff is refused (GNTST_general_error).
 *
 * Every function is safe against a hostile granter changing its grant
 * entries concurrently: entries are read with atomic loads, values are
 * validated after the read and never re-read for the same decision.
 */
#ifndef DYAD_GRANT_PIN_H
#define DYAD_GRANT_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dyad/active_grant.h>
#include <dyad/xen.h>

#define GRANT_PIN_WUR __attribute__((warn_unused_result))

/* One granter as its mapper sees it: RAM and active-grant table, both mapped. */
struct grant_pin_granter {
	uint8_t *ram;			     /* the granter's memfd, mapped shared */
	uint64_t ram_size;		     /* bytes */
	struct dyad_active_grant_table *act; /* its active-grant memfd, mapped shared */
};

/* Bounded spin for the entry lock (GNTST_eagain when exceeded). */
#define GRANT_PIN_SPIN_MAX 1000000u

/*
 * Validate and pin ref for `grantee`; on success (GNTST_okay) *gpa is the
 * granter-physical address of the granted page (page aligned, inside RAM).
 */
int16_t grant_pin_acquire(const struct grant_pin_granter *g, uint32_t ref, uint16_t grantee,
			  bool readonly, uint64_t *gpa) GRANT_PIN_WUR;
/* Drop one pin taken by grant_pin_acquire() with the same ref and readonly. */
int16_t grant_pin_release(const struct grant_pin_granter *g, uint32_t ref,
			  bool readonly) GRANT_PIN_WUR;

/* The granter's grant_entry_v1 for ref, or NULL (ref out of range/not placed). */
grant_entry_v1_t *grant_pin_entry(const struct grant_pin_granter *g, uint32_t ref);

/* Initialise a fresh active-grant table (the core does this once). */
void grant_pin_table_init(struct dyad_active_grant_table *t);
/* Publish grant frame idx at gpa (the core, on XENMAPSPACE_grant_table). */
void grant_pin_table_set_frame(struct dyad_active_grant_table *t, uint32_t idx, uint64_t gpa);
/* Frames placed so far. */
uint32_t grant_pin_nr_frames(const struct dyad_active_grant_table *t);

/*
 * GNTTABOP_copy argument check, before any pin: len and offsets within a
 * page (GNTST_bad_copy_arg), flags known.  Domain and ref checks are the
 * caller's (it resolves domids).
 */
int16_t grant_copy_check(const struct gnttab_copy *op) GRANT_PIN_WUR;

#endif /* DYAD_GRANT_PIN_H */
