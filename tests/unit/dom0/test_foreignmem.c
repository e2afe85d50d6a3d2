/*
 * foreignmem against a real memfd standing in for a domain's RAM: the one
 * mapping is shared with the file (writes through it land in the "guest"),
 * and every gpa/gfn range a guest could name is bounds-checked, including
 * ranges whose end overflows 64 bits.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ctl_client.h"
#include "fake_core.h"
#include "foreignmem.h"

#define PAGES 16u
#define SIZE  ((uint64_t)PAGES * FOREIGNMEM_PAGE_SIZE)

static int guest_fd = -1;
static struct foreignmem *fm;

static void setup(void)
{
	guest_fd = memfd_create("fake-guest", MFD_CLOEXEC);
	ck_assert_int_ge(guest_fd, 0);
	ck_assert_int_eq(ftruncate(guest_fd, (off_t)SIZE), 0);
	ck_assert_int_eq(foreignmem_open_fd(3, guest_fd, SIZE, &fm), 0);
}

static void teardown(void)
{
	foreignmem_close(fm); /* closes guest_fd */
	fm = NULL;
}

START_TEST(test_writes_reach_the_file)
{
	uint8_t *p = foreignmem_map(fm, 5, 1);
	char buf[6] = "";

	ck_assert_ptr_nonnull(p);
	memcpy(p + 8, "hello", 6);
	ck_assert_int_eq(pread(guest_fd, buf, 6, 5 * FOREIGNMEM_PAGE_SIZE + 8), 6);
	ck_assert_str_eq(buf, "hello");
	ck_assert_ptr_eq(foreignmem_gpa(fm, 5 * FOREIGNMEM_PAGE_SIZE + 8, 6), p + 8);
	ck_assert_uint_eq(foreignmem_nr_pages(fm), PAGES);
	ck_assert_uint_eq(fm->domid, 3);
}
END_TEST

START_TEST(test_gfn_bounds)
{
	ck_assert_ptr_nonnull(foreignmem_map(fm, 0, PAGES));
	ck_assert_ptr_nonnull(foreignmem_map(fm, PAGES - 1, 1));
	ck_assert_ptr_null(foreignmem_map(fm, PAGES, 1));
	ck_assert_ptr_null(foreignmem_map(fm, PAGES - 1, 2));
	ck_assert_ptr_null(foreignmem_map(fm, 0, 0));
	ck_assert_ptr_null(foreignmem_map(fm, UINT64_MAX, 2));
	ck_assert_ptr_null(foreignmem_map(fm, 1, UINT64_MAX));
	ck_assert_ptr_null(foreignmem_map(fm, UINT64_MAX >> 12, 1));
}
END_TEST

START_TEST(test_gpa_bounds)
{
	ck_assert_ptr_nonnull(foreignmem_gpa(fm, SIZE - 1, 1));
	ck_assert_ptr_null(foreignmem_gpa(fm, SIZE - 1, 2));
	ck_assert_ptr_null(foreignmem_gpa(fm, SIZE, 1));
	ck_assert_ptr_null(foreignmem_gpa(fm, 0, 0));
	ck_assert_ptr_null(foreignmem_gpa(fm, UINT64_MAX, 1));
	ck_assert_ptr_null(foreignmem_gpa(fm, 8, SIZE_MAX));
}
END_TEST

START_TEST(test_open_fd_refuses_bad_sizes)
{
	struct foreignmem *m = NULL;
	int fd = memfd_create("small", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, FOREIGNMEM_PAGE_SIZE), 0);
	ck_assert_int_eq(foreignmem_open_fd(1, fd, 2 * FOREIGNMEM_PAGE_SIZE, &m), -EINVAL);
	ck_assert_int_eq(foreignmem_open_fd(1, fd, 100, &m), -EINVAL);
	ck_assert_int_eq(foreignmem_open_fd(1, fd, 0, &m), -EINVAL);
	ck_assert_int_eq(foreignmem_open_fd(1, -1, FOREIGNMEM_PAGE_SIZE, &m), -EINVAL);
	ck_assert_ptr_null(m);
	/* Not taken on failure: still ours to close. */
	ck_assert_int_eq(close(fd), 0);
}
END_TEST

/* Answer the next GET_MEMFD (request seq) with fd. */
static void queue_memfd(struct fake_core *fc, uint32_t seq, int fd)
{
	uint64_t size = SIZE;

	fake_core_reply_fd(fc, DYAD_CTL_GET_MEMFD, seq, 0, &size, sizeof(size), fd);
}

/*
 * Handles in one process share one mapping per domain; a domid reused by a
 * new domain (another memfd) gets its own.
 */
START_TEST(test_open_shares_one_mapping_per_memfd)
{
	struct foreignmem *a = NULL, *b = NULL, *c = NULL;
	struct fake_core fc;
	int other = memfd_create("new-domain", MFD_CLOEXEC);

	ck_assert_int_ge(other, 0);
	ck_assert_int_eq(ftruncate(other, (off_t)SIZE), 0);
	fake_core_start(&fc);
	queue_memfd(&fc, 1, guest_fd);
	queue_memfd(&fc, 2, guest_fd);
	queue_memfd(&fc, 3, other);
	ck_assert_int_eq(foreignmem_open(fc.client, 7, &a), 0);
	ck_assert_int_eq(foreignmem_open(fc.client, 7, &b), 0);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(a->refs, 2);
	ck_assert_int_eq(foreignmem_open(fc.client, 7, &c), 0);
	ck_assert_ptr_ne(c, a);
	foreignmem_close(b);
	ck_assert_uint_eq(a->refs, 1);
	((uint8_t *)foreignmem_map(a, 1, 1))[0] = 'a'; /* still mapped */
	foreignmem_close(a);
	foreignmem_close(c);
	fake_core_stop(&fc);
	close(other);
}
END_TEST

static Suite *foreignmem_suite(void)
{
	Suite *s = suite_create("foreignmem");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_writes_reach_the_file);
	tcase_add_test(tc, test_gfn_bounds);
	tcase_add_test(tc, test_gpa_bounds);
	tcase_add_test(tc, test_open_fd_refuses_bad_sizes);
	tcase_add_test(tc, test_open_shares_one_mapping_per_memfd);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(foreignmem_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
