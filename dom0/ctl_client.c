/*
 * The client of the core's control socket (see ctl_client.h).
 *
 * One request is in flight at a time: ctl_client_call() sends a header and
 * payload as one SOCK_SEQPACKET datagram, then reads datagrams until the
 * reply with its type and sequence number arrives.  Events the core pushes
 * to a subscribed connection may come first; they are queued (bounded) and
 * handed out later by ctl_next_event().
 *
 * The core is trusted to exist, not to be right: every datagram goes
 * through ctl_msg_check_reply() before a field is read, list counts are
 * checked against the bytes received, strings are NUL-terminated here, and
 * a status that is not 0 or a plausible -errno is a protocol error.  After
 * a framing error the connection's state is unknown (a reply may still be
 * on its way), so the client is marked broken and fails every later call
 * with -EPROTO instead of pairing replies with the wrong requests.
 */
#include "ctl_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"
#include "rundir.h"

#define CTL_EVENT_QUEUE 256u /* events kept while a call waits */
#define CTL_ERRNO_MAX	4095 /* statuses beyond -4095 are not errnos */

struct ctl_client {
	int fd;
	uint32_t seq;
	int broken; /* 0, or the -errno every call now returns */
	unsigned int ev_head, ev_count;
	struct dyad_ctl_event events[CTL_EVENT_QUEUE];
	/* One datagram, aligned for the header and the structs that follow it. */
	union {
		struct dyad_ctl_hdr hdr;
		uint64_t align;
		unsigned char bytes[DYAD_CTL_MAX_MSG];
	} buf;
};

