/*
 * store_ring_peer: plays a guest's side of its xenstore ring, in a real
 * domain's memory, for the store's ring-level integration tests (libdom0
 * and store_client only).  The domain stays paused: this program writes
 * requests at req_prod of the page at HVM_PARAM_STORE_PFN and reads the
 * replies at rsp_cons, exactly as a guest's xenbus client would.  It cannot
 * raise the guest's event channel, so after each request it "kicks" the
 * store with a socket request: the store looks at every ring after each
 * pass of its loop (as Xen's xenstored does).  It talks to $DYAD_RUNDIR.
 *
 *   store_ring_peer attach DOM    introduce DOM if the toolstack has not
 *                                 (port from ctl_evtchn_alloc_unbound), check
 *                                 the feature bit; "store_ring_peer: attached"
 *   store_ring_peer basic DOM     write/read, GET_DOMAIN_PATH, EACCES, a watch
 *                                 and its event, a request longer than the ring
 *   store_ring_peer corrupt DOM   garbage req_prod: the store sets error and
 *                                 drops the connection; RECONNECT restores it
 *   store_ring_peer prepare DOM   a watch, an open transaction (its id is
 *                                 printed "tx N"), and one request left in the
 *                                 ring unannounced - then the store is killed
 *   store_ring_peer resume DOM TX after the restart: the left request is
 *                                 answered, the watch fired once, TX -> EAGAIN
 *   store_ring_peer destroy DOM   ctl_destroy (for the store-down test)
 * Every step prints "store_ring_peer: ok <what>"; a failure prints what was
 * expected and what came, and exits 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_client.h"
#include "dyad/xen.h"
#include "foreignmem.h"
#include "store_client.h"
#include <xen/hvm/params.h>
#include <xen/io/xs_wire.h>

struct peer {
	uint32_t domid;
	struct ctl_client *ctl;
	struct foreignmem *mem;
	struct xenstore_domain_interface *intf;
	struct store_client *sc;
	char home[32];
};

struct reply {
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("store_ring_peer: FAIL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Any socket request makes the store run a pass, and look at every ring. */
static void kick(struct peer *p)
{
	char *r = NULL;
	size_t len;

	if (store_client_call(p->sc, XS_IS_DOMAIN_INTRODUCED, 0, "0", 2, NULL, 0, &r, &len) == 0)
		free(r);
}

static void put(struct peer *p, const void *data, size_t len)
{
	XENSTORE_RING_IDX prod = p->intf->req_prod;
	const char *d = data;

	for (size_t i = 0; i < len; i++) {
		while (prod + 1 - __atomic_load_n(&p->intf->req_cons, __ATOMIC_ACQUIRE) >
		       XENSTORE_RING_SIZE) {
			__atomic_store_n(&p->intf->req_prod, prod, __ATOMIC_RELEASE);
			kick(p);
			sleep_ms(1);
		}
		p->intf->req[MASK_XENSTORE_IDX(prod)] = d[i];
		prod++;
	}
	__atomic_store_n(&p->intf->req_prod, prod, __ATOMIC_RELEASE);
}

static void send_req(struct peer *p, uint32_t type, uint32_t req_id, uint32_t tx, const void *body,
		     size_t len)
{
	struct xsd_sockmsg h = {type, req_id, tx, (uint32_t)len};

	put(p, &h, sizeof(h));
	put(p, body, len);
}

static void take(struct peer *p, void *dst, size_t len)
{
	char *d = dst;

	for (size_t i = 0; i < len; i++) {
		while (__atomic_load_n(&p->intf->rsp_prod, __ATOMIC_ACQUIRE) == p->intf->rsp_cons) {
			kick(p);
			sleep_ms(1);
		}
		d[i] = p->intf->rsp[MASK_XENSTORE_IDX(p->intf->rsp_cons)];
		__atomic_store_n(&p->intf->rsp_cons, p->intf->rsp_cons + 1, __ATOMIC_RELEASE);
	}
}

