/*
 * The domain table and domain lifecycle (see domain.h).
 *
 * Creation order matters for KVM: the RAM memslot is registered before
 * KVM_CREATE_IRQCHIP (a memslot change after it costs an RCU grace period,
 * ~7.6 ms here), then the MSR filter that makes hypercall-page writes exit,
 * then the vCPUs, then shared_info (its time fields need a vCPU to read the
 * guest TSC), and only then the vCPU threads.  Every step is undone by
 * domain_free(), which tolerates a half-built domain, so a failed create
 * leaves nothing behind.
 */
#include "domain.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dyad/abi.h>
#include <dyad/xen.h>
#include "kvm.h"
#include "log.h"
#include "notify.h"
#include "shinfo_time.h"
#include "vm_spare.h"

#define DOMAIN_ID_LIMIT DOMID_FIRST_RESERVED /* 0x7ff0: Xen's special ids start here */

static struct {
	struct domain *slot[DYAD_MAX_DOMAINS];
	unsigned int count;
	uint32_t next_id;
} domains = {.next_id = 1};

/* Writers (insert/remove) are preferred so that busy readers cannot starve destroy. */
static pthread_rwlock_t domain_table_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

void domain_table_rdlock(void)
{
	pthread_rwlock_rdlock(&domain_table_lock);
}

void domain_table_unlock(void)
{
	pthread_rwlock_unlock(&domain_table_lock);
}

/* The name, copied under the lock (RENAME may change it; lock not held). */
static void domain_name_copy(struct domain *d, char name[DYAD_NAME_MAX])
{
	pthread_mutex_lock(&d->lock);
	memcpy(name, d->name, DYAD_NAME_MAX);
	pthread_mutex_unlock(&d->lock);
}

void domain_uuid_copy(struct domain *d, uint8_t uuid[16])
{
	pthread_mutex_lock(&d->lock);
	memcpy(uuid, d->uuid, sizeof(d->uuid));
	pthread_mutex_unlock(&d->lock);
}

static void domain_post(struct domain *d, uint32_t kind, uint32_t reason)
{
	struct dyad_ctl_event ev = {.kind = kind, .domid = d->id, .reason = reason};

	domain_uuid_copy(d, ev.uuid);
	domain_name_copy(d, ev.name);
	notify_post(&ev);
}

struct domain *domain_find(uint32_t id)
{
	for (unsigned int i = 0; i < DYAD_MAX_DOMAINS; i++)
		if (domains.slot[i] && domains.slot[i]->id == id)
			return domains.slot[i];
	return NULL;
}

struct domain *domain_next(uint32_t after)
{
	struct domain *best = NULL;

	for (unsigned int i = 0; i < DYAD_MAX_DOMAINS; i++) {
		struct domain *d = domains.slot[i];

		if (d && d->id > after && (!best || d->id < best->id))
			best = d;
	}
	return best;
}

unsigned int domain_count(void)
{
	return domains.count;
}

static struct domain *domain_find_name(const char *name)
{
	for (unsigned int i = 0; i < DYAD_MAX_DOMAINS; i++)
		if (domains.slot[i] && strcmp(domains.slot[i]->name, name) == 0)
			return domains.slot[i];
	return NULL;
}

/* Only the control loop writes a UUID, so it reads them without the locks. */
static struct domain *domain_find_uuid(const uint8_t uuid[16])
{
	for (unsigned int i = 0; i < DYAD_MAX_DOMAINS; i++)
		if (domains.slot[i] && memcmp(domains.slot[i]->uuid, uuid, 16) == 0)
			return domains.slot[i];
	return NULL;
}

/* The next free id, counting upward from the last one handed out. */
static uint32_t domain_alloc_id(void)
{
	for (;;) {
		uint32_t id = domains.next_id++;

		if (domains.next_id >= DOMAIN_ID_LIMIT)
			domains.next_id = 1;
		if (!domain_find(id))
			return id;
	}
}

