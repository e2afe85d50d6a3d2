/*
 * The domain lifecycle policy dyad-dom0 applies when the core reports a
 * shutdown (libxl's on_poweroff / on_reboot / on_crash handling, which xl
 * runs in a per-domain daemon; here one supervisor does it for all).
 *
 * The mapping from a core event to the configured action is a pure
 * function, and so is the restart-loop guard: xl would restart a domain
 * that reboots at once forever, but a supervisor must not spin, so more
 * than POLICY_RESTART_BURST restarts of one name within
 * POLICY_RESTART_WINDOW_MS leave the domain shut down instead.
 */
#ifndef DYAD_DOM0_POLICY_H
#define DYAD_DOM0_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_msg.h"
#include "libdyad.h"

#define POLICY_RESTART_BURST	 5u
#define POLICY_RESTART_WINDOW_MS 10000u
#define POLICY_GUARD_SLOTS	 64u

/* Every store connection policy opens gives up on a request after this. */
#define POLICY_STORE_TIMEOUT_MS 5000u
/* Before a restart: how long a store that is (re)starting is waited for. */
#define POLICY_STORE_WAIT_MS 500u
/* A restart whose needs are missing is tried again this often, this many times. */
#define POLICY_RETRY_MS	      3000u
#define POLICY_RETRY_ATTEMPTS 5u
#define POLICY_RETRY_SLOTS    16u

/* Why a domain's life ended, as far as policy is concerned. */
enum policy_trigger {
	POLICY_TRIGGER_NONE,	 /* not an end (created, suspend, soft reset, ...) */
	POLICY_TRIGGER_GONE,	 /* destroyed: drop its record */
	POLICY_TRIGGER_POWEROFF, /* -> on_poweroff */
	POLICY_TRIGGER_REBOOT,	 /* -> on_reboot */
	POLICY_TRIGGER_CRASH,	 /* -> on_crash */
	POLICY_TRIGGER_WATCHDOG, /* -> xl's on_watchdog default: destroy */
};

struct policy_guard_slot {
	char name[DYAD_NAME_MAX];
	uint64_t times[POLICY_RESTART_BURST]; /* ring of recent restarts */
	unsigned int count;
	uint64_t last_ms;
};

/* A domain left shut down because its restart could not be done yet. */
struct policy_retry {
	bool used;
	bool deferred; /* policy_defer() ran for it during this retry */
	uint32_t domid;
	unsigned int attempts;
	uint64_t due_ms;
};

struct policy {
	struct policy_guard_slot guard[POLICY_GUARD_SLOTS];
	struct policy_retry retry[POLICY_RETRY_SLOTS];
};

/* The trigger an event (DYAD_EVENT_*, SHUTDOWN_* reason) stands for. */
enum policy_trigger policy_trigger_of(uint32_t kind, uint32_t reason);
/* The same for a domain found in the SHUTDOWN or CRASHED state. */
enum policy_trigger policy_trigger_of_info(const struct dyad_ctl_dominfo *d);
/*
 * The configured action for a trigger that ends a domain's life.  Configs
 * carry no on_watchdog yet, so a watchdog expiry gets xl's default, destroy.
 */
enum dyad_action policy_action_for(enum policy_trigger t, const struct dyad_domain_config *cfg);
const char *policy_trigger_name(enum policy_trigger t);

/*
 * What an on_* action does, in this order (xl's handle_domain_death):
 *   dump     write an ELF core to RUNDIR/dump/<name>-<domid>.core; a failed
 *            dump is logged and the rest goes on ("no point crying over
 *            spilled milk", xl_vmcontrol.c);
 *   rename   rename the old domain <name>-<domid> (core and store) and keep it;
 *   destroy  destroy the old domain and drop its record;
 *   restart  build the config again under its name (restart-loop guarded:
 *            a refused restart happens before rename/destroy, so the domain
 *            is left as it is).
 */
struct policy_plan {
	bool dump, rename, destroy, restart;
};

struct policy_plan policy_plan_of(enum dyad_action a);

/*
 * The name rename-restart gives the old domain: "<name>-<domid>", with
 * name shortened if needed so that it fits DYAD_NAME_MAX.
 */
void policy_renamed(const char *name, uint32_t domid, char out[DYAD_NAME_MAX]);

/* May `name` be restarted at now_ms?  Records the restart when it may. */
bool policy_restart_allowed(struct policy *p, const char *name, uint64_t now_ms);

/*
 * Can cfg be built again now?  Its kernel is readable and the store
 * ($XENSTORED_PATH, else RUNDIR/store.sock; a socket that is missing or
 * refusing is waited for up to store_wait_ms) answers a request.  0, or
 * -errno with why saying what is missing.
 */
int policy_restart_ready(const struct dyad_domain_config *cfg, unsigned int store_wait_ms,
			 char *why, size_t whylen) __attribute__((warn_unused_result));

/*
 * Leave domid shut down and try its policy again at now_ms +
 * POLICY_RETRY_MS.  false once it has been deferred POLICY_RETRY_ATTEMPTS
 * times (or no slot is free): give up, it stays shut down.
 */
bool policy_defer(struct policy *p, uint32_t domid, uint64_t now_ms);
/* ms until the next deferred domain is due (0: now), -1 if none. */
int policy_timeout_ms(const struct policy *p, uint64_t now_ms);
/* Act on every deferred domain that is due, as it is now (from the supervisor's loop). */
void policy_tick(struct policy *p, uint64_t now_ms);

/* Handle one event from the core: look up the record, act, log. */
void policy_handle_event(struct policy *p, const struct dyad_ctl_event *ev, uint64_t now_ms);

/* Apply policy to a domain found already shut down or crashed (missed event). */
void policy_handle_dominfo(struct policy *p, const struct dyad_ctl_dominfo *d, uint64_t now_ms);

#endif /* DYAD_DOM0_POLICY_H */