int ctl_client_open(const char *rundir, struct ctl_client **out)
{
	char path[PATH_MAX];
	struct ctl_client *c;
	int n, rc;

	n = snprintf(path, sizeof(path), "%s/hv.sock", rundir ? rundir : rundir_path());
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	rc = ipc_connect(path, &c->fd);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void ctl_client_close(struct ctl_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int ctl_client_fd(const struct ctl_client *c)
{
	return c->fd;
}

/* Mark the connection unusable and say why, once. */
static int ctl_client_fail(struct ctl_client *c, int rc, const char *what)
{
	if (!c->broken)
		log_warn("control socket: %s (%s); dropping the connection", what, strerror(-rc));
	c->broken = rc;
	return rc;
}

static void ctl_client_queue_event(struct ctl_client *c, const struct dyad_ctl_event *ev)
{
	unsigned int slot;

	if (c->ev_count == CTL_EVENT_QUEUE) {
		log_warn_rl("control socket: event queue full, dropping the oldest event");
		c->ev_head = (c->ev_head + 1) % CTL_EVENT_QUEUE;
		c->ev_count--;
	}
	slot = (c->ev_head + c->ev_count) % CTL_EVENT_QUEUE;
	c->events[slot] = *ev;
	c->events[slot].name[DYAD_NAME_MAX - 1] = '\0';
	c->ev_count++;
}

static void ctl_close_fds(const int *fds, int nfds)
{
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

/* Close and forget the received descriptors of a failed call. */
static void ctl_client_close_fds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; fds && i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/*
 * Receive one datagram into c->buf and validate it as a reply to req_type
 * (or an event).  Returns its total size, or -errno; descriptors that came
 * with it are in fds (nfds of them).
 */
static ssize_t ctl_client_recv(struct ctl_client *c, uint16_t req_type, int *fds, int *nfds)
{
	const char *what = "";
	ssize_t r;
	int rc;

	*nfds = IPC_MAX_FDS;
	r = ipc_recv(c->fd, c->buf.bytes, sizeof(c->buf.bytes), fds, nfds);
	if (r == 0)
		return ctl_client_fail(c, -ECONNRESET, "the core closed the connection");
	if (r == -EAGAIN || r == -EWOULDBLOCK)
		return r;
	if (r < 0)
		return ctl_client_fail(c, (int)r, "receive failed");
	rc = ctl_msg_check_reply(&c->buf.hdr, (size_t)r, req_type, &what);
	if (rc) {
		ctl_close_fds(fds, *nfds);
		*nfds = 0;
		return ctl_client_fail(c, -EPROTO, what);
	}
	return r;
}

/* Wait for the socket to be readable (it may be O_NONBLOCK for subscribers). */
static int ctl_client_wait(struct ctl_client *c)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	int r;

	do
		r = poll(&p, 1, -1);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

static int ctl_client_send(struct ctl_client *c, uint16_t type, const void *req, size_t req_len)
{
	int rc;

	if (req_len > DYAD_CTL_MAX_MSG - sizeof(struct dyad_ctl_hdr) || (req_len && !req))
		return -EINVAL;
	c->buf.hdr = (struct dyad_ctl_hdr){.magic = DYAD_CTL_MAGIC,
					   .version = DYAD_CTL_VERSION,
					   .type = type,
					   .len = (uint32_t)req_len,
					   .seq = ++c->seq};
	if (req_len)
		memcpy(c->buf.bytes + sizeof(c->buf.hdr), req, req_len);
	rc = ipc_send(c->fd, c->buf.bytes, sizeof(c->buf.hdr) + req_len, NULL, 0);
	if (rc == -EPIPE || rc == -ECONNREFUSED)
		rc = -ECONNRESET;
	return rc ? ctl_client_fail(c, rc, "send failed") : 0;
}

/* The reply status, checked to be 0 or a plausible -errno. */
static int ctl_client_status(struct ctl_client *c)
{
	const struct dyad_ctl_status *st = (const void *)(c->buf.bytes + sizeof(c->buf.hdr));

	if (st->status > 0 || st->status < -CTL_ERRNO_MAX)
		return ctl_client_fail(c, -EPROTO, "reply status is not an errno");
	return st->status;
}

/*
 * Send a request and wait for its reply, queueing events that come first.
 * On return the reply is in c->buf (payload at *payload, *len bytes); the
 * result is the reply status or -errno.
 */
static int ctl_client_exchange(struct ctl_client *c, uint16_t type, const void *req, size_t req_len,
			       const unsigned char **payload, size_t *len, int *fd_out,
			       unsigned int fd_cap)
{
	int fds[IPC_MAX_FDS], nfds, rc;
	ssize_t r;

	for (unsigned int i = 0; fd_out && i < fd_cap; i++)
		fd_out[i] = -1;
	if (c->broken)
		return c->broken;
	rc = ctl_client_send(c, type, req, req_len);
	if (rc)
		return rc;
	for (;;) {
		rc = ctl_client_wait(c);
		if (rc)
			return ctl_client_fail(c, rc, "poll failed");
		r = ctl_client_recv(c, type, fds, &nfds);
		if (r == -EAGAIN || r == -EWOULDBLOCK)
			continue;
		if (r < 0)
			return (int)r;
		if (c->buf.hdr.type != DYAD_CTL_EVENT)
			break;
		ctl_close_fds(fds, nfds);
		ctl_client_queue_event(c, (const void *)(c->buf.bytes + sizeof(c->buf.hdr)));
	}
	if (c->buf.hdr.seq != c->seq) {
		ctl_close_fds(fds, nfds);
		return ctl_client_fail(c, -EPROTO,
				       "reply carries another request's sequence number");
	}
	for (int i = 0; i < nfds; i++) {
		if (fd_out && (unsigned int)i < fd_cap)
			fd_out[i] = fds[i];
		else
			close(fds[i]);
	}
	*payload = c->buf.bytes + sizeof(c->buf.hdr);
	*len = c->buf.hdr.len;
	rc = ctl_client_status(c);
	if (rc)
		ctl_client_close_fds(fd_out, fd_cap);
	return rc;
}

int ctl_client_call_fds(struct ctl_client *c, uint16_t type, const void *req, size_t req_len,
			void *rep, size_t rep_cap, size_t *rep_len, int *fds, unsigned int nfds)
{
	const unsigned char *payload = NULL;
	size_t len = 0;
	int rc;

	if (nfds > IPC_MAX_FDS || (nfds && !fds))
		return -EINVAL;
	rc = ctl_client_exchange(c, type, req, req_len, &payload, &len, fds, nfds);
	if (!payload)
		return rc;
	if (rep_len)
		*rep_len = len;
	if (rep)
		memcpy(rep, payload, len < rep_cap ? len : rep_cap);
	if (rc == 0 && rep && len > rep_cap) {
		ctl_client_close_fds(fds, nfds);
		return -EMSGSIZE;
	}
	return rc;
}

int ctl_client_call(struct ctl_client *c, uint16_t type, const void *req, size_t req_len, void *rep,
		    size_t rep_cap, size_t *rep_len, int *fd_out)
{
	return ctl_client_call_fds(c, type, req, req_len, rep, rep_cap, rep_len, fd_out,
				   fd_out ? 1u : 0u);
}

/* A call whose reply is exactly one fixed structure (or an error status). */
static int ctl_call_fixed(struct ctl_client *c, uint16_t type, const void *req, size_t req_len,
			  void *rep, size_t rep_size, int *fd_out)
{
	size_t len = 0;
	int rc = ctl_client_call(c, type, req, req_len, rep, rep_size, &len, fd_out);

	if (rc == 0 && len != rep_size) {
		if (fd_out && *fd_out >= 0) {
			close(*fd_out);
			*fd_out = -1;
		}
		return -EPROTO;
	}
	return rc;
}

static int ctl_call_dom(struct ctl_client *c, uint16_t type, uint32_t domid)
{
	struct dyad_ctl_dom req = {.domid = domid};
	struct dyad_ctl_status st;

	return ctl_call_fixed(c, type, &req, sizeof(req), &st, sizeof(st), NULL);
}

int ctl_create(struct ctl_client *c, const struct dyad_ctl_create *req, uint32_t *domid)
{
	struct dyad_ctl_domid rep;
	int rc = ctl_call_fixed(c, DYAD_CTL_CREATE, req, sizeof(*req), &rep, sizeof(rep), NULL);

	if (rc)
		return rc;
	if (rep.domid == DYAD_DOMID_INVALID)
		return -EPROTO;
	*domid = rep.domid;
	return 0;
}

int ctl_get_memfd(struct ctl_client *c, uint32_t domid, int *fd, uint64_t *size)
{
	struct dyad_ctl_dom req = {.domid = domid};
	struct dyad_ctl_memfd rep;
	int mfd = -1;
	int rc = ctl_call_fixed(c, DYAD_CTL_GET_MEMFD, &req, sizeof(req), &rep, sizeof(rep), &mfd);

	if (rc)
		return rc;
	if (mfd < 0)
		return -EPROTO;
	*fd = mfd;
	*size = rep.size;
	return 0;
}

int ctl_set_vcpu_context(struct ctl_client *c, uint32_t domid, uint32_t vcpu,
			 const struct dyad_vcpu_regs *regs)
{
	struct dyad_ctl_vcpu_context req = {.domid = domid, .vcpu = vcpu, .regs = *regs};
	struct dyad_ctl_status st;

	return ctl_call_fixed(c, DYAD_CTL_SET_VCPU_CONTEXT, &req, sizeof(req), &st, sizeof(st),
			      NULL);
}

int ctl_pause(struct ctl_client *c, uint32_t domid)
{
	return ctl_call_dom(c, DYAD_CTL_PAUSE, domid);
}

int ctl_unpause(struct ctl_client *c, uint32_t domid)
{
	return ctl_call_dom(c, DYAD_CTL_UNPAUSE, domid);
}

int ctl_destroy(struct ctl_client *c, uint32_t domid)
{
	return ctl_call_dom(c, DYAD_CTL_DESTROY, domid);
}

int ctl_shutdown(struct ctl_client *c, uint32_t domid, uint32_t reason)
{
	struct dyad_ctl_shutdown req = {.domid = domid, .reason = reason};
	struct dyad_ctl_status st;

	return ctl_call_fixed(c, DYAD_CTL_SHUTDOWN, &req, sizeof(req), &st, sizeof(st), NULL);
}

int ctl_set_param(struct ctl_client *c, uint32_t domid, uint32_t index, uint64_t value)
{
	struct dyad_ctl_param req = {.domid = domid, .index = index, .value = value};
	struct dyad_ctl_status st;

	return ctl_call_fixed(c, DYAD_CTL_SET_PARAM, &req, sizeof(req), &st, sizeof(st), NULL);
}

int ctl_get_param(struct ctl_client *c, uint32_t domid, uint32_t index, uint64_t *value)
{
	struct dyad_ctl_param req = {.domid = domid, .index = index};
	struct dyad_ctl_param_rep rep;
	int rc = ctl_call_fixed(c, DYAD_CTL_GET_PARAM, &req, sizeof(req), &rep, sizeof(rep), NULL);

	if (rc == 0)
		*value = rep.value;
	return rc;
}

int ctl_evtchn_alloc_unbound(struct ctl_client *c, uint32_t domid, uint32_t remote_dom,
			     uint32_t *port)
{
	struct dyad_ctl_evtchn_alloc req = {.domid = domid, .remote_dom = remote_dom};
	struct dyad_ctl_evtchn_port rep;
	int rc = ctl_call_fixed(c, DYAD_CTL_EVTCHN_ALLOC_UNBOUND, &req, sizeof(req), &rep,
				sizeof(rep), NULL);

	if (rc == 0)
		*port = rep.port;
	return rc;
}

int ctl_get_vcpu_context(struct ctl_client *c, uint32_t domid, uint32_t vcpu,
			 struct dyad_vcpu_regs *regs, uint32_t *online)
{
	struct dyad_ctl_vcpu req = {.domid = domid, .vcpu = vcpu};
	struct dyad_ctl_vcpu_context_rep rep;
	int rc = ctl_call_fixed(c, DYAD_CTL_GET_VCPU_CONTEXT, &req, sizeof(req), &rep, sizeof(rep),
				NULL);

	if (rc == 0) {
		*regs = rep.regs;
		*online = rep.online;
	}
	return rc;
}

int ctl_rename(struct ctl_client *c, uint32_t domid, const char *name, const uint8_t *uuid)
{
	struct dyad_ctl_rename req = {.domid = domid};
	struct dyad_ctl_status st;

	if (strlen(name) >= sizeof(req.name))
		return -ENAMETOOLONG;
	strcpy(req.name, name);
	if (uuid) {
		req.flags |= DYAD_RENAME_F_UUID;
		memcpy(req.uuid, uuid, sizeof(req.uuid));
	}
	return ctl_call_fixed(c, DYAD_CTL_RENAME, &req, sizeof(req), &st, sizeof(st), NULL);
}

static void ctl_dominfo_sanitize(struct dyad_ctl_dominfo *d)
{
	d->name[DYAD_NAME_MAX - 1] = '\0';
}

int ctl_list(struct ctl_client *c, struct dyad_ctl_dominfo **out, unsigned int *n)
{
	const unsigned char *payload;
	struct dyad_ctl_list hdr;
	struct dyad_ctl_dominfo *v;
	size_t len;
	int rc = ctl_client_exchange(c, DYAD_CTL_LIST, NULL, 0, &payload, &len, NULL, 0);

	if (rc)
		return rc;
	memcpy(&hdr, payload, sizeof(hdr));
	if (hdr.count > DYAD_MAX_DOMAINS ||
	    len != sizeof(hdr) + (size_t)hdr.count * sizeof(struct dyad_ctl_dominfo))
		return ctl_client_fail(c, -EPROTO, "list count does not match the reply size");
	v = calloc(hdr.count ? hdr.count : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, payload + sizeof(hdr), (size_t)hdr.count * sizeof(*v));
	for (unsigned int i = 0; i < hdr.count; i++)
		ctl_dominfo_sanitize(&v[i]);
	*out = v;
	*n = hdr.count;
	return 0;
}

int ctl_info(struct ctl_client *c, uint32_t domid, struct dyad_ctl_dominfo *out)
{
	struct dyad_ctl_dom req = {.domid = domid};
	/* The reply is a status followed by the dominfo (see ctl_msg.c's table). */
	struct {
		struct dyad_ctl_status st;
		struct dyad_ctl_dominfo info;
	} rep;
	size_t len = 0;
	int rc =
		ctl_client_call(c, DYAD_CTL_INFO, &req, sizeof(req), &rep, sizeof(rep), &len, NULL);

	if (rc)
		return rc;
	if (len != sizeof(rep))
		return -EPROTO;
	*out = rep.info;
	ctl_dominfo_sanitize(out);
	return 0;
}

int ctl_physinfo(struct ctl_client *c, struct dyad_ctl_physinfo *out)
{
	int rc = ctl_call_fixed(c, DYAD_CTL_PHYSINFO, NULL, 0, out, sizeof(*out), NULL);

	if (rc)
		return rc;
	out->kvm_flavour[sizeof(out->kvm_flavour) - 1] = '\0';
	out->caps[sizeof(out->caps) - 1] = '\0';
	out->version[sizeof(out->version) - 1] = '\0';
	return 0;
}

int ctl_read_stream(struct ctl_client *c, uint16_t type, uint32_t domid, uint64_t offset,
		    uint32_t flags, void *buf, size_t cap, struct dyad_ctl_data *hdr)
{
	struct dyad_ctl_read req = {.domid = domid, .flags = flags, .offset = offset};
	const unsigned char *payload;
	size_t len;
	int rc;

	if (type != DYAD_CTL_DMESG && type != DYAD_CTL_CONSOLE_READ)
		return -EINVAL;
	rc = ctl_client_exchange(c, type, &req, sizeof(req), &payload, &len, NULL, 0);
	if (rc)
		return rc;
	memcpy(hdr, payload, sizeof(*hdr));
	if (hdr->len != len - sizeof(*hdr))
		return ctl_client_fail(c, -EPROTO, "stream length does not match the reply size");
	if (hdr->len > cap)
		return -EMSGSIZE;
	memcpy(buf, payload + sizeof(*hdr), hdr->len);
	return 0;
}

int ctl_subscribe(struct ctl_client *c)
{
	struct dyad_ctl_status st;

	return ctl_call_fixed(c, DYAD_CTL_SUBSCRIBE, NULL, 0, &st, sizeof(st), NULL);
}

int ctl_next_event(struct ctl_client *c, struct dyad_ctl_event *ev)
{
	int fds[IPC_MAX_FDS], nfds;
	ssize_t r;

	if (c->ev_count) {
		*ev = c->events[c->ev_head];
		c->ev_head = (c->ev_head + 1) % CTL_EVENT_QUEUE;
		c->ev_count--;
		return 0;
	}
	if (c->broken)
		return c->broken;
	r = ctl_client_recv(c, 0, fds, &nfds);
	if (r < 0)
		return (int)r;
	ctl_close_fds(fds, nfds);
	if (c->buf.hdr.type != DYAD_CTL_EVENT)
		return ctl_client_fail(c, -EPROTO, "a reply arrived with no request pending");
	memcpy(ev, c->buf.bytes + sizeof(c->buf.hdr), sizeof(*ev));
	ev->name[DYAD_NAME_MAX - 1] = '\0';
	return 0;
}

/* Strict decimal: digits only, no sign or space, fits in 32 bits. */
static int ctl_parse_domid(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

static int ctl_lookup_name(struct ctl_client *c, const char *name, uint32_t *domid)
{
	struct dyad_ctl_dominfo *v;
	unsigned int n;
	int rc = ctl_list(c, &v, &n);

	if (rc)
		return rc;
	rc = -ESRCH;
	for (unsigned int i = 0; i < n && rc; i++) {
		if (strcmp(v[i].name, name) == 0) {
			*domid = v[i].domid;
			rc = 0;
		}
	}
	free(v);
	return rc;
}

int ctl_lookup(struct ctl_client *c, const char *name_or_id, uint32_t *domid)
{
	struct dyad_ctl_dominfo info;
	uint32_t id;
	int rc;

	if (!name_or_id || strnlen(name_or_id, DYAD_NAME_MAX) == DYAD_NAME_MAX)
		return -ESRCH;
	if (ctl_parse_domid(name_or_id, &id) == 0 && id != DYAD_DOMID_INVALID) {
		rc = ctl_info(c, id, &info);
		if (rc == 0) {
			*domid = id;
			return 0;
		}
		if (rc != -ESRCH && rc != -EINVAL)
			return rc;
	}
	return ctl_lookup_name(c, name_or_id, domid);
}
