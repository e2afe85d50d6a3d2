/*
 * Grant-table v1 pin rules shared by the core and dom0 (see grant_pin.h).
 *
 * The granter's grant entries live in its own RAM, so a hostile granter may
 * rewrite them at any moment: the flags/domid word is only changed with a
 * cmpxchg on a value just validated (Xen's _set_status_v1), and the frame
 * is read once, after the status bits are set, and validated before use.
 * The active entry (pin counts) lives in memory no guest can reach and is
 * changed only under its lock; it is shared with dom0 processes, so the
 * captured frame is still range-checked before it is returned.
 */
#include "grant_pin.h"

#include <string.h>

#define GRANT_PIN_PAGE	    4096u
#define GRANT_PIN_RETRIES   4 /* Xen's bound on an unstable shared entry */
#define GRANT_PIN_COUNT_MAX 0xffffu

static bool grant_pin_gpa_ok(const struct grant_pin_granter *g, uint64_t gpa)
{
	return gpa != 0 && (gpa & (GRANT_PIN_PAGE - 1)) == 0 && gpa < g->ram_size &&
	       g->ram_size - gpa >= GRANT_PIN_PAGE;
}

uint32_t grant_pin_nr_frames(const struct dyad_active_grant_table *t)
{
	uint32_t n = __atomic_load_n(&t->hdr.nr_frames, __ATOMIC_ACQUIRE);

	return n > DYAD_GNTTAB_MAX_FRAMES ? DYAD_GNTTAB_MAX_FRAMES : n;
}

grant_entry_v1_t *grant_pin_entry(const struct grant_pin_granter *g, uint32_t ref)
{
	uint32_t idx = ref / DYAD_GNTTAB_ENTRIES_PER_FRAME;
	uint64_t gpa;

	if (ref >= DYAD_GNTTAB_MAX_REFS || idx >= grant_pin_nr_frames(g->act))
		return NULL;
	gpa = __atomic_load_n(&g->act->hdr.frame_gpa[idx], __ATOMIC_ACQUIRE);
	if (!grant_pin_gpa_ok(g, gpa))
		return NULL;
	return (grant_entry_v1_t *)(void *)(g->ram + gpa) + ref % DYAD_GNTTAB_ENTRIES_PER_FRAME;
}

static bool grant_pin_lock(struct dyad_active_grant *a)
{
	for (uint32_t i = 0; i < GRANT_PIN_SPIN_MAX; i++) {
		if (__atomic_load_n(&a->lock, __ATOMIC_RELAXED) == 0 &&
		    __atomic_exchange_n(&a->lock, 1u, __ATOMIC_ACQUIRE) == 0)
			return true;
		__builtin_ia32_pause();
	}
	return false;
}

static void grant_pin_unlock(struct dyad_active_grant *a)
{
	__atomic_store_n(&a->lock, 0u, __ATOMIC_RELEASE);
}

/* Xen's _set_status_v1: set GTF_reading (+GTF_writing) if the entry allows it. */
static int16_t grant_pin_set_status(grant_entry_v1_t *e, uint16_t grantee, bool readonly)
{
	uint32_t *word = (uint32_t *)(void *)e; /* flags (low half), domid (high half) */
	uint32_t cur = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	for (int tries = 0; tries <= GRANT_PIN_RETRIES; tries++) {
		uint16_t flags = (uint16_t)cur, domid = (uint16_t)(cur >> 16);
		uint32_t want = cur | GTF_reading;

		if ((flags & GTF_type_mask) != GTF_permit_access || domid != grantee)
			return GNTST_general_error; /* bad flags or not granted to us */
		if (!readonly) {
			if (flags & GTF_readonly)
				return GNTST_general_error; /* write pin of a r/o grant */
			want |= GTF_writing;
		}
		if (__atomic_compare_exchange_n(word, &cur, want, false, __ATOMIC_SEQ_CST,
						__ATOMIC_ACQUIRE))
			return GNTST_okay;
	}
	return GNTST_general_error; /* the granter keeps changing the entry */
}

static void grant_pin_clear_flags(grant_entry_v1_t *e, uint16_t bits)
{
	__atomic_fetch_and(&e->flags, (uint16_t)~bits, __ATOMIC_SEQ_CST);
}

/* First pin: capture the frame (read once, after the status bits are set). */
static int16_t grant_pin_first(const struct grant_pin_granter *g, grant_entry_v1_t *e,
			       struct dyad_active_grant *a, uint16_t grantee, bool readonly)
{
	uint64_t gpa = (uint64_t)__atomic_load_n(&e->frame, __ATOMIC_ACQUIRE) * GRANT_PIN_PAGE;

