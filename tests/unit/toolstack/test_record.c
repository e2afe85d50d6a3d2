/*
 * Domain records: a config survives save and load unchanged; the record
 * file is replaced atomically and removed; and a record that is not ours
 * in shape (wrong types, out-of-range values, bad names) is refused.
 */
#include "record.h"
#include "rundir.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

static char rundir[64];

static void setup(void)
{
	snprintf(rundir, sizeof(rundir), "/tmp/dyad-rec-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(rundir));
	setenv("DYAD_RUNDIR", rundir, 1);
	ck_assert_int_eq(rundir_ensure(), 0);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", rundir);
	ck_assert_int_eq(system(cmd), 0);
}

static void sample(struct dyad_domain_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "guest-1.a_b");
	uuid_parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301", c->uuid);
	c->memory_mb = 256;
	c->vcpus = 4;
	snprintf(c->kernel, sizeof(c->kernel), "/boot/dyad \"guest\".elf");
	snprintf(c->cmdline, sizeof(c->cmdline), "app=hello q=\"x\" back\\slash\ttab é");
	c->on_poweroff = DYAD_ACTION_PRESERVE;
	c->on_reboot = DYAD_ACTION_RENAME_RESTART;
	c->on_crash = DYAD_ACTION_COREDUMP_RESTART;
}

START_TEST(test_round_trip)
{
	struct dyad_domain_config a, b;

	sample(&a);
	ck_assert_int_eq(dyad_record_save(7, &a), 0);
	ck_assert_int_eq(dyad_record_load(7, &b), 0);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	a.memory_mb = 512; /* a second save replaces the record */
	ck_assert_int_eq(dyad_record_save(7, &a), 0);
	ck_assert_int_eq(dyad_record_load(7, &b), 0);
	ck_assert_int_eq(b.memory_mb, 512);
	dyad_record_remove(7);
	ck_assert_int_eq(dyad_record_load(7, &b), -ENOENT);
}
END_TEST

static unsigned int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

START_TEST(test_no_temp_file_left)
{
	struct dyad_domain_config a;
	char path[256];

	sample(&a);
	ck_assert_int_eq(dyad_record_save(3, &a), 0);
	ck_assert_int_eq(dyad_record_save(3, &a), 0); /* replacing it too */
	snprintf(path, sizeof(path), "%s/domains/3.json", rundir);
	ck_assert_int_eq(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "%s/domains", rundir);
	ck_assert_uint_eq(dir_entries(path), 1); /* no temporary left beside it */
}
END_TEST

static void expect_bad(const char *json, const char *want)
{
	struct dyad_domain_config c;
	char err[256] = "";

	ck_assert_int_eq(record_from_json(json, &c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, want);
}

#define REC(name, mem, vcpus, kernel, action)                                                      \
	"{ \"name\": " name ", \"uuid\": \"3f2504e0-4f89-11d3-9a0c-0305e82c3301\", "               \
	"\"memory_mb\": " mem ", \"vcpus\": " vcpus ", \"kernel\": " kernel ", "                   \
	"\"cmdline\": \"\", \"on_poweroff\": \"destroy\", \"on_reboot\": " action ", "             \
	"\"on_crash\": \"destroy\" }\n"

START_TEST(test_bad_records)
{
	struct dyad_domain_config c;
	char err[256] = "";

	ck_assert_int_eq(record_from_json(REC("\"a\"", "64", "1", "\"/k\"", "\"restart\""), &c, err,
					  sizeof(err)),
			 0);
	expect_bad("", "record: not valid JSON");
	expect_bad("{ \"name\": ", "record: not valid JSON");
	expect_bad("{} {}", "record: not valid JSON");
	expect_bad("[1]", "record: not a JSON object");
	expect_bad("{}", "name: missing");
	expect_bad(REC("1", "64", "1", "\"/k\"", "\"restart\""), "name: not a string");
	expect_bad(REC("\"12\"", "64", "1", "\"/k\"", "\"restart\""), "name: invalid domain name");
	expect_bad(REC("\"a b\"", "64", "1", "\"/k\"", "\"restart\""), "name: invalid domain name");
	expect_bad(REC("\"a\"", "2", "1", "\"/k\"", "\"restart\""), "memory_mb: out of range");
	expect_bad(REC("\"a\"", "-64", "1", "\"/k\"", "\"restart\""), "memory_mb: out of range");
	expect_bad(REC("\"a\"", "64.5", "1", "\"/k\"", "\"restart\""), "memory_mb: not an integer");
	expect_bad(REC("\"a\"", "64", "17", "\"/k\"", "\"restart\""), "vcpus: out of range");
	expect_bad(REC("\"a\"", "64", "1", "\"k\"", "\"restart\""), "kernel: not an absolute path");
	expect_bad(REC("\"a\"", "64", "1", "\"/k\"", "\"reboot\""), "on_reboot: unknown action");
	expect_bad(REC("\"a\"", "64", "1", "\"/k\\u0000x\"", "\"restart\""),
		   "kernel: too long or contains NUL");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("record");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_no_temp_file_left);
	tcase_add_test(tc, test_bad_records);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
