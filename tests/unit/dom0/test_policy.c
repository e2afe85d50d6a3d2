/*
 * on_* policy: which configured action each core event selects, the steps
 * each action takes (dump, rename, destroy, restart), the rename-restart
 * name, xl's defaults, and the restart-loop guard (at most POLICY_RESTART_BURST restarts of one
 * name per POLICY_RESTART_WINDOW_MS).
 */
#include <dyad/xen.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "policy.h"

START_TEST(test_trigger_table)
{
	static const struct {
		uint32_t kind, reason;
		enum policy_trigger want;
	} cases[] = {
		{DYAD_EVENT_SHUTDOWN, SHUTDOWN_poweroff, POLICY_TRIGGER_POWEROFF},
		{DYAD_EVENT_SHUTDOWN, SHUTDOWN_reboot, POLICY_TRIGGER_REBOOT},
		{DYAD_EVENT_SHUTDOWN, SHUTDOWN_crash, POLICY_TRIGGER_CRASH},
		{DYAD_EVENT_SHUTDOWN, SHUTDOWN_watchdog, POLICY_TRIGGER_WATCHDOG},
		{DYAD_EVENT_SHUTDOWN, SHUTDOWN_suspend, POLICY_TRIGGER_NONE},
		{DYAD_EVENT_SHUTDOWN, 5 /* soft_reset */, POLICY_TRIGGER_NONE},
		{DYAD_EVENT_SHUTDOWN, 0xffffffffu, POLICY_TRIGGER_NONE},
		{DYAD_EVENT_CRASHED, 0, POLICY_TRIGGER_CRASH},
		{DYAD_EVENT_CRASHED, SHUTDOWN_reboot, POLICY_TRIGGER_CRASH},
		{DYAD_EVENT_DESTROYED, 0, POLICY_TRIGGER_GONE},
		{DYAD_EVENT_CREATED, 0, POLICY_TRIGGER_NONE},
		{0, 0, POLICY_TRIGGER_NONE},
		{999, SHUTDOWN_poweroff, POLICY_TRIGGER_NONE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_int_eq(policy_trigger_of(cases[i].kind, cases[i].reason), cases[i].want);
}
END_TEST

START_TEST(test_trigger_of_info)
{
	struct dyad_ctl_dominfo d = {.state = DYAD_DOMAIN_STATE_SHUTDOWN,
				     .shutdown_reason = SHUTDOWN_reboot};

	ck_assert_int_eq(policy_trigger_of_info(&d), POLICY_TRIGGER_REBOOT);
	d.state = DYAD_DOMAIN_STATE_CRASHED;
	ck_assert_int_eq(policy_trigger_of_info(&d), POLICY_TRIGGER_CRASH);
	d.state = DYAD_DOMAIN_STATE_RUNNING;
	ck_assert_int_eq(policy_trigger_of_info(&d), POLICY_TRIGGER_NONE);
	d.state = DYAD_DOMAIN_STATE_PAUSED;
	ck_assert_int_eq(policy_trigger_of_info(&d), POLICY_TRIGGER_NONE);
}
END_TEST

START_TEST(test_action_for)
{
	struct dyad_domain_config cfg = {.on_poweroff = DYAD_ACTION_PRESERVE,
					 .on_reboot = DYAD_ACTION_RENAME_RESTART,
					 .on_crash = DYAD_ACTION_COREDUMP_RESTART};

	ck_assert_int_eq(policy_action_for(POLICY_TRIGGER_POWEROFF, &cfg), DYAD_ACTION_PRESERVE);
	ck_assert_int_eq(policy_action_for(POLICY_TRIGGER_REBOOT, &cfg),
			 DYAD_ACTION_RENAME_RESTART);
	ck_assert_int_eq(policy_action_for(POLICY_TRIGGER_CRASH, &cfg),
			 DYAD_ACTION_COREDUMP_RESTART);
	ck_assert_int_eq(policy_action_for(POLICY_TRIGGER_WATCHDOG, &cfg), DYAD_ACTION_DESTROY);
}
END_TEST

START_TEST(test_guard_burst)
{
	static struct policy p;
	uint64_t t = 1000000;

	memset(&p, 0, sizeof(p));
	for (unsigned int i = 0; i < POLICY_RESTART_BURST; i++)
		ck_assert(policy_restart_allowed(&p, "web", t + i * 100));
	/* The sixth within the window is refused, and stays refused... */
	ck_assert(!policy_restart_allowed(&p, "web", t + 1000));
	ck_assert(!policy_restart_allowed(&p, "web", t + POLICY_RESTART_WINDOW_MS - 1));
	/* ...until the oldest of the last five is out of the window. */
	ck_assert(policy_restart_allowed(&p, "web", t + POLICY_RESTART_WINDOW_MS));
	/* Another name has its own budget. */
	ck_assert(policy_restart_allowed(&p, "db", t + 1000));
}
END_TEST

START_TEST(test_guard_slow_restarts_always_allowed)
{
	static struct policy p;

	memset(&p, 0, sizeof(p));
	for (unsigned int i = 0; i < 100; i++)
		ck_assert(policy_restart_allowed(&p, "web", 5000 + (uint64_t)i * 2500));
}
END_TEST

START_TEST(test_guard_many_names)
{
	static struct policy p;
	char name[16];

	memset(&p, 0, sizeof(p));
	/* More names than slots: the least recently used slot is recycled. */
	for (unsigned int i = 0; i < 3 * POLICY_GUARD_SLOTS; i++) {
		snprintf(name, sizeof(name), "dom%u", i);
		ck_assert(policy_restart_allowed(&p, name, 1000 + i));
	}
	for (unsigned int i = 0; i < POLICY_RESTART_BURST; i++)
		ck_assert(policy_restart_allowed(&p, "hot", 5000 + i));
	ck_assert(!policy_restart_allowed(&p, "hot", 5100));
}
END_TEST

/* Every xl action, spelled out as the steps policy_apply carries out. */
START_TEST(test_plan_every_action)
{
	static const struct {
		enum dyad_action a;
		struct policy_plan want;
	} cases[] = {
		{DYAD_ACTION_DESTROY, {.destroy = true}},
		{DYAD_ACTION_RESTART, {.destroy = true, .restart = true}},
		{DYAD_ACTION_PRESERVE, {0}},
		{DYAD_ACTION_RENAME_RESTART, {.rename = true, .restart = true}},
		{DYAD_ACTION_COREDUMP_DESTROY, {.dump = true, .destroy = true}},
		{DYAD_ACTION_COREDUMP_RESTART, {.dump = true, .destroy = true, .restart = true}},
		{(enum dyad_action)99, {0}},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_plan got = policy_plan_of(cases[i].a);

		ck_assert_msg(got.dump == cases[i].want.dump &&
				      got.rename == cases[i].want.rename &&
				      got.destroy == cases[i].want.destroy &&
				      got.restart == cases[i].want.restart,
			      "action %d: plan dump %d rename %d destroy %d restart %d", cases[i].a,
			      got.dump, got.rename, got.destroy, got.restart);
	}
}
END_TEST

static void parse_cfg(const char *text, struct dyad_domain_config *cfg)
{
	struct cfg_text t = {.file = "t.cfg", .basedir = "/", .text = text, .len = strlen(text)};
	char err[256] = "";

	ck_assert_msg(cfg_parse_texts(&t, 1, cfg, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
}

/* xl's defaults from a config that names none: destroy, restart, destroy. */
START_TEST(test_default_actions)
{
	struct dyad_domain_config cfg;

	parse_cfg("name = \"d\"\nkernel = \"/bin/sh\"\n", &cfg);
	ck_assert_int_eq(policy_action_for(POLICY_TRIGGER_POWEROFF, &cfg), DYAD_ACTION_DESTROY);
	ck_assert_int_eq(policy_action_for(POLICY_TRIGGER_REBOOT, &cfg), DYAD_ACTION_RESTART);
	ck_assert_int_eq(policy_action_for(POLICY_TRIGGER_CRASH, &cfg), DYAD_ACTION_DESTROY);
	ck_assert_int_eq(policy_action_for(POLICY_TRIGGER_WATCHDOG, &cfg), DYAD_ACTION_DESTROY);
}
END_TEST

/* xl.cfg spellings of the new actions reach the plan that dumps / renames. */
START_TEST(test_config_to_plan)
{
	struct dyad_domain_config cfg;
	struct policy_plan plan;

	parse_cfg("name = \"d\"\nkernel = \"/bin/sh\"\non_crash = \"coredump-destroy\"\n"
		  "on_reboot = \"rename-restart\"\non_poweroff = \"coredump-restart\"\n",
		  &cfg);
	plan = policy_plan_of(policy_action_for(POLICY_TRIGGER_CRASH, &cfg));
	ck_assert(plan.dump && plan.destroy && !plan.restart && !plan.rename);
	plan = policy_plan_of(policy_action_for(POLICY_TRIGGER_REBOOT, &cfg));
	ck_assert(plan.rename && plan.restart && !plan.destroy && !plan.dump);
	plan = policy_plan_of(policy_action_for(POLICY_TRIGGER_POWEROFF, &cfg));
	ck_assert(plan.dump && plan.destroy && plan.restart && !plan.rename);
}
END_TEST

START_TEST(test_renamed)
{
	char out[DYAD_NAME_MAX], name[DYAD_NAME_MAX];

	policy_renamed("web", 12, out);
	ck_assert_str_eq(out, "web-12");
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	policy_renamed(name, 4294967294u, out);
	ck_assert_uint_eq(strlen(out), DYAD_NAME_MAX - 1);
	ck_assert_str_eq(out + DYAD_NAME_MAX - 1 - 11, "-4294967294");
	ck_assert_int_eq(strncmp(out, name, DYAD_NAME_MAX - 1 - 11), 0);
	ck_assert_int_eq(ctl_msg_check_name(out, sizeof(out)), 0);
}
END_TEST

/* A deferred restart is due POLICY_RETRY_MS later, POLICY_RETRY_ATTEMPTS times at most. */
START_TEST(test_defer_bounded)
{
	static struct policy p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(policy_timeout_ms(&p, 1000), -1);
	for (unsigned int i = 0; i < POLICY_RETRY_ATTEMPTS; i++) {
		ck_assert(policy_defer(&p, 7, 1000 + i));
		ck_assert_int_eq(policy_timeout_ms(&p, 1000 + i), (int)POLICY_RETRY_MS);
	}
	ck_assert_int_eq(policy_timeout_ms(&p, 1000 + POLICY_RETRY_ATTEMPTS + POLICY_RETRY_MS), 0);
	ck_assert(!policy_defer(&p, 7, 2000)); /* given up: no longer waited for */
	ck_assert_int_eq(policy_timeout_ms(&p, 2000), -1);
	/* Another domain has its own count; a full table refuses more. */
	for (unsigned int i = 0; i < POLICY_RETRY_SLOTS; i++)
		ck_assert(policy_defer(&p, 100 + i, 5000));
	ck_assert(!policy_defer(&p, 999, 5000));
	ck_assert_int_eq(policy_timeout_ms(&p, 5500), (int)POLICY_RETRY_MS - 500);
}
END_TEST

/* A restart's needs: a readable kernel, then a store that answers. */
START_TEST(test_restart_ready)
{
	struct dyad_domain_config cfg = {0};
	char why[512] = "", dir[] = "/tmp/dyad-pol.XXXXXX", sock[128];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cfg.kernel, sizeof(cfg.kernel), "%s/kernel", dir);
	ck_assert_int_eq(policy_restart_ready(&cfg, 0, why, sizeof(why)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(why, "kernel"));
	ck_assert_ptr_nonnull(strstr(why, cfg.kernel));
	f = fopen(cfg.kernel, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	snprintf(sock, sizeof(sock), "%s/store.sock", dir);
	setenv("XENSTORED_PATH", sock, 1); /* honoured: nothing listens there */
	ck_assert_int_eq(policy_restart_ready(&cfg, 200, why, sizeof(why)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(why, sock));
	unsetenv("XENSTORED_PATH");
	unlink(cfg.kernel);
	rmdir(dir);
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_test(tc, test_trigger_table);
	tcase_add_test(tc, test_trigger_of_info);
	tcase_add_test(tc, test_action_for);
	tcase_add_test(tc, test_guard_burst);
	tcase_add_test(tc, test_guard_slow_restarts_always_allowed);
	tcase_add_test(tc, test_guard_many_names);
	tcase_add_test(tc, test_plan_every_action);
	tcase_add_test(tc, test_default_actions);
	tcase_add_test(tc, test_config_to_plan);
	tcase_add_test(tc, test_renamed);
	tcase_add_test(tc, test_defer_bounded);
	tcase_add_test(tc, test_restart_ready);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
