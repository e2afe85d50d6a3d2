/*
 * One store node: its absolute path, its value (bytes, not a string), its
 * permissions, its children (each name NUL-terminated, in creation order,
 * exactly the DIRECTORY reply) and its generation, bumped on every change
 * and used by transactions to detect conflicts.  Nodes are immutable once
 * in the tree: a change builds a modified copy and puts it in place.
 */
#ifndef DYAD_STORE_NODE_H
#define DYAD_STORE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store_perms.h"

struct store_node {
	char *path;
	char *value;
	uint32_t vlen;
	char *children;
	uint32_t clen;
	struct store_perm *perms;
	uint32_t nperms;
	uint64_t gen;
};

/* A new childless node; NULL on ENOMEM. */
struct store_node *store_node_new(const char *path, const void *value, uint32_t vlen,
				  const struct store_perm *perms, uint32_t nperms);
struct store_node *store_node_clone(const struct store_node *n);
/* A copy of n with another value (one allocation fewer than clone + set_value). */
struct store_node *store_node_clone_value(const struct store_node *n, const void *value,
					  uint32_t vlen);
void store_node_free(struct store_node *n);

/* In-place edits of a node not (yet) in the tree; 0 or -ENOMEM. */
int store_node_set_value(struct store_node *n, const void *value, uint32_t vlen)
	__attribute__((warn_unused_result));
int store_node_set_perms(struct store_node *n, const struct store_perm *perms, uint32_t nperms)
	__attribute__((warn_unused_result));
int store_node_add_child(struct store_node *n, const char *name)
	__attribute__((warn_unused_result));
void store_node_del_child(struct store_node *n, const char *name);
bool store_node_has_child(const struct store_node *n, const char *name);

/* The owner (first permission entry). */
static inline uint32_t store_node_owner(const struct store_node *n)
{
	return n->perms[0].id;
}

/* Bytes the node costs its owner against the memory quota (store_mem_charge). */
size_t store_node_mem(const struct store_node *n);

/* Bytes the node accounts for against the node-size quota (Xen's measure). */
uint32_t store_node_size(const struct store_node *n);

#endif /* DYAD_STORE_NODE_H */
