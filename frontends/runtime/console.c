/*
 * One line buffer per vCPU (indexed by rt_vcpu_self), written with one
 * console_io hypercall per line: an exit costs tens of microseconds on
 * hosts without VT-x, a character at a time would be unusable.
 */
#include "console.h"

#include "hypercall.h"
#include "vcpu.h"

#define RT_CONSOLE_LINE 256

struct rt_console_line {
	char buf[RT_CONSOLE_LINE];
	unsigned int len;
};

static struct rt_console_line rt_console_lines[RT_MAX_VCPUS];

static void rt_console_flush_line(struct rt_console_line *l)
{
	if (l->len)
		rt_console_io(CONSOLEIO_write, l->len, l->buf);
	l->len = 0;
}

void rt_console_putc(char c)
{
	struct rt_console_line *l = &rt_console_lines[rt_vcpu_self()];

	l->buf[l->len++] = c;
	if (c == '\n' || l->len == RT_CONSOLE_LINE)
		rt_console_flush_line(l);
}

void rt_console_write(const char *s, size_t len)
{
	while (len--)
		rt_console_putc(*s++);
}

void rt_console_flush(void)
{
	rt_console_flush_line(&rt_console_lines[rt_vcpu_self()]);
}
