/*
 * dyad-store's core: the node tree, the domains, the connections with their
 * watches and transactions, and the quotas - everything a request touches,
 * with no I/O of its own.  Transports (the UNIX socket now, a guest's ring
 * page later) feed bytes to a connection through its ops; the journal is
 * told about every committed change.  The unit tests drive the core with an
 * in-memory transport, as any domain.
 */
#ifndef DYAD_STORE_CORE_H
#define DYAD_STORE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <errno.h> /* before xs_wire.h: it defines xsd_errors[] only with errno */

#include "dyad/xen.h"
#include <xen/io/xs_wire.h>

#include "store_map.h"
#include "store_node.h"
#include "store_perms.h"

struct store_journal;
struct store_conn;

/* Xen 4.17's quotas for unprivileged domains (0 = unlimited). */
struct store_quota {
	unsigned int nodes;	   /* nodes owned per domain: 1000 */
	unsigned int watches;	   /* per domain: 128 */
	unsigned int node_size;	   /* bytes per node: 2048 */
	unsigned int txns;	   /* open per connection: 10 */
	unsigned int perms;	   /* entries per node: 5 */
	unsigned int txn_nodes;	   /* nodes touched per transaction: 1024 */
	unsigned int outstanding;  /* unanswered requests before input stalls: 20 */
	size_t mem_soft, mem_hard; /* 2 MiB / 2.5 MiB per domain: logged / stalled */
};
void store_quota_defaults(struct store_quota *q);
/* "name=value" (names as above); 0 or -EINVAL. */
int store_quota_set(struct store_quota *q, const char *spec) __attribute__((warn_unused_result));

/*
 * A transport: read returns bytes (0 = nothing now, -errno = gone), write
 * returns bytes accepted (0 = full, -errno = gone); destroy frees priv.
 */
struct store_conn_ops {
	ssize_t (*read)(struct store_conn *c, void *buf, size_t len);
	ssize_t (*write)(struct store_conn *c, const void *buf, size_t len);
	void (*destroy)(struct store_conn *c);
};

struct store_watch {
	struct store_watch *next;
	char *path; /* absolute, or "@..." */
	char *token;
	size_t rel_off; /* bytes of "/local/domain/<id>/" to strip from events; 0 = absolute */
};

struct store_txn_entry;
struct store_txn {
	struct store_txn *next;
	uint32_t id;
	struct store_map entries; /* path -> store_txn_entry */
	struct store_txn_entry *head, *tail;
	unsigned int n;
	long owned_delta;	 /* nodes gained by the connection's domain */
	struct store_core *core; /* memory quota: mem bytes charged to domid */
	uint32_t domid;
	size_t mem;
};

#define STORE_RBUF (2 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX))

struct store_conn {
	struct store_conn *next, *prev;
	struct store_core *core;
	const struct store_conn_ops *ops;
	void *priv;
	int fd; /* the transport's descriptor for the event loop, or -1 */
	struct store_who who;
	bool dead;
	/* Input: raw bytes, parsed in place. */
	char rbuf[STORE_RBUF];
	size_t roff, rlen;
	/* Output: replies and events, flushed after the journal. */
	char *obuf;
	size_t olen, ooff, ocap;
	unsigned int pending;	 /* replies queued and not yet written */
	uint64_t events_dropped; /* watch events not queued: the reader was too far behind */
	struct store_watch *watches;
	unsigned int nwatches;
	struct store_txn *txns;
	unsigned int ntxns;
	uint32_t next_txid;
	/* Ring transports (store_ring.c): all output written; input waiting. */
	void (*drained)(struct store_conn *c);
	bool (*has_input)(const struct store_conn *c);
	bool restored;	      /* re-attached after a restart: unknown tx_id -> EAGAIN */
	bool watches_changed; /* its watches changed (a ring's are kept across restarts) */
};

struct store_domain {
	uint32_t domid;
	uint64_t mfn;
	uint32_t port;
	int64_t target;		 /* SET_TARGET, or -1 */
	struct store_conn *conn; /* the ring connection, once attached */
	void *ring;		 /* the daemon's attachment (store_guest.c), or NULL */
};

/* The daemon's guest transport: attach a domain's ring at INTRODUCE, detach at RELEASE. */
struct store_domain_hooks {
	int (*attach)(void *arg, struct store_domain *d);
	void (*detach)(void *arg, struct store_domain *d);
};

struct store_core {
	struct store_map nodes; /* path -> store_node */
	uint64_t gen;
	uint32_t *owned;	       /* nodes owned, per domid */
	struct store_domain **domains; /* per domid, NULL if not introduced */
	struct store_conn *conns;
	struct store_quota quota;
	struct store_journal *journal; /* NULL: volatile (tests) */
	bool dirty;		       /* changes not yet in the journal's file */
	uint64_t requests;
	size_t *mem;	     /* memory quota: bytes charged per domid (store_mem_*) */
	uint8_t *mem_warned; /* per domid: logged over soft (1) / over hard (2) */
	const struct store_domain_hooks *hooks; /* NULL: no ring transport (tests) */
	void *hooks_arg;
};

int store_core_init(struct store_core *c) __attribute__((warn_unused_result));
void store_core_fini(struct store_core *c);

