/*
 * Guest core dumps as Linux-style ELF cores (see coredump.h).
 *
 * The note payloads are glibc's own x86-64 definitions - struct
 * elf_prstatus and struct elf_prpsinfo from <sys/procfs.h>, registers in
 * struct user_regs_struct order from <sys/user.h> - which are the layouts
 * the Linux kernel writes (include/uapi/linux/elfcore.h,
 * arch/x86/include/asm/user_64.h) and gdb's amd64-linux target reads
 * (amd64_linux_gregset_reg_offset).  The static asserts pin the sizes
 * (elf_prstatus 336 bytes, registers at offset 112, 27 of them) so a
 * different host ABI fails the build instead of writing a bad file.
 */
#include "coredump.h"
#include "file_replace.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <unistd.h>

#include "ctl_client.h"
#include "foreignmem.h"
#include "rundir.h"

_Static_assert(sizeof(struct elf_prstatus) == 336, "x86-64 Linux elf_prstatus");
_Static_assert(offsetof(struct elf_prstatus, pr_reg) == 112, "x86-64 Linux elf_prstatus");
_Static_assert(sizeof(struct user_regs_struct) == 27 * 8, "x86-64 user_regs_struct");
_Static_assert(sizeof(elf_gregset_t) == sizeof(struct user_regs_struct), "elf_gregset_t");
_Static_assert(sizeof(struct elf_prpsinfo) == 136, "x86-64 Linux elf_prpsinfo");

#define COREDUMP_NOTE_NAME  "CORE"
#define COREDUMP_NAME_SZ    8u /* "CORE\0" padded to 4 */
#define COREDUMP_PHNUM	    2u /* PT_NOTE, PT_LOAD */
#define COREDUMP_CHUNK	    (64u * 1024u)
#define COREDUMP_ALIGN(x)   (((x) + 3u) & ~(size_t)3u)
#define COREDUMP_NOTE_SZ(d) (sizeof(Elf64_Nhdr) + COREDUMP_NAME_SZ + COREDUMP_ALIGN(d))

static size_t coredump_notes_size(unsigned int nr_vcpus)
{
	return COREDUMP_NOTE_SZ(sizeof(struct elf_prpsinfo)) +
	       nr_vcpus * COREDUMP_NOTE_SZ(sizeof(struct elf_prstatus));
}

static uint64_t coredump_notes_offset(void)
{
	return sizeof(Elf64_Ehdr) + COREDUMP_PHNUM * sizeof(Elf64_Phdr);
}

uint64_t coredump_load_offset(unsigned int nr_vcpus)
{
	uint64_t end = coredump_notes_offset() + coredump_notes_size(nr_vcpus);

	return (end + FOREIGNMEM_PAGE_SIZE - 1) & ~(uint64_t)(FOREIGNMEM_PAGE_SIZE - 1);
}

static void coredump_ehdr(Elf64_Ehdr *e)
{
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_ident[EI_OSABI] = ELFOSABI_NONE;
	e->e_type = ET_CORE;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = COREDUMP_PHNUM;
}

static void coredump_phdrs(Elf64_Phdr *ph, const struct coredump_image *img)
{
	ph[0] = (Elf64_Phdr){.p_type = PT_NOTE,
			     .p_offset = coredump_notes_offset(),
			     .p_filesz = coredump_notes_size(img->nr_vcpus),
			     .p_align = 4};
	ph[1] = (Elf64_Phdr){.p_type = PT_LOAD,
			     .p_flags = PF_R | PF_W | PF_X,
			     .p_offset = coredump_load_offset(img->nr_vcpus),
			     .p_vaddr = 0,
			     .p_paddr = 0,
			     .p_filesz = img->mem_size,
			     .p_memsz = img->mem_size,
			     .p_align = FOREIGNMEM_PAGE_SIZE};
}

/* One note at p: header, "CORE" padded, desc padded; returns the next spot. */
static uint8_t *coredump_note(uint8_t *p, uint32_t type, const void *desc, size_t len)
{
	Elf64_Nhdr nh = {.n_namesz = sizeof(COREDUMP_NOTE_NAME),
			 .n_descsz = (Elf64_Word)len,
			 .n_type = type};

	memcpy(p, &nh, sizeof(nh));
	p += sizeof(nh);
	memcpy(p, COREDUMP_NOTE_NAME, sizeof(COREDUMP_NOTE_NAME));
	p += COREDUMP_NAME_SZ;
	memcpy(p, desc, len);
	return p + COREDUMP_ALIGN(len);
}

