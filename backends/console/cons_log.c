/*
 * A domain's capped console log file (see cons_log.h).
 */
#include "cons_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cons_log_name_ok(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

static uint64_t cons_log_size(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
}

int cons_log_open(struct cons_log *l, const char *dir, const char *name, uint64_t cap)
{
	int n1, n2;

	memset(l, 0, sizeof(*l));
	l->fd = l->old_fd = -1;
	if (!cons_log_name_ok(name) || cap < CONS_LOG_CAP_MIN)
		return -EINVAL;
	n1 = snprintf(l->path, sizeof(l->path), "%s/%s.log", dir, name);
	n2 = snprintf(l->old_path, sizeof(l->old_path), "%s/%s.log.1", dir, name);
	if (n1 < 0 || n2 < 0 || (size_t)n2 >= sizeof(l->old_path))
		return -ENAMETOOLONG;
	l->fd = open(l->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (l->fd < 0)
		return -errno;
	l->old_fd = open(l->old_path, O_RDONLY | O_CLOEXEC);
	l->cap = cap;
	l->base = cons_log_size(l->old_fd);
	l->end = l->base + cons_log_size(l->fd);
	return 0;
}

/* <name>.log becomes <name>.log.1; a new empty <name>.log takes its place. */
static int cons_log_rotate(struct cons_log *l)
{
	int fd;

	if (rename(l->path, l->old_path) < 0)
		return -errno;
	fd = open(l->path, O_RDWR | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (l->old_fd >= 0)
		close(l->old_fd);
	l->old_fd = l->fd; /* still the renamed file: reads keep working */
	l->fd = fd;
	l->oldest = l->base;
	l->base = l->end;
	return 0;
}

int cons_log_append(struct cons_log *l, const void *buf, size_t len)
{
	const char *p = buf;
	int rc;

	if (l->fd < 0)
		return -EBADF;
	if (l->end > l->base && l->end - l->base + len > l->cap) {
		rc = cons_log_rotate(l);
		if (rc)
			return rc;
	}
	while (len) {
		ssize_t w = write(l->fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		len -= (size_t)w;
		l->end += (uint64_t)w;
	}
	return 0;
}

static int cons_log_pread(int fd, void *buf, size_t len, uint64_t pos, size_t *n)
{
	ssize_t r;

	do
		r = pread(fd, buf, len, (off_t)pos);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	*n = (size_t)r;
	return 0;
}

int cons_log_read(struct cons_log *l, uint64_t off, void *buf, size_t cap, uint64_t *start,
		  size_t *n)
{
	int fd = l->fd;
	uint64_t pos, limit;

	*n = 0;
	if (off < l->oldest)
		off = l->oldest;
	if (off > l->end)
		off = l->end;
	*start = off;
	if (off == l->end || cap == 0)
		return 0;
	if (off < l->base) {
		if (l->old_fd < 0) { /* the old file vanished: skip to the current one */
			*start = off = l->base;
			return cons_log_read(l, off, buf, cap, start, n);
		}
		fd = l->old_fd;
		pos = off - l->oldest;
		limit = l->base - off;
	} else {
		pos = off - l->base;
		limit = l->end - off;
	}
	if (cap > limit)
		cap = (size_t)limit;
	return cons_log_pread(fd, buf, cap, pos, n);
}

void cons_log_close(struct cons_log *l)
{
	if (l->fd >= 0) {
		fdatasync(l->fd);
		close(l->fd);
	}
	if (l->old_fd >= 0)
		close(l->old_fd);
	l->fd = l->old_fd = -1;
}
