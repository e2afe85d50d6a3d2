/*
 * How vCPU threads (and the logger) tell the control loop that something
 * happened, without ever waiting for it.
 *
 * A vCPU thread that shuts its domain down, or writes console output,
 * posts an event (queued under a short mutex) and/or kicks an eventfd; the
 * control loop polls that eventfd, drains the queue, sends events to
 * subscribers and re-checks parked reads.  A slow or stuck client can
 * therefore never block a vCPU: the worst it does is lose events when the
 * bounded queue overflows (logged).
 */
#ifndef DYAD_HV_NOTIFY_H
#define DYAD_HV_NOTIFY_H

#include <stdint.h>

#include "ctl_msg.h"

#define NOTIFY_QUEUE_MAX 1024u

int notify_init(void) __attribute__((warn_unused_result));
void notify_fini(void);
/* The eventfd the control loop polls (-1 before init). */
int notify_fd(void);
/* Wake the control loop (new stream bytes, state change). */
void notify_kick(void);
/* Queue an event for subscribers and wake the control loop. */
void notify_post(const struct dyad_ctl_event *ev);
/* Clear the eventfd and take up to max queued events; returns how many. */
unsigned int notify_drain(struct dyad_ctl_event *out, unsigned int max);

#endif /* DYAD_HV_NOTIFY_H */
