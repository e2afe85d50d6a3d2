/*
 * dom0 grant maps and copies (see gnttab.h): a table of granters (memory +
 * active-grant table, opened once per domain) and a table of live
 * mappings indexed by handle.  All validation and pinning is lib/grant_pin,
 * the same code the core runs for guest-to-guest maps.
 */
#include "gnttab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ctl_client.h"
#include "ctl_msg.h"
#include "foreignmem.h"
#include "grant_pin.h"
#include "log.h"

struct gnttab_granter {
	struct foreignmem *mem; /* NULL: slot free */
	struct grant_pin_granter g;
};

struct gnttab_map {
	bool used;
	bool writable;
	uint32_t ref;
	struct gnttab_granter *gr;
};

struct gnttab_handle {
	struct ctl_client *ctl; /* NULL for a local handle */
	uint16_t self;		/* our grantee domid */
	uint32_t free_hint;
	struct gnttab_granter doms[GNTTAB_MAX_DOMS];
	struct gnttab_map maps[GNTTAB_MAX_MAPS];
};

int gnttab_errno(int16_t gntst)
{
	switch (gntst) {
	case GNTST_okay:
		return 0;
	case GNTST_general_error:
		return -EACCES;
	case GNTST_bad_domain:
		return -ESRCH;
	case GNTST_bad_gntref:
	case GNTST_bad_copy_arg:
		return -EINVAL;
	case GNTST_bad_page:
	case GNTST_bad_virt_addr:
		return -EFAULT;
	case GNTST_eagain:
		return -EAGAIN;
	case GNTST_bad_handle:
		return -EBADF;
	default:
		return -EIO;
	}
}

int gnttab_open_local(uint16_t self_domid, struct gnttab_handle **out)
{
	struct gnttab_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->self = self_domid;
	*out = h;
	return 0;
}

int gnttab_open(struct ctl_client *c, struct gnttab_handle **out)
{
	int rc = gnttab_open_local(GNTTAB_DOM0, out);

	if (rc == 0)
		(*out)->ctl = c;
	return rc;
}

static void gnttab_granter_fini(struct gnttab_granter *gr)
{
	if (gr->g.act)
		munmap(gr->g.act, DYAD_ACTIVE_GRANT_SIZE);
	foreignmem_close(gr->mem);
	memset(gr, 0, sizeof(*gr));
}

void gnttab_close(struct gnttab_handle *h)
{
	if (!h)
		return;
	for (uint32_t i = 0; i < GNTTAB_MAX_MAPS; i++)
		if (h->maps[i].used && gnttab_unmap(h, i))
			log_warn_rl("gnttab: unmap of handle %u at close failed", i);
	for (unsigned int i = 0; i < GNTTAB_MAX_DOMS; i++)
		if (h->doms[i].mem)
			gnttab_granter_fini(&h->doms[i]);
	free(h);
}

static struct gnttab_granter *gnttab_find(struct gnttab_handle *h, uint32_t domid)
{
	for (unsigned int i = 0; i < GNTTAB_MAX_DOMS; i++)
		if (h->doms[i].mem && h->doms[i].mem->domid == domid)
			return &h->doms[i];
	return NULL;
}

int gnttab_add_granter(struct gnttab_handle *h, struct foreignmem *mem,
		       struct dyad_active_grant_table *act)
{
	if (gnttab_find(h, mem->domid))
		return -EEXIST;
	if (act->hdr.magic != DYAD_ACTIVE_GRANT_MAGIC ||
	    act->hdr.version != DYAD_ACTIVE_GRANT_VERSION)
		return -EPROTO;
	for (unsigned int i = 0; i < GNTTAB_MAX_DOMS; i++) {
		struct gnttab_granter *gr = &h->doms[i];

		if (gr->mem)
			continue;
		gr->mem = mem;
		gr->g = (struct grant_pin_granter){
			.ram = mem->base, .ram_size = mem->size, .act = act};
		return 0;
	}
	return -ENOSPC;
}

