/*
 * Argument rules of dyad shutdown/reboot, kept apart from the verbs so the
 * unit tests drive them directly.  getopt_long is restarted on every call
 * (optind = 0 is glibc's full re-initialisation), permutes options after
 * the domain as xl's getopt does, and reports errors through err only.
 */
#include "lifecycle_args.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 3, 4))) static int lifecycle_args_fail(char *err, size_t errlen,
								     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int lifecycle_args_timeout(const char *s, unsigned int *out, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < 1 || v > LIFECYCLE_MAX_TIMEOUT_S)
		return lifecycle_args_fail(err, errlen,
					   "-t: '%s' is not a number of seconds (1..%u)", s,
					   LIFECYCLE_MAX_TIMEOUT_S);
	*out = (unsigned int)v;
	return 0;
}

static int lifecycle_args_option(int opt, const char *arg, const char *bad,
				 struct lifecycle_args *out, char *err, size_t errlen)
{
	switch (opt) {
	case 'h':
		out->help = true;
		return 0;
	case 'a':
		out->all = true;
		return 0;
	case 'w':
		out->wait = true;
		return 0;
	case 'F':
		out->force = out->wait = true;
		return 0;
	case 't':
		out->wait = true;
		return lifecycle_args_timeout(arg, &out->timeout_s, err, errlen);
	case ':':
		return lifecycle_args_fail(err, errlen, "option '%s' needs a value", bad);
	default:
		return lifecycle_args_fail(err, errlen, "unknown option '%s'", bad);
	}
}

int lifecycle_args_parse(int argc, char **argv, struct lifecycle_args *out, char *err,
			 size_t errlen)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt, rc = 0;

	memset(out, 0, sizeof(*out));
	out->timeout_s = LIFECYCLE_DEFAULT_TIMEOUT_S;
	optind = 0;
	opterr = 0;
	while (rc == 0 && !out->help &&
	       (opt = getopt_long(argc, argv, ":awFt:h", longopts, NULL)) != -1) {
		char bad[8] = {'-', (char)optopt, '\0'};

		rc = lifecycle_args_option(opt, optarg, optopt ? bad : argv[optind - 1], out, err,
					   errlen);
	}
	if (rc || out->help)
		return rc;
	if (out->all && optind < argc)
		return lifecycle_args_fail(err, errlen, "-a and a domain ('%s') together",
					   argv[optind]);
	if (!out->all && optind >= argc)
		return lifecycle_args_fail(err, errlen, "missing domain (or -a for all)");
	if (argc - optind > 1)
		return lifecycle_args_fail(err, errlen, "too many arguments");
	out->domain = out->all ? NULL : argv[optind];
	return 0;
}
