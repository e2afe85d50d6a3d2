/*
 * Path canonicalization and validation (Xen's canonicalize() and
 * is_valid_nodename()).  Every path a client sends goes through
 * store_path_canon() before it is used for anything.
 */
#include "store_path.h"

#include <errno.h> /* before xs_wire.h: it defines xsd_errors[] only with errno */

#include "dyad/xen.h"
#include <xen/io/xs_wire.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool store_path_chars_ok(const char *p)
{
	for (; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '/' || c == '_' || c == '@'))
			return false;
	}
	return true;
}

void store_path_home(uint32_t domid, char *out, size_t cap)
{
	snprintf(out, cap, "/local/domain/%u", domid);
}

/* Length of the part below /local/domain/<id>/, as Xen measures it. */
static size_t store_path_rel_len(const char *p)
{
	unsigned int id;
	int off = 0;

	if (sscanf(p, "/local/domain/%5u/%n", &id, &off) != 1 || off == 0)
		off = 0;
	return strlen(p) - (size_t)off;
}

/* p (len bytes) is absolute, well-formed and within Xen's limits. */
static int store_path_check(const char *p, size_t len, bool privileged)
{
	if (p[0] != '/' || len > XENSTORE_ABS_PATH_MAX)
		return -EINVAL;
	if (len > 1 && p[len - 1] == '/')
		return -EINVAL;
	if (memmem(p, len, "//", 2) || !store_path_chars_ok(p))
		return -EINVAL;
	if (!privileged && len > XENSTORE_REL_PATH_MAX &&
	    store_path_rel_len(p) > XENSTORE_REL_PATH_MAX)
		return -EINVAL;
	return 0;
}

/*
 * No snprintf on this path: every request goes through here, and formatting
 * showed up in profiles of the pipelined benchmark.
 */
int store_path_canon(const char *in, uint32_t domid, bool privileged, bool special, char *out,
		     bool *relative)
{
	size_t len = strlen(in), home = 0;

	*relative = false;
	if (in[0] == '@') {
		if (!special || len >= STORE_PATH_BUF || !store_path_chars_ok(in))
			return -EINVAL;
		memcpy(out, in, len + 1);
		return 0;
	}
	if (in[0] != '/') {
		*relative = true;
		if (!in[0])
			return -EINVAL;
		store_path_home(domid, out, STORE_PATH_BUF);
		home = strlen(out);
		out[home++] = '/';
	}
	if (home + len >= STORE_PATH_BUF)
		return -EINVAL;
	memcpy(out + home, in, len + 1);
	return store_path_check(out, home + len, privileged);
}

size_t store_path_parent_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == path ? 1 : (size_t)(slash - path);
}

const char *store_path_base(const char *path)
{
	return strrchr(path, '/') + 1;
}

bool store_path_is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (strcmp(parent, "/") == 0)
		return child[0] == '/';
	return strncmp(child, parent, len) == 0 && (child[len] == '/' || child[len] == '\0');
}
