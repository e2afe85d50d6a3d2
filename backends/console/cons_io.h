/*
 * A domain's console_io stream, read from the core without blocking.
 *
 * ctl_client is synchronous, and a parked DYAD_CTL_CONSOLE_READ
 * (DYAD_READ_F_WAIT) answers only when the guest prints, so each domain
 * gets its own connection to hv.sock with one read always in flight: the
 * daemon's epoll waits on the socket, cons_io_receive() takes the reply
 * and cons_io_request() parks the next read.  Replies are checked with
 * ctl_msg_check_reply() and against the bytes received before use.
 */
#ifndef DYAD_CONS_IO_H
#define DYAD_CONS_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cons_io {
	int fd; /* -1: closed */
	uint32_t domid;
	uint32_t seq;
	uint64_t next; /* stream offset to ask for */
	uint64_t lost; /* bytes the core dropped before we read them */
	bool eof;      /* the domain is gone and every byte was read */
};

int cons_io_open(struct cons_io *io, const char *rundir, uint32_t domid, uint64_t offset)
	__attribute__((warn_unused_result));
/* Park the next read (from io->next). */
int cons_io_request(struct cons_io *io) __attribute__((warn_unused_result));
/*
 * Take one reply: up to cap bytes (cap >= DYAD_CTL_READ_MAX) into buf, *n
 * of them; sets io->eof at the end of the stream.  -EAGAIN if none yet.
 */
int cons_io_receive(struct cons_io *io, void *buf, size_t cap, size_t *n)
	__attribute__((warn_unused_result));
void cons_io_close(struct cons_io *io);

#endif /* DYAD_CONS_IO_H */
