/*
 * A stand-in dyad-hv for the supervisor test: serves RUNDIR/hv.sock with
 * just enough of the protocol for dyad-dom0 (subscribe, an empty list),
 * writes RUNDIR/dyad-hv.pid like the real core, and dies on SIGTERM.
 *
 *   fake_hv --rundir DIR
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl_msg.h"
#include "ipc.h"

#define FAKE_HV_CONNS 16

static void fake_hv_answer(int fd)
{
	union {
		struct dyad_ctl_hdr hdr;
		unsigned char bytes[DYAD_CTL_MAX_MSG];
	} m;
	struct dyad_ctl_list list = {.st = {0, 0}, .count = 0};
	struct dyad_ctl_status st = {.status = -ENOSYS};
	const void *body = &st;
	size_t len = sizeof(st);
	ssize_t r = ipc_recv(fd, m.bytes, sizeof(m.bytes), NULL, NULL);

	if (r < (ssize_t)sizeof(m.hdr))
		return;
	if (m.hdr.type == DYAD_CTL_SUBSCRIBE)
		st.status = 0;
	if (m.hdr.type == DYAD_CTL_LIST)
		body = &list, len = sizeof(list);
	m.hdr.type |= DYAD_CTL_REPLY;
	m.hdr.len = (uint32_t)len;
	memcpy(m.bytes + sizeof(m.hdr), body, len);
	(void)!ipc_send(fd, m.bytes, sizeof(m.hdr) + len, NULL, 0);
}

static int fake_hv_serve(int lfd)
{
	struct pollfd p[FAKE_HV_CONNS + 1] = {{.fd = lfd, .events = POLLIN}};
	unsigned int n = 1;

	for (;;) {
		if (poll(p, n, -1) < 0)
			return 1;
		for (unsigned int i = 1; i < n; i++) {
			char peek;

			if (!p[i].revents)
				continue;
			if (recv(p[i].fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
				close(p[i].fd);
				p[i--] = p[--n];
				continue;
			}
			fake_hv_answer(p[i].fd);
		}
		if ((p[0].revents & POLLIN) && n <= FAKE_HV_CONNS) {
			int fd = accept(lfd, NULL, NULL);

			if (fd >= 0)
				p[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
		}
	}
}

int main(int argc, char **argv)
{
	char sock[256], pid[256];
	FILE *f;
	int lfd;

	if (argc != 3 || strcmp(argv[1], "--rundir") != 0)
		return 2;
	snprintf(sock, sizeof(sock), "%s/hv.sock", argv[2]);
	snprintf(pid, sizeof(pid), "%s/dyad-hv.pid", argv[2]);
	if (ipc_listen(sock, &lfd))
		return 1;
	f = fopen(pid, "w");
	if (!f)
		return 1;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	return fake_hv_serve(lfd);
}
