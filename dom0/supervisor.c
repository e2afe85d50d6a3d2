/*
 * dyad-dom0: the control domain's supervisor (xencommons plus the part of
 * xl that waits for a domain's death, in one process).
 *
 *   dyad-dom0 [--rundir DIR] [--foreground]
 *
 * Start-up, in order: resolve the run directory, take RUNDIR/dom0.lock (a
 * second supervisor for the same directory exits 0 at once), write the pid
 * file, stop a store or console daemon an earlier supervisor left running
 * (a core it left is adopted), then start the services - dyad-store, the
 * core (dyad-hv), dyad-consoled, in that order - and subscribe to the core's events.
 * After that everything happens in one poll loop: a signalfd for SIGCHLD
 * (reap, restart with backoff) and SIGTERM/SIGINT (stop the services in
 * reverse order and exit 0), the core's event stream (apply
 * on_poweroff/on_reboot/on_crash), and timers for due restarts,
 * reconnections and domain restarts that had to wait (policy_tick).  Nothing runs in a signal
 * handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_link.h"
#include "ipc.h"
#include "log.h"
#include "policy.h"
#include "proc.h"
#include "rundir.h"

struct supervisor {
	bool foreground;
	int lock_fd;
	int signal_fd;
	int ready_fd; /* daemonizing: tells the parent we are up */
	char pidfile[PATH_MAX];
	struct proc_table procs;
	struct proc *core;
	time_t core_started;
	unsigned int core_generation;
	struct core_link link;
	struct policy policy;
};

static void supervisor_usage(FILE *out)
{
	fprintf(out, "usage: dyad-dom0 [--rundir DIR] [--foreground]\n"
		     "  Supervise Dyad's control-domain services for run directory DIR\n"
		     "  (default $DYAD_RUNDIR, else " RUNDIR_DEFAULT ").\n");
}

static int supervisor_args(struct supervisor *s, int argc, char **argv)
{
	static const struct option opts[] = {{"rundir", required_argument, NULL, 'r'},
					     {"foreground", no_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "r:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (setenv("DYAD_RUNDIR", optarg, 1) < 0)
				return -errno;
			break;
		case 'f':
			s->foreground = true;
			break;
		case 'h':
			supervisor_usage(stdout);
			exit(0);
		default:
			supervisor_usage(stderr);
			return -EINVAL;
		}
	}
	return optind == argc ? 0 : -EINVAL;
}

/* Create the run directory and pin it as an absolute path for children. */
static int supervisor_rundir(void)
{
	char abs[PATH_MAX], sock[108];
	int rc = rundir_ensure();

	if (rc) {
		log_err("cannot create run directory %s: %s", rundir_path(), strerror(-rc));
		return rc;
	}
	if (!realpath(rundir_path(), abs) || setenv("DYAD_RUNDIR", abs, 1) < 0)
		return -errno;
	rc = rundir_file("hv.sock", sock, sizeof(sock));
	if (rc)
		log_err("run directory %s is too long for a socket path", abs);
	return rc;
}

/* Our stdio goes to RUNDIR/dyad-dom0.log once we are a daemon. */
static int supervisor_redirect_stdio(void)
{
	char log[PATH_MAX];
	int fd, rc = rundir_file("dyad-dom0.log", log, sizeof(log));

	if (rc)
		return rc;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	return 0;
}

/*
 * Detach: the parent waits for one status byte from the child (0 = running,
 * 1 = another supervisor already runs, 2 = failed) and exits with it.
 */
static int supervisor_daemonize(struct supervisor *s)
{
	int p[2];
	char st = 2;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &st, 1) != 1)
			st = 2;
		if (st == 2)
			fprintf(stderr, "dyad-dom0: failed to start; see %s/dyad-dom0.log\n",
				rundir_path());
		_exit(st == 2 ? 1 : 0);
	}
	close(p[0]);
	s->ready_fd = p[1];
	setsid();
	return supervisor_redirect_stdio();
}

static void supervisor_ready(struct supervisor *s, char st)
{
	if (s->ready_fd < 0)
		return;
	if (write(s->ready_fd, &st, 1) != 1)
		log_warn("cannot report start-up to the parent: %s", strerror(errno));
	close(s->ready_fd);
	s->ready_fd = -1;
}

/* 0 with the lock held; 1 if another supervisor holds it; -errno. */
static int supervisor_lock(struct supervisor *s)
{
	char path[PATH_MAX];
	int rc = rundir_file("dom0.lock", path, sizeof(path));

	if (rc)
		return rc;
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0)
		return -errno;
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK ? 1 : -errno;
}

static int supervisor_write_pidfile(struct supervisor *s)
{
	FILE *f;
	int rc = rundir_file("dyad-dom0.pid", s->pidfile, sizeof(s->pidfile));

	if (rc)
		return rc;
	f = fopen(s->pidfile, "we");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) ? -errno : 0;
}

static int supervisor_signals(struct supervisor *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	s->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return s->signal_fd < 0 ? -errno : 0;
}

