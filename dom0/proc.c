/*
 * The supervisor's process table (see proc.h).
 *
 * Children run in their own process group with a clean signal mask, stdin
 * on /dev/null and stdout/stderr appended to their log, so a Ctrl-C aimed at
 * a foreground dyad-dom0 reaches only the supervisor, which then stops its
 * children in order.  Nothing here runs in a signal handler: the
 * supervisor's poll loop calls proc_reap() when its signalfd reports
 * SIGCHLD.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

uint64_t proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t proc_backoff_next(struct proc_backoff *b, uint64_t ran_ms)
{
	uint64_t delay = PROC_BACKOFF_MIN_MS;

	if (ran_ms >= PROC_STABLE_MS)
		b->failures = 0;
	if (b->failures < 32)
		b->failures++;
	for (unsigned int i = 1; i < b->failures && delay < PROC_BACKOFF_MAX_MS; i++)
		delay *= 2;
	return delay < PROC_BACKOFF_MAX_MS ? delay : PROC_BACKOFF_MAX_MS;
}

bool proc_should_restart(enum proc_restart r, int status)
{
	switch (r) {
	case PROC_RESTART_ALWAYS:
		return true;
	case PROC_RESTART_ON_FAILURE:
		return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	case PROC_RESTART_NEVER:
		break;
	}
	return false;
}

void proc_table_init(struct proc_table *t)
{
	memset(t, 0, sizeof(*t));
}

void proc_table_fini(struct proc_table *t)
{
	for (unsigned int i = 0; i < t->n; i++) {
		for (char **a = t->procs[i].argv; *a; a++)
			free(*a);
		if (t->procs[i].pidfd >= 0)
			close(t->procs[i].pidfd);
	}
	t->n = 0;
}

static int proc_copy_argv(struct proc *p, char *const argv[])
{
	unsigned int i;

	for (i = 0; argv[i]; i++) {
		if (i == PROC_ARGV_MAX)
			return -E2BIG;
		p->argv[i] = strdup(argv[i]);
		if (!p->argv[i])
			return -ENOMEM;
	}
	return i ? 0 : -EINVAL;
}

int proc_add(struct proc_table *t, const char *name, char *const argv[], const char *log,
	     const char *pidfile, enum proc_restart restart, struct proc **out)
{
	struct proc *p;
	int rc;

	if (t->n == PROC_MAX)
		return -ENOSPC;
	if (strlen(name) >= sizeof(p->name) || strlen(log) >= sizeof(p->log) ||
	    (pidfile && strlen(pidfile) >= sizeof(p->pidfile)))
		return -ENAMETOOLONG;
	p = &t->procs[t->n];
	memset(p, 0, sizeof(*p));
	p->pidfd = -1;
	rc = proc_copy_argv(p, argv);
	if (rc) {
		for (char **a = p->argv; *a; a++)
			free(*a);
		return rc;
	}
	strcpy(p->name, name);
	strcpy(p->log, log);
	strcpy(p->pidfile, pidfile ? pidfile : "");
	p->restart = restart;
	t->n++;
	*out = p;
	return 0;
}

struct proc *proc_find(struct proc_table *t, const char *name)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (strcmp(t->procs[i].name, name) == 0)
			return &t->procs[i];
	return NULL;
}

static void proc_write_pidfile(const struct proc *p)
{
	FILE *f;

	if (!p->pidfile[0])
		return;
	f = fopen(p->pidfile, "we");
	if (!f) {
		log_warn("%s: cannot write %s: %s", p->name, p->pidfile, strerror(errno));
		return;
	}
	fprintf(f, "%d\n", (int)p->pid);
	fclose(f);
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void proc_child(const struct proc *p)
{
	sigset_t none;
	int fd;

	/* Default dispositions first: a signal may arrive before the exec. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != STDIN_FILENO)
		dup2(fd, STDIN_FILENO);
	fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	for (int i = STDERR_FILENO + 1; i < 1024; i++)
		close(i);
	execv(p->argv[0], p->argv);
	dprintf(STDERR_FILENO, "dyad-dom0: cannot run %s: %s\n", p->argv[0], strerror(errno));
	_exit(127);
}

static void proc_schedule_restart(struct proc *p, uint64_t now)
{
	uint64_t ran = now > p->started_ms ? now - p->started_ms : 0;
	uint64_t delay = proc_backoff_next(&p->backoff, ran);

	p->state = PROC_STATE_BACKOFF;
	p->restart_at_ms = now + delay;
	log_info("%s: restarting in %llu ms (%u quick failure%s in a row)", p->name,
		 (unsigned long long)delay, p->backoff.failures,
		 p->backoff.failures == 1 ? "" : "s");
}

int proc_start(struct proc *p, uint64_t now)
{
	sigset_t all, old;
	pid_t pid;

	p->started_ms = now;
	if (access(p->argv[0], X_OK) < 0) {
		int rc = -errno;

		log_err("%s: cannot run %s: %s", p->name, p->argv[0], strerror(errno));
		proc_schedule_restart(p, now);
		return rc;
	}
	/* Signals stay blocked until the child has reset their handlers. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0)
		proc_child(p);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		int rc = -errno;

		log_err("%s: fork: %s", p->name, strerror(errno));
		proc_schedule_restart(p, now);
		return rc;
	}
	p->pid = pid;
	p->state = PROC_STATE_RUNNING;
	p->generation++;
	proc_write_pidfile(p);
	log_info("%s: started (pid %d), log %s", p->name, (int)pid, p->log);
	return 0;
}

int proc_adopt(struct proc *p, pid_t pid, uint64_t now)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return -errno;
	p->pid = pid;
	p->pidfd = fd;
	p->state = PROC_STATE_RUNNING;
	p->started_ms = now;
	p->generation++;
	log_info("%s: adopted the running instance (pid %d)", p->name, (int)pid);
	return 0;
}

static void proc_log_exit(const struct proc *p, int status)
{
	if (WIFEXITED(status))
		log_warn("%s (pid %d) exited with status %d", p->name, (int)p->pid,
			 WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_warn("%s (pid %d) was killed by signal %d (%s)", p->name, (int)p->pid,
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
}

/* p ended with wait status `status`: clean up and decide what comes next. */
static void proc_ended(struct proc_table *t, struct proc *p, int status, uint64_t now)
{
	if (p->pidfile[0])
		unlink(p->pidfile);
	p->pid = 0;
	if (p->pidfd >= 0) {
		close(p->pidfd);
		p->pidfd = -1;
	}
	if (!t->stopping && proc_should_restart(p->restart, status)) {
		proc_schedule_restart(p, now);
		return;
	}
	p->state = PROC_STATE_STOPPED;
}

