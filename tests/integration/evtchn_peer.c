/*
 * evtchn_peer: the dom0 end of the event-channel and grant-table
 * integration tests, built on libdom0 only (what a backend would use).
 * It talks to the core of $DYAD_RUNDIR.
 *
 *   evtchn_peer ping DOM PORT N [TIMEOUT_MS]
 *       bind guest port PORT (a guest "evtchn-ping role=server" offers it),
 *       send N events one at a time and wait for each bounce; prints
 *       "evtchn_peer: N round trips, L lost, avg X ns min Y ns"; exit 0 iff
 *       none was lost.
 *   evtchn_peer bounce DOM PORT N [TIMEOUT_MS]
 *       bind PORT (a guest "evtchn-ping role=client peer=0" offers it),
 *       signal once to say "bound", then send every event back until N
 *       came; prints "evtchn_peer: bounced N events".
 *   evtchn_peer gnt-fill DOM REF 0xV [HOLD_MS]   map REF writable, fill the
 *       page with the 64-bit value V ("evtchn_peer: filled ref R with 0x..."),
 *       keep it mapped HOLD_MS, unmap ("evtchn_peer: unmapped ref R: 0").
 *   evtchn_peer gnt-map DOM REF rw|ro [HOLD_MS]  try one map and print
 *       "evtchn_peer: map ref R rw: 0" or the -errno (exit 0 either way);
 *       when mapped, "evtchn_peer: ref R first qword 0x...", hold, unmap.
 *   evtchn_peer gnt-flags DOM REF           print the granter's flags word:
 *       "evtchn_peer: ref R flags 0x0001" (+ " reading", " writing").
 *   evtchn_peer gnt-copy DOM REF 0xV        GNTTABOP_copy a page of V into
 *       REF and read it back with a second copy of the batch; prints
 *       "evtchn_peer: copy ref R: status 0 0, read back 0x...".
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_client.h"
#include "evtchn.h"
#include "gnttab.h"

struct peer {
	struct ctl_client *ctl;
	struct evtchn_handle *ev;
	uint32_t local;
	int timeout_ms;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 0);
	if (errno || *end || end == s || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

/* Wait for one event on p->local: 0, -ETIMEDOUT, -EPIPE (closed) or -errno. */
static int peer_wait(struct peer *p)
{
	struct pollfd pfd = {.fd = evtchn_fd(p->ev), .events = POLLIN};
	uint32_t got = 0;
	int rc;

	for (;;) {
		rc = evtchn_pending(p->ev, &got);
		if (rc == 0 || rc == -EPIPE)
			break;
		if (rc != -EAGAIN)
			return rc;
		rc = poll(&pfd, 1, p->timeout_ms);
		if (rc == 0)
			return -ETIMEDOUT;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
	if (rc == 0 && got != p->local)
		return -EPROTO;
	if (rc == 0)
		rc = evtchn_unmask(p->ev, got);
	return rc;
}

/* Xen marks a port pending when it is bound (notifications may have been lost). */
static int peer_drain_bind(struct peer *p)
{
	uint32_t got;
	int rc = evtchn_pending(p->ev, &got);

	if (rc == -EAGAIN)
		return 0;
	return rc ? rc : evtchn_unmask(p->ev, got);
}

static int peer_ping(struct peer *p, uint32_t n)
{
	uint64_t total = 0, min = UINT64_MAX, lost = 0, done = 0;
	int rc = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t t0 = now_ns(), dt;

		rc = evtchn_notify(p->ev, p->local);
		if (rc == 0)
			rc = peer_wait(p);
		if (rc == -ETIMEDOUT) {
			lost++;
			continue;
		}
		if (rc)
			break;
		dt = now_ns() - t0;
		total += dt;
		min = dt < min ? dt : min;
		done++;
	}
	printf("evtchn_peer: %llu round trips, %llu lost, avg %llu ns min %llu ns\n",
	       (unsigned long long)done, (unsigned long long)lost,
	       (unsigned long long)(done ? total / done : 0), (unsigned long long)(done ? min : 0));
	if (rc && rc != -ETIMEDOUT)
		fprintf(stderr, "evtchn_peer: ping stopped: %s\n", strerror(-rc));
	return (lost || done != n) ? 1 : 0;
}

