/*
 * A string-keyed hash map (open addressing, linear probing, backward-shift
 * deletion) for the store's node table, transactions and domain list.  The
 * map does not own keys or values: a key must stay valid while its entry is
 * in the map (nodes key the table with their own path).
 */
#ifndef DYAD_STORE_MAP_H
#define DYAD_STORE_MAP_H

#include <stddef.h>
#include <stdint.h>

struct store_map_slot {
	const char *key; /* NULL: empty */
	uint32_t hash;
	void *val;
};

struct store_map {
	struct store_map_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t n;
};

void store_map_init(struct store_map *m);
void store_map_fini(struct store_map *m);
uint32_t store_map_hash(const char *key);
void *store_map_get(const struct store_map *m, const char *key);
/* Insert or replace; 0 or -ENOMEM. */
int store_map_put(struct store_map *m, const char *key, void *val)
	__attribute__((warn_unused_result));
/* Remove key; returns its value or NULL. */
void *store_map_del(struct store_map *m, const char *key);

/* Iterate: for (i = 0; store_map_next(m, &i, &slot);) ... (no changes while iterating). */
int store_map_next(const struct store_map *m, size_t *i, const struct store_map_slot **slot);

#endif /* DYAD_STORE_MAP_H */
