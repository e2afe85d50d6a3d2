/*
 * on_poweroff / on_reboot / on_crash (see policy.h).
 *
 * The core only reports; dom0 decides.  For each lifecycle event we read
 * the domain's record (written by the builder), pick the configured action
 * and carry it out over a fresh control connection:
 *   destroy   - destroy the domain and drop its record;
 *   restart   - destroy it, then build it again from the record: a new
 *               domid, the same name and UUID (the builder saves the record
 *               under the new id);
 *   preserve  - leave it listed as shut down / crashed, record kept.
 * rename-restart and coredump-* run as their base action for now, and say
 * so.  Any failure is logged and the domain is left as it is; the
 * supervisor carries on with the next event.
 */
#include "policy.h"

#include <dyad/xen.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "ctl_client.h"
#include "log.h"
#include "rundir.h"

enum policy_trigger policy_trigger_of(uint32_t kind, uint32_t reason)
{
	switch (kind) {
	case DYAD_EVENT_DESTROYED:
		return POLICY_TRIGGER_GONE;
	case DYAD_EVENT_CRASHED:
		return POLICY_TRIGGER_CRASH;
	case DYAD_EVENT_SHUTDOWN:
		break;
	default:
		return POLICY_TRIGGER_NONE;
	}
	switch (reason) {
	case SHUTDOWN_poweroff:
		return POLICY_TRIGGER_POWEROFF;
	case SHUTDOWN_reboot:
		return POLICY_TRIGGER_REBOOT;
	case SHUTDOWN_crash:
		return POLICY_TRIGGER_CRASH;
	case SHUTDOWN_watchdog:
		return POLICY_TRIGGER_WATCHDOG;
	default: /* suspend belongs to save; soft_reset is not supported yet */
		return POLICY_TRIGGER_NONE;
	}
}

enum policy_trigger policy_trigger_of_info(const struct dyad_ctl_dominfo *d)
{
	if (d->state == DYAD_DOMAIN_STATE_CRASHED)
		return POLICY_TRIGGER_CRASH;
	if (d->state == DYAD_DOMAIN_STATE_SHUTDOWN)
		return policy_trigger_of(DYAD_EVENT_SHUTDOWN, d->shutdown_reason);
	return POLICY_TRIGGER_NONE;
}

enum dyad_action policy_action_for(enum policy_trigger t, const struct dyad_domain_config *cfg)
{
	switch (t) {
	case POLICY_TRIGGER_POWEROFF:
		return cfg->on_poweroff;
	case POLICY_TRIGGER_REBOOT:
		return cfg->on_reboot;
	case POLICY_TRIGGER_CRASH:
		return cfg->on_crash;
	default:
		return DYAD_ACTION_DESTROY;
	}
}

