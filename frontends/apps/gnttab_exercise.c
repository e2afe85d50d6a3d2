/*
 * app=gnttab-exercise: grant-table exercises for the integration tests.
 *
 * mode=grant (default): grant one zeroed page to peer=D (default 0, dom0)
 *   writable, or read-only with ro=1 (the page is then filled with
 *   0xa5a5a5a5a5a5a5a5 first), and print
 *     "gnttab: ref R gfn 0xG rw|ro domid D"
 *   Then, without write=: wait for the peer to fill the page with one
 *   64-bit value and print "gnttab: saw pattern 0x<16 hex>" (rw), or wait
 *   for the peer to map it ("gnttab: ref R mapped by peer") (ro).
 *   With write=0xV: wait until the peer maps it, fill the page with V and
 *   print "gnttab: wrote pattern 0x<16 hex>".
 *   keep_ms=N keeps the grant that long before revoking (for a peer's bench).
 *   Finally revoke: if the peer still holds it, print
 *     "gnttab: end_access ref R refused while mapped (-16)"
 *   and retry every millisecond until the peer unmaps; then
 *     "gnttab: end_access ref R ok".
 * mode=map peer=D ref=R [ro=1] [write=0xV]: map D's grant into the window,
 *   print "gnttab: mapped dom D ref R at 0xA handle H"; with write=, fill
 *   the page with V ("gnttab: wrote pattern 0x..."), else watch it until
 *   the granter's pattern appears ("gnttab: saw pattern 0x...").  Then
 *   unmap and check the slot: "gnttab: unmapped, slot reads 0x<first qword>".
 *   A refused map prints "gnttab: map dom D ref R failed (S)"; that is
 *   success when expect=S (e.g. expect=-1 for GNTST_general_error).
 * mode=copy peer=D ref=R: GNTTABOP_copy the granted page into a local page
 *   ("gnttab: copied from dom D ref R first qword 0x..."), then write=0xV
 *   (default 0x636f707970617374) into it with a copy the other way
 *   ("gnttab: copied pattern 0x... to dom D ref R").
 * mode=self: local checks needing no peer (query_size, get_version,
 *   set_version 2 refused, the free list, end_access of a never-granted
 *   ref, map of our own grant refused); "gnttab: self-test ok".
 * mode=bench peer=D ref=R [loops=N]: map+unmap and copy round timings,
 *   "gnttab: bench map+unmap N ops avg X ns" and "gnttab: bench copy N ops avg X ns".
 * timeout_ms=N bounds every wait (default 60000).
 */
#include "apps.h"

#include "../runtime/cmdline.h"
#include "../runtime/gnttab.h"
#include "../runtime/hypercall.h"
#include "../runtime/printf.h"
#include "../runtime/sched.h"
#include "../runtime/string.h"
#include "../runtime/time.h"

#define GX_WORDS 512

struct gx {
	uint64_t peer, ref, write, deadline;
	int ro, have_write;
};

static uint64_t gx_page[GX_WORDS] __attribute__((aligned(4096)));
static uint64_t gx_local[GX_WORDS] __attribute__((aligned(4096)));

static int gx_expired(const struct gx *g)
{
	return rt_now_ns() >= g->deadline;
}

/* The page's common 64-bit value if every word holds the same non-zero one, else 0. */
static uint64_t gx_pattern(const volatile uint64_t *p)
{
	uint64_t v = p[0];

	for (unsigned int i = 1; v && i < GX_WORDS; i++) {
		if (p[i] != v)
			return 0;
	}
	return v;
}

static void gx_fill(volatile uint64_t *p, uint64_t v)
{
	for (unsigned int i = 0; i < GX_WORDS; i++)
		p[i] = v;
}

static int gx_wait_pattern(const struct gx *g, const volatile uint64_t *p)
{
	uint64_t v;

	while (!(v = gx_pattern(p))) {
		if (gx_expired(g)) {
			rt_printf("gnttab: timeout waiting for a pattern\n");
			return -1;
		}
		rt_sleep_ns(1000000);
	}
	rt_printf("gnttab: saw pattern 0x%016llx\n", (unsigned long long)v);
	return 0;
}

