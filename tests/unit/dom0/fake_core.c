/*
 * The scripted fake core used by the ctl_client tests (see fake_core.h).
 */
#include "fake_core.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc.h"

void fake_core_start(struct fake_core *f)
{
	char sock[128];

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/dyad-ut.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(sock, sizeof(sock), "%s/hv.sock", f->dir);
	ck_assert_int_eq(ipc_listen(sock, &f->listen_fd), 0);
	ck_assert_int_eq(ctl_client_open(f->dir, &f->client), 0);
	f->fd = accept(f->listen_fd, NULL, NULL);
	ck_assert_int_ge(f->fd, 0);
}

void fake_core_stop(struct fake_core *f)
{
	char sock[128];

	ctl_client_close(f->client);
	if (f->fd >= 0)
		close(f->fd);
	close(f->listen_fd);
	snprintf(sock, sizeof(sock), "%s/hv.sock", f->dir);
	unlink(sock);
	rmdir(f->dir);
}

void fake_core_raw(struct fake_core *f, const void *msg, size_t len)
{
	ck_assert_int_eq(ipc_send(f->fd, msg, len, NULL, 0), 0);
}

static size_t fake_core_build(unsigned char *msg, uint16_t type, uint32_t seq, int32_t status,
			      const void *body, size_t body_len)
{
	struct dyad_ctl_status st = {.status = status};
	struct dyad_ctl_hdr hdr = {.magic = DYAD_CTL_MAGIC,
				   .version = DYAD_CTL_VERSION,
				   .type = (uint16_t)(type | DYAD_CTL_REPLY),
				   .len = (uint32_t)(sizeof(st) + body_len),
				   .seq = seq};

	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), &st, sizeof(st));
	if (body_len)
		memcpy(msg + sizeof(hdr) + sizeof(st), body, body_len);
	return sizeof(hdr) + sizeof(st) + body_len;
}

void fake_core_reply(struct fake_core *f, uint16_t type, uint32_t seq, int32_t status,
		     const void *body, size_t body_len)
{
	static unsigned char msg[DYAD_CTL_MAX_MSG];

	ck_assert_uint_le(body_len, sizeof(msg) - 24);
	fake_core_raw(f, msg, fake_core_build(msg, type, seq, status, body, body_len));
}

void fake_core_reply_fd(struct fake_core *f, uint16_t type, uint32_t seq, int32_t status,
			const void *body, size_t body_len, int fd)
{
	static unsigned char msg[DYAD_CTL_MAX_MSG];
	size_t len = fake_core_build(msg, type, seq, status, body, body_len);

	ck_assert_int_eq(ipc_send(f->fd, msg, len, &fd, 1), 0);
}

void fake_core_reply_fds(struct fake_core *f, uint16_t type, uint32_t seq, int32_t status,
			 const void *body, size_t body_len, const int *fds, int nfds)
{
	static unsigned char msg[DYAD_CTL_MAX_MSG];
	size_t len = fake_core_build(msg, type, seq, status, body, body_len);

	ck_assert_int_eq(ipc_send(f->fd, msg, len, fds, nfds), 0);
}

void fake_core_event(struct fake_core *f, uint32_t kind, uint32_t domid, const char *name)
{
	struct {
		struct dyad_ctl_hdr hdr;
		struct dyad_ctl_event ev;
	} m;

	memset(&m, 0, sizeof(m));
	m.hdr = (struct dyad_ctl_hdr){.magic = DYAD_CTL_MAGIC,
				      .version = DYAD_CTL_VERSION,
				      .type = DYAD_CTL_EVENT,
				      .len = sizeof(m.ev)};
	m.ev.kind = kind;
	m.ev.domid = domid;
	if (name)
		memcpy(m.ev.name, name, strnlen(name, sizeof(m.ev.name)));
	fake_core_raw(f, &m, sizeof(m));
}

size_t fake_core_request(struct fake_core *f, struct dyad_ctl_hdr *hdr, void *payload, size_t cap)
{
	static unsigned char msg[DYAD_CTL_MAX_MSG];
	ssize_t r = ipc_recv(f->fd, msg, sizeof(msg), NULL, NULL);

	ck_assert_int_ge(r, (ssize_t)sizeof(*hdr));
	memcpy(hdr, msg, sizeof(*hdr));
	ck_assert_uint_eq(hdr->len, (size_t)r - sizeof(*hdr));
	ck_assert_uint_le(hdr->len, cap);
	memcpy(payload, msg + sizeof(*hdr), hdr->len);
	return hdr->len;
}
