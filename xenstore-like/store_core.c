/*
 * The core's state and the tree primitives: the node table, per-domain node
 * counts (for the node quota), the journal hook, quotas and their logging.
 */
#include "store_core.h"

#include "log.h"
#include "store_journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_quota_defaults(struct store_quota *q)
{
	*q = (struct store_quota){.nodes = 1000,
				  .watches = 128,
				  .node_size = 2048,
				  .txns = 10,
				  .perms = 5,
				  .txn_nodes = 1024,
				  .outstanding = 20,
				  .mem_soft = 2u << 20,
				  .mem_hard = (5u << 20) / 2};
}

int store_quota_set(struct store_quota *q, const char *spec)
{
	static const struct {
		const char *name;
		size_t off;
	} names[] = {
		{"nodes", offsetof(struct store_quota, nodes)},
		{"watches", offsetof(struct store_quota, watches)},
		{"node-size", offsetof(struct store_quota, node_size)},
		{"transactions", offsetof(struct store_quota, txns)},
		{"perms", offsetof(struct store_quota, perms)},
		{"transaction-nodes", offsetof(struct store_quota, txn_nodes)},
		{"outstanding", offsetof(struct store_quota, outstanding)},
	};
	const char *eq = strchr(spec, '=');
	unsigned long v;
	char *end;

	if (!eq)
		return -EINVAL;
	errno = 0;
	v = strtoul(eq + 1, &end, 10);
	if (errno || *end || eq[1] == '\0' || v > 1000000000ul)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) == (size_t)(eq - spec) &&
		    strncmp(spec, names[i].name, (size_t)(eq - spec)) == 0) {
			*(unsigned int *)((char *)q + names[i].off) = (unsigned int)v;
			return 0;
		}
	}
	return -EINVAL;
}

void store_quota_hit(const struct store_conn *conn, const char *quota)
{
	log_warn_rl("domain %u hit its %s quota", conn->who.domid, quota);
}

int store_core_init(struct store_core *c)
{
	static const struct store_perm root_perms = {0, STORE_PERM_NONE};
	struct store_node *root;

	memset(c, 0, sizeof(*c));
	store_map_init(&c->nodes);
	store_quota_defaults(&c->quota);
	c->owned = calloc(DOMID_FIRST_RESERVED, sizeof(*c->owned));
	c->domains = calloc(DOMID_FIRST_RESERVED, sizeof(*c->domains));
	root = store_node_new("/", "", 0, &root_perms, 1);
	if (!c->owned || !c->domains || !root || store_tree_put(c, root)) {
		store_core_fini(c);
		return -ENOMEM;
	}
	return 0;
}

void store_core_fini(struct store_core *c)
{
	const struct store_map_slot *s;
	size_t i = 0;

	while (c->conns)
		store_conn_free(c->conns);
	while (store_map_next(&c->nodes, &i, &s))
		store_node_free(s->val);
	store_map_fini(&c->nodes);
	for (i = 0; c->domains && i < DOMID_FIRST_RESERVED; i++)
		free(c->domains[i]);
	free(c->domains);
	free(c->owned);
	c->domains = NULL;
	c->owned = NULL;
}

const struct store_node *store_tree_get(const struct store_core *c, const char *path)
{
	return store_map_get(&c->nodes, path);
}

static void store_tree_count(struct store_core *c, const struct store_node *n, int delta)
{
	uint32_t owner = store_node_owner(n);

	if (owner < DOMID_FIRST_RESERVED)
		c->owned[owner] += (uint32_t)delta;
}

/* Does the journal need this put (it keeps children implicitly)? */
static bool store_tree_changed(const struct store_node *old, const struct store_node *n)
{
	return !old || old->vlen != n->vlen || old->nperms != n->nperms ||
	       memcmp(old->value, n->value, n->vlen) != 0 ||
	       memcmp(old->perms, n->perms, n->nperms * sizeof(*n->perms)) != 0;
}

int store_tree_put(struct store_core *c, struct store_node *n)
{
	struct store_node *old = store_map_get(&c->nodes, n->path);

	if (store_map_put(&c->nodes, n->path, n)) {
		store_node_free(n);
		return -ENOMEM;
	}
	n->gen = ++c->gen;
	if (c->journal && store_tree_changed(old, n)) {
		store_journal_put(c->journal, n);
		c->dirty = true;
	}
	if (old) {
		store_tree_count(c, old, -1);
		store_node_free(old);
	}
	store_tree_count(c, n, 1);
	return 0;
}

void store_tree_del(struct store_core *c, const char *path)
{
	struct store_node *old = store_map_del(&c->nodes, path);

	if (!old)
		return;
	if (c->journal) {
		store_journal_del(c->journal, path);
		c->dirty = true;
	}
	store_tree_count(c, old, -1);
	store_node_free(old);
}
