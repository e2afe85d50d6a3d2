/*
 * The reference figure for event-channel round trips: an eventfd ping-pong
 * between two host threads, each blocking in read() until the other's
 * write() - the cheapest kernel wake-up two Linux threads can exchange.
 * A guest<->dom0 round trip costs one of these plus the guest's side (an
 * ioeventfd write out, an irqfd interrupt in), so the two are printed side
 * by side by the same program.  Both Dyad ends poll before they sleep (the
 * guest for spin_us, dom0 a few hundred pending() calls), so the reference
 * is given both ways: threads sleeping in read(), and threads polling a
 * non-blocking eventfd.
 */
#include "bench_evtchn.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct pingpong {
	int to_peer, to_main;
	bool spin; /* poll the eventfd (non-blocking) instead of sleeping in read() */
	unsigned long n;
	atomic_bool stop; /* the main side failed: leave */
	int rc;
};

static int efd_signal(int fd)
{
	uint64_t one = 1;

	return write(fd, &one, sizeof(one)) == (ssize_t)sizeof(one) ? 0 : -errno;
}

static int efd_wait(int fd, bool spin)
{
	uint64_t v;
	ssize_t r;

	do
		r = read(fd, &v, sizeof(v));
	while (r < 0 && (errno == EINTR || (spin && errno == EAGAIN)));
	return r == (ssize_t)sizeof(v) ? 0 : -errno;
}

static void *pingpong_peer(void *arg)
{
	struct pingpong *p = arg;

	for (unsigned long i = 0; i < p->n && !p->rc && !atomic_load(&p->stop); i++) {
		p->rc = efd_wait(p->to_peer, p->spin);
		if (!p->rc)
			p->rc = efd_signal(p->to_main);
	}
	return NULL;
}

int bench_evtchn_host(unsigned long n, bool spin, double *rtt_ns)
{
	struct pingpong p = {.n = n, .spin = spin};
	int flags = EFD_CLOEXEC | (spin ? EFD_NONBLOCK : 0);
	pthread_t t;
	uint64_t t0;
	int rc = 0;

	p.to_peer = eventfd(0, flags);
	p.to_main = eventfd(0, flags);
	if (p.to_peer < 0 || p.to_main < 0 || pthread_create(&t, NULL, pingpong_peer, &p)) {
		rc = -EAGAIN;
		goto out;
	}
	t0 = bench_now_ns();
	for (unsigned long i = 0; i < n && !rc; i++) {
		rc = efd_signal(p.to_peer);
		if (!rc)
			rc = efd_wait(p.to_main, spin);
	}
	*rtt_ns = (double)(bench_now_ns() - t0) / (double)n;
	if (rc) {
		atomic_store(&p.stop, true);
		(void)efd_signal(p.to_peer); /* wake the peer's read */
	}
	pthread_join(t, NULL);
	rc = rc ? rc : p.rc;
out:
	if (p.to_peer >= 0)
		close(p.to_peer);
	if (p.to_main >= 0)
		close(p.to_main);
	return rc;
}
