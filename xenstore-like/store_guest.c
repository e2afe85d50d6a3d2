/*
 * The daemon's guest transport: the connection to the core, ring
 * attachments (foreign memory + event channel + store_ring), domain events
 * and re-attachment after a restart.  See store_guest.h.
 */
#include "store_guest.h"
#include "store_path.h"
#include "store_ring.h"

#include "ctl_client.h"
#include "evtchn.h"
#include "foreignmem.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define STORE_GUEST_RETRY_NS 250000000L

/* One introduced domain's ring, as attached. */
struct store_guest_dom {
	struct store_guest *g;
	struct store_ring ring;
	struct foreignmem *mem;
	uint32_t local;	  /* our event-channel port */
	bool saved_empty; /* its watch file holds no watch: an empty set need not be rewritten */
};

static int store_guest_epoll(struct store_guest *g, int op, int fd, void *tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};

	return epoll_ctl(g->epfd, op, fd, &ev) < 0 ? -errno : 0;
}

static void store_guest_retry(struct store_guest *g, bool on)
{
	struct itimerspec its = {0};

	if (on)
		its.it_value.tv_nsec = its.it_interval.tv_nsec = STORE_GUEST_RETRY_NS;
	(void)timerfd_settime(g->timer_fd, 0, &its, NULL);
}

static void store_guest_notify(struct store_ring *r)
{
	struct store_guest_dom *gd = r->arg;

	if (evtchn_notify(gd->g->ev, gd->local))
		log_warn_rl("domain %u: cannot notify its store port", r->domid);
}

static void store_guest_sync_conn(struct store_guest_dom *gd)
{
	struct store_domain *d = store_domain_get(gd->g->core, gd->ring.domid);

	if (d)
		d->conn = gd->ring.conn;
}

/* Map the ring page and bind the port; then serve it. */
static int store_guest_attach_dom(struct store_guest *g, struct store_domain *d, bool restored)
{
	struct store_guest_dom *gd = calloc(1, sizeof(*gd));
	void *page;
	int rc;

	if (!gd)
		return -ENOMEM;
	gd->g = g;
	g->ctl_used = true;
	rc = foreignmem_open(g->ctl, d->domid, &gd->mem);
	if (rc)
		goto fail;
	page = foreignmem_map(gd->mem, d->mfn, 1);
	rc = page ? evtchn_rebind_interdomain(g->ev, d->domid, d->port, &gd->local) : -EINVAL;
	if (rc)
		goto fail_mem;
	gd->ring.notify = store_guest_notify;
	gd->ring.arg = gd;
	gd->ring.restored = restored;
	rc = store_ring_attach(&gd->ring, g->core, d->domid, page);
	if (rc)
		goto fail_port;
	g->by_local[gd->local] = gd;
	g->attached++;
	d->ring = gd;
	d->conn = gd->ring.conn;
	if (restored && gd->ring.conn)
		store_guest_watch_load(g->watch_dir, gd->ring.conn);
	log_info("domain %u: store ring at frame %#llx, port %u%s", d->domid,
		 (unsigned long long)d->mfn, d->port, restored ? " (re-attached)" : "");
	return 0;
fail_port:
	(void)!evtchn_unbind(g->ev, gd->local);
fail_mem:
	foreignmem_close(gd->mem);
fail:
	log_warn_rl("domain %u: cannot attach its store ring (frame %#llx, port %u): %s", d->domid,
		    (unsigned long long)d->mfn, d->port, strerror(-rc));
	free(gd);
	return rc;
}

static void store_guest_connect(struct store_guest *g);

static int store_guest_attach(void *arg, struct store_domain *d)
{
	struct store_guest *g = arg;

	if (!g->ctl)
		store_guest_connect(g); /* a domain exists: the core is likely up by now */
	if (!g->ctl) {
		log_info("domain %u introduced while the core is away: attaching later", d->domid);
		return 0;
	}
	return store_guest_attach_dom(g, d, false);
}

/*
 * Forget the attachment.  The local binding always goes (its descriptors
 * and the mapping of the guest's memory); the core is asked to unbind only
 * while the domain is alive.
 */
static void store_guest_drop(struct store_guest *g, struct store_domain *d, bool unbind)
{
	struct store_guest_dom *gd = d->ring;

	if (!gd)
		return;
	store_ring_detach(&gd->ring);
	g->by_local[gd->local] = NULL;
	g->attached--;
	g->ctl_used |= unbind;
	if (unbind && evtchn_unbind(g->ev, gd->local))
		log_warn_rl("domain %u: unbinding its store port failed", d->domid);
	else if (!unbind && g->ev && evtchn_forget(g->ev, gd->local))
		log_warn_rl("domain %u: its store port was not bound here", d->domid);
	foreignmem_close(gd->mem);
	free(gd);
	d->ring = NULL;
	d->conn = NULL;
}