/* The next message in the rsp ring, within timeout_ms; false if none. */
static bool next_msg(struct peer *p, struct reply *r, long timeout_ms)
{
	for (long t = 0; t <= timeout_ms; t += 5) {
		if (__atomic_load_n(&p->intf->rsp_prod, __ATOMIC_ACQUIRE) - p->intf->rsp_cons >=
		    sizeof(r->h)) {
			take(p, &r->h, sizeof(r->h));
			if (r->h.len > XENSTORE_PAYLOAD_MAX)
				die("reply length %u from the store", r->h.len);
			take(p, r->body, r->h.len);
			r->body[r->h.len] = '\0';
			return true;
		}
		kick(p);
		sleep_ms(5);
	}
	return false;
}

/* The reply to req_id (watch events before it are counted in *events). */
static void wait_reply(struct peer *p, uint32_t req_id, struct reply *r, int *events)
{
	while (next_msg(p, r, 5000)) {
		if (r->h.type == XS_WATCH_EVENT) {
			if (events)
				(*events)++;
			continue;
		}
		if (r->h.req_id == req_id)
			return;
		printf("store_ring_peer: dropping reply %u (duplicate after a restart)\n",
		       r->h.req_id);
	}
	die("no reply to request %u in 5 s (req_cons %u req_prod %u rsp_prod %u)", req_id,
	    p->intf->req_cons, p->intf->req_prod, p->intf->rsp_prod);
}

static void expect(struct peer *p, uint32_t type, const char *body, size_t len, uint32_t want_type,
		   const char *want, const char *what)
{
	static uint32_t req_id = 100;
	struct reply r;

	send_req(p, type, ++req_id, 0, body, len);
	wait_reply(p, req_id, &r, NULL);
	if (r.h.type != want_type || (want && strcmp(r.body, want) != 0))
		die("%s: want type %u '%s', got type %u '%s'", what, want_type, want ? want : "",
		    r.h.type, r.body);
	printf("store_ring_peer: ok %s\n", what);
}

static char *dom0_read(struct peer *p, const char *rel)
{
	char path[128], *v = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", p->home, rel);
	return store_client_read(p->sc, 0, path, &v, &len) ? NULL : v;
}

static void peer_open(struct peer *p, const char *dom)
{
	uint64_t pfn = 0;
	int rc = ctl_client_open(NULL, &p->ctl);

	if (rc || (rc = ctl_lookup(p->ctl, dom, &p->domid)))
		die("core: %s", strerror(-rc));
	if (ctl_get_param(p->ctl, p->domid, HVM_PARAM_STORE_PFN, &pfn) || pfn == 0)
		pfn = 6; /* the toolstack has not set it: the fixed frame of boot.h */
	rc = foreignmem_open(p->ctl, p->domid, &p->mem);
	if (rc)
		die("foreignmem_open: %s", strerror(-rc));
	p->intf = foreignmem_map(p->mem, pfn, 1);
	if (!p->intf)
		die("store frame %#llx is not RAM", (unsigned long long)pfn);
	rc = store_client_open(NULL, &p->sc);
	if (rc)
		die("store socket: %s", strerror(-rc));
	snprintf(p->home, sizeof(p->home), "/local/domain/%u", p->domid);
}

static bool introduced(struct peer *p)
{
	char id[16], *r = NULL;
	size_t len;
	bool yes;

	snprintf(id, sizeof(id), "%u", p->domid);
	if (store_client_call(p->sc, XS_IS_DOMAIN_INTRODUCED, 0, id, strlen(id) + 1, NULL, 0, &r,
			      &len))
		die("IS_DOMAIN_INTRODUCED failed");
	yes = r[0] == 'T';
	free(r);
	return yes;
}

