/*
 * The x86 half of the domain builder: writes the boot-time structures of
 * hypervisor/public/dyad/boot.h (start info, memory map, command line, GDT,
 * IDT, TSSes with their I/O bitmaps, identity page tables) into a new
 * domain's zero-filled RAM, and produces vCPU 0's entry state.
 */
#ifndef DYAD_BOOT_X86_H
#define DYAD_BOOT_X86_H

#include <stddef.h>
#include <stdint.h>

#include <dyad/abi.h>
#include "ctl_msg.h"

struct boot_x86_params {
	uint64_t ram_size; /* bytes, multiple of 1 MiB; a trailing partial 2 MiB is not mapped */
	uint32_t vcpus;	   /* 1 .. DYAD_MAX_VCPUS */
	struct dyad_elfnote_boot note; /* validated by the ELF loader */
	uint64_t image_end;	       /* end of the loaded image (GPA) */
	const char *cmdline;	       /* < DYAD_BOOT_CMDLINE_MAX bytes with NUL */
};

/*
 * Write everything into ram (host mapping of the whole guest RAM) and fill
 * *vcpu0.  Returns 0, or -EINVAL/-E2BIG with err naming the problem
 * (e.g. "cmdline longer than 2047 bytes").
 */
int boot_x86_build(void *ram, const struct boot_x86_params *p, struct dyad_vcpu_regs *vcpu0,
		   char *err, size_t errlen) __attribute__((warn_unused_result));

#endif /* DYAD_BOOT_X86_H */
