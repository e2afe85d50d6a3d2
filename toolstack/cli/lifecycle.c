/*
 * dyad shutdown, dyad reboot: ask guests to shut down or reboot through the
 * PV control protocol (xl shutdown/reboot): write control/shutdown =
 * "poweroff" / "reboot" in the store; the guest watches the node, clears it
 * and calls SCHEDOP_shutdown with the matching reason, and dyad-dom0 then
 * applies on_poweroff / on_reboot.
 *
 * With -w the command waits, polling the core every 100 ms, until each
 * domain is done: shutdown - it is shut down, crashed or gone; reboot - its
 * old id is gone (dyad-dom0 destroyed it, and with on_reboot="restart"
 * built it again under a new id), or it is shut down and dyad-dom0 keeps it
 * (its record says preserve, or it has none).  A domain that is not done by
 * the timeout is named with the timeout and the command fails; with -F it
 * is destroyed instead, and the command says so.
 */
#include "cli.h"
#include "domain_store.h"
#include "libdyad.h"
#include "lifecycle_args.h"
#include "store_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dyad/xen.h>

#define LIFECYCLE_POLL_US 100000

struct lifecycle_verb {
	const char *request; /* the control/shutdown value */
	const char *doing;   /* "Shutting down" */
	const char *done;    /* "shut down" */
	bool reboot;
};

struct lifecycle_dom {
	uint32_t domid;
	char name[DYAD_NAME_MAX];
	bool done;
	int restarts; /* on_reboot builds it again (read from its record at selection) */
};

static uint64_t lifecycle_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The action dyad-dom0 takes for a domain shut down with reason. */
static bool lifecycle_kept(uint32_t domid, uint32_t reason)
{
	struct dyad_domain_config cfg;
	enum dyad_action a;

	if (dyad_record_load(domid, &cfg))
		return true; /* no record: dyad-dom0 leaves it alone */
	a = reason == SHUTDOWN_reboot  ? cfg.on_reboot
	    : reason == SHUTDOWN_crash ? cfg.on_crash
				       : cfg.on_poweroff;
	return a == DYAD_ACTION_PRESERVE;
}

/* Does on_reboot build the domain again (restart, rename-restart, coredump-restart)? */
static int lifecycle_restarts(uint32_t domid)
{
	struct dyad_domain_config cfg;

	if (dyad_record_load(domid, &cfg))
		return 0;
	return cfg.on_reboot == DYAD_ACTION_RESTART ||
	       cfg.on_reboot == DYAD_ACTION_RENAME_RESTART ||
	       cfg.on_reboot == DYAD_ACTION_COREDUMP_RESTART;
}

/* The old id is gone; a rebuilt domain is done once its name is back under a new id. */
static bool lifecycle_gone_done(struct ctl_client *c, const struct lifecycle_verb *v,
				const struct lifecycle_dom *d)
{
	uint32_t newid;

	if (!v->reboot || d->restarts != 1)
		return true;
	return ctl_lookup(c, d->name, &newid) == 0 && newid != d->domid;
}

static bool lifecycle_is_done(struct ctl_client *c, const struct lifecycle_verb *v,
			      const struct lifecycle_dom *d)
{
	struct dyad_ctl_dominfo info;
	bool down;
	int rc;

	rc = ctl_info(c, d->domid, &info);
	if (rc == -ESRCH)
		return lifecycle_gone_done(c, v, d);
	if (rc)
		return false;
	down = info.state == DYAD_DOMAIN_STATE_SHUTDOWN || info.state == DYAD_DOMAIN_STATE_CRASHED;
	if (!v->reboot)
		return down;
	/*
	 * Built again: rename-restart keeps the old id listed and rewrites its
	 * record to preserve before the rebuild, so "down and kept" would be
	 * seen too early; only the name under a new id says it is done.
	 */
	if (d->restarts == 1)
		return lifecycle_gone_done(c, v, d);
	return down && lifecycle_kept(d->domid, info.shutdown_reason);
}

static void lifecycle_report_done(struct ctl_client *c, const struct lifecycle_verb *v,
				  const struct lifecycle_dom *d)
{
	uint32_t newid;

	if (v->reboot && ctl_lookup(c, d->name, &newid) == 0 && newid != d->domid)
		fprintf(stderr, "Domain %u (%s) has been rebooted as domain %u\n", d->domid,
			d->name, newid);
	else
		fprintf(stderr, "Domain %u (%s) has been %s\n", d->domid, d->name, v->done);
}

/* Poll until every domain is done or the deadline passes; how many are left. */
static unsigned int lifecycle_wait(struct ctl_client *c, const struct lifecycle_verb *v,
				   struct lifecycle_dom *doms, unsigned int n, unsigned int secs)
{
	uint64_t deadline = lifecycle_now_ms() + (uint64_t)secs * 1000;
	unsigned int left = n;

	fprintf(stderr, "Waiting for %u domain%s\n", n, n == 1 ? "" : "s");
	for (;;) {
		for (unsigned int i = 0; i < n; i++) {
			if (doms[i].done || !lifecycle_is_done(c, v, &doms[i]))
				continue;
			doms[i].done = true;
			left--;
			lifecycle_report_done(c, v, &doms[i]);
		}
		if (left == 0 || lifecycle_now_ms() >= deadline)
			return left;
		usleep(LIFECYCLE_POLL_US);
	}
}

