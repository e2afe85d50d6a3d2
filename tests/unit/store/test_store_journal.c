/*
 * The journal: a store rebuilt from its journal equals the original, after
 * plain changes, a transaction, domains, a compaction and a torn tail.
 */
#include "store_harness.h"
#include "store_journal.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define P(s) s, sizeof(s) - 1

static void req(struct store_conn *c, uint32_t type, uint32_t tx, const char *d, size_t len)
{
	char body[XENSTORE_PAYLOAD_MAX + 1];
	size_t blen;

	ck_assert_msg(th_req(c, type, tx, d, len, body, &blen) == type, "%u: %s", type, body);
}

static void open_store(struct store_core *c, const char *path)
{
	struct store_journal *j;

	ck_assert_int_eq(store_core_init(c), 0);
	ck_assert_int_eq(store_journal_open(path, false, &j), 0);
	ck_assert_int_eq(store_journal_replay(j, c), 0);
	c->journal = j;
}

static void close_store(struct store_core *c, bool flush)
{
	if (flush)
		ck_assert_int_eq(store_journal_flush(c->journal), 0);
	store_journal_close(c->journal);
	c->journal = NULL;
	store_core_fini(c);
}

static void assert_same(struct store_core *a, struct store_core *b)
{
	const struct store_map_slot *s;
	size_t i = 0;

	ck_assert_uint_eq(a->nodes.n, b->nodes.n);
	while (store_map_next(&a->nodes, &i, &s)) {
		const struct store_node *x = s->val, *y = store_tree_get(b, s->key);

		ck_assert_msg(y != NULL, "%s missing after replay", s->key);
		ck_assert_uint_eq(x->vlen, y->vlen);
		ck_assert_mem_eq(x->value, y->value, x->vlen);
		ck_assert_uint_eq(x->nperms, y->nperms);
		ck_assert_uint_eq(x->clen, y->clen);
		ck_assert_uint_eq(store_node_owner(x), store_node_owner(y));
	}
}

START_TEST(test_replay)
{
	char path[] = "/tmp/store-journal-XXXXXX";
	struct store_core a, b;
	struct store_conn *c;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	open_store(&a, path);
	c = th_conn(&a, 0);
	req(c, XS_WRITE, 0,
	    P("/x/y/z\0"
	      "1"));
	req(c, XS_WRITE, 0,
	    P("/x/w\0"
	      "2"));
	req(c, XS_SET_PERMS, 0,
	    P("/x/w\0"
	      "n3\0"
	      "r0\0"));
	req(c, XS_INTRODUCE, 0,
	    P("3\0"
	      "77\0"
	      "4\0"));
	req(c, XS_TRANSACTION_START, 0, P("\0"));
	req(c, XS_WRITE, 1,
	    P("/t/a\0"
	      "ta"));
	req(c, XS_RM, 1, P("/x/y\0"));
	req(c, XS_TRANSACTION_END, 1, P("T\0"));
	req(c, XS_TRANSACTION_START, 0, P("\0"));
	req(c, XS_WRITE, 2,
	    P("/aborted\0"
	      "1"));
	req(c, XS_TRANSACTION_END, 2, P("F\0"));
	ck_assert_int_eq(store_journal_flush(a.journal), 0);
	open_store(&b, path);
	assert_same(&a, &b);
	ck_assert_ptr_nonnull(store_domain_get(&b, 3));
	ck_assert_ptr_null(store_tree_get(&b, "/aborted"));
	/* Compaction keeps the same state. */
	ck_assert_int_eq(store_journal_compact(b.journal, &b), 0);
	close_store(&b, true);
	open_store(&b, path);
	assert_same(&a, &b);
	close_store(&b, true);
	/* A torn tail (a half-written record) is ignored. */
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_eq(write(fd, "\x30\0\0\0\1\2\3\4\1junk", 13), 13);
	close(fd);
	open_store(&b, path);
	assert_same(&a, &b);
	close_store(&b, true);
	close_store(&a, true);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store_journal");
	TCase *tc = tcase_create("journal");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_replay);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
