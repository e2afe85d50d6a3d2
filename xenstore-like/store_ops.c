/*
 * The request handlers and the dispatch table (Xen's wire_funcs[]): one
 * entry per xs_wire message type with its flags - privileged-only, and
 * "ignores tx_id" for the operations that never run inside a transaction.
 * A handler gets the checked request and either queues its reply and
 * returns 0, or returns -errno and the dispatcher sends XS_ERROR with
 * Xen's error string.
 */
#include "store_core.h"
#include "store_path.h"

#include "log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORE_OP_PRIV (1u << 0) /* privileged connections only (else EACCES) */
#define STORE_OP_NOTX (1u << 1) /* tx_id is ignored */

#define STORE_ARGS_MAX 16

struct store_req {
	struct store_conn *conn;
	const struct xsd_sockmsg *hdr;
	char *data; /* NUL-padded: data[len] == '\0' */
	uint32_t len;
	struct store_view v;
	const char *argv[STORE_ARGS_MAX];
	unsigned int argc; /* NUL-terminated strings at the start of data */
};

struct store_op {
	const char *name;
	int (*run)(struct store_req *r);
	unsigned int flags;
};

/* Split the payload into its NUL-terminated strings (an unterminated tail is not one). */
static void store_req_split(struct store_req *r)
{
	uint32_t off = 0;

	r->argc = 0;
	while (off < r->len && r->argc < STORE_ARGS_MAX) {
		const char *nul = memchr(r->data + off, '\0', r->len - off);

		if (!nul)
			break;
		r->argv[r->argc++] = r->data + off;
		off = (uint32_t)(nul - r->data) + 1;
	}
}

/* Exactly one string filling the payload (Xen's onearg()). */
static const char *store_req_onearg(const struct store_req *r)
{
	if (r->len == 0 || r->argc != 1 || strlen(r->argv[0]) + 1 != r->len)
		return NULL;
	return r->argv[0];
}

static int store_req_reply(struct store_req *r, const void *data, size_t len)
{
	return store_conn_send(r->conn, r->hdr->type, r->hdr->req_id, r->hdr->tx_id, data, len);
}

static int store_req_ok(struct store_req *r)
{
	return store_req_reply(r, "OK", 3);
}

static int store_req_path(struct store_req *r, const char *in, char *out, bool *relative)
{
	bool rel;

	if (!in)
		return -EINVAL;
	return store_path_canon(in, r->conn->who.domid, r->conn->who.privileged, false, out,
				relative ? relative : &rel);
}

static unsigned int store_req_perms(struct store_req *r, const struct store_node *n)
{
	return store_perms_for(&r->conn->who, n->perms, n->nperms);
}

/*
 * Xen's get_node(): the node if we hold perm on it.  A missing node reports
 * ENOENT only to those who hold perm on its nearest existing ancestor;
 * others learn nothing (EACCES).
 */
static const struct store_node *store_req_node(struct store_req *r, const char *path,
					       unsigned int perm, int *rc)
{
	const struct store_node *n = store_view_get(&r->v, path, rc);
	char buf[STORE_PATH_BUF];
	size_t len;

	if (*rc)
		return NULL;
	if (n) {
		if ((store_req_perms(r, n) & perm) != perm) {
			*rc = -EACCES;
			return NULL;
		}
		return n;
	}
	strcpy(buf, path);
	do {
		len = store_path_parent_len(buf);
		buf[len] = '\0';
		n = store_view_get(&r->v, buf, rc);
		if (*rc)
			return NULL;
	} while (!n && len > 1);
	*rc = n && (store_req_perms(r, n) & perm) ? -ENOENT : -EACCES;
	return NULL;
}

static int store_op_read(struct store_req *r)
{
	char path[STORE_PATH_BUF];
	const struct store_node *n;
	int rc = store_req_path(r, store_req_onearg(r), path, NULL);

	if (rc)
		return rc;
	n = store_req_node(r, path, STORE_PERM_READ, &rc);
	return n ? store_req_reply(r, n->value, n->vlen) : rc;
}

