/*
 * Domain bookkeeping: INTRODUCE records a domain (its ring's frame and
 * event channel) and fires @introduceDomain; RELEASE forgets it, removes
 * every node it owns, drops its entries from other nodes' permission lists
 * (so a later domain reusing the id inherits nothing) and fires
 * @releaseDomain; SET_TARGET lets a device model act as its target's owner.
 *
 * The daemon's guest transport (store_guest.c, through core->hooks) attaches
 * the domain's ring page and event channel at INTRODUCE - before the domain
 * is journalled, so a domain that cannot be attached is refused - and
 * detaches it at RELEASE.  A replayed INTRODUCE (journal false) is not
 * attached here: the daemon re-attaches journalled domains once the core
 * is reachable.
 */
#include "store_core.h"
#include "store_journal.h"
#include "store_path.h"

#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct store_perm store_domain_special_perms = {0, STORE_PERM_NONE};

struct store_domain *store_domain_get(const struct store_core *c, uint32_t domid)
{
	return domid < DOMID_FIRST_RESERVED ? c->domains[domid] : NULL;
}

void store_domain_who(const struct store_core *c, struct store_who *who)
{
	const struct store_domain *d = store_domain_get(c, who->domid);

	who->target = d ? d->target : -1;
}

int store_domain_introduce(struct store_core *c, uint32_t domid, uint64_t mfn, uint32_t port,
			   bool journal)
{
	struct store_domain *d;

	if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	d = c->domains[domid];
	if (d)
		return d->mfn == mfn && d->port == port ? 0 : -EEXIST;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	*d = (struct store_domain){.domid = domid, .mfn = mfn, .port = port, .target = -1};
	if (journal && c->hooks) {
		int rc = c->hooks->attach(c->hooks_arg, d);

		if (rc) {
			free(d);
			return rc;
		}
	}
	c->domains[domid] = d;
	if (journal && c->journal) {
		store_journal_domain(c->journal, domid, mfn, port);
		c->dirty = true;
	}
	store_watch_fire(c, "@introduceDomain", true, &store_domain_special_perms, 1);
	return 0;
}

static bool store_domain_mentions(const struct store_node *n, uint32_t domid)
{
	for (uint32_t i = 0; i < n->nperms; i++)
		if (n->perms[i].id == domid)
			return true;
	return false;
}

/* Remove n if domid owns it, else drop domid from its permissions. */
static int store_domain_scrub(struct store_core *c, const struct store_node *n, uint32_t domid)
{
	struct store_view v = {.core = c};
	struct store_node *copy;
	uint32_t j = 1;

	if (store_node_owner(n) == domid)
		return strcmp(n->path, "/") ? store_rm_subtree(&v, n) : 0;
	copy = store_node_clone(n);
	if (!copy)
		return -ENOMEM;
	for (uint32_t i = 1; i < copy->nperms; i++)
		if (copy->perms[i].id != domid)
			copy->perms[j++] = copy->perms[i];
	copy->nperms = j;
	return store_view_put(&v, copy, true);
}

/* Paths first (removals change the table), then scrub those still present. */
static int store_domain_scrub_all(struct store_core *c, uint32_t domid)
{
	const struct store_map_slot *s;
	char **paths;
	size_t n = 0, i = 0;
	int rc = 0;

	paths = calloc(c->nodes.n + 1, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	while (store_map_next(&c->nodes, &i, &s))
		if (store_domain_mentions(s->val, domid) && !(paths[n++] = strdup(s->key)))
			rc = -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct store_node *cur = paths[i] ? store_tree_get(c, paths[i]) : NULL;

		if (cur && !rc && store_domain_mentions(cur, domid))
			rc = store_domain_scrub(c, cur, domid);
		free(paths[i]);
	}
	free(paths);
	return rc;
}

int store_domain_release(struct store_core *c, uint32_t domid, bool journal)
{
	struct store_domain *d = store_domain_get(c, domid);

	if (!d)
		return -ENOENT;
	if (c->hooks)
		c->hooks->detach(c->hooks_arg, d);
	if (d->conn)
		store_conn_fail(d->conn, "domain released");
	free(d);
	c->domains[domid] = NULL;
	if (journal && c->journal) {
		store_journal_release(c->journal, domid);
		c->dirty = true;
	}
	if (journal && c->owned[domid])
		log_info("domain %u released: removing its %u nodes", domid, c->owned[domid]);
	if (journal && store_domain_scrub_all(c, domid))
		log_warn("domain %u released: out of memory scrubbing its nodes", domid);
	store_watch_fire(c, "@releaseDomain", true, &store_domain_special_perms, 1);
	return 0;
}

int store_domain_set_target(struct store_core *c, uint32_t domid, uint32_t target, bool journal)
{
	struct store_domain *d = store_domain_get(c, domid);

	if (!d || !store_domain_get(c, target))
		return -ENOENT;
	d->target = target;
	if (journal && c->journal) {
		store_journal_target(c->journal, domid, target);
		c->dirty = true;
	}
	for (struct store_conn *conn = c->conns; conn; conn = conn->next)
		if (conn->who.domid == domid)
			conn->who.target = target;
	return 0;
}
