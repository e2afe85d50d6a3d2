/*
 * Client of dyad-consoled's socket (see cons_cli.h).
 */
#include "cons_cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ipc.h"

int cons_cli_open(const char *rundir, int *fd)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/console.sock", rundir);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return ipc_connect(path, fd);
}

static int cons_cli_send(int fd, uint16_t type, const void *payload, size_t len)
{
	uint8_t msg[sizeof(struct cons_msg_hdr) + CONS_PROTO_INPUT_MAX];
	struct cons_msg_hdr h;

	if (len > CONS_PROTO_INPUT_MAX)
		return -EMSGSIZE;
	cons_proto_hdr(&h, type, (uint32_t)len);
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), payload, len);
	return ipc_send(fd, msg, sizeof(h) + len, NULL, 0);
}

/* Receive one checked message into buf; returns its type or -errno. */
static int cons_cli_recv_raw(int fd, uint8_t *buf, size_t cap, uint32_t *len)
{
	struct cons_msg_hdr h;
	const char *what;
	ssize_t r = ipc_recv(fd, buf, cap, NULL, NULL);

	if (r == 0)
		return -ECONNRESET;
	if (r < 0)
		return (int)r;
	if (cons_proto_check(buf, (size_t)r, &what))
		return -EPROTO;
	memcpy(&h, buf, sizeof(h));
	*len = h.len;
	return h.type;
}

int cons_cli_attach(int fd, uint32_t domid, uint32_t flags, uint64_t offset,
		    struct cons_msg_attached *rep)
{
	struct cons_msg_attach a = {.domid = domid, .flags = flags, .offset = offset};
	uint8_t buf[CONS_PROTO_MSG_MAX];
	uint32_t len;
	int rc = cons_cli_send(fd, CONS_MSG_ATTACH, &a, sizeof(a));

	if (rc)
		return rc;
	rc = cons_cli_recv_raw(fd, buf, sizeof(buf), &len);
	if (rc < 0)
		return rc;
	if (rc != CONS_MSG_ATTACHED)
		return -EPROTO;
	memcpy(rep, buf + sizeof(struct cons_msg_hdr), sizeof(*rep));
	rep->name[sizeof(rep->name) - 1] = '\0';
	if (rep->status > 0 || rep->status < -4095)
		return -EPROTO;
	return rep->status;
}

int cons_cli_input(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		size_t n = len < CONS_PROTO_INPUT_MAX ? len : CONS_PROTO_INPUT_MAX;
		int rc = cons_cli_send(fd, CONS_MSG_INPUT, p, n);

		if (rc)
			return rc;
		p += n;
		len -= n;
	}
	return 0;
}

int cons_cli_recv(int fd, struct cons_cli_msg *m)
{
	static uint8_t buf[CONS_PROTO_MSG_MAX];
	const uint8_t *payload = buf + sizeof(struct cons_msg_hdr);
	uint32_t len;
	int type = cons_cli_recv_raw(fd, buf, sizeof(buf), &len);

	if (type < 0)
		return type;
	m->type = (uint16_t)type;
	if (type == CONS_MSG_DATA) {
		struct cons_msg_data md;

		memcpy(&md, payload, sizeof(md));
		m->offset = md.offset;
		m->len = len - (uint32_t)sizeof(md);
		memcpy(m->data, payload + sizeof(md), m->len);
		return 0;
	}
	if (type == CONS_MSG_END) {
		struct cons_msg_end e;

		memcpy(&e, payload, sizeof(e));
		m->reason = e.reason;
		return 0;
	}
	return -EPROTO;
}
