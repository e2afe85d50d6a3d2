/*
 * Shared pieces of the dyad command-line tool: the command table entry,
 * the uniform error and usage-error output ("dyad: ..." on stderr, exit 1),
 * option parsing, and the lazily opened connection to the core (started
 * through dyad-dom0 when it is not running).
 */
#ifndef DYAD_CLI_H
#define DYAD_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "ctl_client.h"

#define CLI_F_CORE   (1u << 0) /* talks to the core (starts the services if needed) */
#define CLI_F_HIDDEN (1u << 1) /* not listed by dyad help */

struct cli_cmd {
	const char *name;
	int (*run)(const struct cli_cmd *cmd, int argc, char **argv); /* exit code */
	const char *usage;					      /* arguments after the verb */
	const char *summary;
	unsigned int flags;
};

/* "dyad: MSG" on stderr; returns 1, the failure exit code. */
int cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "dyad: VERB: MSG" then "Usage: dyad VERB USAGE" on stderr; returns 1. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "Usage: dyad VERB USAGE" on stdout (for -h); returns 0. */
int cli_usage(const struct cli_cmd *cmd);

/*
 * getopt_long with dyad's messages and -h/--help handled: returns the option,
 * -1 at the end of the options, or 'h'/'?' (the caller returns
 * cli_usage/the usage error already printed: *exit_code holds the code).
 */
int cli_getopt(const struct cli_cmd *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, int *exit_code);

/*
 * The connection to the core, opened on first use: rundir_ensure_services()
 * then ctl_client_open().  On failure prints the reason and returns NULL.
 */
struct ctl_client *cli_core(void);
void cli_core_close(void);

/* Resolve a domain name or id; prints "dyad: domain 'X' does not exist". 0 or 1. */
int cli_domain(struct ctl_client *c, const char *name_or_id, uint32_t *domid);

/*
 * Print a domain's console output from offset 0; with follow, keep printing
 * as it comes until the domain can write no more.  Returns the exit code.
 */
int cli_console_follow(struct ctl_client *c, uint32_t domid, bool follow);

/*
 * Remove a destroyed domain's nodes from the store and release it there;
 * a store that is down or refuses gets a warning, not a failure.
 */
void cli_store_forget(uint32_t domid);

/* The verbs, one file per family. */
int cli_cmd_create(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_console(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_list(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_domid(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_domname(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_info(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_dmesg(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_destroy(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_dump_core(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_pause(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_unpause(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_shutdown(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_reboot(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_store(const struct cli_cmd *cmd, int argc, char **argv);
int cli_cmd_help(const struct cli_cmd *cmd, int argc, char **argv);

#endif /* DYAD_CLI_H */
