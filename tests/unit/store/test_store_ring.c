/*
 * The ring consumer (store_ring.c) against a xenstore_domain_interface in
 * plain memory: this file plays the guest (it writes requests at req_prod
 * and reads replies at rsp_cons) and runs the daemon's loop (pump: flush,
 * then serve every connection with input, until nothing new happens).
 * Covers whole and partial messages, requests and replies longer than the
 * ring, a full rsp ring (req_cons held until the reply is out, no busy
 * loop), torn/garbage indexes and oversized lengths (the connection dies,
 * nothing else), RECONNECT, EAGAIN and fresh transaction ids for a restored
 * connection, watch-file rewrites only on a real change, and the cap on
 * watch events a guest leaves unread.
 */
#include "store_harness.h"
#include "store_ring.h"

#include <check.h>
#include <stdio.h>

struct fixture {
	struct store_core core;
	struct xenstore_domain_interface *intf;
	struct store_ring ring;
	struct store_conn *dom0;
	unsigned int notifies;
};

static struct fixture F;

static void count_notify(struct store_ring *r)
{
	((struct fixture *)r->arg)->notifies++;
}

/* The daemon's loop without the journal: flush, then read what is ready. */
static void pump(void)
{
	struct store_conn *conn, *next;
	uint64_t before;

	do {
		before = F.core.requests;
		for (conn = F.core.conns; conn; conn = next) {
			next = conn->next;
			if (store_conn_flush(conn) && store_conn_ready(conn))
				store_conn_input(conn);
			if (conn->dead && conn != F.dom0)
				store_conn_free(conn);
		}
	} while (F.core.requests != before);
}

/* Guest side: append bytes to the req ring (the caller checks room). */
static void g_put(const void *data, size_t len)
{
	const char *p = data;

	for (size_t i = 0; i < len; i++)
		F.intf->req[MASK_XENSTORE_IDX(F.intf->req_prod + i)] = p[i];
	__atomic_store_n(&F.intf->req_prod, F.intf->req_prod + (uint32_t)len, __ATOMIC_RELEASE);
}

static void g_send(uint32_t type, uint32_t req_id, uint32_t tx, const void *body, size_t len)
{
	struct xsd_sockmsg h = {type, req_id, tx, (uint32_t)len};

	g_put(&h, sizeof(h));
	g_put(body, len);
}

static uint32_t g_rsp_avail(void)
{
	return F.intf->rsp_prod - F.intf->rsp_cons;
}

static void g_take(void *dst, size_t len)
{
	char *p = dst;

	for (size_t i = 0; i < len; i++)
		p[i] = F.intf->rsp[MASK_XENSTORE_IDX(F.intf->rsp_cons + i)];
	F.intf->rsp_cons += (uint32_t)len;
}

/* One whole reply that is in the rsp ring now; false if none is complete. */
static bool g_reply(struct xsd_sockmsg *h, char *body)
{
	if (g_rsp_avail() < sizeof(*h))
		return false;
	for (size_t i = 0; i < sizeof(*h); i++)
		((char *)h)[i] = F.intf->rsp[MASK_XENSTORE_IDX(F.intf->rsp_cons + i)];
	if (g_rsp_avail() < sizeof(*h) + h->len)
		return false;
	F.intf->rsp_cons += sizeof(*h);
	g_take(body, h->len);
	body[h->len] = '\0';
	return true;
}

static void setup_at(uint32_t idx)
{
	char out[64];
	size_t len;

	memset(&F, 0, sizeof(F));
	ck_assert_int_eq(store_core_init(&F.core), 0);
	F.intf = calloc(1, sizeof(*F.intf));
	F.intf->req_cons = F.intf->req_prod = F.intf->rsp_cons = F.intf->rsp_prod = idx;
	F.dom0 = th_conn(&F.core, 0);
	ck_assert_uint_eq(th_req(F.dom0, XS_MKDIR, 0, "/local/domain/1", 16, out, &len), XS_MKDIR);
	ck_assert_uint_eq(th_req(F.dom0, XS_SET_PERMS, 0, "/local/domain/1\0n1", 19, out, &len),
			  XS_SET_PERMS);
	F.ring.notify = count_notify;
	F.ring.arg = &F;
	ck_assert_int_eq(store_ring_attach(&F.ring, &F.core, 1, F.intf), 0);
}

