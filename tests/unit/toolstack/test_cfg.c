/*
 * Details of the config parser that the golden files do not show well:
 * several texts with later settings winning, UUID generation, defaults,
 * relative and absolute kernel paths, a file that cannot be read, and
 * exact syntax errors for inputs a file cannot easily hold (NUL bytes).
 */
#include "cfg.h"
#include "cfg_parse.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

static char tmpdir[64];
static char kernel[128];

static void setup(void)
{
	FILE *f;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dyad-cfg-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(kernel, sizeof(kernel), "%s/k.elf", tmpdir);
	f = fopen(kernel, "w");
	ck_assert_ptr_nonnull(f);
	fputs("x", f);
	fclose(f);
}

static void teardown(void)
{
	unlink(kernel);
	rmdir(tmpdir);
}

static int parse1(const char *text, struct dyad_domain_config *cfg, char *err, size_t errlen)
{
	struct cfg_text t = {"t.cfg", tmpdir, text, strlen(text)};

	return cfg_parse_texts(&t, 1, cfg, NULL, NULL, err, errlen);
}

START_TEST(test_defaults)
{
	struct dyad_domain_config cfg;
	char err[512] = "";

	ck_assert_int_eq(parse1("name=\"d\"\nkernel=\"k.elf\"", &cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.name, "d");
	ck_assert_str_eq(cfg.kernel, kernel);
	ck_assert_int_eq(cfg.memory_mb, 128);
	ck_assert_int_eq(cfg.vcpus, 1);
	ck_assert_str_eq(cfg.cmdline, "");
	ck_assert_int_eq(cfg.on_poweroff, DYAD_ACTION_DESTROY);
	ck_assert_int_eq(cfg.on_reboot, DYAD_ACTION_RESTART);
	ck_assert_int_eq(cfg.on_crash, DYAD_ACTION_DESTROY);
	ck_assert(!uuid_is_null(cfg.uuid));
}
END_TEST

START_TEST(test_uuid_generated_differs)
{
	struct dyad_domain_config a, b;
	char err[512];

	ck_assert_int_eq(parse1("name=\"d\"\nkernel=\"k.elf\"", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(parse1("name=\"d\"\nkernel=\"k.elf\"", &b, err, sizeof(err)), 0);
	ck_assert(uuid_compare(a.uuid, b.uuid) != 0);
}
END_TEST

START_TEST(test_absolute_kernel)
{
	struct dyad_domain_config cfg;
	char text[512], err[512];

	snprintf(text, sizeof(text), "name='a'\nkernel='%s'\n", kernel);
	ck_assert_int_eq(parse1(text, &cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.kernel, kernel);
}
END_TEST

START_TEST(test_overrides_win)
{
	struct dyad_domain_config cfg;
	const char *file = "name='a'\nmemory=64\nkernel='k.elf'\n", *over = "memory=32\nvcpus=3\n";
	struct cfg_text t[2] = {{"f.cfg", tmpdir, file, strlen(file)},
				{CFG_CMDLINE_FILE, tmpdir, over, strlen(over)}};
	char err[512];

	ck_assert_int_eq(cfg_parse_texts(t, 2, &cfg, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.memory_mb, 32);
	ck_assert_int_eq(cfg.vcpus, 3);
}
END_TEST

START_TEST(test_override_error_names_command_line)
{
	struct dyad_domain_config cfg;
	const char *file = "name='a'\nkernel='k.elf'\n", *over = "vcpus=2\nvcpus=\"many\"\n";
	struct cfg_text t[2] = {{"f.cfg", tmpdir, file, strlen(file)},
				{CFG_CMDLINE_FILE, tmpdir, over, strlen(over)}};
	char err[512];

	ck_assert_int_ne(cfg_parse_texts(t, 2, &cfg, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "<command line>:2: vcpus: expected an integer, got \"many\"");
}
END_TEST

START_TEST(test_nul_byte)
{
	struct dyad_domain_config cfg;
	static const char text[] = "name='a'\nkernel='k\0'\n";
	struct cfg_text t = {"n.cfg", tmpdir, text, sizeof(text) - 1};
	char err[512];

	ck_assert_int_ne(cfg_parse_texts(&t, 1, &cfg, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "n.cfg:2: syntax error: NUL byte in string");
}
END_TEST

START_TEST(test_nul_outside_string)
{
	struct dyad_domain_config cfg;
	static const char text[] = "name='a'\n\0";
	struct cfg_text t = {"n.cfg", tmpdir, text, sizeof(text) - 1};
	char err[512];

	ck_assert_int_ne(cfg_parse_texts(&t, 1, &cfg, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "n.cfg:2: syntax error: expected a key, got byte 0x00");
}
END_TEST

START_TEST(test_unreadable_file)
{
	struct dyad_domain_config cfg;
	char err[512];

	ck_assert_int_ne(
		cfg_load("/nonexistent/x.cfg", NULL, 0, &cfg, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "/nonexistent/x.cfg: cannot read: No such file or directory");
}
END_TEST

START_TEST(test_load_resolves_against_file_dir)
{
	struct dyad_domain_config cfg;
	char path[256], err[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/d.cfg", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("name = \"rel\"\nkernel = \"k.elf\"\n", f);
	fclose(f);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(cfg_load(path, NULL, 0, &cfg, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.kernel, kernel);
	unlink(path);
}
END_TEST

START_TEST(test_describe_escapes)
{
	struct dyad_domain_config cfg;
	char err[512];

	ck_assert_int_ne(
		parse1("name='a'\nkernel='k.elf'\nmemory='\\t\\x7f\"'\n", &cfg, err, sizeof(err)),
		0);
	ck_assert_str_eq(err, "t.cfg:3: memory: expected an integer, got \"\\x09\\x7f\\x22\"");
}
END_TEST

START_TEST(test_action_names)
{
	enum dyad_action a;

	for (int i = DYAD_ACTION_DESTROY; i <= DYAD_ACTION_COREDUMP_RESTART; i++) {
		ck_assert_int_eq(dyad_action_parse(dyad_action_name((enum dyad_action)i), &a), 0);
		ck_assert_int_eq(a, i);
	}
	ck_assert_int_ne(dyad_action_parse("Destroy", &a), 0);
	ck_assert_str_eq(dyad_action_name((enum dyad_action)99), "unknown");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tcase_create("cfg");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_uuid_generated_differs);
	tcase_add_test(tc, test_absolute_kernel);
	tcase_add_test(tc, test_overrides_win);
	tcase_add_test(tc, test_override_error_names_command_line);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_nul_outside_string);
	tcase_add_test(tc, test_unreadable_file);
	tcase_add_test(tc, test_load_resolves_against_file_dir);
	tcase_add_test(tc, test_describe_escapes);
	tcase_add_test(tc, test_action_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
