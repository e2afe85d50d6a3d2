/*
 * dom0 event-channel handles (see evtchn.h): a table of bindings indexed
 * by local port, an epoll set over their send eventfds, and one foreign
 * mapping per domain for its shared_info.
 *
 * What the core tells us is checked before use: the shared_info address
 * must lie inside the domain's RAM, the vCPU must have a vcpu_info in
 * shared_info, and both descriptors must have come.  A guest can move or
 * scribble over its own shared_info; that only affects its own events,
 * because notify only sets bits inside the checked page.
 */
#include "evtchn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ctl_client.h"
#include "ctl_msg.h"
#include "evtchn_2l.h"
#include "foreignmem.h"
#include "log.h"

#define EVTCHN_MAX_DOMS DYAD_MAX_DOMAINS /* every domain the core can hold */

/* A domain's memory, shared by the bindings into it. */
struct evtchn_dom {
	struct foreignmem *mem; /* NULL: slot free */
	unsigned int refs;
};

struct evtchn_binding {
	bool used;
	bool closed; /* the core reported the channel gone */
	uint32_t domid, guest_port, vcpu;
	int send_fd; /* counts guest sends (+ DYAD_EVTCHN_CLOSED_MARK on close) */
	int irq_fd;  /* the vCPU's upcall eventfd */
	struct shared_info *si;
	struct evtchn_dom *dom;
};

struct evtchn_handle {
	struct ctl_client *ctl;
	int epfd;
	struct evtchn_binding b[EVTCHN_MAX_LOCAL]; /* local port p is b[p - 1] */
	struct evtchn_dom doms[EVTCHN_MAX_DOMS];
};

int evtchn_open(struct ctl_client *c, struct evtchn_handle **out)
{
	struct evtchn_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->ctl = c;
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->epfd < 0) {
		int rc = -errno;

		free(h);
		return rc;
	}
	*out = h;
	return 0;
}

int evtchn_fd(const struct evtchn_handle *h)
{
	return h->epfd;
}

static struct evtchn_binding *evtchn_get(struct evtchn_handle *h, uint32_t local)
{
	if (local == 0 || local > EVTCHN_MAX_LOCAL || !h->b[local - 1].used)
		return NULL;
	return &h->b[local - 1];
}

/* The mapping of domid's memory, opened on first use. */
static int evtchn_dom_get(struct evtchn_handle *h, uint32_t domid, struct evtchn_dom **out)
{
	struct evtchn_dom *free_slot = NULL;
	int rc;

	for (unsigned int i = 0; i < EVTCHN_MAX_DOMS; i++) {
		struct evtchn_dom *d = &h->doms[i];

		if (d->mem && d->mem->domid == domid) {
			*out = d;
			return 0;
		}
		if (!d->mem && !free_slot)
			free_slot = d;
	}
	if (!free_slot)
		return -ENOSPC;
	rc = foreignmem_open(h->ctl, domid, &free_slot->mem);
	if (rc)
		return rc;
	free_slot->refs = 0;
	*out = free_slot;
	return 0;
}

static void evtchn_dom_put(struct evtchn_dom *d)
{
	if (d->refs > 0 && --d->refs > 0)
		return;
	foreignmem_close(d->mem);
	d->mem = NULL;
}

static void evtchn_close_fds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/*
 * Fill a free local port from a bind reply; on failure the caller closes
 * the descriptors and undoes the binding in the core.
 */
