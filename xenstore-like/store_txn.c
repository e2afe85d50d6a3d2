/*
 * Views and transactions.
 *
 * Every request reads and changes the tree through a store_view.  Outside
 * a transaction the view is the tree itself: a put or delete lands at once,
 * is appended to the journal and fires watches.  Inside a transaction the
 * view is an overlay, as in Xen's C xenstored since 4.12:
 *
 *   - The first time a transaction touches a path (read or write), it
 *     records the generation the tree had for it (0 for "absent").  That
 *     entry is the transaction's read set; later reads of an untouched
 *     entry still go to the tree.
 *   - A write or delete stores the transaction's own copy of the node (or
 *     a "deleted" mark) in the entry and flags it modified.  Later reads in
 *     the same transaction see that copy.  Copies are whole nodes, children
 *     lists included, so creating /a/b/c in a transaction copies /a/b (a new
 *     child) and /a/b/c, and the overlay is always a consistent set.
 *   - TRANSACTION_END "T" first checks every entry: if the tree's current
 *     generation of any path differs from the one recorded, someone else
 *     changed something this transaction depended on, and the commit fails
 *     with EAGAIN; the client retries the whole transaction.  Otherwise the
 *     modified entries are applied to the tree in the order they were first
 *     modified (each gets a new generation and a journal record), and only
 *     then do their watches fire.  Nothing a transaction does is visible to
 *     anyone else before its commit.
 *
 * Worked example.  Domain 0 starts T1 and reads /vm/name (gen 7 recorded);
 * meanwhile a plain write sets /vm/name (gen 9).  T1 writes /vm/state and
 * commits: /vm/name's generation is 9, not 7 -> EAGAIN, /vm/state unchanged.
 * Second example: T1 writes /a/x and T2 writes /a/y, both new.  Each copied
 * /a (adding a child), so each recorded /a's generation; T1 commits first
 * and bumps /a; T2's commit sees /a changed and gets EAGAIN - exactly
 * Xen's behaviour, and the reason a retry loop is part of every client.
 *
 * Limits: Xen's quota on nodes touched per transaction (ENOSPC) and on
 * transactions open per connection (ENOSPC); a transaction may not start
 * inside one (EBUSY).  Transactions are per connection and die with it.
 */
#include "store_core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct store_txn_entry {
	struct store_txn_entry *next;
	char *path;
	struct store_node *node; /* our copy, or NULL: deleted (when modified) */
	uint64_t base_gen;	 /* the tree's generation at first touch (0: absent) */
	bool modified;
	bool fire, exact;
	struct store_perm *perms; /* for watch visibility of a delete */
	uint32_t nperms;
};

/* Charge the transaction's domain (memory quota); all of it is returned at free. */
static void store_txn_charge(struct store_txn *t, long delta)
{
	t->mem = (size_t)((long)t->mem + delta);
	if (t->core)
		store_mem_charge(t->core, t->domid, delta);
}

static void store_txn_entry_free(struct store_txn_entry *e)
{
	store_node_free(e->node);
	free(e->perms);
	free(e->path);
	free(e);
}

void store_txn_free(struct store_txn *t)
{
	struct store_txn_entry *e, *next;

	for (e = t->head; e; e = next) {
		next = e->next;
		store_txn_entry_free(e);
	}
	store_txn_charge(t, -(long)t->mem);
	store_map_fini(&t->entries);
	free(t);
}

static bool store_view_unprivileged(const struct store_view *v)
{
	return v->conn && !v->conn->who.privileged;
}

/* The entry for path, created (recording the read) if needed. */
static struct store_txn_entry *store_txn_touch(struct store_view *v, const char *path, int *rc)
{
	struct store_txn *t = v->txn;
	struct store_txn_entry *e = store_map_get(&t->entries, path);
	const struct store_node *n;

	*rc = 0;
	if (e)
		return e;
	if (store_view_unprivileged(v) && v->core->quota.txn_nodes &&
	    t->n >= v->core->quota.txn_nodes) {
		store_quota_hit(v->conn, "transaction-nodes");
		*rc = -ENOSPC;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->path = strdup(path)) || store_map_put(&t->entries, e->path, e)) {
		if (e)
			free(e->path);
		free(e);
		*rc = -ENOMEM;
		return NULL;
	}
	n = store_tree_get(v->core, path);
	e->base_gen = n ? n->gen : 0;
	store_txn_charge(t, (long)(sizeof(*e) + strlen(path) + 1));
	if (t->tail)
		t->tail->next = e;
	else
		t->head = e;
	t->tail = e;
	t->n++;
	return e;
}

const struct store_node *store_view_get(struct store_view *v, const char *path, int *rc)
{
	struct store_txn_entry *e;

	*rc = 0;
	if (!v->txn)
		return store_tree_get(v->core, path);
	e = store_txn_touch(v, path, rc);
	if (!e)
		return NULL;
	return e->modified ? e->node : store_tree_get(v->core, path);
}

/* Track the node quota of the connection's domain inside a transaction. */
static void store_txn_count(struct store_view *v, const struct store_node *n, long delta)
{
	if (n && v->conn && store_node_owner(n) == v->conn->who.domid)
		v->txn->owned_delta += delta;
}

