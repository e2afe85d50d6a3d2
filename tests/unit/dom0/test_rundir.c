/*
 * The run directory: the DYAD_RUNDIR override, path building limits,
 * directory creation, the binary directory, and starting services (with a
 * fake core that already answers, and with a dyad-dom0 that fails).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipc.h"
#include "rundir.h"

static char tmpdir[64];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dyad-ut.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	unsetenv("DYAD_RUNDIR");
	unsetenv("DYAD_BINDIR");
}

START_TEST(test_default_and_override)
{
	unsetenv("DYAD_RUNDIR");
	ck_assert_str_eq(rundir_path(), RUNDIR_DEFAULT);
	setenv("DYAD_RUNDIR", "", 1);
	ck_assert_str_eq(rundir_path(), RUNDIR_DEFAULT);
	setenv("DYAD_RUNDIR", "/tmp/x", 1);
	ck_assert_str_eq(rundir_path(), "/tmp/x");
}
END_TEST

START_TEST(test_file)
{
	char buf[64];

	setenv("DYAD_RUNDIR", "/tmp/x", 1);
	ck_assert_int_eq(rundir_file("hv.sock", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/tmp/x/hv.sock");
	/* Exactly fitting (14 chars + NUL) and one byte short. */
	ck_assert_int_eq(rundir_file("hv.sock", buf, 15), 0);
	ck_assert_int_eq(rundir_file("hv.sock", buf, 14), -ENAMETOOLONG);
	ck_assert_int_eq(rundir_file("", buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_file_socket_limit)
{
	char dir[200], buf[108];

	memset(dir, 'd', sizeof(dir));
	dir[0] = '/';
	dir[sizeof(dir) - 1] = '\0';
	setenv("DYAD_RUNDIR", dir, 1);
	ck_assert_int_eq(rundir_file("hv.sock", buf, sizeof(buf)), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_ensure_creates_dirs)
{
	char dir[128], domains[160];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/a/b/run", tmpdir);
	setenv("DYAD_RUNDIR", dir, 1);
	ck_assert_int_eq(rundir_ensure(), 0);
	ck_assert_int_eq(rundir_ensure(), 0); /* idempotent */
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	snprintf(domains, sizeof(domains), "%s/domains", dir);
	ck_assert_int_eq(stat(domains, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
}
END_TEST

START_TEST(test_ensure_on_a_file_fails)
{
	char file[128];
	FILE *fp;

	snprintf(file, sizeof(file), "%s/f", tmpdir);
	fp = fopen(file, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	setenv("DYAD_RUNDIR", file, 1);
	ck_assert_int_eq(rundir_ensure(), -ENOTDIR);
}
END_TEST

START_TEST(test_bindir)
{
	char buf[4096], exe[4096];
	ssize_t n;

	ck_assert_int_eq(rundir_bindir(buf, sizeof(buf)), 0);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	ck_assert_str_eq(buf, exe);
	ck_assert_int_eq(rundir_bindir(buf, 2), -ENAMETOOLONG);
	setenv("DYAD_BINDIR", "/opt/dyad/bin", 1);
	ck_assert_int_eq(rundir_bindir(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/opt/dyad/bin");
}
END_TEST

START_TEST(test_services_already_running)
{
	char sock[128], err[256];
	int lfd;

	setenv("DYAD_RUNDIR", tmpdir, 1);
	snprintf(sock, sizeof(sock), "%s/hv.sock", tmpdir);
	ck_assert_int_eq(ipc_listen(sock, &lfd), 0);
	setenv("DYAD_BINDIR", "/nonexistent", 1);
	ck_assert_int_eq(rundir_ensure_services(err, sizeof(err)), 0);
	close(lfd);
}
END_TEST

START_TEST(test_services_dom0_fails)
{
	char path[128], err[512];
	FILE *fp;

	if (access("/dev/kvm", R_OK | W_OK) < 0)
		return; /* the /dev/kvm check answers first; covered elsewhere */
	setenv("DYAD_RUNDIR", tmpdir, 1);
	setenv("DYAD_BINDIR", tmpdir, 1);
	snprintf(path, sizeof(path), "%s/dyad-dom0", tmpdir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("#!/bin/sh\necho fake dom0 failing >&2\nexit 3\n", fp);
	fclose(fp);
	ck_assert_int_eq(chmod(path, 0755), 0);
	ck_assert_int_lt(rundir_ensure_services(err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "exited with status 3"));
	ck_assert_ptr_nonnull(strstr(err, "dyad-dom0.log"));
}
END_TEST

START_TEST(test_services_no_binary)
{
	char err[512];

	if (access("/dev/kvm", R_OK | W_OK) < 0)
		return;
	setenv("DYAD_RUNDIR", tmpdir, 1);
	setenv("DYAD_BINDIR", "/nonexistent", 1);
	ck_assert_int_eq(rundir_ensure_services(err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dyad-dom0"));
}
END_TEST

START_TEST(test_services_rundir_too_long)
{
	char dir[200], err[512];

	memset(dir, 'd', sizeof(dir));
	dir[0] = '/';
	dir[sizeof(dir) - 1] = '\0';
	setenv("DYAD_RUNDIR", dir, 1);
	ck_assert_int_eq(rundir_ensure_services(err, sizeof(err)), -ENAMETOOLONG);
	ck_assert_ptr_nonnull(strstr(err, "too long"));
}
END_TEST

static Suite *rundir_suite(void)
{
	Suite *s = suite_create("rundir");
	TCase *tc = tcase_create("rundir");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_default_and_override);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_file_socket_limit);
	tcase_add_test(tc, test_ensure_creates_dirs);
	tcase_add_test(tc, test_ensure_on_a_file_fails);
	tcase_add_test(tc, test_bindir);
	tcase_add_test(tc, test_services_already_running);
	tcase_add_test(tc, test_services_dom0_fails);
	tcase_add_test(tc, test_services_no_binary);
	tcase_add_test(tc, test_services_rundir_too_long);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rundir_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
