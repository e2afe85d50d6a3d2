/*
 * One domain's console in dyad-consoled: its log, its console_io stream
 * from the core, its console ring, flood control and input queue.
 *
 * Life of a domain here:
 *   adopted (core event, core list at start-up, or a client attaching)
 *     -> console_io read and logged from the core's first kept byte
 *     -> ring connected once the store has console/{ring-ref,port}
 *   dead (shut down or crashed: the core's console_io read says EOF)
 *     -> last ring bytes read, the log is flushed, clients get END
 *   destroyed (core event)
 *     -> freed (log closed, state file removed) once no client reads it
 *        and CONS_DOM_LINGER_MS have passed: `dyad create -c` of a guest
 *        that dies at once still attaches by domid and gets its output.
 * A guest that corrupts its ring loses the ring (logged, noted in its
 * console log); its console_io keeps being logged and nobody else notices.
 *
 * Restart: a small state file per domain (LOGDIR/.<domid>.state: the
 * domain's uuid, the console_io offset consumed, the bytes it has logged)
 * lets a restarted daemon continue without logging console_io twice and
 * still replay the domain from its first byte.  The ring needs no state:
 * out_cons lives in the shared page.
 */
#include "consoled.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "ctl_client.h"
#include "evtchn.h"
#include "foreignmem.h"
#include "log.h"
#include "store_client.h"

struct cons_dom_state {
	uint8_t uuid[16];
	uint64_t io_next;   /* console_io offset consumed */
	uint64_t dom_bytes; /* bytes this domain has logged */
};

static void cons_dom_state_path(const struct consoled *d, uint32_t domid, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/.%" PRIu32 ".state", d->logdir, domid);
}

