/*
 * Node permissions, exactly as Xen's: a list whose first entry names the
 * owner and gives everyone else's default; further entries give one domain
 * r(ead), w(rite), b(oth) or n(one).  The owner, privileged connections
 * (dom0) and a domain's target-holder (SET_TARGET) get everything.
 */
#ifndef DYAD_STORE_PERMS_H
#define DYAD_STORE_PERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_PERM_NONE	 0u
#define STORE_PERM_READ	 1u
#define STORE_PERM_WRITE 2u
#define STORE_PERM_OWNER 4u

struct store_perm {
	uint32_t id;
	uint8_t perms; /* STORE_PERM_READ | STORE_PERM_WRITE */
};

/* Who is asking: its domain, whether privileged, and its target (or -1). */
struct store_who {
	uint32_t domid;
	bool privileged;
	int64_t target;
};

/* What `who` may do on a node with perms[0..n). */
unsigned int store_perms_for(const struct store_who *who, const struct store_perm *p, size_t n);

/* Parse one "r5"-style string; 0 or -EINVAL. */
int store_perm_parse(const char *s, struct store_perm *out) __attribute__((warn_unused_result));
/* Format one entry into buf (>= 16 bytes); returns the length without NUL. */
size_t store_perm_format(const struct store_perm *p, char *buf);

#endif /* DYAD_STORE_PERMS_H */
