/*
 * The core's log as a stream (Xen's console ring, read by `dyad dmesg`).
 * Every line dyad-hv logs also lands here, so guest crashes and rejected
 * requests can be read through the control socket without access to the
 * log file.
 */
#ifndef DYAD_HV_DMESG_H
#define DYAD_HV_DMESG_H

#include "stream.h"

int dmesg_init(void) __attribute__((warn_unused_result));
void dmesg_fini(void);
struct stream *dmesg_stream(void);

#endif /* DYAD_HV_DMESG_H */
