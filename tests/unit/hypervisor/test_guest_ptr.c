/*
 * guest_ptr: translation and copies at page and RAM boundaries, with the
 * permission bits and hostile table layouts, over malloc'd "RAM".
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest_ptr.h"
#include "test_hv.h"

#define RAM_SIZE (4ull << 20)
#define TABLES	 0x10000ull

static uint8_t *ram;
static struct pt_builder pt;

static void setup(void)
{
	ram = calloc(1, RAM_SIZE);
	ck_assert_ptr_nonnull(ram);
	pt_init(&pt, ram, RAM_SIZE, TABLES);
}

static void teardown(void)
{
	free(ram);
}

static struct guest_view view(bool user)
{
	return (struct guest_view){.ram = ram, .ram_size = RAM_SIZE, .cr3 = pt.cr3, .user = user};
}

START_TEST(translate_4k)
{
	struct guest_view gv = view(false);
	uint64_t gpa, avail;

	pt_map(&pt, 0x400000, 0x200000, PT_P | PT_W, 4096);
	ck_assert_int_eq(guest_translate(&gv, 0x400123, false, &gpa, &avail), 0);
	ck_assert_uint_eq(gpa, 0x200123);
	ck_assert_uint_eq(avail, 4096 - 0x123);
	ck_assert_int_eq(guest_translate(&gv, 0x401000, false, &gpa, &avail), -EFAULT);
}
END_TEST

START_TEST(last_byte_of_ram)
{
	struct guest_view gv = view(false);
	uint8_t b = 0x5a, out = 0;
	uint64_t gpa, avail;

	pt_map(&pt, 0x7000, RAM_SIZE - 4096, PT_P | PT_W, 4096);
	ck_assert_int_eq(guest_copy_to(&gv, 0x7fff, &b, 1), 0);
	ck_assert_uint_eq(ram[RAM_SIZE - 1], 0x5a);
	ck_assert_int_eq(guest_copy_from(&gv, &out, 0x7fff, 1), 0);
	ck_assert_uint_eq(out, 0x5a);
	ck_assert_int_eq(guest_translate(&gv, 0x7fff, false, &gpa, &avail), 0);
	ck_assert_uint_eq(avail, 1);
}
END_TEST

START_TEST(page_beyond_ram)
{
	struct guest_view gv = view(false);
	uint8_t buf[8];

	/* A leaf pointing at the page just past RAM, and one far beyond. */
	pt_map(&pt, 0x8000, RAM_SIZE, PT_P | PT_W, 4096);
	pt_map(&pt, 0x9000, 1ull << 40, PT_P | PT_W, 4096);
	ck_assert_int_eq(guest_copy_from(&gv, buf, 0x8000, 1), -EFAULT);
	ck_assert_int_eq(guest_copy_from(&gv, buf, 0x9000, 1), -EFAULT);
}
END_TEST

START_TEST(straddle_second_not_present)
{
	struct guest_view gv = view(false);
	uint8_t buf[16];

	pt_map(&pt, 0x600000, 0x300000, PT_P | PT_W, 4096);
	memset(ram + 0x300ff8, 0xab, 8);
	ck_assert_int_eq(guest_copy_from(&gv, buf, 0x600ff8, 8), 0);
	ck_assert_int_eq(guest_copy_from(&gv, buf, 0x600ff8, 16), -EFAULT);
}
END_TEST

START_TEST(straddle_two_pages_discontiguous)
{
	struct guest_view gv = view(false);
	uint8_t buf[16];

	pt_map(&pt, 0x600000, 0x300000, PT_P | PT_W, 4096);
	pt_map(&pt, 0x601000, 0x100000, PT_P | PT_W, 4096);
	memset(ram + 0x300ff8, 0x11, 8);
	memset(ram + 0x100000, 0x22, 8);
	ck_assert_int_eq(guest_copy_from(&gv, buf, 0x600ff8, 16), 0);
	ck_assert_uint_eq(buf[7], 0x11);
	ck_assert_uint_eq(buf[8], 0x22);
}
END_TEST

START_TEST(user_to_supervisor_page)
{
	struct guest_view kern = view(false), user = view(true);
	uint8_t buf[4];

	pt_map(&pt, 0x500000, 0x200000, PT_P | PT_W, 4096); /* no U */
	ck_assert_int_eq(guest_copy_from(&kern, buf, 0x500000, 4), 0);
	ck_assert_int_eq(guest_copy_from(&user, buf, 0x500000, 4), -EFAULT);
	pt_map(&pt, 0x501000, 0x201000, PT_P | PT_W | PT_U, 4096);
	ck_assert_int_eq(guest_copy_from(&user, buf, 0x501000, 4), 0);
}
END_TEST

START_TEST(user_bit_needed_at_every_level)
{
	struct guest_view user = view(true);
	uint64_t pml4e;
	uint8_t buf[4];

	pt_map(&pt, 0x501000, 0x201000, PT_P | PT_W | PT_U, 4096);
	memcpy(&pml4e, ram + pt.cr3, 8);
	pt_set(&pt, pt.cr3, 0, pml4e & ~PT_U);
	ck_assert_int_eq(guest_copy_from(&user, buf, 0x501000, 4), -EFAULT);
}
END_TEST

