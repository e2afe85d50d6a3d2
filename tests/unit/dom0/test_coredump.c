/*
 * The ELF core writer, read back field by field: the ELF header (ET_CORE,
 * EM_X86_64), the PT_NOTE with NT_PRPSINFO and one NT_PRSTATUS per online
 * vCPU whose registers sit in user_regs_struct order, the PT_LOAD that maps
 * guest-physical addresses 1:1 and holds exactly the guest's bytes (zero
 * runs left as holes), and coredump_domain() against a scripted core.
 */
#include <check.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <unistd.h>

#include "coredump.h"
#include "ctl_client.h"
#include "fake_core.h"

#define PAGES	40u /* three 64 KiB chunks: data, all zero, data */
#define MEMSIZE ((uint64_t)PAGES * 4096u)

struct parsed {
	uint8_t *buf;
	size_t len;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *note, *load;
};

static char path[64];
static uint8_t *mem;

static void setup(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/dyad-core.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	mem = calloc(1, MEMSIZE);
	ck_assert_ptr_nonnull(mem);
	for (unsigned int i = 0; i < 4096; i++) {
		mem[4096 + i] = (uint8_t)(i * 7 + 1);	       /* page 1, chunk 0 */
		mem[MEMSIZE - 4096 + i] = (uint8_t)(0xa0 ^ i); /* the last page */
	}
	mem[3 * 4096 + 5] = 0x42;
}

static void teardown(void)
{
	unlink(path);
	free(mem);
}

static void fill_regs(struct dyad_vcpu_regs *r, uint64_t seed)
{
	uint64_t *w = &r->rax;

	memset(r, 0, sizeof(*r));
	for (unsigned int i = 0; i < 18; i++) /* rax .. r15, rip, rflags */
		w[i] = seed + i;
	r->cs.selector = 0x23;
	r->ss.selector = 0x1b;
	r->ds.selector = 0x1b;
	r->es.selector = 0x1b;
	r->fs.selector = 0;
	r->gs.selector = 0;
	r->fs.base = seed << 8;
	r->gs.base = seed << 12;
}

static void write_image(const struct coredump_image *img)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(coredump_write_fd(fd, img), 0);
	close(fd);
}

static void parse(struct parsed *p)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	p->len = (size_t)st.st_size;
	p->buf = malloc(p->len);
	ck_assert_ptr_nonnull(p->buf);
	ck_assert_int_eq(pread(fd, p->buf, p->len, 0), (ssize_t)p->len);
	close(fd);
	p->eh = (const Elf64_Ehdr *)p->buf;
	ck_assert_int_eq(memcmp(p->eh->e_ident, ELFMAG, SELFMAG), 0);
	ck_assert_int_eq(p->eh->e_ident[EI_CLASS], ELFCLASS64);
	ck_assert_int_eq(p->eh->e_ident[EI_DATA], ELFDATA2LSB);
	ck_assert_int_eq(p->eh->e_type, ET_CORE);
	ck_assert_int_eq(p->eh->e_machine, EM_X86_64);
	ck_assert_int_eq(p->eh->e_phentsize, sizeof(Elf64_Phdr));
	ck_assert_int_eq(p->eh->e_phnum, 2);
	p->note = (const Elf64_Phdr *)(p->buf + p->eh->e_phoff);
	p->load = p->note + 1;
	ck_assert_int_eq(p->note->p_type, PT_NOTE);
	ck_assert_int_eq(p->load->p_type, PT_LOAD);
	ck_assert_uint_le(p->note->p_offset + p->note->p_filesz, p->load->p_offset);
}

