/*
 * file_replace: the new contents appear whole, a failed write leaves the old
 * file as it was, and no temporary file is ever left behind.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_replace.h"

static char dir[64], path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/dyfr.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static int fill_text(int fd, const void *text)
{
	return file_write_all(fd, text, strlen(text));
}

static int fill_fails(int fd, const void *text)
{
	int rc = fill_text(fd, text);

	return rc ? rc : -ENOSPC; /* wrote some bytes, then failed */
}

static void expect_contents(const char *want)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(buf, 1, sizeof(buf) - 1, f), strlen(want));
	fclose(f);
	ck_assert_str_eq(buf, want);
}

static unsigned int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

START_TEST(replaces_whole)
{
	ck_assert_int_eq(file_replace(path, false, fill_text, "first"), 0);
	expect_contents("first");
	ck_assert_int_eq(file_replace(path, true, fill_text, "second, longer"), 0);
	expect_contents("second, longer");
	ck_assert_uint_eq(entries(), 1);
}
END_TEST

START_TEST(failure_keeps_the_old_file)
{
	ck_assert_int_eq(file_replace(path, false, fill_text, "kept"), 0);
	ck_assert_int_eq(file_replace(path, false, fill_fails, "half written"), -ENOSPC);
	expect_contents("kept");
	ck_assert_uint_eq(entries(), 1);
}
END_TEST

START_TEST(bad_paths)
{
	char lng[5000];

	memset(lng, 'a', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	ck_assert_int_eq(file_replace(lng, false, fill_text, "x"), -ENAMETOOLONG);
	ck_assert_int_eq(file_replace("/nonexistent-dyad-dir/state", false, fill_text, "x"),
			 -ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("file_replace");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, replaces_whole);
	tcase_add_test(tc, failure_keeps_the_old_file);
	tcase_add_test(tc, bad_paths);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
