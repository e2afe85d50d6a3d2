/*
 * The supervisor's process table: restart backoff arithmetic, restart
 * policies, and real children that exit, get restarted when due, and are
 * stopped with SIGTERM (or SIGKILL when they ignore it).
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

static char tmpdir[64];
static struct proc_table table;

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dyad-ut.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	proc_table_init(&table);
}

static void teardown(void)
{
	char cmd[128];

	proc_stop_all(&table);
	proc_table_fini(&table);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_backoff_doubles_and_caps)
{
	struct proc_backoff b = {0};
	uint64_t expect = PROC_BACKOFF_MIN_MS;

	for (int i = 0; i < 20; i++) {
		ck_assert_uint_eq(proc_backoff_next(&b, 50), expect);
		expect = expect * 2 > PROC_BACKOFF_MAX_MS ? PROC_BACKOFF_MAX_MS : expect * 2;
	}
	ck_assert_uint_eq(proc_backoff_next(&b, 0), PROC_BACKOFF_MAX_MS);
}
END_TEST

START_TEST(test_backoff_resets_after_stable_run)
{
	struct proc_backoff b = {0};

	proc_backoff_next(&b, 0);
	proc_backoff_next(&b, 0);
	ck_assert_uint_eq(proc_backoff_next(&b, 0), 4 * PROC_BACKOFF_MIN_MS);
	ck_assert_uint_eq(proc_backoff_next(&b, PROC_STABLE_MS), PROC_BACKOFF_MIN_MS);
	ck_assert_uint_eq(b.failures, 1);
}
END_TEST

START_TEST(test_backoff_never_overflows)
{
	struct proc_backoff b = {0};

	for (int i = 0; i < 1000; i++)
		ck_assert_uint_le(proc_backoff_next(&b, 0), PROC_BACKOFF_MAX_MS);
}
END_TEST

START_TEST(test_should_restart)
{
	int ok = 0, fail = 3 << 8, killed = SIGKILL;

	ck_assert(proc_should_restart(PROC_RESTART_ALWAYS, ok));
	ck_assert(proc_should_restart(PROC_RESTART_ALWAYS, killed));
	ck_assert(!proc_should_restart(PROC_RESTART_ON_FAILURE, ok));
	ck_assert(proc_should_restart(PROC_RESTART_ON_FAILURE, fail));
	ck_assert(proc_should_restart(PROC_RESTART_ON_FAILURE, killed));
	ck_assert(!proc_should_restart(PROC_RESTART_NEVER, fail));
}
END_TEST

static struct proc *add_sh(const char *name, const char *script, enum proc_restart r)
{
	char log[128], pid[128], body[256];
	char sh[] = "/bin/sh", c[] = "-c", *argv[] = {sh, c, body, NULL};
	struct proc *p = NULL;

	snprintf(body, sizeof(body), "%s", script);
	snprintf(log, sizeof(log), "%s/%s.log", tmpdir, name);
	snprintf(pid, sizeof(pid), "%s/%s.pid", tmpdir, name);
	ck_assert_int_eq(proc_add(&table, name, argv, log, pid, r, &p), 0);
	return p;
}

/* Reap until p leaves RUNNING (children exit on their own). */
static void wait_exit(struct proc *p)
{
	struct timespec ts = {0, 10 * 1000000L};

	for (int i = 0; i < 500 && p->state == PROC_STATE_RUNNING; i++) {
		nanosleep(&ts, NULL);
		proc_reap(&table, proc_now_ms());
	}
	ck_assert_int_ne(p->state, PROC_STATE_RUNNING);
}

START_TEST(test_add_limits)
{
	char a[] = "x", *many[PROC_ARGV_MAX + 2], *none[] = {NULL};
	struct proc *p;

	for (int i = 0; i < PROC_ARGV_MAX + 1; i++)
		many[i] = a;
	many[PROC_ARGV_MAX + 1] = NULL;
	ck_assert_int_eq(proc_add(&table, "a", many, "/tmp/l", NULL, PROC_RESTART_NEVER, &p),
			 -E2BIG);
	ck_assert_int_eq(proc_add(&table, "a", none, "/tmp/l", NULL, PROC_RESTART_NEVER, &p),
			 -EINVAL);
	ck_assert_uint_eq(table.n, 0);
}
END_TEST

