/*
 * A tiny printf: %d %i %u %x %X %p %s %c %% with the l/ll/z size
 * modifiers, a width and the '-' and '0' flags.  No floating point (the
 * guest is built with -mgeneral-regs-only).
 */
#ifndef RT_PRINTF_H
#define RT_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

int rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif /* RT_PRINTF_H */