static int evtchn_install(struct evtchn_handle *h, uint32_t domid,
			  const struct dyad_ctl_evtchn_dom0 *rep, const int fds[2], uint32_t *local)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT};
	struct evtchn_binding *b = NULL;
	struct evtchn_dom *d;
	int rc;

	if (fds[0] < 0 || fds[1] < 0 || rep->vcpu >= XEN_LEGACY_MAX_VCPUS || rep->guest_port == 0 ||
	    rep->guest_port >= EVTCHN_2L_NR_PORTS)
		return -EPROTO;
	for (unsigned int i = 0; i < EVTCHN_MAX_LOCAL && !b; i++)
		if (!h->b[i].used)
			b = &h->b[i];
	if (!b)
		return -ENOSPC;
	rc = evtchn_dom_get(h, domid, &d);
	if (rc)
		return rc;
	b->si = foreignmem_gpa(d->mem, rep->shared_info_gpa, sizeof(struct shared_info));
	if (!b->si || rep->shared_info_gpa % FOREIGNMEM_PAGE_SIZE) {
		d->refs++;
		evtchn_dom_put(d);
		return -EPROTO;
	}
	ev.data.u32 = (uint32_t)(b - h->b) + 1;
	/*
	 * Non-blocking, so a read can never hang dom0.  The flag is shared
	 * with the core's descriptor; the core only writes this eventfd, and
	 * a write that would overflow the counter failing at once is better
	 * for it than blocking.
	 */
	if (fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK) < 0 ||
	    epoll_ctl(h->epfd, EPOLL_CTL_ADD, fds[0], &ev) < 0) {
		rc = -errno;
		d->refs++;
		evtchn_dom_put(d);
		return rc;
	}
	d->refs++;
	*b = (struct evtchn_binding){.used = true,
				     .domid = domid,
				     .guest_port = rep->guest_port,
				     .vcpu = rep->vcpu,
				     .send_fd = fds[0],
				     .irq_fd = fds[1],
				     .si = b->si,
				     .dom = d};
	*local = ev.data.u32;
	return 0;
}

/* Common tail of BIND and ALLOC: install or undo. */
static int evtchn_finish_bind(struct evtchn_handle *h, uint32_t domid, int rc,
			      const struct dyad_ctl_evtchn_dom0 *rep, size_t len, int fds[2],
			      uint32_t *local)
{
	struct dyad_ctl_evtchn undo;
	struct dyad_ctl_status st;

	if (rc)
		return rc;
	if (len != sizeof(*rep))
		rc = -EPROTO;
	else
		rc = evtchn_install(h, domid, rep, fds, local);
	if (rc == 0)
		return 0;
	evtchn_close_fds(fds, 2);
	if (len == sizeof(*rep)) {
		undo = (struct dyad_ctl_evtchn){.domid = domid, .port = rep->guest_port};
		if (ctl_client_call(h->ctl, DYAD_CTL_EVTCHN_UNBIND_DOM0, &undo, sizeof(undo), &st,
				    sizeof(st), NULL, NULL))
			log_warn_rl("evtchn: could not undo binding of dom%u port %u", domid,
				    rep->guest_port);
	}
	return rc;
}

int evtchn_bind_interdomain(struct evtchn_handle *h, uint32_t domid, uint32_t guest_port,
			    uint32_t *local)
{
	struct dyad_ctl_evtchn req = {.domid = domid, .port = guest_port};
	struct dyad_ctl_evtchn_dom0 rep;
	int fds[2] = {-1, -1};
	size_t len = 0;
	int rc = ctl_client_call_fds(h->ctl, DYAD_CTL_EVTCHN_BIND_DOM0, &req, sizeof(req), &rep,
				     sizeof(rep), &len, fds, 2);

	if (rc == 0 && len == sizeof(rep) && rep.guest_port != guest_port)
		len = 0; /* a reply about another port: protocol error, nothing to undo */
	return evtchn_finish_bind(h, domid, rc, &rep, len, fds, local);
}

int evtchn_rebind_interdomain(struct evtchn_handle *h, uint32_t domid, uint32_t guest_port,
			      uint32_t *local)
{
	struct dyad_ctl_evtchn req = {.domid = domid, .port = guest_port};
	struct dyad_ctl_status st;
	int rc = evtchn_bind_interdomain(h, domid, guest_port, local);

	if (rc != -EINVAL)
		return rc;
	/* Bound by an earlier instance of this service: close that end (Xen: the port is unbound
	 * again). */
	rc = ctl_client_call(h->ctl, DYAD_CTL_EVTCHN_UNBIND_DOM0, &req, sizeof(req), &st,
			     sizeof(st), NULL, NULL);
	return rc ? rc : evtchn_bind_interdomain(h, domid, guest_port, local);
}

int evtchn_bind_unbound_port(struct evtchn_handle *h, uint32_t domid, uint32_t *guest_port,
			     uint32_t *local)
{
	struct dyad_ctl_dom req = {.domid = domid};
	struct dyad_ctl_evtchn_dom0 rep;
	int fds[2] = {-1, -1};
	size_t len = 0;
	int rc = ctl_client_call_fds(h->ctl, DYAD_CTL_EVTCHN_ALLOC_DOM0, &req, sizeof(req), &rep,
				     sizeof(rep), &len, fds, 2);

	rc = evtchn_finish_bind(h, domid, rc, &rep, len, fds, local);
	if (rc == 0)
		*guest_port = rep.guest_port;
	return rc;
}

