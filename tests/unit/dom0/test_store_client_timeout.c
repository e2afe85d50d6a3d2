/*
 * store_client_set_timeout(): against a listener that never answers, a
 * request gives up with -ETIMEDOUT within about the timeout and the
 * connection stays unusable; against one that answers, a request with a
 * timeout set succeeds as before.
 */
#include <dyad/xen.h>
#include <xen/io/xs_wire.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store_client.h"

static char sock_path[108];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A listening socket at a fresh path; connect() succeeds from the backlog. */
static int listener(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sock_path, sizeof(sock_path), "/tmp/dyad-sct-%d.sock", (int)getpid());
	unlink(sock_path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	return fd;
}

START_TEST(test_silent_store_times_out)
{
	int lfd = listener();
	struct store_client *c;
	char *val = NULL;
	uint64_t t0;

	ck_assert_int_eq(store_client_open(sock_path, &c), 0);
	ck_assert_int_eq(store_client_set_timeout(c, 200), 0);
	t0 = now_ms();
	ck_assert_int_eq(store_client_read(c, 0, "/local", &val, NULL), -ETIMEDOUT);
	ck_assert_uint_ge(now_ms() - t0, 150);
	ck_assert_uint_lt(now_ms() - t0, 2000);
	/* Unusable from now on, at once. */
	t0 = now_ms();
	ck_assert_int_eq(store_client_write(c, 0, "/x", "1", 1), -ETIMEDOUT);
	ck_assert_uint_lt(now_ms() - t0, 100);
	ck_assert_ptr_null(val);
	store_client_close(c);
	close(lfd);
	unlink(sock_path);
}
END_TEST

/* Child: accept one connection, answer one request with XS_READ "hello". */
static void answer_once(int lfd)
{
	struct xsd_sockmsg h;
	char body[256];
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0 || recv(fd, &h, sizeof(h), MSG_WAITALL) != (ssize_t)sizeof(h) ||
	    h.len > sizeof(body) || recv(fd, body, h.len, MSG_WAITALL) != (ssize_t)h.len)
		_exit(1);
	h.len = 5;
	if (send(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || send(fd, "hello", 5, 0) != 5)
		_exit(1);
	_exit(0);
}

START_TEST(test_answering_store_within_timeout)
{
	int lfd = listener(), st;
	struct store_client *c;
	char *val = NULL;
	size_t len = 0;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		answer_once(lfd);
	ck_assert_int_eq(store_client_open(sock_path, &c), 0);
	ck_assert_int_eq(store_client_set_timeout(c, 2000), 0);
	ck_assert_int_eq(store_client_read(c, 0, "/local", &val, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq(val, "hello");
	free(val);
	store_client_close(c);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(lfd);
	unlink(sock_path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store_client_timeout");
	TCase *tc = tcase_create("timeout");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_silent_store_times_out);
	tcase_add_test(tc, test_answering_store_within_timeout);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
