/*
 * The spare VM (see vm_spare.h).  One worker thread refills the spare after
 * every take; a take never waits for it.  A refill that fails is logged and
 * not retried until the next take (which then builds its VM itself and says
 * why if that fails too).
 */
#include "vm_spare.h"

#include <dyad/abi.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "kvm.h"
#include "log.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running, stop, failed;
	int fd; /* the spare, -1 if none */
} spare = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, .fd = -1};

static int vm_spare_build(int *vm_fd)
{
	int rc = kvm_vm_create(vm_fd);

	if (!rc && (rc = kvm_vm_trap_msr_writes(*vm_fd, DYAD_MSR_HYPERCALL_PAGE))) {
		kvm_vm_close(*vm_fd);
		*vm_fd = -1;
	}
	return rc;
}

static void *vm_spare_worker(void *arg)
{
	pthread_mutex_lock(&spare.lock);
	while (!spare.stop) {
		int fd = -1, rc;

		if (spare.fd >= 0 || spare.failed) {
			pthread_cond_wait(&spare.cond, &spare.lock);
			continue;
		}
		pthread_mutex_unlock(&spare.lock);
		rc = vm_spare_build(&fd);
		pthread_mutex_lock(&spare.lock);
		if (rc) {
			log_warn_rl("spare VM: %s", strerror(-rc));
			spare.failed = true;
		} else if (spare.stop) {
			kvm_vm_close(fd);
		} else {
			spare.fd = fd;
		}
	}
	pthread_mutex_unlock(&spare.lock);
	return arg;
}

int vm_spare_init(void)
{
	int rc = pthread_create(&spare.thread, NULL, vm_spare_worker, NULL);

	if (rc)
		return -rc;
	spare.running = true;
	return 0;
}

int vm_spare_take(int *vm_fd)
{
	int fd;

	pthread_mutex_lock(&spare.lock);
	fd = spare.fd;
	spare.fd = -1;
	spare.failed = false;
	pthread_cond_signal(&spare.cond);
	pthread_mutex_unlock(&spare.lock);
	if (fd < 0)
		return vm_spare_build(vm_fd);
	*vm_fd = fd;
	return 0;
}

void vm_spare_fini(void)
{
	if (!spare.running)
		return;
	pthread_mutex_lock(&spare.lock);
	spare.stop = true;
	pthread_cond_signal(&spare.cond);
	pthread_mutex_unlock(&spare.lock);
	pthread_join(spare.thread, NULL);
	spare.running = false;
	kvm_vm_close(spare.fd);
	spare.fd = -1;
}
