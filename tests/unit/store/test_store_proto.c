/*
 * Table-driven protocol tests for dyad-store's core: every xs_wire message
 * type and its errors, run as dom0 (privileged) and as two guests (domains
 * 1 and 2) over an in-memory transport.  The main table is a script run in
 * order against one store; watches, quotas and DIRECTORY_PART have their
 * own tests because they look at more than one reply.
 */
#include "store_harness.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>

#define P(s) s, sizeof(s) - 1

struct row {
	unsigned int who; /* 0: dom0, 1: domain 1, 2: domain 2 */
	uint32_t type;
	unsigned int tx; /* transaction slot (0: none) */
	const char *req;
	size_t rlen;
	uint32_t rtype;	 /* expected reply type */
	const char *rep; /* expected reply body (NULL: don't care) */
	size_t replen;
	unsigned int save; /* store a TRANSACTION_START reply in this slot */
};

#define OK(w, t, x, r)                                                                             \
	{                                                                                          \
		w, t, x, P(r), t, P("OK\0"), 0                                                     \
	}
#define ERR(w, t, x, r, e)                                                                         \
	{                                                                                          \
		w, t, x, P(r), XS_ERROR, P(e "\0"), 0                                              \
	}
#define GOT(w, t, x, r, b)                                                                         \
	{                                                                                          \
		w, t, x, P(r), t, P(b), 0                                                          \
	}
#define START(w, x, slot)                                                                          \
	{                                                                                          \
		w, XS_TRANSACTION_START, x, P("\0"), XS_TRANSACTION_START, NULL, 0, slot           \
	}

