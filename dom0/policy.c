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
 *   preserve  - leave it listed as shut down / crashed, record kept;
 *   rename-restart - as libxl_domain_preserve: the old domain gets the name
 *               "<name>-<domid>" and a fresh UUID in the core and in the
 *               store (/vm/<new uuid> with name and uuid, its `vm` and
 *               `name` nodes pointing there), is kept (its record now says
 *               preserve, so a reconnecting link does not act on it again),
 *               and the config is built again under its name and UUID;
 *   coredump-destroy / coredump-restart - write RUNDIR/dump/<name>-<domid>.core
 *               (coredump.h), then destroy / restart.
 * policy_plan_of() spells the steps out.  Before any step of a restart the
 * rebuild's needs are checked (the store answers, the kernel is readable):
 * if not, the domain is left shut down and the check is retried from the
 * supervisor's timer (policy_tick), POLICY_RETRY_ATTEMPTS times.  Any other
 * failure is logged and the domain is left as it is; the supervisor
 * carries on with the next event.  Every store connection here has a
 * POLICY_STORE_TIMEOUT_MS timeout, so a hung store cannot stall it.
 * A dump or rebuild runs in the supervisor's only thread: it is as long as
 * writing the guest's RAM (sparse) or building a domain.
 */
#include "policy.h"

#include <dyad/xen.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "coredump.h"
#include "ctl_client.h"
#include "log.h"
#include "rundir.h"
#include "domain_store.h"
#include "store_client.h"

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

/* The store (domain_store_open: $XENSTORED_PATH, else RUNDIR/store.sock), with a timeout. */
static int policy_store_open(struct store_client **sc, unsigned int wait_ms, char *err,
			     size_t errlen)
{
	int rc = domain_store_open(sc, wait_ms, err, errlen);

	if (rc)
		return rc;
	rc = store_client_set_timeout(*sc, POLICY_STORE_TIMEOUT_MS);
	if (rc) {
		snprintf(err, errlen, "cannot set the store connection's timeout: %s",
			 strerror(-rc));
		store_client_close(*sc);
		*sc = NULL;
	}
	return rc;
}

/*
 * libxl's destroy: remove the domain's store nodes now, synchronously, so
 * the store's own clean-up on the core's DESTROYED event (which follows
 * /local/domain/N/vm) cannot remove a /vm/<uuid> that a restart under the
 * same UUID has just written.
 */
static void policy_store_remove(uint32_t domid, const char *name)
{
	struct store_client *sc = NULL;
	char err[256];
	int rc = policy_store_open(&sc, 0, err, sizeof(err));

	if (rc == 0)
		rc = domain_store_remove(sc, domid);
	if (rc)
		log_warn("domain %u (%s): store nodes not removed: %s", domid, name,
			 sc ? strerror(-rc) : err);
	if (sc)
		store_client_close(sc);
}

int policy_restart_ready(const struct dyad_domain_config *cfg, unsigned int store_wait_ms,
			 char *why, size_t whylen)
{
	struct store_client *sc = NULL;
	char err[256], *val = NULL;
	int rc;

	if (access(cfg->kernel, R_OK) < 0) {
		rc = -errno;
		snprintf(why, whylen, "its kernel %s is not readable: %s", cfg->kernel,
			 strerror(-rc));
		return rc;
	}
	rc = policy_store_open(&sc, store_wait_ms, err, sizeof(err));
	if (rc) {
		snprintf(why, whylen, "%s", err);
		return rc;
	}
	/* Connected is not answering: one cheap request. */
	rc = store_client_read(sc, 0, "/local/domain/0/name", &val, NULL);
	free(val);
	store_client_close(sc);
	if (rc == -ENOENT)
		rc = 0;
	if (rc)
		snprintf(why, whylen, "the store does not answer: %s", strerror(-rc));
	return rc;
}

