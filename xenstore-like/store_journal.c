/*
 * The journal file: records of [u32 body length][u32 FNV-1a of body][body],
 * body = a type byte and its fields.  See store_journal.h for the policy.
 */
#include "store_journal.h"
#include "store_core.h"
#include "store_path.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { J_PUT = 1, J_DEL, J_DOMAIN, J_RELEASE, J_TARGET };

#define J_MIN_COMPACT (8u << 20)

struct store_journal {
	char *path;
	int fd;
	bool fsync_each;
	char *buf;
	size_t len, cap;
	bool oom;
	uint64_t size, snapshot_size;
};

static uint32_t store_journal_sum(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (uint8_t)*p++) * 16777619u;
	return h;
}

static bool store_journal_room(struct store_journal *j, size_t more)
{
	size_t cap = j->cap ? j->cap : 65536;
	char *b;

	if (j->len + more <= j->cap)
		return true;
	while (cap < j->len + more)
		cap *= 2;
	b = realloc(j->buf, cap);
	if (!b) {
		j->oom = true;
		return false;
	}
	j->buf = b;
	j->cap = cap;
	return true;
}

static void store_journal_bytes(struct store_journal *j, const void *p, size_t n)
{
	if (store_journal_room(j, n)) {
		memcpy(j->buf + j->len, p, n);
		j->len += n;
	}
}

static void store_journal_u32(struct store_journal *j, uint32_t v)
{
	store_journal_bytes(j, &v, sizeof(v));
}

/* Start a record; returns its offset for store_journal_end(). */
static size_t store_journal_begin(struct store_journal *j, uint8_t type)
{
	size_t at = j->len;

	store_journal_u32(j, 0);
	store_journal_u32(j, 0);
	store_journal_bytes(j, &type, 1);
	return at;
}

static void store_journal_end(struct store_journal *j, size_t at)
{
	uint32_t len, sum;

	if (j->oom || at + 8 > j->len)
		return;
	len = (uint32_t)(j->len - at - 8);
	sum = store_journal_sum(j->buf + at + 8, len);
	memcpy(j->buf + at, &len, 4);
	memcpy(j->buf + at + 4, &sum, 4);
}

static void store_journal_str(struct store_journal *j, const char *s, size_t n)
{
	store_journal_u32(j, (uint32_t)n);
	store_journal_bytes(j, s, n);
}

void store_journal_put(struct store_journal *j, const struct store_node *n)
{
	size_t at = store_journal_begin(j, J_PUT);

	store_journal_str(j, n->path, strlen(n->path));
	store_journal_str(j, n->value, n->vlen);
	store_journal_u32(j, n->nperms);
	for (uint32_t i = 0; i < n->nperms; i++) {
		store_journal_u32(j, n->perms[i].id);
		store_journal_bytes(j, &n->perms[i].perms, 1);
	}
	store_journal_end(j, at);
}

void store_journal_del(struct store_journal *j, const char *path)
{
	size_t at = store_journal_begin(j, J_DEL);

	store_journal_str(j, path, strlen(path));
	store_journal_end(j, at);
}

void store_journal_domain(struct store_journal *j, uint32_t domid, uint64_t mfn, uint32_t port)
{
	size_t at = store_journal_begin(j, J_DOMAIN);

	store_journal_u32(j, domid);
	store_journal_bytes(j, &mfn, sizeof(mfn));
	store_journal_u32(j, port);
	store_journal_end(j, at);
}

void store_journal_release(struct store_journal *j, uint32_t domid)
{
	size_t at = store_journal_begin(j, J_RELEASE);

	store_journal_u32(j, domid);
	store_journal_end(j, at);
}

void store_journal_target(struct store_journal *j, uint32_t domid, uint32_t target)
{
	size_t at = store_journal_begin(j, J_TARGET);

	store_journal_u32(j, domid);
	store_journal_u32(j, target);
	store_journal_end(j, at);
}

static int store_journal_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int store_journal_flush(struct store_journal *j)
{
	int rc;

	if (j->oom)
		return -ENOMEM;
	if (!j->len)
		return 0;
	rc = store_journal_write_all(j->fd, j->buf, j->len);
	if (!rc && j->fsync_each && fdatasync(j->fd) < 0)
		rc = -errno;
	if (!rc) {
		j->size += j->len;
		j->len = 0;
	}
	return rc;
}

