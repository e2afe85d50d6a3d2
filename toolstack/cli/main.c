/*
 * dyad: the command-line toolstack (xl in spirit).  One table lists the
 * verbs with their usage and flags; main() finds the verb and runs it.
 * Output for people goes to stdout, errors to stderr as "dyad: ...", and
 * the exit code is 0 on success and 1 on any failure.
 */
#include "cli.h"
#include "rundir.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_cmd cli_cmds[] = {
	{"create", cli_cmd_create, "CFG [-c] [-p] [key=value ...]",
	 "Create a domain from an xl.cfg-style config file", CLI_F_CORE},
	{"list", cli_cmd_list, "[--json] [DOMAIN ...]", "List domains", CLI_F_CORE},
	{"destroy", cli_cmd_destroy, "DOMAIN", "Terminate a domain immediately", CLI_F_CORE},
	{"shutdown", cli_cmd_shutdown, "DOMAIN|-a [-w] [-F] [-t SECS]",
	 "Ask domains to shut down (-w: wait, -t: for SECS, default 60; -F: then destroy)",
	 CLI_F_CORE},
	{"reboot", cli_cmd_reboot, "DOMAIN|-a [-w] [-F] [-t SECS]",
	 "Ask domains to reboot (-w: wait, -t: for SECS, default 60; -F: then destroy)",
	 CLI_F_CORE},
	{"dump-core", cli_cmd_dump_core, "DOMAIN FILE",
	 "Write a domain's memory and vCPU registers to FILE as an ELF core (gdb)", CLI_F_CORE},
	{"pause", cli_cmd_pause, "DOMAIN", "Pause a domain's vCPUs", CLI_F_CORE},
	{"unpause", cli_cmd_unpause, "DOMAIN", "Unpause a paused domain", CLI_F_CORE},
	{"console", cli_cmd_console, "[--log] DOMAIN",
	 "Attach to a domain's console (Ctrl-] detaches; --log: print its saved log and exit)",
	 CLI_F_CORE},
	{"info", cli_cmd_info, "[--json]", "Show information about the host", CLI_F_CORE},
	{"dmesg", cli_cmd_dmesg, "", "Print the hypervisor core's log", CLI_F_CORE},
	{"domid", cli_cmd_domid, "DOMAIN-NAME", "Print a domain's id", CLI_F_CORE},
	{"domname", cli_cmd_domname, "DOMAIN-ID", "Print a domain's name", CLI_F_CORE},
	{"store", cli_cmd_store, "ls|read|write|rm|watch|perms [PATH [ARGS]]",
	 "Read and change the configuration store", 0},
	{"help", cli_cmd_help, "", "Print this list", 0},
};

#define CLI_NCMDS (sizeof(cli_cmds) / sizeof(cli_cmds[0]))

static struct ctl_client *cli_client;

int cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("dyad: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dyad: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: dyad %s%s%s\n", cmd->name, *cmd->usage ? " " : "", cmd->usage);
	return 1;
}

int cli_usage(const struct cli_cmd *cmd)
{
	printf("Usage: dyad %s%s%s\n\n%s.\n", cmd->name, *cmd->usage ? " " : "", cmd->usage,
	       cmd->summary);
	return 0;
}

int cli_getopt(const struct cli_cmd *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, int *exit_code)
{
	int opt;

	opterr = 0;
	opt = getopt_long(argc, argv, shortopts, longopts, NULL);

	if (opt == 'h') {
		*exit_code = cli_usage(cmd);
	} else if (opt == '?') {
		if (optopt && optopt != '?')
			*exit_code = cli_usage_error(cmd, "unknown option '-%c'", optopt);
		else
			*exit_code = cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
	}
	return opt;
}

struct ctl_client *cli_core(void)
{
	char err[512];
	int rc;

	if (cli_client)
		return cli_client;
	rc = rundir_ensure_services(err, sizeof(err));
	if (rc) {
		cli_err("%s", err);
		return NULL;
	}
	rc = ctl_client_open(rundir_path(), &cli_client);
	if (rc) {
		cli_err("cannot connect to the hypervisor core in %s: %s", rundir_path(),
			strerror(-rc));
		cli_client = NULL;
	}
	return cli_client;
}

void cli_core_close(void)
{
	if (cli_client)
		ctl_client_close(cli_client);
	cli_client = NULL;
}

int cli_domain(struct ctl_client *c, const char *name_or_id, uint32_t *domid)
{
	int rc = ctl_lookup(c, name_or_id, domid);

	if (rc == -ESRCH || rc == -EINVAL)
		return cli_err("domain '%s' does not exist", name_or_id);
	if (rc)
		return cli_err("looking up domain '%s': %s", name_or_id, strerror(-rc));
	return 0;
}

int cli_cmd_help(const struct cli_cmd *cmd, int argc, char **argv)
{
	FILE *out = cmd ? stdout : stderr;

	(void)argc;
	(void)argv;
	fprintf(out, "Usage: dyad <command> [args]\n\nCommands:\n");
	for (size_t i = 0; i < CLI_NCMDS; i++)
		if (!(cli_cmds[i].flags & CLI_F_HIDDEN))
			fprintf(out, "  %-10s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
	fprintf(out,
		"\nRun 'dyad <command> -h' for a command's arguments.\n"
		"The run directory is %s (set DYAD_RUNDIR to change it).\n",
		rundir_path());
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		cli_cmd_help(NULL, 0, NULL);
		return 1;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cli_cmd_help(&cli_cmds[CLI_NCMDS - 1], 0, NULL);
	for (size_t i = 0; i < CLI_NCMDS; i++) {
		if (strcmp(argv[1], cli_cmds[i].name) == 0) {
			rc = cli_cmds[i].run(&cli_cmds[i], argc - 1, argv + 1);
			cli_core_close();
			return rc;
		}
	}
	cli_err("unknown command '%s' (try 'dyad help')", argv[1]);
	return 1;
}
