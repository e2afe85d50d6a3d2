/*
 * Control-protocol framing: every request type accepts exactly its size,
 * anything else is refused with the documented errno and a reason.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_msg.h"

static unsigned char msg[DYAD_CTL_MAX_MSG + 16];

static struct dyad_ctl_hdr *frame(uint16_t type, uint32_t len)
{
	struct dyad_ctl_hdr *h = (struct dyad_ctl_hdr *)msg;

	memset(msg, 0, sizeof(msg));
	h->magic = DYAD_CTL_MAGIC;
	h->version = DYAD_CTL_VERSION;
	h->type = type;
	h->len = len;
	return h;
}

START_TEST(every_type_accepts_its_size)
{
	for (uint16_t t = 1; t < DYAD_CTL_TYPE_MAX; t++) {
		long n = ctl_msg_request_size(t);
		const char *what;

		ck_assert_int_ge(n, 0);
		ck_assert_int_eq(ctl_msg_check_request(frame(t, (uint32_t)n),
						       sizeof(struct dyad_ctl_hdr) + (size_t)n,
						       &what),
				 0);
		ck_assert_str_ne(ctl_msg_type_name(t), "unknown");
	}
}
END_TEST

START_TEST(wrong_size_is_emsgsize)
{
	const char *what;
	size_t n = sizeof(struct dyad_ctl_create) - 1;

	ck_assert_int_eq(ctl_msg_check_request(frame(DYAD_CTL_CREATE, (uint32_t)n),
					       sizeof(struct dyad_ctl_hdr) + n, &what),
			 -EMSGSIZE);
	ck_assert_str_eq(what, "wrong payload size for this request type");
}
END_TEST

START_TEST(bad_framing_is_eproto)
{
	const char *what;
	struct dyad_ctl_hdr *h = frame(DYAD_CTL_LIST, 0);

	ck_assert_int_eq(ctl_msg_check_request(h, 3, &what), -EPROTO);
	h->magic = 0x12345678;
	ck_assert_int_eq(ctl_msg_check_request(h, sizeof(*h), &what), -EPROTO);
	ck_assert_str_eq(what, "bad magic");
	h = frame(DYAD_CTL_LIST, 0);
	h->version = 2;
	ck_assert_int_eq(ctl_msg_check_request(h, sizeof(*h), &what), -EPROTO);
	h = frame(DYAD_CTL_LIST, 4);
	ck_assert_int_eq(ctl_msg_check_request(h, sizeof(*h), &what), -EPROTO);
	ck_assert_str_eq(what, "payload length does not match the message");
}
END_TEST

START_TEST(unknown_types_are_eopnotsupp)
{
	const uint16_t bad[] = {0, DYAD_CTL_TYPE_MAX, DYAD_CTL_EVENT, 0xffff,
				DYAD_CTL_CREATE | DYAD_CTL_REPLY};
	const char *what;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(
			ctl_msg_check_request(frame(bad[i], 0), sizeof(struct dyad_ctl_hdr), &what),
			-EOPNOTSUPP);
}
END_TEST

START_TEST(replies_are_checked_against_the_request)
{
	const char *what;
	struct dyad_ctl_hdr *h =
		frame(DYAD_CTL_INFO | DYAD_CTL_REPLY, sizeof(struct dyad_ctl_status));
	size_t total = sizeof(*h) + sizeof(struct dyad_ctl_status);

	/* A success reply must carry the whole dominfo; an error only its status. */
	ck_assert_int_eq(ctl_msg_check_reply(h, total, DYAD_CTL_INFO, &what), -EMSGSIZE);
	((struct dyad_ctl_status *)(h + 1))->status = -ESRCH;
	ck_assert_int_eq(ctl_msg_check_reply(h, total, DYAD_CTL_INFO, &what), 0);
	ck_assert_int_eq(ctl_msg_check_reply(h, total, DYAD_CTL_LIST, &what), -EPROTO);
	h = frame(DYAD_CTL_EVENT, sizeof(struct dyad_ctl_event));
	ck_assert_int_eq(ctl_msg_check_reply(h, sizeof(*h) + sizeof(struct dyad_ctl_event),
					     DYAD_CTL_LIST, &what),
			 0);
}
END_TEST

START_TEST(names)
{
	ck_assert_int_eq(ctl_msg_check_name("web-1.test_x", DYAD_NAME_MAX), 0);
	ck_assert_int_eq(ctl_msg_check_name("", DYAD_NAME_MAX), -EINVAL);
	ck_assert_int_eq(ctl_msg_check_name("123", DYAD_NAME_MAX), -EINVAL);
	ck_assert_int_eq(ctl_msg_check_name("a b", DYAD_NAME_MAX), -EINVAL);
	ck_assert_int_eq(ctl_msg_check_name("a/b", DYAD_NAME_MAX), -EINVAL);
	ck_assert_int_eq(ctl_msg_check_name("abcd", 4), -EINVAL); /* no NUL inside cap */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctl_msg");
	TCase *tc = tcase_create("framing");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, every_type_accepts_its_size);
	tcase_add_test(tc, wrong_size_is_emsgsize);
	tcase_add_test(tc, bad_framing_is_eproto);
	tcase_add_test(tc, unknown_types_are_eopnotsupp);
	tcase_add_test(tc, replies_are_checked_against_the_request);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
