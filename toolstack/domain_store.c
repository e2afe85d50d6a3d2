/*
 * A domain's presence in the configuration store, as libxl arranges it in
 * xenstore (libxl_create.c: libxl__domain_make, libxl__build_post;
 * libxl_domain.c: destroy).  The layout is a pure function of the config,
 * the domid and the console port, so that it is tested exactly; writing it
 * is one transaction, retried when the store answers the commit with
 * EAGAIN (another writer touched what it read), so a domain's nodes appear
 * all at once or not at all.
 *
 * Permissions use Xen's strings: the first entry is the owner and the
 * default for everyone else ("n0": dom0 owns it, others have no access),
 * later entries grant one domain read ("rN").  The guest owns control/,
 * data/ and device/ ("nN") so it can write and clear control/shutdown.
 */
#include "domain_store.h"
#include "rundir.h"
#include "store_client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

/* libxl's console defaults: xenconsoled's ring, 1 MiB log limit, a pty. */
#define DOMAIN_STORE_CONSOLE_LIMIT 1048576
#define DOMAIN_STORE_TXN_TRIES	   16
#define DOMAIN_STORE_RETRY_MS	   100

enum domain_store_access {
	DS_RO, /* n0 rN: dom0 owns it, the guest reads */
	DS_RW, /* nN: the guest owns it */
};

struct domain_store_builder {
	struct domain_store_node *out;
	size_t n;
	uint32_t domid;
	char base[48];
};

__attribute__((format(printf, 4, 5))) static void domain_store_add(struct domain_store_builder *b,
								   enum domain_store_access acc,
								   const char *value,
								   const char *fmt, ...)
{
	struct domain_store_node *nd = &b->out[b->n++];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nd->path, sizeof(nd->path), fmt, ap);
	va_end(ap);
	snprintf(nd->value, sizeof(nd->value), "%s", value);
	if (acc == DS_RW) {
		snprintf(nd->perms[0], sizeof(nd->perms[0]), "n%u", b->domid);
		nd->nperms = 1;
	} else {
		snprintf(nd->perms[0], sizeof(nd->perms[0]), "n0");
		snprintf(nd->perms[1], sizeof(nd->perms[1]), "r%u", b->domid);
		nd->nperms = 2;
	}
}

void domain_store_dom_path(uint32_t domid, char *buf, size_t cap)
{
	snprintf(buf, cap, "/local/domain/%u", domid);
}

void domain_store_vm_path(const uint8_t uuid[16], char *buf, size_t cap)
{
	char s[37];

	uuid_unparse_lower(uuid, s);
	snprintf(buf, cap, "/vm/%s", s);
}

static void domain_store_layout_console(struct domain_store_builder *b, uint32_t console_port)
{
	char v[32];
	const char *d = b->base;

	domain_store_add(b, DS_RO, "", "%s/console", d);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)(DYAD_BOOT_CONSOLE_RING >> 12));
	domain_store_add(b, DS_RO, v, "%s/console/ring-ref", d);
	snprintf(v, sizeof(v), "%u", console_port);
	domain_store_add(b, DS_RO, v, "%s/console/port", d);
	domain_store_add(b, DS_RO, "xenconsoled", "%s/console/type", d);
	snprintf(v, sizeof(v), "%u", DOMAIN_STORE_CONSOLE_LIMIT);
	domain_store_add(b, DS_RO, v, "%s/console/limit", d);
	domain_store_add(b, DS_RO, "pty", "%s/console/output", d);
}

void domain_store_layout(const struct dyad_domain_config *cfg, uint32_t domid,
			 uint32_t console_port, struct domain_store_node out[DOMAIN_STORE_NODES])
{
	struct domain_store_builder b = {.out = out, .domid = domid};
	char vm[64], v[32], uuid[37];
	const char *d = b.base;

	memset(out, 0, sizeof(*out) * DOMAIN_STORE_NODES);
	domain_store_dom_path(domid, b.base, sizeof(b.base));
	domain_store_vm_path(cfg->uuid, vm, sizeof(vm));
	uuid_unparse_lower(cfg->uuid, uuid);
	domain_store_add(&b, DS_RO, "", "%s", d);
	domain_store_add(&b, DS_RO, cfg->name, "%s/name", d);
	snprintf(v, sizeof(v), "%u", domid);
	domain_store_add(&b, DS_RO, v, "%s/domid", d);
	domain_store_add(&b, DS_RO, vm, "%s/vm", d);
	domain_store_add(&b, DS_RO, "", "%s/memory", d);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)cfg->memory_mb * 1024); /* KiB */
	domain_store_add(&b, DS_RO, v, "%s/memory/target", d);
	domain_store_add(&b, DS_RW, "", "%s/control", d);
	domain_store_add(&b, DS_RW, "", "%s/control/shutdown", d);
	domain_store_add(&b, DS_RW, "", "%s/data", d);
	domain_store_add(&b, DS_RW, "", "%s/device", d);
	domain_store_layout_console(&b, console_port);
	domain_store_add(&b, DS_RO, "", "%s", vm);
	domain_store_add(&b, DS_RO, cfg->name, "%s/name", vm);
	domain_store_add(&b, DS_RO, uuid, "%s/uuid", vm);
}

static int domain_store_socket(char *buf, size_t cap)
{
	const char *env = getenv("XENSTORED_PATH");

	if (env && *env) {
		if ((size_t)snprintf(buf, cap, "%s", env) >= cap)
			return -ENAMETOOLONG;
		return 0;
	}
	return rundir_file("store.sock", buf, cap);
}

