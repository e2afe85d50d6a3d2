/*
 * Watches, with Xen's rules: a watch fires once when registered, then on
 * every change (create, modify, delete, permission change) at or below its
 * path; a removed subtree fires each removed node's exact watchers.  Only a
 * connection allowed to read the node hears of it.  Relative watch paths get
 * relative event paths.  The special paths @introduceDomain and
 * @releaseDomain fire for privileged watchers when domains come and go.
 */
#include "store_core.h"
#include "store_path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bytes a watch costs its domain against the memory quota. */
static size_t store_watch_mem(const char *path, const char *token)
{
	return sizeof(struct store_watch) + strlen(path) + strlen(token) + 2;
}

void store_watch_event(struct store_conn *conn, const struct store_watch *w, const char *path)
{
	size_t plen, tlen = strlen(w->token) + 1;
	char buf[XENSTORE_PAYLOAD_MAX];

	if (w->rel_off && strlen(path) >= w->rel_off)
		path += w->rel_off;
	plen = strlen(path) + 1;
	if (plen + tlen > sizeof(buf))
		return;
	memcpy(buf, path, plen);
	memcpy(buf + plen, w->token, tlen);
	(void)!store_conn_send(conn, XS_WATCH_EVENT, 0, 0, buf, plen + tlen);
}

int store_watch_add(struct store_conn *conn, const char *path, const char *token, bool relative)
{
	struct store_core *c = conn->core;
	struct store_watch *w;
	char home[32];

	for (w = conn->watches; w; w = w->next)
		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
			return -EEXIST;
	if (!conn->who.privileged && c->quota.watches && conn->nwatches >= c->quota.watches) {
		store_quota_hit(conn, "watches");
		return -E2BIG;
	}
	if (store_mem_check(conn, (long)store_watch_mem(path, token)))
		return -ENOMEM;
	w = calloc(1, sizeof(*w));
	if (!w || !(w->path = strdup(path)) || !(w->token = strdup(token))) {
		if (w)
			free(w->path);
		free(w);
		return -ENOMEM;
	}
	if (relative) {
		store_path_home(conn->who.domid, home, sizeof(home));
		w->rel_off = strlen(home) + 1;
	}
	store_mem_charge(c, conn->who.domid, (long)store_watch_mem(path, token));
	w->next = conn->watches;
	conn->watches = w;
	conn->nwatches++;
	return 0;
}

static void store_watch_free(struct store_conn *conn, struct store_watch *w)
{
	store_mem_charge(conn->core, conn->who.domid, -(long)store_watch_mem(w->path, w->token));
	free(w->path);
	free(w->token);
	free(w);
}

int store_watch_del(struct store_conn *conn, const char *path, const char *token)
{
	for (struct store_watch **pp = &conn->watches; *pp; pp = &(*pp)->next) {
		struct store_watch *w = *pp;

		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
			*pp = w->next;
			store_watch_free(conn, w);
			conn->nwatches--;
			return 0;
		}
	}
	return -ENOENT;
}

void store_watch_reset(struct store_conn *conn)
{
	while (conn->watches) {
		struct store_watch *w = conn->watches;

		conn->watches = w->next;
		store_watch_free(conn, w);
	}
	conn->nwatches = 0;
}

void store_watch_fire(struct store_core *c, const char *path, bool exact,
		      const struct store_perm *perms, uint32_t nperms)
{
	bool special = path[0] == '@';

	for (struct store_conn *conn = c->conns; conn; conn = conn->next) {
		if (conn->dead || !conn->watches)
			continue;
		if (special ? !conn->who.privileged
			    : !(store_perms_for(&conn->who, perms, nperms) & STORE_PERM_READ))
			continue;
		for (struct store_watch *w = conn->watches; w; w = w->next) {
			bool hit = exact || special ? strcmp(path, w->path) == 0
						    : store_path_is_child(path, w->path);

			if (hit)
				store_watch_event(conn, w, path);
		}
	}
}
