/*
 * Fuzz target for dyad-store's ring consumer (store_ring.c): the input is
 * a script of what a hostile guest does to its xenstore page between two
 * passes of the daemon's loop.  Byte 0..15 set the four indexes the page
 * starts with (the store adopts them at attach, as after a restart); then
 * each step is an opcode byte and its operands:
 *   0 LEN BYTES..  append LEN (1 byte) bytes at req_prod and publish them
 *   1 u32          set req_prod to anything (torn or garbage index)
 *   2 u32          set rsp_cons to anything
 *   3 u16          consume up to N reply bytes (a well-behaved reader)
 *   4              ask to RECONNECT
 *   5 u32          scribble over req_cons / rsp_prod (ours: must be ignored)
 * After every step the loop runs (flush, read, dispatch).  The checks: no
 * crash or leak (sanitizers), the loop ends (no spinning on a stalled
 * ring), a request held for its reply is never longer than the ring, and
 * the guest loses its connection only with the ring marked broken.
 */
#include "store_core.h"
#include "store_ring.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static ssize_t fuzz_read(struct store_conn *c, void *buf, size_t len)
{
	return 0;
}

static ssize_t fuzz_write(struct store_conn *c, const void *buf, size_t len)
{
	return (ssize_t)len;
}

static const struct store_conn_ops fuzz_dom0_ops = {fuzz_read, fuzz_write, NULL};

static void fuzz_pump(struct store_core *core, struct store_conn *dom0)
{
	struct store_conn *conn, *next;
	uint64_t before;
	unsigned int rounds = 0;

	do {
		before = core->requests;
		for (conn = core->conns; conn; conn = next) {
			next = conn->next;
			if (store_conn_flush(conn) && store_conn_ready(conn))
				store_conn_input(conn);
			if (conn->dead && conn != dom0)
				store_conn_free(conn);
		}
		/* One request per pass per ring: a ring's worth at most. */
		if (++rounds >= 4 * XENSTORE_RING_SIZE)
			abort(); /* a pump that never settles is a bug the fuzzer must see */
	} while (core->requests != before);
}

static uint32_t fuzz_u32(const uint8_t *d, size_t size, size_t *off)
{
	uint32_t v = 0;

	if (*off + 4 <= size)
		memcpy(&v, d + *off, 4);
	*off += 4;
	return v;
}

static void fuzz_step(struct xenstore_domain_interface *p, const uint8_t *d, size_t size,
		      size_t *off)
{
	uint8_t op = d[(*off)++];
	uint32_t v, n;

	switch (op % 6) {
	case 0:
		n = *off < size ? d[(*off)++] : 0;
		for (uint32_t i = 0; i < n && *off < size; i++)
			p->req[MASK_XENSTORE_IDX(p->req_prod + i)] = (char)d[(*off)++];
		__atomic_store_n(&p->req_prod, p->req_prod + n, __ATOMIC_RELEASE);
		break;
	case 1:
		p->req_prod = fuzz_u32(d, size, off);
		break;
	case 2:
		p->rsp_cons = fuzz_u32(d, size, off);
		break;
	case 3:
		v = fuzz_u32(d, size, off) & 0xffff;
		n = p->rsp_prod - p->rsp_cons;
		p->rsp_cons += v < n ? v : n;
		break;
	case 4:
		p->connection = XENSTORE_RECONNECT;
		break;
	default:
		v = fuzz_u32(d, size, off);
		p->req_cons = v;
		p->rsp_prod = v;
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xenstore_domain_interface *page = calloc(1, sizeof(*page));
	struct store_ring ring = {0};
	struct store_core core;
	struct store_conn *dom0;
	size_t off = 0;

	if (!page || store_core_init(&core)) {
		free(page);
		return 0;
	}
	page->req_cons = fuzz_u32(data, size, &off);
	page->req_prod = fuzz_u32(data, size, &off);
	page->rsp_cons = fuzz_u32(data, size, &off);
	page->rsp_prod = fuzz_u32(data, size, &off);
	dom0 = store_conn_new(&core, &fuzz_dom0_ops, NULL, -1, 0, true);
	if (dom0 && store_ring_attach(&ring, &core, 1, page) == 0) {
		while (off < size) {
			fuzz_step(page, data, size, &off);
			store_ring_event(&ring);
			fuzz_pump(&core, dom0);
			/* Only a ring fault costs the guest its connection. */
			assert(ring.broken || ring.conn);
			assert(ring.held <= XENSTORE_RING_SIZE);
		}
	}
	store_ring_detach(&ring);
	store_core_fini(&core);
	free(page);
	return 0;
}
