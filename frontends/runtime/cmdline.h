/*
 * The kernel command line: space-separated words, `key=value` or a bare
 * `key`, read from hvm_start_info.cmdline_paddr once at boot.
 */
#ifndef RT_CMDLINE_H
#define RT_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

void rt_cmdline_init(uint64_t start_info);
const char *rt_cmdline(void);
/* Copy the value of key into out; 0, -2 (absent) or -7 (too long for outlen). */
int rt_cmdline_get(const char *key, char *out, size_t outlen) __attribute__((warn_unused_result));
/* The decimal value of key, or def when absent or not a number. */
uint64_t rt_cmdline_u64(const char *key, uint64_t def);

#endif /* RT_CMDLINE_H */
