/*
 * The guest-image loader: a Dyad guest is a static x86-64 ELF executable
 * with identity-mapped PT_LOAD segments at or above DYAD_BOOT_IMAGE and a
 * PT_NOTE "Dyad"/DYAD_ELFNOTE_BOOT that gives its entry point and flags
 * (hypervisor/public/dyad/abi.h).  The file is untrusted input: every field
 * used is checked before use, and a bad image gets one line naming what is
 * wrong ("segment 1 overlaps segment 0").  Segments are numbered by their
 * program-header index.
 */
#ifndef DYAD_ELF_IMAGE_H
#define DYAD_ELF_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <dyad/abi.h>

#define ELF_MAX_PHDRS 64u
#define ELF_MAX_FILE  (256u << 20) /* bytes */

struct elf_segment {
	uint64_t paddr, memsz;	 /* [paddr, paddr + memsz) in guest RAM */
	uint64_t offset, filesz; /* bytes copied from the file */
	uint32_t flags;		 /* PF_* */
	unsigned int index;	 /* program-header index, for messages */
};

/* A validated image: borrows the file bytes it was parsed from. */
struct elf_image {
	const uint8_t *data;
	size_t size;
	struct elf_segment seg[ELF_MAX_PHDRS];
	unsigned int nseg;
	uint64_t start, end; /* lowest and highest address of the loaded image */
	struct dyad_elfnote_boot note;
};

/*
 * Validate the size bytes at data as a Dyad guest for ram_size bytes of
 * guest RAM.  0, or -ENOEXEC/-EINVAL with err naming the problem.
 */
int elf_image_parse(const void *data, size_t size, uint64_t ram_size, struct elf_image *img,
		    char *err, size_t errlen) __attribute__((warn_unused_result));

/* Copy the segments' file bytes into zero-filled ram (ram_size bytes, as parsed for). */
void elf_image_load(const struct elf_image *img, void *ram);

/* Read a whole file into *buf (malloc'd); at most ELF_MAX_FILE bytes. */
int elf_image_read_file(const char *path, uint8_t **buf, size_t *size, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif /* DYAD_ELF_IMAGE_H */
