/*
 * The run directory and starting the control-domain services on demand
 * (see rundir.h).
 *
 * A tool that finds no core behind RUNDIR/hv.sock starts dyad-dom0, which
 * starts the core.  Several tools may race to do so; dyad-dom0 itself holds
 * RUNDIR/dom0.lock, so every loser exits 0 at once and each tool simply
 * keeps polling hv.sock until the winner's core answers.  Before starting
 * anything we check /dev/kvm, because a missing or closed /dev/kvm is the
 * one failure a user can fix and deserves a sentence rather than a log.
 */
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"

#define RUNDIR_START_WAIT_MS 10000
#define RUNDIR_POLL_MS	     50

const char *rundir_path(void)
{
	const char *env = getenv("DYAD_RUNDIR");

	return env && *env ? env : RUNDIR_DEFAULT;
}

int rundir_file(const char *leaf, char *buf, size_t cap)
{
	int n;

	if (!leaf || !*leaf || !buf || cap == 0)
		return -EINVAL;
	n = snprintf(buf, cap, "%s/%s", rundir_path(), leaf);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= cap) {
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

/* mkdir one path; an existing directory is fine. */
static int rundir_mkdir(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* mkdir -p: parents 0755, the last component `mode`. */
static int rundir_mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	int rc;

	if (n == 0 || n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		rc = rundir_mkdir(tmp, 0755);
		*p = '/';
		if (rc)
			return rc;
	}
	return rundir_mkdir(tmp, mode);
}

int rundir_ensure(void)
{
	char domains[PATH_MAX];
	int rc = rundir_mkdir_p(rundir_path(), 0700);

	if (rc)
		return rc;
	rc = rundir_file("domains", domains, sizeof(domains));
	return rc ? rc : rundir_mkdir(domains, 0700);
}

int rundir_bindir(char *buf, size_t cap)
{
	const char *env = getenv("DYAD_BINDIR");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		if (strlen(env) >= cap)
			return -ENAMETOOLONG;
		strcpy(buf, env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)(slash - exe) >= cap)
		return -ENAMETOOLONG;
	memcpy(buf, exe, (size_t)(slash - exe) + 1);
	return 0;
}

static int rundir_core_answers(void)
{
	char sock[PATH_MAX];
	int fd, rc = rundir_file("hv.sock", sock, sizeof(sock));

	if (rc)
		return rc;
	rc = ipc_connect(sock, &fd);
	if (rc == 0)
		close(fd);
	return rc;
}

__attribute__((format(printf, 4, 5))) static int rundir_err(char *err, size_t errlen, int rc,
							    const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int rundir_check_kvm(char *err, size_t errlen)
{
	if (access("/dev/kvm", F_OK) < 0)
		return rundir_err(
			err, errlen, -ENODEV,
			"/dev/kvm does not exist: load the KVM module (modprobe kvm_intel "
			"or kvm_amd) and enable VT-x/AMD-V in the firmware settings");
	if (access("/dev/kvm", R_OK | W_OK) < 0)
		return rundir_err(err, errlen, -errno,
				  "/dev/kvm is not accessible (%s): run as root (the control "
				  "socket accepts uid 0 only) or fix the device's permissions",
				  strerror(errno));
	return 0;
}

/* In the child: detach, point stdio at the log, and exec dyad-dom0. */
static void rundir_exec_dom0(const char *exe, const char *log)
{
	sigset_t none;
	int fd;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	for (int i = STDERR_FILENO + 1; i < 1024; i++)
		close(i);
	execl(exe, "dyad-dom0", "--rundir", rundir_path(), "--foreground", (char *)NULL);
	dprintf(STDERR_FILENO, "dyad: cannot run %s: %s\n", exe, strerror(errno));
	_exit(127);
}

static void rundir_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Poll hv.sock until it answers.  A dyad-dom0 that exits 0 lost the start
 * race to another one, so we keep waiting for the winner; any other exit is
 * a failure worth reporting with a pointer to its log.
 */
static int rundir_wait_core(pid_t pid, const char *log, char *err, size_t errlen)
{
	int status, reaped = 0;

	for (int waited = 0; waited <= RUNDIR_START_WAIT_MS; waited += RUNDIR_POLL_MS) {
		if (rundir_core_answers() == 0)
			return 0;
		if (!reaped && waitpid(pid, &status, WNOHANG) == pid) {
			reaped = 1;
			if (WIFSIGNALED(status))
				return rundir_err(err, errlen, -ECHILD,
						  "dyad-dom0 was killed by signal %d; see %s",
						  WTERMSIG(status), log);
			if (WEXITSTATUS(status) != 0)
				return rundir_err(err, errlen, -ECHILD,
						  "dyad-dom0 exited with status %d; see %s",
						  WEXITSTATUS(status), log);
		}
		rundir_sleep_ms(RUNDIR_POLL_MS);
	}
	return rundir_err(err, errlen, -ETIMEDOUT,
			  "the hypervisor core did not answer on %s/hv.sock within %d s; see %s "
			  "and %s/dyad-hv.log",
			  rundir_path(), RUNDIR_START_WAIT_MS / 1000, log, rundir_path());
}

static int rundir_spawn_dom0(char *err, size_t errlen)
{
	char bindir[PATH_MAX], exe[PATH_MAX], log[PATH_MAX];
	sigset_t all, old;
	pid_t pid;
	int rc = rundir_bindir(bindir, sizeof(bindir));

	if (rc)
		return rundir_err(err, errlen, rc, "cannot locate dyad's binaries: %s",
				  strerror(-rc));
	if ((size_t)snprintf(exe, sizeof(exe), "%s/dyad-dom0", bindir) >= sizeof(exe))
		return rundir_err(err, errlen, -ENAMETOOLONG, "binary directory path too long");
	if (access(exe, X_OK) < 0)
		return rundir_err(err, errlen, -errno, "cannot run %s: %s", exe, strerror(errno));
	rc = rundir_file("dyad-dom0.log", log, sizeof(log));
	if (rc)
		return rundir_err(err, errlen, rc, "run directory path too long: %s",
				  rundir_path());
	/* Signals stay blocked until the child has reset their handlers. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0)
		rundir_exec_dom0(exe, log);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return rundir_err(err, errlen, -errno, "fork: %s", strerror(errno));
	return rundir_wait_core(pid, log, err, errlen);
}

int rundir_ensure_services(char *err, size_t errlen)
{
	char sock[PATH_MAX];
	int rc;

	if (err && errlen)
		err[0] = '\0';
	rc = rundir_file("hv.sock", sock, 108);
	if (rc)
		return rundir_err(err, errlen, rc,
				  "run directory %s is too long for a socket path (108 bytes)",
				  rundir_path());
	if (rundir_core_answers() == 0)
		return 0;
	rc = rundir_check_kvm(err, errlen);
	if (rc)
		return rc;
	rc = rundir_ensure();
	if (rc)
		return rundir_err(err, errlen, rc, "cannot create run directory %s: %s",
				  rundir_path(), strerror(-rc));
	return rundir_spawn_dom0(err, errlen);
}
