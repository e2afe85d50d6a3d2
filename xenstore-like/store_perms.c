/*
 * Permission strings and the permission check (Xen's perm_for_conn()).
 */
#include "store_perms.h"

#include "dyad/xen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static bool store_perms_match(const struct store_who *who, uint32_t id)
{
	return id == who->domid || (who->target >= 0 && id == (uint64_t)who->target);
}

unsigned int store_perms_for(const struct store_who *who, const struct store_perm *p, size_t n)
{
	if (who->privileged || store_perms_match(who, p[0].id))
		return STORE_PERM_READ | STORE_PERM_WRITE | STORE_PERM_OWNER;
	for (size_t i = 1; i < n; i++)
		if (store_perms_match(who, p[i].id))
			return p[i].perms;
	return p[0].perms;
}

int store_perm_parse(const char *s, struct store_perm *out)
{
	unsigned long id;
	char *end;

	switch (s[0]) {
	case 'r':
		out->perms = STORE_PERM_READ;
		break;
	case 'w':
		out->perms = STORE_PERM_WRITE;
		break;
	case 'b':
		out->perms = STORE_PERM_READ | STORE_PERM_WRITE;
		break;
	case 'n':
		out->perms = STORE_PERM_NONE;
		break;
	default:
		return -EINVAL;
	}
	if (s[1] < '0' || s[1] > '9')
		return -EINVAL;
	errno = 0;
	id = strtoul(s + 1, &end, 10);
	if (errno || *end || id >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	out->id = (uint32_t)id;
	return 0;
}

size_t store_perm_format(const struct store_perm *p, char *buf)
{
	static const char letter[] = {'n', 'r', 'w', 'b'};

	return (size_t)sprintf(buf, "%c%u", letter[p->perms & 3], p->id);
}
