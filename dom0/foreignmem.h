/*
 * Foreign memory: a dom0 process's view of one domain's RAM (Xen's
 * libxenforeignmemory, written for Dyad).
 *
 * Xen maps foreign frames one request at a time.  Dyad's guest RAM is one
 * sealed memfd that the core hands out with DYAD_CTL_GET_MEMFD, so a dom0
 * process maps all of it once, shared, and every later access is pointer
 * arithmetic behind a bounds check: guest-physical [0, size) is the memfd's
 * [0, size).  Event channels (shared_info) and grant tables (granted pages)
 * both read the guest's pages through this one mapping.
 *
 * Guest memory is shared with a running guest: callers read fields once
 * (READ_ONCE or atomics), validate, then use; they never follow a pointer
 * the guest wrote.  The memfd is sealed against shrinking, so a mapping can
 * never SIGBUS under us.
 */
#ifndef DYAD_DOM0_FOREIGNMEM_H
#define DYAD_DOM0_FOREIGNMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FOREIGNMEM_PAGE_SIZE  4096u
#define FOREIGNMEM_PAGE_SHIFT 12u

struct ctl_client;

struct foreignmem {
	uint32_t domid;
	int fd;			/* the domain's memfd (ours to close) */
	uint8_t *base;		/* MAP_SHARED mapping of [0, size) */
	const uint8_t *base_ro; /* the same, PROT_READ (read-only grant maps) */
	uint64_t size;		/* bytes, a multiple of the page size */
	/* Process-wide sharing (foreignmem_open): */
	dev_t dev; /* the memfd's identity, to tell a reused domid */
	ino_t ino;
	unsigned int refs;	 /* 0: private (foreignmem_open_fd) */
	struct foreignmem *next; /* in the process's list of shared mappings */
};

/*
 * Ask the core for domid's memfd and map it - once per process: every
 * handle (evtchn, gnttab) that opens the same domain shares one mapping,
 * reference-counted under a lock.  The core's memfd is still fetched on
 * each open and compared by inode, so a domid reused by a new domain never
 * gets the old domain's memory.
 */
int foreignmem_open(struct ctl_client *c, uint32_t domid, struct foreignmem **out)
	__attribute__((warn_unused_result));
/*
 * Map a memfd already received (tests, or a caller that has one): takes
 * ownership of fd on success only.  size must be a non-zero page multiple
 * no larger than the file.
 */
int foreignmem_open_fd(uint32_t domid, int fd, uint64_t size, struct foreignmem **out)
	__attribute__((warn_unused_result));
/* Drop one reference (unmaps when the last user of a shared mapping goes). */
void foreignmem_close(struct foreignmem *m);

/* Pages of guest RAM. */
uint64_t foreignmem_nr_pages(const struct foreignmem *m);
/*
 * Host pointer to [gpa, gpa + len) if the whole range is guest RAM (len 0
 * is refused), NULL otherwise.  Overflow-safe for any gpa/len a guest names.
 */
void *foreignmem_gpa(const struct foreignmem *m, uint64_t gpa, size_t len);
/* Host pointer to nr pages starting at frame gfn, or NULL if out of bounds. */
void *foreignmem_map(const struct foreignmem *m, uint64_t gfn, uint64_t nr);
/* The same through the read-only mapping: a write through it faults. */
const void *foreignmem_map_ro(const struct foreignmem *m, uint64_t gfn, uint64_t nr);

#endif /* DYAD_DOM0_FOREIGNMEM_H */