static void cmd_attach(struct peer *p)
{
	char perm[16];
	const char *perms[] = {perm};
	uint32_t port;
	int rc;

	if (!introduced(p)) {
		rc = ctl_evtchn_alloc_unbound(p->ctl, p->domid, 0, &port);
		snprintf(perm, sizeof(perm), "n%u", p->domid);
		if (!rc)
			rc = store_client_mkdir(p->sc, 0, p->home);
		if (!rc)
			rc = store_client_set_perms(p->sc, 0, p->home, perms, 1);
		if (!rc)
			rc = store_client_introduce(p->sc, p->domid, 6, port);
		if (rc)
			die("introducing dom%u: %s", p->domid, strerror(-rc));
	}
	if (!introduced(p))
		die("dom%u is not introduced", p->domid);
	if (!(p->intf->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION))
		die("server_features %#x lacks RECONNECTION", p->intf->server_features);
	printf("store_ring_peer: attached dom%u\n", p->domid);
}

static void cmd_basic(struct peer *p)
{
	char big[1500], path[64], *v;
	struct reply r;

	expect(p, XS_WRITE, "data/ring\0hello", 15, XS_WRITE, "OK", "write over the ring");
	v = dom0_read(p, "data/ring");
	if (!v || strcmp(v, "hello"))
		die("dom0 reads data/ring = '%s', want hello", v ? v : "(none)");
	free(v);
	expect(p, XS_READ, "data/ring", 10, XS_READ, "hello", "read over the ring");
	expect(p, XS_GET_DOMAIN_PATH, "0", 2, XS_GET_DOMAIN_PATH, "/local/domain/0",
	       "GET_DOMAIN_PATH");
	expect(p, XS_READ, "/", 2, XS_ERROR, "EACCES", "EACCES on /");
	expect(p, XS_WATCH, "data\0tok", 9, XS_WATCH, "OK", "watch");
	if (!next_msg(p, &r, 2000) || r.h.type != XS_WATCH_EVENT || strcmp(r.body, "data"))
		die("watch did not fire on registration ('%s')", r.body);
	snprintf(path, sizeof(path), "%s/data/from-dom0", p->home);
	if (store_client_write(p->sc, 0, path, "1", 1))
		die("dom0 write failed");
	if (!next_msg(p, &r, 2000) || r.h.type != XS_WATCH_EVENT ||
	    strcmp(r.body, "data/from-dom0"))
		die("no watch event for dom0's write ('%s')", r.body);
	printf("store_ring_peer: ok watch event %s\n", r.body);
	memset(big, 'L', sizeof(big));
	memcpy(big, "data/long", 10);
	expect(p, XS_WRITE, big, sizeof(big), XS_WRITE, "OK", "request longer than the ring");
	v = dom0_read(p, "data/long");
	if (!v || strlen(v) != sizeof(big) - 10)
		die("data/long has %zu bytes", v ? strlen(v) : 0);
	free(v);
	expect(p, XS_READ, "data/long", 10, XS_READ, NULL, "reply longer than the ring");
}

static void cmd_corrupt(struct peer *p)
{
	__atomic_store_n(&p->intf->req_prod, p->intf->req_cons + 4 * XENSTORE_RING_SIZE,
			 __ATOMIC_RELEASE);
	for (int i = 0; i < 200 && p->intf->error != XENSTORE_ERROR_RINGIDX; i++) {
		kick(p);
		sleep_ms(10);
	}
	if (p->intf->error != XENSTORE_ERROR_RINGIDX)
		die("error field is %u after a garbage req_prod", p->intf->error);
	if (!introduced(p))
		die("the domain was released for a corrupt ring");
	printf("store_ring_peer: ok corrupt ring flagged\n");
	__atomic_store_n(&p->intf->connection, XENSTORE_RECONNECT, __ATOMIC_RELEASE);
	for (int i = 0; i < 200 && p->intf->connection != XENSTORE_CONNECTED; i++) {
		kick(p);
		sleep_ms(10);
	}
	if (p->intf->connection != XENSTORE_CONNECTED || p->intf->req_prod || p->intf->rsp_prod ||
	    p->intf->error)
		die("reconnect: connection %u req_prod %u rsp_prod %u error %u",
		    p->intf->connection, p->intf->req_prod, p->intf->rsp_prod, p->intf->error);
	printf("store_ring_peer: ok reconnected\n");
	expect(p, XS_READ, "data/ring", 10, XS_READ, "hello", "read after reconnect");
}

