/*
 * The run-directory lock (see runlock.h).  The file stays after exit: it
 * is the lock's name, not its state (flock(2) state lives in the open file
 * description), so removing it would only let two daemons lock two
 * different files of the same name.
 */
#include "runlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "log.h"

int runlock_acquire(const char *rundir, int *fd)
{
	char path[4096];
	int rc, lfd;

	if (snprintf(path, sizeof(path), "%s/dyad-hv.lock", rundir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0) {
		rc = -errno;
		log_err("cannot open %s: %s", path, strerror(-rc));
		return rc;
	}
	if (flock(lfd, LOCK_EX | LOCK_NB) == 0) {
		*fd = lfd;
		return 0;
	}
	rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
	if (rc == -EBUSY)
		log_err("another dyad-hv is running on %s (it holds %s); not starting", rundir,
			path);
	else
		log_err("cannot lock %s: %s", path, strerror(-rc));
	close(lfd);
	return rc;
}

void runlock_release(int fd)
{
	if (fd >= 0)
		close(fd); /* the lock goes with the last descriptor */
}
