/*
 * The arguments of dyad shutdown/reboot (lifecycle_args_parse): each
 * accepted form and what it sets, the defaults, and each refused form with
 * its exact message (the text the usage error prints after "dyad: VERB: ").
 */
#include "lifecycle_args.h"

#include <check.h>
#include <errno.h>
#include <string.h>

#define ARGV(...) ((char *[]){"shutdown", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"shutdown", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(a, err, ...)                                                                         \
	lifecycle_args_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (a), (err), sizeof(err))

START_TEST(test_domain_only)
{
	struct lifecycle_args a;
	char err[256] = "";

	ck_assert_int_eq(PARSE(&a, err, "web"), 0);
	ck_assert_str_eq(a.domain, "web");
	ck_assert(!a.wait && !a.all && !a.force && !a.help);
	ck_assert_uint_eq(a.timeout_s, 60);
}
END_TEST

START_TEST(test_options)
{
	struct lifecycle_args a;
	char err[256] = "";

	ck_assert_int_eq(PARSE(&a, err, "-w", "web"), 0);
	ck_assert(a.wait && !a.force);
	ck_assert_str_eq(a.domain, "web");
	/* options after the domain, bundled, and -tN joined: getopt's permutation */
	ck_assert_int_eq(PARSE(&a, err, "web", "-wF", "-t5"), 0);
	ck_assert(a.wait && a.force);
	ck_assert_uint_eq(a.timeout_s, 5);
	ck_assert_str_eq(a.domain, "web");
	ck_assert_int_eq(PARSE(&a, err, "-t", "2", "7"), 0); /* -t implies -w */
	ck_assert(a.wait && !a.force);
	ck_assert_uint_eq(a.timeout_s, 2);
	ck_assert_str_eq(a.domain, "7");
	ck_assert_int_eq(PARSE(&a, err, "-F", "x"), 0); /* -F implies -w */
	ck_assert(a.wait && a.force);
	ck_assert_int_eq(PARSE(&a, err, "-a", "-w"), 0);
	ck_assert(a.all && a.wait);
	ck_assert_ptr_null(a.domain);
	ck_assert_int_eq(PARSE(&a, err, "-t", "86400", "x"), 0);
	ck_assert_uint_eq(a.timeout_s, 86400);
}
END_TEST

START_TEST(test_help)
{
	struct lifecycle_args a;
	char err[256] = "";

	ck_assert_int_eq(PARSE(&a, err, "-h"), 0);
	ck_assert(a.help);
	ck_assert_int_eq(PARSE(&a, err, "--help", "-x"), 0); /* help stops at once */
	ck_assert(a.help);
}
END_TEST

struct bad {
	char *args[4];
	const char *err;
};

static const struct bad bad_cases[] = {
	{{NULL}, "missing domain (or -a for all)"},
	{{"-w"}, "missing domain (or -a for all)"},
	{{"a", "b"}, "too many arguments"},
	{{"-a", "web"}, "-a and a domain ('web') together"},
	{{"-x", "web"}, "unknown option '-x'"},
	{{"--wait", "web"}, "unknown option '--wait'"},
	{{"web", "-t"}, "option '-t' needs a value"},
	{{"-t", "0", "web"}, "-t: '0' is not a number of seconds (1..86400)"},
	{{"-t", "86401", "web"}, "-t: '86401' is not a number of seconds (1..86400)"},
	{{"-t", "5s", "web"}, "-t: '5s' is not a number of seconds (1..86400)"},
	{{"-t", "-3", "web"}, "-t: '-3' is not a number of seconds (1..86400)"},
	{{"-t", "", "web"}, "-t: '' is not a number of seconds (1..86400)"},
	{{"-t", "99999999999999999999", "web"},
	 "-t: '99999999999999999999' is not a number of seconds (1..86400)"},
};

START_TEST(test_bad)
{
	const struct bad *b = &bad_cases[_i];
	char *argv[6] = {"shutdown"};
	struct lifecycle_args a;
	char err[256] = "";
	int argc = 1;

	for (int k = 0; k < 4 && b->args[k]; k++)
		argv[argc++] = b->args[k];
	argv[argc] = NULL;
	ck_assert_int_eq(lifecycle_args_parse(argc, argv, &a, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, b->err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lifecycle_args");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_domain_only);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_help);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
