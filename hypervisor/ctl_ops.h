/*
 * The control operations: one handler per request type, in a table whose
 * flags carry the policy (does the request name a domain that must exist,
 * may it be parked).  Handlers receive a request that already passed
 * ctl_msg_check_request(), copy its payload once into a typed structure,
 * validate that copy, act, and reply.  A handler returns 0 when it has
 * replied, CTL_OPS_PARKED when the request waits on its connection, or
 * -errno for the loop to send as an error reply.
 */
#ifndef DYAD_HV_CTL_OPS_H
#define DYAD_HV_CTL_OPS_H

#include <stdbool.h>

#include "control.h"

#define CTL_OPS_PARKED 1

int ctl_ops_dispatch(struct control_conn *c, const struct dyad_ctl_hdr *hdr, const void *payload);

/*
 * Answer a stream read (DMESG or CONSOLE_READ), first time or a re-check of
 * a parked one.  Returns 0 if it replied, CTL_OPS_PARKED if a waiting read
 * still has nothing to say, or -ESRCH for a first read of an unknown domain
 * (a parked read whose domain went away gets an EOF reply instead).
 */
int ctl_ops_read(struct control_conn *c, const struct dyad_ctl_hdr *hdr,
		 const struct dyad_ctl_read *r, bool parked);

#endif /* DYAD_HV_CTL_OPS_H */
