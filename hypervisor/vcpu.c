/*
 * vCPU threads and the KVM exit switch (see vcpu.h for the state machine).
 *
 * The loop: wait until the vCPU may run (parked on the domain's condition
 * variable otherwise), load a pending register state or enter the halted
 * state if asked, KVM_RUN, then handle the exit.  Kicks use
 * kvm_run.immediate_exit plus SIGUSR1: a kick that lands before KVM_RUN
 * makes it return -EINTR at once, one that lands inside interrupts it.
 * The thread clears immediate_exit before it re-reads its state under the
 * lock, and a kicker changes the state under the lock before it sets
 * immediate_exit, so no kick is lost.
 */
#include "vcpu.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dyad/abi.h>
#include "domain.h"
#include "evtchn.h"
#include "hypercall.h"
#include "kvm.h"
#include "log.h"

static void vcpu_sigusr1(int sig)
{
	(void)sig; /* only here to interrupt KVM_RUN */
}

int vcpu_signals_init(void)
{
	struct sigaction sa = {.sa_handler = vcpu_sigusr1};

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL) < 0 ? -errno : 0;
}

int vcpu_init(struct vcpu *v, struct domain *d, uint32_t id)
{
	struct kvm_cpuid2 *cpuid;
	int rc;

	*v = (struct vcpu){.d = d, .id = id, .fd = -1, .state = VCPU_STATE_OFFLINE};
	rc = kvm_vcpu_create(d->vm_fd, id, &v->fd, &v->run);
	if (rc)
		return rc;
	rc = vcpu_x86_build_cpuid(kvm_supported_cpuid(), id, d->id, d->tsc_khz, &cpuid);
	if (rc)
		return rc;
	rc = kvm_vcpu_set_cpuid(v->fd, cpuid);
	free(cpuid);
	v->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	return rc;
}

void vcpu_kick(struct vcpu *v)
{
	if (!v->run)
		return;
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (v->thread_started)
		pthread_kill(v->thread, SIGUSR1);
}

