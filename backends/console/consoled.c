/*
 * dyad-consoled: the console backend (Xen's xenconsoled) for every domain.
 *
 *   dyad-consoled [--rundir DIR] [--log-cap BYTES] [--rate BYTES/MS] [-v]
 *
 * Start-up: take RUNDIR/dyad-consoled.lock (one daemon per run directory:
 * binding console.sock unlinks the old socket, so a second daemon would cut
 * the first one's clients off; the lock file holds our pid, for dyad-dom0),
 * listen on RUNDIR/console.sock, then one epoll loop.  The core
 * (RUNDIR/hv.sock) and the store (RUNDIR/store.sock) may come and go: while
 * either is down a 500 ms timer retries it quietly (one log line per
 * outage).  From the core: the domain list at connection, CREATED and
 * DESTROYED events, each domain's console_io, memory and event channels.
 * From the store: @introduceDomain and @releaseDomain watches, after
 * which every domain without a ring looks for console/{ring-ref,port}.
 * SIGTERM/SIGINT: tell clients, flush every log, exit 0.
 */
#include "consoled.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"
#include "evtchn.h"
#include "log.h"
#include "store_client.h"

#define CONSOLED_RETRY_MS     500u
#define CONSOLED_RATE_BYTES   32768u /* ring bytes per window: 320 KB/s */
#define CONSOLED_RATE_MS      100u
#define CONSOLED_TOKEN_INTRO  "consoled-intro"
#define CONSOLED_TOKEN_RELEAS "consoled-release"

int consoled_watch(struct consoled *d, int fd, uint32_t events, struct cons_ev *ev)
{
	struct epoll_event e = {.events = events, .data.ptr = ev};

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &e) < 0 ? -errno : 0;
}

int consoled_rewatch(struct consoled *d, int fd, uint32_t events, struct cons_ev *ev)
{
	struct epoll_event e = {.events = events, .data.ptr = ev};

	return epoll_ctl(d->epfd, EPOLL_CTL_MOD, fd, &e) < 0 ? -errno : 0;
}

void consoled_unwatch(struct consoled *d, int fd)
{
	if (fd >= 0)
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
}

uint64_t consoled_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void consoled_retry_arm(struct consoled *d)
{
	struct itimerspec its = {
		.it_interval = {.tv_nsec = CONSOLED_RETRY_MS * 1000000L},
		.it_value = {.tv_nsec = CONSOLED_RETRY_MS * 1000000L},
	};

	if (d->ctl && d->store)
		its = (struct itimerspec){0};
	if (timerfd_settime(d->retry_fd, 0, &its, NULL) < 0)
		log_warn("retry timer: %s", strerror(errno));
}

static int consoled_core_connect(struct consoled *d);

/* ---- domains ---- */

static struct cons_dom *consoled_lookup(struct consoled *d, uint32_t domid, bool live)
{
	struct cons_dom *any = NULL;

	for (struct cons_dom *dom = d->doms; dom; dom = dom->next) {
		if (dom->domid != domid)
			continue;
		if (!dom->gone)
			return dom;
		any = dom;
	}
	return live ? NULL : any;
}

static struct cons_dom *consoled_adopt(struct consoled *d, uint32_t domid, const char *name,
				       const uint8_t uuid[16])
{
	struct cons_dom *dom = consoled_lookup(d, domid, true);
	int rc;

	if (dom)
		return dom;
	rc = cons_dom_new(d, domid, name, uuid, &dom);
	if (rc) {
		log_warn_rl("domain %u (%s): cannot serve its console: %s", domid, name,
			    strerror(-rc));
		return NULL;
	}
	cons_dom_try_ring(d, dom);
	return dom;
}

struct cons_dom *consoled_find(struct consoled *d, uint32_t domid, bool adopt)
{
	struct cons_dom *dom = consoled_lookup(d, domid, true);
	struct dyad_ctl_dominfo info;

	if (dom || !adopt)
		return dom ? dom : consoled_lookup(d, domid, false);
	if (!d->ctl && consoled_core_connect(d) == 0) { /* a client may beat our retry timer */
		consoled_retry_arm(d);
		dom = consoled_lookup(d, domid, true);
	}
	if (dom)
		return dom;
	if (d->ctl && ctl_info(d->ctl, domid, &info) == 0 &&
	    info.state != DYAD_DOMAIN_STATE_DYING) {
		info.name[sizeof(info.name) - 1] = '\0';
		return consoled_adopt(d, domid, info.name, info.uuid);
	}
	return consoled_lookup(d, domid, false); /* a finished one still being read */
}