static const struct row script[] = {
	/* Set-up: two guests with their homes. */
	OK(0, XS_INTRODUCE, 0,
	   "1\0"
	   "4660\0"
	   "5\0"),
	OK(0, XS_INTRODUCE, 0,
	   "2\0"
	   "4661\0"
	   "6\0"),
	OK(0, XS_INTRODUCE, 0,
	   "1\0"
	   "4660\0"
	   "5\0"), /* same again: fine */
	ERR(0, XS_INTRODUCE, 0,
	    "1\0"
	    "9\0"
	    "5\0",
	    "EEXIST"),
	OK(0, XS_MKDIR, 0, "/local/domain/1\0"),
	OK(0, XS_SET_PERMS, 0,
	   "/local/domain/1\0"
	   "n1\0"),
	OK(0, XS_MKDIR, 0, "/local/domain/2\0"),
	OK(0, XS_SET_PERMS, 0,
	   "/local/domain/2\0"
	   "n2\0"),
	/* READ, WRITE, MKDIR, DIRECTORY, implicit parents. */
	ERR(0, XS_READ, 0, "/nope\0", "ENOENT"), OK(0, XS_WRITE, 0, "/a/b/c\0v"),
	GOT(0, XS_READ, 0, "/a/b/c\0", "v"), GOT(0, XS_READ, 0, "/a/b\0", ""),
	GOT(0, XS_DIRECTORY, 0, "/a\0", "b\0"), OK(0, XS_MKDIR, 0, "/a/d\0"),
	OK(0, XS_MKDIR, 0, "/a/d\0"), GOT(0, XS_DIRECTORY, 0, "/a\0", "b\0d\0"),
	GOT(0, XS_DIRECTORY, 0, "/a/d\0", ""), OK(0, XS_WRITE, 0, "/a/d\0"),
	ERR(0, XS_DIRECTORY, 0, "/zz\0", "ENOENT"),
	/* Path syntax. */
	ERR(0, XS_READ, 0, "/a//b\0", "EINVAL"), ERR(0, XS_READ, 0, "/a/\0", "EINVAL"),
	ERR(0, XS_READ, 0, "/a b\0", "EINVAL"), ERR(0, XS_READ, 0, "/a.b\0", "EINVAL"),
	ERR(0, XS_READ, 0, "\0", "EINVAL"), ERR(0, XS_READ, 0, "/a", "EINVAL"),
	ERR(0, XS_READ, 0, "/a\0/b\0", "EINVAL"),
	ERR(0, XS_READ, 0, "@introduceDomain\0", "EINVAL"), ERR(0, XS_WRITE, 0, "", "EINVAL"),
	ERR(0, XS_READ, 0, "a\0", "ENOENT"), /* /local/domain/0/a */
	GOT(0, XS_READ, 0, "/a/b/c\0", "v"),
	/* Permissions. */
	GOT(0, XS_GET_PERMS, 0, "/a/b/c\0", "n0\0"),
	OK(0, XS_SET_PERMS, 0,
	   "/a/b/c\0"
	   "n0\0"
	   "r1\0"),
	GOT(0, XS_GET_PERMS, 0, "/a/b/c\0", "n0\0r1\0"),
	ERR(0, XS_SET_PERMS, 0,
	    "/a\0"
	    "x1\0",
	    "EINVAL"),
	ERR(0, XS_SET_PERMS, 0,
	    "/a\0"
	    "r\0",
	    "EINVAL"),
	ERR(0, XS_SET_PERMS, 0, "/a\0", "EINVAL"),
	ERR(0, XS_SET_PERMS, 0,
	    "/zz\0"
	    "n0\0",
	    "ENOENT"),
	GOT(1, XS_READ, 0, "/a/b/c\0", "v"), ERR(1, XS_WRITE, 0, "/a/b/c\0x", "EACCES"),
	ERR(2, XS_READ, 0, "/a/b/c\0", "EACCES"), ERR(2, XS_GET_PERMS, 0, "/a/b/c\0", "EACCES"),
	ERR(2, XS_READ, 0, "/a/b/c/zz\0", "EACCES"), /* missing below unreadable */
	ERR(1, XS_READ, 0, "/a/b/c/zz\0", "ENOENT"),
	ERR(1, XS_WRITE, 0, "/a/b/c/zz\0x", "EACCES"), /* create below read-only */
	ERR(1, XS_SET_PERMS, 0,
	    "/a/b/c\0"
	    "n1\0",
	    "EACCES"),
	ERR(1, XS_READ, 0, "/local/domain/2\0", "EACCES"),
	/* A guest in its own home: relative paths, inheritance, ownership. */
	OK(1, XS_WRITE, 0, "data/x\0hi"), GOT(1, XS_READ, 0, "data/x\0", "hi"),
	GOT(1, XS_READ, 0, "/local/domain/1/data/x\0", "hi"),
	GOT(1, XS_GET_PERMS, 0, "data/x\0", "n1\0"),
	OK(0, XS_WRITE, 0, "/local/domain/1/name\0vm1"),
	GOT(1, XS_GET_PERMS, 0, "name\0", "n1\0"), /* dom0's node inherits owner 1 */
	OK(1, XS_SET_PERMS, 0,
	   "data/x\0"
	   "n1\0"
	   "r2\0"),
	GOT(2, XS_READ, 0, "/local/domain/1/data/x\0", "hi"),
	ERR(2, XS_WRITE, 0, "/local/domain/1/data/x\0no", "EACCES"),
	ERR(2, XS_WRITE, 0, "/local/domain/1/data/y\0no", "EACCES"),
	ERR(1, XS_SET_PERMS, 0,
	    "data/x\0"
	    "n2\0",
	    "EPERM"), /* only dom0 changes owner */
	OK(0, XS_SET_PERMS, 0,
	   "/local/domain/1/data/x\0"
	   "b1\0"),
	GOT(1, XS_GET_PERMS, 0, "data/x\0", "b1\0"), OK(1, XS_RM, 0, "data\0"),
	ERR(1, XS_READ, 0, "data/x\0", "ENOENT"),
	GOT(1, XS_DIRECTORY, 0, "/local/domain/1\0", "name\0"),
	/* RM. */
	ERR(0, XS_RM, 0, "/\0", "EINVAL"), ERR(0, XS_RM, 0, "/nope/nope\0", "ENOENT"),
	OK(0, XS_RM, 0, "/a/zz\0"), ERR(2, XS_RM, 0, "/a/b/c\0", "EACCES"),
	/* Domains. */
	ERR(1, XS_INTRODUCE, 0,
	    "3\0"
	    "1\0"
	    "1\0",
	    "EACCES"),
	ERR(1, XS_IS_DOMAIN_INTRODUCED, 0, "1\0", "EACCES"), ERR(1, XS_RELEASE, 0, "2\0", "EACCES"),
	ERR(1, XS_SET_TARGET, 0,
	    "1\0"
	    "2\0",
	    "EACCES"),
	ERR(1, XS_RESUME, 0, "1\0", "EACCES"), ERR(1, XS_CONTROL, 0, "quota\0", "EACCES"),
	GOT(0, XS_IS_DOMAIN_INTRODUCED, 0, "1\0", "T\0"),
	GOT(0, XS_IS_DOMAIN_INTRODUCED, 0, "0\0", "T\0"),
	GOT(0, XS_IS_DOMAIN_INTRODUCED, 0, "9\0", "F\0"),
	ERR(0, XS_IS_DOMAIN_INTRODUCED, 0, "x\0", "EINVAL"),
	GOT(0, XS_GET_DOMAIN_PATH, 0, "4\0", "/local/domain/4\0"),
	GOT(2, XS_GET_DOMAIN_PATH, 0, "2\0", "/local/domain/2\0"),
	ERR(0, XS_GET_DOMAIN_PATH, 0, "-1\0", "EINVAL"),
	ERR(0, XS_GET_DOMAIN_PATH, 0, "99999\0", "EINVAL"),
	ERR(0, XS_INTRODUCE, 0,
	    "x\0"
	    "1\0"
	    "1\0",
	    "EINVAL"),
	ERR(0, XS_INTRODUCE, 0,
	    "3\0"
	    "1\0",
	    "EINVAL"),
	ERR(0, XS_INTRODUCE, 0,
	    "0\0"
	    "1\0"
	    "1\0",
	    "EINVAL"),
	ERR(0, XS_RELEASE, 0, "9\0", "ENOENT"), ERR(0, XS_RELEASE, 0, "0\0", "EINVAL"),
	OK(0, XS_RESUME, 0, "1\0"), ERR(0, XS_RESUME, 0, "9\0", "ENOENT"),
	OK(0, XS_WRITE, 0, "/local/domain/2/secret\0s"),
	ERR(1, XS_READ, 0, "/local/domain/2/secret\0", "EACCES"),
	OK(0, XS_SET_TARGET, 0,
	   "1\0"
	   "2\0"),
	GOT(1, XS_READ, 0, "/local/domain/2/secret\0", "s"), /* 1 is 2's device model */
	ERR(0, XS_SET_TARGET, 0,
	    "1\0"
	    "9\0",
	    "ENOENT"),
	ERR(0, XS_SET_TARGET, 0, "1\0", "EINVAL"), OK(0, XS_CONTROL, 0, "print\0hello\0"),
	ERR(0, XS_CONTROL, 0, "bogus\0", "EINVAL"),
	/* Message types that are not requests. */
	ERR(0, 99, 0, "\0", "EINVAL"), ERR(0, XS_WATCH_EVENT, 0, "/a\0t\0", "EINVAL"),
	ERR(0, XS_ERROR, 0, "EINVAL\0", "EINVAL"),
	ERR(0, 20, 0, "\0", "EINVAL"), /* the removed XS_RESTRICT */
	/* Transactions. */
	START(0, 0, 1),
	OK(0, XS_WRITE, 1,
	   "/t/x\0"
	   "1"),
	ERR(0, XS_READ, 0, "/t/x\0", "ENOENT"), /* not visible before commit */
	GOT(0, XS_READ, 1, "/t/x\0", "1"), GOT(0, XS_DIRECTORY, 1, "/t\0", "x\0"),
	ERR(0, XS_TRANSACTION_START, 1, "\0", "EBUSY"),
	OK(0, XS_WATCH, 1, "/w\0tok\0"), /* ignores tx_id */
	OK(0, XS_TRANSACTION_END, 1, "T\0"), GOT(0, XS_READ, 0, "/t/x\0", "1"),
	ERR(0, XS_READ, 1, "/t/x\0", "ENOENT"), /* transaction gone */
	START(0, 0, 2), GOT(0, XS_READ, 2, "/t/x\0", "1"),
	OK(0, XS_WRITE, 0,
	   "/t/x\0"
	   "2"),
	OK(0, XS_WRITE, 2,
	   "/t/y\0"
	   "3"),
	ERR(0, XS_TRANSACTION_END, 2, "T\0", "EAGAIN"), ERR(0, XS_READ, 0, "/t/y\0", "ENOENT"),
	ERR(0, XS_TRANSACTION_END, 0, "T\0", "ENOENT"),
	ERR(0, XS_TRANSACTION_END, 9, "T\0", "ENOENT"), START(0, 0, 3),
	ERR(0, XS_TRANSACTION_END, 3, "X\0", "EINVAL"), OK(0, XS_TRANSACTION_END, 3, "F\0"),
	ERR(0, XS_TRANSACTION_END, 3, "F\0", "ENOENT"), START(0, 0, 4), OK(0, XS_RM, 4, "/t\0"),
	ERR(0, XS_READ, 4, "/t/x\0", "ENOENT"), GOT(0, XS_READ, 0, "/t/x\0", "2"),
	OK(0, XS_TRANSACTION_END, 4, "T\0"), ERR(0, XS_READ, 0, "/t/x\0", "ENOENT"),
	/* Two transactions creating siblings: the second conflicts (parent changed). */
	START(0, 0, 5), START(0, 0, 6),
	OK(0, XS_WRITE, 5,
	   "/s/a\0"
	   "1"),
	OK(0, XS_WRITE, 6,
	   "/s/b\0"
	   "1"),
	OK(0, XS_TRANSACTION_END, 5, "T\0"), ERR(0, XS_TRANSACTION_END, 6, "T\0", "EAGAIN"),
	/* Guest transaction limits, errors and release. */
	START(1, 0, 7),
	OK(1, XS_WRITE, 7,
	   "data/t\0"
	   "1"),
	OK(1, XS_TRANSACTION_END, 7, "T\0"), GOT(1, XS_READ, 0, "data/t\0", "1"),
	OK(1, XS_RESET_WATCHES, 0, ""), OK(0, XS_RELEASE, 0, "1\0"),
	ERR(0, XS_READ, 0, "/local/domain/1/name\0", "ENOENT"), /* its nodes are gone */
	GOT(0, XS_IS_DOMAIN_INTRODUCED, 0, "1\0", "F\0"),
	GOT(0, XS_GET_PERMS, 0, "/a/b/c\0", "n0\0"), /* its entries dropped */
};