uint64_t vcpu_cpu_time_ns(struct vcpu *v)
{
	struct timespec ts;
	clockid_t cid;

	if (!v->thread_started)
		return v->cpu_ns_final;
	if (pthread_getcpuclockid(v->thread, &cid) || clock_gettime(cid, &ts))
		return v->cpu_ns_final;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* More guest CPU than a wake-up, a handler and the next block take. */
#define VCPU_WOKE_CPU_NS 2000000ull

bool vcpu_woke_in_kernel(struct vcpu *v)
{
	return v->state == VCPU_STATE_BLOCKED &&
	       vcpu_cpu_time_ns(v) - v->halt_cpu_ns > VCPU_WOKE_CPU_NS;
}

void vcpu_join(struct vcpu *v)
{
	if (v->thread_started) {
		v->cpu_ns_final = vcpu_cpu_time_ns(v);
		pthread_join(v->thread, NULL);
		v->thread_started = false;
	}
}

void vcpu_release(struct vcpu *v)
{
	if (v->fd >= 0)
		kvm_vcpu_close(v->fd, v->run);
	v->fd = -1;
	v->run = NULL;
}

bool vcpu_parked(struct vcpu *v)
{
	return !v->thread_started || v->state == VCPU_STATE_OFFLINE ||
	       v->state == VCPU_STATE_PAUSED || v->state == VCPU_STATE_STOPPED;
}

bool vcpu_parked_context(struct vcpu *v, struct vcpu_x86_state *st)
{
	const struct kvm_sregs *s;

	memset(st, 0, sizeof(*st));
	if (v->ctx_pending) {
		*st = v->ctx;
	} else if (v->ran && v->run) {
		s = &v->run->s.regs.sregs;
		st->regs = v->run->s.regs.regs;
		st->cs = s->cs, st->ds = s->ds, st->es = s->es, st->fs = s->fs;
		st->gs = s->gs, st->ss = s->ss, st->tr = s->tr, st->ldt = s->ldt;
		st->gdt = s->gdt, st->idt = s->idt;
		st->cr0 = s->cr0, st->cr2 = s->cr2, st->cr3 = s->cr3, st->cr4 = s->cr4;
		st->efer = s->efer;
	}
	return v->up;
}

/* Where a vCPU that may not run parks (lock held). */
static enum vcpu_state vcpu_park_state(struct vcpu *v)
{
	if (v->d->life != DYAD_DOMAIN_STATE_RUNNING)
		return VCPU_STATE_STOPPED;
	if (!v->up)
		return VCPU_STATE_OFFLINE;
	return VCPU_STATE_PAUSED;
}

/* Park in state st until the domain's state changes (lock held). */
static void vcpu_park(struct vcpu *v, enum vcpu_state st)
{
	v->state = st;
	pthread_cond_broadcast(&v->d->parked);
	pthread_cond_wait(&v->d->cond, &v->d->lock);
}

/* Block until the vCPU may run; false when the domain is dying. */
static bool vcpu_wait_runnable(struct vcpu *v)
{
	struct domain *d = v->d;
	bool go;

	pthread_mutex_lock(&d->lock);
	while (d->life == DYAD_DOMAIN_STATE_RUNNING && (!v->up || d->paused))
		vcpu_park(v, vcpu_park_state(v));
	go = d->life == DYAD_DOMAIN_STATE_RUNNING;
	if (go) {
		v->state = v->halted ? VCPU_STATE_BLOCKED : VCPU_STATE_RUNNING;
	} else { /* shut down or crashed: park until destroyed */
		while (d->life != DYAD_DOMAIN_STATE_DYING)
			vcpu_park(v, VCPU_STATE_STOPPED);
		v->state = VCPU_STATE_STOPPED;
	}
	pthread_mutex_unlock(&d->lock);
	return go;
}

/* Load a pending register state (own thread only). */
static int vcpu_load_ctx(struct vcpu *v, const struct vcpu_x86_state *st, bool wake)
{
	struct kvm_sregs sregs;
	int rc = kvm_vcpu_get_sregs(v->fd, &sregs);

	if (rc)
		return rc;
	vcpu_x86_apply_sregs(st, v->id, &sregs);
	v->run->kvm_dirty_regs = 0; /* a stale hypercall result must not overwrite it */
	rc = kvm_vcpu_set_sregs(v->fd, &sregs);
	if (!rc)
		rc = kvm_vcpu_set_regs(v->fd, &st->regs);
	if (!rc && wake)
		rc = kvm_vcpu_set_mp_state(v->fd, KVM_MP_STATE_RUNNABLE);
	v->halt_next = false;
	v->halted = false;
	return rc;
}

/* Before KVM_RUN: a new register state, or the halt SCHEDOP_block asked for. */
static int vcpu_prepare_entry(struct vcpu *v)
{
	struct vcpu_x86_state st;
	bool pending, wake = false;
	int rc = 0;

	pthread_mutex_lock(&v->d->lock);
	pending = v->ctx_pending;
	if (pending) {
		st = v->ctx;
		wake = v->ctx_wake;
		v->ctx_pending = false;
	}
	pthread_mutex_unlock(&v->d->lock);
	if (pending)
		return vcpu_load_ctx(v, &st, wake);
	if (v->halt_next) {
		v->halt_next = false;
		rc = kvm_vcpu_set_mp_state(v->fd, KVM_MP_STATE_HALTED);
		v->halted = rc == 0;
		pthread_mutex_lock(&v->d->lock);
		v->state = VCPU_STATE_BLOCKED;
		v->halt_cpu_ns = vcpu_cpu_time_ns(v);
		pthread_mutex_unlock(&v->d->lock);
	}
	return rc;
}

/* Guest port I/O: the hypercall trap, or unexpected I/O that is ignored. */
static void vcpu_exit_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t bytes = (uint64_t)run->io.size * run->io.count;

	if (run->io.port == DYAD_HYPERCALL_PORT && run->io.direction == KVM_EXIT_IO_OUT &&
	    run->io.size == 4 && run->io.count == 1) {
		hypercall_from_exit(v);
		return;
	}
	if (run->io.port == DYAD_PROBE_PORT && run->io.direction == KVM_EXIT_IO_OUT)
		return; /* a bare exit, acknowledged and ignored (abi.h): benchmarks */
	if (run->io.port == DYAD_DOORBELL_PORT && run->io.direction == KVM_EXIT_IO_OUT &&
	    run->io.size == 4 && run->io.count == 1 && run->io.data_offset < kvm_run_size() &&
	    kvm_run_size() - run->io.data_offset >= 4) {
		uint32_t port;

		memcpy(&port, (uint8_t *)run + run->io.data_offset, sizeof(port));
		(void)evtchn_send(v->d, port); /* no result for a doorbell; bad ports ignored */
		return;
	}
	log_warn_rl("dom%u vcpu%u: unexpected %s of port %#x (size %u) ignored", v->d->id, v->id,
		    run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.port,
		    run->io.size);
	if (run->io.direction == KVM_EXIT_IO_IN && run->io.data_offset < kvm_run_size() &&
	    bytes <= kvm_run_size() - run->io.data_offset)
		memset((uint8_t *)run + run->io.data_offset, 0xff, (size_t)bytes);
}

