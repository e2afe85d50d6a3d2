/*
 * The meaning of an xl.cfg domain configuration: the settings parsed by
 * cfg_parse.c become a struct dyad_domain_config, each key checked against
 * its type and range.  Errors have one format, naming where the offending
 * setting came from:
 *
 *   FILE:LINE: syntax error: WHAT        (cfg_parse.c)
 *   FILE:LINE: KEY: WHAT                  a setting with a bad value
 *   FILE: KEY: required setting missing   a required key that is absent
 *   FILE: WHAT                            the file itself (cannot be read)
 *
 * Warnings (unknown keys, ignored keys) are "FILE:LINE: warning: KEY: WHAT".
 * Command-line overrides (dyad create CFG key=value ...) are parsed with the
 * same parser as the text "<command line>", one override per line; a value
 * that does not start like an xl.cfg value (quote, digit, '[') is taken as a
 * literal string there, so `name=web-1` means `name="web-1"`.
 */
#ifndef DYAD_CFG_H
#define DYAD_CFG_H

#include <stddef.h>

#include "libdyad.h"

#define CFG_CMDLINE_FILE "<command line>"

/* Receives each warning line (no trailing newline). */
typedef void (*cfg_warn_fn)(const char *msg, void *opaque);

struct cfg_text {
	const char *file;    /* name in messages */
	const char *basedir; /* relative kernel paths resolve against it */
	const char *text;
	size_t len;
};

/*
 * Parse the texts in order (later settings win) into *out.  0, or -errno
 * with err holding one line in the format above.  warn may be NULL.
 */
int cfg_parse_texts(const struct cfg_text *texts, size_t n, struct dyad_domain_config *out,
		    cfg_warn_fn warn, void *opaque, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Read the file at path, then the overrides ("key=value" each), and parse
 * them as above.  Relative kernel paths in the file resolve against the
 * file's directory, those in overrides against the working directory.
 */
int cfg_load(const char *path, char *const *overrides, size_t n_overrides,
	     struct dyad_domain_config *out, cfg_warn_fn warn, void *opaque, char *err,
	     size_t errlen) __attribute__((warn_unused_result));

#endif /* DYAD_CFG_H */