/* The i-th note: its type and descriptor. */
static const uint8_t *note_at(const struct parsed *p, unsigned int idx, uint32_t *type,
			      uint32_t *descsz)
{
	size_t off = p->note->p_offset, end = off + p->note->p_filesz;

	for (unsigned int i = 0;; i++) {
		const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(p->buf + off);
		const char *name = (const char *)(nh + 1);
		const uint8_t *desc = (const uint8_t *)name + ((nh->n_namesz + 3u) & ~3u);

		ck_assert_uint_le(off + sizeof(*nh), end);
		ck_assert_uint_eq(nh->n_namesz, 5);
		ck_assert_str_eq(name, "CORE");
		if (i == idx) {
			*type = nh->n_type;
			*descsz = nh->n_descsz;
			return desc;
		}
		off = (size_t)(desc - p->buf) + ((nh->n_descsz + 3u) & ~3u);
	}
}

static void check_prstatus(const struct parsed *p, unsigned int note, uint32_t vcpu,
			   const struct dyad_vcpu_regs *r)
{
	struct elf_prstatus st;
	struct user_regs_struct u;
	uint64_t words[27];
	uint32_t type, sz;
	const uint8_t *d = note_at(p, note, &type, &sz);

	ck_assert_uint_eq(type, NT_PRSTATUS);
	ck_assert_uint_eq(sz, 336);
	memcpy(&st, d, sizeof(st));
	ck_assert_int_eq(st.pr_pid, (int)vcpu + 1);
	memcpy(&u, &st.pr_reg, sizeof(u));
	ck_assert_uint_eq(u.rip, r->rip);
	ck_assert_uint_eq(u.rsp, r->rsp);
	ck_assert_uint_eq(u.rax, r->rax);
	ck_assert_uint_eq(u.r15, r->r15);
	ck_assert_uint_eq(u.rdi, r->rdi);
	ck_assert_uint_eq(u.eflags, r->rflags);
	ck_assert_uint_eq(u.cs, 0x23);
	ck_assert_uint_eq(u.ss, 0x1b);
	ck_assert_uint_eq(u.fs_base, r->fs.base);
	ck_assert_uint_eq(u.gs_base, r->gs.base);
	ck_assert_uint_eq(u.orig_rax, ~0ull);
	/* The raw layout gdb reads: rip is word 16, rsp word 19 (sys/reg.h). */
	memcpy(words, d + 112, sizeof(words));
	ck_assert_uint_eq(words[16], r->rip);
	ck_assert_uint_eq(words[19], r->rsp);
}

START_TEST(test_headers_and_notes)
{
	static struct coredump_image img;
	struct parsed p;
	struct elf_prpsinfo ps;
	uint32_t type, sz;

	memset(&img, 0, sizeof(img));
	img.mem_fd = -1;
	img.domid = 7;
	snprintf(img.name, sizeof(img.name), "a-rather-long-domain-name");
	img.nr_vcpus = 2;
	img.vcpus[0].id = 0;
	fill_regs(&img.vcpus[0].regs, 0x1000);
	img.vcpus[1].id = 3;
	fill_regs(&img.vcpus[1].regs, 0x2000);
	img.mem = mem;
	img.mem_size = MEMSIZE;
	write_image(&img);
	parse(&p);
	memcpy(&ps, note_at(&p, 0, &type, &sz), sizeof(ps));
	ck_assert_uint_eq(type, NT_PRPSINFO);
	ck_assert_uint_eq(sz, sizeof(ps));
	ck_assert_int_eq(ps.pr_pid, 7);
	ck_assert_str_eq(ps.pr_fname, "a-rather-long-d"); /* 16 bytes with the NUL */
	ck_assert_str_eq(ps.pr_psargs, "dyad domain 7 (a-rather-long-domain-name)");
	check_prstatus(&p, 1, 0, &img.vcpus[0].regs);
	check_prstatus(&p, 2, 3, &img.vcpus[1].regs);
	ck_assert_uint_eq(p.note->p_filesz, (12 + 8 + 136) + 2 * (12 + 8 + 336));
	free(p.buf);
}
END_TEST