static int gx_in_use(grant_ref_t ref)
{
	return __atomic_load_n(&rt_gnttab_entry(ref)->flags, __ATOMIC_SEQ_CST) &
	       (GTF_reading | GTF_writing);
}

static int gx_wait_mapped(const struct gx *g, grant_ref_t ref)
{
	while (!gx_in_use(ref)) {
		if (gx_expired(g)) {
			rt_printf("gnttab: timeout waiting for the peer to map ref %u\n", ref);
			return -1;
		}
		rt_sleep_ns(1000000);
	}
	rt_printf("gnttab: ref %u mapped by peer\n", ref);
	return 0;
}

static int gx_end(const struct gx *g, grant_ref_t ref)
{
	int rc = rt_gnttab_end_access(ref), said = 0;

	while (rc == -16) {
		if (!said++)
			rt_printf("gnttab: end_access ref %u refused while mapped (%d)\n", ref, rc);
		if (gx_expired(g)) {
			rt_printf("gnttab: timeout waiting for the peer to unmap ref %u\n", ref);
			return -1;
		}
		rt_sleep_ns(1000000);
		rc = rt_gnttab_end_access(ref);
	}
	rt_printf("gnttab: end_access ref %u %s (%d)\n", ref, rc ? "failed" : "ok", rc);
	return rc;
}

static int gx_grant(struct gx *g)
{
	uint64_t gfn = (uint64_t)gx_page >> 12;
	int ref;

	gx_fill(gx_page, g->ro ? 0xa5a5a5a5a5a5a5a5ull : 0);
	ref = rt_gnttab_grant_access((domid_t)g->peer, gfn, g->ro);
	if (ref < 0) {
		rt_printf("gnttab: grant_access failed (%d)\n", ref);
		return -1;
	}
	rt_printf("gnttab: ref %d gfn 0x%llx %s domid %llu\n", ref, (unsigned long long)gfn,
		  g->ro ? "ro" : "rw", (unsigned long long)g->peer);
	if (g->have_write) {
		if (gx_wait_mapped(g, (grant_ref_t)ref))
			return -1;
		gx_fill(gx_page, g->write);
		rt_printf("gnttab: wrote pattern 0x%016llx\n", (unsigned long long)g->write);
	} else if (g->ro ? gx_wait_mapped(g, (grant_ref_t)ref) : gx_wait_pattern(g, gx_page)) {
		return -1;
	}
	rt_sleep_ns(rt_cmdline_u64("keep_ms", 0) * 1000000ull); /* e.g. for a peer's bench */
	return gx_end(g, (grant_ref_t)ref);
}

static void gx_copy_set(struct gnttab_copy *c, const struct gx *g, int to_peer)
{
	struct gnttab_copy_ptr *peer = to_peer ? &c->dest : &c->source;
	struct gnttab_copy_ptr *self = to_peer ? &c->source : &c->dest;

	memset(c, 0, sizeof(*c));
	peer->u.ref = (grant_ref_t)g->ref;
	peer->domid = (domid_t)g->peer;
	self->u.gmfn = (uint64_t)gx_local >> 12;
	self->domid = DOMID_SELF;
	c->len = 4096;
	c->flags = to_peer ? GNTCOPY_dest_gref : GNTCOPY_source_gref;
}

/* 1 if the command line has expect=S (S may be negative) equal to rc. */
static int gx_expected(int rc)
{
	char ex[16];
	const char *p = ex;
	int neg, v = 0;

	if (rt_cmdline_get("expect", ex, sizeof(ex)))
		return 0;
	neg = *p == '-';
	p += neg;
	if (!*p)
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
	}
	return (neg ? -v : v) == rc;
}