static struct store_core core;
static struct store_conn *conns[3];
static uint32_t slots[10];

static void setup(void)
{
	ck_assert_int_eq(store_core_init(&core), 0);
	for (unsigned int i = 0; i < 3; i++)
		conns[i] = th_conn(&core, i);
	memset(slots, 0, sizeof(slots));
	slots[9] = 12345;
}

static void teardown(void)
{
	store_core_fini(&core);
}

static void run_row(const struct row *r, unsigned int i)
{
	char body[XENSTORE_PAYLOAD_MAX + 1];
	size_t blen = 0;
	uint32_t t = th_req(conns[r->who], r->type, slots[r->tx], r->req, r->rlen, body, &blen);

	ck_assert_msg(t == r->rtype, "row %u: reply type %u, expected %u (body '%s')", i, t,
		      r->rtype, body);
	if (r->rep)
		ck_assert_msg(blen == r->replen && memcmp(body, r->rep, blen) == 0,
			      "row %u: reply '%.*s' (%zu bytes), expected '%s'", i, (int)blen, body,
			      blen, r->rep);
	if (r->save)
		slots[r->save] = (uint32_t)strtoul(body, NULL, 10);
}

START_TEST(test_script)
{
	for (unsigned int i = 0; i < sizeof(script) / sizeof(script[0]); i++)
		run_row(&script[i], i);
}
END_TEST

