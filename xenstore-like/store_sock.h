/*
 * The UNIX-socket transport: dom0 programs connect to RUNDIR/store.sock
 * (SOCK_STREAM, as libxenstore expects); only uid 0, checked with
 * SO_PEERCRED, is accepted, and every socket client acts as dom0.
 */
#ifndef DYAD_STORE_SOCK_H
#define DYAD_STORE_SOCK_H

#include "store_core.h"

/* Bind and listen (unlinking a stale socket); 0 or -errno. */
int store_sock_listen(const char *path, int *fd) __attribute__((warn_unused_result));
/* Accept one client; NULL if none is waiting or it was refused. */
struct store_conn *store_sock_accept(struct store_core *c, int lfd);

#endif /* DYAD_STORE_SOCK_H */
