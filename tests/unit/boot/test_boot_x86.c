/*
 * boot_x86_build() against hypervisor/public/dyad/boot.h: the identity
 * page tables walked like the MMU would, the GDT and IDT decoded like the
 * CPU would, the TSS I/O bitmaps bit by bit, start info and vCPU 0's
 * registers, and every parameter and image check with its message.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <dyad/xen.h>
#include <dyad/abi.h>
#include <dyad/boot.h>

#include "boot_x86.h"

#define MIB	    (1024ull * 1024ull)
#define NUC_START   0x100000ull
#define NUC_END	    0x103000ull
#define VECTORS	    0x102000ull
#define IMAGE_END   0x140000ull
#define EXC_STUB(i) (NUC_START + 0x100 + (uint64_t)(i)*16)
#define IRQ_STUB    (NUC_START + 0x800)

static uint8_t *ram;
static uint64_t ram_size;
static struct boot_x86_params params;
static struct dyad_vcpu_regs regs;
static char err[256];

static uint64_t get64(uint64_t pa)
{
	uint64_t v;

	memcpy(&v, ram + pa, sizeof(v));
	return v;
}

static uint32_t get32(uint64_t pa)
{
	uint32_t v;

	memcpy(&v, ram + pa, sizeof(v));
	return v;
}

static uint16_t get16(uint64_t pa)
{
	uint16_t v;

	memcpy(&v, ram + pa, sizeof(v));
	return v;
}

/* A fake loaded image: vectors table in RAM, exceptions and IRQs in the nucleus. */
static void setup_image(uint64_t mb, uint32_t vcpus)
{
	unsigned int i;

	ram_size = mb * MIB;
	ram = calloc(1, ram_size);
	ck_assert_ptr_nonnull(ram);
	for (i = 0; i < 256; i++) {
		uint64_t v = i < 32 ? EXC_STUB(i) : IRQ_STUB;

		memcpy(ram + VECTORS + i * 8, &v, 8);
	}
	memset(&params, 0, sizeof(params));
	params.ram_size = ram_size;
	params.vcpus = vcpus;
	params.note.version = DYAD_ELFNOTE_VERSION;
	params.note.flags = DYAD_BOOT_F_RING3_RUNTIME;
	params.note.entry = NUC_START;
	params.note.vectors = VECTORS;
	params.note.nucleus_start = NUC_START;
	params.note.nucleus_end = NUC_END;
	params.image_end = IMAGE_END;
	params.cmdline = "app=hello vcpus=2";
	err[0] = '\0';
}

static void setup(void)
{
	setup_image(64, 2);
}

static void teardown(void)
{
	free(ram);
	ram = NULL;
}

static int build(void)
{
	return boot_x86_build(ram, &params, &regs, err, sizeof(err));
}

/* Walk the 4-level tables for va: the leaf entry, with U/W ANDed over the levels. */
struct walk {
	int present;
	uint64_t pa;
	int user, write;
};

static struct walk walk(uint64_t va)
{
	struct walk w = {0, 0, 1, 1};
	uint64_t table = DYAD_BOOT_PML4, e = 0;
	int level, shift;

	for (level = 4; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		e = get64(table + ((va >> shift) & 511) * 8);
		if (!(e & 1))
			return w;
		w.user &= !!(e & 4);
		w.write &= !!(e & 2);
		if ((level == 2 && (e & 0x80)) || level == 1) {
			uint64_t mask = (1ull << shift) - 1;

			w.present = 1;
			w.pa = (e & 0x000ffffffffff000ull & ~mask) | (va & mask);
			return w;
		}
		table = e & 0x000ffffffffff000ull;
		ck_assert_uint_lt(table + 4096, ram_size);
	}
	return w;
}

#define ASSERT_MAP(va, u, wr)                                                                      \
	do {                                                                                       \
		struct walk w_ = walk(va);                                                         \
		ck_assert_msg(w_.present, "0x%llx not mapped", (unsigned long long)(va));          \
		ck_assert_uint_eq(w_.pa, (va));                                                    \
		ck_assert_int_eq(w_.user, (u));                                                    \
		ck_assert_int_eq(w_.write, (wr));                                                  \
	} while (0)