/* Forget a local port (no core call). */
static void evtchn_drop(struct evtchn_handle *h, struct evtchn_binding *b)
{
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, b->send_fd, NULL);
	close(b->send_fd);
	close(b->irq_fd);
	evtchn_dom_put(b->dom);
	memset(b, 0, sizeof(*b));
}

int evtchn_unbind(struct evtchn_handle *h, uint32_t local)
{
	struct evtchn_binding *b = evtchn_get(h, local);
	struct dyad_ctl_evtchn req;
	struct dyad_ctl_status st;
	int rc;

	if (!b)
		return -EINVAL;
	/* Closed by the guest or its domain destroyed: the core has no dom0 end left. */
	if (b->closed) {
		evtchn_drop(h, b);
		return 0;
	}
	req = (struct dyad_ctl_evtchn){.domid = b->domid, .port = b->guest_port};
	rc = ctl_client_call(h->ctl, DYAD_CTL_EVTCHN_UNBIND_DOM0, &req, sizeof(req), &st,
			     sizeof(st), NULL, NULL);
	if (rc == -ESRCH)
		rc = 0; /* destroyed since: fine */
	evtchn_drop(h, b);
	return rc;
}

int evtchn_forget(struct evtchn_handle *h, uint32_t local)
{
	struct evtchn_binding *b = evtchn_get(h, local);

	if (!b)
		return -EINVAL;
	evtchn_drop(h, b);
	return 0;
}

void evtchn_close(struct evtchn_handle *h)
{
	if (!h)
		return;
	for (uint32_t p = 1; p <= EVTCHN_MAX_LOCAL; p++)
		if (evtchn_get(h, p) && evtchn_unbind(h, p))
			log_warn_rl("evtchn: unbind of local port %u failed", p);
	close(h->epfd);
	free(h);
}

int evtchn_notify(struct evtchn_handle *h, uint32_t local)
{
	struct evtchn_binding *b = evtchn_get(h, local);
	uint64_t one = 1;

	if (!b)
		return -EINVAL;
	if (b->closed)
		return -EPIPE;
	if (!evtchn_2l_raise(b->si, &b->si->vcpu_info[b->vcpu], b->guest_port))
		return 0;
	/* Pairs with the guest's upcall: the bits above are visible before it runs. */
	if (write(b->irq_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		return -errno;
	return 0;
}

int evtchn_pending(struct evtchn_handle *h, uint32_t *local)
{
	struct epoll_event ev;
	struct evtchn_binding *b;
	uint64_t v;
	ssize_t r;
	int n;

	for (;;) {
		n = epoll_wait(h->epfd, &ev, 1, 0);
		if (n < 0)
			return errno == EINTR ? -EAGAIN : -errno;
		if (n == 0)
			return -EAGAIN;
		b = evtchn_get(h, ev.data.u32);
		if (!b)
			continue; /* unbound since it fired */
		r = read(b->send_fd, &v, sizeof(v));
		*local = ev.data.u32;
		if (r == (ssize_t)sizeof(v) && v >= DYAD_EVTCHN_CLOSED_MARK)
			b->closed = true;
		if (b->closed)
			return -EPIPE;
		if (r == (ssize_t)sizeof(v))
			return 0;
		/* Raced with nothing to read: re-arm and look again. */
		if (evtchn_unmask(h, *local))
			return -EIO;
	}
}

int evtchn_unmask(struct evtchn_handle *h, uint32_t local)
{
	struct evtchn_binding *b = evtchn_get(h, local);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u32 = local};

	if (!b)
		return -EINVAL;
	if (b->closed)
		return -EPIPE;
	return epoll_ctl(h->epfd, EPOLL_CTL_MOD, b->send_fd, &ev) < 0 ? -errno : 0;
}

int evtchn_remote(const struct evtchn_handle *h, uint32_t local, uint32_t *domid,
		  uint32_t *guest_port)
{
	if (local == 0 || local > EVTCHN_MAX_LOCAL || !h->b[local - 1].used)
		return -EINVAL;
	*domid = h->b[local - 1].domid;
	*guest_port = h->b[local - 1].guest_port;
	return 0;
}
