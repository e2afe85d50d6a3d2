/*
 * dom0 grant-table access (Xen's libxengnttab, written for Dyad).
 *
 * dom0 holds each granter's RAM mapped once (foreignmem) and its
 * active-grant table mapped shared with the core (DYAD_CTL_GNTTAB_GET), so
 * a map is lib/grant_pin's validate + pin + status bits, then pointer
 * arithmetic: no mmap, no TLB shootdown per request.  A writable map
 * points into the read-write mapping, a read-only map into foreignmem's
 * PROT_READ mapping, so dom0 cannot write through a read-only grant either.
 * The pin keeps GTF_reading/GTF_writing set in the granter's entry until
 * the last unmap, so the granter's end-access fails while dom0 uses it.
 *
 * dom0's domid as a grantee is 0 (what a guest names in grant_entry.domid
 * for a backend in dom0).  Failures are returned as -errno; the GNTST_*
 * status behind them is kept in the segment (copy) or given by
 * gnttab_errno()'s table (map): GNTST_general_error (not permitted, wrong
 * domid, read-only) -> -EACCES, bad_domain -> -ESRCH, bad_gntref ->
 * -EINVAL, bad_page -> -EFAULT, bad_copy_arg -> -EINVAL, eagain -> -EAGAIN,
 * anything else -> -EIO.
 *
 * A handle is not thread-safe; use one per thread.
 */
#ifndef DYAD_DOM0_GNTTAB_H
#define DYAD_DOM0_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>

#include <dyad/xen.h> /* GNTCOPY_*, GNTST_* */

#define GNTTAB_MAX_MAPS 8192u /* live mappings per handle */
#define GNTTAB_MAX_DOMS 64u   /* granters per handle */
#define GNTTAB_DOM0	0u    /* dom0's grantee domid */

struct ctl_client;
struct gnttab_handle;
struct foreignmem;
struct dyad_active_grant_table;

/* One GNTTABOP_copy segment; the dom0 side of a copy is a local pointer. */
struct gnttab_copy_seg {
	union {
		struct {
			uint32_t ref;
			uint16_t offset;
			uint16_t domid;
		} foreign;
		void *virt;
	} source, dest;
	uint16_t len;
	uint16_t flags; /* GNTCOPY_source_gref and/or GNTCOPY_dest_gref */
	int16_t status; /* out: GNTST_* */
};

/* Open a handle that makes control calls through c (borrowed). */
int gnttab_open(struct ctl_client *c, struct gnttab_handle **out)
	__attribute__((warn_unused_result));
void gnttab_close(struct gnttab_handle *h);

/*
 * Map ref of domid for dom0.  *addr points at the page (read-only unless
 * writable); *handle names the mapping for gnttab_unmap().
 */
int gnttab_map_grant_ref(struct gnttab_handle *h, uint32_t domid, uint32_t ref, bool writable,
			 void **addr, uint32_t *handle) __attribute__((warn_unused_result));
/* Drop a mapping: unpins, clearing the status bits when the last pin goes. */
int gnttab_unmap(struct gnttab_handle *h, uint32_t handle) __attribute__((warn_unused_result));
/*
 * GNTTABOP_copy, batched: each segment is done or refused on its own
 * (status).  Returns 0 when every segment was attempted (statuses tell),
 * -errno if the batch itself is bad.
 */
int gnttab_copy(struct gnttab_handle *h, struct gnttab_copy_seg *segs, unsigned int count)
	__attribute__((warn_unused_result));

/*
 * The granter's current flags word of ref (GTF_*), read once: for tools
 * and tests that check the status bits a mapping sets and clears.
 */
int gnttab_entry_flags(struct gnttab_handle *h, uint32_t domid, uint32_t ref, uint16_t *flags)
	__attribute__((warn_unused_result));

/* The -errno for a GNTST_* status. */
int gnttab_errno(int16_t gntst);

/*
 * For tests and tools that already hold a granter's memory: use these
 * instead of asking the core.  The handle takes ownership of mem and of the
 * active table mapping (munmap'd at close, DYAD_ACTIVE_GRANT_SIZE bytes).
 */
int gnttab_add_granter(struct gnttab_handle *h, struct foreignmem *mem,
		       struct dyad_active_grant_table *act) __attribute__((warn_unused_result));
/* Open with no control client: only granters added by hand are known. */
int gnttab_open_local(uint16_t self_domid, struct gnttab_handle **out)
	__attribute__((warn_unused_result));

#endif /* DYAD_DOM0_GNTTAB_H */
