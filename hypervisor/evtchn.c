/*
 * Event-channel port tables and their state machine (see evtchn.h).
 *
 * Every guest-supplied number (port, vCPU, domid, virq) was copied out of
 * guest memory by the hypercall layer; it is range-checked here before it
 * indexes anything.  A remote domain is looked up under the domain-table
 * read lock and only used while it is held.
 */
#include "evtchn.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "domain.h"
#include "evtchn_2l.h"
#include "kvm.h"
#include "log.h"
#include "virq_timer.h"

#define EVTCHN_T(d) (&(d)->evtchn)

static bool evtchn_port_ok(uint32_t port)
{
	return port > 0 && port < DYAD_EVTCHN_MAX_PORTS;
}

static void evtchn_efd_write(int efd, uint64_t v)
{
	if (efd >= 0 && write(efd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		log_warn_rl("evtchn: eventfd write failed");
}

/*
 * Interrupt vCPU v (table lock held).  The core injects the MSI itself
 * with KVM_SIGNAL_MSI once the vector is known: a write to the irqfd may
 * leave the injection to a kernel worker, which waits for a free host CPU
 * when the vCPU threads are busy (measured: ~0.5 ms per guest-guest round
 * trip on 2 CPUs).  Before the vector is set, the eventfd keeps the kick
 * for the irqfd attached later.  dom0 uses the irqfd (it has no VM fd).
 */
static void evtchn_kick(struct domain *d, uint32_t v)
{
	struct evtchn_table *t = EVTCHN_T(d);

	if (t->irqfd[v] && kvm_vm_signal_msi(d->vm_fd, v, t->vector[v]) == 0)
		return;
	evtchn_efd_write(t->upcall_efd[v], 1);
}

/* Raise port p of d (its table lock held). */
static void evtchn_raise_locked(struct domain *d, uint32_t p)
{
	struct evtchn_table *t = EVTCHN_T(d);
	uint32_t v = t->port[p].vcpu;

	if (!t->si || v >= t->nr_vcpus)
		return;
	if (evtchn_2l_raise(t->si, &t->si->vcpu_info[v], p))
		evtchn_kick(d, v);
}

/* The lowest free port, or -ENOSPC (lock held). */
static int evtchn_alloc_port(struct evtchn_table *t, uint32_t *port)
{
	for (uint32_t p = 1; p < DYAD_EVTCHN_MAX_PORTS; p++) {
		if (t->port[p].state == EVTCHN_FREE) {
			t->port[p] = (struct evtchn_port){.dom0_efd = -1};
			*port = p;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Back to FREE; the pending bit is cleared (Xen's evtchn_free). */
static void evtchn_free_port(struct evtchn_table *t, uint32_t p)
{
	if (t->si)
		evtchn_2l_clear_pending(t->si, p);
	t->port[p] = (struct evtchn_port){.state = EVTCHN_FREE, .dom0_efd = -1};
}

/* Release dom0's end: no more doorbell, dom0 reads the CLOSED mark. */
static void evtchn_dom0_release(struct domain *d, uint32_t p)
{
	struct evtchn_table *t = EVTCHN_T(d);
	struct evtchn_port *e = &t->port[p];

	if (e->iofd) {
		if (kvm_vm_ioeventfd(d->vm_fd, e->dom0_efd, DYAD_DOORBELL_PORT, p, 0))
			log_warn_rl("dom%u: ioeventfd of port %u not removed", d->id, p);
		e->iofd = false;
		t->nr_iofds--;
	}
	evtchn_efd_write(e->dom0_efd, DYAD_EVTCHN_CLOSED_MARK);
	if (e->dom0_efd >= 0)
		close(e->dom0_efd);
	e->dom0_efd = -1;
}

/* Give port p a dom0 end: eventfd + doorbell ioeventfd while under the cap. */
static int evtchn_dom0_attach(struct domain *d, uint32_t p)
{
	struct evtchn_table *t = EVTCHN_T(d);
	struct evtchn_port *e = &t->port[p];

	e->dom0_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->dom0_efd < 0)
		return -errno;
	if (t->nr_iofds < DYAD_EVTCHN_IOEVENTFD_MAX &&
	    kvm_vm_ioeventfd(d->vm_fd, e->dom0_efd, DYAD_DOORBELL_PORT, p, 1) == 0) {
		e->iofd = true;
		t->nr_iofds++;
	}
	return 0;
}

int evtchn_init(struct domain *d, uint32_t nr_vcpus)
{
	struct evtchn_table *t = EVTCHN_T(d);

	pthread_mutex_init(&t->lock, NULL);
	t->ready = true;
	t->nr_vcpus = nr_vcpus;
	for (uint32_t i = 0; i < DYAD_MAX_VCPUS; i++)
		t->upcall_efd[i] = t->timer_fd[i] = -1;
	for (uint32_t p = 0; p < DYAD_EVTCHN_MAX_PORTS; p++)
		t->port[p].dom0_efd = -1;
	for (uint32_t i = 0; i < t->nr_vcpus; i++) {
		t->upcall_efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (t->upcall_efd[i] < 0)
			return -errno;
	}
	return 0;
}

int evtchn_set_shared_info(struct domain *d, uint64_t gpa)
{
	struct evtchn_table *t = EVTCHN_T(d);
	int rc = 0;

	_Static_assert(sizeof(struct shared_info) <= DYAD_PAGE_SIZE, "shared_info fits a page");
	pthread_mutex_lock(&t->lock);
	if (t->si) {
		rc = -EEXIST;
	} else {
		memset(d->mem.host + gpa, 0, DYAD_PAGE_SIZE);
		t->si_gpa = gpa;
		__atomic_store_n(&t->si, (struct shared_info *)(void *)(d->mem.host + gpa),
				 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int evtchn_set_upcall_vector(struct domain *d, uint32_t vcpu, uint32_t vector)
{
	struct evtchn_table *t = EVTCHN_T(d);
	int rc = 0;

	if (vcpu >= t->nr_vcpus)
		return -ENOENT;
	if (vector < 0x10 || vector > 0xff)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	t->vector[vcpu] = (uint8_t)vector;
	rc = kvm_vm_set_upcall_routes(d->vm_fd, t->vector, t->nr_vcpus);
	if (!rc && !t->irqfd[vcpu]) {
		rc = kvm_vm_irqfd(d->vm_fd, t->upcall_efd[vcpu], KVM_UPCALL_GSI_BASE + vcpu, 1);
		t->irqfd[vcpu] = rc == 0;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int evtchn_alloc_unbound(struct domain *d, uint32_t remote, uint32_t *port)
{
	struct evtchn_table *t = EVTCHN_T(d);
	int rc;

	if (remote == DOMID_SELF)
		remote = d->id;
	if (remote >= DOMID_FIRST_RESERVED)
		return -ESRCH;
	pthread_mutex_lock(&t->lock);
	rc = t->si ? evtchn_alloc_port(t, port) : -EAGAIN;
	if (!rc) {
		t->port[*port].state = EVTCHN_UNBOUND;
		t->port[*port].rdom = remote;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* The guest binds a port dom0 reserved for it (ALLOC_DOM0). */
static int evtchn_bind_dom0_reserved(struct domain *d, uint32_t rport, uint32_t *port)
{
	struct evtchn_table *t = EVTCHN_T(d);
	int rc = -EINVAL;

	if (!evtchn_port_ok(rport))
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	if (t->port[rport].state == EVTCHN_RESERVED) {
		t->port[rport].state = EVTCHN_INTERDOMAIN;
		t->port[rport].rport = rport;
		*port = rport;
		evtchn_raise_locked(d, rport); /* Xen: notifications may have been lost */
		rc = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

static void evtchn_lock2(struct domain *a, struct domain *b)
{
	if (a == b) {
		pthread_mutex_lock(&EVTCHN_T(a)->lock);
		return;
	}
	if (a->id > b->id) {
		struct domain *x = a;

		a = b;
		b = x;
	}
	pthread_mutex_lock(&EVTCHN_T(a)->lock);
	pthread_mutex_lock(&EVTCHN_T(b)->lock);
}

static void evtchn_unlock2(struct domain *a, struct domain *b)
{
	pthread_mutex_unlock(&EVTCHN_T(a)->lock);
	if (a != b)
		pthread_mutex_unlock(&EVTCHN_T(b)->lock);
}

/* Both tables locked: connect a new local port to r's unbound rport. */
static int evtchn_connect(struct domain *d, struct domain *r, uint32_t rport, uint32_t *port)
{
	struct evtchn_port *re = &EVTCHN_T(r)->port[rport];
	int rc;

	if (!EVTCHN_T(d)->si)
		return -EAGAIN;
	if (re->state != EVTCHN_UNBOUND || re->rdom != d->id)
		return -EINVAL;
	rc = evtchn_alloc_port(EVTCHN_T(d), port);
	if (rc)
		return rc;
	EVTCHN_T(d)->port[*port] = (struct evtchn_port){
		.state = EVTCHN_INTERDOMAIN, .rdom = r->id, .rport = rport, .dom0_efd = -1};
	re->state = EVTCHN_INTERDOMAIN;
	re->rport = *port;
	evtchn_raise_locked(d, *port); /* Xen: notifications may have been lost */
	return 0;
}

int evtchn_bind_interdomain(struct domain *d, uint32_t rdom, uint32_t rport, uint32_t *port)
{
	struct domain *r;
	int rc;

	if (rdom == 0)
		return evtchn_bind_dom0_reserved(d, rport, port);
	if (rdom == DOMID_SELF)
		rdom = d->id;
	if (!evtchn_port_ok(rport))
		return -EINVAL;
	domain_table_rdlock();
	r = domain_find(rdom);
	if (r) {
		evtchn_lock2(d, r);
		rc = evtchn_connect(d, r, rport, port);
		evtchn_unlock2(d, r);
	} else {
		rc = -ESRCH;
	}
	domain_table_unlock();
	return rc;
}

int evtchn_bind_virq(struct domain *d, uint32_t virq, uint32_t vcpu, uint32_t *port)
{
	struct evtchn_table *t = EVTCHN_T(d);
	int rc;

	if (virq == VIRQ_DOM_EXC || virq == VIRQ_CON_RING)
		return -EPERM; /* dom0's: the event stream and DMESG with wait */
	if (virq != VIRQ_TIMER)
		return -EINVAL;
	if (vcpu >= t->nr_vcpus)
		return -ENOENT;
	pthread_mutex_lock(&t->lock);
	rc = !t->si ? -EAGAIN : t->virq_port[vcpu][virq] ? -EEXIST : evtchn_alloc_port(t, port);
	if (!rc) {
		t->port[*port].state = EVTCHN_VIRQ;
		t->port[*port].virq = virq;
		t->port[*port].vcpu = vcpu;
		t->virq_port[vcpu][virq] = *port;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int evtchn_bind_ipi(struct domain *d, uint32_t vcpu, uint32_t *port)
{
	struct evtchn_table *t = EVTCHN_T(d);
	int rc;

	if (vcpu >= t->nr_vcpus)
		return -ENOENT;
	pthread_mutex_lock(&t->lock);
	rc = t->si ? evtchn_alloc_port(t, port) : -EAGAIN;
	if (!rc) {
		t->port[*port].state = EVTCHN_IPI;
		t->port[*port].vcpu = vcpu;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int evtchn_bind_vcpu(struct domain *d, uint32_t port, uint32_t vcpu)
{
	struct evtchn_table *t = EVTCHN_T(d);
	struct evtchn_port *e;
	int rc = 0;

	if (!evtchn_port_ok(port))
		return -EINVAL;
	if (vcpu >= t->nr_vcpus)
		return -ENOENT;
	pthread_mutex_lock(&t->lock);
	e = &t->port[port];
	if (e->state == EVTCHN_UNBOUND || (e->state == EVTCHN_INTERDOMAIN && e->rdom != 0))
		e->vcpu = vcpu;
	else
		rc = -EINVAL; /* free, VIRQ_TIMER (per vCPU), IPI, or dom0 holds the irqfd */
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* Deliver to the guest end (rdom, rport) of d's port p. */
static int evtchn_send_remote(struct domain *d, uint32_t p, uint32_t rdom, uint32_t rport)
{
	struct domain *r;

	domain_table_rdlock();
	r = domain_find(rdom);
	if (r) {
		struct evtchn_port *re;

		pthread_mutex_lock(&EVTCHN_T(r)->lock);
		re = &EVTCHN_T(r)->port[rport];
		if (re->state == EVTCHN_INTERDOMAIN && re->rdom == d->id && re->rport == p)
			evtchn_raise_locked(r, rport);
		pthread_mutex_unlock(&EVTCHN_T(r)->lock);
	}
	domain_table_unlock();
	return 0;
}

int evtchn_send(struct domain *d, uint32_t port)
{
	struct evtchn_table *t = EVTCHN_T(d);
	struct evtchn_port e;
	int rc = 0;

	if (!evtchn_port_ok(port))
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	e = t->port[port];
	if (e.state == EVTCHN_IPI)
		evtchn_raise_locked(d, port);
	else if (e.state == EVTCHN_INTERDOMAIN && e.rdom == 0)
		evtchn_efd_write(e.dom0_efd, 1);
	else if (e.state != EVTCHN_INTERDOMAIN && e.state != EVTCHN_UNBOUND)
		rc = -EINVAL; /* Xen: a send on an unbound port is dropped silently */
	pthread_mutex_unlock(&t->lock);
	if (!rc && e.state == EVTCHN_INTERDOMAIN && e.rdom != 0)
		rc = evtchn_send_remote(d, port, e.rdom, e.rport);
	return rc;
}

/* Close d's port p (d's lock and, for a guest peer, r's lock held). */
static void evtchn_close_locked(struct domain *d, uint32_t p, struct domain *r)
{
	struct evtchn_table *t = EVTCHN_T(d);
	struct evtchn_port *e = &t->port[p];

	if (e->state == EVTCHN_VIRQ && e->vcpu < DYAD_MAX_VCPUS && e->virq < NR_VIRQS)
		t->virq_port[e->vcpu][e->virq] = 0;
	if (e->dom0_efd >= 0)
		evtchn_dom0_release(d, p);
	if (e->state == EVTCHN_INTERDOMAIN && r) {
		struct evtchn_port *re = &EVTCHN_T(r)->port[e->rport];

		if (re->state == EVTCHN_INTERDOMAIN && re->rdom == d->id && re->rport == p)
			re->state = EVTCHN_UNBOUND; /* its remote_dom stays d */
	}
	evtchn_free_port(t, p);
}

/* A guest-guest interdomain close: both tables, in order. */
static int evtchn_close_interdomain(struct domain *d, uint32_t p, uint32_t rdom)
{
	struct domain *r;

	domain_table_rdlock();
	r = domain_find(rdom);
	if (r)
		evtchn_lock2(d, r);
	else
		pthread_mutex_lock(&EVTCHN_T(d)->lock);
	if (EVTCHN_T(d)->port[p].state == EVTCHN_INTERDOMAIN && EVTCHN_T(d)->port[p].rdom == rdom)
		evtchn_close_locked(d, p, r);
	if (r)
		evtchn_unlock2(d, r);
	else
		pthread_mutex_unlock(&EVTCHN_T(d)->lock);
	domain_table_unlock();
	return 0;
}

int evtchn_close(struct domain *d, uint32_t port)
{
	struct evtchn_table *t = EVTCHN_T(d);
	struct evtchn_port e;
	int rc = 0;

	if (!evtchn_port_ok(port))
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	e = t->port[port];
	if (e.state == EVTCHN_FREE || e.state == EVTCHN_RESERVED)
		rc = -EINVAL;
	else if (!(e.state == EVTCHN_INTERDOMAIN && e.rdom != 0))
		evtchn_close_locked(d, port, NULL);
	pthread_mutex_unlock(&t->lock);
	if (!rc && e.state == EVTCHN_INTERDOMAIN && e.rdom != 0)
		rc = evtchn_close_interdomain(d, port, e.rdom);
	return rc;
}

int evtchn_status(struct domain *d, evtchn_status_t *st)
{
	struct evtchn_table *t = EVTCHN_T(d);
	struct evtchn_port e;

	if (st->port >= DYAD_EVTCHN_MAX_PORTS)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	e = t->port[st->port];
	pthread_mutex_unlock(&t->lock);
	memset(&st->u, 0, sizeof(st->u));
	st->vcpu = e.vcpu;
	switch (e.state) {
	case EVTCHN_UNBOUND:
		st->status = EVTCHNSTAT_unbound;
		st->u.unbound.dom = (domid_t)e.rdom;
		break;
	case EVTCHN_INTERDOMAIN:
		st->status = EVTCHNSTAT_interdomain;
		st->u.interdomain.dom = (domid_t)e.rdom;
		st->u.interdomain.port = e.rport;
		break;
	case EVTCHN_VIRQ:
		st->status = EVTCHNSTAT_virq;
		st->u.virq = e.virq;
		break;
	case EVTCHN_IPI:
		st->status = EVTCHNSTAT_ipi;
		break;
	default: /* FREE, and RESERVED, which the guest has not bound yet */
		st->status = EVTCHNSTAT_closed;
		st->vcpu = 0;
		break;
	}
	return 0;
}

bool evtchn_port_allocated(struct domain *d, uint32_t port)
{
	struct evtchn_table *t = EVTCHN_T(d);
	bool used;

	if (port >= DYAD_EVTCHN_MAX_PORTS)
		return false;
	pthread_mutex_lock(&t->lock);
	used = t->port[port].state != EVTCHN_FREE;
	pthread_mutex_unlock(&t->lock);
	return used;
}

int evtchn_unmask(struct domain *d, uint32_t port)
{
	struct evtchn_table *t = EVTCHN_T(d);
	int rc = 0;

	if (!evtchn_port_ok(port))
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	if (!t->si) {
		rc = -EAGAIN;
	} else {
		uint32_t v = t->port[port].vcpu < t->nr_vcpus ? t->port[port].vcpu : 0;

		if (evtchn_2l_unmask(t->si, &t->si->vcpu_info[v], port))
			evtchn_kick(d, v);
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

bool evtchn_virq_bound(struct domain *d, uint32_t vcpu, uint32_t virq)
{
	struct evtchn_table *t = EVTCHN_T(d);
	bool bound;

	if (vcpu >= t->nr_vcpus || virq >= NR_VIRQS)
		return false;
	pthread_mutex_lock(&t->lock);
	bound = t->virq_port[vcpu][virq] != 0;
	pthread_mutex_unlock(&t->lock);
	return bound;
}

void evtchn_raise_virq(struct domain *d, uint32_t vcpu, uint32_t virq)
{
	struct evtchn_table *t = EVTCHN_T(d);

	if (vcpu >= t->nr_vcpus || virq >= NR_VIRQS)
		return;
	pthread_mutex_lock(&t->lock);
	if (t->virq_port[vcpu][virq])
		evtchn_raise_locked(d, t->virq_port[vcpu][virq]);
	pthread_mutex_unlock(&t->lock);
}

bool evtchn_block_check(struct domain *d, uint32_t vcpu)
{
	struct shared_info *si = __atomic_load_n(&EVTCHN_T(d)->si, __ATOMIC_ACQUIRE);
	struct vcpu_info *vi;

	if (!si || vcpu >= EVTCHN_T(d)->nr_vcpus)
		return false;
	vi = &si->vcpu_info[vcpu];
	__atomic_store_n(&vi->evtchn_upcall_mask, (uint8_t)0, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST) != 0;
}

static void evtchn_dom0_reply(struct domain *d, uint32_t p, struct dyad_ctl_evtchn_dom0 *rep,
			      int fds[2])
{
	struct evtchn_table *t = EVTCHN_T(d);

	memset(rep, 0, sizeof(*rep));
	rep->guest_port = p;
	rep->vcpu = t->port[p].vcpu;
	rep->shared_info_gpa = t->si_gpa;
	fds[0] = t->port[p].dom0_efd;
	fds[1] = t->upcall_efd[t->port[p].vcpu];
}

int evtchn_dom0_bind(struct domain *d, uint32_t port, struct dyad_ctl_evtchn_dom0 *rep, int fds[2])
{
	struct evtchn_table *t = EVTCHN_T(d);
	struct evtchn_port *e;
	int rc;

	if (!evtchn_port_ok(port))
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	e = &t->port[port];
	rc = !t->si ? -EAGAIN : (e->state != EVTCHN_UNBOUND || e->rdom != 0) ? -EINVAL : 0;
	if (!rc)
		rc = evtchn_dom0_attach(d, port);
	if (!rc) {
		e->state = EVTCHN_INTERDOMAIN;
		e->rport = port;
		evtchn_dom0_reply(d, port, rep, fds);
		/* Xen sets the binder's (local) port pending: dom0's end, not the guest's. */
		evtchn_efd_write(e->dom0_efd, 1);
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int evtchn_dom0_alloc(struct domain *d, struct dyad_ctl_evtchn_dom0 *rep, int fds[2])
{
	struct evtchn_table *t = EVTCHN_T(d);
	uint32_t port = 0;
	int rc;

	pthread_mutex_lock(&t->lock);
	rc = t->si ? evtchn_alloc_port(t, &port) : -EAGAIN;
	if (!rc) {
		rc = evtchn_dom0_attach(d, port);
		if (rc)
			evtchn_free_port(t, port);
	}
	if (!rc) {
		t->port[port].state = EVTCHN_RESERVED;
		evtchn_dom0_reply(d, port, rep, fds);
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int evtchn_dom0_unbind(struct domain *d, uint32_t port)
{
	struct evtchn_table *t = EVTCHN_T(d);
	struct evtchn_port *e;
	int rc = 0;

	if (!evtchn_port_ok(port))
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	e = &t->port[port];
	if (e->state == EVTCHN_RESERVED) {
		evtchn_dom0_release(d, port);
		evtchn_free_port(t, port);
	} else if (e->state == EVTCHN_INTERDOMAIN && e->rdom == 0) {
		evtchn_dom0_release(d, port);
		e->state = EVTCHN_UNBOUND;
	} else {
		rc = -EINVAL;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* Destroy: close every port (peers see UNBOUND, dom0 sees the CLOSED mark). */
void evtchn_fini(struct domain *d)
{
	struct evtchn_table *t = EVTCHN_T(d);

	if (!t->ready)
		return;
	for (uint32_t p = 1; p < DYAD_EVTCHN_MAX_PORTS; p++) {
		uint32_t rdom = t->port[p].rdom;

		if (t->port[p].state == EVTCHN_INTERDOMAIN && rdom != 0)
			(void)evtchn_close_interdomain(d, p, rdom);
		else if (t->port[p].state != EVTCHN_FREE)
			evtchn_close_locked(d, p, NULL);
	}
	for (uint32_t i = 0; i < DYAD_MAX_VCPUS; i++) {
		if (t->upcall_efd[i] >= 0)
			close(t->upcall_efd[i]);
		t->upcall_efd[i] = -1;
	}
	virq_timer_fini_domain(d);
	pthread_mutex_destroy(&t->lock);
	t->ready = false;
}
