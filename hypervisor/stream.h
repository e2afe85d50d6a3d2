/*
 * A byte stream with absolute offsets: the core's log (dmesg) and each
 * domain's console_io output.
 *
 * Offsets count every byte ever written; only the last STREAM_KEEP bytes
 * are kept, in a ring.  A reader asks "from offset N" and gets bytes from
 * max(N, oldest kept) up to the end, plus the offset they start at, so a
 * reader that fell behind learns how much it missed.  Writers are vCPU
 * threads and the logger; readers are the control loop.  One mutex, held
 * only for memcpy.
 */
#ifndef DYAD_HV_STREAM_H
#define DYAD_HV_STREAM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_msg.h"

#define STREAM_KEEP DYAD_CTL_STREAM_KEEP

struct stream {
	pthread_mutex_t lock;
	uint8_t *buf; /* STREAM_KEEP bytes */
	uint64_t end; /* offset one past the last byte written */
};

int stream_init(struct stream *s) __attribute__((warn_unused_result));
void stream_fini(struct stream *s);
void stream_write(struct stream *s, const void *data, size_t len);
/* Offset one past the newest byte. */
uint64_t stream_end(struct stream *s);
/*
 * Copy up to cap bytes starting at `offset` (or at the oldest kept byte if
 * offset is older) into dst; *start receives the offset of dst[0].
 * Returns the byte count (0 when nothing lies past offset).
 */
size_t stream_read(struct stream *s, uint64_t offset, void *dst, size_t cap, uint64_t *start);

#endif /* DYAD_HV_STREAM_H */