START_TEST(test_page_tables_low)
{
	ck_assert_int_eq(build(), 0);
	ck_assert(!walk(0).present);
	ck_assert(!walk(0xfff).present);
	ASSERT_MAP(DYAD_BOOT_START_INFO, 1, 1);
	ASSERT_MAP(DYAD_BOOT_GDT, 0, 1);
	ASSERT_MAP(DYAD_BOOT_IDT + 0x10, 0, 1);
	ASSERT_MAP(DYAD_BOOT_TSS, 0, 1);
	ASSERT_MAP(DYAD_BOOT_HYPERCALL_PAGE + 0x20, 1, 0);
	ASSERT_MAP(DYAD_BOOT_STORE_RING, 1, 1);
	ASSERT_MAP(DYAD_BOOT_CONSOLE_RING + 0x10, 1, 1);
	ASSERT_MAP(DYAD_BOOT_SHARED_INFO, 1, 1);
	ASSERT_MAP(0x9000, 0, 1);
	ASSERT_MAP(DYAD_BOOT_PML4, 0, 1);
	ASSERT_MAP(DYAD_BOOT_STACK0, 0, 1);
	ASSERT_MAP(DYAD_BOOT_IST + 0x800, 0, 1);
	ASSERT_MAP(DYAD_BOOT_FREE, 1, 1);
	ASSERT_MAP(0xff000, 1, 1);
	ASSERT_MAP(NUC_START, 0, 1);
	ASSERT_MAP(NUC_END - 1, 0, 1);
	ASSERT_MAP(NUC_END, 1, 1);
	ASSERT_MAP(0x1ff000, 1, 1);
}
END_TEST

START_TEST(test_page_tables_high)
{
	ck_assert_int_eq(build(), 0);
	ASSERT_MAP(0x200000, 1, 1);
	ASSERT_MAP(0x3456789, 1, 1);
	ASSERT_MAP(ram_size - 1, 1, 1);
	ck_assert(!walk(ram_size).present);
	ck_assert(!walk(1ull << 39).present);
	ck_assert_uint_eq(get64(DYAD_BOOT_PD + 1 * 8) & 0x80, 0x80);
}
END_TEST

/* An odd number of MiB: the trailing 1 MiB is not mapped, nor in the memory map. */
START_TEST(test_page_tables_partial)
{
	teardown();
	setup_image(65, 1);
	ck_assert_int_eq(build(), 0);
	ASSERT_MAP(64 * MIB - 1, 1, 1);
	ck_assert(!walk(64 * MIB).present);
	ck_assert_uint_eq(get64(DYAD_BOOT_MEMMAP + 24 + 0) + get64(DYAD_BOOT_MEMMAP + 24 + 8),
			  64 * MIB);
}
END_TEST

/* Two GiB + 2 MiB: a second page directory. */
START_TEST(test_page_tables_multi_gib)
{
	teardown();
	setup_image(2050, 1);
	ck_assert_int_eq(build(), 0);
	ASSERT_MAP(0x40000000ull, 1, 1);
	ASSERT_MAP(0x80000000ull + 0x1fffff, 1, 1);
	ck_assert(!walk(0x80200000ull).present);
	ck_assert_uint_eq(get64(DYAD_BOOT_PDPT + 16) & ~0xfffull, DYAD_BOOT_PD + 2 * 4096);
}
END_TEST

/* The grant-map windows: RW then RO, user, identity; nothing after them. */
START_TEST(test_page_tables_gntmap)
{
	ck_assert_int_eq(build(), 0);
	ASSERT_MAP(DYAD_GNTMAP_BASE, 1, 1);
	ASSERT_MAP(DYAD_GNTMAP_RO_BASE - 1, 1, 1);
	ASSERT_MAP(DYAD_GNTMAP_RO_BASE, 1, 0);
	ASSERT_MAP(DYAD_GNTMAP_END - 1, 1, 0);
	ck_assert(!walk(DYAD_GNTMAP_END).present);
	ck_assert(!walk(DYAD_GNTMAP_BASE - 1).present);
}
END_TEST

static int port_allowed(uint64_t tss, unsigned int port)
{
	return !(ram[tss + DYAD_TSS_IOMAP_BASE + port / 8] & (1u << (port % 8)));
}