static void consoled_try_rings(struct consoled *d)
{
	for (struct cons_dom *dom = d->doms; dom; dom = dom->next)
		cons_dom_try_ring(d, dom);
}

/* ---- the core ---- */

static void consoled_core_lost(struct consoled *d)
{
	log_warn("lost the core (hv.sock): every domain ended; retrying");
	for (struct cons_dom *dom = d->doms; dom; dom = dom->next)
		cons_dom_core_lost(d, dom);
	consoled_unwatch(d, evtchn_fd(d->evh));
	consoled_unwatch(d, ctl_client_fd(d->ctl));
	evtchn_close(d->evh);
	ctl_client_close(d->ctl);
	d->evh = NULL;
	d->ctl = NULL;
	d->core_warned = true;
	consoled_retry_arm(d);
}

static void consoled_core_event(struct consoled *d, const struct dyad_ctl_event *ev)
{
	struct cons_dom *dom;

	if (ev->kind == DYAD_EVENT_CREATED) {
		consoled_adopt(d, ev->domid, ev->name, ev->uuid);
	} else if (ev->kind == DYAD_EVENT_DESTROYED) {
		dom = consoled_lookup(d, ev->domid, true);
		if (dom)
			cons_dom_release(d, dom);
	}
}

/* Every queued or waiting core event (events also queue during our calls). */
static void consoled_core_drain(struct consoled *d)
{
	struct dyad_ctl_event ev;
	int rc;

	while (d->ctl && (rc = ctl_next_event(d->ctl, &ev)) != -EAGAIN) {
		if (rc) {
			consoled_core_lost(d);
			return;
		}
		consoled_core_event(d, &ev);
	}
}

static void consoled_core_ready(struct consoled *d, struct cons_ev *ev, uint32_t events)
{
	consoled_core_drain(d);
}

static void consoled_evtchn_ready(struct consoled *d, struct cons_ev *ev, uint32_t events)
{
	uint32_t local;
	int rc;

	while (d->evh && (rc = evtchn_pending(d->evh, &local)) != -EAGAIN) {
		struct cons_dom *dom = d->doms;

		while (dom && !(dom->ring_up && dom->local == local))
			dom = dom->next;
		if (rc == 0 && dom)
			cons_dom_ring_event(d, dom);
		if (rc == -EPIPE && dom)
			cons_dom_ring_lost(d, dom); /* the guest closed it or died */
		if (rc == 0 && dom && dom->ring_up && evtchn_unmask(d->evh, local))
			log_warn_rl("domain %u: unmask failed", dom->domid);
		if (rc && rc != -EPIPE)
			break;
	}
}

static int consoled_core_adopt_all(struct consoled *d)
{
	struct dyad_ctl_dominfo *list = NULL;
	unsigned int n = 0;
	int rc = ctl_list(d->ctl, &list, &n);

	for (unsigned int i = 0; !rc && i < n; i++) {
		list[i].name[sizeof(list[i].name) - 1] = '\0';
		if (list[i].state != DYAD_DOMAIN_STATE_DYING)
			consoled_adopt(d, list[i].domid, list[i].name, list[i].uuid);
	}
	free(list);
	return rc;
}

static int consoled_core_connect(struct consoled *d)
{
	int rc = ctl_client_open(d->rundir, &d->ctl);

	if (rc)
		return rc;
	rc = ctl_subscribe(d->ctl);
	if (!rc)
		rc = evtchn_open(d->ctl, &d->evh);
	if (!rc && fcntl(ctl_client_fd(d->ctl), F_SETFL, O_NONBLOCK) < 0)
		rc = -errno;
	d->ctl_ev.fn = consoled_core_ready;
	d->evh_ev.fn = consoled_evtchn_ready;
	if (!rc)
		rc = consoled_watch(d, ctl_client_fd(d->ctl), EPOLLIN, &d->ctl_ev);
	if (!rc)
		rc = consoled_watch(d, evtchn_fd(d->evh), EPOLLIN, &d->evh_ev);
	if (!rc)
		rc = consoled_core_adopt_all(d);
	if (rc) {
		consoled_unwatch(d, ctl_client_fd(d->ctl));
		if (d->evh)
			consoled_unwatch(d, evtchn_fd(d->evh));
		evtchn_close(d->evh);
		ctl_client_close(d->ctl);
		d->evh = NULL;
		d->ctl = NULL;
		return rc;
	}
	log_info("connected to the core");
	d->core_warned = false;
	return 0;
}

