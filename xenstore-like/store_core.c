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
	static const struct {
		const char *name;
		size_t off;
	} sizes[] = {
		{"memory", offsetof(struct store_quota, mem_hard)},
		{"memory-soft", offsetof(struct store_quota, mem_soft)},
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
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (strlen(sizes[i].name) == (size_t)(eq - spec) &&
		    strncmp(spec, sizes[i].name, (size_t)(eq - spec)) == 0) {
			*(size_t *)((char *)q + sizes[i].off) = (size_t)v;
			return 0;
		}
	}
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

/* 0: within the soft quota, 1: over it, 2: at or over the hard quota (dom0: 0). */
static uint8_t store_mem_level(const struct store_core *c, uint32_t domid)
{
	size_t m = c->mem[domid], soft = c->quota.mem_soft, hard = c->quota.mem_hard;

	if (domid == 0)
		return 0;
	if (hard && m >= hard)
		return 2;
	return soft && m > soft ? 1 : 0;
}

void store_mem_charge(struct store_core *c, uint32_t domid, long delta)
{
	uint8_t level;

	if (domid >= DOMID_FIRST_RESERVED || !c->mem)
		return;
	c->mem[domid] =
		delta < 0 && (size_t)-delta > c->mem[domid] ? 0 : c->mem[domid] + (size_t)delta;
	level = store_mem_level(c, domid);
	if (level == 1 && c->mem_warned[domid] < 1)
		log_warn_rl("domain %u exceeds its soft memory quota (%zu > %zu bytes)", domid,
			    c->mem[domid], c->quota.mem_soft);
	if (level == 2 && c->mem_warned[domid] < 2)
		log_warn_rl("domain %u is at its hard memory quota (%zu >= %zu bytes): its "
			    "requests wait until it frees memory",
			    domid, c->mem[domid], c->quota.mem_hard);
	c->mem_warned[domid] = level;
}

int store_mem_check(const struct store_conn *conn, long more)
{
	const struct store_core *c = conn->core;
	size_t hard = c->quota.mem_hard;

	if (conn->who.privileged || !hard || more <= 0 || conn->who.domid >= DOMID_FIRST_RESERVED)
		return 0;
	if (c->mem[conn->who.domid] + (size_t)more <= hard)
		return 0;
	store_quota_hit(conn, "memory");
	return -ENOMEM;
}

bool store_mem_stalled(const struct store_conn *conn)
{
	const struct store_core *c = conn->core;
	size_t hard = c->quota.mem_hard;

	return !conn->who.privileged && hard && conn->who.domid < DOMID_FIRST_RESERVED &&
	       c->mem[conn->who.domid] >= hard;
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
	c->mem = calloc(DOMID_FIRST_RESERVED, sizeof(*c->mem));
	c->mem_warned = calloc(DOMID_FIRST_RESERVED, sizeof(*c->mem_warned));
	root = store_node_new("/", "", 0, &root_perms, 1);
	if (!c->owned || !c->domains || !c->mem || !c->mem_warned || !root ||
	    store_tree_put(c, root)) {
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
	free(c->mem);
	free(c->mem_warned);
	c->domains = NULL;
	c->owned = NULL;
	c->mem = NULL;
	c->mem_warned = NULL;
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
	store_mem_charge(c, owner, delta * (long)store_node_mem(n));
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
