/*
 * Store path syntax, as Xen's xenstored checks it: absolute paths start
 * with '/', relative ones are resolved against /local/domain/<domid>;
 * characters are [A-Za-z0-9_@/-]; no "//", no trailing '/' except the root;
 * an absolute path is at most XENSTORE_ABS_PATH_MAX bytes and, for an
 * unprivileged domain, the part below its home at most XENSTORE_REL_PATH_MAX.
 * Watch paths may also be special ("@introduceDomain", "@releaseDomain").
 */
#ifndef DYAD_STORE_PATH_H
#define DYAD_STORE_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enough for an absolute path and its NUL. */
#define STORE_PATH_BUF 3100

/*
 * Canonicalize in (a client's string) for domid into out (STORE_PATH_BUF).
 * special: '@' names are allowed (watches).  *relative says whether the
 * client gave a relative path.  0 or -EINVAL.
 */
int store_path_canon(const char *in, uint32_t domid, bool privileged, bool special, char *out,
		     bool *relative) __attribute__((warn_unused_result));

/* The home of domid: "/local/domain/<domid>" into out (cap >= 32). */
void store_path_home(uint32_t domid, char *out, size_t cap);

/* Length of path's parent ("/a/b" -> 2, "/a" -> 1); path is not "/". */
size_t store_path_parent_len(const char *path);
/* The last component ("/a/b" -> "b"). */
const char *store_path_base(const char *path);
/* Is child at or below parent? */
bool store_path_is_child(const char *child, const char *parent);

#endif /* DYAD_STORE_PATH_H */
