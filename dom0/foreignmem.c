/*
 * One shared mapping of a domain's memfd per process; accesses by frame
 * number with bounds checks (see foreignmem.h).
 */
#include "foreignmem.h"

#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_client.h"

/* Mappings shared by the process's handles, by domid and memfd identity. */
static pthread_mutex_t foreignmem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct foreignmem *foreignmem_shared;

int foreignmem_open_fd(uint32_t domid, int fd, uint64_t size, struct foreignmem **out)
{
	struct foreignmem *m;
	struct stat st;
	void *p, *ro;

	if (fd < 0 || size == 0 || size % FOREIGNMEM_PAGE_SIZE || size > (uint64_t)SIZE_MAX)
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size < 0 || (uint64_t)st.st_size < size)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ro = p == MAP_FAILED ? MAP_FAILED : mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
	if (ro == MAP_FAILED) {
		int rc = -errno;

		if (p != MAP_FAILED)
			munmap(p, (size_t)size);
		free(m);
		return rc;
	}
	*m = (struct foreignmem){.domid = domid,
				 .fd = fd,
				 .base = p,
				 .base_ro = ro,
				 .size = size,
				 .dev = st.st_dev,
				 .ino = st.st_ino};
	*out = m;
	return 0;
}

/* A shared mapping of this very memfd, with a reference taken; or NULL. */
static struct foreignmem *foreignmem_find(uint32_t domid, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return NULL;
	for (struct foreignmem *m = foreignmem_shared; m; m = m->next) {
		if (m->domid == domid && m->dev == st.st_dev && m->ino == st.st_ino) {
			m->refs++;
			return m;
		}
	}
	return NULL;
}

int foreignmem_open(struct ctl_client *c, uint32_t domid, struct foreignmem **out)
{
	uint64_t size = 0;
	int fd = -1;
	int rc = ctl_get_memfd(c, domid, &fd, &size);

	if (rc)
		return rc;
	pthread_mutex_lock(&foreignmem_lock);
	*out = foreignmem_find(domid, fd);
	if (*out) {
		close(fd);
	} else {
		rc = foreignmem_open_fd(domid, fd, size, out);
		if (rc == 0) {
			(*out)->refs = 1;
			(*out)->next = foreignmem_shared;
			foreignmem_shared = *out;
		} else {
			close(fd);
		}
	}
	pthread_mutex_unlock(&foreignmem_lock);
	return rc;
}

/* Unlink a shared mapping whose last reference went; false if still in use. */
static bool foreignmem_release(struct foreignmem *m)
{
	bool last;

	pthread_mutex_lock(&foreignmem_lock);
	last = --m->refs == 0;
	for (struct foreignmem **pp = &foreignmem_shared; last && *pp; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	pthread_mutex_unlock(&foreignmem_lock);
	return last;
}

void foreignmem_close(struct foreignmem *m)
{
	if (!m || (m->refs && !foreignmem_release(m)))
		return;
	if (m->base)
		munmap(m->base, (size_t)m->size);
	if (m->base_ro)
		munmap((void *)(uintptr_t)m->base_ro, (size_t)m->size);
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

uint64_t foreignmem_nr_pages(const struct foreignmem *m)
{
	return m->size >> FOREIGNMEM_PAGE_SHIFT;
}

void *foreignmem_gpa(const struct foreignmem *m, uint64_t gpa, size_t len)
{
	if (len == 0 || gpa >= m->size || len > m->size - gpa)
		return NULL;
	return m->base + gpa;
}

void *foreignmem_map(const struct foreignmem *m, uint64_t gfn, uint64_t nr)
{
	uint64_t pages = foreignmem_nr_pages(m);

	if (nr == 0 || gfn >= pages || nr > pages - gfn)
		return NULL;
	return m->base + (gfn << FOREIGNMEM_PAGE_SHIFT);
}

const void *foreignmem_map_ro(const struct foreignmem *m, uint64_t gfn, uint64_t nr)
{
	const uint8_t *p = foreignmem_map(m, gfn, nr);

	return p ? m->base_ro + (p - m->base) : NULL;
}
