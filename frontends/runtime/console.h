/*
 * The guest's console.  Early output uses Xen's console_io hypercall
 * (CONSOLEIO_write), the emergency console that needs no ring or backend;
 * once rt_console_ring_init has found HVM_PARAM_CONSOLE_PFN/_EVTCHN it
 * goes to the console ring (xencons_interface) instead, and the writer
 * waits for room rather than dropping bytes, for at most a second without
 * the backend consuming: then the line goes through console_io.  Output is buffered per vCPU
 * and per line, so lines from different vCPUs never interleave.
 */
#ifndef RT_CONSOLE_H
#define RT_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct xencons_interface;

void rt_console_putc(char c);
void rt_console_write(const char *s, size_t len);
/* Write out the calling vCPU's partial line. */
void rt_console_flush(void);
/* Write s with console_io now, whatever the ring does. */
void rt_console_emergency(const char *s);

/* Switch output to the ring the HVM params name: 0, -19 (none provided) or -errno. */
int rt_console_ring_init(void) __attribute__((warn_unused_result));
int rt_console_ring_active(void);
/* The ring page (0 before rt_console_ring_init): for con-hostile only. */
struct xencons_interface *rt_console_ring_page(void);
/* Input from the ring: bytes copied (0: none yet), or -19 without a ring. */
int rt_console_read(char *buf, size_t size) __attribute__((warn_unused_result));
/* Wait until the backend has taken everything written, at most timeout_ns. */
void rt_console_drain(uint64_t timeout_ns);

#endif /* RT_CONSOLE_H */
