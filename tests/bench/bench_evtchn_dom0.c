/*
 * dom0-side figures, measured with libdom0 exactly as a backend would use
 * it: an event round trip with a guest that bounces every event
 * (evtchn-ping server), and grant map+unmap / copy rates on a page a guest
 * granted to dom0 (gnttab-exercise mode=grant).
 */
#include "bench_evtchn.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "ctl_client.h"
#include "evtchn.h"
#include "gnttab.h"

/* Wait for local to fire, spinning on pending() before blocking in poll(). */
static int bench_wait(struct evtchn_handle *ev, uint32_t local)
{
	struct pollfd pfd = {.fd = evtchn_fd(ev), .events = POLLIN};
	uint32_t got = 0;
	int rc;

	for (unsigned int spin = 0;; spin++) {
		rc = evtchn_pending(ev, &got);
		if (rc == 0)
			return got == local ? evtchn_unmask(ev, local) : -EPROTO;
		if (rc != -EAGAIN)
			return rc;
		if (spin < 200)
			continue;
		rc = poll(&pfd, 1, 5000);
		if (rc == 0)
			return -ETIMEDOUT;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

int bench_evtchn_dom0(struct ctl_client *c, uint32_t domid, uint32_t port, unsigned long n,
		      double *rtt_ns)
{
	struct evtchn_handle *ev = NULL;
	uint32_t local = 0;
	uint64_t t0;
	int rc = evtchn_open(c, &ev);

	if (rc == 0)
		rc = evtchn_bind_interdomain(ev, domid, port, &local);
	/* Xen marks the new port pending at bind: consume that first. */
	if (rc == 0 && evtchn_pending(ev, &local) == 0)
		rc = evtchn_unmask(ev, local);
	/* One untimed trip: the guest's first wake-up may come from a deep sleep. */
	if (rc == 0)
		rc = evtchn_notify(ev, local);
	if (rc == 0)
		rc = bench_wait(ev, local);
	t0 = bench_now_ns();
	for (unsigned long i = 0; i < n && rc == 0; i++) {
		rc = evtchn_notify(ev, local);
		if (rc == 0)
			rc = bench_wait(ev, local);
	}
	*rtt_ns = (double)(bench_now_ns() - t0) / (double)n;
	evtchn_close(ev);
	return rc;
}

int bench_gnttab_dom0(struct ctl_client *c, uint32_t domid, uint32_t ref, unsigned long n,
		      double *map_ops, double *copy_ops)
{
	static uint64_t local[512];
	struct gnttab_copy_seg seg;
	struct gnttab_handle *g = NULL;
	void *addr;
	uint32_t mh;
	uint64_t t0;
	int rc = gnttab_open(c, &g);

	/* The first map fetches the granter's memory and table: not timed. */
	if (rc == 0)
		rc = gnttab_map_grant_ref(g, domid, ref, true, &addr, &mh);
	if (rc == 0)
		rc = gnttab_unmap(g, mh);
	t0 = bench_now_ns();
	for (unsigned long i = 0; i < n && rc == 0; i++) {
		rc = gnttab_map_grant_ref(g, domid, ref, true, &addr, &mh);
		if (rc == 0)
			rc = gnttab_unmap(g, mh);
	}
	*map_ops = (double)n * 1e9 / (double)(bench_now_ns() - t0);
	memset(&seg, 0, sizeof(seg));
	seg.source.foreign.ref = ref;
	seg.source.foreign.domid = (uint16_t)domid;
	seg.dest.virt = local;
	seg.flags = GNTCOPY_source_gref;
	seg.len = sizeof(local);
	t0 = bench_now_ns();
	for (unsigned long i = 0; i < n && rc == 0; i++) {
		rc = gnttab_copy(g, &seg, 1);
		if (rc == 0)
			rc = gnttab_errno(seg.status);
	}
	*copy_ops = (double)n * 1e9 / (double)(bench_now_ns() - t0);
	gnttab_close(g);
	return rc;
}