int domain_check_create(const struct dyad_ctl_create *req, const char **why)
{
	*why = NULL;
	if (ctl_msg_check_name(req->name, sizeof(req->name)))
		*why = "bad domain name (1-63 of [A-Za-z0-9_.-], not all digits)";
	else if (domain_find_name(req->name))
		return *why = "a domain with this name exists", -EEXIST;
	else if (req->mem_mb < DYAD_MIN_MEM_MB || req->mem_mb > DYAD_MAX_MEM_MB)
		*why = "memory size out of range";
	else if (req->mem_mb > DOMAIN_APIC_ACCESS_MAX_MEM_MB && kvm_has_apic_access_page())
		*why = "more than 4078 MiB of RAM would overlap KVM's APIC-access page at "
		       "0xfee00000 on this host (VT-x/AVIC)";
	else if (req->vcpus < 1 || req->vcpus > DYAD_MAX_VCPUS)
		*why = "vCPU count out of range";
	else if (req->flags & ~DYAD_CREATE_F_RING3)
		*why = "unknown create flags";
	else if (domains.count >= DYAD_MAX_DOMAINS)
		return *why = "too many domains", -ENOSPC;
	return *why ? -EINVAL : 0;
}

/*
 * Release whatever a (possibly half-built) domain holds.  Every vCPU thread
 * is joined before any vCPU is released: a thread still running may kick a
 * sibling (VCPUOP_down, a crash), which touches the sibling's kvm_run.
 */
static void domain_free(struct domain *d)
{
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		vcpu_join(&d->vcpus[i]);
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		vcpu_release(&d->vcpus[i]);
	evtchn_fini(d);
	gnttab_fini(d);
	kvm_vm_close(d->vm_fd);
	mem_destroy(&d->mem);
	stream_fini(&d->console);
	pthread_cond_destroy(&d->parked);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static void domain_init_sync(struct domain *d)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->parked, &ca);
	pthread_condattr_destroy(&ca);
}

static struct domain *domain_alloc(const struct dyad_ctl_create *req)
{
	struct domain *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->id = domain_alloc_id();
	memcpy(d->name, req->name, sizeof(d->name));
	memcpy(d->uuid, req->uuid, sizeof(d->uuid));
	d->flags = req->flags;
	d->mem_mb = req->mem_mb;
	d->mem = (struct mem)MEM_INIT;
	d->vm_fd = -1;
	d->gnttab.act_fd = -1;
	d->tsc_khz = kvm_host_tsc_khz(); /* guests read the host TSC (see abi.h) */
	d->life = DYAD_DOMAIN_STATE_RUNNING;
	d->paused = true;
	d->shutdown_code = DOMAIN_SHUTDOWN_CODE_NONE;
	domain_init_sync(d);
	return d;
}

/* The grant-map windows: two more memslots, also before the irqchip. */
static int domain_build_gntmap(struct domain *d)
{
	int rc = gnttab_init(d);

	if (!rc)
		rc = kvm_vm_set_region(d->vm_fd, 1, DYAD_GNTMAP_BASE, d->gnttab.window,
				       DYAD_GNTMAP_SIZE, 0);
	if (!rc)
		rc = kvm_vm_set_region(
			d->vm_fd, 2, DYAD_GNTMAP_RO_BASE, d->gnttab.window + DYAD_GNTMAP_SIZE,
			DYAD_GNTMAP_END - DYAD_GNTMAP_RO_BASE, kvm_has_readonly_mem());
	return rc;
}

/* RAM, the VM (its MSR filter already set: vm_spare.h), memslots before irqchip. */
static int domain_build_vm(struct domain *d)
{
	char name[32];
	int rc;

	snprintf(name, sizeof(name), "dyad-dom%u", d->id);
	rc = mem_create(&d->mem, d->mem_mb << 20, name);
	if (!rc)
		rc = stream_init(&d->console);
	if (!rc)
		rc = vm_spare_take(&d->vm_fd);
	if (!rc)
		rc = kvm_vm_set_ram(d->vm_fd, d->mem.host, d->mem.size);
	if (!rc)
		rc = domain_build_gntmap(d);
	if (!rc)
		rc = kvm_vm_create_irqchip(d->vm_fd);
	return rc;
}

/* nr_vcpus counts a vCPU before vcpu_init, so teardown closes a half-made one. */
static int domain_build_vcpus(struct domain *d, uint32_t n)
{
	int rc = 0;

	for (uint32_t i = 0; i < n && !rc; i++) {
		d->nr_vcpus = i + 1;
		rc = vcpu_init(&d->vcpus[i], d, i);
	}
	return rc;
}

