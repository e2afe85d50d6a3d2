/*
 * dyad-store: the configuration store daemon (xenstored).
 *
 *   dyad-store [--rundir DIR] [--journal FILE] [--fsync] [--quota NAME=N]...
 *
 * Start-up: replay RUNDIR/store.journal, compact it, listen on
 * RUNDIR/store.sock, write RUNDIR/dyad-store.pid.  Then one epoll loop:
 * handle every ready connection, make the batch of changes durable in the
 * journal, and only then write the replies and watch events.  SIGTERM and
 * SIGINT stop it cleanly; SIGKILL loses nothing that was answered.
 *
 * Guests' rings (store_guest.c) share the loop: their event channels, the
 * core's control socket and a retry timer are in the same epoll set.  Ring
 * connections have no descriptor: after every pass each connection whose
 * transport holds input is served (as Xen's xenstored checks every domain
 * in its main loop), until a pass handles nothing new or a bounded number
 * of passes ran (then epoll is polled without blocking, and the loop goes on).
 */
#include "store_core.h"
#include "store_guest.h"
#include "store_journal.h"
#include "store_sock.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct store_daemon {
	struct store_core core;
	struct store_guest guest;
	int epfd, lfd, sigfd;
	char rundir[PATH_MAX], sock[PATH_MAX], journal[PATH_MAX], pidfile[PATH_MAX];
	bool fsync_each;
	bool busy; /* the last commit stopped with requests left: poll, do not block */
};

/* Passes over the connections per commit before epoll is looked at again. */
#define STORE_MAIN_PASSES 8

static int store_main_args(struct store_daemon *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{"rundir", required_argument, NULL, 'r'}, {"journal", required_argument, NULL, 'j'},
		{"fsync", no_argument, NULL, 's'},	  {"quota", required_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0}};
	const char *dir = getenv("DYAD_RUNDIR");
	int c;

	d->journal[0] = '\0';
	while ((c = getopt_long(argc, argv, "r:j:sq:h", opts, NULL)) != -1) {
		if (c == 'r')
			dir = optarg;
		else if (c == 'j')
			snprintf(d->journal, sizeof(d->journal), "%s", optarg);
		else if (c == 's')
			d->fsync_each = true;
		else if (c == 'q' && store_quota_set(&d->core.quota, optarg) == 0)
			continue;
		else
			return c == 'h' ? 1 : -EINVAL;
	}
	if (!dir || !*dir)
		dir = "/run/dyad";
	snprintf(d->rundir, sizeof(d->rundir), "%s", dir);
	snprintf(d->sock, sizeof(d->sock), "%s/store.sock", dir);
	snprintf(d->pidfile, sizeof(d->pidfile), "%s/dyad-store.pid", dir);
	if (!d->journal[0])
		snprintf(d->journal, sizeof(d->journal), "%s/store.journal", dir);
	return optind == argc ? 0 : -EINVAL;
}

static int store_main_watch(struct store_daemon *d, int fd, void *ptr, uint32_t events, int op)
{
	struct epoll_event ev = {.events = events, .data.ptr = ptr};

	return epoll_ctl(d->epfd, op, fd, &ev) < 0 ? -errno : 0;
}

/*
 * One daemon per journal: a second one (say, started while an orphan of a
 * killed supervisor still runs) must not append to it.  The lock is on a
 * side file because compaction renames the journal.
 */
static int store_main_lock(struct store_daemon *d)
{
	char path[PATH_MAX + 8];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", d->journal);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		log_err("%s is held by another dyad-store", path);
		close(fd);
		return -EBUSY;
	}
	return 0; /* held until we exit */
}

static int store_main_setup(struct store_daemon *d)
{
	sigset_t set;
	FILE *f;
	int rc;

	rc = store_main_lock(d);
	if (!rc)
		rc = store_journal_open(d->journal, d->fsync_each, &d->core.journal);
	if (rc)
		return rc;
	{
		struct store_journal *j = d->core.journal;

		d->core.journal = NULL; /* replay does not re-journal */
		rc = store_journal_replay(j, &d->core);
		d->core.journal = j;
	}
	if (!rc)
		rc = store_journal_compact(d->core.journal, &d->core);
	if (rc)
		return rc;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->epfd < 0)
		return -errno;
	rc = store_sock_listen(d->sock, &d->lfd);
	if (!rc)
		rc = store_main_watch(d, d->lfd, &d->lfd, EPOLLIN, EPOLL_CTL_ADD);
	if (!rc)
		rc = store_main_watch(d, d->sigfd, &d->sigfd, EPOLLIN, EPOLL_CTL_ADD);
	if (!rc)
		rc = store_guest_init(&d->guest, &d->core, d->rundir, d->journal, d->fsync_each,
				      d->epfd);
	f = rc ? NULL : fopen(d->pidfile, "we");
	if (f) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	return rc;
}