static void expect_event(struct store_conn *c, const char *path, const char *token)
{
	char ev[XENSTORE_PAYLOAD_MAX];
	size_t len;

	ck_assert_msg(th_event(c, ev, &len), "no event, expected %s", path);
	ck_assert_str_eq(ev, path);
	ck_assert_str_eq(ev + strlen(ev) + 1, token);
}

static void expect_none(struct store_conn *c)
{
	char ev[XENSTORE_PAYLOAD_MAX];
	size_t len;

	ck_assert_msg(!th_event(c, ev, &len), "unexpected event %s", ev);
}

static void req_ok(unsigned int who, uint32_t type, uint32_t tx, const char *d, size_t len)
{
	char body[XENSTORE_PAYLOAD_MAX + 1];
	size_t blen;

	ck_assert_msg(th_req(conns[who], type, tx, d, len, body, &blen) == type, "%u: %s", type,
		      body);
}

#define REQ(w, t, x, s) req_ok(w, t, x, s, sizeof(s) - 1)

START_TEST(test_watches)
{
	char body[64];
	size_t blen;

	REQ(0, XS_INTRODUCE, 0,
	    "1\0"
	    "1\0"
	    "1\0");
	REQ(0, XS_MKDIR, 0, "/local/domain/1\0");
	REQ(0, XS_SET_PERMS, 0,
	    "/local/domain/1\0"
	    "n1\0");
	REQ(0, XS_WATCH, 0, "/w\0tok\0");
	expect_event(conns[0], "/w", "tok"); /* fires once on registration */
	expect_none(conns[0]);
	ck_assert_int_eq(th_req(conns[0], XS_WATCH, 0, P("/w\0tok\0"), body, &blen), XS_ERROR);
	ck_assert_str_eq(body, "EEXIST");
	REQ(0, XS_WRITE, 0,
	    "/w/a/b\0"
	    "1");
	expect_event(conns[0], "/w/a/b", "tok");
	REQ(0, XS_WRITE, 0,
	    "/other\0"
	    "1");
	expect_none(conns[0]);
	REQ(0, XS_SET_PERMS, 0,
	    "/w/a\0"
	    "n0\0");
	expect_event(conns[0], "/w/a", "tok");
	REQ(0, XS_WATCH, 0, "/w/a/b\0exact\0");
	expect_event(conns[0], "/w/a/b", "exact");
	REQ(0, XS_RM, 0, "/w/a\0");
	expect_event(conns[0], "/w/a/b", "exact"); /* removed child fires its watch */
	expect_event(conns[0], "/w/a", "tok");
	expect_none(conns[0]);
	/* Visibility: domain 2 watches but may not read. */
	REQ(2, XS_WATCH, 0, "/w\0t2\0");
	expect_event(conns[2], "/w", "t2");
	REQ(0, XS_WRITE, 0,
	    "/w/hidden\0"
	    "1");
	expect_none(conns[2]);
	expect_event(conns[0], "/w/hidden", "tok");
	REQ(0, XS_SET_PERMS, 0,
	    "/w/hidden\0"
	    "n0\0"
	    "r2\0");
	expect_event(conns[2], "/w/hidden", "t2");
	expect_event(conns[0], "/w/hidden", "tok");
	/* Relative in, relative out. */
	REQ(1, XS_WATCH, 0, "data\0rel\0");
	expect_event(conns[1], "data", "rel");
	REQ(0, XS_WRITE, 0,
	    "/local/domain/1/data/q\0"
	    "1");
	expect_event(conns[1], "data/q", "rel");
	/* Transactions: events on commit only. */
	REQ(0, XS_TRANSACTION_START, 0, "\0");
	REQ(0, XS_WRITE, 1,
	    "/w/t\0"
	    "1");
	expect_none(conns[0]);
	REQ(0, XS_TRANSACTION_END, 1, "T\0");
	expect_event(conns[0], "/w/t", "tok");
	/* Special watches. */
	REQ(0, XS_WATCH, 0, "@releaseDomain\0rel\0");
	expect_event(conns[0], "@releaseDomain", "rel");
	REQ(0, XS_WATCH, 0, "@introduceDomain\0intro\0");
	expect_event(conns[0], "@introduceDomain", "intro");
	REQ(0, XS_INTRODUCE, 0,
	    "3\0"
	    "1\0"
	    "1\0");
	expect_event(conns[0], "@introduceDomain", "intro");
	REQ(0, XS_RELEASE, 0, "3\0");
	expect_event(conns[0], "@releaseDomain", "rel");
	REQ(0, XS_UNWATCH, 0, "/w\0tok\0");
	ck_assert_int_eq(th_req(conns[0], XS_UNWATCH, 0, P("/w\0tok\0"), body, &blen), XS_ERROR);
	ck_assert_str_eq(body, "ENOENT");
	REQ(0, XS_RESET_WATCHES, 0, "");
	REQ(0, XS_WRITE, 0,
	    "/w/a/b\0"
	    "2");
	expect_none(conns[0]);
}
END_TEST