/*
 * A service run as `bindir/exe --rundir DIR`, logging to DIR/exe.log.  A
 * binary that is missing is not an error here: proc_start() logs "cannot
 * run ..." and retries with backoff, so the others start regardless.
 */
static int supervisor_add_service(struct supervisor *s, const char *exe_name, struct proc **out)
{
	char bindir[PATH_MAX], exe[PATH_MAX], log[PATH_MAX], dir[PATH_MAX], leaf[64];
	char opt[] = "--rundir";
	char *argv[] = {exe, opt, dir, NULL};
	int rc = rundir_bindir(bindir, sizeof(bindir));

	if (rc)
		return rc;
	if ((size_t)snprintf(dir, sizeof(dir), "%s", rundir_path()) >= sizeof(dir) ||
	    (size_t)snprintf(exe, sizeof(exe), "%s/%s", bindir, exe_name) >= sizeof(exe) ||
	    (size_t)snprintf(leaf, sizeof(leaf), "%s.log", exe_name) >= sizeof(leaf))
		return -ENAMETOOLONG;
	rc = rundir_file(leaf, log, sizeof(log));
	if (rc)
		return rc;
	if (access(exe, X_OK) < 0)
		log_warn("%s is not there (%s); starting the other services without it", exe,
			 strerror(errno));
	return proc_add(&s->procs, exe_name, argv, log, NULL, PROC_RESTART_ALWAYS, out);
}

/*
 * In start order (stopped in reverse): the store (it writes its own
 * dyad-store.pid), the core (dyad-hv.pid once it serves hv.sock), then the
 * console daemon, which finds domains through the store, reads console_io
 * from the core, and retries both connections while they come up.
 */
static int supervisor_add_services(struct supervisor *s)
{
	struct proc *p;
	int rc = supervisor_add_service(s, "dyad-store", &p);

	if (!rc)
		rc = supervisor_add_service(s, "dyad-hv", &s->core);
	if (!rc)
		rc = supervisor_add_service(s, "dyad-consoled", &p);
	return rc;
}

/* Is pid a dyad-hv (its program, or the script an interpreter runs)? */
static bool supervisor_is_core(int pid)
{
	char path[64], cmd[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	f = pid > 0 ? fopen(path, "re") : NULL;
	if (!f)
		return false;
	n = fread(cmd, 1, sizeof(cmd) - 1, f);
	fclose(f);
	cmd[n] = '\0';
	for (const char *arg = cmd; arg < cmd + n && arg - cmd < 2 * 256; arg += strlen(arg) + 1) {
		const char *base = strrchr(arg, '/');

		if (strcmp(base ? base + 1 : arg, "dyad-hv") == 0)
			return true;
		if (arg != cmd)
			break; /* argv[0], or argv[1] after an interpreter */
	}
	return false;
}

/* The pid in RUNDIR/leaf, or 0. */
static int supervisor_read_pid(const char *leaf)
{
	char path[PATH_MAX];
	int pid = 0;
	FILE *f;

	if (rundir_file(leaf, path, sizeof(path)) || !(f = fopen(path, "re")))
		return 0;
	if (fscanf(f, "%d", &pid) != 1 || pid < 0)
		pid = 0;
	fclose(f);
	return pid;
}

/*
 * The store and the console daemon of a supervisor that was killed
 * outright run on unsupervised: stop them before starting ours (the store
 * comes back from its journal; a second console daemon would find its lock
 * taken).  Found by their pid files (dyad-consoled keeps its pid in its
 * lock file) and checked against /proc/PID/cmdline.
 */
static void supervisor_stop_orphans(void)
{
	static const char *const svc[][2] = {{"dyad-store", "dyad-store.pid"},
					     {"dyad-consoled", "dyad-consoled.lock"}};

	for (size_t i = 0; i < sizeof(svc) / sizeof(svc[0]); i++) {
		int pid = supervisor_read_pid(svc[i][1]);
		int rc = pid ? proc_kill_orphan(pid, svc[i][0], rundir_path()) : 0;

		if (rc < 0)
			log_warn("cannot stop the earlier %s (pid %d): %s", svc[i][0], pid,
				 strerror(-rc));
	}
}

/*
 * A core left running by a supervisor that was killed outright still owns
 * hv.sock; starting a second one would orphan its domains.  Adopt it.
 */
static bool supervisor_adopt_core(struct supervisor *s, uint64_t now)
{
	char path[PATH_MAX];
	int fd, pid;

	if (rundir_file("hv.sock", path, sizeof(path)) || ipc_connect(path, &fd))
		return false;
	close(fd);
	pid = supervisor_read_pid("dyad-hv.pid");
	(void)!rundir_file("dyad-hv.pid", path, sizeof(path));
	if (!supervisor_is_core(pid)) {
		log_warn("hv.sock answers but %s names no running dyad-hv; starting a new core",
			 path);
		return false;
	}
	return proc_adopt(s->core, pid, now) == 0;
}

static void supervisor_start_services(struct supervisor *s)
{
	uint64_t now;
	bool adopted;

	supervisor_stop_orphans();
	now = proc_now_ms();
	adopted = supervisor_adopt_core(s, now);

	for (unsigned int i = 0; i < s->procs.n; i++)
		if (!adopted || &s->procs.procs[i] != s->core)
			(void)!proc_start(&s->procs.procs[i], now);
}

/* Read the signalfd; false once we were asked to stop. */
static bool supervisor_signal(struct supervisor *s)
{
	struct signalfd_siginfo si;
	bool run = true;

	while (read(s->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			proc_reap(&s->procs, proc_now_ms());
		} else if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: nothing to reload");
		} else {
			log_info("%s: stopping", strsignal((int)si.ssi_signo));
			run = false;
		}
	}
	return run;
}

