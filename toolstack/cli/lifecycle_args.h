/*
 * The arguments of dyad shutdown and dyad reboot (xl's, plus -t):
 *   DOMAIN | -a     which domains
 *   -w              wait until each has shut down (reboot: its old id is gone)
 *   -t SECS         how long to wait, 1..86400, default 60; implies -w
 *   -F              after the timeout, destroy the domain; implies -w
 * Parsed without printing, so that the rules are tested on their own.
 */
#ifndef DYAD_CLI_LIFECYCLE_ARGS_H
#define DYAD_CLI_LIFECYCLE_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define LIFECYCLE_DEFAULT_TIMEOUT_S 60u
#define LIFECYCLE_MAX_TIMEOUT_S	    86400u

struct lifecycle_args {
	bool help;  /* -h / --help: print the usage, nothing else */
	bool all;   /* -a */
	bool wait;  /* -w, -t or -F */
	bool force; /* -F */
	unsigned int timeout_s;
	const char *domain; /* NULL with -a */
};

/*
 * Parse argv[1..argc) (argv[0] is the verb).  0, or -EINVAL with err holding
 * the problem as the usage error prints it ("missing domain", "unknown
 * option '-x'", "-t: 'abc' is not a number of seconds (1..86400)", ...).
 */
int lifecycle_args_parse(int argc, char **argv, struct lifecycle_args *out, char *err,
			 size_t errlen) __attribute__((warn_unused_result));

#endif /* DYAD_CLI_LIFECYCLE_ARGS_H */
