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
 * PAUSE waits (once, bounded) until every vCPU thread is parked (out of
 * KVM_RUN and done with its last exit), so a paused domain's registers and
 * memory are still; GET_VCPU_CONTEXT does not wait again (-EAGAIN).
 *
 * shared_info exists from creation at DYAD_BOOT_SHARED_INFO (boot.h), so
 * dom0 can bind event channels before the guest first runs.
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
#include "hvm_param.h"
#include "mem.h"
#include "stream.h"
#include "vcpu.h"

#define DOMAIN_WUR __attribute__((warn_unused_result))

struct domain {
	uint32_t id;
	char name[DYAD_NAME_MAX]; /* RENAME writes it under lock; other threads copy under lock */
	uint8_t uuid[16];	  /* RENAME writes it under lock; other threads copy under lock */
	uint32_t flags;		  /* DYAD_CREATE_F_* */
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
	pthread_cond_t cond;   /* vCPU threads park here */
	pthread_cond_t parked; /* ...and say so here (CLOCK_MONOTONIC) */
	/* Under lock. */
	enum dyad_domain_state life; /* RUNNING, SHUTDOWN, CRASHED or DYING */
	bool paused;
	bool dump_waited; /* GET_VCPU_CONTEXT spent its one wait for a dead domain */
	uint32_t shutdown_reason;
	uint32_t shutdown_code; /* SCHEDOP_shutdown_code (Xen), or DOMAIN_SHUTDOWN_CODE_NONE */
	struct hvm_params params;
};

/* Xen's SHUTDOWN_CODE_INVALID: no code recorded. */
#define DOMAIN_SHUTDOWN_CODE_NONE 0xffffffffu
/* How long PAUSE (and the first GET_VCPU_CONTEXT of a dead domain) wait for parking. */
#define DOMAIN_PARK_TIMEOUT_MS 2000u
/*
 * On VT-x (and AMD with AVIC) KVM puts a private APIC-access page at
 * 0xfee00000; a RAM memslot over it makes KVM_CREATE_VCPU fail with
 * -EEXIST.  Dyad's RAM is one slot from 0, so it must end below it.
 */
#define DOMAIN_APIC_ACCESS_MAX_MEM_MB (0xfee00000ull >> 20) /* 4078 */

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

/*
 * Pause, then wait until every vCPU thread is parked.  -ETIMEDOUT if one is
 * stuck: the pause stays in effect (the caller unpauses if it gives up).
 */
int domain_pause(struct domain *d) DOMAIN_WUR;
/* Wait until every started vCPU thread is parked (lock not held). */
int domain_wait_parked(struct domain *d) DOMAIN_WUR;
int domain_unpause(struct domain *d) DOMAIN_WUR;
/*
 * Shut down with a SHUTDOWN_* reason; stops the vCPUs.  As in Xen, a code
 * recorded by SCHEDOP_shutdown_code takes precedence over `reason`, and a
 * crash reason makes the domain CRASHED.
 */
int domain_shutdown(struct domain *d, uint32_t reason) DOMAIN_WUR;
/* SCHEDOP_shutdown_code: record the reason a later shutdown reports (first one stands). */
int domain_set_shutdown_code(struct domain *d, uint32_t reason) DOMAIN_WUR;
/*
 * Check a rename to a new valid unique name and, if uuid is not NULL, a
 * new UUID that is not all zero: -EINVAL or -EEXIST (another domain has
 * the name or UUID) with *why.
 */
int domain_check_rename(struct domain *d, const char *name, size_t cap, const uint8_t *uuid,
			const char **why) DOMAIN_WUR;
/* Check, then rename (and take uuid unless NULL); nothing changes on error. */
int domain_rename(struct domain *d, const char *name, size_t cap, const uint8_t *uuid,
		  const char **why) DOMAIN_WUR;
/* The UUID, copied under the lock (RENAME may change it). */
void domain_uuid_copy(struct domain *d, uint8_t uuid[16]);
/*
 * The registers of vCPU vcpu for a dump and whether it is up (not after
 * VCPUOP_down).  -EBUSY: running and not paused; -EAGAIN: paused or dead
 * but a vCPU has not parked yet (no wait, except once for a dead domain).
 */
int domain_get_vcpu_context(struct domain *d, uint32_t vcpu, struct dyad_vcpu_regs *regs,
			    bool *online) DOMAIN_WUR;
/* A fatal exit: log why (core log) and crash the domain. */
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void domain_info(struct domain *d, struct dyad_ctl_dominfo *out);
/* True while the domain can still produce console output. */
bool domain_alive(struct domain *d);

#endif /* DYAD_HV_DOMAIN_H */
