/*
 * The control socket server: RUNDIR/hv.sock, SOCK_SEQPACKET, uid 0 only.
 *
 * One epoll loop owns every connection, the listening socket, the notify
 * eventfd (vCPU threads -> loop) and the signalfd (SIGTERM -> orderly
 * exit).  Each datagram is one request: checked with
 * ctl_msg_check_request() before anything else, then dispatched through
 * the operation table in ctl_ops.c.  Replies are sent non-blocking; a
 * client that does not read its replies or events is disconnected rather
 * than allowed to stall the loop.  Reads with DYAD_READ_F_WAIT are parked
 * on their connection and re-checked whenever the loop is notified.
 */
#ifndef DYAD_HV_CONTROL_H
#define DYAD_HV_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_msg.h"

#define CONTROL_PARKED_MAX 8u

struct control_parked {
	uint16_t type; /* DYAD_CTL_DMESG or DYAD_CTL_CONSOLE_READ */
	uint32_t seq;
	struct dyad_ctl_read req;
};

struct control_conn {
	int fd;
	bool authorised; /* the peer is uid 0 */
	bool subscriber; /* receives DYAD_CTL_EVENT messages */
	bool dead;	 /* to be closed by the loop */
	unsigned int nparked;
	struct control_parked parked[CONTROL_PARKED_MAX];
	struct control_conn *next;
};

/* Listen on rundir/hv.sock; SIGTERM/SIGINT arrive through sigfd. */
int control_init(const char *rundir, int sigfd) __attribute__((warn_unused_result));
void control_fini(void);
/* Serve until a termination signal; 0 or -errno. */
int control_run(void) __attribute__((warn_unused_result));

/* A connection over fd (accepted, or a socketpair end in tests), now served. */
struct control_conn *control_conn_new(int fd, bool authorised);
void control_conn_free(struct control_conn *c);
/* Handle one received datagram of len bytes on c. */
void control_handle_message(struct control_conn *c, const void *buf, size_t len);
/* Drain notifications: send events, complete parked reads that can be. */
void control_service(void);

/* Send a reply: header echoing req's type and seq, payload, optional fd. */
int control_reply(struct control_conn *c, const struct dyad_ctl_hdr *req, const void *payload,
		  size_t len, int fd);
/* The same with nfds (<= IPC_MAX_FDS) descriptors; the caller keeps its copies. */
int control_reply_fds(struct control_conn *c, const struct dyad_ctl_hdr *req, const void *payload,
		      size_t len, const int *fds, int nfds);
/* An error (or payload-less success) reply carrying only the status. */
int control_reply_status(struct control_conn *c, const struct dyad_ctl_hdr *req, int status);

#endif /* DYAD_HV_CONTROL_H */
