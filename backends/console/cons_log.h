/*
 * One domain's console log: DIR/<name>.log, size-capped with one rotation.
 *
 * Every byte the domain prints (console ring and console_io, in the order
 * they arrive) is appended here, and this file is also what attached
 * clients replay from, so "attaching late loses nothing still in the log"
 * holds by construction.  Bytes are numbered by a stream offset that
 * counts from the oldest byte kept when the log was opened.
 *
 * The cap: when appending would take <name>.log past `cap` bytes, the file
 * is renamed to <name>.log.1 (replacing an older one) and a new, empty
 * <name>.log is started.  So at most 2 * cap bytes are kept per name, the
 * newest cap..2*cap of them, and a reader asking for an older offset gets
 * the oldest kept byte instead (the reply says where it starts).
 */
#ifndef DYAD_CONS_LOG_H
#define DYAD_CONS_LOG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define CONS_LOG_CAP_DEFAULT (1024u * 1024u) /* bytes per file; 2 files */
#define CONS_LOG_CAP_MIN     (64u * 1024u)

struct cons_log {
	int fd;	    /* <name>.log, read-write O_APPEND; -1 when closed */
	int old_fd; /* <name>.log.1 read-only, or -1 */
	uint64_t cap;
	uint64_t oldest; /* stream offset of the first kept byte */
	uint64_t base;	 /* stream offset of the first byte of <name>.log */
	uint64_t end;	 /* stream offset after the last byte */
	char path[PATH_MAX];
	char old_path[PATH_MAX];
};

/* Is name usable as a file name (non-empty, no '/', not "." or "..")? */
int cons_log_name_ok(const char *name) __attribute__((warn_unused_result));

/* Open (creating) dir/<name>.log for appending; keeps what it holds. */
int cons_log_open(struct cons_log *l, const char *dir, const char *name, uint64_t cap)
	__attribute__((warn_unused_result));
/* Append len bytes (rotating first if they would pass the cap). */
int cons_log_append(struct cons_log *l, const void *buf, size_t len)
	__attribute__((warn_unused_result));
/*
 * Read up to cap bytes from stream offset off (an offset older than the
 * oldest kept byte reads from the oldest).  *start is where the bytes
 * begin, *n how many (0 at the end).
 */
int cons_log_read(struct cons_log *l, uint64_t off, void *buf, size_t cap, uint64_t *start,
		  size_t *n) __attribute__((warn_unused_result));
/* Flush to disk and close; the files stay.  Idempotent. */
void cons_log_close(struct cons_log *l);

#endif /* DYAD_CONS_LOG_H */
