/*
 * The guest-image loader against crafted images: one valid image built in
 * memory, and for each check a mutation of it that must fail with exactly
 * the expected message.  Layout of the valid image (file offsets):
 *   0x000 ELF header    0x040 program headers: [0] PT_LOAD RX, [1] PT_LOAD RW
 *   (with bss), [2] PT_NOTE    0x200 the Dyad note    0x1000 text    0x2000 data
 */
#include "elf_image.h"

#include <check.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#define RAM	  (4ull << 20)
#define FILE_SIZE 0x2100u
#define NOTE_OFF  0x200u

struct img {
	uint8_t b[FILE_SIZE * 2];
	size_t size;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	Elf64_Nhdr *nh;
};

#define NOTE_DESC (NOTE_OFF + sizeof(Elf64_Nhdr) + 8)

/* The note's descriptor is only 4-byte aligned in the file: edit a copy. */
#define NOTE_SET(m, field, value)                                                                  \
	do {                                                                                       \
		struct dyad_elfnote_boot n_;                                                       \
		memcpy(&n_, (m)->b + NOTE_DESC, sizeof(n_));                                       \
		n_.field = (value);                                                                \
		memcpy((m)->b + NOTE_DESC, &n_, sizeof(n_));                                       \
	} while (0)

static void img_note(struct img *m, size_t off)
{
	Elf64_Nhdr nh = {sizeof(DYAD_ELFNOTE_NAME), sizeof(struct dyad_elfnote_boot),
			 DYAD_ELFNOTE_BOOT};
	struct dyad_elfnote_boot note = {DYAD_ELFNOTE_VERSION,
					 DYAD_BOOT_F_RING3_RUNTIME,
					 0x100010,
					 0x100800,
					 0x100000,
					 0x101000};

	memcpy(m->b + off, &nh, sizeof(nh));
	memcpy(m->b + off + sizeof(nh), "Dyad\0\0\0", 8);
	memcpy(m->b + off + sizeof(nh) + 8, &note, sizeof(note));
}

static void img_build(struct img *m)
{
	static const Elf64_Phdr ph[3] = {
		{PT_LOAD, PF_R | PF_X, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000, 0x1000},
		{PT_LOAD, PF_R | PF_W, 0x2000, 0x101000, 0x101000, 0x100, 0x2000, 0x1000},
		{PT_NOTE, PF_R, NOTE_OFF, 0, 0, 60, 60, 4},
	};
	Elf64_Ehdr eh = {.e_type = ET_EXEC,
			 .e_machine = EM_X86_64,
			 .e_version = EV_CURRENT,
			 .e_entry = 0x100010,
			 .e_phoff = 0x40,
			 .e_ehsize = sizeof(Elf64_Ehdr),
			 .e_phentsize = sizeof(Elf64_Phdr),
			 .e_phnum = 3};

	memset(m, 0, sizeof(*m));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(m->b, &eh, sizeof(eh));
	memcpy(m->b + 0x40, ph, sizeof(ph));
	img_note(m, NOTE_OFF);
	memset(m->b + 0x1000, 0xaa, 0x1000);
	memset(m->b + 0x2000, 0xbb, 0x100);
	m->size = FILE_SIZE;
	m->eh = (Elf64_Ehdr *)m->b;
	m->ph = (Elf64_Phdr *)(m->b + 0x40);
	m->nh = (Elf64_Nhdr *)(m->b + NOTE_OFF);
}

static void expect_error(const struct img *m, const char *want)
{
	struct elf_image img;
	char err[256] = "";

	ck_assert_int_ne(elf_image_parse(m->b, m->size, RAM, &img, err, sizeof(err)), 0);
	ck_assert_str_eq(err, want);
}

START_TEST(test_valid_loads)
{
	struct img m;
	struct elf_image img;
	uint8_t *ram = calloc(1, RAM);
	char err[256] = "";

	img_build(&m);
	ck_assert_int_eq(elf_image_parse(m.b, m.size, RAM, &img, err, sizeof(err)), 0);
	ck_assert_int_eq(img.nseg, 2);
	ck_assert_uint_eq(img.start, 0x100000);
	ck_assert_uint_eq(img.end, 0x103000);
	ck_assert_uint_eq(img.note.entry, 0x100010);
	ck_assert_uint_eq(img.note.flags, DYAD_BOOT_F_RING3_RUNTIME);
	elf_image_load(&img, ram);
	ck_assert_uint_eq(ram[0x100000], 0xaa);
	ck_assert_uint_eq(ram[0x100fff], 0xaa);
	ck_assert_uint_eq(ram[0x101000], 0xbb);
	ck_assert_uint_eq(ram[0x1010ff], 0xbb);
	ck_assert_uint_eq(ram[0x101100], 0);
	ck_assert_uint_eq(ram[0xfffff], 0);
	free(ram);
}
END_TEST