static void setup(void)
{
	setup_at(0);
}

static void teardown(void)
{
	store_ring_detach(&F.ring);
	store_core_fini(&F.core);
	free(F.intf);
}

/* The value of path, read by dom0. */
static const char *dom0_read(const char *path)
{
	static char out[XENSTORE_PAYLOAD_MAX + 1];
	size_t len;

	if (th_req(F.dom0, XS_READ, 0, path, strlen(path) + 1, out, &len) != XS_READ)
		return NULL;
	return out;
}

START_TEST(attach_sets_feature_and_serves)
{
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];

	ck_assert(F.intf->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION);
	ck_assert_ptr_nonnull(F.ring.conn);
	ck_assert_uint_ge(F.notifies, 1);
	g_send(XS_WRITE, 5, 0, "data/x\0hello", 12);
	pump();
	ck_assert(g_reply(&h, body));
	ck_assert_uint_eq(h.type, XS_WRITE);
	ck_assert_uint_eq(h.req_id, 5);
	ck_assert_str_eq(body, "OK");
	ck_assert_uint_eq(F.intf->req_cons, F.intf->req_prod);
	ck_assert_str_eq(dom0_read("/local/domain/1/data/x"), "hello");
	/* Unprivileged: another domain's home is out of reach. */
	g_send(XS_READ, 6, 0, "/local/domain/0", 16);
	pump();
	ck_assert(g_reply(&h, body));
	ck_assert_uint_eq(h.type, XS_ERROR);
	ck_assert_str_eq(body, "EACCES");
}
END_TEST

START_TEST(wraps_around_the_index_space)
{
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];

	for (int i = 0; i < 40; i++) {
		char req[64];
		int n = snprintf(req, sizeof(req), "data/k%d", i) + 1;

		memcpy(req + n, "v", 1);
		g_send(XS_WRITE, (uint32_t)i, 0, req, (size_t)n + 1);
		pump();
		ck_assert(g_reply(&h, body));
		ck_assert_uint_eq(h.req_id, (uint32_t)i);
		ck_assert_str_eq(body, "OK");
	}
	ck_assert_uint_lt(F.intf->req_prod, 0x1000); /* it did wrap past 2^32 */
	ck_assert_uint_eq(F.intf->req_cons, F.intf->req_prod);
}
END_TEST

START_TEST(partial_message_waits)
{
	struct xsd_sockmsg h = {XS_WRITE, 9, 0, 12};
	char body[XENSTORE_PAYLOAD_MAX + 1];

	g_put(&h, sizeof(h));
	g_put("data/y\0", 7);
	pump();
	ck_assert_uint_eq(g_rsp_avail(), 0);
	ck_assert_uint_eq(F.intf->req_cons, 0);
	g_put("12345", 5);
	pump();
	ck_assert(g_reply(&h, body));
	ck_assert_str_eq(body, "OK");
	ck_assert_str_eq(dom0_read("/local/domain/1/data/y"), "12345");
}
END_TEST

