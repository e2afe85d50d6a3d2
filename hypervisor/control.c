/*
 * The control socket's event loop (see control.h).
 */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_ops.h"
#include "ipc.h"
#include "log.h"
#include "notify.h"

/* epoll tags for the loop's own descriptors (connections use their pointer). */
static char control_tag_listen, control_tag_notify, control_tag_signal;

static struct {
	int epfd, listen_fd, sigfd;
	char path[108];
	struct control_conn *conns;
	bool stop;
} ctl = {.epfd = -1, .listen_fd = -1, .sigfd = -1};

struct control_conn *control_conn_new(int fd, bool authorised)
{
	struct control_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	c->authorised = authorised;
	c->next = ctl.conns;
	ctl.conns = c;
	return c;
}

void control_conn_free(struct control_conn *c)
{
	struct control_conn **pp = &ctl.conns;

	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp)
		*pp = c->next;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static int control_send(struct control_conn *c, const void *msg, size_t len, const int *fds,
			int nfds)
{
	int rc = ipc_send(c->fd, msg, len, nfds ? fds : NULL, nfds);

	if (rc) {
		log_warn_rl("control: dropping a client that does not take replies (%s)",
			    strerror(-rc));
		c->dead = true;
	}
	return rc;
}

int control_reply(struct control_conn *c, const struct dyad_ctl_hdr *req, const void *payload,
		  size_t len, int fd)
{
	return control_reply_fds(c, req, payload, len, &fd, fd >= 0 ? 1 : 0);
}

int control_reply_fds(struct control_conn *c, const struct dyad_ctl_hdr *req, const void *payload,
		      size_t len, const int *fds, int nfds)
{
	static uint8_t buf[DYAD_CTL_MAX_MSG];
	struct dyad_ctl_hdr h = {.magic = DYAD_CTL_MAGIC,
				 .version = DYAD_CTL_VERSION,
				 .type = (uint16_t)(req->type | DYAD_CTL_REPLY),
				 .len = (uint32_t)len,
				 .seq = req->seq};

	if (len > sizeof(buf) - sizeof(h))
		return -EMSGSIZE;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	control_send(c, buf, sizeof(h) + len, fds, nfds);
	return 0;
}

int control_reply_status(struct control_conn *c, const struct dyad_ctl_hdr *req, int status)
{
	struct dyad_ctl_status st = {.status = status};

	return control_reply(c, req, &st, sizeof(st), -1);
}

static int control_park(struct control_conn *c, const struct dyad_ctl_hdr *h, const void *p)
{
	struct control_parked *pk;

	if (c->nparked == CONTROL_PARKED_MAX)
		return -EBUSY;
	pk = &c->parked[c->nparked++];
	pk->type = h->type;
	pk->seq = h->seq;
	memcpy(&pk->req, p, sizeof(pk->req));
	return 0;
}

void control_handle_message(struct control_conn *c, const void *buf, size_t len)
{
	struct dyad_ctl_hdr h = {0};
	const char *what;
	int rc;

	memcpy(&h, buf, len < sizeof(h) ? len : sizeof(h));
	rc = ctl_msg_check_request(&h, len, &what);
	if (!c->authorised) { /* one reply saying why, then the connection closes */
		rc = -EPERM, what = "the peer is not uid 0";
		c->dead = true;
	}
	if (rc) {
		log_warn_rl("control: bad %s request: %s", ctl_msg_type_name(h.type), what);
		control_reply_status(c, &h, rc);
		return;
	}
	rc = ctl_ops_dispatch(c, &h, (const uint8_t *)buf + sizeof(h));
	if (rc == CTL_OPS_PARKED)
		rc = control_park(c, &h, (const uint8_t *)buf + sizeof(h));
	if (rc < 0)
		control_reply_status(c, &h, rc);
}

static void control_send_event(const struct dyad_ctl_event *ev)
{
	struct dyad_ctl_hdr h = {.magic = DYAD_CTL_MAGIC,
				 .version = DYAD_CTL_VERSION,
				 .type = DYAD_CTL_EVENT,
				 .len = sizeof(*ev)};
	uint8_t buf[sizeof(h) + sizeof(*ev)];

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), ev, sizeof(*ev));
	for (struct control_conn *c = ctl.conns; c; c = c->next)
		if (c->subscriber && !c->dead)
			control_send(c, buf, sizeof(buf), NULL, 0);
}

