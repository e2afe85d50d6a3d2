/*
 * dyad destroy, pause, unpause: one control operation on one domain, named
 * by name or id.  destroy also removes the domain's record, so dyad-dom0
 * applies no on_* policy to a domain destroyed on purpose (xl destroy), and
 * removes its nodes from the store and releases it there (libxl's destroy).
 * The store does the same by itself when the core reports the domain gone,
 * so a store that is down only earns a warning.
 */
#include "cli.h"
#include "domain_store.h"
#include "libdyad.h"
#include "store_client.h"

#include <errno.h>
#include <string.h>

struct control_op {
	const char *verb;
	int (*call)(struct ctl_client *c, uint32_t domid);
};

static int control_run(const struct cli_cmd *cmd, int argc, char **argv,
		       const struct control_op *op)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ctl_client *c;
	uint32_t domid;
	int opt, code = 1, rc;

	while ((opt = cli_getopt(cmd, argc, argv, "h", longopts, &code)) != -1)
		return code;
	if (argc - optind != 1)
		return cli_usage_error(cmd,
				       optind >= argc ? "missing domain" : "too many arguments");
	c = cli_core();
	if (!c || cli_domain(c, argv[optind], &domid))
		return 1;
	rc = op->call(c, domid);
	if (rc == -ESRCH)
		return cli_err("domain '%s' does not exist", argv[optind]);
	if (rc)
		return cli_err("cannot %s domain '%s': %s", op->verb, argv[optind], strerror(-rc));
	return 0;
}

void cli_store_forget(uint32_t domid)
{
	struct store_client *s;
	char why[512];
	int rc = domain_store_open(&s, 0, why, sizeof(why));

	if (rc) {
		cli_err("warning: domain %u: not released in the store: %s", domid, why);
		return;
	}
	rc = domain_store_remove(s, domid);
	if (rc)
		cli_err("warning: domain %u: releasing it in the store: %s", domid, strerror(-rc));
	store_client_close(s);
}

static int control_destroy(struct ctl_client *c, uint32_t domid)
{
	int rc = ctl_destroy(c, domid);

	if (rc == 0) {
		dyad_record_remove(domid);
		cli_store_forget(domid);
	}
	return rc;
}

int cli_cmd_destroy(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct control_op op = {"destroy", control_destroy};

	return control_run(cmd, argc, argv, &op);
}

int cli_cmd_pause(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct control_op op = {"pause", ctl_pause};

	return control_run(cmd, argc, argv, &op);
}

int cli_cmd_unpause(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct control_op op = {"unpause", ctl_unpause};

	return control_run(cmd, argc, argv, &op);
}