static void expect_err(unsigned int who, uint32_t type, uint32_t tx, const char *d, size_t len,
		       const char *err)
{
	char body[XENSTORE_PAYLOAD_MAX + 1];
	size_t blen;

	ck_assert_int_eq(th_req(conns[who], type, tx, d, len, body, &blen), XS_ERROR);
	ck_assert_str_eq(body, err);
}

START_TEST(test_quotas)
{
	char big[2100 + 8];

	core.quota.nodes = 3;
	core.quota.watches = 2;
	core.quota.txns = 2;
	core.quota.txn_nodes = 4;
	REQ(0, XS_MKDIR, 0, "/local/domain/1\0");
	REQ(0, XS_SET_PERMS, 0,
	    "/local/domain/1\0"
	    "n1\0"); /* owns 1 */
	REQ(1, XS_WRITE, 0,
	    "a\0"
	    "1");
	REQ(1, XS_WRITE, 0,
	    "b\0"
	    "1");
	expect_err(1, XS_WRITE, 0,
		   P("c\0"
		     "1"),
		   "ENOSPC");
	expect_err(1, XS_WRITE, 0,
		   P("x/y\0"
		     "1"),
		   "ENOSPC");
	REQ(1, XS_WRITE, 0,
	    "a\0"
	    "2"); /* modifying is fine */
	REQ(0, XS_WRITE, 0,
	    "/local/domain/1/c\0"
	    "1"); /* dom0 has no quota */
	REQ(1, XS_RM, 0, "a\0");
	REQ(1, XS_RM, 0, "c\0");
	/* Node size (2048). */
	memcpy(big, "d\0", 2);
	memset(big + 2, 'x', 2100);
	expect_err(1, XS_WRITE, 0, big, 2102, "ENOSPC");
	/* Permissions per node (5). */
	expect_err(1, XS_SET_PERMS, 0, P("b\0n1\0r2\0r3\0r4\0r5\0r6\0"), "ENOSPC");
	REQ(1, XS_SET_PERMS, 0, "b\0n1\0r2\0r3\0r4\0r5\0");
	/* Watches. */
	REQ(1, XS_WATCH, 0,
	    "a\0"
	    "1\0");
	REQ(1, XS_WATCH, 0,
	    "a\0"
	    "2\0");
	expect_err(1, XS_WATCH, 0,
		   P("a\0"
		     "3\0"),
		   "E2BIG");
	/* Transactions per connection, nodes per transaction. */
	REQ(1, XS_TRANSACTION_START, 0, "\0");
	REQ(1, XS_TRANSACTION_START, 0, "\0");
	expect_err(1, XS_TRANSACTION_START, 0, P("\0"), "ENOSPC");
	REQ(1, XS_READ, 1, "b\0");
	expect_err(1, XS_READ, 1, P("q/r/s/t\0"), "ENOSPC");
	/* dom0 is unaffected by any of it. */
	for (int i = 0; i < 4; i++)
		REQ(0, XS_TRANSACTION_START, 0, "\0");
	/* A bystander domain is unaffected by domain 1's quotas. */
	REQ(0, XS_MKDIR, 0, "/local/domain/2\0");
	REQ(0, XS_SET_PERMS, 0,
	    "/local/domain/2\0"
	    "n2\0");
	REQ(2, XS_WRITE, 0,
	    "a\0"
	    "1");
	REQ(2, XS_WATCH, 0,
	    "a\0"
	    "1\0");
}
END_TEST

