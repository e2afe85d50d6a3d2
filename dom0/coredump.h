/*
 * Guest core dumps (xl dump-core, and on_* = coredump-destroy/-restart):
 * the guest's RAM and vCPU registers as an ELF core file that gdb opens
 * next to the guest image (`gdb dyad-guest.elf dom.core`).
 *
 * Xen writes its own ELF dialect (.xen_prstatus, .xen_pages sections) that
 * needs Xen-aware tools; Dyad writes what gdb reads natively - the layout
 * of a Linux x86-64 process core:
 *   ELF header   ET_CORE, EM_X86_64
 *   PT_NOTE      NT_PRPSINFO (the domain's name), then one NT_PRSTATUS per
 *                online vCPU (pr_pid = vCPU id + 1: gdb's "LWP" of a thread)
 *   PT_LOAD      all of guest RAM, vaddr = paddr = guest-physical address
 *                (the guest runs on an identity map, boot.h)
 * RAM is written straight from the one mapping of the guest's memfd; the
 * memfd's holes (never-touched guest pages) are skipped without being
 * touched (reading them through the mapping would allocate them) and
 * all-zero chunks are left as holes too, so the file is sparse, dumping
 * does not grow the guest's memory, and no second copy of it is held.
 */
#ifndef DYAD_DOM0_COREDUMP_H
#define DYAD_DOM0_COREDUMP_H

#include <stddef.h>
#include <stdint.h>

#include <dyad/boot.h>

#include "ctl_msg.h"

struct ctl_client;

struct coredump_vcpu {
	uint32_t id;
	struct dyad_vcpu_regs regs;
};

/* Everything a core file holds; the memory is borrowed, not copied. */
struct coredump_image {
	uint32_t domid;
	char name[DYAD_NAME_MAX];
	unsigned int nr_vcpus; /* online vCPUs in vcpus[] */
	struct coredump_vcpu vcpus[DYAD_MAX_VCPUS];
	const uint8_t *mem; /* guest RAM, guest-physical [0, mem_size) */
	uint64_t mem_size;  /* bytes, a multiple of 4 KiB */
	int mem_fd;	    /* the memfd behind mem, for its holes; -1: none */
};

/* File offset of the PT_LOAD data: page-aligned, after the headers and notes. */
uint64_t coredump_load_offset(unsigned int nr_vcpus);

/*
 * Write img as an ELF core to fd (a new, empty regular file, at offset 0).
 * 0 or -errno.
 */
int coredump_write_fd(int fd, const struct coredump_image *img) __attribute__((warn_unused_result));

/* GET_VCPU_CONTEXT's -EAGAIN (vCPUs not parked yet): asked this often. */
#define COREDUMP_EAGAIN_TRIES	 20u
#define COREDUMP_EAGAIN_SLEEP_MS 10u

/*
 * Write img to path through a temporary file of its own in path's
 * directory (mkstemp "path.XXXXXX"), renamed over path once complete; on
 * failure only that temporary file is removed.  0 or -errno.
 */
int coredump_write_file(const char *path, const struct coredump_image *img)
	__attribute__((warn_unused_result));

/*
 * Dump domain domid to path: its registers (the domain must be paused,
 * shut down or crashed; -EBUSY otherwise) and memory, of every vCPU that
 * is up.  The file appears complete or not at all (coredump_write_file).
 * err receives
 * a message naming the step that failed.
 */
int coredump_domain(struct ctl_client *c, uint32_t domid, const char *path, char *err,
		    size_t errlen) __attribute__((warn_unused_result));

/* RUNDIR/dump/<name>-<domid>.core, creating RUNDIR/dump (0700). */
int coredump_default_path(const char *name, uint32_t domid, char *buf, size_t cap)
	__attribute__((warn_unused_result));

#endif /* DYAD_DOM0_COREDUMP_H */
