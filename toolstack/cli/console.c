/*
 * dyad console: print a domain's console_io output from its first kept
 * byte and follow it live until the domain is gone (or Ctrl-C); with --log,
 * print what there is and exit.  Reads are
 * parked in the core (DYAD_READ_F_WAIT) until bytes arrive, so following an
 * idle guest costs nothing.  The end is the core's EOF flag (the domain
 * has shut down, crashed or been destroyed, and every byte has been read)
 * or an unknown domain (destroyed between two reads).
 */
#include "cli.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int console_write(const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t r = write(STDOUT_FILENO, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int cli_console_follow(struct ctl_client *c, uint32_t domid, bool follow)
{
	struct dyad_ctl_data hdr;
	uint64_t off = 0;
	uint8_t *buf = malloc(DYAD_CTL_READ_MAX);
	int rc = 0;

	if (!buf)
		return cli_err("out of memory");
	for (;;) {
		rc = ctl_read_stream(c, DYAD_CTL_CONSOLE_READ, domid, off,
				     follow ? DYAD_READ_F_WAIT : 0, buf, DYAD_CTL_READ_MAX, &hdr);
		if (rc || hdr.len > DYAD_CTL_READ_MAX)
			break;
		if (console_write(buf, hdr.len) < 0) {
			rc = -EPIPE;
			break;
		}
		off = hdr.next;
		if ((hdr.flags & DYAD_DATA_F_EOF) || (!follow && hdr.len == 0))
			break;
	}
	free(buf);
	if (rc == -ESRCH || rc == 0)
		return 0;
	return rc == -EPIPE ? 1
			    : cli_err("reading the console of domain %u: %s", domid, strerror(-rc));
}

int cli_cmd_console(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"log", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ctl_client *c;
	bool follow = true;
	uint32_t domid;
	int opt, code = 1;

	while ((opt = cli_getopt(cmd, argc, argv, "h", longopts, &code)) != -1) {
		if (opt != 'l')
			return code;
		follow = false;
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "missing domain");
	if (argc - optind > 1)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	c = cli_core();
	if (!c || cli_domain(c, argv[optind], &domid))
		return 1;
	return cli_console_follow(c, domid, follow);
}