START_TEST(test_not_elf)
{
	struct img m;

	img_build(&m);
	memcpy(m.b, "hello", 5);
	expect_error(&m, "not an ELF file");
	m.size = 0;
	expect_error(&m, "not an ELF file");
}
END_TEST

START_TEST(test_header_fields)
{
	struct img m;

	img_build(&m);
	m.size = 32;
	expect_error(&m, "truncated ELF: file header needs 64 bytes, file has 32");
	img_build(&m);
	m.eh->e_ident[EI_CLASS] = ELFCLASS32;
	expect_error(&m, "not a 64-bit ELF file (class 1)");
	img_build(&m);
	m.eh->e_ident[EI_DATA] = ELFDATA2MSB;
	expect_error(&m, "not a little-endian ELF file");
	img_build(&m);
	m.eh->e_version = 2;
	expect_error(&m, "unsupported ELF version 2");
	img_build(&m);
	m.eh->e_machine = EM_386;
	expect_error(&m, "not an x86-64 ELF file (machine 3)");
	img_build(&m);
	m.eh->e_type = ET_DYN;
	expect_error(&m, "not an executable ELF file (type 3; a static executable is needed)");
	img_build(&m);
	m.eh->e_phentsize = 32;
	expect_error(&m, "bad program header size 32 (expected 56)");
	img_build(&m);
	m.eh->e_phnum = 0;
	expect_error(&m, "0 program headers (1..64 expected)");
	img_build(&m);
	m.eh->e_phnum = 65;
	expect_error(&m, "65 program headers (1..64 expected)");
}
END_TEST

START_TEST(test_phdrs_past_end)
{
	struct img m;

	img_build(&m);
	m.size = 0x40 + 2 * sizeof(Elf64_Phdr) + 16;
	expect_error(&m, "truncated ELF: program header 2 extends past end of file");
	img_build(&m);
	m.eh->e_phoff = 0xffffffffffffff00ull;
	expect_error(&m, "truncated ELF: program header 0 extends past end of file");
}
END_TEST

START_TEST(test_segment_bounds)
{
	struct img m;

	img_build(&m);
	m.ph[0].p_filesz = m.ph[0].p_memsz = 0x10000;
	expect_error(&m, "truncated ELF: segment 0 extends past end of file");
	img_build(&m);
	m.ph[0].p_offset = 0xfffffffffffff000ull;
	expect_error(&m, "truncated ELF: segment 0 extends past end of file");
	img_build(&m);
	m.ph[1].p_filesz = 0x3000;
	expect_error(&m, "segment 1: file size 0x3000 exceeds memory size 0x2000");
	img_build(&m);
	m.ph[0].p_vaddr = 0xffffffff80100000ull;
	expect_error(&m, "segment 0: physical address 0x100000 differs from virtual address "
			 "0xffffffff80100000 (an identity-mapped image is needed)");
}
END_TEST

START_TEST(test_segment_placement)
{
	struct img m;

	img_build(&m);
	m.ph[0].p_paddr = m.ph[0].p_vaddr = 0x1000;
	expect_error(&m, "segment 0 [0x1000,0x2000) is below the image base 0x100000");
	img_build(&m);
	m.ph[1].p_paddr = m.ph[1].p_vaddr = 0x3ff000;
	expect_error(&m, "segment 1 [0x3ff000,0x401000) is outside guest RAM (4 MiB)");
	img_build(&m);
	m.ph[1].p_paddr = m.ph[1].p_vaddr = 0xfffffffffffff000ull;
	expect_error(&m, "segment 1 [0xfffffffffffff000,0xffffffffffffffff) is outside guest RAM "
			 "(4 MiB)");
	img_build(&m);
	m.ph[1].p_paddr = m.ph[1].p_vaddr = 0x100800;
	expect_error(&m, "segment 1 overlaps segment 0");
}
END_TEST

START_TEST(test_segment_kinds)
{
	struct img m;

	img_build(&m);
	m.ph[0].p_type = m.ph[1].p_type = PT_NULL;
	expect_error(&m, "no loadable segment");
	img_build(&m);
	m.ph[1].p_type = PT_INTERP;
	expect_error(&m, "dynamically linked images are not supported");
	img_build(&m);
	m.ph[1].p_memsz = m.ph[1].p_filesz = 0; /* an empty PT_LOAD is ignored */
	m.ph[1].p_paddr = 0;
	NOTE_SET(&m, vectors, 0x100c00);
	expect_error(&m,
		     "boot note vectors table 0x100c00 is not an aligned table inside the image");
}
END_TEST

