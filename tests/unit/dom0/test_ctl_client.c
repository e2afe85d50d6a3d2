/*
 * ctl_client against a scripted fake core: good replies, and every way a
 * broken or lying core can answer (wrong type, wrong seq, truncated
 * payloads, list counts past the payload, bad statuses, a closed peer), plus
 * events that arrive before a reply and are handed out later.
 *
 * The client numbers its requests from 1, so a test queues "reply to seq N"
 * before making its Nth call.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl_client.h"
#include "fake_core.h"

static struct fake_core f;

static void setup(void)
{
	fake_core_start(&f);
}

static void teardown(void)
{
	fake_core_stop(&f);
}

static struct dyad_ctl_dominfo info_of(uint32_t domid, const char *name)
{
	struct dyad_ctl_dominfo d;

	memset(&d, 0, sizeof(d));
	d.domid = domid;
	d.vcpus = 1;
	d.mem_mb = 128;
	memcpy(d.name, name, strlen(name));
	return d;
}

START_TEST(test_pause_ok_and_request_shape)
{
	struct dyad_ctl_hdr hdr;
	struct dyad_ctl_dom dom;

	fake_core_reply(&f, DYAD_CTL_PAUSE, 1, 0, NULL, 0);
	ck_assert_int_eq(ctl_pause(f.client, 7), 0);
	ck_assert_uint_eq(fake_core_request(&f, &hdr, &dom, sizeof(dom)), sizeof(dom));
	ck_assert_uint_eq(hdr.magic, DYAD_CTL_MAGIC);
	ck_assert_uint_eq(hdr.version, DYAD_CTL_VERSION);
	ck_assert_uint_eq(hdr.type, DYAD_CTL_PAUSE);
	ck_assert_uint_eq(hdr.seq, 1);
	ck_assert_uint_eq(dom.domid, 7);
	/* The next call carries the next sequence number. */
	fake_core_reply(&f, DYAD_CTL_UNPAUSE, 2, 0, NULL, 0);
	ck_assert_int_eq(ctl_unpause(f.client, 7), 0);
}
END_TEST

START_TEST(test_error_status_returned)
{
	fake_core_reply(&f, DYAD_CTL_DESTROY, 1, -ESRCH, NULL, 0);
	ck_assert_int_eq(ctl_destroy(f.client, 9), -ESRCH);
	/* An error is not a protocol failure: the connection stays usable. */
	fake_core_reply(&f, DYAD_CTL_DESTROY, 2, 0, NULL, 0);
	ck_assert_int_eq(ctl_destroy(f.client, 9), 0);
}
END_TEST

START_TEST(test_wrong_type_is_eproto_and_sticky)
{
	fake_core_reply(&f, DYAD_CTL_UNPAUSE, 1, 0, NULL, 0);
	ck_assert_int_eq(ctl_pause(f.client, 1), -EPROTO);
	fake_core_reply(&f, DYAD_CTL_PAUSE, 2, 0, NULL, 0);
	ck_assert_int_eq(ctl_pause(f.client, 1), -EPROTO);
}
END_TEST

START_TEST(test_wrong_seq_is_eproto)
{
	fake_core_reply(&f, DYAD_CTL_PAUSE, 5, 0, NULL, 0);
	ck_assert_int_eq(ctl_pause(f.client, 1), -EPROTO);
}
END_TEST

START_TEST(test_truncated_info_is_eproto)
{
	/* Success status but no dominfo behind it. */
	fake_core_reply(&f, DYAD_CTL_INFO, 1, 0, "abcd", 4);
	struct dyad_ctl_dominfo d;

	ck_assert_int_eq(ctl_info(f.client, 1, &d), -EPROTO);
}
END_TEST

START_TEST(test_bad_framing_is_eproto)
{
	struct {
		struct dyad_ctl_hdr hdr;
		struct dyad_ctl_status st;
	} m = {{DYAD_CTL_MAGIC, DYAD_CTL_VERSION, DYAD_CTL_PAUSE | DYAD_CTL_REPLY, 100, 1}, {0, 0}};

	/* hdr.len claims more than the datagram holds. */
	fake_core_raw(&f, &m, sizeof(m));
	ck_assert_int_eq(ctl_pause(f.client, 1), -EPROTO);
}
END_TEST

