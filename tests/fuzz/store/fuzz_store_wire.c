/*
 * Fuzz target for dyad-store's wire parser and request handlers: the input
 * is a byte stream from one client.  Its first byte picks who the client is
 * (dom0, or guest 1 whose home exists) and how the stream is chunked; the
 * rest is fed through the connection's transport in chunks, as a socket or
 * a ring would deliver it, so headers and payloads split anywhere.  A fresh
 * store per input, torn down fully, so leaks show up too.
 */
#include "store_core.h"

#include <stdlib.h>
#include <string.h>

struct fuzz_feed {
	const uint8_t *data;
	size_t len, off, chunk;
};

static ssize_t fuzz_read(struct store_conn *c, void *buf, size_t len)
{
	struct fuzz_feed *f = c->priv;
	size_t n = f->len - f->off;

	if (n > f->chunk)
		n = f->chunk;
	if (n > len)
		n = len;
	memcpy(buf, f->data + f->off, n);
	f->off += n;
	return (ssize_t)n;
}

static ssize_t fuzz_write(struct store_conn *c, const void *buf, size_t len)
{
	(void)c;
	(void)buf;
	return (ssize_t)len;
}

static const struct store_conn_ops fuzz_ops = {fuzz_read, fuzz_write, NULL};

static void fuzz_setup(struct store_core *core)
{
	static const struct store_perm home = {1, STORE_PERM_NONE};
	struct store_node *n = store_node_new("/local", "", 0, &home, 1);

	if (n && store_node_add_child(n, "domain") == 0 && store_tree_put(core, n) == 0) {
		n = store_node_new("/local/domain", "", 0, &home, 1);
		if (n && store_node_add_child(n, "1") == 0 && store_tree_put(core, n) == 0)
			n = store_node_new("/local/domain/1", "", 0, &home, 1);
		if (n && store_tree_put(core, n) == 0)
			(void)!store_domain_introduce(core, 1, 1, 1, false);
	}
	n = store_node_clone(store_tree_get(core, "/"));
	if (n && store_node_add_child(n, "local") == 0)
		(void)!store_tree_put(core, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_feed feed = {0};
	struct store_core core;
	struct store_conn *conn, *dom0;

	if (size < 1 || store_core_init(&core))
		return 0;
	fuzz_setup(&core);
	feed = (struct fuzz_feed){data + 1, size - 1, 0, (size_t)(data[0] >> 1) * 7 + 1};
	conn = store_conn_new(&core, &fuzz_ops, &feed, -1, data[0] & 1, !(data[0] & 1));
	dom0 = store_conn_new(&core, &fuzz_ops, NULL, -1, 0, true); /* a watcher */
	if (conn && dom0) {
		(void)!store_watch_add(dom0, "/", "all", false);
		while (!conn->dead && feed.off < feed.len) {
			store_conn_input(conn);
			(void)store_conn_flush(conn);
			(void)store_conn_flush(dom0);
		}
	}
	store_core_fini(&core);
	return 0;
}