/* Dyad's registers in the order of struct user_regs_struct (sys/user.h). */
static void coredump_user_regs(const struct dyad_vcpu_regs *r, struct user_regs_struct *u)
{
	*u = (struct user_regs_struct){
		.r15 = r->r15,
		.r14 = r->r14,
		.r13 = r->r13,
		.r12 = r->r12,
		.rbp = r->rbp,
		.rbx = r->rbx,
		.r11 = r->r11,
		.r10 = r->r10,
		.r9 = r->r9,
		.r8 = r->r8,
		.rax = r->rax,
		.rcx = r->rcx,
		.rdx = r->rdx,
		.rsi = r->rsi,
		.rdi = r->rdi,
		/* -1: not inside a system call (what Linux stores outside one) */
		.orig_rax = ~0ull,
		.rip = r->rip,
		.cs = r->cs.selector,
		.eflags = r->rflags,
		.rsp = r->rsp,
		.ss = r->ss.selector,
		.fs_base = r->fs.base,
		.gs_base = r->gs.base,
		.ds = r->ds.selector,
		.es = r->es.selector,
		.fs = r->fs.selector,
		.gs = r->gs.selector};
}

static uint8_t *coredump_prstatus(uint8_t *p, const struct coredump_vcpu *v)
{
	struct elf_prstatus st;
	struct user_regs_struct u;

	memset(&st, 0, sizeof(st));
	st.pr_pid = (int)v->id + 1; /* gdb names threads by pid; 0 would be "no thread" */
	coredump_user_regs(&v->regs, &u);
	memcpy(&st.pr_reg, &u, sizeof(u));
	return coredump_note(p, NT_PRSTATUS, &st, sizeof(st));
}

static uint8_t *coredump_prpsinfo(uint8_t *p, const struct coredump_image *img)
{
	struct elf_prpsinfo ps;

	memset(&ps, 0, sizeof(ps));
	ps.pr_sname = 'R';
	ps.pr_pid = (int)img->domid;
	snprintf(ps.pr_fname, sizeof(ps.pr_fname), "%s", img->name);
	snprintf(ps.pr_psargs, sizeof(ps.pr_psargs), "dyad domain %u (%s)", img->domid, img->name);
	return coredump_note(p, NT_PRPSINFO, &ps, sizeof(ps));
}

static int coredump_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int coredump_write_headers(int fd, const struct coredump_image *img)
{
	size_t len = coredump_notes_offset() + coredump_notes_size(img->nr_vcpus);
	uint8_t *buf = calloc(1, len), *p;
	int rc;

	if (!buf)
		return -ENOMEM;
	coredump_ehdr((Elf64_Ehdr *)buf);
	coredump_phdrs((Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr)), img);
	p = coredump_prpsinfo(buf + coredump_notes_offset(), img);
	for (unsigned int i = 0; i < img->nr_vcpus; i++)
		p = coredump_prstatus(p, &img->vcpus[i]);
	rc = coredump_pwrite_all(fd, buf, len, 0);
	free(buf);
	return rc;
}

