/*
 * The capped console log (backends/console/cons_log.c): append and read
 * back by stream offset, rotation at the cap into <name>.log.1 (at most
 * two files, the newest bytes kept, in order), reads of rotated-away
 * offsets starting at the oldest kept byte, reopening where it was, and
 * names that would escape the directory.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cons_log.h"

#define CAP CONS_LOG_CAP_MIN

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cons_log.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static uint64_t file_size(const char *leaf)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, leaf);
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : (uint64_t)-1;
}

START_TEST(append_then_read_back)
{
	struct cons_log l;
	char buf[32];
	uint64_t start;
	size_t n;

	ck_assert_int_eq(cons_log_open(&l, dir, "vm1", CAP), 0);
	ck_assert_int_eq(cons_log_append(&l, "early ", 6), 0);
	ck_assert_int_eq(cons_log_append(&l, "ring\n", 5), 0);
	ck_assert_uint_eq(l.end, 11);
	ck_assert_int_eq(cons_log_read(&l, 0, buf, sizeof(buf), &start, &n), 0);
	ck_assert_uint_eq(start, 0);
	ck_assert_uint_eq(n, 11);
	ck_assert_mem_eq(buf, "early ring\n", 11);
	ck_assert_int_eq(cons_log_read(&l, 6, buf, 3, &start, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(buf, "rin", 3);
	ck_assert_int_eq(cons_log_read(&l, 11, buf, sizeof(buf), &start, &n), 0);
	ck_assert_uint_eq(n, 0);
	cons_log_close(&l);
	cons_log_close(&l); /* idempotent */
	ck_assert_uint_eq(file_size("vm1.log"), 11);
}
END_TEST

START_TEST(rotates_at_cap_and_keeps_two_files)
{
	static char chunk[40 * 1024];
	struct cons_log l;
	char buf[8];
	uint64_t start;
	size_t n;

	ck_assert_int_eq(cons_log_open(&l, dir, "vm", CAP), 0);
	for (int i = 0; i < 3; i++) {
		memset(chunk, 'a' + i, sizeof(chunk));
		ck_assert_int_eq(cons_log_append(&l, chunk, sizeof(chunk)), 0);
	}
	/* 40K + 40K > 64K: rotated before the 2nd and again before the 3rd chunk. */
	ck_assert_uint_eq(file_size("vm.log"), sizeof(chunk));
	ck_assert_uint_eq(file_size("vm.log.1"), sizeof(chunk));
	ck_assert_uint_eq(l.oldest, sizeof(chunk));
	ck_assert_uint_eq(l.base, 2 * sizeof(chunk));
	ck_assert_uint_eq(l.end, 3 * sizeof(chunk));
	/* offset 0 rotated away: the read starts at the oldest kept byte, 'b' */
	ck_assert_int_eq(cons_log_read(&l, 0, buf, sizeof(buf), &start, &n), 0);
	ck_assert_uint_eq(start, sizeof(chunk));
	ck_assert_uint_eq(n, sizeof(buf));
	ck_assert_int_eq(buf[0], 'b');
	/* a read never crosses from .log.1 into .log */
	ck_assert_int_eq(cons_log_read(&l, 2 * sizeof(chunk) - 2, buf, sizeof(buf), &start, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(cons_log_read(&l, 2 * sizeof(chunk), buf, sizeof(buf), &start, &n), 0);
	ck_assert_int_eq(buf[0], 'c');
	cons_log_close(&l);
}
END_TEST

/* Lines in odd-sized pieces through several rotations: the kept text is in order. */
START_TEST(many_lines_stay_in_order)
{
	static char all[20000 * 11 + 1], got[2 * CAP + 1];
	struct cons_log l;
	uint64_t start, off;
	size_t len = 0, n, pos = 0, piece = 1;
	unsigned int first;

	for (int i = 1; i <= 20000; i++)
		len += (size_t)sprintf(all + len, "line %05d\n", i);
	ck_assert_int_eq(cons_log_open(&l, dir, "lines", CAP), 0);
	while (pos < len) {
		piece = piece * 7 % 1531 + 1;
		n = piece < len - pos ? piece : len - pos;
		ck_assert_int_eq(cons_log_append(&l, all + pos, n), 0);
		pos += n;
	}
	ck_assert_uint_le(l.end - l.oldest, 2 * CAP);
	ck_assert_uint_ge(l.end - l.oldest, CAP);
	for (off = l.oldest, pos = 0; off < l.end; off = start + n, pos += n) {
		ck_assert_int_eq(cons_log_read(&l, off, got + pos, 4096, &start, &n), 0);
		ck_assert_uint_eq(start, off);
		ck_assert_uint_gt(n, 0);
	}
	/* what is kept is exactly the tail of what was written */
	ck_assert_uint_eq(pos, l.end - l.oldest);
	ck_assert_mem_eq(got, all + len - pos, pos);
	got[pos] = '\0';
	ck_assert_ptr_nonnull(strstr(got, "line 20000\n"));
	ck_assert_int_eq(sscanf(strstr(got, "line "), "line %u", &first), 1);
	ck_assert_uint_gt(first, 1);
	cons_log_close(&l);
}
END_TEST

START_TEST(reopen_continues)
{
	static char chunk[50 * 1024];
	struct cons_log l;
	char buf[4];
	uint64_t start;
	size_t n;

	memset(chunk, 'p', sizeof(chunk));
	ck_assert_int_eq(cons_log_open(&l, dir, "vm", CAP), 0);
	ck_assert_int_eq(cons_log_append(&l, chunk, sizeof(chunk)), 0);
	ck_assert_int_eq(cons_log_append(&l, "qqqq", 4), 0);
	ck_assert_int_eq(cons_log_append(&l, chunk, sizeof(chunk)), 0); /* rotates */
	cons_log_close(&l);
	ck_assert_int_eq(cons_log_open(&l, dir, "vm", CAP), 0);
	ck_assert_uint_eq(l.oldest, 0);
	ck_assert_uint_eq(l.base, sizeof(chunk) + 4);
	ck_assert_uint_eq(l.end, 2 * sizeof(chunk) + 4);
	ck_assert_int_eq(cons_log_read(&l, sizeof(chunk), buf, 4, &start, &n), 0);
	ck_assert_mem_eq(buf, "qqqq", 4);
	ck_assert_int_eq(cons_log_append(&l, "r", 1), 0);
	ck_assert_uint_eq(file_size("vm.log"), sizeof(chunk) + 1);
	cons_log_close(&l);
}
END_TEST

START_TEST(bad_names_and_caps_refused)
{
	static const char *const bad[] = {"", ".", "..", "a/b", "../etc"};
	struct cons_log l;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(cons_log_open(&l, dir, bad[i], CAP), -EINVAL);
	ck_assert_int_eq(cons_log_open(&l, dir, "ok", CAP - 1), -EINVAL);
	ck_assert_int_eq(cons_log_open(&l, "/nonexistent-dir", "ok", CAP), -ENOENT);
}
END_TEST

static Suite *cons_log_suite(void)
{
	Suite *s = suite_create("cons_log");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, append_then_read_back);
	tcase_add_test(tc, rotates_at_cap_and_keeps_two_files);
	tcase_add_test(tc, many_lines_stay_in_order);
	tcase_add_test(tc, reopen_continues);
	tcase_add_test(tc, bad_names_and_caps_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cons_log_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
