/*
 * Non-blocking reads of a domain's console_io stream (see cons_io.h).
 */
#include "cons_io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl_msg.h"
#include "ipc.h"

/* One reply datagram, aligned for the header and the structs after it. */
union cons_io_buf {
	struct dyad_ctl_hdr hdr;
	uint64_t align;
	unsigned char bytes[DYAD_CTL_MAX_MSG];
};

int cons_io_open(struct cons_io *io, const char *rundir, uint32_t domid, uint64_t offset)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/hv.sock", rundir), rc;

	memset(io, 0, sizeof(*io));
	io->fd = -1;
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	rc = ipc_connect(path, &io->fd);
	if (rc)
		return rc;
	if (fcntl(io->fd, F_SETFL, O_NONBLOCK) < 0) {
		rc = -errno;
		cons_io_close(io);
		return rc;
	}
	io->domid = domid;
	io->next = offset;
	return 0;
}

int cons_io_request(struct cons_io *io)
{
	struct {
		struct dyad_ctl_hdr hdr;
		struct dyad_ctl_read rd;
	} msg = {
		.hdr = {.magic = DYAD_CTL_MAGIC,
			.version = DYAD_CTL_VERSION,
			.type = DYAD_CTL_CONSOLE_READ,
			.len = sizeof(struct dyad_ctl_read),
			.seq = ++io->seq},
		.rd = {.domid = io->domid, .flags = DYAD_READ_F_WAIT, .offset = io->next},
	};
	_Static_assert(sizeof(msg) == sizeof(msg.hdr) + sizeof(msg.rd), "no padding");

	return ipc_send(io->fd, &msg, sizeof(msg), NULL, 0);
}

/* Validate a reply in b (total bytes) and return its data header. */
static int cons_io_check(const struct cons_io *io, const union cons_io_buf *b, size_t total,
			 const struct dyad_ctl_data **out)
{
	const struct dyad_ctl_data *d = (const void *)(b->bytes + sizeof(b->hdr));
	const char *what;
	int rc = ctl_msg_check_reply(&b->hdr, total, DYAD_CTL_CONSOLE_READ, &what);

	if (rc)
		return rc;
	if (b->hdr.type == DYAD_CTL_EVENT || b->hdr.seq != io->seq)
		return -EPROTO;
	if (d->st.status)
		return d->st.status < 0 ? d->st.status : -EPROTO;
	if (d->len > b->hdr.len - sizeof(*d) || d->len > DYAD_CTL_READ_MAX ||
	    d->next - d->offset != d->len)
		return -EPROTO;
	*out = d;
	return 0;
}

int cons_io_receive(struct cons_io *io, void *buf, size_t cap, size_t *n)
{
	static union cons_io_buf b; /* single-threaded daemon; 64 KiB off the stack */
	const struct dyad_ctl_data *d;
	ssize_t r = ipc_recv(io->fd, b.bytes, sizeof(b.bytes), NULL, NULL);
	int rc;

	*n = 0;
	if (r == 0)
		return -ECONNRESET;
	if (r < 0)
		return (int)r;
	rc = cons_io_check(io, &b, (size_t)r, &d);
	if (rc)
		return rc;
	if (d->len > cap)
		return -EMSGSIZE;
	if (d->offset > io->next)
		io->lost += d->offset - io->next;
	memcpy(buf, d + 1, d->len);
	*n = d->len;
	io->next = d->next;
	io->eof = (d->flags & DYAD_DATA_F_EOF) != 0;
	return 0;
}

void cons_io_close(struct cons_io *io)
{
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
}
