/*
 * A small blocking client for dyad-store (and any xenstored) over its UNIX
 * socket, for dom0 programs: the toolstack, backends, `dyad store`.  One
 * request at a time; watch events that arrive meanwhile are queued for
 * store_client_next_event().  Errors are -errno, decoded from XS_ERROR.
 * tx is 0 outside a transaction.
 */
#ifndef DYAD_STORE_CLIENT_H
#define DYAD_STORE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_client;

/* path NULL: $XENSTORED_PATH, else $DYAD_RUNDIR/store.sock, else /run/dyad/store.sock. */
int store_client_open(const char *path, struct store_client **out)
	__attribute__((warn_unused_result));
void store_client_close(struct store_client *c);
int store_client_fd(const struct store_client *c);
/*
 * Bound every later send and receive to ms (0: block, the default).  A call
 * that runs out of time returns -ETIMEDOUT and the connection is unusable
 * after it (every later call: -ETIMEDOUT); close it and open another.
 */
int store_client_set_timeout(struct store_client *c, unsigned int ms)
	__attribute__((warn_unused_result));

/* Generic request: parts are concatenated; *reply (malloc'd, NUL-padded) may be NULL. */
int store_client_call(struct store_client *c, uint32_t type, uint32_t tx, const void *a,
		      size_t alen, const void *b, size_t blen, char **reply, size_t *rlen)
	__attribute__((warn_unused_result));

int store_client_read(struct store_client *c, uint32_t tx, const char *path, char **val,
		      size_t *len) __attribute__((warn_unused_result));
int store_client_write(struct store_client *c, uint32_t tx, const char *path, const void *val,
		       size_t len) __attribute__((warn_unused_result));
int store_client_mkdir(struct store_client *c, uint32_t tx, const char *path)
	__attribute__((warn_unused_result));
int store_client_rm(struct store_client *c, uint32_t tx, const char *path)
	__attribute__((warn_unused_result));
/* Children as NUL-separated names in *names (len bytes). */
int store_client_directory(struct store_client *c, uint32_t tx, const char *path, char **names,
			   size_t *len) __attribute__((warn_unused_result));
/* Permissions as NUL-separated "r5"-style strings. */
int store_client_get_perms(struct store_client *c, uint32_t tx, const char *path, char **perms,
			   size_t *len) __attribute__((warn_unused_result));
int store_client_set_perms(struct store_client *c, uint32_t tx, const char *path,
			   const char *const *perms, unsigned int n)
	__attribute__((warn_unused_result));
int store_client_watch(struct store_client *c, const char *path, const char *token)
	__attribute__((warn_unused_result));
int store_client_unwatch(struct store_client *c, const char *path, const char *token)
	__attribute__((warn_unused_result));
/* Block for the next watch event; *path and *token point into *buf (free it). */
int store_client_next_event(struct store_client *c, char **buf, const char **path,
			    const char **token) __attribute__((warn_unused_result));
int store_client_txn_start(struct store_client *c, uint32_t *tx)
	__attribute__((warn_unused_result));
int store_client_txn_end(struct store_client *c, uint32_t tx, bool commit)
	__attribute__((warn_unused_result));
int store_client_introduce(struct store_client *c, uint32_t domid, uint64_t mfn, uint32_t port)
	__attribute__((warn_unused_result));
int store_client_release(struct store_client *c, uint32_t domid)
	__attribute__((warn_unused_result));

#endif /* DYAD_STORE_CLIENT_H */
