/*
 * bench_evtchn: event-channel and grant-table figures, each printed beside
 * its reference from the same process.
 *   bench_evtchn host N             host eventfd ping-pong between two threads
 *   bench_evtchn dom0 DOM PORT N    the same, then N round trips with guest
 *                                   DOM's bouncing PORT (evtchn-ping server)
 *   bench_evtchn gnttab DOM REF N   grant map+unmap and copy ops/s on REF,
 *                                   granted to dom0 by DOM
 * The core is the one of $DYAD_RUNDIR.
 * Output: one "bench-evtchn KEY=VALUE ..." line per figure, for tests/bench/run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_evtchn.h"
#include "ctl_client.h"

static int usage(void)
{
	fprintf(stderr, "usage: bench_evtchn host N | dom0 DOM PORT N | gnttab DOM REF N\n");
	return 2;
}

static int parse_count(const char *s, unsigned long *n)
{
	char *end;

	errno = 0;
	*n = strtoul(s, &end, 10);
	return (errno || *end || *n == 0 || *n > 100000000ul) ? -EINVAL : 0;
}

static int run_host(unsigned long n)
{
	double rtt = 0, rtt_spin = 0;
	int rc = bench_evtchn_host(n, false, &rtt);

	if (rc == 0)
		rc = bench_evtchn_host(n, true, &rtt_spin);
	if (rc) {
		fprintf(stderr, "bench_evtchn: host ping-pong: %s\n", strerror(-rc));
		return 1;
	}
	printf("bench-evtchn host-eventfd n=%lu rtt_ns=%.0f spin_rtt_ns=%.0f\n", n, rtt, rtt_spin);
	return 0;
}

static int run_dom0(unsigned long dom, unsigned long port, unsigned long n, int grants)
{
	struct ctl_client *c = NULL;
	double a = 0, b = 0;
	int rc = ctl_client_open(NULL, &c);

	if (rc == 0 && !grants)
		rc = run_host(n) ? -EIO
				 : bench_evtchn_dom0(c, (uint32_t)dom, (uint32_t)port, n, &a);
	else if (rc == 0)
		rc = bench_gnttab_dom0(c, (uint32_t)dom, (uint32_t)port, n, &a, &b);
	ctl_client_close(c);
	if (rc) {
		fprintf(stderr, "bench_evtchn: %s: %s\n", grants ? "gnttab" : "dom0",
			strerror(-rc));
		return 1;
	}
	if (grants)
		printf("bench-evtchn gnttab-dom0 n=%lu map_unmap_ops=%.0f copy_ops=%.0f\n", n, a,
		       b);
	else
		printf("bench-evtchn guest-dom0 n=%lu rtt_ns=%.0f\n", n, a);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n, dom, port;

	if (argc == 3 && !strcmp(argv[1], "host") && !parse_count(argv[2], &n))
		return run_host(n);
	if (argc == 5 && (!strcmp(argv[1], "dom0") || !strcmp(argv[1], "gnttab")) &&
	    !parse_count(argv[2], &dom) && !parse_count(argv[3], &port) &&
	    !parse_count(argv[4], &n))
		return run_dom0(dom, port, n, !strcmp(argv[1], "gnttab"));
	return usage();
}
