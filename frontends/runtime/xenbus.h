/*
 * The xenbus client: Xen's store protocol (xen/io/xs_wire.h) over the ring
 * page and event channel the toolstack gave this domain
 * (HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN; docs/issue45-contract.md
 * §5).  Relative paths are relative to /local/domain/<self> (the store
 * resolves them).  Errors are -errno, named as in xs_wire.h's error
 * strings (-13 EACCES, -2 ENOENT, -28 ENOSPC, -11 EAGAIN, ...).
 *
 * Callers: vCPU 0 only (the store port is bound to it).  A call from an
 * app blocks the vCPU until the reply comes (SCHEDOP_block, waking for
 * events); a call from a watch callback (events masked) waits the same way.
 * Watch callbacks run from the store port's event handler, events masked,
 * one at a time: keep them short; they may make store calls.  A store
 * that breaks or reports the ring broken (xs_wire.h `error`) fails the
 * calls in flight with -5 (EIO), part-sent requests included.
 */
#ifndef RT_XENBUS_H
#define RT_XENBUS_H

#include <stddef.h>
#include <stdint.h>

#define RT_XS_NO_TX 0u

typedef void rt_xs_watch_fn(const char *path, void *arg);

/*
 * Connect to the store the HVM params name: 0, -19 (ENODEV) when no store
 * was provided, or -errno when the params or events are unusable.
 */
int rt_xs_init(void) __attribute__((warn_unused_result));
/* 1 once rt_xs_init succeeded. */
int rt_xs_available(void);

/* The value of path, NUL-terminated in buf; returns its length or -errno (-7 E2BIG: too long). */
int rt_xs_read(uint32_t tx, const char *path, char *buf, size_t size)
	__attribute__((warn_unused_result));
int rt_xs_write(uint32_t tx, const char *path, const char *value)
	__attribute__((warn_unused_result));
/* The children of path as NUL-separated names in buf; returns their count or -errno. */
int rt_xs_directory(uint32_t tx, const char *path, char *buf, size_t size)
	__attribute__((warn_unused_result));
int rt_xs_rm(uint32_t tx, const char *path) __attribute__((warn_unused_result));
/* Watch path (and below); fn runs once at registration, then on every change. */
int rt_xs_watch(const char *path, rt_xs_watch_fn *fn, void *arg)
	__attribute__((warn_unused_result));
int rt_xs_unwatch(const char *path, rt_xs_watch_fn *fn) __attribute__((warn_unused_result));
int rt_xs_transaction_start(uint32_t *tx) __attribute__((warn_unused_result));
/* Commit (abort = 0) or abort; -11 (EAGAIN) when the commit conflicted: retry. */
int rt_xs_transaction_end(uint32_t tx, int abort) __attribute__((warn_unused_result));

/*
 * From a watch callback that could not finish (a store error other than
 * "gone"): run it once more, with the watched path, on the next dispatch
 * (the next store event, or while a call waits), never within this one.
 */
void rt_xs_watch_retry(void);

/*
 * Replies that matched no waiting request (dropped); watch events dropped
 * (not ours: a bad token); events coalesced into their slot because the
 * queue was full (the callback still runs, once, with the watched path).
 */
unsigned long rt_xs_stray_replies(void);
unsigned long rt_xs_dropped_events(void);
unsigned long rt_xs_coalesced_events(void);

#endif /* RT_XENBUS_H */