START_TEST(test_bad_magic_is_eproto)
{
	struct {
		struct dyad_ctl_hdr hdr;
		struct dyad_ctl_status st;
	} m = {{0x1234, DYAD_CTL_VERSION, DYAD_CTL_PAUSE | DYAD_CTL_REPLY, 8, 1}, {0, 0}};

	fake_core_raw(&f, &m, sizeof(m));
	ck_assert_int_eq(ctl_pause(f.client, 1), -EPROTO);
}
END_TEST

START_TEST(test_short_datagram_is_eproto)
{
	fake_core_raw(&f, "xy", 2);
	ck_assert_int_eq(ctl_pause(f.client, 1), -EPROTO);
}
END_TEST

START_TEST(test_positive_status_is_eproto)
{
	fake_core_reply(&f, DYAD_CTL_PAUSE, 1, 5, NULL, 0);
	ck_assert_int_eq(ctl_pause(f.client, 1), -EPROTO);
}
END_TEST

START_TEST(test_huge_negative_status_is_eproto)
{
	fake_core_reply(&f, DYAD_CTL_PAUSE, 1, -100000, NULL, 0);
	ck_assert_int_eq(ctl_pause(f.client, 1), -EPROTO);
}
END_TEST

START_TEST(test_list_ok_terminates_names)
{
	unsigned char body[8 + 2 * sizeof(struct dyad_ctl_dominfo)];
	struct dyad_ctl_dominfo d[2] = {info_of(0, "a"), info_of(3, "web")};
	struct dyad_ctl_dominfo *v = NULL;
	uint32_t count = 2, pad = 0;
	unsigned int n = 0;

	memset(d[1].name, 'x', sizeof(d[1].name)); /* no NUL at all */
	memcpy(body, &count, 4);
	memcpy(body + 4, &pad, 4);
	memcpy(body + 8, d, sizeof(d));
	fake_core_reply(&f, DYAD_CTL_LIST, 1, 0, body, sizeof(body));
	ck_assert_int_eq(ctl_list(f.client, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].name, "a");
	ck_assert_uint_eq(v[1].domid, 3);
	ck_assert_uint_eq(strlen(v[1].name), DYAD_NAME_MAX - 1);
	free(v);
}
END_TEST

