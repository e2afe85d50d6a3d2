/*
 * The guest's console: Xen's console_io hypercall (CONSOLEIO_write), the
 * emergency console that needs no ring or backend.  Output is buffered per
 * vCPU and per line, so lines from different vCPUs never interleave.
 */
#ifndef RT_CONSOLE_H
#define RT_CONSOLE_H

#include <stddef.h>

void rt_console_putc(char c);
void rt_console_write(const char *s, size_t len);
/* Write out the calling vCPU's partial line. */
void rt_console_flush(void);

#endif /* RT_CONSOLE_H */
