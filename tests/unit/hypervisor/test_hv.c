/*
 * Unit-test helpers (see test_hv.h).
 */
#include "test_hv.h"

#include <check.h>
#include <errno.h>
#include <string.h>

#include "log.h"
#include "notify.h"
#include "vcpu.h"

void hv_test_setup(void)
{
	log_init("test", LOG_LEVEL_ERR);
	ck_assert_int_eq(vcpu_signals_init(), 0);
	ck_assert_int_eq(notify_init(), 0);
}

struct domain *hv_test_domain(const char *name, uint64_t mem_mb, uint32_t vcpus, uint32_t flags)
{
	struct dyad_ctl_create req = {.mem_mb = mem_mb, .vcpus = vcpus, .flags = flags};
	struct domain *d = NULL;

	strncpy(req.name, name, sizeof(req.name) - 1);
	ck_assert_int_eq(domain_create(&req, &d), 0);
	return d;
}

void pt_init(struct pt_builder *pt, uint8_t *ram, uint64_t size, uint64_t first_table)
{
	pt->ram = ram;
	pt->size = size;
	pt->cr3 = first_table;
	pt->next_table = first_table + 4096;
	memset(ram + first_table, 0, 4096);
}

void pt_set(struct pt_builder *pt, uint64_t table_gpa, unsigned int idx, uint64_t entry)
{
	memcpy(pt->ram + table_gpa + idx * 8u, &entry, 8);
}

static uint64_t pt_get(struct pt_builder *pt, uint64_t table_gpa, unsigned int idx)
{
	uint64_t e;

	memcpy(&e, pt->ram + table_gpa + idx * 8u, 8);
	return e;
}

/* The next-level table under entry idx, created P|W|U if missing. */
static uint64_t pt_descend(struct pt_builder *pt, uint64_t table, unsigned int idx)
{
	uint64_t e = pt_get(pt, table, idx);

	if (!(e & PT_P)) {
		ck_assert_uint_le(pt->next_table + 4096, pt->size);
		e = pt->next_table | PT_P | PT_W | PT_U;
		memset(pt->ram + pt->next_table, 0, 4096);
		pt->next_table += 4096;
		pt_set(pt, table, idx, e);
	}
	return e & 0x000ffffffffff000ull;
}

void pt_map(struct pt_builder *pt, uint64_t gva, uint64_t gpa, uint64_t flags, uint64_t page_size)
{
	int leaf = page_size == (1ull << 30) ? 2 : page_size == (1ull << 21) ? 1 : 0;
	uint64_t table = pt->cr3;

	for (int level = 3; level > leaf; level--)
		table = pt_descend(pt, table, (unsigned int)(gva >> (12 + 9 * level)) & 511);
	pt_set(pt, table, (unsigned int)(gva >> (12 + 9 * leaf)) & 511,
	       gpa | flags | (leaf ? PT_PS : 0));
}

struct hc_ctx hv_test_ctx(struct domain *d, uint32_t vcpu, uint64_t cr3, unsigned int cpl)
{
	struct hc_ctx c = {.d = d, .v = &d->vcpus[vcpu], .cpl = cpl};

	c.gv = (struct guest_view){
		.ram = d->mem.host, .ram_size = d->mem.size, .cr3 = cr3, .user = cpl == 3};
	return c;
}
