/*
 * libFuzzer target for the guest-image loader: arbitrary bytes are parsed
 * as a Dyad guest for 4 MiB of RAM and, when valid, loaded into it.  The
 * RAM is allocated once; a load may only ever write inside it (ASan would
 * catch a byte outside).
 */
#include "elf_image.h"

#include <stdint.h>
#include <stdlib.h>

#define FUZZ_RAM (4ull << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct elf_image img;
	char err[256];

	if (!ram && !(ram = malloc(FUZZ_RAM)))
		abort();
	if (elf_image_parse(data, size, FUZZ_RAM, &img, err, sizeof(err)) == 0)
		elf_image_load(&img, ram);
	return 0;
}
