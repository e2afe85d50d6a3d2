/*
 * dom0's event-channel handles (Xen's libxenevtchn, written for Dyad).
 *
 * dom0 is not a domain in the core, so dom0's end of a channel is not a
 * port in anyone's table: it is a pair of descriptors the core passes when
 * a binding is made.  The handle numbers its bindings with small LOCAL
 * ports (1, 2, ... per handle, never 0, reused after unbind) that play the
 * role of xenevtchn's local port; the remote end is (domid, guest port).
 *
 *  - guest -> dom0: the guest's doorbell write on the port is matched by a
 *    KVM ioeventfd (no exit to dyad-hv) whose eventfd sits in this handle's
 *    epoll set.  evtchn_fd() is that epoll fd: poll it, then evtchn_pending()
 *    says which local port fired.  As with Xen's evtchn device the port is
 *    then left disarmed (EPOLLONESHOT) until evtchn_unmask(): sends that
 *    arrive meanwhile are counted by the eventfd, never lost, and fire again
 *    at unmask.
 *  - dom0 -> guest: evtchn_notify() raises the guest port in the guest's
 *    shared_info (mapped once through foreignmem) with lib/evtchn_2l.h - the
 *    same code the core runs - and, when that made the upcall pending,
 *    writes the vCPU's irqfd eventfd: no exit to dyad-hv either.
 *  - close: when the guest closes the port or its domain dies, the core adds
 *    DYAD_EVTCHN_CLOSED_MARK to the eventfd; evtchn_pending() reports that
 *    local port with -EPIPE and later notifies fail with -EPIPE.  The caller
 *    unbinds it.
 *
 * A handle is not thread-safe; use one per thread (as with xenevtchn).
 */
#ifndef DYAD_DOM0_EVTCHN_H
#define DYAD_DOM0_EVTCHN_H

#include <stdint.h>

#define EVTCHN_MAX_LOCAL 1024u /* bindings per handle */

struct ctl_client;
struct evtchn_handle;

/*
 * Open a handle that makes its control calls through c (borrowed: it must
 * outlive the handle).
 */
int evtchn_open(struct ctl_client *c, struct evtchn_handle **out)
	__attribute__((warn_unused_result));
void evtchn_close(struct evtchn_handle *h);

/* The pollable fd (readable when some bound port fired). */
int evtchn_fd(const struct evtchn_handle *h);

/*
 * Bind to guest_port of domid, which the guest allocated unbound to dom0
 * (EVTCHNOP_alloc_unbound, remote_dom 0).  *local receives the local port.
 */
int evtchn_bind_interdomain(struct evtchn_handle *h, uint32_t domid, uint32_t guest_port,
			    uint32_t *local) __attribute__((warn_unused_result));
/*
 * The same for a service that restarted: if the port is still bound to
 * dom0 (by its previous instance, whose descriptors died with it), close
 * that end first, then bind.  Only for ports this service owns.
 */
int evtchn_rebind_interdomain(struct evtchn_handle *h, uint32_t domid, uint32_t guest_port,
			      uint32_t *local) __attribute__((warn_unused_result));
/*
 * Allocate a port in domid unbound to dom0 and bind it here; the guest then
 * binds it with EVTCHNOP_bind_interdomain(remote_dom 0, *guest_port).
 */
int evtchn_bind_unbound_port(struct evtchn_handle *h, uint32_t domid, uint32_t *guest_port,
			     uint32_t *local) __attribute__((warn_unused_result));
/* Close the channel (in the core too) and forget the local port. */
int evtchn_unbind(struct evtchn_handle *h, uint32_t local) __attribute__((warn_unused_result));
/*
 * Drop a binding whose domain is known to be destroyed: release the local
 * port, its descriptors and the domain's memory mapping, with no core call.
 */
int evtchn_forget(struct evtchn_handle *h, uint32_t local) __attribute__((warn_unused_result));

/* Raise the guest's end of local. */
int evtchn_notify(struct evtchn_handle *h, uint32_t local) __attribute__((warn_unused_result));
/*
 * A local port that fired: 0 with *local set; -EPIPE with *local set when
 * its channel was closed; -EAGAIN when none is pending.  Never blocks.
 */
int evtchn_pending(struct evtchn_handle *h, uint32_t *local) __attribute__((warn_unused_result));
/* Re-arm local after evtchn_pending() returned it. */
int evtchn_unmask(struct evtchn_handle *h, uint32_t local) __attribute__((warn_unused_result));

/* The remote end of local (for logs and tests). */
int evtchn_remote(const struct evtchn_handle *h, uint32_t local, uint32_t *domid,
		  uint32_t *guest_port) __attribute__((warn_unused_result));

#endif /* DYAD_DOM0_EVTCHN_H */
