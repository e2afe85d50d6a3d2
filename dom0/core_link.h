/*
 * The supervisor's subscription to the core's event stream.
 *
 * The link is a state machine with two states: down (no connection; retry
 * every CORE_LINK_RETRY_MS while the core process runs) and up (a
 * non-blocking, subscribed ctl_client whose fd sits in the poll set).  When
 * the core dies its socket closes, the link goes down, and it comes back by
 * itself once the process table has restarted the core.
 *
 * On every (re)connection the link reconciles what it may have missed:
 * records of domains the core no longer has are dropped (only records older
 * than this core's start, so a domain being built right now keeps its own),
 * and domains already shut down or crashed get their policy applied.
 */
#ifndef DYAD_DOM0_CORE_LINK_H
#define DYAD_DOM0_CORE_LINK_H

#include <stdint.h>
#include <time.h>

#include "policy.h"

#define CORE_LINK_RETRY_MS 100u

struct ctl_client;

struct core_link {
	struct ctl_client *events; /* NULL while down */
	uint64_t retry_at_ms;
	time_t core_started; /* wall clock, for the record sweep */
	unsigned int connects;
};

void core_link_init(struct core_link *l);
void core_link_fini(struct core_link *l);
/* The fd to poll, or -1 while down. */
int core_link_fd(const struct core_link *l);
/* While down and the core runs, try to connect when due. */
void core_link_tick(struct core_link *l, struct policy *pol, int core_running, time_t core_started,
		    uint64_t now);
int core_link_timeout_ms(const struct core_link *l, int core_running, uint64_t now);
/* The fd is readable: handle every pending event; go down on a lost core. */
void core_link_drain(struct core_link *l, struct policy *pol, uint64_t now);
/* The core process died or was restarted: drop the connection now. */
void core_link_down(struct core_link *l, uint64_t now);

/* The core is gone for good (we stopped it): every record is stale. */
void core_link_drop_records(void);

#endif /* DYAD_DOM0_CORE_LINK_H */