/* Answer every parked read that now has data (or an end). */
static void control_service_parked(struct control_conn *c)
{
	unsigned int keep = 0;

	for (unsigned int i = 0; i < c->nparked; i++) {
		struct control_parked pk = c->parked[i];
		struct dyad_ctl_hdr h = {.type = pk.type, .seq = pk.seq};

		if (c->dead || ctl_ops_read(c, &h, &pk.req, true) != CTL_OPS_PARKED)
			continue;
		c->parked[keep++] = pk;
	}
	c->nparked = keep;
}

void control_service(void)
{
	struct dyad_ctl_event ev[64];
	unsigned int n;

	while ((n = notify_drain(ev, 64)) > 0)
		for (unsigned int i = 0; i < n; i++)
			control_send_event(&ev[i]);
	for (struct control_conn *c = ctl.conns; c; c = c->next)
		control_service_parked(c);
}

static void control_conn_close(struct control_conn *c)
{
	if (ctl.epfd >= 0)
		epoll_ctl(ctl.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	control_conn_free(c);
}

static void control_accept(void)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct control_conn *c;
	uid_t uid = (uid_t)-1;
	int fd = accept4(ctl.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (ipc_peer_uid(fd, &uid) || uid != 0)
		log_warn_rl("control: connection from uid %d will be refused", (int)uid);
	c = control_conn_new(fd, uid == 0);
	if (!c) {
		close(fd);
		return;
	}
	ev.data.ptr = c;
	if (epoll_ctl(ctl.epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		control_conn_free(c);
}

/* One datagram from a client; close on EOF or error. */
static void control_receive(struct control_conn *c)
{
	static uint8_t buf[DYAD_CTL_MAX_MSG];
	ssize_t n = ipc_recv(c->fd, buf, sizeof(buf), NULL, NULL);

	if (n == -EAGAIN)
		return;
	if (n == -EMSGSIZE) {
		log_warn_rl("control: a request larger than %u bytes refused", DYAD_CTL_MAX_MSG);
		control_handle_message(c, buf, sizeof(buf) + 1); /* fails the length check */
		return;
	}
	if (n <= 0) {
		c->dead = true;
		return;
	}
	control_handle_message(c, buf, (size_t)n);
}

static void control_reap(void)
{
	struct control_conn *c = ctl.conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->dead)
			control_conn_close(c);
	}
}

static void control_signal(void)
{
	struct signalfd_siginfo si;

	if (read(ctl.sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		log_info("signal %u: shutting down", si.ssi_signo);
		ctl.stop = true;
	}
}

static void control_dispatch_event(const struct epoll_event *e)
{
	void *tag = e->data.ptr;

	if (tag == &control_tag_listen)
		control_accept();
	else if (tag == &control_tag_signal)
		control_signal();
	else if (tag != &control_tag_notify)
		control_receive(tag);
}

int control_run(void)
{
	struct epoll_event evs[32];

	while (!ctl.stop) {
		int n = epoll_wait(ctl.epfd, evs, 32, -1);

		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++)
			control_dispatch_event(&evs[i]);
		control_service();
		control_reap();
	}
	return 0;
}

static int control_watch(int fd, void *tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};

	return epoll_ctl(ctl.epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int control_init(const char *rundir, int sigfd)
{
	int rc;

	if (snprintf(ctl.path, sizeof(ctl.path), "%s/hv.sock", rundir) >= (int)sizeof(ctl.path))
		return -ENAMETOOLONG;
	ctl.sigfd = sigfd;
	ctl.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ctl.epfd < 0)
		return -errno;
	rc = ipc_listen(ctl.path, &ctl.listen_fd);
	if (rc)
		return rc;
	chmod(ctl.path, 0600);
	rc = control_watch(ctl.listen_fd, &control_tag_listen);
	if (!rc)
		rc = control_watch(notify_fd(), &control_tag_notify);
	if (!rc)
		rc = control_watch(sigfd, &control_tag_signal);
	if (!rc)
		log_info("listening on %s", ctl.path);
	return rc;
}

void control_fini(void)
{
	while (ctl.conns)
		control_conn_close(ctl.conns);
	if (ctl.listen_fd >= 0) {
		close(ctl.listen_fd);
		unlink(ctl.path);
	}
	if (ctl.epfd >= 0)
		close(ctl.epfd);
	ctl.listen_fd = ctl.epfd = -1;
}
