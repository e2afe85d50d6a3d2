/*
 * The x86 half of the domain builder (libxenguest's x86 PVH setup in
 * spirit): everything hypervisor/public/dyad/boot.h promises the nucleus is
 * written here, on the host, into the new domain's zero-filled RAM - the
 * identity page tables, the GDT with one TSS per vCPU, the TSSes with their
 * I/O bitmaps, the IDT built from the image's vectors table, hvm_start_info
 * with its memory map and command line, and Dyad's boot extension.  Guest
 * ring-0 instructions are emulated one by one on hosts without VT-x, so the
 * builder does this work instead of the guest.
 *
 * The image has already been loaded by the ELF loader; the vectors table is
 * read back from guest RAM (copied once, each entry checked to point into the
 * nucleus) because it is guest-supplied data like any other.
 */
#include "boot_x86.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <dyad/xen.h>
#include <dyad/abi.h>
#include <dyad/boot.h>

#define BOOT_X86_2M   0x200000ull
#define BOOT_X86_1G   0x40000000ull
#define BOOT_X86_MB   0x100000ull
#define BOOT_X86_NVEC 256u

/* Page-table entry bits. */
#define PTE_P  0x001ull
#define PTE_W  0x002ull
#define PTE_U  0x004ull
#define PTE_PS 0x080ull

/* E820 types (xen/hvm/e820.h spells them for the 32-bit world). */
#define BOOT_X86_E820_RAM 1u
#define BOOT_X86_E820_RES 2u

/* Flat 4 GiB descriptors: 64-bit code (L=1), data; G=1, limit 0xfffff. */
#define GDT_KCODE     0x00af9a000000ffffull
#define GDT_KDATA     0x00cf92000000ffffull
#define GDT_UDATA     0x00cff2000000ffffull
#define GDT_UCODE     0x00affa000000ffffull
#define GDT_TSS_AVAIL 0x89u /* P, DPL 0, type 9: 64-bit TSS, available */
#define GDT_TSS_BUSY  0x8bu /* type 11: busy */

/* VMX-style segment access rights for vCPU 0's entry state. */
#define SEG_ATTR_KCODE	  0xa09bu /* G L P S type 0xb */
#define SEG_ATTR_KDATA	  0xc093u /* G DB P S type 0x3 */
#define SEG_ATTR_TSS_BUSY 0x008bu /* P, type 0xb */

#define IDT_GATE_INTR 0x8eu /* P, DPL 0, 64-bit interrupt gate */

static void boot_x86_put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void boot_x86_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void boot_x86_put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