static void store_main_accept(struct store_daemon *d)
{
	struct store_conn *conn;

	while ((conn = store_sock_accept(&d->core, d->lfd)))
		if (store_main_watch(d, conn->fd, conn, EPOLLIN, EPOLL_CTL_ADD))
			conn->dead = true;
}

/* Make the changes so far durable: the journal batch and the ring connections' watch files. */
static void store_main_durable(struct store_daemon *d)
{
	int rc;

	if (d->core.dirty) {
		rc = store_journal_flush(d->core.journal);
		if (rc) {
			/* Cannot promise durability: stop; the supervisor restarts us. */
			log_err("journal %s: %s; exiting", d->journal, strerror(-rc));
			exit(1);
		}
		d->core.dirty = false;
	}
	store_guest_persist(&d->guest);
}

/*
 * One pass: durable, then every reply out; with input, each connection
 * whose output is all written and that holds a request is served once.
 * True if a request was handled or a core event arrived.
 */
static bool store_main_pass(struct store_daemon *d, bool input)
{
	struct store_conn *conn, *next;
	uint64_t before = d->core.requests;

	store_main_durable(d);
	for (conn = d->core.conns; conn; conn = next) {
		next = conn->next;
		if (!store_conn_flush(conn) && !conn->dead) {
			/* A ring resumes on the guest's notification. */
			if (conn->fd >= 0)
				(void)!store_main_watch(d, conn->fd, conn, EPOLLIN | EPOLLOUT,
							EPOLL_CTL_MOD);
		} else if (input && store_conn_ready(conn)) {
			store_conn_input(conn);
		}
		if (conn->dead) {
			if (conn->fd >= 0)
				epoll_ctl(d->epfd, EPOLL_CTL_DEL, conn->fd, NULL);
			store_conn_free(conn);
		}
	}
	return d->core.requests != before || (input && store_guest_after_pass(&d->guest));
}

/*
 * Durable first, then visible: the journal batch, then every reply.  A
 * connection with buffered requests (it was stalled, or more arrived while
 * we answered, or its ring holds the next one) is served again, for at most
 * STORE_MAIN_PASSES passes: a guest that answers every reply with a new
 * request must not keep the loop from epoll (socket clients, accept, the
 * core's events, SIGTERM).  Work left over makes the next epoll_wait not
 * block (d->busy); the last pass only writes what the others queued.
 */
static void store_main_commit(struct store_daemon *d)
{
	unsigned int i = 0;

	while (i < STORE_MAIN_PASSES && store_main_pass(d, true))
		i++;
	d->busy = i == STORE_MAIN_PASSES;
	if (d->busy)
		(void)store_main_pass(d, false);
	if (store_journal_wants_compaction(d->core.journal) &&
	    store_journal_compact(d->core.journal, &d->core))
		log_warn("journal %s: compaction failed; continuing to append", d->journal);
}

static bool store_main_iterate(struct store_daemon *d)
{
	struct epoll_event evs[64];
	int n = epoll_wait(d->epfd, evs, 64, d->busy ? 0 : -1);

	if (n < 0 && errno != EINTR) {
		log_err("epoll_wait: %s", strerror(errno));
		return false;
	}
	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr == &d->sigfd)
			return false;
		if (evs[i].data.ptr == &d->lfd) {
			store_main_accept(d);
			continue;
		}
		if (store_guest_owns(&d->guest, evs[i].data.ptr)) {
			store_guest_handle(&d->guest, evs[i].data.ptr);
			continue;
		}
		if (evs[i].events & EPOLLOUT)
			(void)!store_main_watch(d, ((struct store_conn *)evs[i].data.ptr)->fd,
						evs[i].data.ptr, EPOLLIN, EPOLL_CTL_MOD);
		store_conn_input(evs[i].data.ptr);
	}
	store_main_commit(d);
	return true;
}

int main(int argc, char **argv)
{
	static struct store_daemon d = {.epfd = -1, .lfd = -1, .sigfd = -1};
	int rc;

	log_init("dyad-store", LOG_LEVEL_INFO);
	if (store_core_init(&d.core)) {
		log_err("out of memory");
		return 1;
	}
	rc = store_main_args(&d, argc, argv);
	if (rc) {
		fprintf(rc > 0 ? stdout : stderr,
			"usage: dyad-store [--rundir DIR] [--journal FILE] [--fsync] "
			"[--quota NAME=N]...\n");
		return rc > 0 ? 0 : 2;
	}
	rc = store_main_setup(&d);
	if (rc) {
		log_err("cannot start (%s, %s): %s", d.sock, d.journal, strerror(-rc));
		return 1;
	}
	log_info("serving %s (journal %s, fsync %s)", d.sock, d.journal,
		 d.fsync_each ? "each batch" : "off");
	while (store_main_iterate(&d))
		;
	store_main_commit(&d);
	log_info("stopping");
	unlink(d.pidfile);
	unlink(d.sock);
	store_guest_fini(&d.guest);
	store_journal_close(d.core.journal);
	d.core.journal = NULL;
	store_core_fini(&d.core);
	return 0;
}