static int domain_start_vcpus(struct domain *d)
{
	int rc = 0;

	for (uint32_t i = 0; i < d->nr_vcpus && !rc; i++)
		rc = vcpu_start(&d->vcpus[i]);
	return rc;
}

/*
 * shared_info at its fixed frame with its time fields (what Xen does when
 * the guest places it).  vCPU 0's thread has not started, so this thread
 * may ask its fd for the guest's TSC.
 */
static int domain_place_shared_info(struct domain *d)
{
	uint64_t tsc;
	int rc = kvm_vcpu_get_msr(d->vcpus[0].fd, X86_MSR_TSC, &tsc);

	if (!rc)
		rc = evtchn_set_shared_info(d, DYAD_BOOT_SHARED_INFO);
	if (!rc)
		shinfo_time_init(
			(struct shared_info *)(void *)(d->mem.host + DYAD_BOOT_SHARED_INFO),
			d->nr_vcpus, d->tsc_khz, tsc);
	return rc;
}

static void domain_insert(struct domain *d)
{
	pthread_rwlock_wrlock(&domain_table_lock);
	for (unsigned int i = 0; i < DYAD_MAX_DOMAINS; i++) {
		if (!domains.slot[i]) {
			domains.slot[i] = d;
			domains.count++;
			break;
		}
	}
	pthread_rwlock_unlock(&domain_table_lock);
}

/* Mark the domain dying and wake every vCPU so its thread exits. */
static void domain_stop_vcpus(struct domain *d, enum dyad_domain_state life)
{
	pthread_mutex_lock(&d->lock);
	d->life = life;
	pthread_cond_broadcast(&d->cond);
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		vcpu_kick(&d->vcpus[i]);
	pthread_mutex_unlock(&d->lock);
}

/* Destroy a domain that is not (or no longer) in the table. */
static void domain_destroy_unlisted(struct domain *d)
{
	domain_stop_vcpus(d, DYAD_DOMAIN_STATE_DYING);
	domain_free(d);
}

int domain_create(const struct dyad_ctl_create *req, struct domain **out)
{
	const char *why;
	struct domain *d;
	int rc = domain_check_create(req, &why);

	if (rc)
		return rc;
	d = domain_alloc(req);
	if (!d)
		return -ENOMEM;
	rc = domain_build_vm(d);
	if (!rc)
		rc = evtchn_init(d, req->vcpus);
	if (!rc)
		rc = domain_build_vcpus(d, req->vcpus);
	if (!rc)
		rc = domain_place_shared_info(d);
	if (!rc)
		rc = domain_start_vcpus(d);
	if (rc) {
		log_err("create %s: %s", req->name, strerror(-rc));
		domain_destroy_unlisted(d);
		return rc;
	}
	domain_insert(d);
	log_info("domain %u (%s) created: %" PRIu64 " MiB, %u vCPUs%s", d->id, d->name, d->mem_mb,
		 d->nr_vcpus, d->flags & DYAD_CREATE_F_RING3 ? ", ring-3 runtime" : "");
	domain_post(d, DYAD_EVENT_CREATED, 0);
	*out = d;
	return 0;
}

static void domain_remove(struct domain *d)
{
	pthread_rwlock_wrlock(&domain_table_lock);
	for (unsigned int i = 0; i < DYAD_MAX_DOMAINS; i++) {
		if (domains.slot[i] == d) {
			domains.slot[i] = NULL;
			domains.count--;
		}
	}
	pthread_rwlock_unlock(&domain_table_lock);
}

void domain_destroy(struct domain *d)
{
	char name[DYAD_NAME_MAX];
	uint32_t reason;

	domain_remove(d);
	pthread_mutex_lock(&d->lock); /* vCPU threads still run: SCHEDOP_shutdown writes it */
	reason = d->shutdown_reason;
	memcpy(name, d->name, sizeof(name));
	pthread_mutex_unlock(&d->lock);
	domain_post(d, DYAD_EVENT_DESTROYED, reason);
	log_info("domain %u (%s) destroyed", d->id, name);
	domain_destroy_unlisted(d);
}

void domain_destroy_all(void)
{
	struct domain *d;

	while ((d = domain_next(0)) != NULL)
		domain_destroy(d);
}