/* Tree primitives (no checks): used by commits, the journal and the ops. */
const struct store_node *store_tree_get(const struct store_core *c, const char *path);
/* Put n in the tree (replacing a node of its path), new generation; takes n. */
int store_tree_put(struct store_core *c, struct store_node *n) __attribute__((warn_unused_result));
/* Remove one node (not its children). */
void store_tree_del(struct store_core *c, const char *path);

/* Connections. */
struct store_conn *store_conn_new(struct store_core *c, const struct store_conn_ops *ops,
				  void *priv, int fd, uint32_t domid, bool privileged);
void store_conn_free(struct store_conn *conn);
/* Pull what the transport has and handle every complete request. */
void store_conn_input(struct store_conn *conn);
/* Write queued output; false if output remains. */
bool store_conn_flush(struct store_conn *conn);
bool store_conn_stalled(const struct store_conn *conn);
/* A complete request is buffered (and not stalled): worth another pass. */
bool store_conn_ready(const struct store_conn *conn);
/* Drop the connection's watches, transactions and buffered bytes (ring RECONNECT). */
void store_conn_reset(struct store_conn *conn);
/* Queue one message. */
int store_conn_send(struct store_conn *conn, uint32_t type, uint32_t req_id, uint32_t tx_id,
		    const void *data, size_t len) __attribute__((warn_unused_result));
/* Handle one complete request (header + payload, payload NUL-padded). */
void store_conn_dispatch(struct store_conn *conn, const struct xsd_sockmsg *hdr, char *payload);
/* Protocol violation: log once, mark dead. */
void store_conn_fail(struct store_conn *conn, const char *why);

/*
 * A view of the tree for one request: through a transaction when txn is
 * set (see store_txn.c), directly otherwise.
 */
struct store_view {
	struct store_core *core;
	struct store_conn *conn;
	struct store_txn *txn;
};
/* The node at path or NULL; *rc is 0, or -ENOSPC if the transaction is full. */
const struct store_node *store_view_get(struct store_view *v, const char *path, int *rc);
/* Replace/create: takes n.  exact: fire only watches on this very path. */
int store_view_put(struct store_view *v, struct store_node *n, bool fire)
	__attribute__((warn_unused_result));
/* Delete one node whose perms are given (for watch visibility). */
int store_view_del(struct store_view *v, const struct store_node *n, bool exact)
	__attribute__((warn_unused_result));

/* Remove n and everything below it, and its name from its parent. */
int store_rm_subtree(struct store_view *v, const struct store_node *n)
	__attribute__((warn_unused_result));

/* Transactions. */
int store_txn_start(struct store_conn *conn, uint32_t *id) __attribute__((warn_unused_result));
struct store_txn *store_txn_find(struct store_conn *conn, uint32_t id);
/* commit false: abort.  0, -EAGAIN (conflict), -ENOMEM. Frees t. */
int store_txn_end(struct store_conn *conn, struct store_txn *t, bool commit)
	__attribute__((warn_unused_result));
void store_txn_free(struct store_txn *t);

/* Watches. */
int store_watch_add(struct store_conn *conn, const char *path, const char *token, bool relative)
	__attribute__((warn_unused_result));
int store_watch_del(struct store_conn *conn, const char *path, const char *token)
	__attribute__((warn_unused_result));
void store_watch_reset(struct store_conn *conn);
/* A node changed: exact = only watches on path itself, else at or above it. */
void store_watch_fire(struct store_core *c, const char *path, bool exact,
		      const struct store_perm *perms, uint32_t nperms);
/* Queue one event for w on conn. */
void store_watch_event(struct store_conn *conn, const struct store_watch *w, const char *path);

/* Domains. */
int store_domain_introduce(struct store_core *c, uint32_t domid, uint64_t mfn, uint32_t port,
			   bool journal) __attribute__((warn_unused_result));
int store_domain_release(struct store_core *c, uint32_t domid, bool journal)
	__attribute__((warn_unused_result));
int store_domain_set_target(struct store_core *c, uint32_t domid, uint32_t target, bool journal)
	__attribute__((warn_unused_result));
struct store_domain *store_domain_get(const struct store_core *c, uint32_t domid);
/* Refresh who.target from the domain table. */
void store_domain_who(const struct store_core *c, struct store_who *who);

/* Quota hit: log once per (domain, quota), rate-limited. */
void store_quota_hit(const struct store_conn *conn, const char *quota);

/*
 * The memory quota (Xen 4.17's quota_memory_per_domain_soft/_hard): node,
 * watch and transaction bytes are charged to a domain.  Past the soft quota
 * the domain is logged once (until it drops below again); a request that
 * would take an unprivileged domain past the hard quota fails with ENOMEM;
 * a domain at or over the hard quota (charged by dom0 or by a commit) is not
 * read until memory is freed, as 4.17's domain_can_read().
 */
void store_mem_charge(struct store_core *c, uint32_t domid, long delta);
/* May conn's domain take `more` bytes?  0, or -ENOMEM (logged). */
int store_mem_check(const struct store_conn *conn, long more) __attribute__((warn_unused_result));
bool store_mem_stalled(const struct store_conn *conn);

#endif /* DYAD_STORE_CORE_H */
