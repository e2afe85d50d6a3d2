/*
 * Fuzz target: arbitrary bytes as control messages into the control
 * dispatcher, over a socketpair, with the fake KVM (no /dev/kvm needed).
 *
 * Input format: a sequence of records [u16 little-endian length][bytes],
 * each handed to control_handle_message() as one datagram, so a single
 * input can create a domain and then poke at it.  The last record takes
 * whatever bytes remain.  Every domain is destroyed after each input, so
 * inputs do not leak state into each other.
 */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control.h"
#include "dmesg.h"
#include "ipc.h"
#include "domain.h"
#include "log.h"
#include "notify.h"
#include "vcpu.h"

#define FUZZ_MAX_RECORDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_once(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	log_init("fuzz", LOG_LEVEL_ERR);
	if (vcpu_signals_init() || notify_init() || dmesg_init())
		__builtin_trap();
}

/* Read and drop every reply (closing any passed memfd) so the socket never fills. */
static void fuzz_drain(int fd)
{
	static uint8_t buf[DYAD_CTL_MAX_MSG];

	while (ipc_recv(fd, buf, sizeof(buf), NULL, NULL) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_conn *c;
	int sv[2];

	fuzz_once();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv))
		return 0;
	c = control_conn_new(sv[0], true);
	for (int r = 0; r < FUZZ_MAX_RECORDS && size >= 2; r++) {
		size_t len = (size_t)data[0] | (size_t)data[1] << 8;

		data += 2, size -= 2;
		if (len > size || r == FUZZ_MAX_RECORDS - 1)
			len = size;
		control_handle_message(c, data, len);
		control_service();
		fuzz_drain(sv[1]);
		data += len, size -= len;
	}
	domain_destroy_all();
	control_service();
	fuzz_drain(sv[1]);
	control_conn_free(c);
	close(sv[1]);
	return 0;
}