/* Wake the vCPU threads after a change of what they may do (lock held). */
static void domain_kick_all(struct domain *d)
{
	pthread_cond_broadcast(&d->cond);
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		vcpu_kick(&d->vcpus[i]);
}

/* Every started vCPU thread is parked (lock held). */
static bool domain_all_parked(struct domain *d)
{
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		if (!vcpu_parked(&d->vcpus[i]))
			return false;
	return true;
}

int domain_wait_parked(struct domain *d)
{
	struct timespec dl;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += DOMAIN_PARK_TIMEOUT_MS / 1000u;
	dl.tv_nsec += (long)(DOMAIN_PARK_TIMEOUT_MS % 1000u) * 1000000L;
	if (dl.tv_nsec >= 1000000000L)
		dl.tv_sec++, dl.tv_nsec -= 1000000000L;
	pthread_mutex_lock(&d->lock);
	while (!domain_all_parked(d) && rc == 0)
		rc = pthread_cond_timedwait(&d->parked, &d->lock, &dl);
	if (rc == ETIMEDOUT && domain_all_parked(d))
		rc = 0;
	pthread_mutex_unlock(&d->lock);
	if (rc)
		log_warn("domain %u: a vCPU did not stop within %u ms", d->id,
			 DOMAIN_PARK_TIMEOUT_MS);
	return rc ? -ETIMEDOUT : 0;
}

int domain_pause(struct domain *d)
{
	pthread_mutex_lock(&d->lock);
	d->paused = true;
	domain_kick_all(d);
	pthread_mutex_unlock(&d->lock);
	return domain_wait_parked(d);
}

int domain_unpause(struct domain *d)
{
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	if (d->life == DYAD_DOMAIN_STATE_RUNNING && !d->vcpus[0].initialised)
		rc = -EINVAL; /* nothing to run: the builder has not set vCPU 0 */
	else
		d->paused = false;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	return rc;
}

