/*
 * app=xs: the store from inside a guest (xenbus.h).  Reads its own domid
 * and name nodes, writes data/hello and reads it back, tries a peer's
 * name (`peer=D`: expects EACCES), waits for dom0 to write data/poke (a
 * watch), and with `quota=1` writes data/q/<i> until the store refuses
 * (ENOSPC after the node quota).  Then it idles, still printing every
 * data/poke it sees, so dom0 can inspect and poke it again (e.g. across a
 * store restart); with `churn=1` it also rewrites data/churn with a
 * counter every millisecond, so a store killed at any moment has a request
 * of ours in flight.  With `breakring=1` (after the first poke) it moves
 * its ring's req_prod two rings ahead and kicks the store: the store marks
 * the ring broken (intf->error), the next read must fail with -5 (EIO), and
 * after the runtime's reconnection data/hello reads back and the data/poke
 * watch fires again.  Lines: see frontends/README.md.
 */
#include "apps.h"

#include "../runtime/cmdline.h"
#include "../runtime/printf.h"
#include "../runtime/sched.h"
#include "../runtime/time.h"
#include "../runtime/xenbus.h"
#include "../runtime/events.h"
#include "../runtime/hypercall.h"

#include <dyad/xen.h>
#include <xen/io/xs_wire.h>

#define XS_QUOTA_MAX	5000u /* more than any node quota the store enforces */
#define XS_CHURN_NS	1000000ull
#define XS_CHURN_REPORT 200u

static volatile unsigned long xs_pokes;

static void xs_poke_fired(const char *path, void *arg)
{
	xs_pokes++; /* handler context: just count, main reads the node */
}

static int xs_show(const char *label, const char *path)
{
	char v[128];
	int rc = rt_xs_read(RT_XS_NO_TX, path, v, sizeof(v));

	if (rc < 0)
		rt_printf("xs: %s read failed (%d)\n", label, rc);
	else
		rt_printf("xs: %s %s\n", label, v);
	return rc < 0 ? rc : 0;
}

static int xs_hello(void)
{
	char v[64];
	int rc = rt_xs_write(RT_XS_NO_TX, "data/hello", "world");

	if (rc == 0)
		rc = rt_xs_read(RT_XS_NO_TX, "data/hello", v, sizeof(v));
	if (rc < 0) {
		rt_printf("xs: data/hello failed (%d)\n", rc);
		return rc;
	}
	rt_printf("xs: data/hello = %s\n", v);
	return 0;
}

static void xs_peer(uint64_t peer)
{
	char path[48], v[64];
	int rc;

	rt_snprintf(path, sizeof(path), "/local/domain/%llu/name", (unsigned long long)peer);
	rc = rt_xs_read(RT_XS_NO_TX, path, v, sizeof(v));
	rt_printf("xs: peer read -> %d\n", rc);
}

/* After a watch firing: print data/poke if it exists; 1 if printed. */
static int xs_poke_show(unsigned long *seen)
{
	char v[128];
	int rc;

	*seen = xs_pokes;
	rc = rt_xs_read(RT_XS_NO_TX, "data/poke", v, sizeof(v));
	if (rc < 0)
		return 0;
	rt_printf("xs: watch data/poke = %s\n", v);
	return 1;
}

static int xs_poke_wait(unsigned long *seen)
{
	int was = rt_events_disable(); /* a firing after the check stays pending */

	while (xs_pokes == *seen)
		(void)rt_events_wait(UINT64_MAX, 0);
	rt_events_restore(was);
	return xs_poke_show(seen);
}

/* Rewrite data/churn forever; every XS_CHURN_REPORT acknowledged writes: a line. */
static void xs_churn(unsigned long *seen)
{
	char v[24];
	unsigned int n;
	int rc;

	for (n = 1;; n++) {
		rt_snprintf(v, sizeof(v), "%u", n);
		rc = rt_xs_write(RT_XS_NO_TX, "data/churn", v);
		if (rc)
			rt_printf("xs: churn write %u failed (%d)\n", n, rc);
		else if (n % XS_CHURN_REPORT == 0)
			rt_printf("xs: churn %u\n", n);
		if (xs_pokes != *seen)
			(void)xs_poke_show(seen);
		rt_sleep_ns(XS_CHURN_NS);
	}
}

static void xs_quota(void)
{
	char path[32];
	unsigned int k;
	int rc = 0;
	uint64_t t0 = rt_now_ns();

	for (k = 0; k < XS_QUOTA_MAX; k++) {
		rt_snprintf(path, sizeof(path), "data/q/%u", k);
		rc = rt_xs_write(RT_XS_NO_TX, path, "x");
		if (rc)
			break;
	}
	rt_printf("xs: quota hit after %u nodes (%d)\n", k, rc);
	rt_printf("xs: %u writes, avg %llu ns per round trip\n", k + 1,
		  (unsigned long long)((rt_now_ns() - t0) / (k + 1)));
}

/* Break our own store ring as a buggy guest would; the runtime must recover. */
static void xs_break_ring(void)
{
	struct xenstore_domain_interface *r = (void *)(uintptr_t)DYAD_BOOT_STORE_RING;
	char v[64];
	uint64_t port = 0;
	int rc;

	if (rt_hvm_get_param(HVM_PARAM_STORE_EVTCHN, &port) || !port) {
		rt_printf("xs: breakring: no store port\n");
		return;
	}
	__atomic_store_n(&r->req_prod, r->req_prod + 2 * XENSTORE_RING_SIZE, __ATOMIC_RELEASE);
	rt_evtchn_notify((evtchn_port_t)port);
	rc = rt_xs_read(RT_XS_NO_TX, "data/hello", v, sizeof(v));
	rt_printf("xs: read on a broken ring -> %d\n", rc);
	(void)xs_show("after reconnect data/hello =", "data/hello");
}

int app_xs_main(void)
{
	unsigned long seen = 0;
	int rc;

	if (!rt_xs_available()) {
		rt_printf("xs: no store\n");
		return 1;
	}
	if (xs_show("domid", "domid") || xs_show("name", "name") || xs_hello())
		return 1;
	if (rt_cmdline_u64("peer", 0))
		xs_peer(rt_cmdline_u64("peer", 0));
	rc = rt_xs_watch("data/poke", xs_poke_fired, 0);
	if (rc) {
		rt_printf("xs: watch data/poke failed (%d)\n", rc);
		return 1;
	}
	while (!xs_poke_wait(&seen))
		;
	if (rt_cmdline_u64("breakring", 0))
		xs_break_ring();
	if (rt_cmdline_u64("quota", 0))
		xs_quota();
	rt_printf("xs: done\n");
	if (rt_cmdline_u64("churn", 0))
		xs_churn(&seen);
	for (;;)
		(void)xs_poke_wait(&seen);
}
