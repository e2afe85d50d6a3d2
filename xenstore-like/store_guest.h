/*
 * The daemon's side of the guest transport: everything dyad-store needs
 * from the core (dyad-hv) to serve domains over their rings.
 *
 *  - A control client to $RUNDIR/hv.sock.  The store starts before the
 *    core, so it retries quietly (every 250 ms, and at once when a domain
 *    is introduced) until the core is there, and again if the core goes
 *    away.  It subscribes to domain events.
 *  - INTRODUCE (through core->hooks): map the domain's memory
 *    (foreignmem), take the ring page at the given frame, bind the guest's
 *    port (evtchn_rebind_interdomain: a previous instance of the store may
 *    still hold it) and serve the page (store_ring.c).  RELEASE undoes it.
 *  - DYAD_EVENT_DESTROYED: what libxl and xenstored do on destroy - rm the
 *    domain's vm path (read from /local/domain/N/vm) and /local/domain/N,
 *    then release the domain (its nodes go, @releaseDomain fires).
 *  - Restart: journalled domains are re-attached once the core answers
 *    (those it no longer has are destroyed as above), their connections'
 *    watches are restored from store_guest_watch.c's files and fire once.
 *
 * Everything runs in the store's single-threaded event loop.
 */
#ifndef DYAD_STORE_GUEST_H
#define DYAD_STORE_GUEST_H

#include "store_core.h"

#include <limits.h>

struct ctl_client;
struct evtchn_handle;
struct store_guest_dom;

struct store_guest {
	struct store_core *core;
	int epfd;     /* the daemon's epoll set (borrowed) */
	int timer_fd; /* retry timer while the core is away */
	int ctl_tag;  /* epoll cookies: &ctl_tag, &ev_tag, &timer_fd */
	int ev_tag;
	bool waiting_logged;
	bool destroying; /* releasing a domain the core has destroyed */
	bool ctl_used;	 /* control calls made: events may be queued in the client */
	bool fsync;	 /* --fsync: watch files are synced like the journal */
	unsigned int attached;
	struct ctl_client *ctl;
	struct evtchn_handle *ev;
	struct store_guest_dom **by_local; /* EVTCHN_MAX_LOCAL + 1 entries */
	char rundir[PATH_MAX];
	char watch_dir[PATH_MAX]; /* where ring connections' watches are kept */
};

/* Set up (the core may be down: that is not an error).  Installs core->hooks. */
int store_guest_init(struct store_guest *g, struct store_core *core, const char *rundir,
		     const char *journal, bool fsync, int epfd) __attribute__((warn_unused_result));
void store_guest_fini(struct store_guest *g);

/* Is this epoll cookie ours?  Then handle it. */
bool store_guest_owns(const struct store_guest *g, const void *ptr);
void store_guest_handle(struct store_guest *g, const void *ptr);
/*
 * After a pass: handle core events queued while we made control calls.
 * True if one was handled (its changes need another commit).
 */
bool store_guest_after_pass(struct store_guest *g);
/* Before replies go out: write the watch files of ring connections that changed them. */
void store_guest_persist(struct store_guest *g);

/* Destroyed in the core: rm its vm path and home, release it. */
void store_guest_destroyed(struct store_guest *g, uint32_t domid);

/* store_guest_watch.c: one file per domain under watch_dir. */
int store_guest_watch_save(const char *dir, const struct store_conn *conn, bool fsync)
	__attribute__((warn_unused_result));
void store_guest_watch_load(const char *dir, struct store_conn *conn);
void store_guest_watch_forget(const char *dir, uint32_t domid);

#endif /* DYAD_STORE_GUEST_H */
