/*
 * A scripted stand-in for dyad-hv in unit tests: a real listening socket at
 * DIR/hv.sock, one accepted connection, and helpers that queue raw replies
 * and events before the client's call.  The client's calls are synchronous
 * and SOCK_SEQPACKET keeps datagrams queued, so tests stay single-threaded
 * and deterministic: queue what the core "says", then make the call.
 */
#ifndef DYAD_TEST_FAKE_CORE_H
#define DYAD_TEST_FAKE_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_client.h"

struct fake_core {
	char dir[64];
	int listen_fd;
	int fd; /* the accepted connection */
	struct ctl_client *client;
};

/* Make a temporary run directory, listen, connect a client and accept it. */
void fake_core_start(struct fake_core *f);
void fake_core_stop(struct fake_core *f);

/* Queue a reply: header (type | REPLY, seq) then status and body bytes. */
void fake_core_reply(struct fake_core *f, uint16_t type, uint32_t seq, int32_t status,
		     const void *body, size_t body_len);
/* Same, passing a descriptor along with it. */
void fake_core_reply_fd(struct fake_core *f, uint16_t type, uint32_t seq, int32_t status,
			const void *body, size_t body_len, int fd);
/* Same, passing nfds descriptors. */
void fake_core_reply_fds(struct fake_core *f, uint16_t type, uint32_t seq, int32_t status,
			 const void *body, size_t body_len, const int *fds, int nfds);
/* Queue an arbitrary datagram. */
void fake_core_raw(struct fake_core *f, const void *msg, size_t len);
/* Queue a DYAD_CTL_EVENT. */
void fake_core_event(struct fake_core *f, uint32_t kind, uint32_t domid, const char *name);
/* Read the client's next request; returns its payload length, fills hdr. */
size_t fake_core_request(struct fake_core *f, struct dyad_ctl_hdr *hdr, void *payload, size_t cap);

#endif /* DYAD_TEST_FAKE_CORE_H */
