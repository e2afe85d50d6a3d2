/*
 * The vCPU-to-control-loop doorbell and event queue (see notify.h).
 */
#include "notify.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

static struct {
	pthread_mutex_t lock;
	int efd;
	struct dyad_ctl_event *q;
	unsigned int head, count;
} notify = {PTHREAD_MUTEX_INITIALIZER, -1, NULL, 0, 0};

int notify_init(void)
{
	notify.q = calloc(NOTIFY_QUEUE_MAX, sizeof(*notify.q));
	if (!notify.q)
		return -ENOMEM;
	notify.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (notify.efd < 0) {
		free(notify.q);
		notify.q = NULL;
		return -errno;
	}
	notify.head = notify.count = 0;
	return 0;
}

void notify_fini(void)
{
	if (notify.efd >= 0)
		close(notify.efd);
	notify.efd = -1;
	free(notify.q);
	notify.q = NULL;
}

int notify_fd(void)
{
	return notify.efd;
}

void notify_kick(void)
{
	uint64_t one = 1;

	if (notify.efd >= 0 && write(notify.efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return; /* nothing better to do: the loop also wakes on its own traffic */
}

void notify_post(const struct dyad_ctl_event *ev)
{
	int dropped = 0;

	pthread_mutex_lock(&notify.lock);
	if (!notify.q || notify.count == NOTIFY_QUEUE_MAX)
		dropped = 1;
	else
		notify.q[(notify.head + notify.count++) % NOTIFY_QUEUE_MAX] = *ev;
	pthread_mutex_unlock(&notify.lock);
	if (dropped)
		log_warn_rl("event queue full: dropped event %u for domain %u", ev->kind,
			    ev->domid);
	notify_kick();
}

unsigned int notify_drain(struct dyad_ctl_event *out, unsigned int max)
{
	unsigned int n = 0, left;
	uint64_t v;

	if (notify.efd >= 0 && read(notify.efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn_rl("notify eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&notify.lock);
	while (n < max && notify.count) {
		out[n++] = notify.q[notify.head];
		notify.head = (notify.head + 1) % NOTIFY_QUEUE_MAX;
		notify.count--;
	}
	left = notify.count;
	pthread_mutex_unlock(&notify.lock);
	if (left) /* the caller stops at max: make sure the loop comes back */
		notify_kick();
	return n;
}
