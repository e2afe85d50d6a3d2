/*
 * One dyad-hv per run directory.  Binding hv.sock unlinks a stale socket
 * first, so a second daemon on the same directory would silently cut the
 * running one off from every client.  Before it binds, dyad-hv takes an
 * exclusive flock on DIR/dyad-hv.lock and keeps the descriptor open for its
 * whole life; the kernel drops the lock when the process dies, however it
 * dies, so a crashed daemon never leaves a stale lock behind.
 */
#ifndef DYAD_HV_RUNLOCK_H
#define DYAD_HV_RUNLOCK_H

/*
 * Take the lock of rundir; *fd holds it until runlock_release().  -EBUSY
 * (logged, naming the lock file) if another process holds it.
 */
int runlock_acquire(const char *rundir, int *fd) __attribute__((warn_unused_result));
void runlock_release(int fd);

#endif /* DYAD_HV_RUNLOCK_H */
