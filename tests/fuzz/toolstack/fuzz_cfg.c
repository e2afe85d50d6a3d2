/*
 * libFuzzer target for the xl.cfg parser: arbitrary bytes as a config file,
 * through syntax and meaning.  Relative kernel paths resolve against a
 * directory that does not exist, so the only file-system access is a
 * failing stat.
 */
#include "cfg.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_text t = {"fuzz.cfg", "/nonexistent-dyad-fuzz", (const char *)data, size};
	struct dyad_domain_config cfg;
	char err[1024];

	if (cfg_parse_texts(&t, 1, &cfg, NULL, NULL, err, sizeof(err)) == 0 &&
	    strnlen(cfg.name, sizeof(cfg.name)) == sizeof(cfg.name))
		__builtin_trap(); /* a parsed name is always NUL-terminated */
	return 0;
}
