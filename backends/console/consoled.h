/*
 * dyad-consoled's shared state: the event loop, the connections to the
 * core and the store, the domains it serves and the attached clients.
 *
 * One thread, one epoll set.  Every pollable object embeds a struct
 * cons_ev whose handler epoll's data.ptr leads to, so the loop is one
 * indirect call per ready descriptor.  Nothing blocks except short
 * request/reply calls to the core and the store (both local daemons).
 */
#ifndef DYAD_CONSOLED_H
#define DYAD_CONSOLED_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cons_io.h"
#include "cons_log.h"
#include "cons_ring.h"

#define CONS_INPUT_QUEUE   4096u /* input bytes waiting for room in the in ring */
#define CONS_DOM_LINGER_MS 5000u /* a destroyed domain stays attachable this long */

struct consoled;
struct cons_ev;
typedef void (*cons_ev_fn)(struct consoled *d, struct cons_ev *ev, uint32_t events);

struct cons_ev {
	cons_ev_fn fn;
};

#define cons_container_of(ptr, type, member)                                                       \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* The flood limit: at most rate_bytes of ring output per rate_ms window. */
struct cons_rate {
	uint32_t bytes;
	uint32_t ms;
};

/*
 * One log file per domain name, shared: when a domain reboots, the old
 * domain (finishing) and the new one (starting) both write <name>.log, so
 * they must share its offsets and rotation.  Refcounted by its domains.
 */
struct cons_log_ref {
	struct cons_log_ref *next;
	unsigned int refs;
	char name[64]; /* DYAD_NAME_MAX */
	struct cons_log log;
};

struct cons_dom {
	struct cons_dom *next;
	uint32_t domid;
	char name[64]; /* DYAD_NAME_MAX */
	uint8_t uuid[16];
	struct cons_log *log; /* in a struct cons_log_ref, shared by name */
	uint64_t start;	      /* log offset of this domain's first byte */
	bool gone;	      /* destroyed: finishing, then freed with its last client */
	bool finished;	      /* log flushed, no more bytes */
	uint64_t gone_ms;     /* when it was destroyed (consoled_now_ms) */
	unsigned int clients;
	/* console_io from the core */
	struct cons_io io;
	struct cons_ev io_ev;
	/* the console ring */
	bool ring_up, ring_dead;
	struct foreignmem *mem;
	struct cons_ring ring;
	uint32_t local; /* evtchn handle's local port */
	/* flood control */
	int timer_fd;
	struct cons_ev timer_ev;
	uint64_t win_start_ms;
	uint32_t win_bytes;
	bool throttled;
	uint64_t throttle_count;
	/* input for the guest */
	uint8_t inq[CONS_INPUT_QUEUE];
	size_t inq_len;
};

struct consoled {
	char rundir[PATH_MAX];
	char logdir[PATH_MAX];
	uint64_t log_cap;
	struct cons_rate rate;
	int epfd;
	bool stop;
	/* the core */
	struct ctl_client *ctl;
	struct evtchn_handle *evh;
	struct cons_ev ctl_ev, evh_ev;
	/* the store: one connection for watches, one for reads */
	struct store_client *store_watch, *store;
	struct cons_ev store_ev;
	/* retry while the core or the store is down */
	int retry_fd, sig_fd; /* timerfd; signalfd for SIGTERM/SIGINT */
	struct cons_ev retry_ev, sig_ev;
	bool core_warned, store_warned;
	/* clients */
	int lfd;
	struct cons_ev listen_ev;
	struct cons_client *clients;
	struct cons_dom *doms;
	struct cons_log_ref *logs;
};

int consoled_watch(struct consoled *d, int fd, uint32_t events, struct cons_ev *ev)
	__attribute__((warn_unused_result));
int consoled_rewatch(struct consoled *d, int fd, uint32_t events, struct cons_ev *ev)
	__attribute__((warn_unused_result));
void consoled_unwatch(struct consoled *d, int fd);
uint64_t consoled_now_ms(void);

/* A live (not yet destroyed) domain by id; adopt it from the core if new. */
struct cons_dom *consoled_find(struct consoled *d, uint32_t domid, bool adopt);

/* cons_dom.c */
int cons_dom_new(struct consoled *d, uint32_t domid, const char *name, const uint8_t uuid[16],
		 struct cons_dom **out) __attribute__((warn_unused_result));
/* Connect the console ring if the store describes one and it is not up yet. */
void cons_dom_try_ring(struct consoled *d, struct cons_dom *dom);
/* The ring's channel was closed (guest or core): last read, then disconnect. */
void cons_dom_ring_lost(struct consoled *d, struct cons_dom *dom);
/* The ring's event channel fired. */
void cons_dom_ring_event(struct consoled *d, struct cons_dom *dom);
/* Queue input for the guest and push what fits into the in ring. */
size_t cons_dom_input(struct consoled *d, struct cons_dom *dom, const uint8_t *buf, size_t len);
/* The domain was destroyed: drain, flush, close (freed once no client holds it). */
void cons_dom_release(struct consoled *d, struct cons_dom *dom);
/* The core went away: every domain ends. */
void cons_dom_core_lost(struct consoled *d, struct cons_dom *dom);
/* Close everything and free (daemon exit: the state file stays). */
void cons_dom_free(struct consoled *d, struct cons_dom *dom);
/* Free a finished domain nobody is attached to; true if freed. */
bool cons_dom_reap(struct consoled *d, struct cons_dom *dom);

/* cons_srv.c */
int cons_srv_init(struct consoled *d) __attribute__((warn_unused_result));
/* New bytes in dom's log, or dom finished: push to the clients of that log. */
void cons_srv_kick(struct consoled *d, struct cons_dom *dom);
/* Free the clients closed during this epoll batch (none is freed earlier). */
void cons_srv_reap(struct consoled *d);
/* Tell every client the daemon stops. */
void cons_srv_fini(struct consoled *d);

#endif /* DYAD_CONSOLED_H */