void proc_reap(struct proc_table *t, uint64_t now)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned int i = 0; i < t->n; i++) {
			struct proc *p = &t->procs[i];

			if (p->state != PROC_STATE_RUNNING || p->pid != pid || p->pidfd >= 0)
				continue;
			proc_log_exit(p, status);
			proc_ended(t, p, status, now);
		}
	}
}

void proc_adopted_exited(struct proc_table *t, struct proc *p, uint64_t now)
{
	log_warn("%s (pid %d, adopted) exited; its status is not known", p->name, (int)p->pid);
	/* Not our child: no wait status.  Treat it as a failure. */
	proc_ended(t, p, 1 << 8, now);
}

void proc_tick(struct proc_table *t, uint64_t now)
{
	for (unsigned int i = 0; i < t->n && !t->stopping; i++) {
		struct proc *p = &t->procs[i];

		if (p->state == PROC_STATE_BACKOFF && now >= p->restart_at_ms)
			(void)!proc_start(p, now);
	}
}

int proc_timeout_ms(const struct proc_table *t, uint64_t now)
{
	uint64_t best = UINT64_MAX;

	for (unsigned int i = 0; i < t->n; i++) {
		const struct proc *p = &t->procs[i];

		if (p->state == PROC_STATE_BACKOFF && p->restart_at_ms < best)
			best = p->restart_at_ms;
	}
	if (best == UINT64_MAX)
		return -1;
	return best <= now ? 0 : (int)(best - now);
}

