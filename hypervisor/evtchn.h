/*
 * Event channels: one port table per domain, Xen's 2-level ABI.
 *
 * Port states (Xen's ECS_*):
 *
 *   FREE --alloc_unbound--> UNBOUND(remote_dom) --peer bind_interdomain-->
 *        INTERDOMAIN(remote_dom, remote_port) --close (either end)--> the
 *        closer's end FREE, the other end UNBOUND(same remote_dom)
 *   FREE --bind_virq--> VIRQ   FREE --bind_ipi--> IPI   (close -> FREE)
 *   FREE --ctl EVTCHN_ALLOC_DOM0--> RESERVED(dom0) --guest
 *        bind_interdomain(0, port)--> INTERDOMAIN(0, port)
 *
 * A remote end in dom0 (remote_dom 0) has an eventfd the dom0 process
 * polls: the doorbell ioeventfd signals it in the kernel (first
 * DYAD_EVTCHN_IOEVENTFD_MAX such ports), the core writes it otherwise.
 * Raising a port in a domain follows lib/evtchn_2l.h on its shared_info
 * and writes the notified vCPU's upcall eventfd (a KVM irqfd).
 *
 * Locking: each table has a mutex; an operation that touches two domains
 * holds the domain-table read lock (domain.h) and takes the two table
 * locks in domid order.  Nothing sleeps or calls out under a table lock
 * except eventfd writes and ioeventfd (de)registration.
 */
#ifndef DYAD_HV_EVTCHN_H
#define DYAD_HV_EVTCHN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <dyad/abi.h>
#include <dyad/boot.h>
#include <dyad/xen.h>
#include "ctl_msg.h"

#define EVTCHN_WUR __attribute__((warn_unused_result))

struct domain;

enum evtchn_state {
	EVTCHN_FREE = 0,
	EVTCHN_UNBOUND,
	EVTCHN_INTERDOMAIN,
	EVTCHN_VIRQ,
	EVTCHN_IPI,
	EVTCHN_RESERVED, /* allocated by dom0 (ALLOC_DOM0), waiting for the guest's bind */
};

struct evtchn_port {
	uint8_t state;	/* enum evtchn_state */
	bool iofd;	/* a doorbell ioeventfd is registered for it */
	uint32_t vcpu;	/* the vCPU it notifies */
	uint32_t rdom;	/* UNBOUND/INTERDOMAIN/RESERVED: remote domid, 0 = dom0 */
	uint32_t rport; /* INTERDOMAIN with a guest: the remote port */
	uint32_t virq;	/* VIRQ */
	int dom0_efd;	/* remote end in dom0: the eventfd dom0 polls, else -1 */
};

struct evtchn_table {
	bool ready; /* evtchn_init() ran */
	pthread_mutex_t lock;
	struct shared_info *si; /* placed at creation; NULL only while building */
	uint64_t si_gpa;
	uint32_t nr_vcpus;
	uint32_t nr_iofds; /* ioeventfds registered */
	int upcall_efd[DYAD_MAX_VCPUS];
	int timer_fd[DYAD_MAX_VCPUS]; /* VIRQ_TIMER timerfds (virq_timer.c), -1 = none */
	uint8_t vector[DYAD_MAX_VCPUS];
	bool irqfd[DYAD_MAX_VCPUS];
	uint32_t virq_port[DYAD_MAX_VCPUS][NR_VIRQS];
	struct evtchn_port port[DYAD_EVTCHN_MAX_PORTS];
};

/* Set up (upcall eventfds for each vCPU) / tear down (closes every port). */
int evtchn_init(struct domain *d, uint32_t nr_vcpus) EVTCHN_WUR;
void evtchn_fini(struct domain *d);

/* Place shared_info (domain creation, at DYAD_BOOT_SHARED_INFO); once only (-EEXIST). */
int evtchn_set_shared_info(struct domain *d, uint64_t gpa) EVTCHN_WUR;
/* HVMOP_set_evtchn_upcall_vector. */
int evtchn_set_upcall_vector(struct domain *d, uint32_t vcpu, uint32_t vector) EVTCHN_WUR;

/* EVTCHNOP_*, for the calling domain d; ports are d's own. */
int evtchn_alloc_unbound(struct domain *d, uint32_t remote, uint32_t *port) EVTCHN_WUR;
int evtchn_bind_interdomain(struct domain *d, uint32_t rdom, uint32_t rport,
			    uint32_t *port) EVTCHN_WUR;
int evtchn_bind_virq(struct domain *d, uint32_t virq, uint32_t vcpu, uint32_t *port) EVTCHN_WUR;
int evtchn_bind_ipi(struct domain *d, uint32_t vcpu, uint32_t *port) EVTCHN_WUR;
int evtchn_bind_vcpu(struct domain *d, uint32_t port, uint32_t vcpu) EVTCHN_WUR;
int evtchn_send(struct domain *d, uint32_t port) EVTCHN_WUR;
int evtchn_close(struct domain *d, uint32_t port) EVTCHN_WUR;
int evtchn_status(struct domain *d, evtchn_status_t *st) EVTCHN_WUR;
/* True if port is a valid port of d that is not free (any other state). */
bool evtchn_port_allocated(struct domain *d, uint32_t port);
int evtchn_unmask(struct domain *d, uint32_t port) EVTCHN_WUR;

/* True if vCPU vcpu has VIRQ virq bound. */
bool evtchn_virq_bound(struct domain *d, uint32_t vcpu, uint32_t virq);
/* Raise VIRQ virq of vCPU vcpu if bound. */
void evtchn_raise_virq(struct domain *d, uint32_t vcpu, uint32_t virq);
/* SCHEDOP_block: clear the vCPU's upcall mask; true if an upcall is pending. */
bool evtchn_block_check(struct domain *d, uint32_t vcpu);

/* Control ops (dom0 ends); fds[0..1] stay owned by the core. */
int evtchn_dom0_bind(struct domain *d, uint32_t port, struct dyad_ctl_evtchn_dom0 *rep,
		     int fds[2]) EVTCHN_WUR;
int evtchn_dom0_alloc(struct domain *d, struct dyad_ctl_evtchn_dom0 *rep, int fds[2]) EVTCHN_WUR;
int evtchn_dom0_unbind(struct domain *d, uint32_t port) EVTCHN_WUR;

#endif /* DYAD_HV_EVTCHN_H */