/* Two 900-byte replies cannot both sit in a 1024-byte ring. */
START_TEST(full_rsp_ring_holds_req_cons)
{
	char big[901], out[8], body[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h;
	uint32_t first_end;
	uint64_t reqs;
	size_t len;

	memset(big, 'b', 900);
	memcpy(big, "/local/domain/1/big\0", 20);
	ck_assert_uint_eq(th_req(F.dom0, XS_WRITE, 0, big, 900, out, &len), XS_WRITE);
	g_send(XS_READ, 1, 0, "/local/domain/1/big", 20);
	first_end = F.intf->req_prod;
	g_send(XS_READ, 2, 0, "/local/domain/1/big", 20);
	pump();
	/* The first reply is out and its request released; the second waits. */
	ck_assert_uint_eq(F.intf->req_cons, first_end);
	ck_assert_uint_eq(g_rsp_avail(), 16 + 880);
	reqs = F.core.requests;
	pump();
	pump();
	ck_assert_uint_eq(F.core.requests, reqs); /* stalled, not spinning */
	ck_assert_uint_eq(F.intf->req_cons, first_end);
	ck_assert(g_reply(&h, body));
	ck_assert_uint_eq(h.req_id, 1);
	pump(); /* the guest consumed: the second reply goes out */
	ck_assert(g_reply(&h, body));
	ck_assert_uint_eq(h.req_id, 2);
	ck_assert_uint_eq(h.len, 880);
	ck_assert_uint_eq(F.intf->req_cons, F.intf->req_prod);
}
END_TEST

/* A request and a reply longer than the ring are streamed through it. */
START_TEST(longer_than_the_ring)
{
	char req[3100], body[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h = {XS_WRITE, 3, 0, 2000};
	size_t sent = 0, total = sizeof(h) + 2000, got = 0;
	char whole[16 + 2000];

	memcpy(req, "data/long", 10);
	memset(req + 10, 'L', 1990);
	memcpy(whole, &h, sizeof(h));
	memcpy(whole + sizeof(h), req, 2000);
	while (sent < total) {
		size_t room = XENSTORE_RING_SIZE - (F.intf->req_prod - F.intf->req_cons);
		size_t n = total - sent < room ? total - sent : room;

		ck_assert_uint_gt(n, 0);
		g_put(whole + sent, n);
		sent += n;
		pump();
	}
	ck_assert(g_reply(&h, body));
	ck_assert_str_eq(body, "OK");
	ck_assert_uint_eq(strlen(dom0_read("/local/domain/1/data/long")), 1990);
	/* The reply to a READ of it (16 + 1990 bytes) comes in pieces. */
	g_send(XS_READ, 4, 0, "data/long", 10);
	pump();
	while (got < 16 + 1990) {
		uint32_t n = g_rsp_avail();

		ck_assert_uint_gt(n, 0);
		g_take(whole, n);
		got += n;
		pump();
	}
	ck_assert_uint_eq(got, 16 + 1990);
	ck_assert_uint_eq(F.intf->req_cons, F.intf->req_prod);
}
END_TEST

static void assert_killed(void)
{
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];

	ck_assert(F.ring.broken);
	ck_assert_ptr_null(F.ring.conn);
	ck_assert_uint_eq(F.intf->error, XENSTORE_ERROR_RINGIDX);
	/* Nothing else is hurt: dom0 is still served. */
	ck_assert_str_eq(dom0_read("/local/domain/1"), "");
	ck_assert(!g_reply(&h, body) || h.type != XS_ERROR);
}

START_TEST(oversized_length_kills_the_connection)
{
	struct xsd_sockmsg h = {XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1};

	g_put(&h, sizeof(h));
	pump();
	assert_killed();
}
END_TEST

START_TEST(garbage_req_prod_kills_the_connection)
{
	F.intf->req_prod = F.intf->req_cons + XENSTORE_RING_SIZE + 1;
	pump();
	assert_killed();
}
END_TEST

START_TEST(backwards_req_prod_kills_the_connection)
{
	F.intf->req_prod = F.intf->req_cons - 1;
	pump();
	assert_killed();
}
END_TEST

START_TEST(garbage_rsp_cons_kills_the_connection)
{
	F.intf->rsp_cons = F.intf->rsp_prod + 7; /* consumed what was never produced */
	g_send(XS_READ, 1, 0, "data", 5);
	pump();
	assert_killed();
}
END_TEST

START_TEST(corrupt_at_attach_starts_broken)
{
	struct store_ring r = {0};
	struct xenstore_domain_interface *p = calloc(1, sizeof(*p));

	p->rsp_prod = 5000;
	ck_assert_int_eq(store_ring_attach(&r, &F.core, 2, p), 0);
	ck_assert(r.broken);
	ck_assert_ptr_null(r.conn);
	store_ring_detach(&r);
	free(p);
}
END_TEST

START_TEST(reconnect_resets_the_connection)
{
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];

	g_send(XS_WATCH, 1, 0, "data\0tok", 9);
	pump();
	ck_assert_uint_eq(F.ring.conn->nwatches, 1);
	F.intf->req_prod = F.intf->req_cons + 5000; /* break it */
	pump();
	ck_assert_ptr_null(F.ring.conn);
	F.intf->connection = XENSTORE_RECONNECT;
	store_ring_event(&F.ring);
	ck_assert_uint_eq(F.intf->connection, XENSTORE_CONNECTED);
	ck_assert_uint_eq(F.intf->error, XENSTORE_ERROR_NONE);
	ck_assert_uint_eq(F.intf->req_prod + F.intf->req_cons + F.intf->rsp_prod, 0);
	ck_assert_ptr_nonnull(F.ring.conn);
	ck_assert_uint_eq(F.ring.conn->nwatches, 0);
	g_send(XS_GET_DOMAIN_PATH, 2, 0, "1", 2);
	pump();
	ck_assert(g_reply(&h, body));
	ck_assert_str_eq(body, "/local/domain/1");
	/* A healthy connection reconnects too: its watch is dropped. */
	g_send(XS_WATCH, 3, 0, "data\0tok", 9);
	pump();
	ck_assert(g_reply(&h, body) && h.type == XS_WATCH);
	F.intf->connection = XENSTORE_RECONNECT;
	store_ring_event(&F.ring);
	ck_assert_uint_eq(F.ring.conn->nwatches, 0);
	ck_assert_uint_eq(F.ring.reconnects, 2);
}
END_TEST

