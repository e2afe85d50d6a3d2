/*
 * dyad dump-core DOMAIN FILE (xl dump-core): write the domain's memory and
 * vCPU registers to FILE as an ELF core that gdb opens next to the guest
 * image (dom0/coredump.h).  A running domain is paused for the dump and
 * unpaused after it; one that was paused already, or has shut down or
 * crashed, is left as it was.
 */
#include "cli.h"
#include "coredump.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* Pause domid unless it is stopped already; *paused says whether we did. */
static int dumpcore_pause(struct ctl_client *c, uint32_t domid, const char *dom, bool *paused)
{
	struct dyad_ctl_dominfo info;
	int rc = ctl_info(c, domid, &info);

	*paused = false;
	if (rc)
		return cli_err("cannot get the state of domain '%s': %s", dom, strerror(-rc));
	if (info.state != DYAD_DOMAIN_STATE_RUNNING && info.state != DYAD_DOMAIN_STATE_BLOCKED)
		return 0;
	rc = ctl_pause(c, domid);
	/* -ETIMEDOUT: the pause is in effect but a vCPU did not stop: undo it. */
	if (rc == -ETIMEDOUT && ctl_unpause(c, domid))
		cli_err("cannot unpause domain '%s' after the failed pause", dom);
	if (rc)
		return cli_err("cannot pause domain '%s' for the dump: %s", dom,
			       rc == -ETIMEDOUT ? "a vCPU did not stop in time" : strerror(-rc));
	*paused = true;
	return 0;
}

static int dumpcore_run(struct ctl_client *c, const char *dom, const char *file)
{
	char err[PATH_MAX + 128] = "";
	uint32_t domid;
	bool paused;
	int rc, code;

	if (cli_domain(c, dom, &domid) || dumpcore_pause(c, domid, dom, &paused))
		return 1;
	rc = coredump_domain(c, domid, file, err, sizeof(err));
	code = rc ? cli_err("dump-core of domain '%s' failed: %s", dom, err) : 0;
	if (paused) {
		rc = ctl_unpause(c, domid);
		if (rc)
			code = cli_err("cannot unpause domain '%s' after the dump: %s", dom,
				       strerror(-rc));
	}
	return code;
}

int cli_cmd_dump_core(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ctl_client *c;
	int code = 1;

	while (cli_getopt(cmd, argc, argv, "h", longopts, &code) != -1)
		return code;
	if (argc - optind != 2)
		return cli_usage_error(cmd, argc - optind < 2 ? "missing domain or file"
							      : "too many arguments");
	c = cli_core();
	if (!c)
		return 1;
	return dumpcore_run(c, argv[optind], argv[optind + 1]);
}