static int gx_map(struct gx *g)
{
	struct rt_gnttab_map m;
	int rc = rt_gnttab_map((domid_t)g->peer, (grant_ref_t)g->ref, g->ro, &m);

	if (rc) {
		rt_printf("gnttab: map dom %llu ref %llu failed (%d)\n",
			  (unsigned long long)g->peer, (unsigned long long)g->ref, rc);
		return gx_expected(rc) ? 0 : -1;
	}
	rt_printf("gnttab: mapped dom %llu ref %llu at 0x%llx handle %u\n",
		  (unsigned long long)g->peer, (unsigned long long)g->ref,
		  (unsigned long long)(uint64_t)m.addr, m.handle);
	if (g->have_write) {
		struct gnttab_copy c;

		gx_fill(m.addr, g->write);
		rt_printf("gnttab: wrote pattern 0x%016llx\n", (unsigned long long)g->write);
		if (rt_cmdline_u64("verify", 1)) {
			gx_copy_set(&c, g, 0); /* the granter's page, as the core sees it */
			rc = rt_gnttab_copy(&c);
			rt_printf("gnttab: granter page reads 0x%016llx via copy (%d)\n",
				  (unsigned long long)gx_local[0], rc);
		}
		rt_sleep_ns(rt_cmdline_u64("hold_ms", 200) * 1000000ull);
	} else if (gx_wait_pattern(g, m.addr)) {
		return -1;
	}
	rc = rt_gnttab_unmap(&m);
	if (rc) {
		rt_printf("gnttab: unmap failed (%d)\n", rc);
		return -1;
	}
	rt_printf("gnttab: unmapped, slot reads 0x%llx\n",
		  (unsigned long long)*(volatile uint64_t *)m.addr);
	return 0;
}

static int gx_copy(struct gx *g)
{
	struct gnttab_copy c;
	uint64_t v = g->have_write ? g->write : 0x636f707970617374ull;
	int rc;

	gx_copy_set(&c, g, 0);
	rc = rt_gnttab_copy(&c);
	if (rc) {
		rt_printf("gnttab: copy from dom %llu ref %llu failed (%d)\n",
			  (unsigned long long)g->peer, (unsigned long long)g->ref, rc);
		return gx_expected(rc) ? 0 : -1;
	}
	rt_printf("gnttab: copied from dom %llu ref %llu first qword 0x%016llx\n",
		  (unsigned long long)g->peer, (unsigned long long)g->ref,
		  (unsigned long long)gx_local[0]);
	gx_fill(gx_local, v);
	gx_copy_set(&c, g, 1);
	rc = rt_gnttab_copy(&c);
	rt_printf("gnttab: copied pattern 0x%016llx to dom %llu ref %llu (%d)\n",
		  (unsigned long long)v, (unsigned long long)g->peer, (unsigned long long)g->ref,
		  rc);
	return rc ? (gx_expected(rc) ? 0 : -1) : 0;
}

static int gx_check(const char *what, long got, long want)
{
	rt_printf("gnttab: %s -> %ld%s\n", what, got, got == want ? "" : " (UNEXPECTED)");
	return got == want ? 0 : -1;
}

static int gx_self_free_list(void)
{
	static int refs[DYAD_GNTTAB_MAX_REFS];
	unsigned int n = 0, free0 = rt_gnttab_free_count();
	int bad = 0;

	while (n < DYAD_GNTTAB_MAX_REFS) {
		int r = rt_gnttab_grant_access(0, (uint64_t)gx_page >> 12, 1);

		if (r < 0)
			break;
		refs[n++] = r;
	}
	bad |= gx_check("grant until the free list is empty", (long)n, (long)free0);
	bad |= gx_check("one more grant", rt_gnttab_grant_access(0, 1, 0), -28);
	for (unsigned int i = 0; i < n; i++)
		bad |= rt_gnttab_end_access((grant_ref_t)refs[i]) ? -1 : 0;
	bad |= gx_check("free refs after ending them all", (long)rt_gnttab_free_count(),
			(long)free0);
	bad |= gx_check("end_access of a free ref", rt_gnttab_end_access(refs[0]), -22);
	bad |= gx_check("end_access of reserved ref 1", rt_gnttab_end_access(1), -22);
	return bad;
}