static int store_op_directory(struct store_req *r)
{
	char path[STORE_PATH_BUF];
	const struct store_node *n;
	int rc = store_req_path(r, store_req_onearg(r), path, NULL);

	if (rc)
		return rc;
	n = store_req_node(r, path, STORE_PERM_READ, &rc);
	if (!n)
		return rc;
	if (n->clen > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	return store_req_reply(r, n->children, n->clen);
}

/* "path\0offset\0" -> "gen\0" children from byte offset, "" after the last. */
static int store_op_directory_part(struct store_req *r)
{
	char path[STORE_PATH_BUF], out[XENSTORE_PAYLOAD_MAX];
	const struct store_node *n;
	size_t glen, len = 0;
	unsigned long off;
	char *end;
	int rc;

	if (r->argc != 2)
		return -EINVAL;
	rc = store_req_path(r, r->argv[0], path, NULL);
	off = strtoul(r->argv[1], &end, 10);
	if (rc || *end || r->argv[1][0] == '\0')
		return rc ? rc : -EINVAL;
	n = store_req_node(r, path, STORE_PERM_READ, &rc);
	if (!n)
		return rc;
	glen = (size_t)snprintf(out, sizeof(out), "%" PRIu64, n->gen) + 1;
	if (off >= n->clen) {
		out[glen] = '\0';
		return store_req_reply(r, out, glen + 1);
	}
	while (off + len < n->clen) {
		size_t clen = strlen(n->children + off + len) + 1;

		if (glen + len + clen > XENSTORE_PAYLOAD_MAX - 1)
			break;
		len += clen;
	}
	memcpy(out + glen, n->children + off, len);
	if (off + len == n->clen)
		out[glen + len++] = '\0';
	return store_req_reply(r, out, glen + len);
}

static int store_op_get_perms(struct store_req *r)
{
	char path[STORE_PATH_BUF], out[XENSTORE_PAYLOAD_MAX + 16];
	const struct store_node *n;
	size_t len = 0;
	int rc = store_req_path(r, store_req_onearg(r), path, NULL);

	if (rc)
		return rc;
	n = store_req_node(r, path, STORE_PERM_READ, &rc);
	if (!n)
		return rc;
	for (uint32_t i = 0; i < n->nperms && len < XENSTORE_PAYLOAD_MAX; i++)
		len += store_perm_format(&n->perms[i], out + len) + 1;
	return store_req_reply(r, out, len);
}

/* May the connection's domain own `more` more nodes? */
static int store_req_node_quota(struct store_req *r, long more)
{
	struct store_core *c = r->conn->core;
	long have;

	if (r->conn->who.privileged || !c->quota.nodes || more <= 0)
		return 0;
	have = (long)c->owned[r->conn->who.domid] + (r->v.txn ? r->v.txn->owned_delta : 0);
	if (have + more > (long)c->quota.nodes) {
		store_quota_hit(r->conn, "nodes");
		return -ENOSPC;
	}
	return 0;
}

static int store_req_size_quota(struct store_req *r, const struct store_node *n)
{
	unsigned int max = r->conn->core->quota.node_size;

	if (r->conn->who.privileged || !max || store_node_size(n) <= max)
		return 0;
	store_quota_hit(r->conn, "node-size");
	return -ENOSPC;
}

/* Memory quota for replacing n by copy: a transaction holds a whole copy. */
static int store_req_mem_quota(struct store_req *r, const struct store_node *n,
			       const struct store_node *copy)
{
	long more = (long)store_node_mem(copy);

	if (!r->v.txn)
		more -= (long)store_node_mem(n);
	return store_mem_check(r->conn, more);
}

/* A child of parent (a copy we own) named by path: inherits its permissions. */
static struct store_node *store_req_child(struct store_req *r, const struct store_node *parent,
					  const char *path)
{
	struct store_node *n = store_node_new(path, "", 0, parent->perms, parent->nperms);

	if (n && !r->conn->who.privileged)
		n->perms[0].id = r->conn->who.domid;
	return n;
}

/* Length of the parent of path's first len bytes (at least 1: the root). */
static size_t store_req_parent_of(const char *path, size_t len)
{
	while (len > 1 && path[len - 1] != '/')
		len--;
	return len > 1 ? len - 1 : 1;
}

/*
 * Create path (absent) and any missing parents, as Xen's construct_node():
 * walk up to an existing ancestor, then down adding each child.  Quotas are
 * checked before anything changes.
 */
static int store_req_create(struct store_req *r, char *path, const void *val, uint32_t vlen)
{
	const struct store_node *anc = NULL;
	struct store_node *cur, *next;
	size_t alen = strlen(path), start, end;
	long levels = 0;
	char save;
	int rc;

	while (!anc) {
		alen = store_req_parent_of(path, alen);
		save = path[alen];
		path[alen] = '\0';
		anc = store_view_get(&r->v, path, &rc);
		path[alen] = save;
		if (rc)
			return rc;
		levels++;
	}
	rc = store_req_node_quota(r, levels);
	if (!rc)
		rc = store_mem_check(r->conn,
				     levels * (long)(sizeof(struct store_node) + strlen(path) + 1 +
						     anc->nperms * sizeof(*anc->perms)) +
					     (long)(vlen + strlen(path)));
	if (!rc && !r->conn->who.privileged && r->conn->core->quota.node_size &&
	    vlen + anc->nperms * sizeof(struct store_perm) > r->conn->core->quota.node_size) {
		store_quota_hit(r->conn, "node-size");
		rc = -ENOSPC;
	}
	if (rc)
		return rc;
	cur = store_node_clone(anc);
	for (;;) {
		if (!cur)
			return -ENOMEM;
		start = alen == 1 ? 1 : alen + 1;
		end = start + strcspn(path + start, "/");
		save = path[end];
		path[end] = '\0';
		next = store_req_child(r, cur, path);
		rc = next ? store_node_add_child(cur, path + start) : -ENOMEM;
		path[end] = save;
		if (rc)
			store_node_free(cur);
		else
			rc = store_view_put(&r->v, cur, false);
		if (rc) {
			store_node_free(next);
			return rc;
		}
		cur = next;
		alen = end;
		if (save == '\0')
			break;
	}
	rc = store_node_set_value(cur, val, vlen);
	if (rc) {
		store_node_free(cur);
		return rc;
	}
	return store_view_put(&r->v, cur, true);
}

static int store_req_write(struct store_req *r, const char *in, const void *val, uint32_t vlen,
			   bool mkdir)
{
	char path[STORE_PATH_BUF];
	const struct store_node *n;
	struct store_node *copy;
	int rc = store_req_path(r, in, path, NULL);

	if (rc)
		return rc;
	n = store_req_node(r, path, STORE_PERM_WRITE, &rc);
	if (!n && rc == -ENOENT)
		rc = store_req_create(r, path, val, vlen);
	else if (n && !mkdir) {
		copy = store_node_clone_value(n, val, vlen);
		rc = copy ? 0 : -ENOMEM;
		if (!rc)
			rc = store_req_size_quota(r, copy);
		if (!rc)
			rc = store_req_mem_quota(r, n, copy);
		if (rc)
			store_node_free(copy);
		else
			rc = store_view_put(&r->v, copy, true);
	}
	return rc ? rc : store_req_ok(r);
}

static int store_op_write(struct store_req *r)
{
	size_t plen;

	if (r->argc < 1)
		return -EINVAL;
	plen = strlen(r->argv[0]) + 1;
	return store_req_write(r, r->argv[0], r->data + plen, r->len - (uint32_t)plen, false);
}

static int store_op_mkdir(struct store_req *r)
{
	return store_req_write(r, store_req_onearg(r), "", 0, true);
}

/* Delete n's subtree (exact events below, a plain one for n). */
static int store_rm_below(struct store_view *v, const struct store_node *n, bool top)
{
	size_t plen = strcmp(n->path, "/") ? strlen(n->path) : 0;
	int rc = 0;

	for (uint32_t off = 0; off < n->clen && !rc;
	     off += (uint32_t)strlen(n->children + off) + 1) {
		const char *name = n->children + off;
		char *cp = malloc(plen + strlen(name) + 2);
		const struct store_node *child;

		if (!cp)
			return -ENOMEM;
		memcpy(cp, n->path, plen);
		cp[plen] = '/';
		strcpy(cp + plen + 1, name);
		child = store_view_get(v, cp, &rc);
		if (child)
			rc = store_rm_below(v, child, false);
		free(cp);
	}
	return rc ? rc : store_view_del(v, n, !top);
}

int store_rm_subtree(struct store_view *v, const struct store_node *n)
{
	char parent[STORE_PATH_BUF], base[STORE_PATH_BUF];
	const struct store_node *p;
	struct store_node *copy;
	size_t len = store_path_parent_len(n->path);
	int rc;

	memcpy(parent, n->path, len);
	parent[len] = '\0';
	strcpy(base, store_path_base(n->path));
	rc = store_rm_below(v, n, true);
	if (rc)
		return rc;
	p = store_view_get(v, parent, &rc);
	if (!p)
		return rc;
	copy = store_node_clone(p);
	if (!copy)
		return -ENOMEM;
	store_node_del_child(copy, base);
	return store_view_put(v, copy, false);
}

static int store_op_rm(struct store_req *r)
{
	char path[STORE_PATH_BUF];
	const struct store_node *n;
	size_t len;
	int rc = store_req_path(r, store_req_onearg(r), path, NULL);

	if (rc)
		return rc;
	if (strcmp(path, "/") == 0)
		return -EINVAL;
	n = store_req_node(r, path, STORE_PERM_WRITE, &rc);
	if (!n && rc == -ENOENT) {
		/* Already gone: fine if its parent exists. */
		len = store_path_parent_len(path);
		path[len] = '\0';
		return store_view_get(&r->v, path, &rc) ? store_req_ok(r) : (rc ? rc : -ENOENT);
	}
	if (!n)
		return rc;
	rc = store_rm_subtree(&r->v, n);
	return rc ? rc : store_req_ok(r);
}

static int store_op_set_perms(struct store_req *r)
{
	struct store_perm perms[STORE_ARGS_MAX];
	unsigned int np = r->argc - 1, max = r->conn->core->quota.perms;
	char path[STORE_PATH_BUF];
	const struct store_node *n;
	struct store_node *copy;
	int rc;

	if (r->argc < 2)
		return -EINVAL;
	if (!r->conn->who.privileged && max && np > max) {
		store_quota_hit(r->conn, "perms");
		return -ENOSPC;
	}
	for (unsigned int i = 0; i < np; i++)
		if (store_perm_parse(r->argv[i + 1], &perms[i]))
			return -EINVAL;
	rc = store_req_path(r, r->argv[0], path, NULL);
	if (rc)
		return rc;
	n = store_req_node(r, path, STORE_PERM_WRITE | STORE_PERM_OWNER, &rc);
	if (!n)
		return rc;
	if (!r->conn->who.privileged && perms[0].id != store_node_owner(n))
		return -EPERM;
	copy = store_node_clone(n);
	rc = copy ? store_node_set_perms(copy, perms, np) : -ENOMEM;
	if (!rc)
		rc = store_req_mem_quota(r, n, copy);
	if (rc) {
		store_node_free(copy);
		return rc;
	}
	rc = store_view_put(&r->v, copy, true);
	return rc ? rc : store_req_ok(r);
}

/* WATCH / UNWATCH: two arguments, the first a watchable path (special names allowed). */
static int store_req_watch_path(struct store_req *r, char *path, bool *relative)
{
	if (r->argc != 2)
		return -EINVAL;
	return store_path_canon(r->argv[0], r->conn->who.domid, r->conn->who.privileged, true, path,
				relative);
}

static int store_op_watch(struct store_req *r)
{
	char path[STORE_PATH_BUF];
	bool relative;
	int rc = store_req_watch_path(r, path, &relative);

	if (!rc)
		rc = store_watch_add(r->conn, path, r->argv[1], relative);
	if (!rc)
		rc = store_req_ok(r);
	/* Fire once on registration, after the reply (as Xen does). */
	if (!rc)
		store_watch_event(r->conn, r->conn->watches, path);
	return rc;
}

static int store_op_unwatch(struct store_req *r)
{
	char path[STORE_PATH_BUF];
	bool relative;
	int rc = store_req_watch_path(r, path, &relative);

	if (!rc)
		rc = store_watch_del(r->conn, path, r->argv[1]);
	return rc ? rc : store_req_ok(r);
}

static int store_op_reset_watches(struct store_req *r)
{
	store_watch_reset(r->conn);
	while (r->conn->txns) {
		struct store_txn *t = r->conn->txns;

		r->conn->txns = t->next;
		r->conn->ntxns--;
		store_txn_free(t);
	}
	return store_req_ok(r);
}

static int store_op_txn_start(struct store_req *r)
{
	char out[16];
	uint32_t id;
	int rc;

	if (r->v.txn)
		return -EBUSY;
	if (!store_req_onearg(r))
		return -EINVAL;
	rc = store_txn_start(r->conn, &id);
	if (rc)
		return rc;
	snprintf(out, sizeof(out), "%u", id);
	return store_req_reply(r, out, strlen(out) + 1);
}

static int store_op_txn_end(struct store_req *r)
{
	const char *arg = store_req_onearg(r);
	int rc;

	if (!r->v.txn)
		return -ENOENT;
	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return -EINVAL;
	rc = store_txn_end(r->conn, r->v.txn, arg[0] == 'T');
	r->v.txn = NULL;
	return rc ? rc : store_req_ok(r);
}

/* A domain id argument: decimal, below DOMID_FIRST_RESERVED. */
static int store_req_domid(const char *s, uint32_t *domid)
{
	unsigned long v;
	char *end;

	if (!s || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	*domid = (uint32_t)v;
	return 0;
}

static int store_op_introduce(struct store_req *r)
{
	unsigned long long mfn;
	uint32_t domid, port;
	char *end;
	int rc;

	if (r->argc < 3 || store_req_domid(r->argv[0], &domid) ||
	    store_req_domid(r->argv[2], &port))
		return -EINVAL;
	errno = 0;
	mfn = strtoull(r->argv[1], &end, 10);
	if (errno || *end || !r->argv[1][0] || port == 0)
		return -EINVAL;
	rc = store_domain_introduce(r->conn->core, domid, mfn, port, true);
	return rc ? rc : store_req_ok(r);
}

static int store_op_release(struct store_req *r)
{
	uint32_t domid;
	int rc;

	if (store_req_domid(store_req_onearg(r), &domid) || domid == 0)
		return -EINVAL;
	rc = store_domain_release(r->conn->core, domid, true);
	return rc ? rc : store_req_ok(r);
}

static int store_op_resume(struct store_req *r)
{
	uint32_t domid;

	if (store_req_domid(store_req_onearg(r), &domid))
		return -EINVAL;
	return store_domain_get(r->conn->core, domid) ? store_req_ok(r) : -ENOENT;
}

static int store_op_is_introduced(struct store_req *r)
{
	uint32_t domid;
	bool yes;

	if (store_req_domid(store_req_onearg(r), &domid))
		return -EINVAL;
	yes = domid == 0 || store_domain_get(r->conn->core, domid);
	return store_req_reply(r, yes ? "T" : "F", 2);
}

static int store_op_domain_path(struct store_req *r)
{
	char out[32];
	uint32_t domid;

	if (store_req_domid(store_req_onearg(r), &domid))
		return -EINVAL;
	store_path_home(domid, out, sizeof(out));
	return store_req_reply(r, out, strlen(out) + 1);
}

static int store_op_set_target(struct store_req *r)
{
	uint32_t domid, target;
	int rc;

	if (r->argc != 2 || store_req_domid(r->argv[0], &domid) ||
	    store_req_domid(r->argv[1], &target))
		return -EINVAL;
	rc = store_domain_set_target(r->conn->core, domid, target, true);
	return rc ? rc : store_req_ok(r);
}

/* XS_CONTROL: "print\0TEXT", "quota", "help". */
static int store_op_control(struct store_req *r)
{
	struct store_core *c = r->conn->core;
	char out[512];
	int n;

	if (r->argc >= 2 && strcmp(r->argv[0], "print") == 0) {
		log_info("control: %s", r->argv[1]);
		return store_req_ok(r);
	}
	if (r->argc == 1 && strcmp(r->argv[0], "quota") == 0) {
		n = snprintf(out, sizeof(out),
			     "nodes %u\nwatches %u\nnode-size %u\ntransactions %u\nperms %u\n"
			     "transaction-nodes %u\noutstanding %u\nmemory %zu\nmemory-soft %zu\n",
			     c->quota.nodes, c->quota.watches, c->quota.node_size, c->quota.txns,
			     c->quota.perms, c->quota.txn_nodes, c->quota.outstanding,
			     c->quota.mem_hard, c->quota.mem_soft);
		return store_req_reply(r, out, (size_t)n + 1);
	}
	if (r->argc == 1 && strcmp(r->argv[0], "help") == 0)
		return store_req_reply(r, "print\nquota\nhelp\n", 18);
	return -EINVAL;
}

static const struct store_op store_ops[XS_TYPE_COUNT] = {
	[XS_CONTROL] = {"CONTROL", store_op_control, STORE_OP_PRIV | STORE_OP_NOTX},
	[XS_DIRECTORY] = {"DIRECTORY", store_op_directory, 0},
	[XS_READ] = {"READ", store_op_read, 0},
	[XS_GET_PERMS] = {"GET_PERMS", store_op_get_perms, 0},
	[XS_WATCH] = {"WATCH", store_op_watch, STORE_OP_NOTX},
	[XS_UNWATCH] = {"UNWATCH", store_op_unwatch, STORE_OP_NOTX},
	[XS_TRANSACTION_START] = {"TRANSACTION_START", store_op_txn_start, 0},
	[XS_TRANSACTION_END] = {"TRANSACTION_END", store_op_txn_end, 0},
	[XS_INTRODUCE] = {"INTRODUCE", store_op_introduce, STORE_OP_PRIV | STORE_OP_NOTX},
	[XS_RELEASE] = {"RELEASE", store_op_release, STORE_OP_PRIV | STORE_OP_NOTX},
	[XS_GET_DOMAIN_PATH] = {"GET_DOMAIN_PATH", store_op_domain_path, STORE_OP_NOTX},
	[XS_WRITE] = {"WRITE", store_op_write, 0},
	[XS_MKDIR] = {"MKDIR", store_op_mkdir, 0},
	[XS_RM] = {"RM", store_op_rm, 0},
	[XS_SET_PERMS] = {"SET_PERMS", store_op_set_perms, 0},
	[XS_IS_DOMAIN_INTRODUCED] = {"IS_DOMAIN_INTRODUCED", store_op_is_introduced,
				     STORE_OP_PRIV | STORE_OP_NOTX},
	[XS_RESUME] = {"RESUME", store_op_resume, STORE_OP_PRIV | STORE_OP_NOTX},
	[XS_SET_TARGET] = {"SET_TARGET", store_op_set_target, STORE_OP_PRIV | STORE_OP_NOTX},
	[XS_RESET_WATCHES] = {"RESET_WATCHES", store_op_reset_watches, STORE_OP_NOTX},
	[XS_DIRECTORY_PART] = {"DIRECTORY_PART", store_op_directory_part, 0},
};

static void store_send_error(struct store_conn *conn, const struct xsd_sockmsg *hdr, int err)
{
	size_t i, n = sizeof(xsd_errors) / sizeof(xsd_errors[0]);

	for (i = 0; i < n && xsd_errors[i].errnum != err; i++)
		;
	if (i == n)
		i = 0; /* EINVAL, as Xen does for an untranslatable error */
	(void)!store_conn_send(conn, XS_ERROR, hdr->req_id, hdr->tx_id, xsd_errors[i].errstring,
			       strlen(xsd_errors[i].errstring) + 1);
}

void store_conn_dispatch(struct store_conn *conn, const struct xsd_sockmsg *hdr, char *payload)
{
	const struct store_op *op = hdr->type < XS_TYPE_COUNT ? &store_ops[hdr->type] : NULL;
	struct store_req r = {.conn = conn, .hdr = hdr, .data = payload, .len = hdr->len};
	int rc;

	conn->core->requests++;
	r.v = (struct store_view){.core = conn->core, .conn = conn};
	if (!op || !op->run) {
		rc = -EINVAL;
	} else if ((op->flags & STORE_OP_PRIV) && !conn->who.privileged) {
		rc = -EACCES;
	} else if (!(op->flags & STORE_OP_NOTX) && hdr->tx_id &&
		   !(r.v.txn = store_txn_find(conn, hdr->tx_id))) {
		rc = -ENOENT;
	} else {
		store_req_split(&r);
		rc = op->run(&r);
	}
	if (rc)
		store_send_error(conn, hdr, -rc);
}
