/*
 * Grant tables v1 from ring 3: the guest's own table (frames it places
 * with XENMAPSPACE_grant_table), a free list of refs, grant / end access
 * that respects GTF_reading / GTF_writing, and the grantee side: map a
 * peer's grant into a slot of the grant-map window (abi.h), unmap, copy.
 */
#ifndef RT_GNTTAB_H
#define RT_GNTTAB_H

#include <dyad/xen.h>
#include <stdint.h>

/* Place frames (1..DYAD_GNTTAB_MAX_FRAMES) and check setup_table; once. */
int rt_gnttab_init(unsigned int frames) __attribute__((warn_unused_result));
/* The entry of ref (NULL when out of range): for printing and tests. */
grant_entry_v1_t *rt_gnttab_entry(grant_ref_t ref);
/* Grant domid access to the page at gfn; the ref (>= 0) or -errno. */
int rt_gnttab_grant_access(domid_t domid, uint64_t gfn, int readonly)
	__attribute__((warn_unused_result));
/*
 * Revoke a grant: fails with -16 (EBUSY) while a mapper holds it
 * (GTF_reading / GTF_writing set), else frees the ref and returns 0.
 */
int rt_gnttab_end_access(grant_ref_t ref) __attribute__((warn_unused_result));
/* Refs free right now. */
unsigned int rt_gnttab_free_count(void);

struct rt_gnttab_map {
	void *addr; /* where the page is visible */
	grant_handle_t handle;
};
/* Map (dom, ref) into a free window slot; GNTST_* (0 = ok). */
int rt_gnttab_map(domid_t dom, grant_ref_t ref, int readonly, struct rt_gnttab_map *m)
	__attribute__((warn_unused_result));
/* Unmap; GNTST_*. */
int rt_gnttab_unmap(struct rt_gnttab_map *m) __attribute__((warn_unused_result));
/* One GNTTABOP_copy; the hypercall's result, else the op's GNTST_* status. */
int rt_gnttab_copy(struct gnttab_copy *op) __attribute__((warn_unused_result));

#endif /* RT_GNTTAB_H */