int domain_store_open(struct store_client **c, unsigned int wait_ms, char *err, size_t errlen)
{
	char path[256];
	int rc = domain_store_socket(path, sizeof(path));

	if (rc) {
		snprintf(err, errlen, "the store's socket path is too long");
		return rc;
	}
	for (unsigned int waited = 0;; waited += DOMAIN_STORE_RETRY_MS) {
		rc = store_client_open(path, c);
		if ((rc != -ENOENT && rc != -ECONNREFUSED) || waited >= wait_ms)
			break;
		usleep(DOMAIN_STORE_RETRY_MS * 1000);
	}
	if (rc)
		snprintf(err, errlen, "the store is not running: cannot connect to %s: %s", path,
			 strerror(-rc));
	return rc;
}

static bool domain_store_same_perms(const struct domain_store_node *a,
				    const struct domain_store_node *b)
{
	for (unsigned int i = 0; i < a->nperms && a->nperms == b->nperms; i++)
		if (strcmp(a->perms[i], b->perms[i]))
			return false;
	return a->nperms == b->nperms;
}

/*
 * A new node takes its parent's permissions (Xen's rule for a node dom0
 * creates), so SET_PERMS is only sent where they differ: it halves the
 * requests of a domain's creation.  nodes[0..i) are already written.
 */
static bool domain_store_inherits(const struct domain_store_node *nodes, size_t i)
{
	const char *slash = strrchr(nodes[i].path, '/');
	size_t plen = slash ? (size_t)(slash - nodes[i].path) : 0;

	for (size_t k = 0; k < i; k++)
		if (strlen(nodes[k].path) == plen &&
		    strncmp(nodes[k].path, nodes[i].path, plen) == 0)
			return domain_store_same_perms(&nodes[k], &nodes[i]);
	return false;
}

static int domain_store_put(struct store_client *c, uint32_t tx,
			    const struct domain_store_node *nodes, size_t i)
{
	const struct domain_store_node *nd = &nodes[i];
	const char *perms[DOMAIN_STORE_MAX_PERMS];
	int rc = store_client_write(c, tx, nd->path, nd->value, strlen(nd->value));

	for (unsigned int k = 0; k < nd->nperms; k++)
		perms[k] = nd->perms[k];
	if (rc == 0 && !domain_store_inherits(nodes, i))
		rc = store_client_set_perms(c, tx, nd->path, perms, nd->nperms);
	return rc;
}

static int domain_store_try_write(struct store_client *c, const struct domain_store_node *nodes,
				  size_t n)
{
	uint32_t tx;
	int rc = store_client_txn_start(c, &tx);

	if (rc)
		return rc;
	rc = store_client_rm(c, tx, nodes[0].path);
	if (rc == -ENOENT)
		rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = domain_store_put(c, tx, nodes, i);
	if (rc) {
		(void)!store_client_txn_end(c, tx, false);
		return rc;
	}
	return store_client_txn_end(c, tx, true);
}

int domain_store_write_nodes(struct store_client *c, const struct domain_store_node *nodes,
			     size_t n)
{
	int rc = -EAGAIN;

	for (int i = 0; i < DOMAIN_STORE_TXN_TRIES && rc == -EAGAIN; i++)
		rc = domain_store_try_write(c, nodes, n);
	return rc;
}

/* rm path; a node that is not there is fine. */
static int domain_store_rm(struct store_client *c, const char *path)
{
	int rc = store_client_rm(c, 0, path);

	return rc == -ENOENT ? 0 : rc;
}

int domain_store_remove(struct store_client *c, uint32_t domid)
{
	char dom[64], key[96], *vm = NULL;
	size_t len = 0;
	int rc;

	domain_store_dom_path(domid, dom, sizeof(dom));
	snprintf(key, sizeof(key), "%s/vm", dom);
	rc = store_client_read(c, 0, key, &vm, &len);
	/* Only a path of the form we write: a guest cannot make us rm elsewhere. */
	if (rc == 0 && len < 64 && strncmp(vm, "/vm/", 4) == 0 && !strchr(vm + 4, '/'))
		rc = domain_store_rm(c, vm);
	else if (rc == -ENOENT || rc == 0)
		rc = 0;
	free(vm);
	if (rc == 0)
		rc = domain_store_rm(c, dom);
	if (rc == 0)
		rc = store_client_release(c, domid);
	return rc == -ENOENT || rc == -ESRCH ? 0 : rc;
}

static int domain_store_try_request(struct store_client *c, uint32_t domid, const char *value)
{
	char path[96], *old = NULL;
	size_t len;
	uint32_t tx;
	int rc = store_client_txn_start(c, &tx);

	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
	rc = store_client_read(c, tx, path, &old, &len);
	free(old);
	if (rc == 0)
		rc = store_client_write(c, tx, path, value, strlen(value));
	if (rc) {
		(void)!store_client_txn_end(c, tx, false);
		return rc;
	}
	return store_client_txn_end(c, tx, true);
}

int domain_store_request(struct store_client *c, uint32_t domid, const char *value)
{
	int rc = -EAGAIN;

	for (int i = 0; i < DOMAIN_STORE_TXN_TRIES && rc == -EAGAIN; i++)
		rc = domain_store_try_request(c, domid, value);
	return rc;
}

bool domain_store_has_domain(struct store_client *c, uint32_t domid)
{
	char path[64], *v = NULL;
	size_t len;
	int rc;

	domain_store_dom_path(domid, path, sizeof(path));
	rc = store_client_read(c, 0, path, &v, &len);
	free(v);
	return rc == 0;
}