START_TEST(test_tss)
{
	uint32_t i;
	unsigned int port;

	ck_assert_int_eq(build(), 0);
	for (i = 0; i < 2; i++) {
		uint64_t t = DYAD_BOOT_TSS_ADDR(i);

		ck_assert_uint_eq(get64(t + 4), DYAD_BOOT_RSP0(i));
		ck_assert_uint_eq(get64(t + 36), DYAD_BOOT_IST1(i));
		ck_assert_uint_eq(get64(t + 44), 0);
		ck_assert_uint_eq(get16(t + 102), DYAD_TSS_IOMAP_BASE);
		for (port = 0; port < 256; port++) {
			int open =
				(port >= DYAD_HYPERCALL_PORT && port < DYAD_HYPERCALL_PORT + 4) ||
				(port >= DYAD_DOORBELL_PORT && port < DYAD_DOORBELL_PORT + 4) ||
				(port >= DYAD_PROBE_PORT && port < DYAD_PROBE_PORT + 4);

			ck_assert_int_eq(port_allowed(t, port), open);
		}
		ck_assert_uint_eq(ram[t + DYAD_TSS_LIMIT], 0xff);
	}
	ck_assert_uint_eq(get64(DYAD_BOOT_TSS_ADDR(2) + 4), 0);
}
END_TEST

struct desc {
	uint64_t base;
	uint32_t limit;
	unsigned int type, s, dpl, p, l, db, g;
};

static struct desc decode(uint64_t pa, int system)
{
	uint64_t d = get64(pa);
	struct desc r;

	r.limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
	r.base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000ull);
	if (system)
		r.base |= (uint64_t)get32(pa + 8) << 32;
	r.type = (d >> 40) & 0xf;
	r.s = (d >> 44) & 1;
	r.dpl = (d >> 45) & 3;
	r.p = (d >> 47) & 1;
	r.l = (d >> 53) & 1;
	r.db = (d >> 54) & 1;
	r.g = (d >> 55) & 1;
	return r;
}

START_TEST(test_gdt)
{
	struct desc d;

	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(get64(DYAD_BOOT_GDT), 0);
	d = decode(DYAD_BOOT_GDT + DYAD_SEL_KCODE, 0);
	ck_assert(d.p && d.s && d.l && !d.db && d.dpl == 0 && (d.type & 0xa) == 0xa);
	d = decode(DYAD_BOOT_GDT + DYAD_SEL_KDATA, 0);
	ck_assert(d.p && d.s && d.dpl == 0 && (d.type & 0xa) == 0x2);
	d = decode(DYAD_BOOT_GDT + (DYAD_SEL_UDATA & ~3u), 0);
	ck_assert(d.p && d.s && d.dpl == 3 && (d.type & 0xa) == 0x2);
	d = decode(DYAD_BOOT_GDT + (DYAD_SEL_UCODE & ~3u), 0);
	ck_assert(d.p && d.s && d.l && !d.db && d.dpl == 3 && (d.type & 0xa) == 0xa);
	d = decode(DYAD_BOOT_GDT + DYAD_SEL_TSS(0), 1);
	ck_assert(d.p && !d.s && d.dpl == 0 && d.type == 0xb);
	ck_assert_uint_eq(d.base, DYAD_BOOT_TSS_ADDR(0));
	ck_assert_uint_eq(d.limit, DYAD_TSS_LIMIT);
	d = decode(DYAD_BOOT_GDT + DYAD_SEL_TSS(1), 1);
	ck_assert(d.p && !d.s && d.type == 0x9);
	ck_assert_uint_eq(d.base, DYAD_BOOT_TSS_ADDR(1));
	ck_assert_uint_eq(get64(DYAD_BOOT_GDT + DYAD_SEL_TSS(2)), 0);
	ck_assert_uint_lt(DYAD_SEL_TSS(DYAD_MAX_VCPUS - 1) + 15, DYAD_GDT_LIMIT + 1);
}
END_TEST

static uint64_t gate_offset(unsigned int v)
{
	uint64_t g = DYAD_BOOT_IDT + v * 16;

	return get16(g) | (uint64_t)get16(g + 6) << 16 | (uint64_t)get32(g + 8) << 32;
}

START_TEST(test_idt)
{
	unsigned int v;

	ck_assert_int_eq(build(), 0);
	for (v = 0; v < 256; v++) {
		uint64_t g = DYAD_BOOT_IDT + v * 16;

		ck_assert_uint_eq(gate_offset(v), v < 32 ? EXC_STUB(v) : IRQ_STUB);
		ck_assert_uint_eq(get16(g + 2), DYAD_SEL_KCODE);
		ck_assert_uint_eq(ram[g + 5], 0x8e);
		ck_assert_uint_eq(ram[g + 4], (v == 2 || v == 8 || v == 18) ? 1 : 0);
	}
}
END_TEST

