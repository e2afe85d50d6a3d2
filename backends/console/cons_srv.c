/*
 * dyad-consoled's client socket, RUNDIR/console.sock (protocol in
 * cons_proto.h and README.md).
 *
 * A client is a position in its domain's log: everything it is sent -
 * the replay and the live output alike - is read back from the log file,
 * so a slow client costs no memory, never slows the guest, and at worst
 * skips bytes that rotated away (the DATA offset shows the jump).  When
 * its socket is full the client waits for EPOLLOUT.  Clients are not
 * trusted: uid 0 only (SO_PEERCRED), every message checked by
 * cons_proto_check(), a bad one closes that client and nothing else.
 *
 * A client is never freed while the loop may still hold a pointer to it
 * (its cons_ev in the current epoll batch, or a handler up the stack that
 * kicked it): it is only marked dead, and cons_srv_reap() frees the dead
 * ones after the batch.
 */
#include "consoled.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cons_proto.h"
#include "ipc.h"
#include "log.h"

struct cons_client {
	struct cons_client *next;
	int fd;
	struct cons_ev ev;
	struct cons_dom *dom; /* NULL until ATTACH */
	uint64_t off;	      /* next log offset to send */
	bool out_armed;	      /* waiting for EPOLLOUT */
	bool dead;	      /* closing: ignored until cons_srv_reap() frees it */
};

static void cons_client_close(struct consoled *d, struct cons_client *cl)
{
	struct cons_client **pp;

	for (pp = &d->clients; *pp && *pp != cl; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = cl->next;
	if (cl->dom)
		cl->dom->clients--;
	consoled_unwatch(d, cl->fd);
	close(cl->fd);
	free(cl);
}

/* Stop serving cl now; the memory goes in cons_srv_reap(), after the batch. */
static void cons_client_kill(struct consoled *d, struct cons_client *cl)
{
	if (cl->dead)
		return;
	cl->dead = true;
	consoled_unwatch(d, cl->fd);
}

static int cons_client_send(struct cons_client *cl, uint16_t type, const void *a, size_t alen,
			    const void *b, size_t blen)
{
	uint8_t msg[CONS_PROTO_MSG_MAX];
	struct cons_msg_hdr h;

	if (sizeof(h) + alen + blen > sizeof(msg))
		return -EMSGSIZE;
	cons_proto_hdr(&h, type, (uint32_t)(alen + blen));
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), a, alen);
	if (blen)
		memcpy(msg + sizeof(h) + alen, b, blen);
	return ipc_send(cl->fd, msg, sizeof(h) + alen + blen, NULL, 0);
}

static void cons_client_arm(struct consoled *d, struct cons_client *cl, bool out)
{
	if (cl->out_armed == out)
		return;
	if (consoled_rewatch(d, cl->fd, EPOLLIN | (out ? EPOLLOUT : 0), &cl->ev) == 0)
		cl->out_armed = out;
}

/* Send what the log holds past cl->off; END once the domain is finished. */
static int cons_client_pump(struct consoled *d, struct cons_client *cl)
{
	static uint8_t buf[CONS_PROTO_DATA_MAX];
	struct cons_dom *dom = cl->dom;
	struct cons_msg_data md;
	size_t n;
	int rc;

	while (cl->off < dom->log->end) {
		rc = cons_log_read(dom->log, cl->off, buf, sizeof(buf), &md.offset, &n);
		if (rc || n == 0)
			return rc ? rc : -EIO;
		rc = cons_client_send(cl, CONS_MSG_DATA, &md, sizeof(md), buf, n);
		if (rc == -EAGAIN) {
			cons_client_arm(d, cl, true);
			return 0;
		}
		if (rc)
			return rc;
		cl->off = md.offset + n;
	}
	cons_client_arm(d, cl, false);
	if (dom->finished) {
		struct cons_msg_end end = {.reason = CONS_END_GONE};

		rc = cons_client_send(cl, CONS_MSG_END, &end, sizeof(end), NULL, 0);
		if (rc == -EAGAIN) {
			cons_client_arm(d, cl, true);
			return 0;
		}
		return -ECONNRESET; /* done with this client either way */
	}
	return 0;
}

static int cons_client_attach(struct consoled *d, struct cons_client *cl,
			      const struct cons_msg_attach *a)
{
	struct cons_msg_attached rep = {0};
	struct cons_dom *dom = consoled_find(d, a->domid, true);
	int rc;

	if (!dom) {
		rep.status = -ESRCH;
		rc = cons_client_send(cl, CONS_MSG_ATTACHED, &rep, sizeof(rep), NULL, 0);
		return rc ? rc : -ESRCH;
	}
	rep.flags = dom->ring_up ? CONS_ATTACHED_F_RING : 0;
	rep.oldest = dom->log->oldest;
	rep.domain_start = dom->start;
	rep.end = dom->log->end;
	snprintf(rep.name, sizeof(rep.name), "%s", dom->name);
	rc = cons_client_send(cl, CONS_MSG_ATTACHED, &rep, sizeof(rep), NULL, 0);
	if (rc)
		return rc;
	cl->dom = dom;
	dom->clients++;
	if (a->flags & CONS_ATTACH_F_END)
		cl->off = dom->log->end;
	else if (a->flags & CONS_ATTACH_F_DOMAIN_START)
		cl->off = dom->start;
	else
		cl->off = a->offset;
	if (cl->off < dom->log->oldest)
		cl->off = dom->log->oldest;
	return cons_client_pump(d, cl);
}

