/*
 * Command-line parsing.  The line is copied out of the start-info page
 * once (bounded by DYAD_BOOT_CMDLINE_MAX), then looked up by key; the last
 * occurrence of a key wins, as in Linux.
 */
#include "cmdline.h"

#include <dyad/xen.h>
#include <dyad/boot.h>

#include "string.h"

static char rt_cmdline_buf[DYAD_BOOT_CMDLINE_MAX];

void rt_cmdline_init(uint64_t start_info)
{
	const struct hvm_start_info *si = (const struct hvm_start_info *)start_info;
	const char *src = (const char *)si->cmdline_paddr;
	size_t n;

	if (!src)
		return;
	n = strnlen(src, sizeof(rt_cmdline_buf) - 1);
	memcpy(rt_cmdline_buf, src, n);
	rt_cmdline_buf[n] = '\0';
}

const char *rt_cmdline(void)
{
	return rt_cmdline_buf;
}

/* The value of the last `key=` word (or "" for a bare `key`), and its length. */
static const char *rt_cmdline_find(const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = rt_cmdline_buf, *found = 0;

	while (*p) {
		const char *end = strchr(p, ' ');

		if (!end)
			end = p + strlen(p);
		if (!strncmp(p, key, klen) && (p[klen] == '=' || p + klen == end)) {
			found = p + klen + (p[klen] == '=');
			*len = (size_t)(end - found);
		}
		p = *end ? end + 1 : end;
	}
	return found;
}

int rt_cmdline_get(const char *key, char *out, size_t outlen)
{
	size_t len = 0;
	const char *v = rt_cmdline_find(key, &len);

	if (!v)
		return -2; /* ENOENT */
	if (len >= outlen)
		return -7; /* E2BIG */
	memcpy(out, v, len);
	out[len] = '\0';
	return 0;
}

uint64_t rt_cmdline_u64(const char *key, uint64_t def)
{
	size_t len = 0, i;
	const char *v = rt_cmdline_find(key, &len);
	uint64_t n = 0;

	if (!v || !len)
		return def;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return def;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	return n;
}
