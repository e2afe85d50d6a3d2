/*
 * Guest-virtual memory access for hypercall arguments (Xen's
 * copy_from_guest / copy_to_guest).
 *
 * Pointers in hypercall arguments are guest-virtual.  The core walks the
 * calling vCPU's 4-level page tables from CR3, inside the domain's RAM
 * only: every table and every target byte is bounds-checked against the
 * RAM size, each entry is read once, the present bit is required at each
 * level, 1 GiB and 2 MiB pages are understood, the U bit is required at
 * every level for a CPL-3 caller and the W bit for writes.  A copy that
 * crosses pages translates each page.  The guest's other vCPUs may change
 * the tables or the data concurrently; that can only make the copy fail or
 * see the guest's own bytes, never reach outside its RAM.  Callers copy an
 * argument structure in once, then validate the copy.
 */
#ifndef DYAD_HV_GUEST_PTR_H
#define DYAD_HV_GUEST_PTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_view {
	uint8_t *ram;	   /* host mapping of guest-physical 0 */
	uint64_t ram_size; /* bytes */
	uint64_t cr3;	   /* the caller's page-table root */
	bool user;	   /* the caller runs at CPL 3 */
};

/*
 * Translate gva for an access of the given kind.  *gpa receives the
 * guest-physical address and *avail the bytes from there to the end of its
 * page (never past the end of RAM).  0 or -EFAULT.
 */
int guest_translate(const struct guest_view *gv, uint64_t gva, bool write, uint64_t *gpa,
		    uint64_t *avail) __attribute__((warn_unused_result));

/* Copy len bytes from / to guest-virtual gva.  0 or -EFAULT (partial on failure). */
int guest_copy_from(const struct guest_view *gv, void *dst, uint64_t gva, size_t len)
	__attribute__((warn_unused_result));
int guest_copy_to(const struct guest_view *gv, uint64_t gva, const void *src, size_t len)
	__attribute__((warn_unused_result));

#endif /* DYAD_HV_GUEST_PTR_H */
