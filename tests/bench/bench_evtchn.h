/*
 * Pieces of bench_evtchn, the event-channel and grant-table benchmark:
 * each figure comes with the reference measured by the same program.
 */
#ifndef DYAD_BENCH_EVTCHN_H
#define DYAD_BENCH_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* n round trips of an eventfd ping-pong between two host threads (polling or sleeping). */
int bench_evtchn_host(unsigned long n, bool spin, double *rtt_ns)
	__attribute__((warn_unused_result));

struct ctl_client;

/* n round trips dom0 -> guest port -> bounced back, through libdom0. */
int bench_evtchn_dom0(struct ctl_client *c, uint32_t domid, uint32_t port, unsigned long n,
		      double *rtt_ns) __attribute__((warn_unused_result));
/* n map+unmap pairs, then n single-page copies, of a grant to dom0. */
int bench_gnttab_dom0(struct ctl_client *c, uint32_t domid, uint32_t ref, unsigned long n,
		      double *map_ops, double *copy_ops) __attribute__((warn_unused_result));

#endif /* DYAD_BENCH_EVTCHN_H */
