/*
 * Replacing a file's contents atomically, for the small state files dom0
 * keeps in the run directory (domain records, a store guest's watches, core
 * dumps): the new contents go to a private temporary file in the same
 * directory, which is renamed over the old one only once it is complete.
 * Readers see the old file or the new one, never a mix, and two writers of
 * the same path never share a temporary.
 */
#ifndef DYAD_FILE_REPLACE_H
#define DYAD_FILE_REPLACE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Write path's new contents with fill(fd, arg) (0 or -errno) into a
 * temporary made with mkostemp (mode 0600), fdatasync it when sync, then
 * rename it over path.  On any failure the temporary is removed and path
 * is untouched.  0 or -errno.
 */
int file_replace(const char *path, bool sync, int (*fill)(int fd, const void *arg), const void *arg)
	__attribute__((warn_unused_result));

/* write() all of buf, retrying short writes and EINTR; 0 or -errno (-EIO for a 0 write). */
int file_write_all(int fd, const void *buf, size_t len) __attribute__((warn_unused_result));

#endif /* DYAD_FILE_REPLACE_H */