static bool coredump_all_zero(const uint8_t *p, size_t len)
{
	/* Equal to itself shifted by one byte and starting with 0: all zero. */
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/* Guest RAM [from, to) to the file; all-zero chunks stay holes. */
static int coredump_write_range(int fd, const struct coredump_image *img, uint64_t from,
				uint64_t to)
{
	uint64_t base = coredump_load_offset(img->nr_vcpus);

	for (uint64_t off = from; off < to; off += COREDUMP_CHUNK) {
		size_t n = to - off < COREDUMP_CHUNK ? (size_t)(to - off) : COREDUMP_CHUNK;
		int rc;

		if (coredump_all_zero(img->mem + off, n))
			continue;
		rc = coredump_pwrite_all(fd, img->mem + off, n, base + off);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * The next run of the memfd that holds data, [*from, *to) within
 * [off, mem_size); false when only holes remain.  Reading a hole through a
 * shared mapping would allocate it (shmem fills on fault), so holes of the
 * guest's memfd are skipped with SEEK_DATA/SEEK_HOLE, never touched.
 * Without an fd, or if it cannot seek, everything is data.
 */
static bool coredump_next_data(const struct coredump_image *img, uint64_t off, uint64_t *from,
			       uint64_t *to)
{
	off_t d, h;

	*from = off;
	*to = img->mem_size;
	if (img->mem_fd < 0)
		return true;
	d = lseek(img->mem_fd, (off_t)off, SEEK_DATA);
	if (d < 0)
		return errno != ENXIO; /* ENXIO: no data past off */
	h = lseek(img->mem_fd, d, SEEK_HOLE);
	*from = (uint64_t)d < img->mem_size ? (uint64_t)d : img->mem_size;
	if (h >= 0 && (uint64_t)h < img->mem_size)
		*to = (uint64_t)h;
	return *from < *to;
}

static int coredump_write_mem(int fd, const struct coredump_image *img)
{
	uint64_t off = 0, from, to;

	while (off < img->mem_size && coredump_next_data(img, off, &from, &to)) {
		int rc = coredump_write_range(fd, img, from, to);

		if (rc)
			return rc;
		off = to;
	}
	off = coredump_load_offset(img->nr_vcpus) + img->mem_size;
	return ftruncate(fd, (off_t)off) < 0 ? -errno : 0;
}

int coredump_write_fd(int fd, const struct coredump_image *img)
{
	int rc;

	if (img->nr_vcpus > DYAD_MAX_VCPUS || img->mem_size % FOREIGNMEM_PAGE_SIZE ||
	    (img->mem_size && !img->mem))
		return -EINVAL;
	rc = coredump_write_headers(fd, img);
	return rc ? rc : coredump_write_mem(fd, img);
}

/*
 * One vCPU's registers.  A domain paused a moment ago may still have vCPUs
 * running towards their park point: the core answers -EAGAIN until they
 * are parked, so ask again a few times.
 */
static int coredump_vcpu_context(struct ctl_client *c, uint32_t domid, uint32_t vcpu,
				 struct dyad_vcpu_regs *regs, uint32_t *up)
{
	int rc;

	for (unsigned int i = 0;; i++) {
		rc = ctl_get_vcpu_context(c, domid, vcpu, regs, up);
		if (rc != -EAGAIN || i + 1 >= COREDUMP_EAGAIN_TRIES)
			return rc;
		usleep(COREDUMP_EAGAIN_SLEEP_MS * 1000);
	}
}

/* The registers of every vCPU that is up, of a domain with `configured` vCPUs. */
static int coredump_collect_vcpus(struct ctl_client *c, uint32_t domid, uint32_t configured,
				  struct coredump_image *img)
{
	img->nr_vcpus = 0;
	for (uint32_t i = 0; i < configured && i < DYAD_MAX_VCPUS; i++) {
		struct coredump_vcpu *v = &img->vcpus[img->nr_vcpus];
		uint32_t up = 0;
		int rc = coredump_vcpu_context(c, domid, i, &v->regs, &up);

		if (rc)
			return rc;
		if (!up) /* down (never brought up, or VCPUOP_down): nothing to show */
			continue;
		v->id = i;
		img->nr_vcpus++;
	}
	return 0;
}

static int coredump_fill(int fd, const void *img)
{
	return coredump_write_fd(fd, img);
}

/* Complete or not at all: a private temporary renamed over path (file_replace.h). */
int coredump_write_file(const char *path, const struct coredump_image *img)
{
	return file_replace(path, false, coredump_fill, img);
}

/* Gather img (registers, mapped memory) for domid; *m is the mapping to close. */
static int coredump_gather(struct ctl_client *c, uint32_t domid, struct coredump_image *img,
			   struct foreignmem **m, char *err, size_t errlen)
{
	struct dyad_ctl_dominfo info;
	int rc = ctl_info(c, domid, &info);

	if (rc) {
		snprintf(err, errlen, "domain %u: cannot get its info: %s", domid, strerror(-rc));
		return rc;
	}
	img->domid = domid;
	snprintf(img->name, sizeof(img->name), "%s", info.name);
	rc = coredump_collect_vcpus(c, domid, info.vcpus, img);
	if (rc) {
		snprintf(err, errlen, "domain %u: cannot read its vCPU registers: %s%s", domid,
			 strerror(-rc), rc == -EBUSY ? " (it must be paused)" : "");
		return rc;
	}
	rc = foreignmem_open(c, domid, m);
	if (rc) {
		snprintf(err, errlen, "domain %u: cannot map its memory: %s", domid, strerror(-rc));
		return rc;
	}
	img->mem = (*m)->base;
	img->mem_size = (*m)->size;
	img->mem_fd = (*m)->fd;
	return 0;
}

int coredump_domain(struct ctl_client *c, uint32_t domid, const char *path, char *err,
		    size_t errlen)
{
	struct coredump_image *img = calloc(1, sizeof(*img)); /* 5 KiB of registers */
	struct foreignmem *m = NULL;
	int rc;

	if (!img) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = coredump_gather(c, domid, img, &m, err, errlen);
	if (!rc) {
		rc = coredump_write_file(path, img);
		if (rc)
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
	}
	if (m)
		foreignmem_close(m);
	free(img);
	return rc;
}

int coredump_default_path(const char *name, uint32_t domid, char *buf, size_t cap)
{
	char dir[PATH_MAX];
	int rc = rundir_file("dump", dir, sizeof(dir));

	if (rc)
		return rc;
	/* Names come from the core, which allows [A-Za-z0-9_.-]; never a path. */
	if (!name[0] || strchr(name, '/') || name[0] == '.')
		return -EINVAL;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if ((size_t)snprintf(buf, cap, "%s/%s-%u.core", dir, name, domid) >= cap)
		return -ENAMETOOLONG;
	return 0;
}
