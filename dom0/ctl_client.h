/*
 * libdom0's client of the core's control socket (Xen's libxenctrl in
 * spirit): one synchronous request/reply at a time per client, typed
 * wrappers per operation.  Every reply is checked with ctl_msg_check_reply()
 * before a field is read.  Errors are -errno; a status the core sent back is
 * returned as is (e.g. -ESRCH for an unknown domain).
 */
#ifndef DYAD_CTL_CLIENT_H
#define DYAD_CTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_msg.h"

#define WUR __attribute__((warn_unused_result))

struct ctl_client;

/* Connect to RUNDIR/hv.sock (rundir NULL: rundir_path()). */
int ctl_client_open(const char *rundir, struct ctl_client **out) WUR;
void ctl_client_close(struct ctl_client *c);
/* The socket, for poll() by event subscribers. */
int ctl_client_fd(const struct ctl_client *c);

/*
 * Generic call: send `type` with req_len payload bytes and wait for its
 * reply (events that arrive meanwhile are queued for ctl_next_event).
 * rep receives the reply payload (starting with dyad_ctl_status); *fd_out, if
 * non-NULL, receives a passed descriptor or -1.  Returns the reply status.
 */
int ctl_client_call(struct ctl_client *c, uint16_t type, const void *req, size_t req_len, void *rep,
		    size_t rep_cap, size_t *rep_len, int *fd_out) WUR;

/*
 * The same for replies that pass several descriptors (up to IPC_MAX_FDS):
 * fds[0..nfds) receive them in order, -1 for each one not sent; extra ones
 * are closed.  On any error every received descriptor is closed again.
 */
int ctl_client_call_fds(struct ctl_client *c, uint16_t type, const void *req, size_t req_len,
			void *rep, size_t rep_cap, size_t *rep_len, int *fds,
			unsigned int nfds) WUR;

int ctl_create(struct ctl_client *c, const struct dyad_ctl_create *req, uint32_t *domid) WUR;
int ctl_get_memfd(struct ctl_client *c, uint32_t domid, int *fd, uint64_t *size) WUR;
int ctl_set_vcpu_context(struct ctl_client *c, uint32_t domid, uint32_t vcpu,
			 const struct dyad_vcpu_regs *regs) WUR;
int ctl_pause(struct ctl_client *c, uint32_t domid) WUR;
int ctl_unpause(struct ctl_client *c, uint32_t domid) WUR;
int ctl_destroy(struct ctl_client *c, uint32_t domid) WUR;
int ctl_shutdown(struct ctl_client *c, uint32_t domid, uint32_t reason) WUR;
/* *out is malloc'd (free it); *n entries. */
int ctl_list(struct ctl_client *c, struct dyad_ctl_dominfo **out, unsigned int *n) WUR;
int ctl_info(struct ctl_client *c, uint32_t domid, struct dyad_ctl_dominfo *out) WUR;
int ctl_physinfo(struct ctl_client *c, struct dyad_ctl_physinfo *out) WUR;
/*
 * DYAD_CTL_DMESG or DYAD_CTL_CONSOLE_READ from `offset`; data goes to buf
 * (cap >= DYAD_CTL_READ_MAX), the reply header to *hdr.
 */
int ctl_read_stream(struct ctl_client *c, uint16_t type, uint32_t domid, uint64_t offset,
		    uint32_t flags, void *buf, size_t cap, struct dyad_ctl_data *hdr) WUR;
/* Subscribe this connection to domain events; then read them one by one. */
int ctl_subscribe(struct ctl_client *c) WUR;
/*
 * Blocks until the next event; 0, or -ECONNRESET when the core went away.
 * With the socket set O_NONBLOCK (for a poll loop), -EAGAIN when none is
 * queued or waiting; calls still wait for their replies.  After a reply
 * that breaks the protocol every later call on this client fails -EPROTO.
 */
int ctl_next_event(struct ctl_client *c, struct dyad_ctl_event *ev) WUR;

/* The special-page parameters (HVM_PARAM_STORE_PFN, ...; see ctl_msg.h). */
int ctl_set_param(struct ctl_client *c, uint32_t domid, uint32_t index, uint64_t value) WUR;
int ctl_get_param(struct ctl_client *c, uint32_t domid, uint32_t index, uint64_t *value) WUR;
/* A free unbound port of domid accepting remote_dom (Xen's privileged alloc_unbound). */
int ctl_evtchn_alloc_unbound(struct ctl_client *c, uint32_t domid, uint32_t remote_dom,
			     uint32_t *port) WUR;
/* vCPU registers of a paused/shut-down/crashed domain; *online = 0 if never up. */
int ctl_get_vcpu_context(struct ctl_client *c, uint32_t domid, uint32_t vcpu,
			 struct dyad_vcpu_regs *regs, uint32_t *online) WUR;

/* uuid NULL: keep the domain's UUID. */
int ctl_rename(struct ctl_client *c, uint32_t domid, const char *name, const uint8_t *uuid) WUR;

/* Resolve "name" or "id" to a domid among the core's domains; -ESRCH if none. */
int ctl_lookup(struct ctl_client *c, const char *name_or_id, uint32_t *domid) WUR;

#endif /* DYAD_CTL_CLIENT_H */
