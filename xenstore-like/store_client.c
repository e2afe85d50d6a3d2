/*
 * The client side of xs_wire over a stream socket.
 */
#include "store_client.h"

#include <errno.h> /* before xs_wire.h: it defines xsd_errors[] only with errno */

#include "dyad/xen.h"
#include <xen/io/xs_wire.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

struct store_client_event {
	struct store_client_event *next;
	char *buf;
};

struct store_client {
	int fd;
	bool broken; /* a timed-out exchange left the stream mid-message */
	uint32_t next_id;
	struct store_client_event *events, *events_tail;
};

int store_client_open(const char *path, struct store_client **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *dir = getenv("DYAD_RUNDIR");
	struct store_client *c;
	int n;

	if (!path)
		path = getenv("XENSTORED_PATH");
	if (path)
		n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	else
		n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/store.sock",
			     dir && *dir ? dir : "/run/dyad");
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		n = -errno;
		store_client_close(c);
		return n;
	}
	*out = c;
	return 0;
}

void store_client_close(struct store_client *c)
{
	if (!c)
		return;
	while (c->events) {
		struct store_client_event *e = c->events;

		c->events = e->next;
		free(e->buf);
		free(e);
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int store_client_fd(const struct store_client *c)
{
	return c->fd;
}

int store_client_set_timeout(struct store_client *c, unsigned int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

/*
 * A socket timeout (SO_RCVTIMEO/SO_SNDTIMEO) shows as EAGAIN; after it the
 * stream may hold half a message, so the connection is given up.
 */
static int store_client_io_error(struct store_client *c, int err)
{
	if (err == EAGAIN || err == EWOULDBLOCK) {
		c->broken = true;
		return -ETIMEDOUT;
	}
	return -err;
}

static int store_client_full(struct store_client *c, void *buf, size_t len, bool out)
{
	char *p = buf;

	while (len) {
		ssize_t n = out ? send(c->fd, p, len, MSG_NOSIGNAL) : recv(c->fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return -EPIPE;
		if (n < 0)
			return store_client_io_error(c, errno);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read one message; *body is malloc'd and NUL-padded. */
static int store_client_recv(struct store_client *c, struct xsd_sockmsg *h, char **body)
{
	int rc;

	if (c->broken)
		return -ETIMEDOUT;
	rc = store_client_full(c, h, sizeof(*h), false);
	if (rc)
		return rc;
	if (h->len > XENSTORE_PAYLOAD_MAX)
		return -EPROTO;
	*body = malloc(h->len + 1);
	if (!*body)
		return -ENOMEM;
	(*body)[h->len] = '\0';
	rc = store_client_full(c, *body, h->len, false);
	if (rc) {
		free(*body);
		*body = NULL;
	}
	return rc;
}

static int store_client_queue(struct store_client *c, char *body)
{
	struct store_client_event *e = calloc(1, sizeof(*e));

	if (!e) {
		free(body);
		return -ENOMEM;
	}
	e->buf = body;
	if (c->events_tail)
		c->events_tail->next = e;
	else
		c->events = e;
	c->events_tail = e;
	return 0;
}

static int store_client_errno(const char *s)
{
	for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (strcmp(s, xsd_errors[i].errstring) == 0)
			return -xsd_errors[i].errnum;
	return -EIO;
}

int store_client_call(struct store_client *c, uint32_t type, uint32_t tx, const void *a,
		      size_t alen, const void *b, size_t blen, char **reply, size_t *rlen)
{
	struct xsd_sockmsg h = {type, ++c->next_id, tx, (uint32_t)(alen + blen)};
	struct iovec iov[3] = {
		{&h, sizeof(h)}, {(void *)(uintptr_t)a, alen}, {(void *)(uintptr_t)b, blen}};
	char *body = NULL;
	ssize_t n;
	int rc;

	if (alen + blen > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	if (c->broken)
		return -ETIMEDOUT;
	do
		n = writev(c->fd, iov, 3);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return store_client_io_error(c, errno);
	if (n != (ssize_t)(sizeof(h) + alen + blen)) {
		c->broken = true; /* a partial request: the stream is out of step */
		return -EIO;
	}
	for (;;) {
		rc = store_client_recv(c, &h, &body);
		if (rc)
			return rc;
		if (h.type != XS_WATCH_EVENT)
			break;
		rc = store_client_queue(c, body);
		if (rc)
			return rc;
	}
	if (h.type == XS_ERROR) {
		rc = store_client_errno(body);
		free(body);
		return rc;
	}
	if (reply)
		*reply = body;
	else
		free(body);
	if (rlen)
		*rlen = h.len;
	return 0;
}

static int store_client_path_op(struct store_client *c, uint32_t type, uint32_t tx,
				const char *path, char **out, size_t *len)
{
	return store_client_call(c, type, tx, path, strlen(path) + 1, NULL, 0, out, len);
}

int store_client_read(struct store_client *c, uint32_t tx, const char *path, char **val,
		      size_t *len)
{
	return store_client_path_op(c, XS_READ, tx, path, val, len);
}

int store_client_write(struct store_client *c, uint32_t tx, const char *path, const void *val,
		       size_t len)
{
	return store_client_call(c, XS_WRITE, tx, path, strlen(path) + 1, val, len, NULL, NULL);
}

int store_client_mkdir(struct store_client *c, uint32_t tx, const char *path)
{
	return store_client_path_op(c, XS_MKDIR, tx, path, NULL, NULL);
}

int store_client_rm(struct store_client *c, uint32_t tx, const char *path)
{
	return store_client_path_op(c, XS_RM, tx, path, NULL, NULL);
}

int store_client_directory(struct store_client *c, uint32_t tx, const char *path, char **names,
			   size_t *len)
{
	return store_client_path_op(c, XS_DIRECTORY, tx, path, names, len);
}

int store_client_get_perms(struct store_client *c, uint32_t tx, const char *path, char **perms,
			   size_t *len)
{
	return store_client_path_op(c, XS_GET_PERMS, tx, path, perms, len);
}

int store_client_set_perms(struct store_client *c, uint32_t tx, const char *path,
			   const char *const *perms, unsigned int n)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t len = 0, l;

	for (unsigned int i = 0; i < n; i++) {
		l = strlen(perms[i]) + 1;
		if (len + l > sizeof(buf))
			return -E2BIG;
		memcpy(buf + len, perms[i], l);
		len += l;
	}
	return store_client_call(c, XS_SET_PERMS, tx, path, strlen(path) + 1, buf, len, NULL, NULL);
}

static int store_client_two(struct store_client *c, uint32_t type, const char *a, const char *b)
{
	return store_client_call(c, type, 0, a, strlen(a) + 1, b, strlen(b) + 1, NULL, NULL);
}

int store_client_watch(struct store_client *c, const char *path, const char *token)
{
	return store_client_two(c, XS_WATCH, path, token);
}

int store_client_unwatch(struct store_client *c, const char *path, const char *token)
{
	return store_client_two(c, XS_UNWATCH, path, token);
}

int store_client_next_event(struct store_client *c, char **buf, const char **path,
			    const char **token)
{
	struct xsd_sockmsg h;
	char *body;
	int rc;

	while (!c->events) {
		rc = store_client_recv(c, &h, &body);
		if (rc)
			return rc;
		if (h.type != XS_WATCH_EVENT) {
			free(body);
			continue;
		}
		rc = store_client_queue(c, body);
		if (rc)
			return rc;
	}
	{
		struct store_client_event *e = c->events;

		c->events = e->next;
		if (!c->events)
			c->events_tail = NULL;
		*buf = e->buf;
		free(e);
	}
	*path = *buf;
	*token = *buf + strlen(*buf) + 1;
	return 0;
}

int store_client_txn_start(struct store_client *c, uint32_t *tx)
{
	char *r = NULL;
	int rc = store_client_call(c, XS_TRANSACTION_START, 0, "", 1, NULL, 0, &r, NULL);

	if (!rc) {
		*tx = (uint32_t)strtoul(r, NULL, 10);
		free(r);
	}
	return rc;
}

int store_client_txn_end(struct store_client *c, uint32_t tx, bool commit)
{
	return store_client_call(c, XS_TRANSACTION_END, tx, commit ? "T" : "F", 2, NULL, 0, NULL,
				 NULL);
}

int store_client_introduce(struct store_client *c, uint32_t domid, uint64_t mfn, uint32_t port)
{
	char buf[96];
	int n = snprintf(buf, sizeof(buf), "%u%c%" PRIu64 "%c%u", domid, 0, mfn, 0, port);

	return store_client_call(c, XS_INTRODUCE, 0, buf, (size_t)n + 1, NULL, 0, NULL, NULL);
}

int store_client_release(struct store_client *c, uint32_t domid)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%u", domid);

	return store_client_call(c, XS_RELEASE, 0, buf, (size_t)n + 1, NULL, 0, NULL, NULL);
}
