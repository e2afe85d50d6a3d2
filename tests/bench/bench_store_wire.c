/*
 * bench_store_wire: a raw xs_wire client for the store benchmark, cheaper
 * than libxenstore (one write per batch, one read per batch of replies, no
 * allocation) and able to keep DEPTH requests outstanding on one connection.
 * xs_wire allows that: replies carry the request's req_id and come back in
 * order; Xen's own clients simply never do it.  With DEPTH = 1 it is the
 * classic one-request-at-a-time pattern with a lighter client; with DEPTH > 1
 * it shows what a daemon can do when clients do not hold it back.
 *
 * The same code drives dyad-store and the reference xenstored, so the
 * figures compare daemons, not clients.  Message layouts are xs_wire.h's
 * (struct xsd_sockmsg: type, req_id, tx_id, len; then len payload bytes).
 */
#define _GNU_SOURCE
#include "bench_store_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#define BW_SLOTS 64

struct bench_wire {
	int fd;
	char out[BW_SLOTS * 128];
	size_t olen;
	char in[BW_SLOTS * 256];
	size_t ilen;
	uint32_t txid[BW_SLOTS];
	long errors;
};

static double bw_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int bw_connect(struct bench_wire *w, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	w->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (w->fd < 0 || connect(w->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	return 0;
}

/* Queue one request: payload is a then b (b may be NULL). */
static void bw_add(struct bench_wire *w, uint32_t type, uint32_t slot, uint32_t tx, const char *a,
		   size_t alen, const char *b, size_t blen)
{
	struct xsd_sockmsg h = {type, slot, tx, (uint32_t)(alen + blen)};

	memcpy(w->out + w->olen, &h, sizeof(h));
	memcpy(w->out + w->olen + sizeof(h), a, alen);
	if (blen)
		memcpy(w->out + w->olen + sizeof(h) + alen, b, blen);
	w->olen += sizeof(h) + alen + blen;
}

static int bw_flush(struct bench_wire *w)
{
	for (size_t off = 0; off < w->olen;) {
		ssize_t n = write(w->fd, w->out + off, w->olen - off);

		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	w->olen = 0;
	return 0;
}

/* Read exactly `want` replies (watch events are not expected); 0 or -1. */
static int bw_replies(struct bench_wire *w, int want)
{
	struct xsd_sockmsg h;
	size_t off = 0;

	w->ilen = 0;
	while (want > 0) {
		while (w->ilen - off >= sizeof(h)) {
			memcpy(&h, w->in + off, sizeof(h));
			if (h.len > XENSTORE_PAYLOAD_MAX || h.req_id >= BW_SLOTS)
				return -1;
			if (w->ilen - off < sizeof(h) + h.len)
				break;
			if (h.type == XS_ERROR)
				w->errors++;
			else if (h.type == XS_TRANSACTION_START)
				w->txid[h.req_id] =
					(uint32_t)strtoul(w->in + off + sizeof(h), NULL, 10);
			off += sizeof(h) + h.len;
			want--;
		}
		if (!want)
			break;
		memmove(w->in, w->in + off, w->ilen - off);
		w->ilen -= off;
		off = 0;
		ssize_t n = read(w->fd, w->in + w->ilen, sizeof(w->in) - w->ilen);

		if (n <= 0)
			return -1;
		w->ilen += (size_t)n;
	}
	return 0;
}

/* One batch of depth operations of kind op ('r', 'w' or 't'); 0 or -1. */
static int bw_batch(struct bench_wire *w, char op, int depth, const char *base)
{
	char path[64];
	size_t plen;

	for (int i = 0; i < depth && op != 't'; i++) {
		snprintf(path, sizeof(path), "%s/%d", base, i);
		plen = strlen(path) + 1;
		if (op == 'r')
			bw_add(w, XS_READ, (uint32_t)i, 0, path, plen, NULL, 0);
		else
			bw_add(w, XS_WRITE, (uint32_t)i, 0, path, plen, "x", 1);
	}
	if (op != 't')
		return bw_flush(w) || bw_replies(w, depth) ? -1 : 0;
	/* depth transactions interleaved, each writing its own node. */
	for (int i = 0; i < depth; i++)
		bw_add(w, XS_TRANSACTION_START, (uint32_t)i, 0, "", 1, NULL, 0);
	if (bw_flush(w) || bw_replies(w, depth))
		return -1;
	for (int i = 0; i < depth; i++) {
		snprintf(path, sizeof(path), "%s/%d", base, i);
		bw_add(w, XS_WRITE, (uint32_t)i, w->txid[i], path, strlen(path) + 1, "y", 1);
	}
	if (bw_flush(w) || bw_replies(w, depth))
		return -1;
	for (int i = 0; i < depth; i++)
		bw_add(w, XS_TRANSACTION_END, (uint32_t)i, w->txid[i], "T", 2, NULL, 0);
	return bw_flush(w) || bw_replies(w, depth) ? -1 : 0;
}

long bench_wire_client(const char *path, char op, int depth, double start, double end)
{
	struct bench_wire *w = calloc(1, sizeof(*w));
	char base[32];
	long n = 0;

	if (!w || depth < 1 || depth > BW_SLOTS || bw_connect(w, path))
		return -1;
	snprintf(base, sizeof(base), "/bench/w%d", (int)getpid());
	if (bw_batch(w, 'w', depth, base)) /* create the nodes */
		return -1;
	while (bw_now() < start)
		;
	while (bw_now() < end) {
		if (bw_batch(w, op, depth, base))
			return -1;
		n += depth;
	}
	bw_add(w, XS_RM, 0, 0, base, strlen(base) + 1, NULL, 0);
	if (bw_flush(w) || bw_replies(w, 1))
		n = -1;
	close(w->fd);
	if (w->errors)
		fprintf(stderr, "bench_store: %ld error replies (%c, depth %d)\n", w->errors, op,
			depth);
	n = n < 0 ? n : n - w->errors;
	free(w);
	return n;
}
