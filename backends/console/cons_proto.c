/*
 * Validation of console.sock messages (see cons_proto.h): both ends run
 * every received datagram through cons_proto_check() before reading a
 * field, so a size is checked once, here, against one table.
 */
#include "cons_proto.h"

#include <errno.h>
#include <string.h>

/* Payload size per type: min..max bytes. */
static const struct {
	uint32_t min, max;
} cons_proto_sizes[] = {
	[CONS_MSG_ATTACH] = {sizeof(struct cons_msg_attach), sizeof(struct cons_msg_attach)},
	[CONS_MSG_INPUT] = {1, CONS_PROTO_INPUT_MAX},
	[CONS_MSG_ATTACHED] = {sizeof(struct cons_msg_attached), sizeof(struct cons_msg_attached)},
	[CONS_MSG_DATA] = {sizeof(struct cons_msg_data) + 1,
			   sizeof(struct cons_msg_data) + CONS_PROTO_DATA_MAX},
	[CONS_MSG_END] = {sizeof(struct cons_msg_end), sizeof(struct cons_msg_end)},
};

int cons_proto_check(const void *msg, size_t total, const char **what)
{
	struct cons_msg_hdr h;

	if (total < sizeof(h)) {
		*what = "message shorter than its header";
		return -EPROTO;
	}
	memcpy(&h, msg, sizeof(h));
	if (h.magic != CONS_PROTO_MAGIC || h.version != CONS_PROTO_VERSION) {
		*what = "bad magic or version";
		return -EPROTO;
	}
	if (h.type == 0 || h.type >= sizeof(cons_proto_sizes) / sizeof(cons_proto_sizes[0])) {
		*what = "unknown message type";
		return -EPROTO;
	}
	if (h.len != total - sizeof(h) || h.len < cons_proto_sizes[h.type].min ||
	    h.len > cons_proto_sizes[h.type].max) {
		*what = "wrong payload size for its type";
		return -EMSGSIZE;
	}
	*what = NULL;
	return 0;
}

void cons_proto_hdr(struct cons_msg_hdr *hdr, uint16_t type, uint32_t len)
{
	*hdr = (struct cons_msg_hdr){
		.magic = CONS_PROTO_MAGIC, .version = CONS_PROTO_VERSION, .type = type, .len = len};
}
