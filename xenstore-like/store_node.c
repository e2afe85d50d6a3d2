/*
 * Node allocation and copy-on-write edits.
 */
#include "store_node.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void *store_node_dup(const void *p, size_t len)
{
	void *q = malloc(len ? len : 1);

	if (q && len)
		memcpy(q, p, len);
	return q;
}

struct store_node *store_node_new(const char *path, const void *value, uint32_t vlen,
				  const struct store_perm *perms, uint32_t nperms)
{
	struct store_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->path = strdup(path);
	n->value = store_node_dup(value, vlen);
	n->vlen = vlen;
	n->perms = store_node_dup(perms, nperms * sizeof(*perms));
	n->nperms = nperms;
	n->children = malloc(1);
	if (!n->path || !n->value || !n->perms || !n->children) {
		store_node_free(n);
		return NULL;
	}
	return n;
}

struct store_node *store_node_clone(const struct store_node *o)
{
	return store_node_clone_value(o, o->value, o->vlen);
}

struct store_node *store_node_clone_value(const struct store_node *o, const void *value,
					  uint32_t vlen)
{
	struct store_node *n = store_node_new(o->path, value, vlen, o->perms, o->nperms);

	if (!n)
		return NULL;
	free(n->children);
	n->children = store_node_dup(o->children, o->clen);
	if (!n->children) {
		n->clen = 0;
		store_node_free(n);
		return NULL;
	}
	n->clen = o->clen;
	n->gen = o->gen;
	return n;
}

void store_node_free(struct store_node *n)
{
	if (!n)
		return;
	free(n->path);
	free(n->value);
	free(n->children);
	free(n->perms);
	free(n);
}

int store_node_set_value(struct store_node *n, const void *value, uint32_t vlen)
{
	char *v = store_node_dup(value, vlen);

	if (!v)
		return -ENOMEM;
	free(n->value);
	n->value = v;
	n->vlen = vlen;
	return 0;
}

int store_node_set_perms(struct store_node *n, const struct store_perm *perms, uint32_t nperms)
{
	struct store_perm *p = store_node_dup(perms, nperms * sizeof(*perms));

	if (!p)
		return -ENOMEM;
	free(n->perms);
	n->perms = p;
	n->nperms = nperms;
	return 0;
}

int store_node_add_child(struct store_node *n, const char *name)
{
	size_t len = strlen(name) + 1;
	char *c = realloc(n->children, n->clen + len);

	if (!c)
		return -ENOMEM;
	memcpy(c + n->clen, name, len);
	n->children = c;
	n->clen += (uint32_t)len;
	return 0;
}

/* Offset of name in the children list, or -1. */
static long store_node_find_child(const struct store_node *n, const char *name)
{
	for (uint32_t off = 0; off < n->clen; off += (uint32_t)strlen(n->children + off) + 1)
		if (strcmp(n->children + off, name) == 0)
			return off;
	return -1;
}

bool store_node_has_child(const struct store_node *n, const char *name)
{
	return store_node_find_child(n, name) >= 0;
}

void store_node_del_child(struct store_node *n, const char *name)
{
	long off = store_node_find_child(n, name);
	size_t len;

	if (off < 0)
		return;
	len = strlen(name) + 1;
	memmove(n->children + off, n->children + off + len, n->clen - (size_t)off - len);
	n->clen -= (uint32_t)len;
}

size_t store_node_mem(const struct store_node *n)
{
	return sizeof(*n) + strlen(n->path) + 1 + n->vlen + n->clen + n->nperms * sizeof(*n->perms);
}

uint32_t store_node_size(const struct store_node *n)
{
	return n->vlen + n->nperms * (uint32_t)sizeof(struct store_perm) + n->clen;
}