START_TEST(write_to_read_only)
{
	struct guest_view gv = view(false);
	uint8_t buf[4] = {1, 2, 3, 4};

	pt_map(&pt, 0x500000, 0x200000, PT_P, 4096);
	ck_assert_int_eq(guest_copy_from(&gv, buf, 0x500000, 4), 0);
	ck_assert_int_eq(guest_copy_to(&gv, 0x500000, buf, 4), -EFAULT);
	ck_assert_uint_eq(ram[0x200000], 0);
}
END_TEST

START_TEST(large_pages)
{
	struct guest_view gv = view(true);
	uint64_t gpa, avail;

	pt_map(&pt, 0x40000000, 0x200000, PT_P | PT_W | PT_U, 2ull << 20);
	ck_assert_int_eq(guest_translate(&gv, 0x40123456, true, &gpa, &avail), 0);
	ck_assert_uint_eq(gpa, 0x323456);
	ck_assert_uint_eq(avail, 4096 - 0x456);
	/* A 1 GiB page at 0: only its first RAM_SIZE bytes are reachable. */
	pt_map(&pt, 0x8000000000ull, 0, PT_P | PT_W | PT_U, 1ull << 30);
	ck_assert_int_eq(guest_translate(&gv, 0x8000000000ull + RAM_SIZE - 1, false, &gpa, &avail),
			 0);
	ck_assert_int_eq(guest_translate(&gv, 0x8000000000ull + RAM_SIZE, false, &gpa, &avail),
			 -EFAULT);
}
END_TEST

START_TEST(table_outside_ram)
{
	struct guest_view gv = view(false);
	uint64_t gpa, avail;

	pt_set(&pt, pt.cr3, 1, (RAM_SIZE + 0x1000) | PT_P | PT_W); /* PDPT past RAM */
	ck_assert_int_eq(guest_translate(&gv, 1ull << 39, false, &gpa, &avail), -EFAULT);
	pt_set(&pt, pt.cr3, 2, (RAM_SIZE - 0x800) | PT_P | PT_W); /* straddles the end */
	ck_assert_int_eq(guest_translate(&gv, 2ull << 39, false, &gpa, &avail), -EFAULT);
	gv.cr3 = RAM_SIZE; /* the root itself */
	ck_assert_int_eq(guest_translate(&gv, 0, false, &gpa, &avail), -EFAULT);
	gv.cr3 = ~0ull;
	ck_assert_int_eq(guest_translate(&gv, 0, false, &gpa, &avail), -EFAULT);
}
END_TEST

START_TEST(ps_in_pml4_and_non_canonical)
{
	struct guest_view gv = view(false);
	uint64_t gpa, avail;

	pt_set(&pt, pt.cr3, 3, PT_P | PT_W | PT_PS);
	ck_assert_int_eq(guest_translate(&gv, 3ull << 39, false, &gpa, &avail), -EFAULT);
	ck_assert_int_eq(guest_translate(&gv, 0x0000800000000000ull, false, &gpa, &avail), -EFAULT);
}
END_TEST

START_TEST(self_referencing_tables)
{
	struct guest_view gv = view(false);
	uint64_t gpa, avail;

	/* PML4[0] points at itself: the walk ends after 4 levels inside RAM. */
	pt_set(&pt, pt.cr3, 0, pt.cr3 | PT_P | PT_W);
	ck_assert_int_eq(guest_translate(&gv, 0, false, &gpa, &avail), 0);
	ck_assert_uint_eq(gpa, pt.cr3);
}
END_TEST

START_TEST(copy_wraps_address_space)
{
	struct guest_view gv = view(false);
	uint8_t buf[32];

	pt_map(&pt, 0xfffffffffffff000ull, 0x200000, PT_P | PT_W, 4096);
	ck_assert_int_eq(guest_copy_from(&gv, buf, 0xfffffffffffffff0ull, 16), 0);
	ck_assert_int_eq(guest_copy_from(&gv, buf, 0xfffffffffffffff0ull, 32), -EFAULT);
}
END_TEST

static Suite *guest_ptr_suite(void)
{
	Suite *s = suite_create("guest_ptr");
	TCase *tc = tcase_create("walk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, translate_4k);
	tcase_add_test(tc, last_byte_of_ram);
	tcase_add_test(tc, page_beyond_ram);
	tcase_add_test(tc, straddle_second_not_present);
	tcase_add_test(tc, straddle_two_pages_discontiguous);
	tcase_add_test(tc, user_to_supervisor_page);
	tcase_add_test(tc, user_bit_needed_at_every_level);
	tcase_add_test(tc, write_to_read_only);
	tcase_add_test(tc, large_pages);
	tcase_add_test(tc, table_outside_ram);
	tcase_add_test(tc, ps_in_pml4_and_non_canonical);
	tcase_add_test(tc, self_referencing_tables);
	tcase_add_test(tc, copy_wraps_address_space);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(guest_ptr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
