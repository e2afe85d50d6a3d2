/*
 * A domain's RAM: one sealed memfd, mapped shared into dyad-hv.
 *
 * The memfd is what dom0 programs receive over the control socket (the
 * builder maps it to load the image; later save/restore and backends map
 * it too).  It is sealed against shrinking and growing before anyone else
 * can see it, so no dom0 process can truncate guest memory under the core
 * (a truncated shared mapping would SIGBUS the vCPU threads).
 */
#ifndef DYAD_HV_MEM_H
#define DYAD_HV_MEM_H

#include <stdint.h>

struct mem {
	int fd;	       /* memfd, sealed SHRINK|GROW|SEAL */
	uint8_t *host; /* shared mapping of all of it */
	uint64_t size; /* bytes; guest-physical [0, size) */
};

#define MEM_INIT                                                                                   \
	{                                                                                          \
		.fd = -1, .host = NULL, .size = 0                                                  \
	}

/* Create, size, seal and map `size` bytes of zero-filled RAM. */
int mem_create(struct mem *m, uint64_t size, const char *name) __attribute__((warn_unused_result));
/* Unmap and close; idempotent. */
void mem_destroy(struct mem *m);

#endif /* DYAD_HV_MEM_H */