START_TEST(test_note_presence)
{
	struct img m;

	img_build(&m);
	m.nh->n_type = 2;
	expect_error(&m, "no Dyad boot note (is this a Dyad guest image?)");
	img_build(&m);
	memcpy(m.b + NOTE_OFF + sizeof(Elf64_Nhdr), "Xen", 4);
	expect_error(&m, "no Dyad boot note (is this a Dyad guest image?)");
	img_build(&m);
	m.nh->n_descsz = 32;
	expect_error(&m, "Dyad boot note in segment 2 has 32 bytes (expected 40)");
	img_build(&m);
	m.nh->n_descsz = 0x1000;
	expect_error(&m, "malformed note in segment 2");
	img_build(&m);
	m.ph[2].p_filesz = 0x100000;
	expect_error(&m, "truncated ELF: note segment 2 extends past end of file");
	img_build(&m);
	img_note(&m, NOTE_OFF + 60);
	m.ph[2].p_filesz = 120;
	expect_error(&m, "more than one Dyad boot note");
}
END_TEST

START_TEST(test_note_contents)
{
	struct img m;

	img_build(&m);
	NOTE_SET(&m, version, 2);
	expect_error(&m, "Dyad boot note version 2 is not supported (expected 1)");
	img_build(&m);
	NOTE_SET(&m, flags, 0x3);
	expect_error(&m, "Dyad boot note has unknown flags 0x3");
	img_build(&m);
	NOTE_SET(&m, entry, 0x101000);
	expect_error(&m, "boot note entry 0x101000 is not inside an executable segment");
	img_build(&m);
	NOTE_SET(&m, entry, 0x50);
	expect_error(&m, "boot note entry 0x50 is not inside an executable segment");
	img_build(&m);
	NOTE_SET(&m, nucleus_start, 0x100010);
	expect_error(&m, "boot note nucleus [0x100010,0x101000) is not a page-aligned range inside "
			 "the image");
	img_build(&m);
	NOTE_SET(&m, nucleus_end, 0x200000);
	expect_error(&m, "boot note nucleus [0x100000,0x200000) is not a page-aligned range inside "
			 "the image");
	img_build(&m);
	NOTE_SET(&m, nucleus_end, 0x100000);
	expect_error(&m, "boot note nucleus (empty) is not a page-aligned range inside the image");
	img_build(&m);
	NOTE_SET(&m, vectors, 0x102c00);
	expect_error(&m,
		     "boot note vectors table 0x102c00 is not an aligned table inside the image");
	img_build(&m);
	NOTE_SET(&m, vectors, 0x100801);
	expect_error(&m,
		     "boot note vectors table 0x100801 is not an aligned table inside the image");
}
END_TEST

START_TEST(test_note_optional_vectors_and_align8)
{
	struct img m;
	struct elf_image img;
	char err[256] = "";

	img_build(&m);
	NOTE_SET(&m, vectors, 0);
	NOTE_SET(&m, flags, 0);
	ck_assert_int_eq(elf_image_parse(m.b, m.size, RAM, &img, err, sizeof(err)), 0);
	ck_assert_uint_eq(img.note.vectors, 0);
	ck_assert_uint_eq(img.note.flags, 0);
	/* In an 8-aligned PT_NOTE the descriptor starts at the next 8-byte boundary. */
	memmove(m.b + NOTE_DESC + 4, m.b + NOTE_DESC, sizeof(struct dyad_elfnote_boot));
	m.ph[2].p_align = 8;
	m.ph[2].p_filesz = m.ph[2].p_memsz = 64;
	ck_assert_int_eq(elf_image_parse(m.b, m.size, RAM, &img, err, sizeof(err)), 0);
	ck_assert_uint_eq(img.note.entry, 0x100010);
}
END_TEST

START_TEST(test_read_file_errors)
{
	uint8_t *buf;
	size_t size;
	char err[256];

	ck_assert_int_ne(elf_image_read_file("/nonexistent", &buf, &size, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "cannot read: No such file or directory");
	ck_assert_int_ne(elf_image_read_file("/", &buf, &size, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "not a regular file");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("elf_image");
	TCase *tc = tcase_create("elf_image");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_valid_loads);
	tcase_add_test(tc, test_not_elf);
	tcase_add_test(tc, test_header_fields);
	tcase_add_test(tc, test_phdrs_past_end);
	tcase_add_test(tc, test_segment_bounds);
	tcase_add_test(tc, test_segment_placement);
	tcase_add_test(tc, test_segment_kinds);
	tcase_add_test(tc, test_note_presence);
	tcase_add_test(tc, test_note_contents);
	tcase_add_test(tc, test_note_optional_vectors_and_align8);
	tcase_add_test(tc, test_read_file_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
