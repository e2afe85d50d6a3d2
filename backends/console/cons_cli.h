/*
 * The client side of RUNDIR/console.sock (see cons_proto.h), for the dyad
 * CLI: attach to a domain's console, receive its log and live output,
 * send input.  Every message received is checked by cons_proto_check().
 */
#ifndef DYAD_CONS_CLI_H
#define DYAD_CONS_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "cons_proto.h"

/* One received message, decoded. */
struct cons_cli_msg {
	uint16_t type;	 /* CONS_MSG_DATA or CONS_MSG_END */
	uint64_t offset; /* DATA: stream offset of data[0] */
	uint32_t len;	 /* DATA: bytes in data */
	uint32_t reason; /* END: enum cons_end_reason */
	uint8_t data[CONS_PROTO_DATA_MAX];
};

/* Connect to rundir/console.sock; 0 or -errno (-ENOENT/-ECONNREFUSED: no daemon). */
int cons_cli_open(const char *rundir, int *fd) __attribute__((warn_unused_result));
/* ATTACH and wait for ATTACHED; returns its status (e.g. -ESRCH). */
int cons_cli_attach(int fd, uint32_t domid, uint32_t flags, uint64_t offset,
		    struct cons_msg_attached *rep) __attribute__((warn_unused_result));
/* Send input, in messages of at most CONS_PROTO_INPUT_MAX bytes. */
int cons_cli_input(int fd, const void *buf, size_t len) __attribute__((warn_unused_result));
/* Wait for the next DATA or END; -ECONNRESET if the daemon went away. */
int cons_cli_recv(int fd, struct cons_cli_msg *m) __attribute__((warn_unused_result));

#endif /* DYAD_CONS_CLI_H */