/* ---- the store ---- */

static void consoled_store_drop(struct consoled *d)
{
	if (d->store_watch)
		consoled_unwatch(d, store_client_fd(d->store_watch));
	store_client_close(d->store_watch);
	store_client_close(d->store);
	d->store_watch = d->store = NULL;
}

static void consoled_store_ready(struct consoled *d, struct cons_ev *ev, uint32_t events)
{
	const char *path, *token;
	char *buf = NULL;
	int rc = store_client_next_event(d->store_watch, &buf, &path, &token);

	if (rc) {
		log_warn("lost the store (store.sock): %s; retrying", strerror(-rc));
		consoled_store_drop(d);
		d->store_warned = true;
		consoled_retry_arm(d);
		return;
	}
	if (strcmp(token, CONSOLED_TOKEN_RELEAS) == 0) {
		/* A domain may be gone: the core's word decides. */
		for (struct cons_dom *dom = d->doms; d->ctl && dom; dom = dom->next) {
			struct dyad_ctl_dominfo info;

			if (!dom->gone && ctl_info(d->ctl, dom->domid, &info) == -ESRCH)
				cons_dom_release(d, dom);
		}
	}
	free(buf);
	consoled_try_rings(d);
}

static int consoled_store_connect(struct consoled *d)
{
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/store.sock", d->rundir);
	rc = store_client_open(path, &d->store_watch);
	if (!rc)
		rc = store_client_open(path, &d->store);
	if (!rc)
		rc = store_client_watch(d->store_watch, "@introduceDomain", CONSOLED_TOKEN_INTRO);
	if (!rc)
		rc = store_client_watch(d->store_watch, "@releaseDomain", CONSOLED_TOKEN_RELEAS);
	d->store_ev.fn = consoled_store_ready;
	if (!rc)
		rc = consoled_watch(d, store_client_fd(d->store_watch), EPOLLIN, &d->store_ev);
	if (rc) {
		store_client_close(d->store_watch);
		store_client_close(d->store);
		d->store_watch = d->store = NULL;
		return rc;
	}
	log_info("connected to the store");
	d->store_warned = false;
	consoled_try_rings(d);
	return 0;
}

/* ---- retry, signals, loop ---- */

static void consoled_connect(struct consoled *d)
{
	int rc;

	if (!d->ctl && (rc = consoled_core_connect(d)) && !d->core_warned) {
		log_info("core not reachable yet (%s); retrying", strerror(-rc));
		d->core_warned = true;
	}
	if (!d->store && (rc = consoled_store_connect(d)) && !d->store_warned) {
		log_info("store not reachable yet (%s); retrying", strerror(-rc));
		d->store_warned = true;
	}
	consoled_retry_arm(d);
}

static void consoled_retry(struct consoled *d, struct cons_ev *ev, uint32_t events)
{
	uint64_t ticks;

	if (read(d->retry_fd, &ticks, sizeof(ticks)) < 0)
		return;
	consoled_connect(d);
}

static void consoled_signal(struct consoled *d, struct cons_ev *ev, uint32_t events)
{
	d->stop = true;
}

static void consoled_reap(struct consoled *d)
{
	struct cons_dom *dom = d->doms, *next;

	for (; dom; dom = next) {
		next = dom->next;
		cons_dom_reap(d, dom);
	}
}

static int consoled_loop(struct consoled *d)
{
	struct epoll_event evs[32];

	while (!d->stop) {
		int n = epoll_wait(d->epfd, evs, 32, -1);

		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n && !d->stop; i++) {
			struct cons_ev *ev = evs[i].data.ptr;

			ev->fn(d, ev, evs[i].events);
		}
		consoled_core_drain(d);
		cons_srv_reap(d); /* clients first: a dead one still counts in dom->clients */
		consoled_reap(d);
	}
	return 0;
}

static void consoled_fini(struct consoled *d)
{
	cons_srv_fini(d);
	for (struct cons_dom *dom = d->doms; dom; dom = dom->next) {
		dom->gone = true;
		if (fdatasync(dom->log->fd) < 0)
			log_debug("flush %s: %s", dom->log->path, strerror(errno));
	}
	/* The state files stay: a restarted daemon resumes each domain's log. */
	while (d->doms)
		cons_dom_free(d, d->doms);
	consoled_store_drop(d);
	evtchn_close(d->evh);
	ctl_client_close(d->ctl);
}

