/*
 * The JSON form of a struct dyad_domain_config: the per-domain record that
 * dyad-dom0 reads (RUNDIR/domains/<domid>.json) and the golden files of the
 * config tests.  Field names follow the config keys:
 *   { "name", "uuid", "memory_mb", "vcpus", "kernel", "cmdline",
 *     "on_poweroff", "on_reboot", "on_crash" }
 */
#ifndef DYAD_RECORD_H
#define DYAD_RECORD_H

#include <stddef.h>

#include "libdyad.h"

/* Pretty-printed JSON text (malloc'd, caller frees), or NULL on ENOMEM. */
char *record_to_json(const struct dyad_domain_config *cfg);
/*
 * Parse and validate JSON text: every field present with the right type and
 * range (the file is ours, but it is read back as input).  0 or -EINVAL with
 * err naming the field.
 */
int record_from_json(const char *text, struct dyad_domain_config *cfg, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif /* DYAD_RECORD_H */
