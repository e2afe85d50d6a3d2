/*
 * dyad create: parse an xl.cfg file (plus key=value overrides), build the
 * domain and start it; with -c, stay attached to its console.  Messages
 * follow xl: "Parsing config from CFG" and "Started domain NAME (id=N)" go
 * to stderr, so that with -c stdout carries nothing but the guest's output.
 */
#include "cfg.h"
#include "cli.h"
#include "libdyad.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void create_warn(const char *msg, void *opaque)
{
	(void)opaque;
	cli_err("%s", msg);
}

int cli_cmd_create(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"console", no_argument, NULL, 'c'},
		{"paused", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct dyad_domain_config cfg;
	bool console = false, paused = false;
	struct ctl_client *c;
	char err[1024];
	uint32_t domid;
	int opt, code = 1;

	while ((opt = cli_getopt(cmd, argc, argv, "cph", longopts, &code)) != -1) {
		if (opt == 'c')
			console = true;
		else if (opt == 'p')
			paused = true;
		else
			return code;
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "missing config file");
	for (int i = optind + 1; i < argc; i++)
		if (!strchr(argv[i], '='))
			return cli_usage_error(cmd, "'%s' is not a key=value setting", argv[i]);
	fprintf(stderr, "Parsing config from %s\n", argv[optind]);
	if (cfg_load(argv[optind], argv + optind + 1, (size_t)(argc - optind - 1), &cfg,
		     create_warn, NULL, err, sizeof(err)))
		return cli_err("%s", err);
	c = cli_core();
	if (!c)
		return 1;
	if (dyad_domain_build(c, &cfg, DYAD_BUILD_F_WAIT_STORE | (paused ? DYAD_BUILD_F_PAUSED : 0),
			      &domid, err, sizeof(err)))
		return cli_err("cannot create domain '%s': %s", cfg.name, err);
	fprintf(stderr, "Started domain %s (id=%u)\n", cfg.name, domid);
	return console ? cli_console_follow(c, domid, true) : 0;
}