int store_view_put(struct store_view *v, struct store_node *n, bool fire)
{
	struct store_txn_entry *e;
	const struct store_node *old;
	int rc;

	if (!v->txn) {
		rc = store_tree_put(v->core, n); /* n now lives in the tree */
		if (!rc && fire)
			store_watch_fire(v->core, n->path, false, n->perms, n->nperms);
		return rc;
	}
	e = store_txn_touch(v, n->path, &rc);
	if (!e) {
		store_node_free(n);
		return rc;
	}
	old = e->modified ? e->node : store_tree_get(v->core, n->path);
	store_txn_count(v, old, -1);
	store_txn_count(v, n, 1);
	store_txn_charge(v->txn,
			 (long)store_node_mem(n) - (e->node ? (long)store_node_mem(e->node) : 0));
	store_node_free(e->node);
	e->node = n;
	e->modified = true;
	e->fire = e->fire || fire;
	e->exact = false;
	return 0;
}

int store_view_del(struct store_view *v, const struct store_node *n, bool exact)
{
	struct store_txn_entry *e;
	int rc;

	if (!v->txn) {
		struct store_perm *perms = malloc(n->nperms * sizeof(*perms));
		uint32_t np = n->nperms;
		char *path = strdup(n->path);

		if (!perms || !path) {
			free(perms);
			free(path);
			return -ENOMEM;
		}
		memcpy(perms, n->perms, np * sizeof(*perms));
		store_tree_del(v->core, path);
		store_watch_fire(v->core, path, exact, perms, np);
		free(perms);
		free(path);
		return 0;
	}
	e = store_txn_touch(v, n->path, &rc);
	if (!e)
		return rc;
	free(e->perms);
	e->perms = malloc(n->nperms * sizeof(*e->perms));
	if (!e->perms)
		return -ENOMEM;
	memcpy(e->perms, n->perms, n->nperms * sizeof(*e->perms));
	e->nperms = n->nperms;
	store_txn_count(v, n, -1);
	if (e->node)
		store_txn_charge(v->txn, -(long)store_node_mem(e->node));
	store_node_free(e->node);
	e->node = NULL;
	e->modified = true;
	e->fire = true;
	e->exact = exact;
	return 0;
}

int store_txn_start(struct store_conn *conn, uint32_t *id)
{
	struct store_core *c = conn->core;
	struct store_txn *t;

	if (!conn->who.privileged && c->quota.txns && conn->ntxns >= c->quota.txns) {
		store_quota_hit(conn, "transactions");
		return -ENOSPC;
	}
	if (store_mem_check(conn, (long)sizeof(*t)))
		return -ENOMEM;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	store_map_init(&t->entries);
	t->core = c;
	t->domid = conn->who.domid;
	store_txn_charge(t, (long)sizeof(*t));
	do
		t->id = ++conn->next_txid;
	while (t->id == 0 || store_txn_find(conn, t->id));
	t->next = conn->txns;
	conn->txns = t;
	conn->ntxns++;
	*id = t->id;
	return 0;
}

struct store_txn *store_txn_find(struct store_conn *conn, uint32_t id)
{
	struct store_txn *t;

	for (t = conn->txns; t && t->id != id; t = t->next)
		;
	return t;
}

static void store_txn_unlink(struct store_conn *conn, struct store_txn *t)
{
	struct store_txn **pp;

	for (pp = &conn->txns; *pp != t; pp = &(*pp)->next)
		;
	*pp = t->next;
	conn->ntxns--;
}

static bool store_txn_conflict(const struct store_core *c, const struct store_txn *t)
{
	for (const struct store_txn_entry *e = t->head; e; e = e->next) {
		const struct store_node *n = store_tree_get(c, e->path);

		if ((n ? n->gen : 0) != e->base_gen)
			return true;
	}
	return false;
}

/*
 * Journal order must replay cleanly: puts parents-first (shorter paths
 * first), then deletes children-first.  The tree is consistent either way
 * once all are applied.
 */
static int store_txn_order(const void *pa, const void *pb)
{
	const struct store_txn_entry *a = *(struct store_txn_entry *const *)pa;
	const struct store_txn_entry *b = *(struct store_txn_entry *const *)pb;
	long la = (long)strlen(a->path), lb = (long)strlen(b->path);

	if (!a->node != !b->node)
		return a->node ? -1 : 1;
	if (a->node)
		return la < lb ? -1 : la > lb;
	return la > lb ? -1 : la < lb;
}

/* Apply every modified entry, then fire their watches (in first-touch order). */
static int store_txn_apply(struct store_core *c, struct store_txn *t)
{
	struct store_txn_entry *e, **v = malloc((t->n + 1) * sizeof(*v));
	const struct store_node *n;
	size_t k = 0;
	int rc = 0;

	if (!v)
		return -ENOMEM;
	for (e = t->head; e; e = e->next)
		if (e->modified)
			v[k++] = e;
	qsort(v, k, sizeof(*v), store_txn_order);
	for (size_t i = 0; i < k && !rc; i++) {
		if (v[i]->node) {
			rc = store_tree_put(c, v[i]->node);
			v[i]->node = NULL;
		} else {
			store_tree_del(c, v[i]->path);
		}
	}
	free(v);
	for (e = t->head; e; e = e->next) {
		if (!e->modified || !e->fire)
			continue;
		n = store_tree_get(c, e->path);
		if (n)
			store_watch_fire(c, e->path, false, n->perms, n->nperms);
		else if (e->perms)
			store_watch_fire(c, e->path, e->exact, e->perms, e->nperms);
	}
	return rc;
}

int store_txn_end(struct store_conn *conn, struct store_txn *t, bool commit)
{
	int rc = 0;

	store_txn_unlink(conn, t);
	if (commit && store_txn_conflict(conn->core, t))
		rc = -EAGAIN;
	else if (commit)
		rc = store_txn_apply(conn->core, t);
	store_txn_free(t);
	return rc;
}