static int peer_bounce(struct peer *p, uint32_t n)
{
	uint32_t seen = 0;
	int rc = evtchn_notify(p->ev, p->local); /* "bound": the client starts */

	while (rc == 0 && seen < n) {
		rc = peer_wait(p);
		if (rc == 0) {
			seen++;
			rc = evtchn_notify(p->ev, p->local);
		}
	}
	printf("evtchn_peer: bounced %u events\n", seen);
	if (rc)
		fprintf(stderr, "evtchn_peer: bounce stopped: %s\n", strerror(-rc));
	return rc ? 1 : 0;
}

static int peer_events(struct peer *p, const char *mode, char **argv, int argc)
{
	uint32_t dom, port, n;
	int rc, ret;

	if (argc < 5 || parse_u32(argv[2], &dom) || parse_u32(argv[3], &port) ||
	    parse_u32(argv[4], &n))
		return 2;
	p->timeout_ms = argc > 5 ? atoi(argv[5]) : 5000;
	rc = evtchn_open(p->ctl, &p->ev);
	if (rc == 0)
		rc = evtchn_bind_interdomain(p->ev, dom, port, &p->local);
	if (rc == 0)
		rc = peer_drain_bind(p);
	if (rc) {
		printf("evtchn_peer: bind dom %u port %u: %s\n", dom, port, strerror(-rc));
		evtchn_close(p->ev);
		return 1;
	}
	printf("evtchn_peer: bound dom %u port %u\n", dom, port);
	fflush(stdout);
	ret = !strcmp(mode, "ping") ? peer_ping(p, n) : peer_bounce(p, n);
	evtchn_close(p->ev);
	return ret;
}

static void peer_hold(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000l};

	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int peer_gnt_fill(struct gnttab_handle *g, uint32_t dom, uint32_t ref, const char *val,
			 int hold_ms)
{
	unsigned long long v = strtoull(val, NULL, 0);
	uint64_t *page = NULL;
	void *addr = NULL;
	uint32_t mh;
	int rc = gnttab_map_grant_ref(g, dom, ref, true, &addr, &mh);

	if (rc) {
		printf("evtchn_peer: map ref %u rw: %d\n", ref, rc);
		return 1;
	}
	page = addr;
	for (unsigned int i = 0; i < 4096 / sizeof(*page); i++)
		__atomic_store_n(&page[i], (uint64_t)v, __ATOMIC_RELAXED);
	printf("evtchn_peer: filled ref %u with 0x%016llx\n", ref, v);
	peer_hold(hold_ms);
	rc = gnttab_unmap(g, mh);
	printf("evtchn_peer: unmapped ref %u: %d\n", ref, rc);
	return rc ? 1 : 0;
}

/* Try one map; print the result and the page's first qword; hold; unmap. */
static int peer_gnt_map(struct gnttab_handle *g, uint32_t dom, uint32_t ref, const char *how,
			int hold_ms)
{
	void *addr = NULL;
	uint32_t mh;
	int rc = gnttab_map_grant_ref(g, dom, ref, !strcmp(how, "rw"), &addr, &mh);

	printf("evtchn_peer: map ref %u %s: %d\n", ref, how, rc);
	if (rc)
		return 0;
	printf("evtchn_peer: ref %u first qword 0x%016llx\n", ref,
	       (unsigned long long)__atomic_load_n((uint64_t *)addr, __ATOMIC_RELAXED));
	peer_hold(hold_ms);
	rc = gnttab_unmap(g, mh);
	printf("evtchn_peer: unmapped ref %u: %d\n", ref, rc);
	return rc ? 1 : 0;
}