/* Ask the core for domid's memory and active-grant table. */
static int gnttab_fetch(struct gnttab_handle *h, uint32_t domid)
{
	struct dyad_ctl_dom req = {.domid = domid};
	struct dyad_ctl_gnttab rep;
	struct foreignmem *mem = NULL;
	void *act = MAP_FAILED;
	int fd = -1, rc;
	size_t len = 0;

	if (!h->ctl)
		return -ESRCH;
	rc = ctl_client_call(h->ctl, DYAD_CTL_GNTTAB_GET, &req, sizeof(req), &rep, sizeof(rep),
			     &len, &fd);
	if (rc == 0 && (len != sizeof(rep) || fd < 0))
		rc = -EPROTO;
	if (rc == 0)
		act = mmap(NULL, DYAD_ACTIVE_GRANT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (rc == 0 && act == MAP_FAILED)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		rc = foreignmem_open(h->ctl, domid, &mem);
	if (rc == 0)
		rc = gnttab_add_granter(h, mem, act);
	if (rc) {
		if (act != MAP_FAILED)
			munmap(act, DYAD_ACTIVE_GRANT_SIZE);
		foreignmem_close(mem);
	}
	return rc;
}

static int gnttab_granter(struct gnttab_handle *h, uint32_t domid, struct gnttab_granter **out)
{
	int rc;

	if (domid >= DOMID_FIRST_RESERVED)
		return -ESRCH;
	*out = gnttab_find(h, domid);
	if (*out)
		return 0;
	rc = gnttab_fetch(h, domid);
	if (rc)
		return rc;
	*out = gnttab_find(h, domid);
	return *out ? 0 : -EIO;
}

int gnttab_entry_flags(struct gnttab_handle *h, uint32_t domid, uint32_t ref, uint16_t *flags)
{
	struct gnttab_granter *gr;
	grant_entry_v1_t *e;
	int rc = gnttab_granter(h, domid, &gr);

	if (rc)
		return rc;
	e = grant_pin_entry(&gr->g, ref);
	if (!e)
		return -EINVAL;
	*flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
	return 0;
}

static struct gnttab_map *gnttab_map_slot(struct gnttab_handle *h)
{
	for (uint32_t n = 0; n < GNTTAB_MAX_MAPS; n++) {
		uint32_t i = (h->free_hint + n) % GNTTAB_MAX_MAPS;

		if (!h->maps[i].used) {
			h->free_hint = (i + 1) % GNTTAB_MAX_MAPS;
			return &h->maps[i];
		}
	}
	return NULL;
}

int gnttab_map_grant_ref(struct gnttab_handle *h, uint32_t domid, uint32_t ref, bool writable,
			 void **addr, uint32_t *handle)
{
	struct gnttab_granter *gr;
	struct gnttab_map *m;
	uint64_t gpa = 0;
	int16_t st;
	int rc = gnttab_granter(h, domid, &gr);

	if (rc)
		return rc;
	m = gnttab_map_slot(h);
	if (!m)
		return -ENOSPC;
	st = grant_pin_acquire(&gr->g, ref, h->self, !writable, &gpa);
	if (st != GNTST_okay)
		return gnttab_errno(st);
	*m = (struct gnttab_map){.used = true, .writable = writable, .ref = ref, .gr = gr};
	/* grant_pin checked gpa: page aligned, inside the granter's RAM. */
	*addr = writable ? (void *)(gr->mem->base + gpa)
			 : (void *)(uintptr_t)(gr->mem->base_ro + gpa);
	*handle = (uint32_t)(m - h->maps);
	return 0;
}

int gnttab_unmap(struct gnttab_handle *h, uint32_t handle)
{
	struct gnttab_map *m;
	int16_t st;

	if (handle >= GNTTAB_MAX_MAPS || !h->maps[handle].used)
		return -EINVAL;
	m = &h->maps[handle];
	st = grant_pin_release(&m->gr->g, m->ref, !m->writable);
	m->used = false;
	return gnttab_errno(st);
}

/*
 * One side of a copy: a pinned grant page (+ offset) or the local pointer.
 * *pinned says whether the caller must release it.
 */
static int16_t gnttab_copy_side(struct gnttab_handle *h, const struct gnttab_copy_seg *s,
				bool is_src, struct gnttab_granter **gr, uint8_t **p)
{
	bool gref = s->flags & (is_src ? GNTCOPY_source_gref : GNTCOPY_dest_gref);
	uint32_t ref = is_src ? s->source.foreign.ref : s->dest.foreign.ref;
	uint16_t domid = is_src ? s->source.foreign.domid : s->dest.foreign.domid;
	uint16_t off = is_src ? s->source.foreign.offset : s->dest.foreign.offset;
	uint64_t gpa = 0;
	int16_t st;

	*gr = NULL;
	if (!gref) {
		*p = is_src ? s->source.virt : s->dest.virt;
		return *p ? GNTST_okay : GNTST_bad_virt_addr;
	}
	if ((uint32_t)off + s->len > FOREIGNMEM_PAGE_SIZE)
		return GNTST_bad_copy_arg;
	if (gnttab_granter(h, domid, gr))
		return GNTST_bad_domain;
	st = grant_pin_acquire(&(*gr)->g, ref, h->self, is_src, &gpa);
	if (st != GNTST_okay) {
		*gr = NULL;
		return st;
	}
	*p = (*gr)->mem->base + gpa + off;
	return GNTST_okay;
}

static void gnttab_copy_release(struct gnttab_granter *gr, uint32_t ref, bool readonly)
{
	if (gr && grant_pin_release(&gr->g, ref, readonly) != GNTST_okay)
		log_warn_rl("gnttab: copy unpin of dom%u ref %u failed", gr->mem->domid, ref);
}

static int16_t gnttab_copy_one(struct gnttab_handle *h, const struct gnttab_copy_seg *s)
{
	struct gnttab_granter *sg = NULL, *dg = NULL;
	uint8_t *src = NULL, *dst = NULL;
	int16_t st;

	if (s->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref))
		return GNTST_bad_copy_arg;
	st = gnttab_copy_side(h, s, true, &sg, &src);
	if (st == GNTST_okay)
		st = gnttab_copy_side(h, s, false, &dg, &dst);
	if (st == GNTST_okay)
		memmove(dst, src, s->len);
	gnttab_copy_release(sg, s->source.foreign.ref, true);
	gnttab_copy_release(dg, s->dest.foreign.ref, false);
	return st;
}

int gnttab_copy(struct gnttab_handle *h, struct gnttab_copy_seg *segs, unsigned int count)
{
	if (count && !segs)
		return -EINVAL;
	for (unsigned int i = 0; i < count; i++)
		segs[i].status = gnttab_copy_one(h, &segs[i]);
	return 0;
}
