/*
 * app=evtchn-ping: event-channel ping-pong with dom0 or another guest.
 *
 *   peer=D (default 0 = dom0)  role=server|client (default server)
 *   count=N (default 10000; server: events to bounce, 0 = forever)
 *   remote_port=P (client with a guest peer: the server's printed port)
 *   spin_us=N (poll this long before blocking, default 500)
 *   timeout_ms=N (server: whole run, default 120000; client: per trip, default 2000)
 *   linger_ms=N (server: keep bouncing this long after count, default 300)
 *   settle_ms=N (client with dom0: after dom0's first event, absorb any
 *   other bind-time event for this long before pinging, default 50)
 *
 * Server: alloc_unbound(remote = peer), print "evtchn-ping: port N", then
 * send every event it receives straight back on the same port (from the
 * handler), and after count of them (and linger_ms more of bouncing) print
 * "evtchn-ping: bounced N events" (N = count) and, if more came,
 * "evtchn-ping: K events beyond count".
 * Client, guest peer: bind_interdomain(peer, remote_port), print
 * "evtchn-ping: bound port L to dom D port P", then count round trips.
 * Client, dom0 peer: alloc_unbound(0), print the port, wait for dom0's
 * first event (it has bound the port), then count round trips.  A trip
 * with no answer within timeout_ms counts as lost.  The result line:
 * "evtchn-ping: N round trips, L lost, avg X ns" (+ "min X ns max Y ns").
 * loopback=1: no peer; alloc_unbound(DOMID_SELF) + bind_interdomain to it
 * gives a pair of local ports ("evtchn-ping: loopback ports A B"); the
 * handler of A bounces, the client loop runs on B.
 * Sends use the doorbell; waiting polls spin_us with no interrupt, then
 * blocks (runtime/events.c).
 */
#include "apps.h"

#include "../runtime/cmdline.h"
#include "../runtime/events.h"
#include "../runtime/printf.h"
#include "../runtime/string.h"
#include "../runtime/time.h"

struct app_ping {
	evtchn_port_t port;
	int bounce;
	volatile unsigned long rx;
};

static void app_ping_handler(evtchn_port_t port, void *arg)
{
	struct app_ping *p = arg;

	if (p->bounce)
		rt_evtchn_notify(port);
	p->rx++;
}

/* Wait until p->rx reaches want or deadline passes; 0 when reached. */
static int app_ping_wait(struct app_ping *p, unsigned long want, uint64_t deadline, uint64_t spin)
{
	while (p->rx < want) {
		if (rt_now_ns() >= deadline)
			return -1;
		rt_events_wait(deadline, spin);
	}
	return 0;
}

/*
 * Event channels may deliver spurious events (Xen: a bind notifies
 * conservatively), so reaching count does not prove the peer is done: keep
 * bouncing for linger_ms (default 300) before reporting, so a last ping is
 * never left unanswered.  The report says how many came beyond count.
 */
static int app_ping_server(struct app_ping *p, uint64_t count, uint64_t spin)
{
	uint64_t deadline = rt_now_ns() + rt_cmdline_u64("timeout_ms", 120000) * 1000000ull;
	uint64_t linger = rt_cmdline_u64("linger_ms", 300) * 1000000ull;

	if (count == 0)
		deadline = UINT64_MAX;
	p->bounce = 1;
	if (app_ping_wait(p, count ? count : UINT64_MAX, deadline, spin)) {
		rt_printf("evtchn-ping: timeout, bounced %lu of %llu events\n", p->rx,
			  (unsigned long long)count);
		return -1;
	}
	(void)app_ping_wait(p, UINT64_MAX, rt_now_ns() + linger, spin);
	rt_printf("evtchn-ping: bounced %llu events\n", (unsigned long long)count);
	if (p->rx > count)
		rt_printf("evtchn-ping: %llu events beyond count\n",
			  (unsigned long long)(p->rx - count));
	rt_printf("evtchn-ping: %lu events handled, %lu upcalls\n", rt_events_handled(),
		  rt_events_upcalls());
	return 0;
}

