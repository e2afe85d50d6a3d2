/*
 * The store's hash map: FNV-1a over the key, linear probing, load factor at
 * most 1/2, and backward-shift deletion so that no tombstones accumulate as
 * domains come and go.  Lookups cost one hash and, typically, one compare.
 */
#include "store_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void store_map_init(struct store_map *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->n = 0;
}

void store_map_fini(struct store_map *m)
{
	free(m->slots);
	store_map_init(m);
}

uint32_t store_map_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (uint8_t)*key) * 16777619u;
	return h;
}

static size_t store_map_find(const struct store_map *m, const char *key, uint32_t h)
{
	size_t i = h & (m->cap - 1);

	while (m->slots[i].key && (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *store_map_get(const struct store_map *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = store_map_find(m, key, store_map_hash(key));
	return m->slots[i].key ? m->slots[i].val : NULL;
}

static int store_map_grow(struct store_map *m)
{
	struct store_map old = *m;
	size_t cap = old.cap ? old.cap * 2 : 16;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			m->slots[store_map_find(m, old.slots[i].key, old.slots[i].hash)] =
				old.slots[i];
	free(old.slots);
	return 0;
}

int store_map_put(struct store_map *m, const char *key, void *val)
{
	uint32_t h = store_map_hash(key);
	size_t i;

	if ((m->n + 1) * 2 > m->cap && store_map_grow(m))
		return -ENOMEM;
	i = store_map_find(m, key, h);
	if (!m->slots[i].key)
		m->n++;
	m->slots[i] = (struct store_map_slot){key, h, val};
	return 0;
}

void *store_map_del(struct store_map *m, const char *key)
{
	size_t i, j, home;
	void *val;

	if (!m->cap)
		return NULL;
	i = store_map_find(m, key, store_map_hash(key));
	if (!m->slots[i].key)
		return NULL;
	val = m->slots[i].val;
	/* Backward shift: pull later entries of the cluster into the hole. */
	for (j = (i + 1) & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1)) {
		home = m->slots[j].hash & (m->cap - 1);
		if (((j - home) & (m->cap - 1)) >= ((j - i) & (m->cap - 1))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].key = NULL;
	m->n--;
	return val;
}

int store_map_next(const struct store_map *m, size_t *i, const struct store_map_slot **slot)
{
	for (; *i < m->cap; (*i)++) {
		if (m->slots[*i].key) {
			*slot = &m->slots[(*i)++];
			return 1;
		}
	}
	return 0;
}