__attribute__((format(printf, 3, 4))) static int boot_x86_fail(char *err, size_t errlen,
							       const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* RAM that the identity map covers: whole 2 MiB pages only. */
static uint64_t boot_x86_mapped(const struct boot_x86_params *p)
{
	return p->ram_size & ~(BOOT_X86_2M - 1);
}

static int boot_x86_check_ram(const struct boot_x86_params *p, char *err, size_t errlen)
{
	uint64_t mb = p->ram_size / BOOT_X86_MB;

	if (p->ram_size % BOOT_X86_MB)
		return boot_x86_fail(err, errlen, "ram size %llu is not a multiple of 1 MiB",
				     (unsigned long long)p->ram_size);
	if (mb < DYAD_MIN_MEM_MB || mb > DYAD_MAX_MEM_MB)
		return boot_x86_fail(err, errlen, "ram size %llu MiB outside %u..%u MiB",
				     (unsigned long long)mb, DYAD_MIN_MEM_MB, DYAD_MAX_MEM_MB);
	if (p->vcpus < 1 || p->vcpus > DYAD_MAX_VCPUS)
		return boot_x86_fail(err, errlen, "vcpus %u outside 1..%u", p->vcpus,
				     DYAD_MAX_VCPUS);
	return 0;
}

static int boot_x86_check_cmdline(const struct boot_x86_params *p, char *err, size_t errlen)
{
	if (p->cmdline && strnlen(p->cmdline, DYAD_BOOT_CMDLINE_MAX) >= DYAD_BOOT_CMDLINE_MAX) {
		boot_x86_fail(err, errlen, "cmdline longer than %u bytes",
			      DYAD_BOOT_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	return 0;
}

/* The image and its nucleus: inside mapped RAM, the nucleus in the 4 KiB-mapped first 2 MiB. */
static int boot_x86_check_image(const struct boot_x86_params *p, char *err, size_t errlen)
{
	const struct dyad_elfnote_boot *n = &p->note;

	if (n->version != DYAD_ELFNOTE_VERSION)
		return boot_x86_fail(err, errlen, "boot note version %u, expected %u", n->version,
				     DYAD_ELFNOTE_VERSION);
	if (p->image_end <= DYAD_BOOT_IMAGE || p->image_end > boot_x86_mapped(p)) {
		boot_x86_fail(err, errlen, "image end 0x%llx outside mapped RAM [0x%llx, 0x%llx]",
			      (unsigned long long)p->image_end, DYAD_BOOT_IMAGE,
			      (unsigned long long)boot_x86_mapped(p));
		return -E2BIG;
	}
	if (n->nucleus_start < DYAD_BOOT_IMAGE || n->nucleus_end <= n->nucleus_start ||
	    n->nucleus_end > BOOT_X86_2M || n->nucleus_end > p->image_end ||
	    (n->nucleus_start | n->nucleus_end) & (DYAD_PAGE_SIZE - 1))
		return boot_x86_fail(err, errlen,
				     "nucleus [0x%llx, 0x%llx) must be page-aligned inside the "
				     "image and below 2 MiB",
				     (unsigned long long)n->nucleus_start,
				     (unsigned long long)n->nucleus_end);
	if (n->entry < n->nucleus_start || n->entry >= n->nucleus_end)
		return boot_x86_fail(err, errlen, "entry 0x%llx outside the nucleus",
				     (unsigned long long)n->entry);
	return 0;
}

static int boot_x86_check(const struct boot_x86_params *p, char *err, size_t errlen)
{
	int rc = boot_x86_check_ram(p, err, errlen);

	if (!rc)
		rc = boot_x86_check_cmdline(p, err, errlen);
	if (!rc)
		rc = boot_x86_check_image(p, err, errlen);
	return rc;
}

/*
 * Copy the guest's vectors table out of RAM once and validate the copy:
 * the table inside the image, every non-zero entry inside the nucleus.
 */
static int boot_x86_read_vectors(const uint8_t *ram, const struct boot_x86_params *p,
				 uint64_t vec[BOOT_X86_NVEC], char *err, size_t errlen)
{
	const struct dyad_elfnote_boot *n = &p->note;
	uint64_t size = BOOT_X86_NVEC * sizeof(uint64_t);
	unsigned int i;

	memset(vec, 0, size);
	if (!n->vectors)
		return 0;
	if (n->vectors < DYAD_BOOT_IMAGE || n->vectors > p->image_end ||
	    p->image_end - n->vectors < size)
		return boot_x86_fail(err, errlen, "vectors table 0x%llx outside the image",
				     (unsigned long long)n->vectors);
	memcpy(vec, ram + n->vectors, size);
	for (i = 0; i < BOOT_X86_NVEC; i++) {
		if (vec[i] && (vec[i] < n->nucleus_start || vec[i] >= n->nucleus_end))
			return boot_x86_fail(err, errlen,
					     "vector %u entry 0x%llx outside the nucleus", i,
					     (unsigned long long)vec[i]);
	}
	return 0;
}

/* Permissions of the 4 KiB page at pa in the first 2 MiB (boot.h's table). */
static uint64_t boot_x86_low_pte(uint64_t pa, const struct dyad_elfnote_boot *n)
{
	if (pa == 0)
		return 0;
	if (pa == DYAD_BOOT_START_INFO || pa == DYAD_BOOT_STORE_RING ||
	    pa == DYAD_BOOT_CONSOLE_RING || pa == DYAD_BOOT_SHARED_INFO)
		return pa | PTE_P | PTE_W | PTE_U;
	if (pa == DYAD_BOOT_HYPERCALL_PAGE)
		return pa | PTE_P | PTE_U;
	if (pa < DYAD_BOOT_FREE || (pa >= n->nucleus_start && pa < n->nucleus_end))
		return pa | PTE_P | PTE_W;
	return pa | PTE_P | PTE_W | PTE_U;
}

/* The grant-map windows (abi.h): RW then RO, user-accessible 2 MiB pages. */
static void boot_x86_gntmap_tables(uint8_t *ram)
{
	uint64_t gib = DYAD_GNTMAP_BASE / BOOT_X86_1G, pa;

	_Static_assert(DYAD_GNTMAP_BASE % BOOT_X86_1G == 0 &&
			       DYAD_GNTMAP_END - DYAD_GNTMAP_BASE <= BOOT_X86_1G,
		       "the windows fit one page directory");
	_Static_assert(DYAD_BOOT_PD_GNTMAP ==
			       DYAD_BOOT_PD + DYAD_GNTMAP_BASE / BOOT_X86_1G * DYAD_PAGE_SIZE,
		       "the window PD is GiB 8's");
	boot_x86_put64(ram + DYAD_BOOT_PDPT + gib * 8, DYAD_BOOT_PD_GNTMAP | PTE_P | PTE_W | PTE_U);
	for (pa = DYAD_GNTMAP_BASE; pa < DYAD_GNTMAP_END; pa += BOOT_X86_2M)
		boot_x86_put64(ram + DYAD_BOOT_PD_GNTMAP + (pa % BOOT_X86_1G) / BOOT_X86_2M * 8,
			       pa | PTE_P | PTE_U | PTE_PS |
				       (pa < DYAD_GNTMAP_RO_BASE ? PTE_W : 0));
}

static void boot_x86_page_tables(uint8_t *ram, const struct boot_x86_params *p)
{
	uint64_t mapped = boot_x86_mapped(p);
	uint64_t pa, nr_pd = (mapped + BOOT_X86_1G - 1) / BOOT_X86_1G;
	uint64_t table = PTE_P | PTE_W | PTE_U;

	boot_x86_put64(ram + DYAD_BOOT_PML4, DYAD_BOOT_PDPT | table);
	for (pa = 0; pa < nr_pd; pa++)
		boot_x86_put64(ram + DYAD_BOOT_PDPT + pa * 8,
			       (DYAD_BOOT_PD + pa * DYAD_PAGE_SIZE) | table);
	boot_x86_put64(ram + DYAD_BOOT_PD, DYAD_BOOT_PT0 | table);
	for (pa = BOOT_X86_2M; pa < mapped; pa += BOOT_X86_2M)
		boot_x86_put64(ram + DYAD_BOOT_PD + pa / BOOT_X86_2M * 8,
			       pa | PTE_P | PTE_W | PTE_U | PTE_PS);
	for (pa = 0; pa < BOOT_X86_2M; pa += DYAD_PAGE_SIZE)
		boot_x86_put64(ram + DYAD_BOOT_PT0 + pa / DYAD_PAGE_SIZE * 8,
			       boot_x86_low_pte(pa, &p->note));
	boot_x86_gntmap_tables(ram);
}

static void boot_x86_tss_desc(uint8_t *d, uint64_t base, uint8_t type)
{
	uint64_t lo = (DYAD_TSS_LIMIT & 0xffffull) | (base & 0xffffffull) << 16 |
		      (uint64_t)type << 40 | ((DYAD_TSS_LIMIT >> 16) & 0xfull) << 48 |
		      ((base >> 24) & 0xffull) << 56;

	boot_x86_put64(d, lo);
	boot_x86_put64(d + 8, base >> 32);
}

static void boot_x86_gdt(uint8_t *ram, uint32_t vcpus)
{
	uint8_t *gdt = ram + DYAD_BOOT_GDT;
	uint32_t i;

	boot_x86_put64(gdt + DYAD_SEL_KCODE, GDT_KCODE);
	boot_x86_put64(gdt + DYAD_SEL_KDATA, GDT_KDATA);
	boot_x86_put64(gdt + (DYAD_SEL_UDATA & ~3u), GDT_UDATA);
	boot_x86_put64(gdt + (DYAD_SEL_UCODE & ~3u), GDT_UCODE);
	for (i = 0; i < vcpus; i++)
		boot_x86_tss_desc(gdt + DYAD_SEL_TSS(i), DYAD_BOOT_TSS_ADDR(i),
				  i == 0 ? GDT_TSS_BUSY : GDT_TSS_AVAIL);
}

/* 64-bit TSS (SDM vol. 3 fig. 8-11) + I/O bitmap for ports 0-0xff + 0xff byte. */
static void boot_x86_tss(uint8_t *ram, uint32_t i)
{
	uint8_t *t = ram + DYAD_BOOT_TSS_ADDR(i);
	uint8_t *bitmap = t + DYAD_TSS_IOMAP_BASE;

	boot_x86_put64(t + 4, DYAD_BOOT_RSP0(i));
	boot_x86_put64(t + 36, DYAD_BOOT_IST1(i));
	boot_x86_put16(t + 102, DYAD_TSS_IOMAP_BASE);
	memset(bitmap, 0xff, 33);
	bitmap[DYAD_HYPERCALL_PORT / 8] &= (uint8_t) ~(0xfu << (DYAD_HYPERCALL_PORT % 8));
	bitmap[DYAD_DOORBELL_PORT / 8] &= (uint8_t) ~(0xfu << (DYAD_DOORBELL_PORT % 8));
	bitmap[DYAD_PROBE_PORT / 8] &= (uint8_t) ~(0xfu << (DYAD_PROBE_PORT % 8));
}

static void boot_x86_idt(uint8_t *ram, const uint64_t vec[BOOT_X86_NVEC])
{
	unsigned int i;

	for (i = 0; i < BOOT_X86_NVEC; i++) {
		uint8_t *g = ram + DYAD_BOOT_IDT + i * 16;
		uint8_t ist = (i == 2 || i == 8 || i == 18) ? 1 : 0;

		memset(g, 0, 16);
		if (!vec[i])
			continue; /* not present */
		boot_x86_put16(g, (uint16_t)vec[i]);
		boot_x86_put16(g + 2, DYAD_SEL_KCODE);
		g[4] = ist;
		g[5] = IDT_GATE_INTR;
		boot_x86_put16(g + 6, (uint16_t)(vec[i] >> 16));
		boot_x86_put32(g + 8, (uint32_t)(vec[i] >> 32));
	}
}

static void boot_x86_memmap_entry(uint8_t *ram, unsigned int i, uint64_t addr, uint64_t size,
				  uint32_t type)
{
	struct hvm_memmap_table_entry e = {.addr = addr, .size = size, .type = type};

	memcpy(ram + DYAD_BOOT_MEMMAP + i * sizeof(e), &e, sizeof(e));
}

/*
 * hvm_start_info (PVH), its memory map (boot structures reserved, the rest
 * of the mapped RAM usable), the command line, and Dyad's extension.
 */
static void boot_x86_start_info(uint8_t *ram, const struct boot_x86_params *p)
{
	struct hvm_start_info si = {
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = 1,
		.cmdline_paddr = DYAD_BOOT_CMDLINE,
		.memmap_paddr = DYAD_BOOT_MEMMAP,
		.memmap_entries = 2,
	};
	struct dyad_boot_ext ext = {
		.magic = DYAD_BOOT_EXT_MAGIC,
		.vcpus = p->vcpus,
		.ram_size = boot_x86_mapped(p),
	};
	const char *cmdline = p->cmdline ? p->cmdline : "";

	memcpy(ram + DYAD_BOOT_START_INFO, &si, sizeof(si));
	memcpy(ram + DYAD_BOOT_EXT, &ext, sizeof(ext));
	boot_x86_memmap_entry(ram, 0, 0, DYAD_BOOT_FREE, BOOT_X86_E820_RES);
	boot_x86_memmap_entry(ram, 1, DYAD_BOOT_FREE, boot_x86_mapped(p) - DYAD_BOOT_FREE,
			      BOOT_X86_E820_RAM);
	memcpy(ram + DYAD_BOOT_CMDLINE, cmdline, strlen(cmdline) + 1);
}

static void boot_x86_seg(struct dyad_ctl_segment *s, uint16_t sel, uint64_t base, uint32_t limit,
			 uint16_t attr)
{
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->attr = attr;
}

static void boot_x86_vcpu0(const struct boot_x86_params *p, struct dyad_vcpu_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rip = p->note.entry;
	r->rsp = DYAD_BOOT_RSP0(0);
	r->rbx = DYAD_BOOT_START_INFO;
	r->rdi = 0;
	r->rflags = 0x2;
	r->cr0 = DYAD_BOOT_CR0;
	r->cr3 = DYAD_BOOT_PML4;
	r->cr4 = DYAD_BOOT_CR4;
	r->efer = DYAD_BOOT_EFER;
	boot_x86_seg(&r->cs, DYAD_SEL_KCODE, 0, 0xffffffffu, SEG_ATTR_KCODE);
	boot_x86_seg(&r->ds, DYAD_SEL_KDATA, 0, 0xffffffffu, SEG_ATTR_KDATA);
	boot_x86_seg(&r->es, DYAD_SEL_KDATA, 0, 0xffffffffu, SEG_ATTR_KDATA);
	boot_x86_seg(&r->ss, DYAD_SEL_KDATA, 0, 0xffffffffu, SEG_ATTR_KDATA);
	boot_x86_seg(&r->tr, DYAD_SEL_TSS(0), DYAD_BOOT_TSS_ADDR(0), DYAD_TSS_LIMIT,
		     SEG_ATTR_TSS_BUSY);
	r->gdt.base = DYAD_BOOT_GDT;
	r->gdt.limit = DYAD_GDT_LIMIT;
	r->idt.base = DYAD_BOOT_IDT;
	r->idt.limit = BOOT_X86_NVEC * 16 - 1;
}

int boot_x86_build(void *ram, const struct boot_x86_params *p, struct dyad_vcpu_regs *vcpu0,
		   char *err, size_t errlen)
{
	uint64_t vec[BOOT_X86_NVEC];
	uint32_t i;
	int rc;

	if (!ram || !p || !vcpu0)
		return boot_x86_fail(err, errlen, "boot_x86_build: missing argument");
	rc = boot_x86_check(p, err, errlen);
	if (!rc)
		rc = boot_x86_read_vectors(ram, p, vec, err, errlen);
	if (rc)
		return rc;
	boot_x86_page_tables(ram, p);
	boot_x86_gdt(ram, p->vcpus);
	for (i = 0; i < p->vcpus; i++)
		boot_x86_tss(ram, i);
	boot_x86_idt(ram, vec);
	boot_x86_start_info(ram, p);
	boot_x86_vcpu0(p, vcpu0);
	return 0;
}
