/*
 * Time in shared_info: Xen's pvclock in each vcpu_info and the wallclock,
 * written once when the core places shared_info at domain creation.
 *
 * Dyad's timebase (abi.h) is the guest's own TSC, ns = tsc * 1000000 /
 * tsc_khz, never adjusted; so the pvclock is static: tsc_timestamp = 0,
 * system_time = 0 and Xen's (mul, shift) scale for the TSC frequency
 * (computed as Xen's set_time_scale does), flagged TSC-stable.  The
 * wallclock is the host's real time minus the guest's system time at
 * placement, so wallclock + system time = Unix time.
 */
#include "shinfo_time.h"

#include <time.h>

#include "hypercall.h"

#define SHINFO_NS_PER_SEC 1000000000ull

void shinfo_time_scale(uint32_t tsc_khz, uint32_t *mul, int8_t *shift)
{
	uint64_t tps = (uint64_t)tsc_khz * 1000u;
	int s = 0;

	if (!tps)
		tps = 1;
	while (tps > SHINFO_NS_PER_SEC * 2) {
		tps >>= 1;
		s--;
	}
	while (tps <= SHINFO_NS_PER_SEC) {
		tps <<= 1;
		s++;
	}
	*mul = (uint32_t)((SHINFO_NS_PER_SEC << 32) / tps);
	*shift = (int8_t)s;
}

void shinfo_time_init(struct shared_info *si, uint32_t nr_vcpus, uint32_t tsc_khz,
		      uint64_t guest_tsc)
{
	uint64_t sys = hc_tsc_to_ns(guest_tsc, tsc_khz), now, wc;
	struct timespec ts;
	uint32_t mul;
	int8_t shift;

	shinfo_time_scale(tsc_khz, &mul, &shift);
	for (uint32_t i = 0; i < nr_vcpus && i < XEN_LEGACY_MAX_VCPUS; i++) {
		struct vcpu_time_info *t = &si->vcpu_info[i].time;

		t->tsc_timestamp = 0;
		t->system_time = 0;
		t->tsc_to_system_mul = mul;
		t->tsc_shift = shift;
		t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
		__atomic_store_n(&t->version, 2u, __ATOMIC_RELEASE);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * SHINFO_NS_PER_SEC + (uint64_t)ts.tv_nsec;
	wc = now > sys ? now - sys : 0;
	si->wc_sec = (uint32_t)(wc / SHINFO_NS_PER_SEC);
	si->wc_sec_hi = (uint32_t)(wc / SHINFO_NS_PER_SEC >> 32);
	si->wc_nsec = (uint32_t)(wc % SHINFO_NS_PER_SEC);
	__atomic_store_n(&si->wc_version, 2u, __ATOMIC_RELEASE);
}
