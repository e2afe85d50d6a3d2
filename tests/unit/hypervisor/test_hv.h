/*
 * Helpers shared by the hypervisor's unit tests: a quiet core with the
 * fake KVM, domains built through the real domain_create(), and a small
 * page-table builder for guest RAM (4 KiB, 2 MiB and 1 GiB mappings).
 */
#ifndef DYAD_TEST_HV_H
#define DYAD_TEST_HV_H

#include <stdint.h>

#include "domain.h"
#include "guest_ptr.h"
#include "hypercall.h"

#define PT_P  0x1ull
#define PT_W  0x2ull
#define PT_U  0x4ull
#define PT_PS 0x80ull

/* Logging off, kick signal, notify queue. */
void hv_test_setup(void);
/* A paused domain from domain_create() (fails the test on error). */
struct domain *hv_test_domain(const char *name, uint64_t mem_mb, uint32_t vcpus, uint32_t flags);

/*
 * Page-table builder over ram[0, size): tables are taken from *next_table
 * (page-aligned, advanced by 4 KiB per table).  level_size is 4096,
 * 2 MiB or 1 GiB.
 */
struct pt_builder {
	uint8_t *ram;
	uint64_t size;
	uint64_t cr3;
	uint64_t next_table;
};
void pt_init(struct pt_builder *pt, uint8_t *ram, uint64_t size, uint64_t first_table);
void pt_map(struct pt_builder *pt, uint64_t gva, uint64_t gpa, uint64_t flags, uint64_t page_size);
/* A raw entry write for hostile layouts. */
void pt_set(struct pt_builder *pt, uint64_t table_gpa, unsigned int idx, uint64_t entry);

/* A hypercall context for vCPU vcpu of d with the builder's CR3. */
struct hc_ctx hv_test_ctx(struct domain *d, uint32_t vcpu, uint64_t cr3, unsigned int cpl);

#endif /* DYAD_TEST_HV_H */