static int policy_destroy(struct ctl_client *c, uint32_t domid, const char *name)
{
	int rc = ctl_destroy(c, domid);

	if (rc && rc != -ESRCH) {
		log_err("domain %u (%s): destroy failed: %s", domid, name, strerror(-rc));
		return rc;
	}
	dyad_record_remove(domid);
	policy_store_remove(domid, name);
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

struct policy_plan policy_plan_of(enum dyad_action a)
{
	switch (a) {
	case DYAD_ACTION_DESTROY:
		return (struct policy_plan){.destroy = true};
	case DYAD_ACTION_RESTART:
		return (struct policy_plan){.destroy = true, .restart = true};
	case DYAD_ACTION_RENAME_RESTART:
		return (struct policy_plan){.rename = true, .restart = true};
	case DYAD_ACTION_COREDUMP_DESTROY:
		return (struct policy_plan){.dump = true, .destroy = true};
	case DYAD_ACTION_COREDUMP_RESTART:
		return (struct policy_plan){.dump = true, .destroy = true, .restart = true};
	case DYAD_ACTION_PRESERVE:
	default:
		return (struct policy_plan){0};
	}
}

void policy_renamed(const char *name, uint32_t domid, char out[DYAD_NAME_MAX])
{
	char suffix[16];
	int keep, n = snprintf(suffix, sizeof(suffix), "-%u", domid);

	keep = (int)DYAD_NAME_MAX - 1 - n;
	snprintf(out, DYAD_NAME_MAX, "%.*s%s", keep, name, suffix);
}

static void policy_dump(struct ctl_client *c, uint32_t domid, const char *name)
{
	char path[PATH_MAX], err[PATH_MAX + 128] = "";
	int rc = coredump_default_path(name, domid, path, sizeof(path));

	if (rc) {
		log_err("domain %u (%s): no place for its core dump: %s; going on without one",
			domid, name, strerror(-rc));
		return;
	}
	if (coredump_domain(c, domid, path, err, sizeof(err)))
		log_err("domain %u (%s): core dump failed: %s; going on without one", domid, name,
			err);
	else
		log_info("domain %u (%s): core dumped to %s", domid, name, path);
}

/*
 * In one transaction (libxl_domain_preserve's store part): /vm/<uuid> with
 * perms n0 rN, its name and uuid; /local/domain/N/vm pointing at it and
 * /local/domain/N/name; the old vm path, which the rebuilt domain takes
 * over, goes.
 */
static int policy_rename_txn(struct store_client *s, uint32_t tx, uint32_t domid,
			     const char *newname, const uint8_t uuid[16], const char *oldvm)
{
	char vm[64], node[128], us[37], rperm[16];
	const char *perms[] = {"n0", rperm};
	int rc;

	domain_store_vm_path(uuid, vm, sizeof(vm));
	uuid_unparse_lower(uuid, us);
	snprintf(rperm, sizeof(rperm), "r%u", domid);
	rc = store_client_mkdir(s, tx, vm);
	if (!rc)
		rc = store_client_set_perms(s, tx, vm, perms, 2);
	snprintf(node, sizeof(node), "%s/name", vm);
	if (!rc)
		rc = store_client_write(s, tx, node, newname, strlen(newname));
	snprintf(node, sizeof(node), "%s/uuid", vm);
	if (!rc)
		rc = store_client_write(s, tx, node, us, strlen(us));
	snprintf(node, sizeof(node), "/local/domain/%u/vm", domid);
	if (!rc)
		rc = store_client_write(s, tx, node, vm, strlen(vm));
	snprintf(node, sizeof(node), "/local/domain/%u/name", domid);
	if (!rc)
		rc = store_client_write(s, tx, node, newname, strlen(newname));
	if (!rc && oldvm[0] && strcmp(oldvm, vm) != 0) {
		rc = store_client_rm(s, tx, oldvm);
		if (rc == -ENOENT)
			rc = 0;
	}
	return rc;
}

/* Move domid's store nodes to its new name and UUID, if the store answers. */
static void policy_rename_store(uint32_t domid, const char *name, const char *newname,
				const uint8_t uuid[16], const uint8_t olduuid[16])
{
	struct store_client *s = NULL;
	char err[256], oldvm[64];
	uint32_t tx;
	int rc = policy_store_open(&s, 0, err, sizeof(err));

	if (rc) {
		log_warn("domain %u (%s): %s; its store nodes keep the old name and UUID", domid,
			 name, err);
		return;
	}
	domain_store_vm_path(olduuid, oldvm, sizeof(oldvm));
	for (unsigned int i = 0; i < 5; i++) {
		rc = store_client_txn_start(s, &tx);
		if (rc)
			break;
		rc = policy_rename_txn(s, tx, domid, newname, uuid, oldvm);
		if (rc) {
			(void)!store_client_txn_end(s, tx, false);
			break;
		}
		rc = store_client_txn_end(s, tx, true);
		if (rc != -EAGAIN)
			break;
	}
	if (rc)
		log_warn("domain %u (%s): cannot move its store nodes to %s: %s", domid, name,
			 newname, strerror(-rc));
	store_client_close(s);
}

/*
 * Rename the old domain out of the way, with a fresh UUID, and keep it.
 * Its record follows: the new name and UUID, and preserve for everything,
 * so that reconciling after a reconnection leaves it alone.
 */
static int policy_rename(struct ctl_client *c, uint32_t domid, const struct dyad_domain_config *cfg)
{
	struct dyad_domain_config kept = *cfg;
	char newname[DYAD_NAME_MAX];
	int rc;

	policy_renamed(cfg->name, domid, newname);
	uuid_generate(kept.uuid);
	rc = ctl_rename(c, domid, newname, kept.uuid);
	if (rc) {
		log_err("domain %u (%s): cannot rename it %s: %s; leaving it as it is", domid,
			cfg->name, newname, strerror(-rc));
		return rc;
	}
	policy_rename_store(domid, cfg->name, newname, kept.uuid, cfg->uuid);
	snprintf(kept.name, sizeof(kept.name), "%s", newname);
	kept.on_poweroff = kept.on_reboot = kept.on_crash = DYAD_ACTION_PRESERVE;
	rc = dyad_record_save(domid, &kept);
	if (rc)
		log_warn("domain %u (%s): cannot update its record: %s", domid, newname,
			 strerror(-rc));
	log_info("domain %u (%s): renamed %s and kept", domid, cfg->name, newname);
	return 0;
}

static struct policy_retry *policy_retry_find(struct policy *p, uint32_t domid)
{
	for (unsigned int i = 0; i < POLICY_RETRY_SLOTS; i++)
		if (p->retry[i].used && p->retry[i].domid == domid)
			return &p->retry[i];
	return NULL;
}

bool policy_defer(struct policy *p, uint32_t domid, uint64_t now_ms)
{
	struct policy_retry *r = policy_retry_find(p, domid);

	for (unsigned int i = 0; !r && i < POLICY_RETRY_SLOTS; i++)
		if (!p->retry[i].used)
			r = &p->retry[i];
	if (!r)
		return false; /* more domains waiting than slots: give up on this one */
	if (!r->used)
		*r = (struct policy_retry){.used = true, .domid = domid};
	r->deferred = true;
	if (++r->attempts > POLICY_RETRY_ATTEMPTS) {
		r->used = false;
		return false;
	}
	r->due_ms = now_ms + POLICY_RETRY_MS;
	return true;
}

int policy_timeout_ms(const struct policy *p, uint64_t now_ms)
{
	int t = -1;

	for (unsigned int i = 0; i < POLICY_RETRY_SLOTS; i++) {
		const struct policy_retry *r = &p->retry[i];
		int left;

		if (!r->used)
			continue;
		left = r->due_ms <= now_ms ? 0 : (int)(r->due_ms - now_ms);
		if (t < 0 || left < t)
			t = left;
	}
	return t;
}

/*
 * A restart needs the store and the kernel.  Checked before anything is
 * done to the domain: a restart that cannot rebuild must not destroy.
 * false: the domain stays shut down (retried later, or given up on).
 */
static bool policy_restart_check(struct policy *p, uint32_t domid,
				 const struct dyad_domain_config *cfg, uint64_t now_ms)
{
	char why[512];

	if (policy_restart_ready(cfg, POLICY_STORE_WAIT_MS, why, sizeof(why)) == 0)
		return true;
	if (policy_defer(p, domid, now_ms))
		log_warn("domain %u (%s): cannot restart it yet: %s; leaving it shut down, "
			 "trying again in %u s",
			 domid, cfg->name, why, POLICY_RETRY_MS / 1000);
	else
		log_err("domain %u (%s): cannot restart it: %s; given up after %u tries, "
			"leaving it shut down",
			domid, cfg->name, why, POLICY_RETRY_ATTEMPTS);
	return false;
}

/* The plan's steps, in order; the first failure ends it. */
static void policy_carry_out(struct policy *p, struct ctl_client *c, uint32_t domid,
			     const struct dyad_domain_config *cfg, const struct policy_plan *plan,
			     uint64_t now_ms)
{
	uint32_t newid;

	if (plan->restart && !policy_restart_check(p, domid, cfg, now_ms))
		return;
	if (plan->dump)
		policy_dump(c, domid, cfg->name);
	if (plan->restart && !policy_restart_allowed(p, cfg->name, now_ms)) {
		log_err("domain %u (%s): restarted more than %u times within %u s; not restarting "
			"it again, leaving it shut down",
			domid, cfg->name, POLICY_RESTART_BURST, POLICY_RESTART_WINDOW_MS / 1000);
		return;
	}
	if (plan->rename && policy_rename(c, domid, cfg))
		return;
	if (plan->destroy && policy_destroy(c, domid, cfg->name))
		return;
	if (plan->restart && policy_rebuild(c, cfg, &newid) == 0)
		log_info("domain %s restarted as domain %u", cfg->name, newid);
}

static void policy_apply(struct policy *p, uint32_t domid, const struct dyad_domain_config *cfg,
			 enum dyad_action action, uint64_t now_ms)
{
	struct policy_plan plan = policy_plan_of(action);
	struct ctl_client *c;
	int rc;

	if (!plan.dump && !plan.rename && !plan.destroy && !plan.restart) {
		log_info("domain %u (%s): preserved as it is", domid, cfg->name);
		return;
	}
	rc = ctl_client_open(rundir_path(), &c);
	if (rc) {
		log_err("domain %u (%s): cannot reach the core: %s", domid, cfg->name,
			strerror(-rc));
		return;
	}
	policy_carry_out(p, c, domid, cfg, &plan, now_ms);
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

/* A deferred domain is due: act on it as it is now (it may be gone or running). */
static void policy_retry_one(struct policy *p, struct ctl_client *c, struct policy_retry *r,
			     uint64_t now_ms)
{
	struct dyad_ctl_dominfo d;

	r->deferred = false;
	if (ctl_info(c, r->domid, &d) == 0)
		policy_handle_dominfo(p, &d, now_ms);
	if (!r->deferred) /* acted on, gone, or no longer shut down */
		r->used = false;
}

void policy_tick(struct policy *p, uint64_t now_ms)
{
	struct ctl_client *c = NULL;

	for (unsigned int i = 0; i < POLICY_RETRY_SLOTS; i++) {
		struct policy_retry *r = &p->retry[i];

		if (!r->used || r->due_ms > now_ms)
			continue;
		if (!c && ctl_client_open(rundir_path(), &c)) {
			r->due_ms = now_ms + POLICY_RETRY_MS; /* the core is away: later */
			continue;
		}
		policy_retry_one(p, c, r, now_ms);
	}
	if (c)
		ctl_client_close(c);
}