START_TEST(test_directory_part)
{
	char body[XENSTORE_PAYLOAD_MAX + 1], name[64], names[16384];
	size_t blen, glen, total = 0, off = 0;
	const struct store_node *n;

	for (int i = 0; i < 300; i++) {
		int len = snprintf(name, sizeof(name), "/d/child-with-a-long-name-%03d", i);

		req_ok(0, XS_MKDIR, 0, name, (size_t)len + 1);
	}
	n = store_tree_get(&core, "/d");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_gt(n->clen, XENSTORE_PAYLOAD_MAX);
	expect_err(0, XS_DIRECTORY, 0, P("/d\0"), "E2BIG");
	for (;;) {
		int len = snprintf(name, sizeof(name), "/d%c%zu", 0, off);

		ck_assert_int_eq(
			th_req(conns[0], XS_DIRECTORY_PART, 0, name, (size_t)len + 1, body, &blen),
			XS_DIRECTORY_PART);
		glen = strlen(body) + 1;
		ck_assert_uint_eq(strtoull(body, NULL, 10), n->gen);
		if (blen - glen == 1 && body[glen] == '\0')
			break; /* past the end */
		memcpy(names + total, body + glen, blen - glen);
		total += blen - glen;
		if (body[blen - 1] == '\0' && body[blen - 2] == '\0') {
			total--; /* the terminating empty string */
			break;
		}
		off += blen - glen;
	}
	ck_assert_uint_eq(total, n->clen);
	ck_assert_mem_eq(names, n->children, total);
	expect_err(0, XS_DIRECTORY_PART, 0, P("/d\0"), "EINVAL");
	expect_err(0, XS_DIRECTORY_PART, 0, P("/d\0x\0"), "EINVAL");
}
END_TEST

