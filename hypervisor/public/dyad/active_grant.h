/*
 * The active-grant table of one domain (the granter): shared memory between
 * the core and dom0 processes, never visible to any guest.
 *
 * The core creates it (a memfd of DYAD_ACTIVE_GRANT_SIZE bytes, sealed
 * against shrink/grow) with the domain and hands it to dom0 with
 * DYAD_CTL_GNTTAB_GET.  It holds a header the core keeps current (where the
 * guest placed its grant frames) and one entry per grant ref with the pin
 * counts of everyone who has the grant mapped or is copying through it, so
 * that two mappers of one grant never clear each other's GTF_reading /
 * GTF_writing bits.  All access goes through lib/grant_pin.{h,c}; the entry
 * lock is a spin lock word taken with an atomic exchange, held only for a
 * few dozen instructions and never across a system call.  Takers give up
 * after a bounded spin (GNTST_eagain) so a dom0 process that died holding a
 * lock cannot hang the core.
 */
#ifndef DYAD_PUBLIC_ACTIVE_GRANT_H
#define DYAD_PUBLIC_ACTIVE_GRANT_H

#include <stdint.h>

#include <dyad/abi.h>

#define DYAD_ACTIVE_GRANT_MAGIC	  0x54474144u /* "DAGT" */
#define DYAD_ACTIVE_GRANT_VERSION 1u

struct dyad_active_grant_hdr {
	uint32_t magic;	    /* DYAD_ACTIVE_GRANT_MAGIC */
	uint32_t version;   /* DYAD_ACTIVE_GRANT_VERSION */
	uint32_t nr_refs;   /* DYAD_GNTTAB_MAX_REFS */
	uint32_t nr_frames; /* frames placed so far (atomic; the core writes it last) */
	/* GPA of grant frame i, 0 while not placed (atomic 64-bit; core writes). */
	uint64_t frame_gpa[DYAD_GNTTAB_MAX_FRAMES];
	uint8_t pad[16];
};
_Static_assert(sizeof(struct dyad_active_grant_hdr) == 64, "active grant header layout");

struct dyad_active_grant {
	uint32_t lock;	    /* 0 free, 1 held (atomic exchange / release store) */
	uint16_t pin_read;  /* read-only pins (mappings + copies in flight) */
	uint16_t pin_write; /* writable pins */
	uint64_t gpa;	    /* granter GPA captured at the first pin, valid while pinned */
	uint16_t domid;	    /* grantee that holds the pins (valid while pinned) */
	uint16_t pad[3];
};
_Static_assert(sizeof(struct dyad_active_grant) == 24, "active grant entry layout");

struct dyad_active_grant_table {
	struct dyad_active_grant_hdr hdr;
	struct dyad_active_grant e[DYAD_GNTTAB_MAX_REFS];
};

#define DYAD_ACTIVE_GRANT_SIZE 0xd000u /* sizeof(dyad_active_grant_table), page-rounded */
_Static_assert(sizeof(struct dyad_active_grant_table) <= DYAD_ACTIVE_GRANT_SIZE,
	       "active grant table fits its memfd");

#endif /* DYAD_PUBLIC_ACTIVE_GRANT_H */