START_TEST(test_exit_restart_when_due)
{
	struct proc *p = add_sh("svc", "echo hello; exit 3", PROC_RESTART_ON_FAILURE);
	uint64_t now = proc_now_ms();
	char buf[64] = "";
	FILE *f;

	ck_assert_int_eq(proc_start(p, now), 0);
	ck_assert_int_eq(p->state, PROC_STATE_RUNNING);
	ck_assert_int_eq(access(p->pidfile, F_OK), 0);
	wait_exit(p);
	ck_assert_int_eq(p->state, PROC_STATE_BACKOFF);
	ck_assert_int_ne(access(p->pidfile, F_OK), 0);
	ck_assert_uint_eq(p->generation, 1);
	/* Not yet due: nothing starts. */
	proc_tick(&table, p->restart_at_ms - 1);
	ck_assert_int_eq(p->state, PROC_STATE_BACKOFF);
	ck_assert_int_ge(proc_timeout_ms(&table, p->restart_at_ms - 1), 1);
	proc_tick(&table, p->restart_at_ms);
	ck_assert_int_eq(p->state, PROC_STATE_RUNNING);
	ck_assert_uint_eq(p->generation, 2);
	wait_exit(p);
	/* The second quick failure waits twice as long. */
	ck_assert_uint_eq(p->backoff.failures, 2);
	f = fopen(p->log, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "hello\n");
}
END_TEST

START_TEST(test_clean_exit_not_restarted_on_failure_policy)
{
	struct proc *p = add_sh("ok", "exit 0", PROC_RESTART_ON_FAILURE);

	ck_assert_int_eq(proc_start(p, proc_now_ms()), 0);
	wait_exit(p);
	ck_assert_int_eq(p->state, PROC_STATE_STOPPED);
	ck_assert_int_eq(proc_timeout_ms(&table, proc_now_ms()), -1);
}
END_TEST

START_TEST(test_missing_binary_backs_off)
{
	char exe[] = "/nonexistent/dyad-hv", *argv[] = {exe, NULL};
	struct proc *p;

	ck_assert_int_eq(proc_add(&table, "hv", argv, "/tmp/x.log", NULL, PROC_RESTART_ALWAYS, &p),
			 0);
	ck_assert_int_eq(proc_start(p, proc_now_ms()), -ENOENT);
	ck_assert_int_eq(p->state, PROC_STATE_BACKOFF);
}
END_TEST

START_TEST(test_stop_sigterm)
{
	struct proc *p = add_sh("sleeper", "exec sleep 30", PROC_RESTART_ALWAYS);
	uint64_t t0;

	ck_assert_int_eq(proc_start(p, proc_now_ms()), 0);
	t0 = proc_now_ms();
	proc_stop_all(&table);
	ck_assert_uint_lt(proc_now_ms() - t0, 2000);
	ck_assert_int_eq(p->state, PROC_STATE_STOPPED);
	ck_assert_int_ne(access(p->pidfile, F_OK), 0);
}
END_TEST

START_TEST(test_stop_sigkill_after_timeout)
{
	struct proc *p = add_sh("stubborn", "trap '' TERM; while :; do sleep 0.05; done",
				PROC_RESTART_ALWAYS);
	struct timespec ts = {0, 200 * 1000000L};
	uint64_t t0;

	ck_assert_int_eq(proc_start(p, proc_now_ms()), 0);
	nanosleep(&ts, NULL); /* let the shell install its trap */
	t0 = proc_now_ms();
	proc_stop_all(&table);
	ck_assert_uint_ge(proc_now_ms() - t0, PROC_STOP_WAIT_MS);
	ck_assert_int_eq(p->state, PROC_STATE_STOPPED);
}
END_TEST

