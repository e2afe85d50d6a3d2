/*
 * Domains: the table, their lifecycle and what they own.
 *
 * A domain owns its RAM (a sealed memfd), a KVM VM with the in-kernel
 * irqchip, its vCPUs (one thread each), and its console stream.  Domain
 * ids run from 1 upward and are not reused until the counter wraps below
 * DOMID_FIRST_RESERVED.
 *
 * Lifecycle (field `life`, under `lock`):
 *
 *   create -> RUNNING (paused) --unpause/pause-- RUNNING
 *   RUNNING --SCHEDOP_shutdown / control shutdown--> SHUTDOWN (reason)
 *   RUNNING --SHUTDOWN_crash or a fatal exit--> CRASHED
 *   any --destroy--> DYING -> freed
 *
 * The state a client sees (enum dyad_domain_state) is derived: PAUSED
 * while paused and alive, BLOCKED when every online vCPU is blocked.
 * Only the control loop creates and destroys domains; it changes the table
 * under the table's write lock.  The control loop reads it without a lock;
 * vCPU threads that need another domain (event channels, grants) look it
 * up and use it only while holding the read lock, so a domain cannot be
 * freed under them.  vCPU threads otherwise touch only their own domain,
 * under its lock, and tell the control loop about changes through notify.h.
 */
#ifndef DYAD_HV_DOMAIN_H
#define DYAD_HV_DOMAIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <dyad/boot.h>
#include "ctl_msg.h"
#include "evtchn.h"
#include "gnttab.h"
#include "mem.h"
#include "stream.h"
#include "vcpu.h"

#define DOMAIN_WUR __attribute__((warn_unused_result))

struct domain {
	uint32_t id;
	char name[DYAD_NAME_MAX];
	uint8_t uuid[16];
	uint32_t flags; /* DYAD_CREATE_F_* */
	uint64_t mem_mb;
	struct mem mem;
	int vm_fd;
	uint32_t tsc_khz;
	uint32_t nr_vcpus;
	struct vcpu vcpus[DYAD_MAX_VCPUS];
	struct stream console;
	struct evtchn_table evtchn; /* own lock */
	struct gnttab gnttab;	    /* own lock */

	pthread_mutex_t lock;
	pthread_cond_t cond; /* vCPU threads park here */
	/* Under lock. */
	enum dyad_domain_state life; /* RUNNING, SHUTDOWN, CRASHED or DYING */
	bool paused;
	uint32_t shutdown_reason;
	uint32_t shutdown_code; /* SCHEDOP_shutdown_code, reported later */
};

/* Check a create request against the rules and the live domains; *why on error. */
int domain_check_create(const struct dyad_ctl_create *req, const char **why) DOMAIN_WUR;
/* Create a paused domain (posts DYAD_EVENT_CREATED). */
int domain_create(const struct dyad_ctl_create *req, struct domain **out) DOMAIN_WUR;
/* Stop and free everything the domain owns (posts DYAD_EVENT_DESTROYED). */
void domain_destroy(struct domain *d);
void domain_destroy_all(void);

struct domain *domain_find(uint32_t id);
/* The table read lock, for lookups from vCPU threads (before any table lock of evtchn/gnttab). */
void domain_table_rdlock(void);
void domain_table_unlock(void);
/* Iterate: domain_next(0) is the first domain, then domain_next(prev->id). */
struct domain *domain_next(uint32_t after);
unsigned int domain_count(void);

int domain_pause(struct domain *d) DOMAIN_WUR;
int domain_unpause(struct domain *d) DOMAIN_WUR;
/* Shut down with a SHUTDOWN_* reason (crash -> CRASHED); stops the vCPUs. */
int domain_shutdown(struct domain *d, uint32_t reason) DOMAIN_WUR;
/* A fatal exit: log why (core log) and crash the domain. */
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void domain_info(struct domain *d, struct dyad_ctl_dominfo *out);
/* True while the domain can still produce console output. */
bool domain_alive(struct domain *d);

#endif /* DYAD_HV_DOMAIN_H */