static void vcpu_exit_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	log_warn_rl("dom%u vcpu%u: unexpected MMIO %s at %#" PRIx64 " ignored", v->d->id, v->id,
		    run->mmio.is_write ? "write" : "read", (uint64_t)run->mmio.phys_addr);
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
}

/* The hypercall-page MSR (the only one filtered): fill the page at the GPA. */
static void vcpu_exit_wrmsr(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t gpa = run->msr.data;

	if (run->msr.index != DYAD_MSR_HYPERCALL_PAGE || (gpa & (DYAD_PAGE_SIZE - 1)) ||
	    gpa >= v->d->mem.size || v->d->mem.size - gpa < DYAD_PAGE_SIZE) {
		log_warn_rl("dom%u vcpu%u: bad wrmsr %#x value %#" PRIx64 ": #GP", v->d->id, v->id,
			    run->msr.index, gpa);
		run->msr.error = 1;
		return;
	}
	vcpu_x86_fill_hypercall_page(v->d->mem.host + gpa);
	run->msr.error = 0;
}

/* A fatal exit: the domain crashes with the details in the core log. */
static void vcpu_exit_fatal(struct vcpu *v, const char *what)
{
	struct kvm_run *run = v->run;
	const struct kvm_regs *r = &run->s.regs.regs;
	char info[256] = "";

	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
		int n = snprintf(info, sizeof(info), " suberror %u data", run->internal.suberror);

		for (uint32_t i = 0;
		     i < run->internal.ndata && i < 8 && n > 0 && (size_t)n < sizeof(info); i++)
			n += snprintf(info + n, sizeof(info) - (size_t)n, " %#llx",
				      (unsigned long long)run->internal.data[i]);
	} else if (run->exit_reason == KVM_EXIT_FAIL_ENTRY) {
		snprintf(info, sizeof(info), " hardware reason %#llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	}
	domain_crash(v->d, "vcpu%u %s at rip %#llx cs %#x rsp %#llx cr3 %#llx (exit %u%s)", v->id,
		     what, (unsigned long long)r->rip, run->s.regs.sregs.cs.selector,
		     (unsigned long long)r->rsp, (unsigned long long)run->s.regs.sregs.cr3,
		     run->exit_reason, info);
}

static void vcpu_handle_exit(struct vcpu *v)
{
	switch (v->run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_exit_io(v);
		break;
	case KVM_EXIT_MMIO:
		vcpu_exit_mmio(v);
		break;
	case KVM_EXIT_X86_WRMSR:
		vcpu_exit_wrmsr(v);
		break;
	case KVM_EXIT_X86_RDMSR:
		v->run->msr.error = 1;
		break;
	case KVM_EXIT_HLT: /* the in-kernel irqchip keeps halts; nothing to do */
	case KVM_EXIT_INTR:
		break;
	case KVM_EXIT_SHUTDOWN:
		vcpu_exit_fatal(v, "triple fault");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_exit_fatal(v, "KVM internal error");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_exit_fatal(v, "VM entry failure");
		break;
	default:
		vcpu_exit_fatal(v, "unexpected exit");
		break;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	while (vcpu_wait_runnable(v)) {
		int rc = vcpu_prepare_entry(v);

		if (!rc) {
			rc = kvm_vcpu_run(v->fd);
			v->ran = true; /* KVM stores the synced registers on every return */
		}
		__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		if (rc == -EINTR || rc == -EAGAIN)
			continue;
		if (rc) {
			domain_crash(v->d, "vcpu%u: KVM failed: %s", v->id, strerror(-rc));
			continue;
		}
		v->halted = false;
		vcpu_handle_exit(v);
	}
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	int rc = pthread_create(&v->thread, NULL, vcpu_thread, v);

	if (rc)
		return -rc;
	v->thread_started = true;
	return 0;
}

int vcpu_set_context(struct vcpu *v, const struct vcpu_x86_state *st, bool wake)
{
	pthread_mutex_lock(&v->d->lock);
	v->ctx = *st;
	v->ctx_pending = true;
	v->ctx_wake = wake;
	v->initialised = true;
	pthread_mutex_unlock(&v->d->lock);
	return 0;
}

int vcpu_initialise(struct vcpu *v, const struct vcpu_x86_state *st)
{
	int rc = 0;

	pthread_mutex_lock(&v->d->lock);
	if (v->initialised) {
		rc = -EEXIST;
	} else {
		v->ctx = *st;
		v->ctx_pending = true;
		v->ctx_wake = true;
		v->initialised = true;
	}
	pthread_mutex_unlock(&v->d->lock);
	return rc;
}

int vcpu_up(struct vcpu *v)
{
	int rc = 0;

	pthread_mutex_lock(&v->d->lock);
	if (!v->initialised)
		rc = -EINVAL;
	else if (!v->up) {
		v->up = true;
		pthread_cond_broadcast(&v->d->cond);
	}
	pthread_mutex_unlock(&v->d->lock);
	return rc;
}

int vcpu_down(struct vcpu *v)
{
	pthread_mutex_lock(&v->d->lock);
	v->up = false;
	pthread_mutex_unlock(&v->d->lock);
	vcpu_kick(v);
	return 0;
}

bool vcpu_is_up(struct vcpu *v)
{
	bool up;

	pthread_mutex_lock(&v->d->lock);
	up = v->up;
	pthread_mutex_unlock(&v->d->lock);
	return up;
}

int vcpu_self_read_tsc(struct vcpu *v, uint64_t *tsc)
{
	return kvm_vcpu_get_msr(v->fd, X86_MSR_TSC, tsc);
}

int vcpu_self_set_deadline(struct vcpu *v, uint64_t tsc)
{
	v->timer_tsc = tsc;
	return kvm_vcpu_set_msr(v->fd, X86_MSR_TSC_DEADLINE, tsc);
}

/*
 * The deadline is remembered rather than read back from the MSR: once the
 * timer has fired the MSR reads 0, and a guest that armed it and then blocked
 * just after it fired would halt with nothing left to wake it.
 */
int vcpu_self_block(struct vcpu *v)
{
	uint64_t tsc;

	if (v->timer_tsc) {
		int rc = vcpu_self_read_tsc(v, &tsc);

		if (rc)
			return rc;
		if (tsc >= v->timer_tsc) {
			v->timer_tsc = 0;
			evtchn_raise_virq(v->d, v->id, VIRQ_TIMER);
			return 0; /* due already: return at once, as Xen does */
		}
	}
	if (evtchn_block_check(v->d, v->id))
		return 0; /* Xen: unmask, and an event is pending already */
	v->halt_next = true;
	return 0;
}