static void cmd_prepare(struct peer *p)
{
	struct reply r;

	expect(p, XS_WATCH, "data/w\0w1", 10, XS_WATCH, "OK", "watch before the kill");
	if (!next_msg(p, &r, 2000) || r.h.type != XS_WATCH_EVENT)
		die("watch did not fire on registration");
	send_req(p, XS_TRANSACTION_START, 800, 0, "", 1);
	wait_reply(p, 800, &r, NULL);
	if (r.h.type != XS_TRANSACTION_START)
		die("TRANSACTION_START: type %u '%s'", r.h.type, r.body);
	printf("store_ring_peer: tx %s\n", r.body);
	/* Left in the ring, unannounced: whichever instance sees it must answer it. */
	send_req(p, XS_WRITE, 900, 0, "data/across\0yes", 15);
	printf("store_ring_peer: ok prepared\n");
}

static void cmd_resume(struct peer *p, uint32_t tx)
{
	struct reply r;
	int events = 0;
	char *v;

	if (!introduced(p))
		die("dom%u not introduced after the restart", p->domid);
	wait_reply(p, 900, &r, &events);
	if (r.h.type != XS_WRITE || strcmp(r.body, "OK"))
		die("the request left in the ring: type %u '%s'", r.h.type, r.body);
	printf("store_ring_peer: ok request across the restart answered\n");
	v = dom0_read(p, "data/across");
	if (!v || strcmp(v, "yes"))
		die("data/across = '%s'", v ? v : "(none)");
	free(v);
	send_req(p, XS_WRITE, 901, tx, "data/intx\0v", 11);
	wait_reply(p, 901, &r, &events);
	if (r.h.type != XS_ERROR || strcmp(r.body, "EAGAIN"))
		die("old transaction %u: type %u '%s', want EAGAIN", tx, r.h.type, r.body);
	printf("store_ring_peer: ok old transaction gets EAGAIN\n");
	expect(p, XS_WRITE, "data/after\0ok", 13, XS_WRITE, "OK", "write after the restart");
	while (next_msg(p, &r, 300))
		events += r.h.type == XS_WATCH_EVENT;
	if (events != 1)
		die("the restored watch fired %d times, want once", events);
	printf("store_ring_peer: ok restored watch fired once\n");
}

int main(int argc, char **argv)
{
	struct peer p = {0};

	if (argc < 3)
		die("usage: store_ring_peer attach|basic|corrupt|prepare|resume|destroy DOM [TX]");
	peer_open(&p, argv[2]);
	if (!strcmp(argv[1], "attach"))
		cmd_attach(&p);
	else if (!strcmp(argv[1], "basic"))
		cmd_basic(&p);
	else if (!strcmp(argv[1], "corrupt"))
		cmd_corrupt(&p);
	else if (!strcmp(argv[1], "prepare"))
		cmd_prepare(&p);
	else if (!strcmp(argv[1], "resume") && argc == 4)
		cmd_resume(&p, (uint32_t)strtoul(argv[3], NULL, 10));
	else if (!strcmp(argv[1], "destroy"))
		printf("store_ring_peer: destroy %d\n", ctl_destroy(p.ctl, p.domid));
	else
		die("unknown command %s", argv[1]);
	store_client_close(p.sc);
	foreignmem_close(p.mem);
	ctl_client_close(p.ctl);
	return 0;
}
