/*
 * The supervisor's event subscription to the core (see core_link.h).
 */
#include "core_link.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl_client.h"
#include "log.h"
#include "proc.h"
#include "rundir.h"

void core_link_init(struct core_link *l)
{
	memset(l, 0, sizeof(*l));
}

void core_link_fini(struct core_link *l)
{
	ctl_client_close(l->events);
	l->events = NULL;
}

int core_link_fd(const struct core_link *l)
{
	return l->events ? ctl_client_fd(l->events) : -1;
}

void core_link_down(struct core_link *l, uint64_t now)
{
	if (!l->events)
		return;
	ctl_client_close(l->events);
	l->events = NULL;
	l->retry_at_ms = now + CORE_LINK_RETRY_MS;
}

/* "<digits>.json" -> domid; -EINVAL for anything else. */
static int core_link_record_domid(const char *file, uint32_t *domid)
{
	char *end;
	unsigned long v;

	if (file[0] < '0' || file[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(file, &end, 10);
	if (errno || v >= DYAD_DOMID_INVALID || strcmp(end, ".json") != 0)
		return -EINVAL;
	*domid = (uint32_t)v;
	return 0;
}

static int core_link_listed(const struct dyad_ctl_dominfo *v, unsigned int n, uint32_t domid)
{
	for (unsigned int i = 0; i < n; i++)
		if (v[i].domid == domid)
			return 1;
	return 0;
}

/* Drop records of domains this core does not have and that predate it. */
static void core_link_sweep(const struct dyad_ctl_dominfo *v, unsigned int n, time_t core_started)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (rundir_file("domains", dir, sizeof(dir)) || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		struct stat st;
		uint32_t domid;

		if (core_link_record_domid(e->d_name, &domid) || core_link_listed(v, n, domid))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, 0) < 0 || st.st_mtime >= core_started)
			continue;
		log_info("dropping the record of domain %u: the domain no longer exists", domid);
		dyad_record_remove(domid);
	}
	closedir(d);
}

void core_link_drop_records(void)
{
	core_link_sweep(NULL, 0, (time_t)INT64_MAX);
}

/* Catch up with what happened while we were not listening. */
static void core_link_reconcile(struct core_link *l, struct policy *pol, uint64_t now)
{
	struct dyad_ctl_dominfo *v;
	unsigned int n;
	int rc = ctl_list(l->events, &v, &n);

	if (rc) {
		log_warn("cannot list domains after connecting: %s", strerror(-rc));
		return;
	}
	core_link_sweep(v, n, l->core_started);
	for (unsigned int i = 0; i < n; i++)
		policy_handle_dominfo(pol, &v[i], now);
	free(v);
}

static int core_link_connect(struct core_link *l)
{
	struct ctl_client *c;
	int rc = ctl_client_open(rundir_path(), &c);

	if (rc)
		return rc;
	if (fcntl(ctl_client_fd(c), F_SETFL, O_NONBLOCK) < 0) {
		rc = -errno;
		ctl_client_close(c);
		return rc;
	}
	rc = ctl_subscribe(c);
	if (rc) {
		log_warn("the core refused the event subscription: %s", strerror(-rc));
		ctl_client_close(c);
		return rc;
	}
	l->events = c;
	return 0;
}

void core_link_tick(struct core_link *l, struct policy *pol, int core_running, time_t core_started,
		    uint64_t now)
{
	if (l->events || !core_running || now < l->retry_at_ms)
		return;
	l->retry_at_ms = now + CORE_LINK_RETRY_MS;
	l->core_started = core_started;
	if (core_link_connect(l))
		return;
	l->connects++;
	log_info("connected to the core and subscribed to its events%s",
		 l->connects > 1 ? " (again)" : "");
	core_link_reconcile(l, pol, now);
	if (l->events)
		core_link_drain(l, pol, now);
}

int core_link_timeout_ms(const struct core_link *l, int core_running, uint64_t now)
{
	if (l->events || !core_running)
		return -1;
	return l->retry_at_ms <= now ? 0 : (int)(l->retry_at_ms - now);
}

void core_link_drain(struct core_link *l, struct policy *pol, uint64_t now)
{
	struct dyad_ctl_event ev;
	int rc = 0;

	while (l->events && (rc = ctl_next_event(l->events, &ev)) == 0)
		policy_handle_event(pol, &ev, proc_now_ms());
	if (!l->events || rc == -EAGAIN)
		return;
	log_warn("lost the connection to the core: %s", strerror(-rc));
	core_link_down(l, now);
}
