/*
 * The watches of ring connections, kept across a restart of the store.
 *
 * Socket clients re-register their watches when they reconnect; a guest
 * cannot tell that the store restarted, so its watches must survive.  Each
 * introduced domain has one small file, DIR/<domid>, rewritten whole (new
 * file, rename) whenever its connection's watches change, before the reply
 * that acknowledges the change is sent - the same ordering as the journal.
 * Records: a flag byte ('R' relative, 'A' absolute), the canonical path,
 * NUL, the token, NUL.  The file is ours, but it is still parsed with
 * bounds checks; a damaged one restores the watches before the damage.
 */
#include "store_guest.h"

#include "file_replace.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WATCH_FILE_MAX (1u << 20)

static void store_guest_watch_path(const char *dir, uint32_t domid, const char *suffix, char *out,
				   size_t cap)
{
	snprintf(out, cap, "%s/%u%s", dir, domid, suffix);
}

/* One record per watch: 'R' (relative) or 'A', the path and the token, NUL-terminated. */
static int store_guest_watch_fill(int fd, const void *arg)
{
	const struct store_conn *conn = arg;

	for (const struct store_watch *w = conn->watches; w; w = w->next) {
		char flag = w->rel_off ? 'R' : 'A';
		int rc = file_write_all(fd, &flag, 1);

		if (!rc)
			rc = file_write_all(fd, w->path, strlen(w->path) + 1);
		if (!rc)
			rc = file_write_all(fd, w->token, strlen(w->token) + 1);
		if (rc)
			return rc;
	}
	return 0;
}

int store_guest_watch_save(const char *dir, const struct store_conn *conn, bool fsync)
{
	char path[PATH_MAX + 32];

	store_guest_watch_path(dir, conn->who.domid, "", path, sizeof(path));
	return file_replace(path, fsync, store_guest_watch_fill, conn);
}

/* Read the whole file into a NUL-terminated buffer; its length in *len. */
static char *store_guest_watch_slurp(const char *path, size_t *len)
{
	char *buf = malloc(WATCH_FILE_MAX + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, WATCH_FILE_MAX);

	if (fd >= 0)
		close(fd);
	if (!buf || n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* Restore each watch and fire it once, as a fresh registration does. */
void store_guest_watch_load(const char *dir, struct store_conn *conn)
{
	char path[PATH_MAX + 32];
	size_t len = 0, off = 0, n = 0;
	char *buf;

	store_guest_watch_path(dir, conn->who.domid, "", path, sizeof(path));
	buf = store_guest_watch_slurp(path, &len);
	if (!buf)
		return;
	while (off < len) {
		const char *wpath = buf + off + 1, *token;
		bool rel = buf[off] == 'R';
		size_t plen = strnlen(wpath, len - off - 1);

		if (off + 1 + plen >= len)
			break; /* truncated: keep what came before */
		token = wpath + plen + 1;
		if ((size_t)(token - buf) + strnlen(token, len - (size_t)(token - buf)) >= len)
			break;
		if (store_watch_add(conn, wpath, token, rel) == 0) {
			store_watch_event(conn, conn->watches, wpath);
			n++;
		}
		off = (size_t)(token - buf) + strlen(token) + 1;
	}
	free(buf);
	if (n)
		log_info("domain %u: restored %zu watches", conn->who.domid, n);
}

void store_guest_watch_forget(const char *dir, uint32_t domid)
{
	char path[PATH_MAX + 32];

	store_guest_watch_path(dir, domid, "", path, sizeof(path));
	unlink(path);
}
