/*
 * The console ring as the backend sees it (backends/console/cons_ring.c):
 * bytes in order across the array's end and the index wrap, the caller's
 * cap, a full ring, input with and without room, and every way a guest can
 * break the indexes (-EPROTO, our index left alone).  The test plays the
 * guest by writing the page directly.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cons_ring.h"

static struct xencons_interface page;

/* The guest prints len bytes (as its frontend would). */
static void guest_out(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		page.out[(page.out_prod + i) & (CONS_RING_OUT_SIZE - 1)] = s[i];
	page.out_prod += (uint32_t)len;
}

static void setup(void)
{
	memset(&page, 0, sizeof(page));
}

START_TEST(empty_ring_reads_nothing)
{
	struct cons_ring r;
	uint8_t buf[16];
	size_t n = 99;

	ck_assert_int_eq(cons_ring_attach(&r, &page), 0);
	ck_assert_int_eq(cons_ring_read(&r, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(reads_in_order_and_consumes)
{
	struct cons_ring r;
	uint8_t buf[64];
	size_t n;

	ck_assert_int_eq(cons_ring_attach(&r, &page), 0);
	guest_out("hello, ", 7);
	guest_out("world\n", 6);
	ck_assert_int_eq(cons_ring_read(&r, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, 13);
	ck_assert_mem_eq(buf, "hello, world\n", 13);
	ck_assert_uint_eq(page.out_cons, 13);
}
END_TEST

START_TEST(wraps_array_and_index)
{
	struct cons_ring r;
	char msg[100];
	uint8_t buf[128];
	size_t n;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('a' + i % 26);
	/* 40 bytes before both the array end and the 32-bit index wrap. */
	page.out_cons = page.out_prod = 0xffffffffu - 39;
	ck_assert_int_eq(cons_ring_attach(&r, &page), 0);
	guest_out(msg, sizeof(msg));
	ck_assert_int_eq(cons_ring_read(&r, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, sizeof(msg));
	ck_assert_mem_eq(buf, msg, sizeof(msg));
	ck_assert_uint_eq(page.out_cons, 60); /* wrapped past zero */
}
END_TEST

START_TEST(cap_limits_one_read)
{
	struct cons_ring r;
	uint8_t buf[8];
	size_t n;

	ck_assert_int_eq(cons_ring_attach(&r, &page), 0);
	guest_out("abcdef", 6);
	ck_assert_int_eq(cons_ring_read(&r, buf, 4, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(buf, "abcd", 4);
	ck_assert_int_eq(cons_ring_read(&r, buf, 4, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(buf, "ef", 2);
}
END_TEST

START_TEST(full_ring_is_valid)
{
	static char big[CONS_RING_OUT_SIZE];
	static uint8_t buf[CONS_RING_OUT_SIZE];
	struct cons_ring r;
	size_t n;

	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(cons_ring_attach(&r, &page), 0);
	guest_out(big, sizeof(big));
	ck_assert_int_eq(cons_ring_read(&r, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, CONS_RING_OUT_SIZE);
}
END_TEST

START_TEST(out_prod_too_far_is_corruption)
{
	struct cons_ring r;
	uint8_t buf[16];
	size_t n;

	ck_assert_int_eq(cons_ring_attach(&r, &page), 0);
	page.out_prod = CONS_RING_OUT_SIZE + 1;
	ck_assert_int_eq(cons_ring_read(&r, buf, sizeof(buf), &n), -EPROTO);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(r.bad_prod, CONS_RING_OUT_SIZE + 1);
	ck_assert_uint_eq(page.out_cons, 0); /* nothing consumed */
}
END_TEST

START_TEST(out_prod_behind_is_corruption)
{
	struct cons_ring r;
	uint8_t buf[16];
	size_t n;

	ck_assert_int_eq(cons_ring_attach(&r, &page), 0);
	guest_out("abc", 3);
	ck_assert_int_eq(cons_ring_read(&r, buf, sizeof(buf), &n), 0);
	page.out_prod = 1; /* moved backwards: huge modular distance */
	ck_assert_int_eq(cons_ring_read(&r, buf, sizeof(buf), &n), -EPROTO);
}
END_TEST

START_TEST(guest_scribbling_our_index_is_ignored)
{
	struct cons_ring r;
	uint8_t buf[16];
	size_t n;

	ck_assert_int_eq(cons_ring_attach(&r, &page), 0);
	guest_out("abc", 3);
	page.out_cons = 0x12345678; /* ours: the private copy wins */
	ck_assert_int_eq(cons_ring_read(&r, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(page.out_cons, 3);
}
END_TEST

START_TEST(attach_rejects_inconsistent_page)
{
	struct cons_ring r;

	page.out_cons = 10;
	page.out_prod = 10 + CONS_RING_OUT_SIZE + 1;
	ck_assert_int_eq(cons_ring_attach(&r, &page), -EPROTO);
	memset(&page, 0, sizeof(page));
	page.in_cons = 5; /* consumer ahead of producer */
	ck_assert_int_eq(cons_ring_attach(&r, &page), -EPROTO);
}
END_TEST

START_TEST(attach_resumes_from_page)
{
	struct cons_ring r;
	uint8_t buf[16];
	size_t n;

	page.out_cons = page.out_prod = 500; /* a previous backend read 500 bytes */
	guest_out("xyz", 3);
	ck_assert_int_eq(cons_ring_attach(&r, &page), 0);
	ck_assert_int_eq(cons_ring_read(&r, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(buf, "xyz", 3);
}
END_TEST

START_TEST(input_fills_then_waits_for_room)
{
	static uint8_t src[CONS_RING_IN_SIZE + 100];
	struct cons_ring r;
	size_t n;

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)i;
	ck_assert_int_eq(cons_ring_attach(&r, &page), 0);
	ck_assert_int_eq(cons_ring_write(&r, src, 1000, &n), 0);
	ck_assert_uint_eq(n, 1000);
	ck_assert_int_eq(cons_ring_write(&r, src + 1000, 100, &n), 0);
	ck_assert_uint_eq(n, CONS_RING_IN_SIZE - 1000); /* 24 fit */
	ck_assert_uint_eq(page.in_prod, CONS_RING_IN_SIZE);
	ck_assert_int_eq(cons_ring_write(&r, src, 1, &n), 0);
	ck_assert_uint_eq(n, 0); /* full */
	page.in_cons = 500;	 /* the guest read 500 */
	ck_assert_int_eq(cons_ring_write(&r, src + 1024, 76, &n), 0);
	ck_assert_uint_eq(n, 76);
	/* wrapped: in[0..75] now hold src[1024..1099] */
	ck_assert_mem_eq(page.in, src + 1024, 76);
	ck_assert_mem_eq(page.in + 76, src + 76, 1000 - 76);
}
END_TEST

START_TEST(input_cons_ahead_is_corruption)
{
	struct cons_ring r;
	size_t n;

	ck_assert_int_eq(cons_ring_attach(&r, &page), 0);
	ck_assert_int_eq(cons_ring_write(&r, (const uint8_t *)"ab", 2, &n), 0);
	page.in_cons = 7; /* read bytes we never produced */
	ck_assert_int_eq(cons_ring_write(&r, (const uint8_t *)"c", 1, &n), -EPROTO);
	ck_assert_uint_eq(page.in_prod, 2);
}
END_TEST

static Suite *cons_ring_suite(void)
{
	Suite *s = suite_create("cons_ring");
	TCase *tc = tcase_create("ring");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, empty_ring_reads_nothing);
	tcase_add_test(tc, reads_in_order_and_consumes);
	tcase_add_test(tc, wraps_array_and_index);
	tcase_add_test(tc, cap_limits_one_read);
	tcase_add_test(tc, full_ring_is_valid);
	tcase_add_test(tc, out_prod_too_far_is_corruption);
	tcase_add_test(tc, out_prod_behind_is_corruption);
	tcase_add_test(tc, guest_scribbling_our_index_is_ignored);
	tcase_add_test(tc, attach_rejects_inconsistent_page);
	tcase_add_test(tc, attach_resumes_from_page);
	tcase_add_test(tc, input_fills_then_waits_for_room);
	tcase_add_test(tc, input_cons_ahead_is_corruption);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cons_ring_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
