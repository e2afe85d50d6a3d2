/*
 * VIRQ_TIMER through host timerfds and one waiting thread (see virq_timer.h).
 */
#include "virq_timer.h"

#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "domain.h"
#include "evtchn.h"
#include "log.h"

static struct {
	int epfd;
	int stop_fd; /* written by fini to end the thread */
	pthread_t thread;
	int running;
} vt = {.epfd = -1, .stop_fd = -1};

#define VT_STOP_TAG UINT64_MAX

void virq_timer_fire(uint32_t domid, uint32_t vcpu)
{
	struct domain *d;

	domain_table_rdlock();
	d = domain_find(domid);
	if (d)
		evtchn_raise_virq(d, vcpu, VIRQ_TIMER);
	domain_table_unlock();
}

static void *virq_timer_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct epoll_event ev[16];
		int n = epoll_wait(vt.epfd, ev, 16, -1);

		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == VT_STOP_TAG)
				return NULL;
			virq_timer_fire((uint32_t)(ev[i].data.u64 >> 32), (uint32_t)ev[i].data.u64);
		}
		if (n < 0 && errno != EINTR)
			return NULL;
	}
}

int virq_timer_init(void)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = VT_STOP_TAG};
	int rc;

	vt.epfd = epoll_create1(EPOLL_CLOEXEC);
	vt.stop_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (vt.epfd < 0 || vt.stop_fd < 0 || epoll_ctl(vt.epfd, EPOLL_CTL_ADD, vt.stop_fd, &ev))
		return -errno;
	rc = pthread_create(&vt.thread, NULL, virq_timer_thread, NULL);
	if (rc)
		return -rc;
	vt.running = 1;
	return 0;
}

void virq_timer_fini(void)
{
	struct itimerspec now = {.it_value = {.tv_nsec = 1}};

	if (vt.running) {
		if (timerfd_settime(vt.stop_fd, 0, &now, NULL) == 0)
			pthread_join(vt.thread, NULL);
		vt.running = 0;
	}
	if (vt.stop_fd >= 0)
		close(vt.stop_fd);
	if (vt.epfd >= 0)
		close(vt.epfd);
	vt.stop_fd = vt.epfd = -1;
}

/* The vCPU's timerfd, created (and watched) on first use; -1 on failure. */
static int virq_timer_fd(struct domain *d, uint32_t vcpu)
{
	struct evtchn_table *t = &d->evtchn;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET,
				 .data.u64 = (uint64_t)d->id << 32 | vcpu};
	int fd = t->timer_fd[vcpu];

	if (fd >= 0)
		return fd;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -1;
	if (vt.epfd >= 0 && epoll_ctl(vt.epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		return -1;
	}
	t->timer_fd[vcpu] = fd;
	return fd;
}

void virq_timer_arm(struct domain *d, uint32_t vcpu, uint64_t delta_ns)
{
	struct itimerspec its = {0};
	int fd;

	if (vcpu >= d->evtchn.nr_vcpus || !evtchn_virq_bound(d, vcpu, VIRQ_TIMER))
		return;
	if (delta_ns == 0) {
		evtchn_raise_virq(d, vcpu, VIRQ_TIMER);
		return;
	}
	fd = virq_timer_fd(d, vcpu);
	its.it_value.tv_sec = (time_t)(delta_ns / 1000000000u);
	its.it_value.tv_nsec = (long)(delta_ns % 1000000000u);
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL))
		log_warn_rl("dom%u vcpu%u: VIRQ_TIMER not armed", d->id, vcpu);
}

void virq_timer_stop(struct domain *d, uint32_t vcpu)
{
	struct itimerspec off = {0};

	if (vcpu < d->evtchn.nr_vcpus && d->evtchn.timer_fd[vcpu] >= 0 &&
	    timerfd_settime(d->evtchn.timer_fd[vcpu], 0, &off, NULL))
		log_warn_rl("dom%u vcpu%u: VIRQ_TIMER not stopped", d->id, vcpu);
}

void virq_timer_fini_domain(struct domain *d)
{
	for (uint32_t i = 0; i < DYAD_MAX_VCPUS; i++) {
		if (d->evtchn.timer_fd[i] >= 0)
			close(d->evtchn.timer_fd[i]); /* leaves the epoll set with it */
		d->evtchn.timer_fd[i] = -1;
	}
}
