/*
 * Validation and loading of a Dyad guest image (see elf_image.h).
 *
 * Order of checks: the file header (magic, class, byte order, version,
 * machine, type, program-header table), then each program header (PT_LOAD
 * bounds, identity mapping, placement in guest RAM, no overlap; PT_NOTE
 * walked for the Dyad boot note), then the note's contents against the
 * loaded segments.  Headers are copied out of the file with memcpy, never
 * dereferenced in place, so alignment and size are never assumed.
 */
#include "elf_image.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dyad/boot.h>

struct elf_ctx {
	const uint8_t *data;
	size_t size;
	uint64_t ram_size;
	struct elf_image *img;
	char *err;
	size_t errlen;
	bool have_note;
};

__attribute__((format(printf, 2, 3))) static int elf_fail(struct elf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err, ctx->errlen, fmt, ap);
	va_end(ap);
	return -ENOEXEC;
}

/* [off, off + len) lies inside the file, without overflow. */
static bool elf_in_file(const struct elf_ctx *ctx, uint64_t off, uint64_t len)
{
	return off <= ctx->size && len <= ctx->size - off;
}

static int elf_check_ident(struct elf_ctx *ctx, const Elf64_Ehdr *eh)
{
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return elf_fail(ctx, "not a 64-bit ELF file (class %u)", eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return elf_fail(ctx, "not a little-endian ELF file");
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return elf_fail(ctx, "unsupported ELF version %u", eh->e_version);
	if (eh->e_machine != EM_X86_64)
		return elf_fail(ctx, "not an x86-64 ELF file (machine %u)", eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return elf_fail(
			ctx, "not an executable ELF file (type %u; a static executable is needed)",
			eh->e_type);
	return 0;
}

static int elf_check_header(struct elf_ctx *ctx, Elf64_Ehdr *eh)
{
	uint64_t fit;

	if (ctx->size < SELFMAG || memcmp(ctx->data, ELFMAG, SELFMAG) != 0)
		return elf_fail(ctx, "not an ELF file");
	if (ctx->size < sizeof(*eh))
		return elf_fail(ctx, "truncated ELF: file header needs %zu bytes, file has %zu",
				sizeof(*eh), ctx->size);
	memcpy(eh, ctx->data, sizeof(*eh));
	if (elf_check_ident(ctx, eh))
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return elf_fail(ctx, "bad program header size %u (expected %zu)", eh->e_phentsize,
				sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHDRS)
		return elf_fail(ctx, "%u program headers (1..%u expected)", eh->e_phnum,
				ELF_MAX_PHDRS);
	fit = eh->e_phoff > ctx->size ? 0 : (ctx->size - eh->e_phoff) / sizeof(Elf64_Phdr);
	if (fit < eh->e_phnum)
		return elf_fail(ctx, "truncated ELF: program header %llu extends past end of file",
				(unsigned long long)fit);
	return 0;
}

static void elf_range(char *buf, size_t cap, uint64_t start, uint64_t len)
{
	uint64_t end = start + len < start ? UINT64_MAX : start + len;

	snprintf(buf, cap, "[0x%llx,0x%llx)", (unsigned long long)start, (unsigned long long)end);
}

/* A PT_LOAD: in the file, identity-mapped, inside guest RAM, overlapping no other. */
static int elf_check_load(struct elf_ctx *ctx, const Elf64_Phdr *ph, unsigned int i)
{
	struct elf_image *img = ctx->img;
	char r[64];

	elf_range(r, sizeof(r), ph->p_paddr, ph->p_memsz);
	if (ph->p_filesz > ph->p_memsz)
		return elf_fail(ctx, "segment %u: file size 0x%llx exceeds memory size 0x%llx", i,
				(unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
	if (!elf_in_file(ctx, ph->p_offset, ph->p_filesz))
		return elf_fail(ctx, "truncated ELF: segment %u extends past end of file", i);
	if (ph->p_paddr != ph->p_vaddr)
		return elf_fail(ctx,
				"segment %u: physical address 0x%llx differs from virtual "
				"address 0x%llx (an identity-mapped image is needed)",
				i, (unsigned long long)ph->p_paddr,
				(unsigned long long)ph->p_vaddr);
	if (ph->p_paddr < DYAD_BOOT_IMAGE)
		return elf_fail(ctx, "segment %u %s is below the image base 0x%llx", i, r,
				DYAD_BOOT_IMAGE);
	if (ph->p_paddr >= ctx->ram_size || ph->p_memsz > ctx->ram_size - ph->p_paddr)
		return elf_fail(ctx, "segment %u %s is outside guest RAM (%llu MiB)", i, r,
				(unsigned long long)(ctx->ram_size >> 20));
	for (unsigned int k = 0; k < img->nseg; k++) {
		const struct elf_segment *o = &img->seg[k];

		if (ph->p_paddr < o->paddr + o->memsz && o->paddr < ph->p_paddr + ph->p_memsz)
			return elf_fail(ctx, "segment %u overlaps segment %u", i, o->index);
	}
	img->seg[img->nseg++] = (struct elf_segment){ph->p_paddr,  ph->p_memsz, ph->p_offset,
						     ph->p_filesz, ph->p_flags, i};
	return 0;
}

/* One note entry at *off (bounds already checked for the 12-byte header). */
static int elf_take_note(struct elf_ctx *ctx, const Elf64_Nhdr *nh, uint64_t name_off,
			 uint64_t desc_off, unsigned int i)
{
	if (nh->n_namesz != sizeof(DYAD_ELFNOTE_NAME) ||
	    memcmp(ctx->data + name_off, DYAD_ELFNOTE_NAME, sizeof(DYAD_ELFNOTE_NAME)) != 0 ||
	    nh->n_type != DYAD_ELFNOTE_BOOT)
		return 0;
	if (ctx->have_note)
		return elf_fail(ctx, "more than one Dyad boot note");
	if (nh->n_descsz != sizeof(struct dyad_elfnote_boot))
		return elf_fail(ctx, "Dyad boot note in segment %u has %u bytes (expected %zu)", i,
				nh->n_descsz, sizeof(struct dyad_elfnote_boot));
	memcpy(&ctx->img->note, ctx->data + desc_off, sizeof(ctx->img->note));
	ctx->have_note = true;
	return 0;
}

static uint64_t elf_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Walk the notes of a PT_NOTE (4- or 8-byte aligned entries, per p_align). */
static int elf_check_notes(struct elf_ctx *ctx, const Elf64_Phdr *ph, unsigned int i)
{
	uint64_t align = ph->p_align == 8 ? 8 : 4, off = ph->p_offset, end;

	if (!elf_in_file(ctx, ph->p_offset, ph->p_filesz))
		return elf_fail(ctx, "truncated ELF: note segment %u extends past end of file", i);
	end = ph->p_offset + ph->p_filesz;
	while (end - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_off, desc_off;

		memcpy(&nh, ctx->data + off, sizeof(nh));
		name_off = off + sizeof(nh);
		desc_off = elf_align_up(name_off + nh.n_namesz, align);
		if (desc_off > end || nh.n_descsz > end - desc_off)
			return elf_fail(ctx, "malformed note in segment %u", i);
		if (elf_take_note(ctx, &nh, name_off, desc_off, i))
			return -ENOEXEC;
		off = elf_align_up(desc_off + nh.n_descsz, align);
		if (off > end)
			break;
	}
	return 0;
}

static int elf_check_phdrs(struct elf_ctx *ctx, const Elf64_Ehdr *eh)
{
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		int rc = 0;

		memcpy(&ph, ctx->data + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && ph.p_memsz)
			rc = elf_check_load(ctx, &ph, i);
		else if (ph.p_type == PT_NOTE)
			rc = elf_check_notes(ctx, &ph, i);
		else if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
			rc = elf_fail(ctx, "dynamically linked images are not supported");
		if (rc)
			return rc;
	}
	return 0;
}

static bool elf_in_image(const struct elf_image *img, uint64_t start, uint64_t len)
{
	return start >= img->start && start <= img->end && len <= img->end - start;
}

static bool elf_entry_ok(const struct elf_image *img, uint64_t entry)
{
	for (unsigned int k = 0; k < img->nseg; k++) {
		const struct elf_segment *s = &img->seg[k];

		if ((s->flags & PF_X) && entry >= s->paddr && entry - s->paddr < s->filesz)
			return true;
	}
	return false;
}

static int elf_check_note(struct elf_ctx *ctx)
{
	const struct elf_image *img = ctx->img;
	const struct dyad_elfnote_boot *n = &img->note;
	char r[64];

	if (n->version != DYAD_ELFNOTE_VERSION)
		return elf_fail(ctx, "Dyad boot note version %u is not supported (expected %u)",
				n->version, DYAD_ELFNOTE_VERSION);
	if (n->flags & ~DYAD_BOOT_F_RING3_RUNTIME)
		return elf_fail(ctx, "Dyad boot note has unknown flags 0x%x", n->flags);
	if (!elf_entry_ok(img, n->entry))
		return elf_fail(ctx, "boot note entry 0x%llx is not inside an executable segment",
				(unsigned long long)n->entry);
	elf_range(r, sizeof(r), n->nucleus_start, n->nucleus_end - n->nucleus_start);
	if (n->nucleus_start >= n->nucleus_end ||
	    (n->nucleus_start | n->nucleus_end) % DYAD_PAGE_SIZE ||
	    !elf_in_image(img, n->nucleus_start, n->nucleus_end - n->nucleus_start))
		return elf_fail(ctx,
				"boot note nucleus %s is not a page-aligned range inside the image",
				n->nucleus_start < n->nucleus_end ? r : "(empty)");
	if (n->vectors && (n->vectors % 8 || !elf_in_image(img, n->vectors, 256 * 8)))
		return elf_fail(
			ctx,
			"boot note vectors table 0x%llx is not an aligned table inside the image",
			(unsigned long long)n->vectors);
	return 0;
}

static void elf_bounds(struct elf_image *img)
{
	img->start = UINT64_MAX;
	img->end = 0;
	for (unsigned int k = 0; k < img->nseg; k++) {
		if (img->seg[k].paddr < img->start)
			img->start = img->seg[k].paddr;
		if (img->seg[k].paddr + img->seg[k].memsz > img->end)
			img->end = img->seg[k].paddr + img->seg[k].memsz;
	}
}

int elf_image_parse(const void *data, size_t size, uint64_t ram_size, struct elf_image *img,
		    char *err, size_t errlen)
{
	struct elf_ctx ctx = {data, size, ram_size, img, err, errlen, false};
	Elf64_Ehdr eh;

	memset(img, 0, sizeof(*img));
	img->data = data;
	img->size = size;
	if (elf_check_header(&ctx, &eh) || elf_check_phdrs(&ctx, &eh))
		return -ENOEXEC;
	if (img->nseg == 0)
		return elf_fail(&ctx, "no loadable segment");
	if (!ctx.have_note)
		return elf_fail(&ctx, "no Dyad boot note (is this a Dyad guest image?)");
	elf_bounds(img);
	return elf_check_note(&ctx);
}

void elf_image_load(const struct elf_image *img, void *ram)
{
	for (unsigned int k = 0; k < img->nseg; k++) {
		const struct elf_segment *s = &img->seg[k];

		/* RAM starts zero-filled: only the file bytes need writing. */
		memcpy((uint8_t *)ram + s->paddr, img->data + s->offset, s->filesz);
	}
}

int elf_image_read_file(const char *path, uint8_t **buf, size_t *size, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	struct stat st;
	size_t got = 0;
	ssize_t r = 1;

	*buf = NULL;
	if (fd < 0 || fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)ELF_MAX_FILE) {
		close(fd);
		snprintf(err, errlen, "%s",
			 S_ISREG(st.st_mode) ? "larger than 256 MiB" : "not a regular file");
		return -EINVAL;
	}
	*buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!*buf)
		goto fail;
	while (got < (size_t)st.st_size && (r = read(fd, *buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	if (r < 0)
		goto fail;
	close(fd);
	*size = got;
	return 0;
fail:
	e = errno;
	snprintf(err, errlen, "cannot read: %s", strerror(e));
	free(*buf);
	*buf = NULL;
	if (fd >= 0)
		close(fd);
	return -e;
}