static int consoled_args(struct consoled *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{"rundir", required_argument, NULL, 'r'}, {"log-cap", required_argument, NULL, 'c'},
		{"rate", required_argument, NULL, 'R'},	  {"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0}};
	const char *dir = getenv("DYAD_RUNDIR");
	unsigned long long v;
	unsigned int b, ms;
	int c, n;

	d->log_cap = CONS_LOG_CAP_DEFAULT;
	d->rate = (struct cons_rate){CONSOLED_RATE_BYTES, CONSOLED_RATE_MS};
	while ((c = getopt_long(argc, argv, "r:c:R:vh", opts, NULL)) != -1) {
		if (c == 'r') {
			dir = optarg;
		} else if (c == 'c' && sscanf(optarg, "%llu%n", &v, &n) == 1 && !optarg[n] &&
			   v >= CONS_LOG_CAP_MIN) {
			d->log_cap = v;
		} else if (c == 'R' && sscanf(optarg, "%u/%u%n", &b, &ms, &n) == 2 && !optarg[n] &&
			   b >= 1024 && ms >= 1 && ms <= 60000) {
			d->rate = (struct cons_rate){b, ms};
		} else if (c == 'v') {
			log_init("dyad-consoled", LOG_LEVEL_DEBUG);
		} else {
			return c == 'h' ? 1 : -EINVAL;
		}
	}
	if (optind < argc)
		return -EINVAL;
	n = snprintf(d->rundir, sizeof(d->rundir), "%s", dir && *dir ? dir : "/run/dyad");
	if (n < 0 || (size_t)n >= sizeof(d->rundir) - 16)
		return -ENAMETOOLONG;
	snprintf(d->logdir, sizeof(d->logdir), "%s/console", d->rundir);
	return 0;
}

static int consoled_init(struct consoled *d)
{
	sigset_t set;
	int rc;

	if (mkdir(d->logdir, 0700) < 0 && errno != EEXIST)
		return -errno;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->retry_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->epfd < 0 || d->retry_fd < 0 || d->sig_fd < 0)
		return -errno;
	d->retry_ev.fn = consoled_retry;
	d->sig_ev.fn = consoled_signal;
	rc = consoled_watch(d, d->sig_fd, EPOLLIN, &d->sig_ev);
	if (!rc)
		rc = consoled_watch(d, d->retry_fd, EPOLLIN, &d->retry_ev);
	if (rc)
		return rc;
	return cons_srv_init(d);
}

/*
 * An exclusive flock on RUNDIR/dyad-consoled.lock, held (fd left open) for
 * the daemon's life; the kernel drops it however we die.  -EBUSY if another
 * daemon holds it.
 */
static int consoled_lock(const char *rundir, int *out)
{
	char path[PATH_MAX + 32], pid[16];
	int fd, n;

	snprintf(path, sizeof(path), "%s/dyad-consoled.lock", rundir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		n = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return n;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		log_warn("cannot write our pid to %s: %s", path, strerror(errno));
	*out = fd;
	return 0;
}

int main(int argc, char **argv)
{
	static struct consoled d = {.epfd = -1, .retry_fd = -1, .sig_fd = -1, .lfd = -1};
	int rc, lock_fd = -1;

	log_init("dyad-consoled", LOG_LEVEL_INFO);
	rc = consoled_args(&d, argc, argv);
	if (rc) {
		fprintf(rc > 0 ? stdout : stderr,
			"Usage: dyad-consoled [--rundir DIR] [--log-cap BYTES] [--rate BYTES/MS] "
			"[-v]\n");
		return rc > 0 ? 0 : 2;
	}
	rc = consoled_lock(d.rundir, &lock_fd);
	if (rc) {
		if (rc == -EBUSY)
			log_err("another dyad-consoled already serves %s (it holds "
				"%s/dyad-consoled.lock); exiting",
				d.rundir, d.rundir);
		else
			log_err("cannot take %s/dyad-consoled.lock: %s", d.rundir, strerror(-rc));
		return 1;
	}
	rc = consoled_init(&d);
	if (rc) {
		log_err("start-up in %s: %s", d.rundir, strerror(-rc));
		return 1;
	}
	log_info("serving consoles: logs in %s (cap %" PRIu64 " bytes x 2), %u bytes per %u ms",
		 d.logdir, d.log_cap, d.rate.bytes, d.rate.ms);
	consoled_connect(&d);
	rc = consoled_loop(&d);
	log_info("stopping");
	consoled_fini(&d);
	close(lock_fd);
	return rc ? 1 : 0;
}
