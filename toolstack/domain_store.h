/*
 * A domain's presence in the configuration store (libxl's xenstore part of
 * domain creation and destruction): the nodes and permissions every domain
 * gets, written in one transaction; the domain's introduction to the store;
 * removal and release on destroy; the control/shutdown request.
 */
#ifndef DYAD_DOMAIN_STORE_H
#define DYAD_DOMAIN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libdyad.h"

struct store_client;

#define DOMAIN_STORE_NODES     19 /* entries domain_store_layout() produces */
#define DOMAIN_STORE_MAX_PERMS 2

/* One node: its absolute path, value and permissions ("n0", "r5", ...). */
struct domain_store_node {
	char path[96];
	char value[DYAD_NAME_MAX + 16];
	char perms[DOMAIN_STORE_MAX_PERMS][16];
	unsigned int nperms;
};

/*
 * The nodes of domain domid with config cfg whose console channel is
 * console_port, parents before children (libxl's layout; see
 * docs/issue45-contract.md §3).  out holds DOMAIN_STORE_NODES entries.
 */
void domain_store_layout(const struct dyad_domain_config *cfg, uint32_t domid,
			 uint32_t console_port, struct domain_store_node out[DOMAIN_STORE_NODES]);

/* "/local/domain/N" and "/vm/<uuid>" into buf (cap >= 64). */
void domain_store_dom_path(uint32_t domid, char *buf, size_t cap);
void domain_store_vm_path(const uint8_t uuid[16], char *buf, size_t cap);

/*
 * Connect to the store's socket ($XENSTORED_PATH, else RUNDIR/store.sock),
 * retrying a missing or refusing socket for up to wait_ms.  On failure err
 * names the socket ("the store is not running: cannot connect to PATH: ...").
 */
int domain_store_open(struct store_client **c, unsigned int wait_ms, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Write nodes[0..n) with their permissions in one transaction, after
 * removing whatever a previous domain with this id left at the first
 * node's path; a commit that gets EAGAIN is retried.
 */
int domain_store_write_nodes(struct store_client *c, const struct domain_store_node *nodes,
			     size_t n) __attribute__((warn_unused_result));

/*
 * Remove /local/domain/N and the vm path it names (libxl's destroy), then
 * RELEASE the domain.  Nodes or a domain the store does not have are not
 * an error.
 */
int domain_store_remove(struct store_client *c, uint32_t domid) __attribute__((warn_unused_result));

/*
 * Write control/shutdown = value for domid in a transaction (as libxl's
 * pvcontrol write): -ENOENT if the domain has no control node in the store.
 */
int domain_store_request(struct store_client *c, uint32_t domid, const char *value)
	__attribute__((warn_unused_result));

/* Does /local/domain/N exist? */
bool domain_store_has_domain(struct store_client *c, uint32_t domid);

#endif /* DYAD_DOMAIN_STORE_H */