static void store_guest_detach(void *arg, struct store_domain *d)
{
	struct store_guest *g = arg;

	/* A destroyed domain's channels are closed already: nothing to unbind. */
	store_guest_drop(g, d, g->ev != NULL && !g->destroying);
	store_guest_watch_forget(g->watch_dir, d->domid);
}

static const struct store_domain_hooks store_guest_hooks = {
	.attach = store_guest_attach,
	.detach = store_guest_detach,
};

/* rm path's subtree if it exists (no connection: every reader's watches fire). */
static void store_guest_rm(struct store_core *c, const char *path)
{
	const struct store_node *n = store_tree_get(c, path);
	struct store_view v = {.core = c};

	if (n && store_rm_subtree(&v, n))
		log_warn("removing %s: out of memory", path);
}

void store_guest_destroyed(struct store_guest *g, uint32_t domid)
{
	struct store_core *c = g->core;
	char home[32], vmkey[48], vm[STORE_PATH_BUF], canon[STORE_PATH_BUF];
	const struct store_node *n;
	bool rel;

	store_path_home(domid, home, sizeof(home));
	snprintf(vmkey, sizeof(vmkey), "%s/vm", home);
	n = store_tree_get(c, vmkey);
	/* Only a path under /vm (libxl's layout): never a node the value merely names. */
	if (n && n->vlen > 4 && n->vlen < sizeof(vm)) {
		memcpy(vm, n->value, n->vlen);
		vm[n->vlen] = '\0';
		if (strncmp(vm, "/vm/", 4) == 0 &&
		    !store_path_canon(vm, 0, true, false, canon, &rel))
			store_guest_rm(c, canon);
	}
	store_guest_rm(c, home);
	g->destroying = true;
	if (store_domain_get(c, domid) && store_domain_release(c, domid, true) == 0)
		log_info("domain %u destroyed: released", domid);
	g->destroying = false;
}

/* The core answered: attach every journalled domain it has, destroy the others. */
static void store_guest_reconcile(struct store_guest *g)
{
	struct dyad_ctl_dominfo info;

	g->ctl_used = true;
	for (uint32_t id = 1; id < DOMID_FIRST_RESERVED; id++) {
		struct store_domain *d = store_domain_get(g->core, id);
		int rc;

		if (!d || d->ring)
			continue;
		rc = ctl_info(g->ctl, id, &info);
		if (rc == -ESRCH)
			store_guest_destroyed(g, id);
		else if (rc)
			log_warn("domain %u: cannot ask the core about it: %s", id, strerror(-rc));
		else
			(void)store_guest_attach_dom(g, d, true);
	}
}

static void store_guest_core_lost(struct store_guest *g)
{
	log_warn("lost the core's control socket; retrying");
	for (uint32_t id = 1; id < DOMID_FIRST_RESERVED; id++) {
		struct store_domain *d = store_domain_get(g->core, id);

		if (d)
			store_guest_drop(g, d, false);
	}
	epoll_ctl(g->epfd, EPOLL_CTL_DEL, ctl_client_fd(g->ctl), NULL);
	epoll_ctl(g->epfd, EPOLL_CTL_DEL, evtchn_fd(g->ev), NULL);
	evtchn_close(g->ev);
	ctl_client_close(g->ctl);
	g->ev = NULL;
	g->ctl = NULL;
	store_guest_retry(g, true);
}