/* GNTTABOP_copy a page of V into REF, then copy it back and compare. */
static int peer_gnt_copy(struct gnttab_handle *g, uint32_t dom, uint32_t ref, const char *val)
{
	static uint64_t out[512], back[512];
	unsigned long long v = strtoull(val, NULL, 0);
	struct gnttab_copy_seg s[2];

	for (unsigned int i = 0; i < 512; i++)
		out[i] = v;
	memset(s, 0, sizeof(s));
	s[0].source.virt = out;
	s[0].dest.foreign.ref = ref;
	s[0].dest.foreign.domid = (uint16_t)dom;
	s[0].flags = GNTCOPY_dest_gref;
	s[0].len = sizeof(out);
	s[1].source.foreign.ref = ref;
	s[1].source.foreign.domid = (uint16_t)dom;
	s[1].dest.virt = back;
	s[1].flags = GNTCOPY_source_gref;
	s[1].len = sizeof(back);
	if (gnttab_copy(g, s, 2))
		return 1;
	printf("evtchn_peer: copy ref %u: status %d %d, read back 0x%016llx\n", ref, s[0].status,
	       s[1].status, (unsigned long long)back[511]);
	return (s[0].status || s[1].status || memcmp(out, back, sizeof(out))) ? 1 : 0;
}

static int peer_gnt_flags(struct gnttab_handle *g, uint32_t dom, uint32_t ref)
{
	uint16_t flags = 0;
	int rc = gnttab_entry_flags(g, dom, ref, &flags);

	if (rc)
		printf("evtchn_peer: ref %u flags: %d\n", ref, rc);
	else
		printf("evtchn_peer: ref %u flags 0x%04x%s%s\n", ref, flags,
		       flags & GTF_reading ? " reading" : "",
		       flags & GTF_writing ? " writing" : "");
	return rc ? 1 : 0;
}

static int peer_grants(struct peer *p, char **argv, int argc)
{
	struct gnttab_handle *g = NULL;
	uint32_t dom, ref;
	int rc, ret = 2;

	if (argc < 4 || parse_u32(argv[2], &dom) || parse_u32(argv[3], &ref))
		return 2;
	rc = gnttab_open(p->ctl, &g);
	if (rc)
		return 1;
	if (!strcmp(argv[1], "gnt-flags") && argc == 4)
		ret = peer_gnt_flags(g, dom, ref);
	else if (!strcmp(argv[1], "gnt-fill") && argc >= 5)
		ret = peer_gnt_fill(g, dom, ref, argv[4], argc > 5 ? atoi(argv[5]) : 0);
	else if (!strcmp(argv[1], "gnt-map") && argc >= 5)
		ret = peer_gnt_map(g, dom, ref, argv[4], argc > 5 ? atoi(argv[5]) : 0);
	else if (!strcmp(argv[1], "gnt-copy") && argc == 5)
		ret = peer_gnt_copy(g, dom, ref, argv[4]);
	gnttab_close(g);
	return ret;
}

int main(int argc, char **argv)
{
	struct peer p = {0};
	int rc, ret = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		goto usage;
	rc = ctl_client_open(NULL, &p.ctl);
	if (rc) {
		fprintf(stderr, "evtchn_peer: cannot reach the core: %s\n", strerror(-rc));
		return 1;
	}
	if (!strcmp(argv[1], "ping") || !strcmp(argv[1], "bounce"))
		ret = peer_events(&p, argv[1], argv, argc);
	else if (!strncmp(argv[1], "gnt-", 4))
		ret = peer_grants(&p, argv, argc);
	ctl_client_close(p.ctl);
	if (ret != 2)
		return ret;
usage:
	fprintf(stderr, "usage: evtchn_peer ping|bounce DOM PORT N [TIMEOUT_MS]\n"
			"       evtchn_peer gnt-fill DOM REF 0xV [HOLD_MS] | gnt-copy DOM REF 0xV\n"
			"       evtchn_peer gnt-map DOM REF rw|ro [HOLD_MS] | gnt-flags DOM REF\n");
	return 2;
}