START_TEST(test_load_segment_is_guest_ram)
{
	static struct coredump_image img;
	struct parsed p;
	int fd;

	memset(&img, 0, sizeof(img));
	img.mem_fd = -1;
	img.nr_vcpus = 1;
	fill_regs(&img.vcpus[0].regs, 1);
	img.mem = mem;
	img.mem_size = MEMSIZE;
	write_image(&img);
	parse(&p);
	ck_assert_uint_eq(p.load->p_vaddr, 0);
	ck_assert_uint_eq(p.load->p_paddr, 0);
	ck_assert_uint_eq(p.load->p_filesz, MEMSIZE);
	ck_assert_uint_eq(p.load->p_memsz, MEMSIZE);
	ck_assert_uint_eq(p.load->p_offset % 4096, 0);
	ck_assert_uint_eq(p.load->p_offset, coredump_load_offset(1));
	ck_assert_uint_eq(p.len, p.load->p_offset + MEMSIZE);
	ck_assert_int_eq(memcmp(p.buf + p.load->p_offset, mem, MEMSIZE), 0);
	ck_assert_uint_eq(p.buf[p.load->p_offset + 3 * 4096 + 5], 0x42);
	/* The all-zero middle chunk is a hole: the next data is the third chunk. */
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(lseek(fd, (off_t)(p.load->p_offset + 16 * 4096), SEEK_DATA),
			 (off_t)(p.load->p_offset + 32 * 4096));
	close(fd);
	free(p.buf);
}
END_TEST

START_TEST(test_refuses_bad_images)
{
	static struct coredump_image img;
	int fd = open(path, O_WRONLY | O_TRUNC);

	ck_assert_int_ge(fd, 0);
	memset(&img, 0, sizeof(img));
	img.mem_fd = -1;
	img.mem = mem;
	img.mem_size = 4095;
	ck_assert_int_eq(coredump_write_fd(fd, &img), -EINVAL);
	img.mem_size = 4096;
	img.nr_vcpus = DYAD_MAX_VCPUS + 1;
	ck_assert_int_eq(coredump_write_fd(fd, &img), -EINVAL);
	img.nr_vcpus = 0;
	img.mem = NULL;
	ck_assert_int_eq(coredump_write_fd(fd, &img), -EINVAL);
	close(fd);
}
END_TEST

/*
 * Through the memfd: its holes are skipped without being touched, so the
 * dump allocates none of the guest's untouched pages, and the file still
 * holds exactly the guest's bytes.
 */