static int gx_self(void)
{
	struct gnttab_query_size qs = {.dom = DOMID_SELF};
	struct gnttab_get_version gv = {.dom = DOMID_SELF};
	struct gnttab_set_version sv = {.version = 2};
	struct rt_gnttab_map m;
	int bad = 0;

	bad |= gx_check("query_size", rt_grant_table_op(GNTTABOP_query_size, &qs, 1), 0);
	bad |= gx_check("query_size nr_frames", (long)qs.nr_frames, DYAD_GNTTAB_MAX_FRAMES);
	bad |= gx_check("get_version", rt_grant_table_op(GNTTABOP_get_version, &gv, 1), 0);
	bad |= gx_check("get_version version", (long)gv.version, 1);
	bad |= gx_check("set_version 2", rt_grant_table_op(GNTTABOP_set_version, &sv, 1), -38);
	bad |= gx_self_free_list();
	bad |= gx_check("map own grant", rt_gnttab_map(DOMID_SELF, 8, 0, &m), GNTST_bad_domain);
	rt_printf("gnttab: self-test %s\n", bad ? "FAILED" : "ok");
	return bad;
}

static int gx_bench(struct gx *g)
{
	uint64_t loops = rt_cmdline_u64("loops", 1000), t0, i;
	struct rt_gnttab_map m;
	struct gnttab_copy c;

	t0 = rt_rdtsc();
	for (i = 0; i < loops; i++) {
		int rc = rt_gnttab_map((domid_t)g->peer, (grant_ref_t)g->ref, g->ro, &m);

		if (rc == 0)
			rc = rt_gnttab_unmap(&m);
		if (rc) {
			rt_printf("gnttab: bench stopped after %llu maps (%d)\n",
				  (unsigned long long)i, rc);
			break;
		}
	}
	rt_printf("gnttab: bench map+unmap %llu ops avg %llu ns\n", (unsigned long long)i,
		  (unsigned long long)(i ? rt_tsc_to_ns(rt_rdtsc() - t0) / i : 0));
	gx_copy_set(&c, g, 0);
	t0 = rt_rdtsc();
	for (i = 0; i < loops; i++) {
		if (rt_gnttab_copy(&c))
			break;
	}
	rt_printf("gnttab: bench copy %llu ops avg %llu ns\n", (unsigned long long)i,
		  (unsigned long long)(i ? rt_tsc_to_ns(rt_rdtsc() - t0) / i : 0));
	return i == loops ? 0 : -1;
}

/* write=0x... (hex) or decimal. */
static int gx_parse_write(struct gx *g)
{
	char v[24];
	uint64_t n = 0;

	if (rt_cmdline_get("write", v, sizeof(v)))
		return 0;
	if (v[0] != '0' || (v[1] != 'x' && v[1] != 'X'))
		n = rt_cmdline_u64("write", 0);
	for (const char *p = v + 2; v[1] == 'x' || v[1] == 'X' ? *p : 0; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10;

		if (d < 0 || d > 15)
			return -1;
		n = n << 4 | (uint64_t)d;
	}
	g->write = n;
	g->have_write = n != 0;
	return n ? 0 : -1;
}

int app_gnttab_exercise_main(void)
{
	struct gx g = {
		.peer = rt_cmdline_u64("peer", 0),
		.ref = rt_cmdline_u64("ref", 0),
		.ro = rt_cmdline_u64("ro", 0) != 0,
		.deadline = rt_now_ns() + rt_cmdline_u64("timeout_ms", 60000) * 1000000ull,
	};
	char mode[16] = "grant";
	int rc;

	if (rt_cmdline_get("mode", mode, sizeof(mode)) == -7 || gx_parse_write(&g)) {
		rt_printf("gnttab: bad mode= or write=\n");
		return -1;
	}
	rc = rt_gnttab_init(DYAD_GNTTAB_MAX_FRAMES);
	if (rc) {
		rt_printf("gnttab: grant table setup failed (%d)\n", rc);
		return -1;
	}
	if (!strcmp(mode, "grant"))
		return gx_grant(&g);
	if (!strcmp(mode, "map"))
		return gx_map(&g);
	if (!strcmp(mode, "copy"))
		return gx_copy(&g);
	if (!strcmp(mode, "self"))
		return gx_self();
	if (!strcmp(mode, "bench"))
		return gx_bench(&g);
	rt_printf("gnttab: unknown mode '%s' (grant, map, copy, self, bench)\n", mode);
	return -1;
}