static int supervisor_min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* The core was (re)started since the link connected: note its start time. */
static void supervisor_track_core(struct supervisor *s, uint64_t now)
{
	if (s->core->generation == s->core_generation)
		return;
	s->core_generation = s->core->generation;
	s->core_started = time(NULL);
	core_link_down(&s->link, now);
}

static bool supervisor_iterate(struct supervisor *s)
{
	struct pollfd pfd[3];
	uint64_t now = proc_now_ms();
	int running = s->core->state == PROC_STATE_RUNNING, n = 0, timeout;
	bool run = true;

	timeout = supervisor_min_timeout(proc_timeout_ms(&s->procs, now),
					 core_link_timeout_ms(&s->link, running, now));
	if (running)
		timeout = supervisor_min_timeout(timeout, policy_timeout_ms(&s->policy, now));
	pfd[n++] = (struct pollfd){.fd = s->signal_fd, .events = POLLIN};
	pfd[n++] = (struct pollfd){.fd = core_link_fd(&s->link), .events = POLLIN};
	pfd[n++] = (struct pollfd){.fd = s->core->pidfd, .events = POLLIN};
	if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) {
		log_err("poll: %s", strerror(errno));
		return false;
	}
	now = proc_now_ms();
	if (pfd[0].revents)
		run = supervisor_signal(s);
	if (pfd[2].revents && s->core->pidfd >= 0)
		proc_adopted_exited(&s->procs, s->core, now);
	if (!run)
		return false;
	if (pfd[1].revents && s->link.events)
		core_link_drain(&s->link, &s->policy, now);
	if (s->core->state != PROC_STATE_RUNNING)
		core_link_down(&s->link, now);
	proc_tick(&s->procs, now);
	supervisor_track_core(s, now);
	core_link_tick(&s->link, &s->policy, s->core->state == PROC_STATE_RUNNING, s->core_started,
		       now);
	if (s->core->state == PROC_STATE_RUNNING)
		policy_tick(&s->policy, now); /* restarts that had to wait */
	return true;
}

static int supervisor_setup(struct supervisor *s)
{
	int rc = supervisor_lock(s);

	if (rc == 1) {
		log_info("another dyad-dom0 already supervises %s; exiting", rundir_path());
		supervisor_ready(s, 1);
		exit(0);
	}
	if (rc) {
		log_err("cannot take %s/dom0.lock: %s", rundir_path(), strerror(-rc));
		return rc;
	}
	rc = supervisor_write_pidfile(s);
	if (rc)
		log_warn("cannot write %s: %s", s->pidfile, strerror(-rc));
	rc = supervisor_signals(s);
	if (rc) {
		log_err("cannot set up signal handling: %s", strerror(-rc));
		return rc;
	}
	rc = supervisor_add_services(s);
	if (rc)
		log_err("cannot set up the services' process entries: %s", strerror(-rc));
	return rc;
}

static void supervisor_teardown(struct supervisor *s)
{
	core_link_fini(&s->link);
	proc_stop_all(&s->procs);
	/* The core destroys its domains when it stops: their records go too. */
	core_link_drop_records();
	proc_table_fini(&s->procs);
	if (s->pidfile[0])
		unlink(s->pidfile);
	if (s->signal_fd >= 0)
		close(s->signal_fd);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	log_info("stopped");
}

int main(int argc, char **argv)
{
	static struct supervisor s = {.lock_fd = -1, .signal_fd = -1, .ready_fd = -1};
	int rc;

	log_init("dyad-dom0", LOG_LEVEL_INFO);
	proc_table_init(&s.procs);
	core_link_init(&s.link);
	if (supervisor_args(&s, argc, argv) || supervisor_rundir())
		return 2;
	if (!s.foreground && supervisor_daemonize(&s) < 0)
		return 1;
	rc = supervisor_setup(&s);
	if (rc) {
		supervisor_ready(&s, 2);
		return 1;
	}
	log_info("supervising %s (pid %d)", rundir_path(), (int)getpid());
	supervisor_start_services(&s);
	supervisor_ready(&s, 0);
	while (supervisor_iterate(&s))
		;
	supervisor_teardown(&s);
	return 0;
}
