/*
 * HVM parameters: the few values a guest reads with HVMOP_get_param to find
 * its special pages (Xen's HVM_PARAM_STORE_PFN, _STORE_EVTCHN,
 * _CONSOLE_PFN, _CONSOLE_EVTCHN).  The toolstack sets them through the
 * control socket (DYAD_CTL_SET_PARAM, Xen's privileged HVMOP_set_param)
 * between create and unpause; the guest only reads them.  0 means "not
 * provided", as in Xen.
 */
#ifndef DYAD_HV_HVM_PARAM_H
#define DYAD_HV_HVM_PARAM_H

#include <stdint.h>

#define HVM_PARAM_SLOTS 4u

struct domain;

/* The values, under the domain lock (see domain.h). */
struct hvm_params {
	uint64_t value[HVM_PARAM_SLOTS];
};

/*
 * Set index (HVM_PARAM_*) of d: -EINVAL with *why for an unknown index, a
 * PFN that is not a RAM page of d or not a ring page (boot.h: the store or
 * console ring page, or at or above DYAD_BOOT_FREE), or a port that is not
 * allocated in d.
 * A value of 0 clears the parameter.
 */
int hvm_param_set(struct domain *d, uint32_t index, uint64_t value, const char **why)
	__attribute__((warn_unused_result));
/* Read index of d: 0, or -EINVAL for an index Dyad does not keep. */
int hvm_param_get(struct domain *d, uint32_t index, uint64_t *value)
	__attribute__((warn_unused_result));

#endif /* DYAD_HV_HVM_PARAM_H */
