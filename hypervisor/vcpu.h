/*
 * A virtual CPU: one host thread looping on KVM_RUN.
 *
 * Per-vCPU state machine (field `state`, under the domain lock):
 *
 *   OFFLINE  --VCPUOP_initialise+up / SET_VCPU_CONTEXT-->  RUNNABLE
 *   RUNNABLE --thread enters KVM_RUN-->                     RUNNING
 *   RUNNING  --SCHEDOP_block-->  BLOCKED (halted in the kernel; an
 *                                interrupt wakes it without an exit)
 *   RUNNING/BLOCKED --domain paused--> PAUSED --unpaused--> RUNNING/BLOCKED
 *   RUNNING  --VCPUOP_down-->    OFFLINE
 *   any      --domain shut down, crashed or dying--> STOPPED (final)
 *
 * The thread exists from domain creation to destruction and parks on the
 * domain's condition variable whenever it may not run.  A parked thread
 * (state OFFLINE, PAUSED or STOPPED) is outside KVM_RUN and done with its
 * last exit; it signals d->parked on the way in, which PAUSE waits for.  Whoever changes
 * what a vCPU may do kicks it (immediate_exit + SIGUSR1) so it leaves
 * KVM_RUN and re-reads its state.  KVM vCPU ioctls are issued only by the
 * vCPU's own thread: a new register state (from VCPUOP_initialise or the
 * control socket) is validated by the requester and left in `ctx`, and
 * the thread loads it before its next entry.
 *
 * Threat model (Firecracker's): all vCPU threads run malicious guest code.
 * Nothing a guest does may block the daemon or reach another domain.
 */
#ifndef DYAD_HV_VCPU_H
#define DYAD_HV_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "vcpu_x86.h"

struct domain;

enum vcpu_state {
	VCPU_STATE_OFFLINE,
	VCPU_STATE_RUNNABLE,
	VCPU_STATE_RUNNING,
	VCPU_STATE_BLOCKED,
	VCPU_STATE_PAUSED,
	VCPU_STATE_STOPPED,
};

struct vcpu {
	struct domain *d;
	uint32_t id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;

	/* Under d->lock. */
	enum vcpu_state state;
	bool initialised; /* has had a register state */
	bool up;	  /* wants to run */
	bool ctx_pending; /* ctx to load before the next entry */
	bool ctx_wake;	  /* ...and make it KVM_MP_STATE_RUNNABLE (APs) */
	struct vcpu_x86_state ctx;

	/* Owned by the vCPU thread. */
	bool halt_next;	       /* SCHEDOP_block: halt before the next entry */
	uint64_t timer_tsc;    /* singleshot deadline last armed (0: none) */
	bool halted;	       /* halted in the kernel since the last real exit */
	uint64_t halt_cpu_ns;  /* thread CPU time when it halted (under d->lock) */
	uint64_t cpu_ns_final; /* thread CPU time, once the thread has exited */
	bool ran;	       /* kvm_run's synced registers are valid (read when parked) */
};

/* Create the KVM vCPU (fd, kvm_run, CPUID); the thread is not started. */
int vcpu_init(struct vcpu *v, struct domain *d, uint32_t id) __attribute__((warn_unused_result));
int vcpu_start(struct vcpu *v) __attribute__((warn_unused_result));
/* Make the vCPU leave KVM_RUN soon; callable from any thread. */
void vcpu_kick(struct vcpu *v);
/* Join the thread (the domain must be DYING). */
void vcpu_join(struct vcpu *v);
/* Release the KVM vCPU (every thread of the domain joined: siblings may kick it). */
void vcpu_release(struct vcpu *v);
/* True if the vCPU's thread is parked or never started (d->lock held). */
bool vcpu_parked(struct vcpu *v);
/*
 * The registers of a parked vCPU (d->lock held): a state set but not yet
 * loaded, else what its last KVM_RUN left in kvm_run (plus the core's
 * hypercall result), else zeros.  Returns whether it is up: false before
 * it was first given a state and after VCPUOP_down (its registers stale).
 */
bool vcpu_parked_context(struct vcpu *v, struct vcpu_x86_state *st);
/* CPU time consumed by the thread so far. */
uint64_t vcpu_cpu_time_ns(struct vcpu *v);
/*
 * Is a vCPU that last halted running again?  An event can wake it inside
 * KVM (irqfd, timer) without a return to user space, so its state still
 * says blocked; CPU time spent since the halt shows it runs (d->lock held).
 */
bool vcpu_woke_in_kernel(struct vcpu *v);

/* Install the no-op SIGUSR1 handler used for kicks (once, at start-up). */
int vcpu_signals_init(void) __attribute__((warn_unused_result));

/*
 * Operations on behalf of hypercalls and control requests.  Those named
 * "self" must be called by v's own thread.
 */
int vcpu_set_context(struct vcpu *v, const struct vcpu_x86_state *st, bool wake)
	__attribute__((warn_unused_result));
/* VCPUOP_initialise: like vcpu_set_context(wake) but -EEXIST if initialised. */
int vcpu_initialise(struct vcpu *v, const struct vcpu_x86_state *st)
	__attribute__((warn_unused_result));
int vcpu_up(struct vcpu *v) __attribute__((warn_unused_result));
int vcpu_down(struct vcpu *v) __attribute__((warn_unused_result));
bool vcpu_is_up(struct vcpu *v);
int vcpu_self_read_tsc(struct vcpu *v, uint64_t *tsc) __attribute__((warn_unused_result));
int vcpu_self_set_deadline(struct vcpu *v, uint64_t tsc) __attribute__((warn_unused_result));
/* SCHEDOP_block: halt unless the armed deadline has passed already. */
int vcpu_self_block(struct vcpu *v) __attribute__((warn_unused_result));

#endif /* DYAD_HV_VCPU_H */
