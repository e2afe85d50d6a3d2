/*
 * Time fields of shared_info, filled when the core places it at domain
 * creation (see shinfo_time.c).
 */
#ifndef DYAD_HV_SHINFO_TIME_H
#define DYAD_HV_SHINFO_TIME_H

#include <stdint.h>

#include <dyad/xen.h>

/* Xen's scale for a TSC of tsc_khz: ns = ((tsc << shift) * mul) >> 32 (shift < 0: >>). */
void shinfo_time_scale(uint32_t tsc_khz, uint32_t *mul, int8_t *shift);
/* pvclock of every vCPU and the wallclock; guest_tsc = the guest's TSC now. */
void shinfo_time_init(struct shared_info *si, uint32_t nr_vcpus, uint32_t tsc_khz,
		      uint64_t guest_tsc);

#endif /* DYAD_HV_SHINFO_TIME_H */
