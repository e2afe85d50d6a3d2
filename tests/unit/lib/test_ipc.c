/*
 * Framed IPC: one datagram per message, descriptors passed intact,
 * oversized messages refused whole, peer credentials readable.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc.h"

static int sv[2];

static void setup(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
}

static void teardown(void)
{
	close(sv[0]);
	close(sv[1]);
}

START_TEST(messages_keep_their_boundaries)
{
	char buf[64];

	ck_assert_int_eq(ipc_send(sv[0], "hello", 5, NULL, 0), 0);
	ck_assert_int_eq(ipc_send(sv[0], "world!", 6, NULL, 0), 0);
	ck_assert_int_eq(ipc_recv(sv[1], buf, sizeof(buf), NULL, NULL), 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_int_eq(ipc_recv(sv[1], buf, sizeof(buf), NULL, NULL), 6);
}
END_TEST

START_TEST(descriptors_travel)
{
	int p[2], fds[IPC_MAX_FDS], n = IPC_MAX_FDS;
	char c = 0;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(ipc_send(sv[0], "x", 1, &p[1], 1), 0);
	ck_assert_int_eq(ipc_recv(sv[1], &c, 1, fds, &n), 1);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(write(fds[0], "z", 1), 1);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(c, 'z');
	ck_assert_int_ne(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, 0);
	close(fds[0]);
	close(p[0]);
	close(p[1]);
}
END_TEST

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

START_TEST(unwanted_descriptors_are_closed)
{
	int p[2], before;
	char c;

	before = open_fds();
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(ipc_send(sv[0], "x", 1, p, 2), 0);
	close(p[1]);
	close(p[0]);
	ck_assert_int_eq(ipc_recv(sv[1], &c, 1, NULL, NULL), 1);
	/* Both passed copies were closed on receipt. */
	ck_assert_int_eq(open_fds(), before);
}
END_TEST

START_TEST(oversized_is_refused)
{
	char big[256] = {0}, small[16];

	ck_assert_int_eq(ipc_send(sv[0], big, sizeof(big), NULL, 0), 0);
	ck_assert_int_eq(ipc_recv(sv[1], small, sizeof(small), NULL, NULL), -EMSGSIZE);
	ck_assert_int_eq(ipc_send(sv[0], NULL, 0, (int[]){0}, IPC_MAX_FDS + 1), -EINVAL);
}
END_TEST

START_TEST(peer_uid_and_paths)
{
	uid_t uid;
	int fd;
	char longpath[200];

	ck_assert_int_eq(ipc_peer_uid(sv[0], &uid), 0);
	ck_assert_int_eq(uid, getuid());
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = 0;
	ck_assert_int_eq(ipc_connect(longpath, &fd), -ENAMETOOLONG);
	ck_assert_int_eq(ipc_listen("", &fd), -ENAMETOOLONG);
	ck_assert_int_eq(ipc_peer_uid(-1, &uid), -EBADF);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ipc");
	TCase *tc = tcase_create("seqpacket");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, messages_keep_their_boundaries);
	tcase_add_test(tc, descriptors_travel);
	tcase_add_test(tc, unwanted_descriptors_are_closed);
	tcase_add_test(tc, oversized_is_refused);
	tcase_add_test(tc, peer_uid_and_paths);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
