/*
 * Framed IPC over UNIX SOCK_SEQPACKET sockets, with file-descriptor passing.
 *
 * A datagram is one message (a dyad_ctl_hdr and its payload), so framing
 * needs no length prefix and a short read cannot split a message.  Receivers
 * get the byte count and validate it with ctl_msg_check_*(); a datagram
 * larger than the buffer is reported as -EMSGSIZE and discarded whole.
 */
#ifndef DYAD_IPC_H
#define DYAD_IPC_H

#include <stddef.h>
#include <sys/types.h>

#define IPC_MAX_FDS 4

/* Bind and listen on path (unlinking a stale socket); 0 or -errno. */
int ipc_listen(const char *path, int *out_fd) __attribute__((warn_unused_result));

/* Connect to path; 0 or -errno (-ENAMETOOLONG if it does not fit sun_path). */
int ipc_connect(const char *path, int *out_fd) __attribute__((warn_unused_result));

/* Send one message of len bytes with up to IPC_MAX_FDS descriptors. */
int ipc_send(int sock, const void *msg, size_t len, const int *fds, int nfds)
	__attribute__((warn_unused_result));

/*
 * Receive one message into buf.  Returns the byte count (0 = peer closed) or
 * -errno.  Received descriptors go to fds (up to *nfds; extra ones are
 * closed) and *nfds is set to how many there are; pass nfds = NULL to close
 * any that arrive.  On -EMSGSIZE the descriptors that came with the
 * oversized message are closed too.
 */
ssize_t ipc_recv(int sock, void *buf, size_t cap, int *fds, int *nfds)
	__attribute__((warn_unused_result));

/* The peer's uid from SO_PEERCRED; 0 or -errno. */
int ipc_peer_uid(int sock, uid_t *uid) __attribute__((warn_unused_result));

#endif /* DYAD_IPC_H */
