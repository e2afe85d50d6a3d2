/*
 * An in-memory transport for driving dyad-store's core in tests: requests
 * go in as bytes, replies and watch events come out of a buffer.
 */
#ifndef DYAD_TEST_STORE_HARNESS_H
#define DYAD_TEST_STORE_HARNESS_H

#include "store_core.h"

#include <stdlib.h>
#include <string.h>

struct th_out {
	char buf[1 << 16];
	size_t len;
};

static ssize_t th_read(struct store_conn *c, void *buf, size_t len)
{
	(void)c;
	(void)buf;
	(void)len;
	return 0;
}

static ssize_t th_write(struct store_conn *c, const void *buf, size_t len)
{
	struct th_out *o = c->priv;

	if (len > sizeof(o->buf) - o->len)
		len = sizeof(o->buf) - o->len;
	memcpy(o->buf + o->len, buf, len);
	o->len += len;
	return (ssize_t)len;
}

static void th_destroy(struct store_conn *c)
{
	free(c->priv);
}

static const struct store_conn_ops th_ops = {th_read, th_write, th_destroy};

static inline struct store_conn *th_conn(struct store_core *core, uint32_t domid)
{
	return store_conn_new(core, &th_ops, calloc(1, sizeof(struct th_out)), -1, domid,
			      domid == 0);
}

/* Send one request; return the reply's type, copy its body to body/blen. */
static inline uint32_t th_req(struct store_conn *c, uint32_t type, uint32_t tx, const char *data,
			      size_t len, char *body, size_t *blen)
{
	struct th_out *o = c->priv;
	struct xsd_sockmsg h = {type, 77, tx, (uint32_t)len};
	char payload[XENSTORE_PAYLOAD_MAX + 1];
	size_t off = 0;

	memcpy(payload, data, len);
	payload[len] = '\0';
	store_conn_dispatch(c, &h, payload);
	(void)store_conn_flush(c);
	while (off + sizeof(h) <= o->len) {
		memcpy(&h, o->buf + off, sizeof(h));
		if (h.type != XS_WATCH_EVENT) {
			memcpy(body, o->buf + off + sizeof(h), h.len);
			body[h.len] = '\0';
			*blen = h.len;
			memmove(o->buf + off, o->buf + off + sizeof(h) + h.len,
				o->len - off - sizeof(h) - h.len);
			o->len -= sizeof(h) + h.len;
			return h.type;
		}
		off += sizeof(h) + h.len;
	}
	return XS_INVALID;
}

/* Pop the next queued watch event "path\0token\0" into ev; false if none. */
static inline bool th_event(struct store_conn *c, char *ev, size_t *len)
{
	struct th_out *o = c->priv;
	struct xsd_sockmsg h;

	(void)store_conn_flush(c);
	if (o->len < sizeof(h))
		return false;
	memcpy(&h, o->buf, sizeof(h));
	memcpy(ev, o->buf + sizeof(h), h.len);
	*len = h.len;
	memmove(o->buf, o->buf + sizeof(h) + h.len, o->len - sizeof(h) - h.len);
	o->len -= sizeof(h) + h.len;
	return h.type == XS_WATCH_EVENT;
}

#endif