int domain_set_shutdown_code(struct domain *d, uint32_t reason)
{
	if (reason > SHUTDOWN_watchdog)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	if (d->shutdown_code == DOMAIN_SHUTDOWN_CODE_NONE)
		d->shutdown_code = reason; /* Xen: the first code stands */
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int domain_shutdown(struct domain *d, uint32_t reason)
{
	char name[DYAD_NAME_MAX];
	bool crash;

	if (reason > SHUTDOWN_watchdog)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	if (d->life != DYAD_DOMAIN_STATE_RUNNING) {
		pthread_mutex_unlock(&d->lock);
		return 0; /* already shut down: the first reason stands, as in Xen */
	}
	/* Xen's domain_shutdown: a recorded shutdown code wins over the reason. */
	if (d->shutdown_code != DOMAIN_SHUTDOWN_CODE_NONE)
		reason = d->shutdown_code;
	crash = reason == SHUTDOWN_crash;
	d->life = crash ? DYAD_DOMAIN_STATE_CRASHED : DYAD_DOMAIN_STATE_SHUTDOWN;
	d->shutdown_reason = reason;
	memcpy(name, d->name, sizeof(name));
	domain_kick_all(d);
	pthread_mutex_unlock(&d->lock);
	log_info("domain %u (%s) %s (reason %u)", d->id, name, crash ? "crashed" : "shut down",
		 reason);
	domain_post(d, crash ? DYAD_EVENT_CRASHED : DYAD_EVENT_SHUTDOWN, reason);
	return 0;
}

static struct log_ratelimit domain_crash_rl = LOG_RATELIMIT_INIT(5000, 20);

void domain_crash(struct domain *d, const char *fmt, ...)
{
	char why[512], name[DYAD_NAME_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	domain_name_copy(d, name);
	log_rl(&domain_crash_rl, LOG_LEVEL_ERR, "domain %u (%s) crashed: %s", d->id, name, why);
	if (domain_shutdown(d, SHUTDOWN_crash))
		return;
}

bool domain_alive(struct domain *d)
{
	bool alive;

	pthread_mutex_lock(&d->lock);
	alive = d->life == DYAD_DOMAIN_STATE_RUNNING;
	pthread_mutex_unlock(&d->lock);
	return alive;
}

/* The client-visible state (lock held). */
static uint32_t domain_visible_state(struct domain *d, uint32_t *online)
{
	bool running = false;

	*online = 0;
	for (uint32_t i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = &d->vcpus[i];

		*online += v->up;
		running |= v->up && (v->state != VCPU_STATE_BLOCKED || vcpu_woke_in_kernel(v));
	}
	if (d->life != DYAD_DOMAIN_STATE_RUNNING)
		return d->life;
	if (d->paused)
		return DYAD_DOMAIN_STATE_PAUSED;
	return running ? DYAD_DOMAIN_STATE_RUNNING : DYAD_DOMAIN_STATE_BLOCKED;
}

void domain_info(struct domain *d, struct dyad_ctl_dominfo *out)
{
	uint64_t cpu = 0;

	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		cpu += vcpu_cpu_time_ns(&d->vcpus[i]);
	pthread_mutex_lock(&d->lock);
	out->state = domain_visible_state(d, &out->vcpus_online);
	out->shutdown_reason = d->shutdown_reason;
	memcpy(out->name, d->name, sizeof(out->name));
	pthread_mutex_unlock(&d->lock);
	out->domid = d->id;
	out->flags = d->flags;
	out->vcpus = d->nr_vcpus;
	out->mem_mb = d->mem_mb;
	out->cpu_time_ns = cpu;
	domain_uuid_copy(d, out->uuid);
}

static bool domain_uuid_is_nil(const uint8_t uuid[16])
{
	static const uint8_t nil[16];

	return memcmp(uuid, nil, sizeof(nil)) == 0;
}

int domain_check_rename(struct domain *d, const char *name, size_t cap, const uint8_t *uuid,
			const char **why)
{
	struct domain *other;

	*why = NULL;
	if (ctl_msg_check_name(name, cap))
		return *why = "bad domain name (1-63 of [A-Za-z0-9_.-], not all digits)", -EINVAL;
	other = domain_find_name(name);
	if (other && other != d)
		return *why = "another domain has this name", -EEXIST;
	if (uuid && domain_uuid_is_nil(uuid))
		return *why = "the all-zero UUID is not a domain's UUID", -EINVAL;
	other = uuid ? domain_find_uuid(uuid) : NULL;
	if (other && other != d)
		return *why = "another domain has this UUID", -EEXIST;
	return 0;
}

int domain_rename(struct domain *d, const char *name, size_t cap, const uint8_t *uuid,
		  const char **why)
{
	int rc = domain_check_rename(d, name, cap, uuid, why);

	if (rc)
		return rc;
	pthread_mutex_lock(&d->lock);
	memset(d->name, 0, sizeof(d->name));
	memcpy(d->name, name, strnlen(name, cap));
	if (uuid)
		memcpy(d->uuid, uuid, sizeof(d->uuid));
	pthread_mutex_unlock(&d->lock);
	log_info("domain %u renamed %s%s", d->id, name, uuid ? " with a new UUID" : "");
	return 0;
}

/*
 * Are d's vCPUs still for a dump (lock held)?  A paused domain had its one
 * bounded wait in PAUSE; a dead one gets one per domain here (its vCPUs
 * were kicked when it died), so the control loop never waits per vCPU.
 */
static int domain_dump_ready(struct domain *d)
{
	bool dead = d->life != DYAD_DOMAIN_STATE_RUNNING;
	int rc;

	if (!dead && !d->paused)
		return -EBUSY;
	if (domain_all_parked(d))
		return 0;
	if (!dead || d->dump_waited)
		return -EAGAIN;
	d->dump_waited = true;
	pthread_mutex_unlock(&d->lock);
	rc = domain_wait_parked(d); /* stopped vCPUs stay parked */
	pthread_mutex_lock(&d->lock);
	return rc ? -EAGAIN : 0;
}

int domain_get_vcpu_context(struct domain *d, uint32_t vcpu, struct dyad_vcpu_regs *regs,
			    bool *online)
{
	struct vcpu_x86_state st;
	int rc;

	if (vcpu >= d->nr_vcpus)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	rc = domain_dump_ready(d);
	if (!rc) {
		*online = vcpu_parked_context(&d->vcpus[vcpu], &st);
	}
	pthread_mutex_unlock(&d->lock);
	if (!rc)
		vcpu_x86_to_ctl(&st, regs);
	return rc;
}