const char *policy_trigger_name(enum policy_trigger t)
{
	static const char *const names[] = {
		[POLICY_TRIGGER_NONE] = "none",		[POLICY_TRIGGER_GONE] = "destroyed",
		[POLICY_TRIGGER_POWEROFF] = "poweroff", [POLICY_TRIGGER_REBOOT] = "reboot",
		[POLICY_TRIGGER_CRASH] = "crash",	[POLICY_TRIGGER_WATCHDOG] = "watchdog",
	};

	return (unsigned int)t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

/* The guard slot for name: its own, a free one, or the least recently used. */
static struct policy_guard_slot *policy_guard_slot(struct policy *p, const char *name)
{
	struct policy_guard_slot *lru = &p->guard[0];

	for (unsigned int i = 0; i < POLICY_GUARD_SLOTS; i++) {
		struct policy_guard_slot *s = &p->guard[i];

		if (s->count && strcmp(s->name, name) == 0)
			return s;
		if (!s->count || (lru->count && s->last_ms < lru->last_ms))
			lru = s;
	}
	memset(lru, 0, sizeof(*lru));
	strncpy(lru->name, name, sizeof(lru->name) - 1);
	return lru;
}

bool policy_restart_allowed(struct policy *p, const char *name, uint64_t now_ms)
{
	struct policy_guard_slot *s = policy_guard_slot(p, name);
	unsigned int oldest = s->count % POLICY_RESTART_BURST;

	/* With a full ring, the oldest of the last BURST restarts decides. */
	if (s->count >= POLICY_RESTART_BURST &&
	    now_ms - s->times[oldest] < POLICY_RESTART_WINDOW_MS)
		return false;
	s->times[oldest] = now_ms;
	s->count++;
	s->last_ms = now_ms;
	return true;
}

static int policy_destroy(struct ctl_client *c, uint32_t domid, const char *name)
{
	int rc = ctl_destroy(c, domid);

	if (rc && rc != -ESRCH) {
		log_err("domain %u (%s): destroy failed: %s", domid, name, strerror(-rc));
		return rc;
	}
	dyad_record_remove(domid);
	log_info("domain %u (%s): destroyed", domid, name);
	return 0;
}

/*
 * Build cfg again.  The destroy before it is synchronous, so the name is
 * free; no retry loop that would stall the supervisor's only thread.
 */
static int policy_rebuild(struct ctl_client *c, const struct dyad_domain_config *cfg,
			  uint32_t *domid)
{
	char err[512] = "";
	int rc = dyad_domain_build(c, cfg, 0, domid, err, sizeof(err));

	if (rc)
		log_err("domain %s: rebuilding failed: %s", cfg->name,
			err[0] ? err : strerror(-rc));
	return rc;
}

static void policy_restart(struct policy *p, struct ctl_client *c, uint32_t domid,
			   const struct dyad_domain_config *cfg, uint64_t now_ms)
{
	uint32_t newid;

	if (!policy_restart_allowed(p, cfg->name, now_ms)) {
		log_err("domain %u (%s): restarted more than %u times within %u s; not restarting "
			"it again, leaving it shut down",
			domid, cfg->name, POLICY_RESTART_BURST, POLICY_RESTART_WINDOW_MS / 1000);
		return;
	}
	if (policy_destroy(c, domid, cfg->name))
		return;
	if (policy_rebuild(c, cfg, &newid) == 0)
		log_info("domain %s restarted as domain %u", cfg->name, newid);
}

static void policy_apply(struct policy *p, uint32_t domid, const struct dyad_domain_config *cfg,
			 enum dyad_action action, uint64_t now_ms)
{
	struct ctl_client *c;
	int rc;

	if (action == DYAD_ACTION_PRESERVE) {
		log_info("domain %u (%s): preserved as it is", domid, cfg->name);
		return;
	}
	if (action == DYAD_ACTION_RENAME_RESTART || action == DYAD_ACTION_COREDUMP_DESTROY ||
	    action == DYAD_ACTION_COREDUMP_RESTART)
		log_warn("domain %u (%s): %s: the %s part is not implemented yet; doing %s", domid,
			 cfg->name, dyad_action_name(action),
			 action == DYAD_ACTION_RENAME_RESTART ? "rename" : "core dump",
			 action == DYAD_ACTION_COREDUMP_DESTROY ? "destroy" : "restart");
	rc = ctl_client_open(rundir_path(), &c);
	if (rc) {
		log_err("domain %u (%s): cannot reach the core: %s", domid, cfg->name,
			strerror(-rc));
		return;
	}
	if (action == DYAD_ACTION_DESTROY || action == DYAD_ACTION_COREDUMP_DESTROY)
		(void)!policy_destroy(c, domid, cfg->name);
	else
		policy_restart(p, c, domid, cfg, now_ms);
	ctl_client_close(c);
}

static void policy_handle(struct policy *p, uint32_t domid, const char *name, enum policy_trigger t,
			  uint64_t now_ms)
{
	struct dyad_domain_config cfg;
	enum dyad_action action;
	int rc;

	if (t == POLICY_TRIGGER_NONE)
		return;
	if (t == POLICY_TRIGGER_GONE) {
		dyad_record_remove(domid);
		return;
	}
	rc = dyad_record_load(domid, &cfg);
	if (rc) {
		log_warn("domain %u (%s): %s, but it has no usable record (%s); leaving it as is",
			 domid, name, policy_trigger_name(t), strerror(-rc));
		return;
	}
	action = policy_action_for(t, &cfg);
	log_info("domain %u (%s): %s -> %s", domid, cfg.name, policy_trigger_name(t),
		 dyad_action_name(action));
	policy_apply(p, domid, &cfg, action, now_ms);
}

void policy_handle_event(struct policy *p, const struct dyad_ctl_event *ev, uint64_t now_ms)
{
	enum policy_trigger t = policy_trigger_of(ev->kind, ev->reason);

	if (ev->kind == DYAD_EVENT_SHUTDOWN && t == POLICY_TRIGGER_NONE)
		log_info("domain %u (%s): shut down with reason %u; no action", ev->domid, ev->name,
			 ev->reason);
	policy_handle(p, ev->domid, ev->name, t, now_ms);
}

void policy_handle_dominfo(struct policy *p, const struct dyad_ctl_dominfo *d, uint64_t now_ms)
{
	policy_handle(p, d->domid, d->name, policy_trigger_of_info(d), now_ms);
}
