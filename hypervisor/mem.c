/*
 * Guest RAM as a sealed memfd (see mem.h).  Pages are allocated lazily by
 * the kernel on first touch, so a domain costs only what it uses.
 */
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

static int mem_make_fd(uint64_t size, const char *name, int *out)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		rc = -errno;
	if (rc) {
		close(fd);
		return rc;
	}
	*out = fd;
	return 0;
}

int mem_create(struct mem *m, uint64_t size, const char *name)
{
	void *p;
	int fd, rc;

	if (size == 0 || size % 4096)
		return -EINVAL;
	rc = mem_make_fd(size, name, &fd);
	if (rc)
		return rc;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		close(fd);
		return rc;
	}
	madvise(p, size, MADV_DONTDUMP);
	m->fd = fd;
	m->host = p;
	m->size = size;
	return 0;
}

void mem_destroy(struct mem *m)
{
	if (m->host)
		munmap(m->host, m->size);
	if (m->fd >= 0)
		close(m->fd);
	m->host = NULL;
	m->fd = -1;
	m->size = 0;
}
