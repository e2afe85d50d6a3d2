/*
 * The run directory: every socket, pid file and log of one Dyad instance.
 * Default /run/dyad, overridden by DYAD_RUNDIR so that tests run isolated
 * instances side by side.  Layout:
 *   hv.sock, dyad-hv.pid, dyad-hv.log        the core
 *   dyad-dom0.pid, dyad-dom0.log            the supervisor
 *   domains/<domid>.json                    each domain's config (for on_* policy)
 *   dump/<name>-<domid>.core                on_* coredump-destroy/-restart cores
 */
#ifndef DYAD_RUNDIR_H
#define DYAD_RUNDIR_H

#include <stddef.h>

#define RUNDIR_DEFAULT "/run/dyad"

/* DYAD_RUNDIR or the default; the string is static. */
const char *rundir_path(void);
/* Build RUNDIR/leaf into buf; -ENAMETOOLONG if it does not fit (sockets: 108). */
int rundir_file(const char *leaf, char *buf, size_t cap) __attribute__((warn_unused_result));
/* mkdir -p the run directory and domains/ (mode 0700). */
int rundir_ensure(void) __attribute__((warn_unused_result));
/* Directory holding this executable's siblings (dyad, dyad-dom0, dyad-hv). */
int rundir_bindir(char *buf, size_t cap) __attribute__((warn_unused_result));
/*
 * Make sure dyad-dom0 (and through it dyad-hv) runs for this run directory:
 * if hv.sock accepts, return 0; otherwise start bindir/dyad-dom0, wait up to
 * 10 s for hv.sock, and return 0 or -errno with a message naming what is
 * missing (no /dev/kvm, permissions, a daemon that died: see its log).
 */
int rundir_ensure_services(char *err, size_t errlen) __attribute__((warn_unused_result));

#endif /* DYAD_RUNDIR_H */