static void cons_dom_state_save(struct consoled *d, struct cons_dom *dom)
{
	struct cons_dom_state st = {.io_next = dom->io.next,
				    .dom_bytes = dom->log->end - dom->start};
	char path[PATH_MAX];
	int fd;

	memcpy(st.uuid, dom->uuid, sizeof(st.uuid));
	cons_dom_state_path(d, dom->domid, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || pwrite(fd, &st, sizeof(st), 0) != (ssize_t)sizeof(st))
		log_warn_rl("domain %u: saving %s: %s", dom->domid, path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* The saved state if it belongs to this very domain (same uuid). */
static bool cons_dom_state_load(struct consoled *d, uint32_t domid, const uint8_t uuid[16],
				struct cons_dom_state *st)
{
	char path[PATH_MAX];
	int fd;
	bool ok;

	cons_dom_state_path(d, domid, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = pread(fd, st, sizeof(*st), 0) == (ssize_t)sizeof(*st) &&
	     memcmp(st->uuid, uuid, sizeof(st->uuid)) == 0;
	close(fd);
	return ok;
}

static void cons_dom_log(struct consoled *d, struct cons_dom *dom, const void *buf, size_t n)
{
	int rc = cons_log_append(dom->log, buf, n);

	if (rc)
		log_warn_rl("domain %u: writing %s: %s", dom->domid, dom->log->path, strerror(-rc));
	cons_srv_kick(d, dom);
}

/* A line from us in the domain's log, so its reader sees what happened. */
static void __attribute__((format(printf, 3, 4)))
cons_dom_note(struct consoled *d, struct cons_dom *dom, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	cons_dom_log(d, dom, line, (size_t)n);
}

/* ---- console ring ---- */

static void cons_dom_ring_close(struct consoled *d, struct cons_dom *dom)
{
	if (!dom->ring_up)
		return;
	if (d->evh && evtchn_unbind(d->evh, dom->local))
		log_debug("domain %u: console port already closed", dom->domid);
	foreignmem_close(dom->mem);
	dom->mem = NULL;
	dom->local = 0; /* the port may soon be another domain's: never unbind it twice */
	dom->ring_up = false;
}

/* The guest broke its ring: disconnect it, for good, and say so. */
static void cons_dom_ring_corrupt(struct consoled *d, struct cons_dom *dom, const char *which)
{
	log_warn_rl("domain %u (%s): console ring corrupted (%s prod %#x cons %#x): disconnected",
		    dom->domid, dom->name, which, dom->ring.bad_prod, dom->ring.bad_cons);
	cons_dom_ring_close(d, dom);
	dom->ring_dead = true;
	cons_dom_note(
		d, dom,
		"[dyad-consoled: console ring corrupted (%s prod %#x cons %#x); disconnected]",
		which, dom->ring.bad_prod, dom->ring.bad_cons);
}

static void cons_dom_notify(struct consoled *d, struct cons_dom *dom)
{
	int rc = evtchn_notify(d->evh, dom->local);

	if (rc == -EPIPE) {
		log_info("domain %u: console port closed", dom->domid);
		cons_dom_ring_close(d, dom);
	} else if (rc) {
		log_warn_rl("domain %u: notify: %s", dom->domid, strerror(-rc));
	}
}

static void cons_dom_push_input(struct consoled *d, struct cons_dom *dom)
{
	size_t n = 0;

	if (!dom->ring_up || dom->inq_len == 0)
		return;
	if (cons_ring_write(&dom->ring, dom->inq, dom->inq_len, &n)) {
		cons_dom_ring_corrupt(d, dom, "in");
		return;
	}
	if (n == 0)
		return;
	memmove(dom->inq, dom->inq + n, dom->inq_len - n);
	dom->inq_len -= n;
	cons_dom_notify(d, dom);
}

/* Over budget: stop reading the ring until the window ends (the guest waits). */
static void cons_dom_throttle(struct consoled *d, struct cons_dom *dom, uint64_t now)
{
	uint64_t left = dom->win_start_ms + d->rate.ms - now;
	struct itimerspec its = {.it_value = {.tv_sec = (time_t)(left / 1000),
					      .tv_nsec = (long)(left % 1000) * 1000000L + 1}};

	if (!dom->throttled && dom->throttle_count++ == 0)
		log_info("domain %u (%s): console output over %u bytes per %u ms: throttled",
			 dom->domid, dom->name, d->rate.bytes, d->rate.ms);
	dom->throttled = true;
	if (timerfd_settime(dom->timer_fd, 0, &its, NULL) < 0)
		log_warn_rl("domain %u: timerfd: %s", dom->domid, strerror(errno));
}

/* Read the out ring into the log within the flood budget. */
static void cons_dom_drain_out(struct consoled *d, struct cons_dom *dom)
{
	uint8_t buf[CONS_RING_OUT_SIZE];
	bool any = false;
	size_t n, cap;

	while (dom->ring_up) {
		uint64_t now = consoled_now_ms();

		if (now - dom->win_start_ms >= d->rate.ms) {
			dom->win_start_ms = now;
			dom->win_bytes = 0;
		}
		if (dom->win_bytes >= d->rate.bytes) {
			cons_dom_throttle(d, dom, now);
			break;
		}
		cap = d->rate.bytes - dom->win_bytes;
		if (cons_ring_read(&dom->ring, buf, cap < sizeof(buf) ? cap : sizeof(buf), &n)) {
			cons_dom_ring_corrupt(d, dom, "out");
			return;
		}
		if (n == 0)
			break;
		any = true;
		dom->win_bytes += (uint32_t)n;
		cons_dom_log(d, dom, buf, n);
	}
	if (any && dom->ring_up) {
		cons_dom_state_save(d, dom);
		cons_dom_notify(d, dom); /* the guest may be waiting for room */
	}
}

static void cons_dom_ring_service(struct consoled *d, struct cons_dom *dom)
{
	cons_dom_push_input(d, dom);
	if (!dom->throttled)
		cons_dom_drain_out(d, dom);
}

void cons_dom_ring_event(struct consoled *d, struct cons_dom *dom)
{
	cons_dom_ring_service(d, dom);
}

void cons_dom_ring_lost(struct consoled *d, struct cons_dom *dom)
{
	if (dom->ring_up)
		cons_dom_drain_out(d, dom); /* the memory is still mapped: last words */
	cons_dom_ring_close(d, dom);
	dom->ring_dead = true; /* a guest does not rebind its console port */
}

static void cons_dom_timer(struct consoled *d, struct cons_ev *ev, uint32_t events)
{
	struct cons_dom *dom = cons_container_of(ev, struct cons_dom, timer_ev);
	uint64_t ticks;

	if (read(dom->timer_fd, &ticks, sizeof(ticks)) < 0 || dom->gone)
		return; /* a gone domain's timer only wakes the loop to reap it */
	dom->throttled = false;
	cons_dom_ring_service(d, dom);
}

/* A decimal store value under /local/domain/N/console. */
static int cons_dom_store_num(struct consoled *d, uint32_t domid, const char *leaf, uint64_t max,
			      uint64_t *out)
{
	char path[96], *val = NULL, *end;
	unsigned long long v;
	int rc;

	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/console/%s", domid, leaf);
	rc = store_client_read(d->store, 0, path, &val, NULL);
	if (rc)
		return rc;
	errno = 0;
	v = strtoull(val, &end, 10);
	rc = (val[0] < '0' || val[0] > '9' || *end || errno || v > max) ? -EINVAL : 0;
	if (rc)
		log_warn_rl("domain %" PRIu32 ": %s is not a number up to %" PRIu64, domid, path,
			    max);
	free(val);
	*out = v;
	return rc;
}

static int cons_dom_ring_map(struct consoled *d, struct cons_dom *dom, uint64_t gfn)
{
	struct xencons_interface *intf;
	int rc = foreignmem_open(d->ctl, dom->domid, &dom->mem);

	if (rc)
		return rc;
	intf = foreignmem_map(dom->mem, gfn, 1);
	if (!intf) {
		cons_dom_note(d, dom, "[dyad-consoled: console ring-ref %" PRIu64 " is not RAM]",
			      gfn);
		rc = -EINVAL;
	} else if (cons_ring_attach(&dom->ring, intf)) {
		/* No port is bound yet (ring_up stays false): only unmap, below. */
		cons_dom_ring_corrupt(d, dom, "initial");
		rc = -EPROTO;
	}
	if (rc) {
		foreignmem_close(dom->mem);
		dom->mem = NULL;
		dom->ring_dead = true;
	}
	return rc;
}

void cons_dom_try_ring(struct consoled *d, struct cons_dom *dom)
{
	uint64_t gfn, port;
	int rc;

	if (dom->ring_up || dom->ring_dead || dom->gone || dom->finished || !d->store || !d->evh)
		return;
	if (cons_dom_store_num(d, dom->domid, "ring-ref", UINT32_MAX, &gfn) ||
	    cons_dom_store_num(d, dom->domid, "port", UINT32_MAX, &port))
		return; /* not there yet: the next @introduceDomain tries again */
	rc = cons_dom_ring_map(d, dom, gfn);
	if (rc)
		return;
	rc = evtchn_rebind_interdomain(d->evh, dom->domid, (uint32_t)port, &dom->local);
	if (rc) {
		log_warn_rl("domain %u: binding console port %" PRIu64 ": %s", dom->domid, port,
			    strerror(-rc));
		foreignmem_close(dom->mem);
		dom->mem = NULL;
		dom->local = 0;
		return;
	}
	dom->ring_up = true;
	log_info("domain %u (%s): console ring at frame %#" PRIx64 ", port %" PRIu64, dom->domid,
		 dom->name, gfn, port);
	cons_dom_ring_service(d, dom);
	cons_dom_notify(d, dom); /* input may have been waiting, as in xenconsoled */
}

size_t cons_dom_input(struct consoled *d, struct cons_dom *dom, const uint8_t *buf, size_t len)
{
	size_t room = sizeof(dom->inq) - dom->inq_len;

	if (len > room)
		len = room;
	memcpy(dom->inq + dom->inq_len, buf, len);
	dom->inq_len += len;
	cons_dom_push_input(d, dom);
	return len;
}

/* ---- console_io ---- */

static void cons_dom_io_stop(struct consoled *d, struct cons_dom *dom)
{
	if (dom->io.fd < 0)
		return;
	consoled_unwatch(d, dom->io.fd);
	cons_io_close(&dom->io);
}

static void cons_dom_finish(struct consoled *d, struct cons_dom *dom)
{
	if (dom->finished)
		return;
	if (dom->ring_up)
		cons_dom_drain_out(d, dom); /* the memory is still mapped: last words */
	cons_dom_ring_close(d, dom);
	dom->ring_dead = true; /* dead, not yet destroyed: no store event reconnects it */
	cons_dom_io_stop(d, dom);
	if (fdatasync(dom->log->fd) < 0)
		log_warn_rl("domain %u: flushing %s: %s", dom->domid, dom->log->path,
			    strerror(errno));
	dom->finished = true;
	log_info("domain %u (%s): dead, console log %s complete", dom->domid, dom->name,
		 dom->log->path);
	cons_srv_kick(d, dom);
}

static void cons_dom_io_ready(struct consoled *d, struct cons_ev *ev, uint32_t events)
{
	static uint8_t buf[DYAD_CTL_READ_MAX];
	struct cons_dom *dom = cons_container_of(ev, struct cons_dom, io_ev);
	size_t n = 0;
	int rc = cons_io_receive(&dom->io, buf, sizeof(buf), &n);

	if (rc == -EAGAIN)
		return;
	if (rc == 0 && n) {
		cons_dom_log(d, dom, buf, n);
		cons_dom_state_save(d, dom);
	}
	if (rc == 0 && !dom->io.eof)
		rc = cons_io_request(&dom->io);
	if (rc && rc != -ECONNRESET)
		log_warn_rl("domain %u: console_io stream: %s", dom->domid, strerror(-rc));
	if (rc || dom->io.eof) {
		cons_dom_io_stop(d, dom);
		/* EOF: the domain is dead (shut down, crashed, destroyed); it prints no more. */
		if (dom->io.eof || dom->gone)
			cons_dom_finish(d, dom);
	}
}

/* ---- the log, shared by name (see struct cons_log_ref) ---- */

static int cons_dom_log_get(struct consoled *d, const char *name, struct cons_log **out)
{
	struct cons_log_ref *r;
	int rc;

	for (r = d->logs; r && strcmp(r->name, name); r = r->next)
		;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		rc = cons_log_open(&r->log, d->logdir, name, d->log_cap);
		if (rc) {
			free(r);
			return rc;
		}
		snprintf(r->name, sizeof(r->name), "%s", name);
		r->next = d->logs;
		d->logs = r;
	}
	r->refs++;
	*out = &r->log;
	return 0;
}

static void cons_dom_log_put(struct consoled *d, struct cons_log *log)
{
	struct cons_log_ref *r = cons_container_of(log, struct cons_log_ref, log), **pp;

	if (--r->refs)
		return;
	for (pp = &d->logs; *pp && *pp != r; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = r->next;
	cons_log_close(&r->log);
	free(r);
}

/* ---- lifecycle ---- */

static int cons_dom_start_io(struct consoled *d, struct cons_dom *dom, uint64_t offset)
{
	int rc = cons_io_open(&dom->io, d->rundir, dom->domid, offset);

	if (!rc)
		rc = cons_io_request(&dom->io);
	if (!rc)
		rc = consoled_watch(d, dom->io.fd, EPOLLIN, &dom->io_ev);
	if (rc)
		cons_io_close(&dom->io);
	return rc;
}

int cons_dom_new(struct consoled *d, uint32_t domid, const char *name, const uint8_t uuid[16],
		 struct cons_dom **out)
{
	struct cons_dom *dom = calloc(1, sizeof(*dom));
	struct cons_dom_state st = {0};
	bool resumed;
	int rc;

	if (!dom)
		return -ENOMEM;
	dom->domid = domid;
	dom->io.fd = -1;
	dom->io_ev.fn = cons_dom_io_ready;
	dom->timer_ev.fn = cons_dom_timer;
	snprintf(dom->name, sizeof(dom->name), "%s", name);
	memcpy(dom->uuid, uuid, sizeof(dom->uuid));
	rc = cons_dom_log_get(d, dom->name, &dom->log);
	if (rc) {
		free(dom);
		return rc;
	}
	resumed = cons_dom_state_load(d, domid, uuid, &st);
	dom->start = resumed && st.dom_bytes <= dom->log->end ? dom->log->end - st.dom_bytes
							      : dom->log->end;
	dom->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	rc = dom->timer_fd < 0 ? -errno : consoled_watch(d, dom->timer_fd, EPOLLIN, &dom->timer_ev);
	if (!rc)
		rc = cons_dom_start_io(d, dom, resumed ? st.io_next : 0);
	if (rc) {
		if (dom->timer_fd >= 0)
			close(dom->timer_fd);
		cons_dom_log_put(d, dom->log);
		free(dom);
		return rc;
	}
	log_info("domain %u (%s): console log %s%s", domid, dom->name, dom->log->path,
		 resumed ? " (resumed)" : "");
	dom->next = d->doms;
	d->doms = dom;
	*out = dom;
	return 0;
}

/* Wake the loop when a gone domain may be reaped. */
static void cons_dom_linger(struct cons_dom *dom)
{
	struct itimerspec its = {.it_value = {.tv_sec = CONS_DOM_LINGER_MS / 1000,
					      .tv_nsec = (CONS_DOM_LINGER_MS % 1000) * 1000000L}};

	dom->gone_ms = consoled_now_ms();
	if (timerfd_settime(dom->timer_fd, 0, &its, NULL) < 0)
		log_warn_rl("domain %u: timerfd: %s", dom->domid, strerror(errno));
}

void cons_dom_release(struct consoled *d, struct cons_dom *dom)
{
	if (dom->gone)
		return;
	dom->gone = true;
	cons_dom_linger(dom);
	if (dom->io.fd < 0)
		cons_dom_finish(d, dom);
	/* else: the core answers the parked read with EOF, then we finish */
}

void cons_dom_core_lost(struct consoled *d, struct cons_dom *dom)
{
	dom->gone = true;
	cons_dom_linger(dom);
	cons_dom_io_stop(d, dom);
	cons_dom_finish(d, dom);
}

void cons_dom_free(struct consoled *d, struct cons_dom *dom)
{
	struct cons_dom **pp;

	cons_dom_ring_close(d, dom);
	cons_dom_io_stop(d, dom);
	for (pp = &d->doms; *pp && *pp != dom; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = dom->next;
	consoled_unwatch(d, dom->timer_fd);
	close(dom->timer_fd);
	cons_dom_log_put(d, dom->log);
	free(dom);
}

bool cons_dom_reap(struct consoled *d, struct cons_dom *dom)
{
	struct cons_dom_state st;
	char path[PATH_MAX];

	if (!dom->finished || !dom->gone || dom->clients ||
	    consoled_now_ms() - dom->gone_ms < CONS_DOM_LINGER_MS)
		return false;
	/* Only ours: a new domain may already have this domid (a restarted core). */
	if (cons_dom_state_load(d, dom->domid, dom->uuid, &st)) {
		cons_dom_state_path(d, dom->domid, path, sizeof(path));
		unlink(path);
	}
	cons_dom_free(d, dom);
	return true;
}