START_TEST(restored_connection_answers_old_tx_with_eagain)
{
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];

	F.ring.conn->restored = true;
	g_send(XS_WRITE, 1, 42, "data/t\0v", 8);
	pump();
	ck_assert(g_reply(&h, body));
	ck_assert_uint_eq(h.type, XS_ERROR);
	ck_assert_str_eq(body, "EAGAIN");
	ck_assert_ptr_null(dom0_read("/local/domain/1/data/t"));
	g_send(XS_WATCH, 2, 42, "data\0w", 7); /* WATCH ignores tx_id */
	pump();
	ck_assert(g_reply(&h, body));
	ck_assert_uint_eq(h.type, XS_WATCH);
}
END_TEST

START_TEST(release_detaches)
{
	ck_assert_int_eq(store_domain_introduce(&F.core, 1, 6, 3, false), 0);
	store_domain_get(&F.core, 1)->conn = F.ring.conn;
	ck_assert_int_eq(store_domain_release(&F.core, 1, true), 0);
	pump();
	ck_assert_ptr_null(store_domain_get(&F.core, 1));
	ck_assert_ptr_null(store_tree_get(&F.core, "/local/domain/1"));
}
END_TEST

/* A re-attached ring hands out ids far from the previous instance's 1, 2, ... */
START_TEST(restored_connection_txids_do_not_repeat)
{
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];
	unsigned long id;

	store_ring_detach(&F.ring);
	pump(); /* frees the old connection */
	F.ring.restored = true;
	ck_assert_int_eq(store_ring_attach(&F.ring, &F.core, 1, F.intf), 0);
	g_send(XS_TRANSACTION_START, 1, 0, "", 1);
	pump();
	ck_assert(g_reply(&h, body));
	ck_assert_uint_eq(h.type, XS_TRANSACTION_START);
	id = strtoul(body, NULL, 10);
	ck_assert_uint_ge(id, 0x80000000ul);
	g_send(XS_WRITE, 2, 1, "data/t\0v", 8); /* the old instance's first id */
	pump();
	ck_assert(g_reply(&h, body));
	ck_assert_uint_eq(h.type, XS_ERROR);
	ck_assert_str_eq(body, "EAGAIN");
}
END_TEST

