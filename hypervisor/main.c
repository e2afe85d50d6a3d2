/*
 * dyad-hv: the thin hypervisor core.  One daemon owns every domain: their
 * memory, their vCPU threads on KVM, hypercall dispatch, and the control
 * socket dom0 programs drive it through.
 *
 *   dyad-hv [--rundir DIR] [--verbose]
 *
 * DIR defaults to $DYAD_RUNDIR, else /run/dyad; it receives dyad-hv.pid and
 * hv.sock.  One dyad-hv per DIR (runlock.h): a second one exits with
 * status 1 and a message naming DIR/dyad-hv.lock.  Logs go to stderr (the
 * parent points it at DIR/dyad-hv.log) and to the core log stream
 * (`dyad dmesg`).  SIGTERM or SIGINT destroys every domain and exits 0.
 *
 * Start-up is one ordered list; each step is undone by its _fini in
 * reverse order.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "dmesg.h"
#include "domain.h"
#include "kvm.h"
#include "log.h"
#include "notify.h"
#include "runlock.h"
#include "vcpu.h"
#include "virq_timer.h"
#include "vm_spare.h"

#define HV_RUNDIR_DEFAULT "/run/dyad"

struct hv_opts {
	const char *rundir;
	enum log_level level;
};

static void hv_usage(FILE *f)
{
	fprintf(f, "usage: dyad-hv [--rundir DIR] [--verbose]\n"
		   "  DIR defaults to $DYAD_RUNDIR, else " HV_RUNDIR_DEFAULT "\n");
}

static int hv_parse(int argc, char **argv, struct hv_opts *o)
{
	static const struct option longopts[] = {{"rundir", required_argument, NULL, 'r'},
						 {"verbose", no_argument, NULL, 'v'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	int ch;

	o->rundir = getenv("DYAD_RUNDIR");
	if (!o->rundir || !*o->rundir)
		o->rundir = HV_RUNDIR_DEFAULT;
	o->level = LOG_LEVEL_INFO;
	while ((ch = getopt_long(argc, argv, "r:vh", longopts, NULL)) != -1) {
		if (ch == 'r')
			o->rundir = optarg;
		else if (ch == 'v')
			o->level = LOG_LEVEL_DEBUG;
		else
			return ch == 'h' ? 1 : -EINVAL;
	}
	return optind == argc ? 0 : -EINVAL;
}

/* SIGTERM/SIGINT/SIGHUP through a signalfd; blocked before any thread starts. */
static int hv_signals(int *sigfd)
{
	sigset_t set;
	int rc = vcpu_signals_init();

	if (rc)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	*sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return *sigfd < 0 ? -errno : 0;
}

static int hv_pidfile(const char *rundir, char *path, size_t cap)
{
	char buf[32];
	int fd, n;

	if (snprintf(path, cap, "%s/dyad-hv.pid", rundir) >= (int)cap)
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

static int hv_serve(const struct hv_opts *o, int sigfd)
{
	char pidpath[4096];
	int rc;

	rc = kvm_init();
	if (rc)
		return rc;
	rc = control_init(o->rundir, sigfd);
	if (!rc)
		rc = virq_timer_init();
	if (!rc)
		rc = vm_spare_init();
	if (!rc)
		rc = hv_pidfile(o->rundir, pidpath, sizeof(pidpath));
	if (!rc) {
		log_info("dyad-hv %d ready (run directory %s)", (int)getpid(), o->rundir);
		rc = control_run();
		unlink(pidpath);
	}
	domain_destroy_all();
	vm_spare_fini();
	virq_timer_fini();
	control_fini();
	kvm_fini();
	return rc;
}

int main(int argc, char **argv)
{
	struct hv_opts o;
	int sigfd = -1, lockfd = -1, rc = hv_parse(argc, argv, &o);

	if (rc) {
		hv_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	log_init("dyad-hv", o.level);
	if (mkdir(o.rundir, 0700) < 0 && errno != EEXIST)
		log_warn("cannot create %s: %s", o.rundir, strerror(errno));
	rc = runlock_acquire(o.rundir, &lockfd);
	if (!rc)
		rc = hv_signals(&sigfd);
	if (!rc)
		rc = notify_init();
	if (!rc)
		rc = dmesg_init();
	if (!rc)
		rc = hv_serve(&o, sigfd);
	dmesg_fini();
	notify_fini();
	if (sigfd >= 0)
		close(sigfd);
	runlock_release(lockfd);
	if (rc)
		log_err("exiting: %s", strerror(-rc));
	return rc ? 1 : 0;
}
