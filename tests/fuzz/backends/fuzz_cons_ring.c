/*
 * Fuzz the console backend's view of a hostile guest: the input is a script
 * of guest actions on a shared xencons_interface (write any index, any
 * bytes anywhere in the page) interleaved with the backend's reads and
 * writes; every message-sized tail also goes through cons_proto_check().
 * The backend must never read or write outside the page, never report
 * more bytes than asked for or than the ring holds, keep its own indexes
 * in step with the page after each success, and stop at -EPROTO.
 *
 * Script: 4 x u32 initial indexes (in_cons, in_prod, out_cons, out_prod),
 * then ops: one byte op, then its operands (missing bytes end the script).
 *   op%6 == 0: guest sets out_prod = u32      1: guest sets in_cons = u32
 *          2: guest writes n=u8 bytes at page offset u16 % sizeof(page)
 *          3: backend reads, cap = u16 % 4096  4: backend writes n = u16 % 2048
 *          5: guest advances out_prod by u8 (a well-behaved print)
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cons_proto.h"
#include "cons_ring.h"

struct script {
	const uint8_t *p;
	size_t left;
};

static int take(struct script *s, void *out, size_t n)
{
	if (s->left < n)
		return -1;
	memcpy(out, s->p, n);
	s->p += n;
	s->left -= n;
	return 0;
}

static int backend_read(struct cons_ring *r, struct script *s)
{
	static uint8_t buf[4096];
	uint16_t cap;
	size_t n;
	int rc;

	if (take(s, &cap, 2))
		return -1;
	cap %= sizeof(buf);
	rc = cons_ring_read(r, buf, cap, &n);
	/* A success publishes our index: the page holds exactly our copy. */
	if (rc == 0 && (n > cap || n > CONS_RING_OUT_SIZE || r->intf->out_cons != r->out_cons))
		abort();
	if (rc && rc != -EPROTO)
		abort();
	return rc;
}

static int backend_write(struct cons_ring *r, struct script *s)
{
	static uint8_t src[2048];
	uint16_t len;
	size_t n;
	int rc;

	if (take(s, &len, 2))
		return -1;
	len %= sizeof(src);
	memset(src, 0x5a, len);
	rc = cons_ring_write(r, src, len, &n);
	if (rc == 0 && (n > len || n > CONS_RING_IN_SIZE || r->intf->in_prod != r->in_prod))
		abort();
	if (rc && rc != -EPROTO)
		abort();
	return rc;
}

static int guest_poke(struct xencons_interface *pg, struct script *s)
{
	uint16_t off;
	uint8_t n, bytes[255];

	if (take(s, &off, 2) || take(s, &n, 1) || take(s, bytes, n))
		return -1;
	off %= sizeof(*pg);
	if (n > sizeof(*pg) - off)
		n = (uint8_t)(sizeof(*pg) - off);
	memcpy((uint8_t *)pg + off, bytes, n);
	return 0;
}

static int step(struct cons_ring *r, struct xencons_interface *pg, struct script *s)
{
	uint8_t op, k;
	uint32_t v;

	if (take(s, &op, 1))
		return -1;
	switch (op % 6) {
	case 0:
		return take(s, &v, 4) ? -1 : (pg->out_prod = v, 0);
	case 1:
		return take(s, &v, 4) ? -1 : (pg->in_cons = v, 0);
	case 2:
		return guest_poke(pg, s);
	case 3:
		return backend_read(r, s);
	case 4:
		return backend_write(r, s);
	default:
		return take(s, &k, 1) ? -1 : (pg->out_prod += k, 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xencons_interface page;
	struct script s = {data, size};
	struct cons_ring r;
	const char *what;
	uint32_t idx[4];

	if (size >= sizeof(struct cons_msg_hdr) && cons_proto_check(data, size, &what) == 0 &&
	    what != NULL)
		abort();
	memset(&page, 0, sizeof(page));
	if (take(&s, idx, sizeof(idx)))
		return 0;
	page.in_cons = idx[0];
	page.in_prod = idx[1];
	page.out_cons = idx[2];
	page.out_prod = idx[3];
	if (cons_ring_attach(&r, &page))
		return 0;
	while (step(&r, &page, &s) == 0)
		;
	return 0;
}