bool store_journal_wants_compaction(const struct store_journal *j)
{
	return j->size > J_MIN_COMPACT && j->size > 4 * j->snapshot_size;
}

int store_journal_open(const char *path, bool fsync_each, struct store_journal **out)
{
	struct store_journal *j = calloc(1, sizeof(*j));
	struct stat st;

	if (!j || !(j->path = strdup(path))) {
		free(j);
		return -ENOMEM;
	}
	j->fsync_each = fsync_each;
	j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0 || fstat(j->fd, &st) < 0) {
		int rc = -errno;

		store_journal_close(j);
		return rc;
	}
	j->size = (uint64_t)st.st_size;
	*out = j;
	return 0;
}

void store_journal_close(struct store_journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->buf);
	free(j->path);
	free(j);
}

/* A cursor over one record body. */
struct store_jcur {
	const char *p, *end;
	bool bad;
};

static uint32_t store_jcur_u32(struct store_jcur *c)
{
	uint32_t v = 0;

	if (c->end - c->p < 4) {
		c->bad = true;
		return 0;
	}
	memcpy(&v, c->p, 4);
	c->p += 4;
	return v;
}

static const char *store_jcur_bytes(struct store_jcur *c, size_t n)
{
	const char *p = c->p;

	if ((size_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	return p;
}

/* Upsert a node during replay, keeping its children; link it into its parent. */
static int store_journal_apply_put(struct store_core *c, const char *path, const char *val,
				   uint32_t vlen, const struct store_perm *perms, uint32_t np)
{
	const struct store_node *old = store_tree_get(c, path);
	struct store_node *n = old ? store_node_clone(old) : store_node_new(path, "", 0, perms, np);
	char parent[STORE_PATH_BUF];
	const struct store_node *p;
	struct store_node *pc;
	size_t len;

	if (!n || store_node_set_value(n, val, vlen) || store_node_set_perms(n, perms, np)) {
		store_node_free(n);
		return -ENOMEM;
	}
	if (store_tree_put(c, n))
		return -ENOMEM;
	if (old || strcmp(path, "/") == 0)
		return 0;
	len = store_path_parent_len(path);
	memcpy(parent, path, len);
	parent[len] = '\0';
	p = store_tree_get(c, parent);
	if (!p || store_node_has_child(p, store_path_base(path)))
		return p ? 0 : -EINVAL;
	pc = store_node_clone(p);
	if (!pc || store_node_add_child(pc, store_path_base(path))) {
		store_node_free(pc);
		return -ENOMEM;
	}
	return store_tree_put(c, pc);
}

static int store_journal_apply_del(struct store_core *c, const char *path)
{
	char parent[STORE_PATH_BUF];
	const struct store_node *p;
	struct store_node *pc;
	size_t len = store_path_parent_len(path);

	store_tree_del(c, path);
	memcpy(parent, path, len);
	parent[len] = '\0';
	p = store_tree_get(c, parent);
	if (!p || !store_node_has_child(p, store_path_base(path)))
		return 0;
	pc = store_node_clone(p);
	if (!pc)
		return -ENOMEM;
	store_node_del_child(pc, store_path_base(path));
	return store_tree_put(c, pc);
}

static int store_journal_apply_node(struct store_core *c, struct store_jcur *cur, uint8_t type)
{
	char raw[STORE_PATH_BUF], path[STORE_PATH_BUF];
	struct store_perm perms[64];
	uint32_t plen = store_jcur_u32(cur), vlen, np;
	const char *p = store_jcur_bytes(cur, plen), *v;
	bool rel;

	if (cur->bad || plen >= sizeof(raw))
		return -EINVAL;
	memcpy(raw, p, plen);
	raw[plen] = '\0';
	if (store_path_canon(raw, 0, true, false, path, &rel))
		return -EINVAL;
	if (type == J_DEL)
		return strcmp(path, "/") ? store_journal_apply_del(c, path) : -EINVAL;
	vlen = store_jcur_u32(cur);
	v = store_jcur_bytes(cur, vlen);
	np = store_jcur_u32(cur);
	if (cur->bad || np == 0 || np > 64)
		return -EINVAL;
	for (uint32_t i = 0; i < np; i++) {
		perms[i].id = store_jcur_u32(cur);
		p = store_jcur_bytes(cur, 1);
		perms[i].perms = p ? (uint8_t)(*p & 3) : 0;
	}
	return cur->bad ? -EINVAL : store_journal_apply_put(c, path, v, vlen, perms, np);
}

static int store_journal_apply(struct store_core *c, const char *body, uint32_t len)
{
	struct store_jcur cur = {body + 1, body + len, false};
	uint32_t a, b;
	uint64_t mfn = 0;
	const char *p;

	switch ((uint8_t)body[0]) {
	case J_PUT:
	case J_DEL:
		return store_journal_apply_node(c, &cur, (uint8_t)body[0]);
	case J_DOMAIN:
		a = store_jcur_u32(&cur);
		p = store_jcur_bytes(&cur, 8);
		if (p)
			memcpy(&mfn, p, 8);
		b = store_jcur_u32(&cur);
		return cur.bad ? -EINVAL : store_domain_introduce(c, a, mfn, b, false);
	case J_RELEASE:
		a = store_jcur_u32(&cur);
		return cur.bad ? -EINVAL : store_domain_release(c, a, false);
	case J_TARGET:
		a = store_jcur_u32(&cur);
		b = store_jcur_u32(&cur);
		return cur.bad ? -EINVAL : store_domain_set_target(c, a, b, false);
	}
	return -EINVAL;
}

int store_journal_replay(struct store_journal *j, struct store_core *c)
{
	struct stat st;
	char *data;
	size_t off = 0, n = 0;
	unsigned long records = 0, bad = 0;

	if (fstat(j->fd, &st) < 0)
		return -errno;
	data = malloc((size_t)st.st_size + 1);
	if (!data)
		return -ENOMEM;
	while (n < (size_t)st.st_size) {
		ssize_t r = pread(j->fd, data + n, (size_t)st.st_size - n, (off_t)n);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	while (off + 8 <= n) {
		uint32_t len, sum;

		memcpy(&len, data + off, 4);
		memcpy(&sum, data + off + 4, 4);
		if (len == 0 || len > n - off - 8 || store_journal_sum(data + off + 8, len) != sum)
			break;
		if (store_journal_apply(c, data + off + 8, len) && !bad++)
			log_warn("journal %s: record at %zu does not apply; skipped", j->path, off);
		off += 8 + len;
		records++;
	}
	if (off < n)
		log_warn("journal %s: ignoring %zu bytes of torn tail", j->path, n - off);
	if (bad > 1)
		log_warn("journal %s: %lu records did not apply", j->path, bad);
	log_info("journal %s: replayed %lu records, %zu nodes", j->path, records, c->nodes.n);
	free(data);
	return 0;
}

/* Parents before children: walk the tree from the root. */
static void store_journal_snap(struct store_journal *j, struct store_core *c, const char *path)
{
	const struct store_node *n = store_tree_get(c, path);
	size_t plen = strcmp(path, "/") ? strlen(path) : 0;
	char *cp;

	if (!n)
		return;
	store_journal_put(j, n);
	for (uint32_t off = 0; off < n->clen; off += (uint32_t)strlen(n->children + off) + 1) {
		cp = malloc(plen + strlen(n->children + off) + 2);
		if (!cp) {
			j->oom = true;
			return;
		}
		memcpy(cp, path, plen);
		cp[plen] = '/';
		strcpy(cp + plen + 1, n->children + off);
		store_journal_snap(j, c, cp);
		free(cp);
	}
}

int store_journal_compact(struct store_journal *j, struct store_core *c)
{
	char tmp[PATH_MAX];
	int fd, rc, old = j->fd;

	rc = store_journal_flush(j);
	if (rc)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.new", j->path);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	store_journal_snap(j, c, "/");
	for (uint32_t d = 0; d < DOMID_FIRST_RESERVED; d++) {
		const struct store_domain *dom = c->domains[d];

		if (dom)
			store_journal_domain(j, d, dom->mfn, dom->port);
	}
	for (uint32_t d = 0; d < DOMID_FIRST_RESERVED; d++)
		if (c->domains[d] && c->domains[d]->target >= 0)
			store_journal_target(j, d, (uint32_t)c->domains[d]->target);
	j->fd = fd;
	j->size = 0;
	rc = store_journal_flush(j);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (!rc && rename(tmp, j->path) < 0)
		rc = -errno;
	if (rc) {
		j->fd = old;
		j->len = 0;
		j->oom = false;
		close(fd);
		unlink(tmp);
		return rc;
	}
	close(old);
	j->snapshot_size = j->size;
	return 0;
}