START_TEST(test_list_empty)
{
	uint32_t body[2] = {0, 0};
	struct dyad_ctl_dominfo *v = NULL;
	unsigned int n = 99;

	fake_core_reply(&f, DYAD_CTL_LIST, 1, 0, body, sizeof(body));
	ck_assert_int_eq(ctl_list(f.client, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
}
END_TEST

START_TEST(test_list_count_past_payload)
{
	unsigned char body[8 + sizeof(struct dyad_ctl_dominfo)];
	struct dyad_ctl_dominfo d = info_of(1, "one");
	struct dyad_ctl_dominfo *v = NULL;
	uint32_t count = 2, pad = 0;
	unsigned int n = 0;

	memcpy(body, &count, 4);
	memcpy(body + 4, &pad, 4);
	memcpy(body + 8, &d, sizeof(d));
	fake_core_reply(&f, DYAD_CTL_LIST, 1, 0, body, sizeof(body));
	ck_assert_int_eq(ctl_list(f.client, &v, &n), -EPROTO);
	ck_assert_ptr_null(v);
}
END_TEST

START_TEST(test_list_huge_count)
{
	uint32_t body[2] = {0xffffffffu, 0};
	struct dyad_ctl_dominfo *v = NULL;
	unsigned int n = 0;

	fake_core_reply(&f, DYAD_CTL_LIST, 1, 0, body, sizeof(body));
	ck_assert_int_eq(ctl_list(f.client, &v, &n), -EPROTO);
}
END_TEST

START_TEST(test_events_queued_before_reply)
{
	struct dyad_ctl_event ev;
	char longname[DYAD_NAME_MAX + 8];

	memset(longname, 'n', sizeof(longname));
	longname[sizeof(longname) - 1] = '\0';
	fake_core_event(&f, DYAD_EVENT_SHUTDOWN, 4, "four");
	fake_core_event(&f, DYAD_EVENT_CRASHED, 5, longname);
	fake_core_reply(&f, DYAD_CTL_SUBSCRIBE, 1, 0, NULL, 0);
	ck_assert_int_eq(ctl_subscribe(f.client), 0);
	fake_core_event(&f, DYAD_EVENT_DESTROYED, 4, "four");

	ck_assert_int_eq(ctl_next_event(f.client, &ev), 0);
	ck_assert_uint_eq(ev.kind, DYAD_EVENT_SHUTDOWN);
	ck_assert_uint_eq(ev.domid, 4);
	ck_assert_str_eq(ev.name, "four");
	ck_assert_int_eq(ctl_next_event(f.client, &ev), 0);
	ck_assert_uint_eq(ev.kind, DYAD_EVENT_CRASHED);
	ck_assert_uint_eq(strlen(ev.name), DYAD_NAME_MAX - 1);
	ck_assert_int_eq(ctl_next_event(f.client, &ev), 0);
	ck_assert_uint_eq(ev.kind, DYAD_EVENT_DESTROYED);

	/* Non-blocking subscribers see -EAGAIN when nothing is pending. */
	ck_assert_int_eq(fcntl(ctl_client_fd(f.client), F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(ctl_next_event(f.client, &ev), -EAGAIN);
	/* A call still works on a non-blocking socket. */
	fake_core_reply(&f, DYAD_CTL_PAUSE, 2, 0, NULL, 0);
	ck_assert_int_eq(ctl_pause(f.client, 4), 0);
}
END_TEST

START_TEST(test_event_wrong_size_is_eproto)
{
	struct {
		struct dyad_ctl_hdr hdr;
		uint32_t junk[2];
	} m = {{DYAD_CTL_MAGIC, DYAD_CTL_VERSION, DYAD_CTL_EVENT, 8, 0}, {1, 2}};
	struct dyad_ctl_event ev;

	fake_core_raw(&f, &m, sizeof(m));
	ck_assert_int_eq(ctl_next_event(f.client, &ev), -EPROTO);
}
END_TEST

START_TEST(test_unsolicited_reply_is_eproto)
{
	struct dyad_ctl_event ev;

	fake_core_reply(&f, DYAD_CTL_PAUSE, 1, 0, NULL, 0);
	ck_assert_int_eq(ctl_next_event(f.client, &ev), -EPROTO);
}
END_TEST

START_TEST(test_closed_peer_econnreset)
{
	struct dyad_ctl_event ev;

	close(f.fd);
	f.fd = -1;
	ck_assert_int_eq(ctl_pause(f.client, 1), -ECONNRESET);
	ck_assert_int_eq(ctl_next_event(f.client, &ev), -ECONNRESET);
}
END_TEST

START_TEST(test_peer_closes_after_request)
{
	struct dyad_ctl_event ev;

	shutdown(f.fd, SHUT_WR);
	ck_assert_int_eq(ctl_pause(f.client, 1), -ECONNRESET);
	ck_assert_int_eq(ctl_next_event(f.client, &ev), -ECONNRESET);
}
END_TEST

START_TEST(test_memfd_passed)
{
	struct {
		uint64_t size;
	} body = {1 << 20};
	int mfd = memfd_create("t", MFD_CLOEXEC), fd = -1;
	uint64_t size = 0;

	ck_assert_int_ge(mfd, 0);
	fake_core_reply_fd(&f, DYAD_CTL_GET_MEMFD, 1, 0, &body, sizeof(body), mfd);
	close(mfd);
	ck_assert_int_eq(ctl_get_memfd(f.client, 1, &fd, &size), 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(size, 1 << 20);
	close(fd);
}
END_TEST

START_TEST(test_memfd_missing_fd)
{
	uint64_t body = 4096, size;
	int fd = 123;

	fake_core_reply(&f, DYAD_CTL_GET_MEMFD, 1, 0, &body, sizeof(body));
	ck_assert_int_eq(ctl_get_memfd(f.client, 1, &fd, &size), -EPROTO);
}
END_TEST

START_TEST(test_call_closes_unwanted_fds)
{
	int mfd = memfd_create("t", MFD_CLOEXEC), probe;

	ck_assert_int_ge(mfd, 0);
	fake_core_reply_fd(&f, DYAD_CTL_PAUSE, 1, 0, NULL, 0, mfd);
	close(mfd);
	ck_assert_int_eq(ctl_pause(f.client, 1), 0);
	/* The received descriptor was closed: the lowest free number is mfd's. */
	probe = dup(0);
	ck_assert_int_eq(probe, mfd);
	close(probe);
}
END_TEST

START_TEST(test_call_reply_too_big_for_caller)
{
	struct dyad_ctl_dominfo d = info_of(1, "one");
	struct dyad_ctl_dom req = {.domid = 1};
	unsigned char rep[16];
	size_t len = 0;

	fake_core_reply(&f, DYAD_CTL_INFO, 1, 0, &d, sizeof(d));
	ck_assert_int_eq(ctl_client_call(f.client, DYAD_CTL_INFO, &req, sizeof(req), rep,
					 sizeof(rep), &len, NULL),
			 -EMSGSIZE);
	ck_assert_uint_eq(len, 8 + sizeof(d));
	/* The reply was consumed whole: the connection is still in step. */
	fake_core_reply(&f, DYAD_CTL_PAUSE, 2, 0, NULL, 0);
	ck_assert_int_eq(ctl_pause(f.client, 1), 0);
}
END_TEST

START_TEST(test_physinfo_strings_terminated)
{
	struct dyad_ctl_physinfo p;

	memset(&p, 'A', sizeof(p));
	p.st.status = 0;
	fake_core_reply(&f, DYAD_CTL_PHYSINFO, 1, 0, (char *)&p + sizeof(p.st),
			sizeof(p) - sizeof(p.st));
	ck_assert_int_eq(ctl_physinfo(f.client, &p), 0);
	ck_assert_uint_eq(strlen(p.kvm_flavour), sizeof(p.kvm_flavour) - 1);
	ck_assert_uint_eq(strlen(p.caps), sizeof(p.caps) - 1);
	ck_assert_uint_eq(strlen(p.version), sizeof(p.version) - 1);
}
END_TEST

static void queue_stream(uint32_t seq, const char *data, uint32_t claimed)
{
	unsigned char body[256];
	struct dyad_ctl_data h = {.offset = 10, .next = 10 + strlen(data), .len = claimed};

	memcpy(body, (char *)&h + sizeof(h.st), sizeof(h) - sizeof(h.st));
	memcpy(body + sizeof(h) - sizeof(h.st), data, strlen(data));
	fake_core_reply(&f, DYAD_CTL_DMESG, seq, 0, body, sizeof(h) - sizeof(h.st) + strlen(data));
}

START_TEST(test_read_stream)
{
	static char buf[DYAD_CTL_READ_MAX];
	struct dyad_ctl_data h;

	queue_stream(1, "hello", 5);
	ck_assert_int_eq(ctl_read_stream(f.client, DYAD_CTL_DMESG, 0, 0, 0, buf, sizeof(buf), &h),
			 0);
	ck_assert_uint_eq(h.len, 5);
	ck_assert_uint_eq(h.offset, 10);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
}
END_TEST

START_TEST(test_read_stream_length_lies)
{
	static char buf[DYAD_CTL_READ_MAX];
	struct dyad_ctl_data h;

	queue_stream(1, "hello", 5000);
	ck_assert_int_eq(ctl_read_stream(f.client, DYAD_CTL_DMESG, 0, 0, 0, buf, sizeof(buf), &h),
			 -EPROTO);
}
END_TEST

static void queue_info(uint32_t seq, int32_t status, uint32_t domid, const char *name)
{
	struct dyad_ctl_dominfo d = info_of(domid, name);

	fake_core_reply(&f, DYAD_CTL_INFO, seq, status, status ? NULL : &d, status ? 0 : sizeof(d));
}

static void queue_list(uint32_t seq)
{
	unsigned char body[8 + 2 * sizeof(struct dyad_ctl_dominfo)];
	struct dyad_ctl_dominfo d[2] = {info_of(3, "web"), info_of(12, "db")};
	uint32_t count = 2, pad = 0;

	memcpy(body, &count, 4);
	memcpy(body + 4, &pad, 4);
	memcpy(body + 8, d, sizeof(d));
	fake_core_reply(&f, DYAD_CTL_LIST, seq, 0, body, sizeof(body));
}

START_TEST(test_lookup_numeric)
{
	uint32_t id = 0;
	struct dyad_ctl_hdr hdr;
	struct dyad_ctl_dom dom;

	queue_info(1, 0, 3, "web");
	ck_assert_int_eq(ctl_lookup(f.client, "3", &id), 0);
	ck_assert_uint_eq(id, 3);
	fake_core_request(&f, &hdr, &dom, sizeof(dom));
	ck_assert_uint_eq(hdr.type, DYAD_CTL_INFO);
	ck_assert_uint_eq(dom.domid, 3);
}
END_TEST

START_TEST(test_lookup_name)
{
	uint32_t id = 0;
	struct dyad_ctl_hdr hdr;
	char payload[8];

	queue_list(1);
	ck_assert_int_eq(ctl_lookup(f.client, "db", &id), 0);
	ck_assert_uint_eq(id, 12);
	ck_assert_uint_eq(fake_core_request(&f, &hdr, payload, sizeof(payload)), 0);
	ck_assert_uint_eq(hdr.type, DYAD_CTL_LIST);
}
END_TEST

START_TEST(test_lookup_unknown)
{
	uint32_t id = 77;

	queue_list(1);
	ck_assert_int_eq(ctl_lookup(f.client, "nosuch", &id), -ESRCH);
	ck_assert_uint_eq(id, 77);
	/* A numeric id that does not exist falls back to names, and fails. */
	queue_info(2, -ESRCH, 0, "");
	queue_list(3);
	ck_assert_int_eq(ctl_lookup(f.client, "99", &id), -ESRCH);
}
END_TEST

START_TEST(test_lookup_not_strictly_numeric)
{
	uint32_t id = 0;
	struct dyad_ctl_hdr hdr;
	char payload[8];

	/* "4294967296" overflows u32, "+3" and "3 " are not digits only: names. */
	queue_list(1);
	ck_assert_int_eq(ctl_lookup(f.client, "4294967296", &id), -ESRCH);
	fake_core_request(&f, &hdr, payload, sizeof(payload));
	ck_assert_uint_eq(hdr.type, DYAD_CTL_LIST);
	queue_list(2);
	ck_assert_int_eq(ctl_lookup(f.client, "+3", &id), -ESRCH);
	queue_list(3);
	ck_assert_int_eq(ctl_lookup(f.client, "3 ", &id), -ESRCH);
	queue_list(4);
	ck_assert_int_eq(ctl_lookup(f.client, "", &id), -ESRCH);
}
END_TEST

START_TEST(test_request_too_big)
{
	static char req[DYAD_CTL_MAX_MSG];

	ck_assert_int_eq(
		ctl_client_call(f.client, DYAD_CTL_CREATE, req, sizeof(req), NULL, 0, NULL, NULL),
		-EINVAL);
}
END_TEST

START_TEST(test_open_missing_socket)
{
	struct ctl_client *c = NULL;

	ck_assert_int_eq(ctl_client_open("/nonexistent-dyad-dir", &c), -ENOENT);
	ck_assert_ptr_null(c);
}
END_TEST

static Suite *ctl_client_suite(void)
{
	Suite *s = suite_create("ctl_client");
	TCase *tc = tcase_create("protocol");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pause_ok_and_request_shape);
	tcase_add_test(tc, test_error_status_returned);
	tcase_add_test(tc, test_wrong_type_is_eproto_and_sticky);
	tcase_add_test(tc, test_wrong_seq_is_eproto);
	tcase_add_test(tc, test_truncated_info_is_eproto);
	tcase_add_test(tc, test_bad_framing_is_eproto);
	tcase_add_test(tc, test_bad_magic_is_eproto);
	tcase_add_test(tc, test_short_datagram_is_eproto);
	tcase_add_test(tc, test_positive_status_is_eproto);
	tcase_add_test(tc, test_huge_negative_status_is_eproto);
	tcase_add_test(tc, test_list_ok_terminates_names);
	tcase_add_test(tc, test_list_empty);
	tcase_add_test(tc, test_list_count_past_payload);
	tcase_add_test(tc, test_list_huge_count);
	tcase_add_test(tc, test_events_queued_before_reply);
	tcase_add_test(tc, test_event_wrong_size_is_eproto);
	tcase_add_test(tc, test_unsolicited_reply_is_eproto);
	tcase_add_test(tc, test_closed_peer_econnreset);
	tcase_add_test(tc, test_peer_closes_after_request);
	tcase_add_test(tc, test_memfd_passed);
	tcase_add_test(tc, test_memfd_missing_fd);
	tcase_add_test(tc, test_call_closes_unwanted_fds);
	tcase_add_test(tc, test_call_reply_too_big_for_caller);
	tcase_add_test(tc, test_physinfo_strings_terminated);
	tcase_add_test(tc, test_read_stream);
	tcase_add_test(tc, test_read_stream_length_lies);
	tcase_add_test(tc, test_lookup_numeric);
	tcase_add_test(tc, test_lookup_name);
	tcase_add_test(tc, test_lookup_unknown);
	tcase_add_test(tc, test_lookup_not_strictly_numeric);
	tcase_add_test(tc, test_request_too_big);
	tcase_add_test(tc, test_open_missing_socket);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctl_client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
