/*
 * The guest page-table walker (see guest_ptr.h).
 *
 * x86-64 4-level paging: PML4 (bits 47:39), PDPT (38:30), PD (29:21),
 * PT (20:12).  PS in a PDPT entry maps 1 GiB, in a PD entry 2 MiB; PS in a
 * PML4 entry is reserved and treated as a fault.  Physical addresses are
 * bits 51:12 of an entry.  Worked example: gva 0x200123 with PML4[0] ->
 * PDPT[0] -> PD[1] (PS) = 0x200083 gives gpa 0x200123 and avail 0x1edd
 * (to the end of the 4 KiB page: copies are split per 4 KiB page even
 * inside a large page, which keeps the arithmetic uniform).
 */
#include "guest_ptr.h"

#include <errno.h>
#include <string.h>

#define PTE_P	   (1ull << 0)
#define PTE_W	   (1ull << 1)
#define PTE_U	   (1ull << 2)
#define PTE_PS	   (1ull << 7)
#define PTE_ADDR   0x000ffffffffff000ull
#define GUEST_PAGE 4096ull

static int guest_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/* Read entry `idx` of the table at gpa `table`, once; -EFAULT if outside RAM. */
static int guest_read_entry(const struct guest_view *gv, uint64_t table, unsigned int idx,
			    uint64_t *pte)
{
	uint64_t at = table + (uint64_t)idx * 8;

	if (table >= gv->ram_size || gv->ram_size - table < GUEST_PAGE)
		return -EFAULT;
	*pte = __atomic_load_n((const uint64_t *)(const void *)(gv->ram + at), __ATOMIC_RELAXED);
	return 0;
}

/* Does this entry allow the access? */
static int guest_pte_ok(const struct guest_view *gv, uint64_t pte, bool write)
{
	if (!(pte & PTE_P))
		return 0;
	if (gv->user && !(pte & PTE_U))
		return 0;
	if (write && !(pte & PTE_W))
		return 0;
	return 1;
}

/* Walk to the leaf; *base is the page's gpa and *mask its offset mask. */
static int guest_walk(const struct guest_view *gv, uint64_t gva, bool write, uint64_t *base,
		      uint64_t *mask)
{
	uint64_t table = gv->cr3 & PTE_ADDR, pte = 0;

	for (int level = 3; level >= 0; level--) {
		unsigned int idx = (unsigned int)(gva >> (12 + 9 * level)) & 511;

		if (guest_read_entry(gv, table, idx, &pte) || !guest_pte_ok(gv, pte, write))
			return -EFAULT;
		if ((pte & PTE_PS) && (level == 1 || level == 2)) {
			*mask = (1ull << (12 + 9 * level)) - 1;
			*base = pte & PTE_ADDR & ~*mask;
			return 0;
		}
		if ((pte & PTE_PS) && level == 3)
			return -EFAULT;
		table = pte & PTE_ADDR;
	}
	*mask = GUEST_PAGE - 1;
	*base = pte & PTE_ADDR;
	return 0;
}

int guest_translate(const struct guest_view *gv, uint64_t gva, bool write, uint64_t *gpa,
		    uint64_t *avail)
{
	uint64_t base, mask, pa;

	if (!guest_canonical(gva) || guest_walk(gv, gva, write, &base, &mask))
		return -EFAULT;
	pa = base | (gva & mask);
	if (pa >= gv->ram_size)
		return -EFAULT;
	*gpa = pa;
	*avail = GUEST_PAGE - (pa & (GUEST_PAGE - 1));
	if (*avail > gv->ram_size - pa)
		*avail = gv->ram_size - pa;
	return 0;
}

/* Copy page by page; to_guest selects the direction. */
static int guest_copy(const struct guest_view *gv, uint64_t gva, uint8_t *host, size_t len,
		      bool to_guest)
{
	while (len) {
		uint64_t gpa, avail;
		size_t n;

		if (guest_translate(gv, gva, to_guest, &gpa, &avail))
			return -EFAULT;
		n = avail < len ? (size_t)avail : len;
		if (to_guest)
			memcpy(gv->ram + gpa, host, n);
		else
			memcpy(host, gv->ram + gpa, n);
		gva += n;
		host += n;
		len -= n;
	}
	return 0;
}

int guest_copy_from(const struct guest_view *gv, void *dst, uint64_t gva, size_t len)
{
	return guest_copy(gv, gva, dst, len, false);
}

int guest_copy_to(const struct guest_view *gv, uint64_t gva, const void *src, size_t len)
{
	/* The source is only read; guest_copy's pointer is shared by both directions. */
	uint8_t *p;

	memcpy(&p, &src, sizeof(p));
	return guest_copy(gv, gva, p, len, true);
}
