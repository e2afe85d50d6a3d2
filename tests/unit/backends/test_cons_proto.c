/*
 * console.sock message validation (backends/console/cons_proto.c): each
 * type's exact or bounded payload size, magic and version, unknown types,
 * and a header whose len disagrees with the datagram.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cons_proto.h"

static uint8_t msg[CONS_PROTO_MSG_MAX + 16];

static size_t build(uint16_t type, uint32_t len)
{
	struct cons_msg_hdr h;

	cons_proto_hdr(&h, type, len);
	memset(msg, 0, sizeof(msg));
	memcpy(msg, &h, sizeof(h));
	return sizeof(h) + len;
}

START_TEST(valid_messages_pass)
{
	const char *what = "unset";

	ck_assert_int_eq(cons_proto_check(msg, build(CONS_MSG_ATTACH, 16), &what), 0);
	ck_assert_ptr_null(what);
	ck_assert_int_eq(cons_proto_check(msg, build(CONS_MSG_INPUT, 1), &what), 0);
	ck_assert_int_eq(cons_proto_check(msg, build(CONS_MSG_INPUT, CONS_PROTO_INPUT_MAX), &what),
			 0);
	ck_assert_int_eq(
		cons_proto_check(msg, build(CONS_MSG_DATA, 8 + CONS_PROTO_DATA_MAX), &what), 0);
	ck_assert_int_eq(
		cons_proto_check(msg, build(CONS_MSG_ATTACHED, sizeof(struct cons_msg_attached)),
				 &what),
		0);
	ck_assert_int_eq(cons_proto_check(msg, build(CONS_MSG_END, 8), &what), 0);
}
END_TEST

START_TEST(wrong_sizes_refused)
{
	const char *what = NULL;

	ck_assert_int_eq(cons_proto_check(msg, build(CONS_MSG_ATTACH, 15), &what), -EMSGSIZE);
	ck_assert_str_eq(what, "wrong payload size for its type");
	ck_assert_int_eq(cons_proto_check(msg, build(CONS_MSG_INPUT, 0), &what), -EMSGSIZE);
	ck_assert_int_eq(
		cons_proto_check(msg, build(CONS_MSG_INPUT, CONS_PROTO_INPUT_MAX + 1), &what),
		-EMSGSIZE);
	ck_assert_int_eq(cons_proto_check(msg, build(CONS_MSG_DATA, 8), &what), -EMSGSIZE);
	/* header says 16, datagram carries 20 */
	ck_assert_int_eq(cons_proto_check(msg, build(CONS_MSG_ATTACH, 16) + 4, &what), -EMSGSIZE);
	ck_assert_int_eq(cons_proto_check(msg, 15, &what), -EPROTO);
	ck_assert_str_eq(what, "message shorter than its header");
}
END_TEST

START_TEST(bad_magic_version_type_refused)
{
	const char *what = NULL;
	size_t n = build(CONS_MSG_ATTACH, 16);

	msg[0] ^= 1;
	ck_assert_int_eq(cons_proto_check(msg, n, &what), -EPROTO);
	ck_assert_str_eq(what, "bad magic or version");
	n = build(CONS_MSG_ATTACH, 16);
	msg[4] = 2; /* version */
	ck_assert_int_eq(cons_proto_check(msg, n, &what), -EPROTO);
	ck_assert_int_eq(cons_proto_check(msg, build(0, 0), &what), -EPROTO);
	ck_assert_str_eq(what, "unknown message type");
	ck_assert_int_eq(cons_proto_check(msg, build(CONS_MSG_END + 1, 8), &what), -EPROTO);
	ck_assert_int_eq(cons_proto_check(msg, build(0xffff, 8), &what), -EPROTO);
}
END_TEST

static Suite *cons_proto_suite(void)
{
	Suite *s = suite_create("cons_proto");
	TCase *tc = tcase_create("proto");

	tcase_add_test(tc, valid_messages_pass);
	tcase_add_test(tc, wrong_sizes_refused);
	tcase_add_test(tc, bad_magic_version_type_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cons_proto_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
