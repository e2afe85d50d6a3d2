/*
 * The supervisor's table of child processes (xencommons in spirit): the
 * control-domain services dyad-dom0 starts, watches and restarts.  Each
 * entry is generic - a name, an argv, a log file, a restart policy - so the
 * core, the store and the backends all live in the same table, started in
 * the order they were added and stopped in reverse.
 *
 * A service that dies is restarted after a delay that doubles with each
 * quick failure (PROC_BACKOFF_MIN_MS .. PROC_BACKOFF_MAX_MS) and resets once
 * it has stayed up for PROC_STABLE_MS, so a crash-looping daemon costs a
 * restart every half minute rather than a spinning CPU.
 *
 * A service left running by a previous supervisor (killed with SIGKILL) can
 * be adopted: it is watched through a pidfd instead of waitpid().
 */
#ifndef DYAD_DOM0_PROC_H
#define DYAD_DOM0_PROC_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_MAX	    16
#define PROC_ARGV_MAX	    8
#define PROC_NAME_MAX	    32
#define PROC_BACKOFF_MIN_MS 100u
#define PROC_BACKOFF_MAX_MS 30000u
#define PROC_STABLE_MS	    10000u
#define PROC_STOP_WAIT_MS   5000u

enum proc_restart {
	PROC_RESTART_ALWAYS,	 /* whatever the exit status */
	PROC_RESTART_ON_FAILURE, /* unless it exited 0 */
	PROC_RESTART_NEVER,
};

enum proc_state {
	PROC_STATE_STOPPED, /* not started, or done for good */
	PROC_STATE_RUNNING,
	PROC_STATE_BACKOFF, /* died; restart due at restart_at_ms */
};

/* Restart pacing, separable from processes so that it can be tested alone. */
struct proc_backoff {
	unsigned int failures; /* quick failures in a row */
};

struct proc {
	char name[PROC_NAME_MAX];
	char *argv[PROC_ARGV_MAX + 1]; /* owned copies, NULL-terminated */
	char log[PATH_MAX];	       /* stdout and stderr, appended */
	char pidfile[PATH_MAX];	       /* written while it runs; "" for none */
	enum proc_restart restart;
	enum proc_state state;
	pid_t pid;
	int pidfd; /* >= 0 when adopted rather than our child */
	uint64_t started_ms;
	uint64_t restart_at_ms;
	unsigned int generation; /* bumped on every (re)start */
	struct proc_backoff backoff;
};

struct proc_table {
	struct proc procs[PROC_MAX];
	unsigned int n;
	bool stopping; /* no restarts once set */
};

/* Monotonic milliseconds. */
uint64_t proc_now_ms(void);

/*
 * The delay before restarting a service that ran for ran_ms: 0 failures in
 * a row after a stable run, doubling from PROC_BACKOFF_MIN_MS otherwise.
 */
uint64_t proc_backoff_next(struct proc_backoff *b, uint64_t ran_ms);

/* Whether policy r restarts a process that ended with wait status `status`. */
bool proc_should_restart(enum proc_restart r, int status);

void proc_table_init(struct proc_table *t);
void proc_table_fini(struct proc_table *t);
/* Add a service; argv[0] is the executable's path.  pidfile may be NULL. */
int proc_add(struct proc_table *t, const char *name, char *const argv[], const char *log,
	     const char *pidfile, enum proc_restart restart, struct proc **out)
	__attribute__((warn_unused_result));
struct proc *proc_find(struct proc_table *t, const char *name);

/* Fork and exec p now. */
int proc_start(struct proc *p, uint64_t now) __attribute__((warn_unused_result));
/* Watch an already running process (not our child) through a pidfd. */
int proc_adopt(struct proc *p, pid_t pid, uint64_t now) __attribute__((warn_unused_result));

/* Reap every exited child (after SIGCHLD) and schedule restarts. */
void proc_reap(struct proc_table *t, uint64_t now);
/* An adopted process's pidfd became readable: it is gone. */
void proc_adopted_exited(struct proc_table *t, struct proc *p, uint64_t now);
/* Start whatever is due; the poll timeout until the next due start, or -1. */
void proc_tick(struct proc_table *t, uint64_t now);
int proc_timeout_ms(const struct proc_table *t, uint64_t now);

/* Is pid running exe (argv[0]'s basename) with "--rundir rundir"? */
bool proc_is_service_of(pid_t pid, const char *exe, const char *rundir);
/*
 * A service left running by a supervisor that was killed outright (found
 * by its pid file): if pid is exe for rundir, SIGTERM it and wait, then
 * SIGKILL.  1 if one was stopped, 0 if pid is not such a service, -errno.
 */
int proc_kill_orphan(pid_t pid, const char *exe, const char *rundir)
	__attribute__((warn_unused_result));

/* SIGTERM every service in reverse order, SIGKILL after PROC_STOP_WAIT_MS. */
void proc_stop_all(struct proc_table *t);

#endif /* DYAD_DOM0_PROC_H */
