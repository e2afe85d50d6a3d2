/*
 * on_* policy: which configured action each core event selects, and the
 * restart-loop guard (at most POLICY_RESTART_BURST restarts of one name per
 * POLICY_RESTART_WINDOW_MS).
 */
#include <dyad/xen.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