START_TEST(test_no_restart_while_stopping)
{
	struct proc *p = add_sh("dies", "exit 1", PROC_RESTART_ALWAYS);

	ck_assert_int_eq(proc_start(p, proc_now_ms()), 0);
	table.stopping = true;
	wait_exit(p);
	ck_assert_int_eq(p->state, PROC_STATE_STOPPED);
}
END_TEST

/* Wait until pid runs comm (a signal before the exec would hit Check's handler). */
static void wait_exec(pid_t pid, const char *comm)
{
	struct timespec ts = {0, 5 * 1000000L};
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(path, "r");

		buf[0] = '\0';
		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = '\0';
			fclose(f);
		}
		if (strncmp(buf, comm, strlen(comm)) == 0)
			return;
		nanosleep(&ts, NULL);
	}
	ck_abort_msg("pid %d never ran %s", (int)pid, comm);
}

START_TEST(test_adopt)
{
	struct proc *p = add_sh("adoptee", "unused", PROC_RESTART_NEVER);
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	wait_exec(pid, "sleep");
	ck_assert_int_eq(proc_adopt(p, pid, proc_now_ms()), 0);
	ck_assert_int_ge(p->pidfd, 0);
	proc_stop_all(&table);
	ck_assert_int_eq(p->state, PROC_STATE_STOPPED);
	waitpid(pid, NULL, 0);
}
END_TEST

/*
 * An orphaned service is recognised by argv[0] and "--rundir DIR" and
 * stopped; a process of another run directory or program is left alone.
 */
static pid_t spawn_named(const char *name, const char *rundir)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl("/bin/sh", name, "-c", "sleep 30; :", "sh", "--rundir", rundir, (char *)NULL);
		_exit(127);
	}
	usleep(100 * 1000); /* exec done */
	return pid;
}

START_TEST(test_kill_orphan)
{
	pid_t other = spawn_named("dyad-consoled", "/tmp/other-dir");
	pid_t mine = spawn_named("/opt/bin/dyad-consoled", "/tmp/my-dir");
	int st;

	ck_assert(proc_is_service_of(mine, "dyad-consoled", "/tmp/my-dir"));
	ck_assert(!proc_is_service_of(mine, "dyad-store", "/tmp/my-dir"));
	ck_assert(!proc_is_service_of(other, "dyad-consoled", "/tmp/my-dir"));
	ck_assert_int_eq(proc_kill_orphan(other, "dyad-consoled", "/tmp/my-dir"), 0);
	ck_assert_int_eq(waitpid(other, &st, WNOHANG), 0); /* still running */
	/* Our child, so it lingers as a zombie: reap it in the meantime. */
	ck_assert_int_eq(proc_kill_orphan(mine, "dyad-consoled", "/tmp/my-dir"), 1);
	ck_assert_int_eq(waitpid(mine, &st, 0), mine);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	kill(other, SIGKILL);
	ck_assert_int_eq(waitpid(other, &st, 0), other);
}
END_TEST

static Suite *proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *pure = tcase_create("backoff");
	TCase *tc = tcase_create("children");

	tcase_add_test(pure, test_backoff_doubles_and_caps);
	tcase_add_test(pure, test_backoff_resets_after_stable_run);
	tcase_add_test(pure, test_backoff_never_overflows);
	tcase_add_test(pure, test_should_restart);
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_add_limits);
	tcase_add_test(tc, test_exit_restart_when_due);
	tcase_add_test(tc, test_clean_exit_not_restarted_on_failure_policy);
	tcase_add_test(tc, test_missing_binary_backs_off);
	tcase_add_test(tc, test_stop_sigterm);
	tcase_add_test(tc, test_stop_sigkill_after_timeout);
	tcase_add_test(tc, test_no_restart_while_stopping);
	tcase_add_test(tc, test_adopt);
	tcase_add_test(tc, test_kill_orphan);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