START_TEST(test_idt_sparse)
{
	uint64_t zero = 0;

	memcpy(ram + VECTORS + 0x80 * 8, &zero, 8);
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(get64(DYAD_BOOT_IDT + 0x80 * 16), 0);
	ck_assert_uint_eq(get64(DYAD_BOOT_IDT + 0x80 * 16 + 8), 0);
	ck_assert_uint_eq(ram[DYAD_BOOT_IDT + 0x81 * 16 + 5], 0x8e);
	params.note.vectors = 0;
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(get64(DYAD_BOOT_IDT + 14 * 16), 0);
}
END_TEST

START_TEST(test_start_info)
{
	struct hvm_start_info si;
	struct hvm_memmap_table_entry e[2];
	struct dyad_boot_ext ext;

	ck_assert_int_eq(build(), 0);
	memcpy(&si, ram + DYAD_BOOT_START_INFO, sizeof(si));
	ck_assert_uint_eq(si.magic, XEN_HVM_START_MAGIC_VALUE);
	ck_assert_uint_eq(si.version, 1);
	ck_assert_uint_eq(si.cmdline_paddr, DYAD_BOOT_CMDLINE);
	ck_assert_str_eq((char *)ram + DYAD_BOOT_CMDLINE, "app=hello vcpus=2");
	ck_assert_uint_eq(si.memmap_paddr, DYAD_BOOT_MEMMAP);
	ck_assert_uint_eq(si.memmap_entries, 2);
	memcpy(e, ram + DYAD_BOOT_MEMMAP, sizeof(e));
	ck_assert(e[0].addr == 0 && e[0].size == DYAD_BOOT_FREE && e[0].type == 2);
	ck_assert(e[1].addr == DYAD_BOOT_FREE && e[1].type == 1);
	ck_assert_uint_eq(e[1].addr + e[1].size, ram_size);
	memcpy(&ext, ram + DYAD_BOOT_EXT, sizeof(ext));
	ck_assert_uint_eq(ext.magic, DYAD_BOOT_EXT_MAGIC);
	ck_assert_uint_eq(ext.vcpus, 2);
	ck_assert_uint_eq(ext.ram_size, ram_size);
}
END_TEST

START_TEST(test_vcpu0)
{
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(regs.rip, NUC_START);
	ck_assert_uint_eq(regs.rsp, DYAD_BOOT_RSP0(0));
	ck_assert_uint_eq(regs.rbx, DYAD_BOOT_START_INFO);
	ck_assert_uint_eq(regs.rdi, 0);
	ck_assert_uint_eq(regs.rflags, 2);
	ck_assert_uint_eq(regs.cr0, DYAD_BOOT_CR0);
	ck_assert_uint_eq(regs.cr3, DYAD_BOOT_PML4);
	ck_assert_uint_eq(regs.cr4, DYAD_BOOT_CR4);
	ck_assert_uint_eq(regs.efer, DYAD_BOOT_EFER);
	ck_assert_uint_eq(regs.cs.selector, DYAD_SEL_KCODE);
	ck_assert_uint_eq(regs.cs.attr, 0xa09b); /* G L P S, type 0xb */
	ck_assert_uint_eq(regs.ss.selector, DYAD_SEL_KDATA);
	ck_assert_uint_eq(regs.ss.attr, 0xc093);
	ck_assert_uint_eq(regs.ds.attr, 0xc093);
	ck_assert_uint_eq(regs.fs.attr & 0x80, 0);
	ck_assert_uint_eq(regs.tr.selector, DYAD_SEL_TSS(0));
	ck_assert_uint_eq(regs.tr.base, DYAD_BOOT_TSS_ADDR(0));
	ck_assert_uint_eq(regs.tr.limit, DYAD_TSS_LIMIT);
	ck_assert_uint_eq(regs.tr.attr, 0x8b);
	ck_assert_uint_eq(regs.gdt.base, DYAD_BOOT_GDT);
	ck_assert_uint_eq(regs.gdt.limit, DYAD_GDT_LIMIT);
	ck_assert_uint_eq(regs.idt.base, DYAD_BOOT_IDT);
	ck_assert_uint_eq(regs.idt.limit, 0xfff);
}
END_TEST

/* Each bad parameter: the error, a message naming it, and RAM left untouched. */
static void expect_fail(int want, const char *msg)
{
	int rc = build();

	ck_assert_int_eq(rc, want);
	ck_assert_msg(strstr(err, msg), "err '%s' lacks '%s'", err, msg);
	ck_assert_uint_eq(get64(DYAD_BOOT_PML4), 0);
	ck_assert_uint_eq(get32(DYAD_BOOT_START_INFO), 0);
}