START_TEST(test_oversize_drops_connection)
{
	struct xsd_sockmsg h = {XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1};

	memcpy(conns[0]->rbuf, &h, sizeof(h));
	conns[0]->rlen = sizeof(h);
	store_conn_input(conns[0]);
	ck_assert(conns[0]->dead);
}
END_TEST

START_TEST(test_outstanding_stalls)
{
	struct xsd_sockmsg h = {XS_READ, 1, 0, 3};
	size_t n = 0;

	/* 30 queued requests from a guest whose replies are not read. */
	for (int i = 0; i < 30; i++) {
		memcpy(conns[1]->rbuf + n, &h, sizeof(h));
		memcpy(conns[1]->rbuf + n + sizeof(h), "/a", 3);
		n += sizeof(h) + 3;
	}
	conns[1]->rlen = n;
	store_conn_input(conns[1]);
	ck_assert_uint_eq(conns[1]->pending, 20);
	ck_assert(conns[1]->rlen > conns[1]->roff);
	ck_assert(store_conn_flush(conns[1]));
	store_conn_input(conns[1]);
	ck_assert_uint_eq(conns[1]->pending, 10);
}
END_TEST

/*
 * The memory quota, table-driven.  Quotas set through the option parser:
 * hard 3000 bytes, soft 2000.  A node costs sizeof(struct store_node) + its
 * path + value + children + permissions (about 1.1 KB for a 1000-byte
 * value), so the rows below land on either side of the limits with margins
 * of a few hundred bytes.  After each row: was the request answered as
 * expected, is domain 1 over its soft quota (logged), is it stalled.
 */
struct mem_row {
	unsigned int who;
	uint32_t type;
	const char *path;  /* first argument */
	size_t fill;	   /* WRITE: value bytes; WATCH: token bytes */
	const char *reply; /* "OK" or the error */
	bool tx;	   /* in the transaction started by an earlier row */
	bool soft, stalled;
};

static const struct mem_row mem_script[] = {
	{1, XS_WRITE, "a", 1000, "OK", false, false, false},
	{1, XS_WRITE, "b", 1000, "OK", false, true, false},	/* ~2.2 KB: over soft */
	{1, XS_WRITE, "c", 1000, "ENOMEM", false, true, false}, /* would be ~3.3 KB */
	{1, XS_WRITE, "c", 100, "OK", false, true, false},	/* ~2.4 KB */
	{1, XS_WATCH, "a", 1000, "ENOMEM", false, true, false}, /* a 1000-byte token */
	{1, XS_WATCH, "a", 1, "OK", false, true, false},
	{1, XS_TRANSACTION_START, "", 0, NULL, false, true, false}, /* slot 1 */
	{1, XS_WRITE, "a", 999, "ENOMEM", true, true, false},	    /* in tx: a whole copy */
	{1, XS_TRANSACTION_END, "F", 0, "OK", true, true, false},   /* abort frees it */
	{1, XS_WRITE, "a", 10, "OK", false, false, false},	    /* shrinking frees ~1 KB */
	{2, XS_WRITE, "a", 1000, "OK", false, false, false},	    /* bystander: its own quota */
	{0, XS_WRITE, "/local/domain/1/big", 2000, "OK", false, true, true}, /* dom0 charges 1 */
	{0, XS_RM, "/local/domain/1/big", 0, "OK", false, false, false},
};

