/*
 * dyad-dom0 itself, run for real against a fake core (fake_hv): it starts
 * the core and subscribes, restarts a core killed with SIGKILL, lets a
 * second supervisor for the same run directory exit 0, and stops its
 * children and removes its pid file on SIGTERM.  With a (script) console
 * daemon in the bin directory it starts it as `dyad-consoled --rundir DIR`
 * and restarts it when it dies; without one, the rest still runs (the
 * other tests).
 *
 * DYAD_DOM0_EXE and FAKE_HV_EXE are the built binaries (from CMake).
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"

static char tmpdir[64], bindir[96];
static pid_t dom0 = -1;

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int read_pid(const char *leaf)
{
	char path[160];
	int pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, leaf);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

/* Wait up to 5 s for dyad-hv.pid to name a live process other than `not`. */
static int wait_core(int not )
{
	for (int i = 0; i < 250; i++) {
		int pid = read_pid("dyad-hv.pid");

		if (pid > 0 && pid != not &&kill(pid, 0) == 0)
			return pid;
		sleep_ms(20);
	}
	ck_abort_msg("no core came up in %s", tmpdir);
	return 0;
}

static pid_t run_dom0(void)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl(DYAD_DOM0_EXE, "dyad-dom0", "--rundir", tmpdir, "--foreground", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* A stand-in dyad-consoled: records "args pid" per start, then sleeps. */
static void add_fake_consoled(void)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/dyad-consoled", bindir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\necho \"$* $$\" >>\"$2/consoled.starts\"\nexec sleep 1000\n");
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, 0700), 0);
}

static void make_dirs(void)
{
	char link[160];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dyad-ut.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(bindir, sizeof(bindir), "%s/bin", tmpdir);
	ck_assert_int_eq(mkdir(bindir, 0700), 0);
	snprintf(link, sizeof(link), "%s/dyad-hv", bindir);
	ck_assert_int_eq(symlink(FAKE_HV_EXE, link), 0);
	setenv("DYAD_BINDIR", bindir, 1);
	unsetenv("DYAD_RUNDIR");
}

static void setup(void)
{
	make_dirs();
	dom0 = run_dom0();
}

static void setup_with_consoled(void)
{
	make_dirs();
	add_fake_consoled();
	dom0 = run_dom0();
}

static void teardown(void)
{
	char cmd[128];

	/* SIGTERM, not SIGKILL: dyad-dom0 then stops its core too. */
	if (dom0 > 0 && kill(dom0, SIGTERM) == 0)
		waitpid(dom0, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_starts_and_restarts_core)
{
	int first = wait_core(0), second, status;
	char sock[160];
	int fd;

	snprintf(sock, sizeof(sock), "%s/hv.sock", tmpdir);
	ck_assert_int_eq(ipc_connect(sock, &fd), 0);
	close(fd);
	ck_assert_int_eq(read_pid("dyad-dom0.pid"), dom0);
	ck_assert_int_eq(kill(first, SIGKILL), 0);
	second = wait_core(first);
	ck_assert_int_ne(second, first);

	ck_assert_int_eq(kill(dom0, SIGTERM), 0);
	ck_assert_int_eq(waitpid(dom0, &status, 0), dom0);
	dom0 = -1;
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(read_pid("dyad-dom0.pid"), 0);
	ck_assert_int_ne(kill(second, 0), 0); /* the core was stopped (and reaped) */
}
END_TEST

START_TEST(test_second_supervisor_exits_zero)
{
	pid_t other;
	int status;

	wait_core(0);
	other = run_dom0();
	ck_assert_int_eq(waitpid(other, &status, 0), other);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(kill(dom0, 0), 0); /* the first one carries on */
	ck_assert_int_eq(read_pid("dyad-dom0.pid"), dom0);
}
END_TEST

START_TEST(test_sigint_stops)
{
	int core = wait_core(0), status;

	ck_assert_int_eq(kill(dom0, SIGINT), 0);
	ck_assert_int_eq(waitpid(dom0, &status, 0), dom0);
	dom0 = -1;
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_ne(kill(core, 0), 0);
}
END_TEST

/* Line n (from 1) of RUNDIR/consoled.starts, waiting up to 5 s for it. */
static void consoled_start(int n, char *args, size_t cap, int *pid)
{
	char path[160], line[256];

	snprintf(path, sizeof(path), "%s/consoled.starts", tmpdir);
	for (int i = 0; i < 250; i++, sleep_ms(20)) {
		FILE *f = fopen(path, "r");
		int k = 0;

		while (f && fgets(line, sizeof(line), f) && ++k < n)
			;
		if (f)
			fclose(f);
		if (k == n && strchr(line, '\n')) {
			char *sp = strrchr(line, ' ');

			*pid = atoi(sp + 1);
			*sp = '\0';
			snprintf(args, cap, "%s", line);
			return;
		}
	}
	ck_abort_msg("dyad-consoled start %d never came", n);
}

START_TEST(test_starts_and_restarts_consoled)
{
	char args[256], want[160];
	int first, second;

	wait_core(0);
	consoled_start(1, args, sizeof(args), &first);
	snprintf(want, sizeof(want), "--rundir %s", tmpdir);
	ck_assert_str_eq(args, want);
	ck_assert_int_eq(kill(first, 0), 0);
	ck_assert_int_eq(kill(first, SIGKILL), 0);
	consoled_start(2, args, sizeof(args), &second);
	ck_assert_int_ne(second, first);
	ck_assert_str_eq(args, want);
	ck_assert_int_eq(kill(second, 0), 0);
	ck_assert_int_eq(kill(dom0, SIGTERM), 0);
	ck_assert_int_eq(waitpid(dom0, NULL, 0), dom0);
	dom0 = -1;
	ck_assert_int_ne(kill(second, 0), 0); /* stopped with the rest */
}
END_TEST

static Suite *supervisor_suite(void)
{
	Suite *s = suite_create("supervisor");
	TCase *tc = tcase_create("dyad-dom0");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_starts_and_restarts_core);
	tcase_add_test(tc, test_second_supervisor_exits_zero);
	tcase_add_test(tc, test_sigint_stops);
	suite_add_tcase(s, tc);
	tc = tcase_create("consoled");
	tcase_add_checked_fixture(tc, setup_with_consoled, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_starts_and_restarts_consoled);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(supervisor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