/* One message from the client; -errno closes it. */
static int cons_client_message(struct consoled *d, struct cons_client *cl)
{
	union {
		struct cons_msg_hdr h;
		uint8_t bytes[sizeof(struct cons_msg_hdr) + CONS_PROTO_INPUT_MAX];
	} m;
	struct cons_msg_attach a;
	const char *what;
	ssize_t r = ipc_recv(cl->fd, m.bytes, sizeof(m.bytes), NULL, NULL);

	if (r == -EAGAIN)
		return 0;
	if (r <= 0)
		return r == 0 ? -ECONNRESET : (int)r;
	if (cons_proto_check(m.bytes, (size_t)r, &what)) {
		log_warn_rl("console client: %s", what);
		return -EPROTO;
	}
	if (m.h.type == CONS_MSG_ATTACH && !cl->dom) {
		memcpy(&a, m.bytes + sizeof(m.h), sizeof(a));
		return cons_client_attach(d, cl, &a);
	}
	if (m.h.type == CONS_MSG_INPUT && cl->dom) {
		if (cons_dom_input(d, cl->dom, m.bytes + sizeof(m.h), m.h.len) < m.h.len)
			log_warn_rl("domain %u: console input queue full, input dropped",
				    cl->dom->domid);
		return 0;
	}
	log_warn_rl("console client: unexpected message type %u", m.h.type);
	return -EPROTO;
}

static void cons_client_ready(struct consoled *d, struct cons_ev *ev, uint32_t events)
{
	struct cons_client *cl = cons_container_of(ev, struct cons_client, ev);
	int rc = 0;

	if (cl->dead)
		return;
	if (events & EPOLLIN)
		rc = cons_client_message(d, cl);
	else if (events & (EPOLLHUP | EPOLLERR))
		rc = -ECONNRESET;
	if (cl->dead) /* input corrupted the ring, and the note kicked us */
		return;
	if (!rc && cl->dom && (events & EPOLLOUT))
		rc = cons_client_pump(d, cl);
	if (rc)
		cons_client_kill(d, cl);
}

static void cons_srv_accept(struct consoled *d, struct cons_ev *ev, uint32_t events)
{
	struct cons_client *cl;
	uid_t uid = (uid_t)-1;
	int fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (ipc_peer_uid(fd, &uid) || uid != 0) {
		log_warn_rl("refusing console client (uid %d): only root may attach", (int)uid);
		close(fd);
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->ev.fn = cons_client_ready;
	if (consoled_watch(d, fd, EPOLLIN, &cl->ev)) {
		close(fd);
		free(cl);
		return;
	}
	cl->next = d->clients;
	d->clients = cl;
}

int cons_srv_init(struct consoled *d)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/console.sock", d->rundir), rc;

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	rc = ipc_listen(path, &d->lfd);
	if (rc)
		return rc;
	if (fcntl(d->lfd, F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	d->listen_ev.fn = cons_srv_accept;
	return consoled_watch(d, d->lfd, EPOLLIN, &d->listen_ev);
}

void cons_srv_kick(struct consoled *d, struct cons_dom *dom)
{
	struct cons_client *cl, *next;

	for (cl = d->clients; cl; cl = next) {
		next = cl->next;
		/* A domain rebooting shares its log with the next one: serve both. */
		if (cl->dom && cl->dom->log == dom->log && !cl->dead && !cl->out_armed &&
		    cons_client_pump(d, cl))
			cons_client_kill(d, cl);
	}
}

void cons_srv_reap(struct consoled *d)
{
	struct cons_client *cl, *next;

	for (cl = d->clients; cl; cl = next) {
		next = cl->next;
		if (cl->dead)
			cons_client_close(d, cl);
	}
}

void cons_srv_fini(struct consoled *d)
{
	struct cons_msg_end end = {.reason = CONS_END_SHUTDOWN};

	while (d->clients) {
		if (d->clients->dom && !d->clients->dead &&
		    cons_client_send(d->clients, CONS_MSG_END, &end, sizeof(end), NULL, 0))
			log_debug("console client: END not delivered");
		cons_client_close(d, d->clients);
	}
	if (d->lfd >= 0)
		close(d->lfd);
	d->lfd = -1;
}