START_TEST(test_bad_vcpus)
{
	params.vcpus = 0;
	expect_fail(-EINVAL, "vcpus 0 outside 1..16");
	params.vcpus = DYAD_MAX_VCPUS + 1;
	expect_fail(-EINVAL, "vcpus 17");
}
END_TEST

START_TEST(test_bad_ram)
{
	params.ram_size = ram_size - 4096;
	expect_fail(-EINVAL, "not a multiple of 1 MiB");
	params.ram_size = 2 * MIB;
	expect_fail(-EINVAL, "outside 4..8192 MiB");
	params.ram_size = (DYAD_MAX_MEM_MB + 1ull) * MIB;
	expect_fail(-EINVAL, "outside 4..8192 MiB");
}
END_TEST

START_TEST(test_bad_cmdline)
{
	char *line = malloc(DYAD_BOOT_CMDLINE_MAX + 1);

	memset(line, 'x', DYAD_BOOT_CMDLINE_MAX);
	line[DYAD_BOOT_CMDLINE_MAX] = '\0';
	params.cmdline = line;
	expect_fail(-E2BIG, "cmdline longer than 2047 bytes");
	line[DYAD_BOOT_CMDLINE_MAX - 1] = '\0';
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(strlen((char *)ram + DYAD_BOOT_CMDLINE), DYAD_BOOT_CMDLINE_MAX - 1);
	free(line);
	params.cmdline = NULL;
	ck_assert_int_eq(build(), 0);
	ck_assert_str_eq((char *)ram + DYAD_BOOT_CMDLINE, "");
}
END_TEST

START_TEST(test_bad_image)
{
	params.image_end = ram_size + 4096;
	expect_fail(-E2BIG, "image end");
	params.image_end = IMAGE_END;
	params.note.nucleus_end = NUC_END + 8;
	expect_fail(-EINVAL, "page-aligned");
	params.note.nucleus_end = 0x201000;
	params.image_end = 0x300000;
	expect_fail(-EINVAL, "below 2 MiB");
	params.note.nucleus_end = NUC_END;
	params.note.nucleus_start = 0xff000;
	expect_fail(-EINVAL, "nucleus");
	params.note.nucleus_start = NUC_START;
	params.note.entry = NUC_END;
	expect_fail(-EINVAL, "entry 0x103000 outside the nucleus");
	params.note.entry = NUC_START;
	params.note.version = 2;
	expect_fail(-EINVAL, "version 2");
}
END_TEST

START_TEST(test_bad_vectors)
{
	uint64_t evil = DYAD_BOOT_FREE;

	params.note.vectors = IMAGE_END - 8;
	expect_fail(-EINVAL, "vectors table");
	params.note.vectors = 0x1000;
	expect_fail(-EINVAL, "vectors table");
	params.note.vectors = UINT64_MAX - 8;
	expect_fail(-EINVAL, "vectors table");
	params.note.vectors = VECTORS;
	memcpy(ram + VECTORS + 14 * 8, &evil, 8);
	expect_fail(-EINVAL, "vector 14 entry 0x70000 outside the nucleus");
}
END_TEST

START_TEST(test_null_args)
{
	ck_assert_int_eq(boot_x86_build(NULL, &params, &regs, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(boot_x86_build(ram, NULL, &regs, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(boot_x86_build(ram, &params, NULL, NULL, 0), -EINVAL);
}
END_TEST

static Suite *boot_suite(void)
{
	Suite *s = suite_create("boot_x86");
	TCase *tc = tcase_create("build");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_page_tables_low);
	tcase_add_test(tc, test_page_tables_high);
	tcase_add_test(tc, test_page_tables_gntmap);
	tcase_add_test(tc, test_page_tables_partial);
	tcase_add_test(tc, test_page_tables_multi_gib);
	tcase_add_test(tc, test_tss);
	tcase_add_test(tc, test_gdt);
	tcase_add_test(tc, test_idt);
	tcase_add_test(tc, test_idt_sparse);
	tcase_add_test(tc, test_start_info);
	tcase_add_test(tc, test_vcpu0);
	tcase_add_test(tc, test_bad_vcpus);
	tcase_add_test(tc, test_bad_ram);
	tcase_add_test(tc, test_bad_cmdline);
	tcase_add_test(tc, test_bad_image);
	tcase_add_test(tc, test_bad_vectors);
	tcase_add_test(tc, test_null_args);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(boot_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