static int app_ping_client(struct app_ping *p, uint64_t count, uint64_t spin)
{
	uint64_t trip_ns = rt_cmdline_u64("timeout_ms", 2000) * 1000000ull;
	uint64_t total = 0, min = UINT64_MAX, max = 0, lost = 0, done = 0;

	for (uint64_t i = 0; i < count; i++) {
		unsigned long want = p->rx + 1;
		uint64_t t0 = rt_rdtsc(), dt;

		rt_evtchn_notify(p->port);
		if (app_ping_wait(p, want, rt_now_ns() + trip_ns, spin)) {
			lost++;
			continue;
		}
		dt = rt_tsc_to_ns(rt_rdtsc() - t0);
		total += dt;
		min = dt < min ? dt : min;
		max = dt > max ? dt : max;
		done++;
	}
	rt_printf("evtchn-ping: %llu round trips, %llu lost, avg %llu ns\n",
		  (unsigned long long)done, (unsigned long long)lost,
		  (unsigned long long)(done ? total / done : 0));
	rt_printf("evtchn-ping: min %llu ns max %llu ns\n", (unsigned long long)(done ? min : 0),
		  (unsigned long long)max);
	rt_printf("evtchn-ping: %lu events handled, %lu upcalls\n", rt_events_handled(),
		  rt_events_upcalls());
	return lost ? -1 : 0;
}

/* Get the local port: bind to a guest server's port, or offer one to the peer. */
static int app_ping_port(struct app_ping *p, uint64_t peer, int client)
{
	uint64_t rport = rt_cmdline_u64("remote_port", 0);
	int rc;

	if (client && peer != 0) {
		rc = rt_evtchn_bind_interdomain((domid_t)peer, (evtchn_port_t)rport, &p->port);
		if (rc == 0)
			rt_printf("evtchn-ping: bound port %u to dom %llu port %llu\n", p->port,
				  (unsigned long long)peer, (unsigned long long)rport);
		else
			rt_printf("evtchn-ping: bind_interdomain dom %llu port %llu: %d\n",
				  (unsigned long long)peer, (unsigned long long)rport, rc);
		return rc;
	}
	rc = rt_evtchn_alloc_unbound((domid_t)peer, &p->port);
	if (rc == 0)
		rt_printf("evtchn-ping: port %u\n", p->port);
	else
		rt_printf("evtchn-ping: alloc_unbound remote %llu: %d\n", (unsigned long long)peer,
			  rc);
	return rc;
}

static int app_ping_loopback(uint64_t count, uint64_t spin)
{
	static struct app_ping a, b;
	int rc = rt_evtchn_alloc_unbound(DOMID_SELF, &a.port);

	if (rc == 0)
		rc = rt_evtchn_bind_interdomain(DOMID_SELF, a.port, &b.port);
	if (rc) {
		rt_printf("evtchn-ping: loopback setup failed (%d)\n", rc);
		return -1;
	}
	rt_printf("evtchn-ping: loopback ports %u %u\n", a.port, b.port);
	a.bounce = 1;
	if (rt_evtchn_set_handler(a.port, app_ping_handler, &a) ||
	    rt_evtchn_set_handler(b.port, app_ping_handler, &b))
		return -1;
	return app_ping_client(&b, count, spin);
}

int app_evtchn_ping_main(void)
{
	static struct app_ping p;
	uint64_t peer = rt_cmdline_u64("peer", 0), count = rt_cmdline_u64("count", 10000);
	uint64_t spin = rt_cmdline_u64("spin_us", 500) * 1000ull;
	char role[16] = "server";
	int client, rc;

	if (rt_events_status()) {
		rt_printf("evtchn-ping: events unavailable (%d)\n", rt_events_status());
		return -1;
	}
	if (rt_cmdline_u64("loopback", 0))
		return app_ping_loopback(count, spin);
	if (rt_cmdline_get("role", role, sizeof(role)) == -7)
		role[0] = '\0';
	client = !strcmp(role, "client");
	if (!client && strcmp(role, "server")) {
		rt_printf("evtchn-ping: role must be server or client\n");
		return -1;
	}
	rc = app_ping_port(&p, peer, client);
	if (rc || rt_evtchn_set_handler(p.port, app_ping_handler, &p))
		return -1;
	if (!client)
		return app_ping_server(&p, count, spin);
	if (peer == 0 && app_ping_wait(&p, 1, rt_now_ns() + 120000000000ull, spin)) {
		rt_printf("evtchn-ping: dom0 never signalled port %u\n", p.port);
		return -1;
	}
	/* The bind may notify too (Xen does, conservatively): absorb it before pinging. */
	if (peer == 0)
		(void)app_ping_wait(&p, UINT64_MAX,
				    rt_now_ns() + rt_cmdline_u64("settle_ms", 50) * 1000000ull,
				    spin);
	return app_ping_client(&p, count, spin);
}