/* The watch file is rewritten only when the watch set changed. */
START_TEST(watches_changed_only_on_a_real_change)
{
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];

	F.ring.conn->watches_changed = false;
	g_send(XS_UNWATCH, 1, 0, "data\0tok", 9); /* not registered: ENOENT */
	pump();
	ck_assert(g_reply(&h, body) && h.type == XS_ERROR);
	ck_assert(!F.ring.conn->watches_changed);
	F.intf->connection = XENSTORE_RECONNECT; /* nothing to drop */
	store_ring_event(&F.ring);
	ck_assert(!F.ring.conn->watches_changed);
	g_send(XS_WATCH, 2, 0, "data\0tok", 9);
	pump();
	ck_assert(F.ring.conn->watches_changed);
	F.ring.conn->watches_changed = false;
	g_send(XS_WATCH, 3, 0, "data\0tok", 9); /* already there: EEXIST */
	pump();
	ck_assert(!F.ring.conn->watches_changed);
	F.intf->connection = XENSTORE_RECONNECT; /* drops the watch */
	store_ring_event(&F.ring);
	ck_assert(F.ring.conn->watches_changed);
}
END_TEST

/*
 * A guest that watches a node dom0 writes in a loop and never reads its rsp
 * ring: events past the cap are dropped, not buffered; once it reads
 * again the output buffer is freed.
 */
START_TEST(unread_watch_events_are_capped)
{
	static char req[64 + 2048];
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];
	struct store_conn *conn;
	size_t len;

	g_send(XS_WATCH, 1, 0, "data\0tok", 9);
	pump();
	conn = F.ring.conn;
	memcpy(req, "/local/domain/1/data", 21);
	memset(req + 21, 'x', 2048);
	for (int i = 0; i < 20000; i++)
		ck_assert_uint_eq(th_req(F.dom0, XS_WRITE, 0, req, sizeof(req), body, &len),
				  XS_WRITE);
	pump();
	ck_assert_uint_gt(conn->events_dropped, 0);
	ck_assert_uint_le(conn->olen - conn->ooff, 256u << 10);
	while (conn->olen) {
		while (g_reply(&h, body))
			;
		pump();
	}
	ck_assert_uint_eq(conn->ocap, 0);
	ck_assert_ptr_null(conn->obuf);
}
END_TEST

/* Indexes start near 2^32, so the test crosses the wrap. */
static void setup_wrap(void)
{
	setup_at(0xfffffc00u);
}

static Suite *ring_suite(void)
{
	Suite *s = suite_create("store_ring");
	TCase *tc = tcase_create("ring");
	TCase *wrap = tcase_create("wrap");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, attach_sets_feature_and_serves);
	tcase_add_test(tc, partial_message_waits);
	tcase_add_test(tc, full_rsp_ring_holds_req_cons);
	tcase_add_test(tc, longer_than_the_ring);
	tcase_add_test(tc, oversized_length_kills_the_connection);
	tcase_add_test(tc, garbage_req_prod_kills_the_connection);
	tcase_add_test(tc, backwards_req_prod_kills_the_connection);
	tcase_add_test(tc, garbage_rsp_cons_kills_the_connection);
	tcase_add_test(tc, corrupt_at_attach_starts_broken);
	tcase_add_test(tc, reconnect_resets_the_connection);
	tcase_add_test(tc, restored_connection_answers_old_tx_with_eagain);
	tcase_add_test(tc, release_detaches);
	tcase_add_test(tc, restored_connection_txids_do_not_repeat);
	tcase_add_test(tc, watches_changed_only_on_a_real_change);
	tcase_add_test(tc, unread_watch_events_are_capped);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(wrap, setup_wrap, teardown);
	tcase_add_test(wrap, wraps_around_the_index_space);
	suite_add_tcase(s, wrap);
	return s;
}

int main(void)
{
	Suite *s = ring_suite();
	SRunner *r;
	int failed;

	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