static int store_guest_open(struct store_guest *g)
{
	int fd, rc = ctl_client_open(g->rundir, &g->ctl);

	if (rc)
		return rc;
	rc = ctl_subscribe(g->ctl);
	if (!rc)
		rc = evtchn_open(g->ctl, &g->ev);
	fd = ctl_client_fd(g->ctl);
	if (!rc && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		rc = -errno;
	if (!rc)
		rc = store_guest_epoll(g, EPOLL_CTL_ADD, fd, &g->ctl_tag);
	if (!rc)
		rc = store_guest_epoll(g, EPOLL_CTL_ADD, evtchn_fd(g->ev), &g->ev_tag);
	if (rc) {
		epoll_ctl(g->epfd, EPOLL_CTL_DEL, fd, NULL);
		evtchn_close(g->ev);
		ctl_client_close(g->ctl);
		g->ev = NULL;
		g->ctl = NULL;
	}
	return rc;
}

/* Try to reach the core (quietly: it starts after us). */
static void store_guest_connect(struct store_guest *g)
{
	int rc = store_guest_open(g);

	if (rc) {
		if (!g->waiting_logged)
			log_info("waiting for the core at %s/hv.sock (%s)", g->rundir,
				 strerror(-rc));
		g->waiting_logged = true;
		store_guest_retry(g, true);
		return;
	}
	g->waiting_logged = false;
	store_guest_retry(g, false);
	log_info("connected to the core");
	store_guest_reconcile(g);
}

/* Events from the core, until none is queued.  True if any was handled. */
static bool store_guest_events(struct store_guest *g)
{
	struct dyad_ctl_event ev;
	bool any = false;
	int rc;

	while (g->ctl && (rc = ctl_next_event(g->ctl, &ev)) != -EAGAIN) {
		if (rc) {
			store_guest_core_lost(g);
			return true;
		}
		any = true;
		if (ev.kind == DYAD_EVENT_DESTROYED && ev.domid < DOMID_FIRST_RESERVED)
			store_guest_destroyed(g, ev.domid);
	}
	return any;
}

/* Guest notifications: honour RECONNECT; the loop then pulls their input. */
static void store_guest_ports(struct store_guest *g)
{
	uint32_t local;
	int rc;

	while (g->ev && (rc = evtchn_pending(g->ev, &local)) != -EAGAIN) {
		struct store_guest_dom *gd = local <= EVTCHN_MAX_LOCAL ? g->by_local[local] : NULL;

		if (rc == -EPIPE) {
			log_debug("store port %u closed (domain going away)", local);
			continue; /* left disarmed; DESTROYED releases it */
		}
		if (rc)
			break;
		if (evtchn_unmask(g->ev, local))
			log_warn_rl("cannot re-arm store port %u", local);
		if (gd) {
			store_ring_event(&gd->ring);
			store_guest_sync_conn(gd);
		}
	}
}

bool store_guest_owns(const struct store_guest *g, const void *ptr)
{
	return ptr == &g->ctl_tag || ptr == &g->ev_tag || ptr == &g->timer_fd;
}

void store_guest_handle(struct store_guest *g, const void *ptr)
{
	uint64_t ticks;

	if (ptr == &g->timer_fd) {
		if (read(g->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
			log_warn_rl("retry timer: %s", strerror(errno));
		if (!g->ctl)
			store_guest_connect(g);
	} else if (ptr == &g->ctl_tag) {
		(void)store_guest_events(g);
	} else {
		store_guest_ports(g);
	}
}

/*
 * Look at every attached ring's connection field (one load each), as
 * xenstored checks every domain in its main loop: a RECONNECT is honoured
 * even if its notification raced with a broken connection's teardown.
 */
static void store_guest_scan(struct store_guest *g)
{
	for (uint32_t i = 1; i <= EVTCHN_MAX_LOCAL && g->attached; i++) {
		struct store_guest_dom *gd = g->by_local[i];

		if (gd) {
			store_ring_event(&gd->ring);
			store_guest_sync_conn(gd);
		}
	}
}

bool store_guest_after_pass(struct store_guest *g)
{
	store_guest_scan(g);
	if (!g->ctl_used)
		return false; /* otherwise the socket's readiness tells us */
	g->ctl_used = false;
	return store_guest_events(g);
}

void store_guest_persist(struct store_guest *g)
{
	for (uint32_t i = 1; i <= EVTCHN_MAX_LOCAL; i++) {
		struct store_guest_dom *gd = g->by_local[i];
		struct store_conn *conn = gd ? gd->ring.conn : NULL;

		if (!conn || !conn->watches_changed)
			continue;
		conn->watches_changed = false;
		/* A guest that reconnects (or breaks its ring) in a loop costs no writes. */
		if (!conn->nwatches && gd->saved_empty)
			continue;
		if (store_guest_watch_save(g->watch_dir, conn, g->fsync))
			log_warn_rl("domain %u: cannot save its watches in %s", conn->who.domid,
				    g->watch_dir);
		else
			gd->saved_empty = !conn->nwatches;
	}
}

int store_guest_init(struct store_guest *g, struct store_core *core, const char *rundir,
		     const char *journal, bool fsync, int epfd)
{
	memset(g, 0, sizeof(*g));
	g->core = core;
	g->fsync = fsync;
	g->epfd = epfd;
	snprintf(g->rundir, sizeof(g->rundir), "%s", rundir);
	snprintf(g->watch_dir, sizeof(g->watch_dir), "%s.watches", journal);
	if (mkdir(g->watch_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	g->by_local = calloc(EVTCHN_MAX_LOCAL + 1, sizeof(*g->by_local));
	g->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (!g->by_local || g->timer_fd < 0)
		return -ENOMEM;
	if (store_guest_epoll(g, EPOLL_CTL_ADD, g->timer_fd, &g->timer_fd))
		return -errno;
	core->hooks = &store_guest_hooks;
	core->hooks_arg = g;
	store_guest_connect(g);
	return 0;
}

void store_guest_fini(struct store_guest *g)
{
	for (uint32_t id = 1; id < DOMID_FIRST_RESERVED && g->core; id++) {
		struct store_domain *d = store_domain_get(g->core, id);

		/* Keep the bindings' guest ends: the next instance rebinds them. */
		if (d)
			store_guest_drop(g, d, false);
	}
	if (g->core)
		g->core->hooks = NULL;
	if (g->ev)
		evtchn_close(g->ev);
	ctl_client_close(g->ctl);
	if (g->timer_fd >= 0)
		close(g->timer_fd);
	free(g->by_local);
}
