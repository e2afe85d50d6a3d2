/*
 * The protocol of dyad-consoled's client socket, RUNDIR/console.sock
 * (documented with examples in backends/console/README.md).
 *
 * UNIX SOCK_SEQPACKET (lib/ipc.h): one datagram is one message, a
 * cons_msg_hdr then exactly hdr.len payload bytes.  Only uid 0 may connect
 * (SO_PEERCRED), like every Dyad socket.  A connection first sends ATTACH;
 * the daemon answers ATTACHED (status 0 or -errno), then DATA messages from
 * the requested point on, live, and END when the domain is gone and its
 * last byte was sent.  INPUT messages carry keyboard bytes for the guest.
 * Fixed-width fields, explicit padding: daemon and CLI may be built apart.
 */
#ifndef DYAD_CONS_PROTO_H
#define DYAD_CONS_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define CONS_PROTO_MAGIC     0x434f4e53u /* "CONS" */
#define CONS_PROTO_VERSION   1u
#define CONS_PROTO_DATA_MAX  8192u /* bytes in one DATA message */
#define CONS_PROTO_INPUT_MAX 1024u /* bytes in one INPUT message */
#define CONS_PROTO_NAME_MAX  64u   /* = DYAD_NAME_MAX */
#define CONS_PROTO_MSG_MAX   (sizeof(struct cons_msg_hdr) + 8u + CONS_PROTO_DATA_MAX)

enum cons_msg_type {
	CONS_MSG_ATTACH = 1, /* client: cons_msg_attach */
	CONS_MSG_INPUT,	     /* client: 1..CONS_PROTO_INPUT_MAX bytes for the guest */
	CONS_MSG_ATTACHED,   /* daemon: cons_msg_attached */
	CONS_MSG_DATA,	     /* daemon: cons_msg_data + 1..CONS_PROTO_DATA_MAX bytes */
	CONS_MSG_END,	     /* daemon: cons_msg_end */
};

struct cons_msg_hdr {
	uint32_t magic;	  /* CONS_PROTO_MAGIC */
	uint16_t version; /* CONS_PROTO_VERSION */
	uint16_t type;	  /* enum cons_msg_type */
	uint32_t len;	  /* payload bytes that follow */
	uint32_t pad;
};

/* Replay from the domain's first byte still in the log (offset ignored). */
#define CONS_ATTACH_F_DOMAIN_START (1u << 0)
/* Replay from the current end: live output only (offset ignored). */
#define CONS_ATTACH_F_END (1u << 1)

struct cons_msg_attach {
	uint32_t domid;
	uint32_t flags;	 /* CONS_ATTACH_F_* */
	uint64_t offset; /* log stream offset to replay from (older: the oldest kept) */
};

#define CONS_ATTACHED_F_RING (1u << 0) /* the console ring is connected: input works */

struct cons_msg_attached {
	int32_t status;	       /* 0 or -errno (-ESRCH: no such domain) */
	uint32_t flags;	       /* CONS_ATTACHED_F_* */
	uint64_t oldest;       /* first stream offset still in the log */
	uint64_t domain_start; /* stream offset of this domain's first byte */
	uint64_t end;	       /* stream offset after the last byte logged so far */
	char name[CONS_PROTO_NAME_MAX];
};

struct cons_msg_data {
	uint64_t offset; /* stream offset of the first byte (a jump = bytes rotated away) */
};

enum cons_end_reason {
	CONS_END_GONE = 1, /* the domain was destroyed; the log is closed */
	CONS_END_SHUTDOWN, /* the daemon is stopping */
};

struct cons_msg_end {
	uint32_t reason; /* enum cons_end_reason */
	uint32_t pad;
};

_Static_assert(sizeof(struct cons_msg_hdr) == 16, "cons_msg_hdr layout");
_Static_assert(sizeof(struct cons_msg_attach) == 16, "cons_msg_attach layout");
_Static_assert(sizeof(struct cons_msg_attached) == 32 + CONS_PROTO_NAME_MAX,
	       "cons_msg_attached layout");
_Static_assert(sizeof(struct cons_msg_data) == 8, "cons_msg_data layout");

/*
 * Check a received message (total bytes) against its type's size rule;
 * 0 or -EPROTO/-EMSGSIZE with *what saying what was wrong.
 */
int cons_proto_check(const void *msg, size_t total, const char **what)
	__attribute__((warn_unused_result));

/* Build a message header into hdr. */
void cons_proto_hdr(struct cons_msg_hdr *hdr, uint16_t type, uint32_t len);

#endif /* DYAD_CONS_PROTO_H */