START_TEST(test_memfd_holes_stay_unallocated)
{
	static struct coredump_image img;
	struct stat before, after;
	struct parsed p;
	int mfd = memfd_create("guest", MFD_CLOEXEC);
	uint8_t *map;

	ck_assert_int_ge(mfd, 0);
	ck_assert_int_eq(ftruncate(mfd, (off_t)MEMSIZE), 0);
	ck_assert_int_eq(pwrite(mfd, mem + 4096, 4096, 4096), 4096);
	ck_assert_int_eq(pwrite(mfd, mem + 3 * 4096, 4096, 3 * 4096), 4096);
	ck_assert_int_eq(pwrite(mfd, mem + MEMSIZE - 4096, 4096, (off_t)(MEMSIZE - 4096)), 4096);
	map = mmap(NULL, MEMSIZE, PROT_READ, MAP_SHARED, mfd, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	ck_assert_int_eq(fstat(mfd, &before), 0);
	memset(&img, 0, sizeof(img));
	img.nr_vcpus = 1;
	img.mem = map;
	img.mem_size = MEMSIZE;
	img.mem_fd = mfd;
	write_image(&img);
	ck_assert_int_eq(fstat(mfd, &after), 0);
	ck_assert_int_eq(after.st_blocks, before.st_blocks);
	ck_assert_int_eq(before.st_blocks, 3 * 4096 / 512);
	parse(&p);
	ck_assert_uint_eq(p.len, p.load->p_offset + MEMSIZE);
	ck_assert_int_eq(memcmp(p.buf + p.load->p_offset, mem, MEMSIZE), 0);
	free(p.buf);
	munmap(map, MEMSIZE);
	close(mfd);
}
END_TEST

static unsigned int count_siblings(const char *prefix)
{
	char dir[64], *slash;
	const char *leaf;
	unsigned int n = 0;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", prefix);
	slash = strrchr(dir, '/');
	*slash = '\0';
	leaf = prefix + (slash - dir) + 1;
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += strncmp(e->d_name, leaf, strlen(leaf)) == 0;
	closedir(d);
	return n;
}

static void reply_vcpu(struct fake_core *f, uint32_t seq, uint32_t online, uint64_t seed)
{
	struct dyad_ctl_vcpu_context_rep rep = {.online = online};

	if (online)
		fill_regs(&rep.regs, seed);
	fake_core_reply(f, DYAD_CTL_GET_VCPU_CONTEXT, seq, 0, (const uint8_t *)&rep + 8,
			sizeof(rep) - 8);
}

/* INFO, three vCPUs (1 never brought up), then the memfd. */
START_TEST(test_domain_against_scripted_core)
{
	struct dyad_ctl_dominfo info = {.domid = 4, .state = DYAD_DOMAIN_STATE_CRASHED, .vcpus = 3};
	uint64_t size = MEMSIZE;
	struct dyad_vcpu_regs want;
	struct fake_core f;
	struct parsed p;
	char err[256] = "";
	int mfd = memfd_create("guest", MFD_CLOEXEC);

	ck_assert_int_ge(mfd, 0);
	ck_assert_int_eq(pwrite(mfd, mem, MEMSIZE, 0), (ssize_t)MEMSIZE);
	snprintf(info.name, sizeof(info.name), "crasher");
	fake_core_start(&f);
	fake_core_reply(&f, DYAD_CTL_INFO, 1, 0, &info, sizeof(info));
	reply_vcpu(&f, 2, 1, 0x500);
	reply_vcpu(&f, 3, 0, 0);
	reply_vcpu(&f, 4, 1, 0x900);
	fake_core_reply_fd(&f, DYAD_CTL_GET_MEMFD, 5, 0, &size, sizeof(size), mfd);
	close(mfd);
	unlink(path);
	ck_assert_msg(coredump_domain(f.client, 4, path, err, sizeof(err)) == 0, "%s", err);
	fake_core_stop(&f);
	parse(&p);
	ck_assert_uint_eq(p.note->p_filesz, (12 + 8 + 136) + 2 * (12 + 8 + 336));
	fill_regs(&want, 0x500);
	check_prstatus(&p, 1, 0, &want);
	fill_regs(&want, 0x900);
	check_prstatus(&p, 2, 2, &want);
	ck_assert_int_eq(memcmp(p.buf + p.load->p_offset, mem, MEMSIZE), 0);
	free(p.buf);
}
END_TEST

START_TEST(test_domain_running_is_refused)
{
	struct dyad_ctl_dominfo info = {.domid = 4, .vcpus = 1};
	struct fake_core f;
	struct stat st;
	char err[256] = "", tmp[80];

	fake_core_start(&f);
	fake_core_reply(&f, DYAD_CTL_INFO, 1, 0, &info, sizeof(info));
	fake_core_reply(&f, DYAD_CTL_GET_VCPU_CONTEXT, 2, -EBUSY, NULL, 0);
	unlink(path);
	ck_assert_int_eq(coredump_domain(f.client, 4, path, err, sizeof(err)), -EBUSY);
	fake_core_stop(&f);
	ck_assert_str_eq(err, "domain 4: cannot read its vCPU registers: Device or resource busy "
			      "(it must be paused)");
	ck_assert_int_eq(stat(path, &st), -1);
	snprintf(tmp, sizeof(tmp), "%s", path);
	ck_assert_uint_eq(count_siblings(tmp), 0); /* no temporary file left */
}
END_TEST

/* A vCPU that is not parked yet (-EAGAIN) is asked again, not given up on. */
START_TEST(test_vcpu_eagain_is_retried)
{
	struct dyad_ctl_dominfo info = {.domid = 5, .state = DYAD_DOMAIN_STATE_PAUSED, .vcpus = 1};
	uint64_t size = MEMSIZE;
	struct dyad_vcpu_regs want;
	struct fake_core f;
	struct parsed p;
	char err[256] = "";
	int mfd = memfd_create("guest", MFD_CLOEXEC);

	ck_assert_int_ge(mfd, 0);
	ck_assert_int_eq(ftruncate(mfd, MEMSIZE), 0);
	snprintf(info.name, sizeof(info.name), "parking");
	fake_core_start(&f);
	fake_core_reply(&f, DYAD_CTL_INFO, 1, 0, &info, sizeof(info));
	fake_core_reply(&f, DYAD_CTL_GET_VCPU_CONTEXT, 2, -EAGAIN, NULL, 0);
	fake_core_reply(&f, DYAD_CTL_GET_VCPU_CONTEXT, 3, -EAGAIN, NULL, 0);
	reply_vcpu(&f, 4, 1, 0x700);
	fake_core_reply_fd(&f, DYAD_CTL_GET_MEMFD, 5, 0, &size, sizeof(size), mfd);
	close(mfd);
	unlink(path);
	ck_assert_msg(coredump_domain(f.client, 5, path, err, sizeof(err)) == 0, "%s", err);
	fake_core_stop(&f);
	parse(&p);
	fill_regs(&want, 0x700);
	check_prstatus(&p, 1, 0, &want);
	free(p.buf);
}
END_TEST

/*
 * The temporary file is our own (mkstemp): a "<path>.tmp" someone else
 * has is neither written nor removed, a failed write removes only ours and
 * leaves path as it was, a good one leaves nothing behind but path.
 */
START_TEST(test_write_file_uses_its_own_temp)
{
	static struct coredump_image img;
	char other[80], buf[8] = "";
	struct parsed p;
	int fd;

	snprintf(other, sizeof(other), "%s.tmp", path);
	fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "other", 5), 5);
	close(fd);
	memset(&img, 0, sizeof(img));
	img.mem_fd = -1;
	img.mem = mem;
	img.mem_size = MEMSIZE;
	img.nr_vcpus = DYAD_MAX_VCPUS + 1; /* refused by coredump_write_fd */
	ck_assert_int_eq(coredump_write_file(path, &img), -EINVAL);
	ck_assert_uint_eq(count_siblings(path), 2); /* path (empty, from setup) + other */
	img.nr_vcpus = 1;
	fill_regs(&img.vcpus[0].regs, 0x100);
	ck_assert_int_eq(coredump_write_file(path, &img), 0);
	ck_assert_uint_eq(count_siblings(path), 2);
	fd = open(other, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf) - 1), 5);
	close(fd);
	ck_assert_str_eq(buf, "other");
	unlink(other);
	parse(&p);
	check_prstatus(&p, 1, 0, &img.vcpus[0].regs);
	free(p.buf);
}
END_TEST

START_TEST(test_default_path)
{
	char dir[] = "/tmp/dyad-rd.XXXXXX", buf[128], want[128];
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("DYAD_RUNDIR", dir, 1);
	ck_assert_int_eq(coredump_default_path("web", 12, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/dump/web-12.core", dir);
	ck_assert_str_eq(buf, want);
	snprintf(want, sizeof(want), "%s/dump", dir);
	ck_assert_int_eq(stat(want, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(coredump_default_path("../x", 1, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(coredump_default_path("a/b", 1, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(coredump_default_path("", 1, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(coredump_default_path("web", 12, buf, 10), -ENAMETOOLONG);
	rmdir(want);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dom0_coredump");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_headers_and_notes);
	tcase_add_test(tc, test_load_segment_is_guest_ram);
	tcase_add_test(tc, test_refuses_bad_images);
	tcase_add_test(tc, test_memfd_holes_stay_unallocated);
	tcase_add_test(tc, test_domain_against_scripted_core);
	tcase_add_test(tc, test_domain_running_is_refused);
	tcase_add_test(tc, test_vcpu_eagain_is_retried);
	tcase_add_test(tc, test_write_file_uses_its_own_temp);
	tcase_add_test(tc, test_default_path);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