/* Has p ended?  Reaps our child, or polls an adopted process's pidfd. */
static bool proc_gone(struct proc *p)
{
	struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};
	int status;
	pid_t r;

	if (p->pidfd >= 0)
		return poll(&pfd, 1, 0) == 1;
	r = waitpid(p->pid, &status, WNOHANG);
	return r == p->pid || (r < 0 && errno == ECHILD);
}

static void proc_stop_one(struct proc_table *t, struct proc *p)
{
	uint64_t deadline = proc_now_ms() + PROC_STOP_WAIT_MS;
	struct timespec tick = {0, 20 * 1000000L};

	log_info("%s: stopping (pid %d)", p->name, (int)p->pid);
	kill(p->pid, SIGTERM);
	while (!proc_gone(p)) {
		if (proc_now_ms() >= deadline) {
			log_warn("%s: still running after %u ms, sending SIGKILL", p->name,
				 PROC_STOP_WAIT_MS);
			kill(p->pid, SIGKILL);
			deadline = UINT64_MAX;
		}
		nanosleep(&tick, NULL);
	}
	proc_ended(t, p, 0, proc_now_ms());
}

void proc_stop_all(struct proc_table *t)
{
	t->stopping = true;
	for (unsigned int i = t->n; i-- > 0;) {
		struct proc *p = &t->procs[i];

		if (p->state == PROC_STATE_RUNNING)
			proc_stop_one(t, p);
		p->state = PROC_STATE_STOPPED;
	}
}

/* Is pid running `exe` (argv[0]'s basename) with "--rundir rundir"? */
bool proc_is_service_of(pid_t pid, const char *exe, const char *rundir)
{
	char path[64], cmd[4096];
	const char *base, *prev = NULL;
	bool named = false;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = pid > 0 ? fopen(path, "re") : NULL;
	if (!f)
		return false;
	n = fread(cmd, 1, sizeof(cmd) - 1, f);
	fclose(f);
	cmd[n] = '\0';
	base = strrchr(cmd, '/');
	if (n == 0 || strcmp(base ? base + 1 : cmd, exe) != 0)
		return false;
	for (const char *arg = cmd; arg < cmd + n; arg += strlen(arg) + 1) {
		if (prev && strcmp(prev, "--rundir") == 0 && strcmp(arg, rundir) == 0)
			named = true;
		prev = arg;
	}
	return named;
}

/* Wait up to ms for the process behind pidfd to end. */
static bool proc_pidfd_wait(int pidfd, unsigned int ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	return poll(&p, 1, (int)ms) == 1;
}

int proc_kill_orphan(pid_t pid, const char *exe, const char *rundir)
{
	int fd, rc = 0;

	if (!proc_is_service_of(pid, exe, rundir))
		return 0;
	/* A pidfd pins the process: no signal reaches a recycled pid. */
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return errno == ESRCH ? 0 : -errno;
	if (!proc_is_service_of(pid, exe, rundir))
		goto out;
	log_warn("%s (pid %d) from an earlier supervisor of %s still runs; stopping it", exe,
		 (int)pid, rundir);
	rc = 1;
	if (syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0) < 0 && errno != ESRCH) {
		rc = -errno;
		goto out;
	}
	if (!proc_pidfd_wait(fd, PROC_STOP_WAIT_MS)) {
		log_warn("%s (pid %d) ignored SIGTERM; killing it", exe, (int)pid);
		(void)syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		if (!proc_pidfd_wait(fd, PROC_STOP_WAIT_MS))
			rc = -ETIMEDOUT;
	}
out:
	close(fd);
	return rc;
}