static void mem_row_run(const struct mem_row *m, unsigned int i)
{
	char req[XENSTORE_PAYLOAD_MAX + 1], body[XENSTORE_PAYLOAD_MAX + 1];
	size_t plen = strlen(m->path) + 1, len = plen + m->fill, blen;
	uint32_t t;

	memcpy(req, m->path, plen);
	memset(req + plen, 'x', m->fill);
	if (m->type == XS_WATCH)
		req[len++] = '\0';
	t = th_req(conns[m->who], m->type, m->tx ? slots[1] : 0, req, len, body, &blen);
	if (m->type == XS_TRANSACTION_START)
		slots[1] = (uint32_t)strtoul(body, NULL, 10);
	else if (strcmp(m->reply, "OK") == 0)
		ck_assert_msg(t == m->type, "row %u: %s", i, body);
	else
		ck_assert_msg(t == XS_ERROR && strcmp(body, m->reply) == 0,
			      "row %u: got '%s', expected %s (domain 1 has %zu bytes)", i, body,
			      m->reply, core.mem[1]);
	ck_assert_msg((core.mem_warned[1] >= 1) == m->soft, "row %u: soft flag %d (%zu bytes)", i,
		      core.mem_warned[1], core.mem[1]);
	ck_assert_msg((core.mem_warned[1] == 2) == m->stalled, "row %u: hard flag %d (%zu bytes)",
		      i, core.mem_warned[1], core.mem[1]);
	ck_assert_msg(store_conn_stalled(conns[1]) == m->stalled, "row %u: stalled %d (%zu bytes)",
		      i, store_conn_stalled(conns[1]), core.mem[1]);
}

START_TEST(test_memory_quota)
{
	struct xsd_sockmsg h = {XS_READ, 1, 0, 2};

	ck_assert_int_eq(store_quota_set(&core.quota, "memory=3000"), 0);
	ck_assert_int_eq(store_quota_set(&core.quota, "memory-soft=2000"), 0);
	ck_assert_uint_eq(core.quota.mem_hard, 3000);
	ck_assert_int_eq(store_quota_set(&core.quota, "memory=x"), -EINVAL);
	ck_assert_uint_eq(core.quota.mem_soft, 2000);
	{
		char body[XENSTORE_PAYLOAD_MAX + 1];
		size_t blen;

		ck_assert_int_eq(th_req(conns[0], XS_CONTROL, 0, "quota", 6, body, &blen),
				 XS_CONTROL);
		ck_assert_ptr_nonnull(strstr(body, "\nmemory 3000\nmemory-soft 2000\n"));
	}
	for (unsigned int d = 1; d <= 2; d++) {
		char home[32];
		int n = snprintf(home, sizeof(home), "/local/domain/%u", d);

		req_ok(0, XS_MKDIR, 0, home, (size_t)n + 1);
		n += snprintf(home + n + 1, sizeof(home) - (size_t)n - 1, "n%u", d) + 2;
		req_ok(0, XS_SET_PERMS, 0, home, (size_t)n);
	}
	for (unsigned int i = 0; i < sizeof(mem_script) / sizeof(mem_script[0]); i++) {
		if (mem_script[i].stalled) {
			/* A request queued while stalled is not handled until memory is freed. */
			mem_row_run(&mem_script[i], i);
			memcpy(conns[1]->rbuf, &h, sizeof(h));
			memcpy(conns[1]->rbuf + sizeof(h), "a", 2);
			conns[1]->rlen = sizeof(h) + 2;
			store_conn_input(conns[1]);
			ck_assert_uint_eq(conns[1]->pending, 0);
			continue;
		}
		mem_row_run(&mem_script[i], i);
	}
	store_conn_input(conns[1]); /* unstalled by the RM: the queued READ is answered */
	ck_assert_uint_eq(conns[1]->pending, 1);
	ck_assert(store_conn_flush(conns[1]));
	((struct th_out *)conns[1]->priv)->len = 0;
	/* Everything charged comes back: no watch, no nodes -> 0 bytes. */
	REQ(1, XS_UNWATCH, 0, "a\0x\0");
	REQ(0, XS_RM, 0, "/local/domain/1\0");
	ck_assert_uint_eq(core.mem[1], 0);
	ck_assert_uint_eq(core.mem_warned[1], 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store_proto");
	TCase *tc = tcase_create("proto");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_script);
	tcase_add_test(tc, test_watches);
	tcase_add_test(tc, test_quotas);
	tcase_add_test(tc, test_directory_part);
	tcase_add_test(tc, test_oversize_drops_connection);
	tcase_add_test(tc, test_outstanding_stalls);
	tcase_add_test(tc, test_memory_quota);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