static int lifecycle_timed_out(struct ctl_client *c, const struct lifecycle_verb *v,
			       const struct lifecycle_dom *d, const struct lifecycle_args *a)
{
	int rc;

	if (!a->force)
		return cli_err("domain '%s' did not %s within %u s (it may ignore control/shutdown;"
			       " -F destroys it)",
			       d->name, v->reboot ? "reboot" : "shut down", a->timeout_s);
	cli_err("domain '%s' did not %s within %u s; destroying it (-F)", d->name,
		v->reboot ? "reboot" : "shut down", a->timeout_s);
	rc = ctl_destroy(c, d->domid);
	if (rc && rc != -ESRCH)
		return cli_err("cannot destroy domain '%s': %s", d->name, strerror(-rc));
	dyad_record_remove(d->domid);
	cli_store_forget(d->domid);
	fprintf(stderr, "Domain %u (%s) has been destroyed\n", d->domid, d->name);
	return 0;
}

static int lifecycle_request(struct store_client *s, const struct lifecycle_verb *v,
			     const struct lifecycle_dom *d)
{
	int rc = domain_store_request(s, d->domid, v->request);

	if (rc == -ENOENT)
		return cli_err("domain '%s' has no control/shutdown node in the store; it cannot "
			       "be asked to %s (dyad destroy ends it)",
			       d->name, v->reboot ? "reboot" : "shut down");
	if (rc)
		return cli_err("domain '%s': writing control/shutdown: %s", d->name, strerror(-rc));
	fprintf(stderr, "%s domain %u (%s)\n", v->doing, d->domid, d->name);
	return 0;
}

/* -a: the running, blocked and paused domains the store knows. */
static int lifecycle_select_all(struct ctl_client *c, struct store_client *s,
				struct lifecycle_dom **out, unsigned int *n)
{
	struct dyad_ctl_dominfo *d = NULL;
	unsigned int nd = 0;
	int rc = ctl_list(c, &d, &nd);

	if (rc)
		return cli_err("listing domains: %s", strerror(-rc));
	*out = calloc(nd ? nd : 1, sizeof(**out));
	if (!*out) {
		free(d);
		return cli_err("out of memory");
	}
	*n = 0;
	for (unsigned int i = 0; i < nd; i++) {
		if (d[i].state > DYAD_DOMAIN_STATE_PAUSED)
			continue;
		d[i].name[DYAD_NAME_MAX - 1] = '\0';
		if (!domain_store_has_domain(s, d[i].domid)) {
			fprintf(stderr, "Skipping domain %u (%s): not in the store\n", d[i].domid,
				d[i].name);
			continue;
		}
		(*out)[*n].domid = d[i].domid;
		(*out)[*n].restarts = lifecycle_restarts(d[i].domid);
		memcpy((*out)[*n].name, d[i].name, DYAD_NAME_MAX);
		(*n)++;
	}
	free(d);
	return 0;
}

static int lifecycle_select_one(struct ctl_client *c, const char *dom, struct lifecycle_dom **out,
				unsigned int *n)
{
	struct dyad_ctl_dominfo info;
	uint32_t domid;
	int rc;

	if (cli_domain(c, dom, &domid))
		return 1;
	rc = ctl_info(c, domid, &info);
	if (rc)
		return cli_err("domain '%s': %s", dom, strerror(-rc));
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return cli_err("out of memory");
	(*out)->domid = domid;
	(*out)->restarts = lifecycle_restarts(domid);
	memcpy((*out)->name, info.name, DYAD_NAME_MAX);
	(*out)->name[DYAD_NAME_MAX - 1] = '\0';
	*n = 1;
	return 0;
}

static int lifecycle_act(struct ctl_client *c, struct store_client *s,
			 const struct lifecycle_verb *v, const struct lifecycle_args *a,
			 struct lifecycle_dom *doms, unsigned int n)
{
	int code = 0;

	for (unsigned int i = 0; i < n; i++)
		if (lifecycle_request(s, v, &doms[i]))
			return 1;
	if (!a->wait || n == 0)
		return 0;
	if (lifecycle_wait(c, v, doms, n, a->timeout_s) == 0)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		if (!doms[i].done && lifecycle_timed_out(c, v, &doms[i], a))
			code = 1;
	return code;
}

static int lifecycle_run(const struct cli_cmd *cmd, int argc, char **argv,
			 const struct lifecycle_verb *v)
{
	struct lifecycle_dom *doms = NULL;
	struct lifecycle_args a;
	struct store_client *s;
	struct ctl_client *c;
	unsigned int n = 0;
	char err[512];
	int code;

	if (lifecycle_args_parse(argc, argv, &a, err, sizeof(err)))
		return cli_usage_error(cmd, "%s", err);
	if (a.help)
		return cli_usage(cmd);
	c = cli_core();
	if (!c)
		return 1;
	if (domain_store_open(&s, 5000, err, sizeof(err)))
		return cli_err("%s", err);
	code = a.all ? lifecycle_select_all(c, s, &doms, &n)
		     : lifecycle_select_one(c, a.domain, &doms, &n);
	if (code == 0 && a.all && n == 0)
		fprintf(stderr, "No domains to %s\n", v->reboot ? "reboot" : "shut down");
	if (code == 0)
		code = lifecycle_act(c, s, v, &a, doms, n);
	store_client_close(s);
	free(doms);
	return code;
}

int cli_cmd_shutdown(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct lifecycle_verb v = {"poweroff", "Shutting down", "shut down", false};

	return lifecycle_run(cmd, argc, argv, &v);
}

int cli_cmd_reboot(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct lifecycle_verb v = {"reboot", "Rebooting", "shut down", true};

	return lifecycle_run(cmd, argc, argv, &v);
}