	if (!grant_pin_gpa_ok(g, gpa)) {
		grant_pin_clear_flags(e, readonly ? GTF_reading : GTF_reading | GTF_writing);
		return GNTST_bad_page;
	}
	a->gpa = gpa;
	a->domid = grantee;
	return GNTST_okay;
}

static int16_t grant_pin_locked(const struct grant_pin_granter *g, grant_entry_v1_t *e,
				struct dyad_active_grant *a, uint16_t grantee, bool readonly)
{
	bool pinned = a->pin_read || a->pin_write;
	int16_t rc = GNTST_okay;

	if (pinned && (a->domid != grantee || !grant_pin_gpa_ok(g, a->gpa)))
		return GNTST_general_error; /* another grantee's, or a corrupt entry */
	if ((readonly ? a->pin_read : a->pin_write) >= GRANT_PIN_COUNT_MAX)
		return GNTST_general_error;
	if (!pinned || (!readonly && !a->pin_write))
		rc = grant_pin_set_status(e, grantee, readonly);
	if (rc == GNTST_okay && !pinned)
		rc = grant_pin_first(g, e, a, grantee, readonly);
	if (rc != GNTST_okay)
		return rc;
	if (readonly)
		a->pin_read++;
	else
		a->pin_write++;
	return GNTST_okay;
}

int16_t grant_pin_acquire(const struct grant_pin_granter *g, uint32_t ref, uint16_t grantee,
			  bool readonly, uint64_t *gpa)
{
	grant_entry_v1_t *e = grant_pin_entry(g, ref);
	struct dyad_active_grant *a;
	int16_t rc;

	if (!e)
		return GNTST_bad_gntref;
	a = &g->act->e[ref];
	if (!grant_pin_lock(a))
		return GNTST_eagain;
	rc = grant_pin_locked(g, e, a, grantee, readonly);
	if (rc == GNTST_okay)
		*gpa = a->gpa;
	grant_pin_unlock(a);
	return rc;
}

int16_t grant_pin_release(const struct grant_pin_granter *g, uint32_t ref, bool readonly)
{
	grant_entry_v1_t *e = grant_pin_entry(g, ref);
	struct dyad_active_grant *a;
	uint16_t *count;
	int16_t rc = GNTST_okay;

	if (!e)
		return GNTST_bad_gntref;
	a = &g->act->e[ref];
	if (!grant_pin_lock(a))
		return GNTST_eagain;
	count = readonly ? &a->pin_read : &a->pin_write;
	if (*count == 0) {
		rc = GNTST_general_error; /* not pinned this way */
	} else {
		--*count;
		if (!a->pin_write)
			grant_pin_clear_flags(e, GTF_writing);
		if (!a->pin_write && !a->pin_read)
			grant_pin_clear_flags(e, GTF_reading);
	}
	grant_pin_unlock(a);
	return rc;
}

void grant_pin_table_init(struct dyad_active_grant_table *t)
{
	memset(t, 0, sizeof(*t));
	t->hdr.magic = DYAD_ACTIVE_GRANT_MAGIC;
	t->hdr.version = DYAD_ACTIVE_GRANT_VERSION;
	t->hdr.nr_refs = DYAD_GNTTAB_MAX_REFS;
}

void grant_pin_table_set_frame(struct dyad_active_grant_table *t, uint32_t idx, uint64_t gpa)
{
	if (idx >= DYAD_GNTTAB_MAX_FRAMES)
		return;
	__atomic_store_n(&t->hdr.frame_gpa[idx], gpa, __ATOMIC_RELEASE);
	if (idx >= __atomic_load_n(&t->hdr.nr_frames, __ATOMIC_ACQUIRE))
		__atomic_store_n(&t->hdr.nr_frames, idx + 1, __ATOMIC_RELEASE);
}

int16_t grant_copy_check(const struct gnttab_copy *op)
{
	if (op->flags & ~(uint16_t)(GNTCOPY_source_gref | GNTCOPY_dest_gref))
		return GNTST_bad_copy_arg;
	if ((uint32_t)op->source.offset + op->len > GRANT_PIN_PAGE ||
	    (uint32_t)op->dest.offset + op->len > GRANT_PIN_PAGE)
		return GNTST_bad_copy_arg;
	return GNTST_okay;
}
