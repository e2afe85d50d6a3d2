/*
 * The pure pieces of the core: the stream ring (offsets, wrap, readers
 * that fell behind), the CPUID table, the hypercall page, and the vCPU
 * state lifecycle over the fake KVM (threads and descriptors all released
 * on destroy, every thread joined before any vCPU is closed, nothing left
 * by a create that fails half-way, PAUSE returning only once the vCPU
 * threads are parked), and the create rule for KVM's APIC-access page.
 */
#include <check.h>
#include <errno.h>
#include <dirent.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <dyad/abi.h>
#include "fake_kvm.h"
#include "log.h"
#include "notify.h"
#include "runlock.h"
#include "stream.h"
#include "test_hv.h"
#include "vcpu_x86.h"

START_TEST(stream_offsets)
{
	struct stream s;
	char buf[16];
	uint64_t start;

	ck_assert_int_eq(stream_init(&s), 0);
	ck_assert_uint_eq(stream_read(&s, 0, buf, sizeof(buf), &start), 0);
	stream_write(&s, "abcdef", 6);
	ck_assert_uint_eq(stream_read(&s, 2, buf, 3, &start), 3);
	ck_assert_uint_eq(start, 2);
	ck_assert_int_eq(memcmp(buf, "cde", 3), 0);
	ck_assert_uint_eq(stream_read(&s, 100, buf, sizeof(buf), &start), 0);
	ck_assert_uint_eq(start, 6);
	stream_fini(&s);
}
END_TEST

START_TEST(stream_wraps_and_keeps_tail)
{
	struct stream s;
	uint8_t *big = malloc(STREAM_KEEP + 100), out[8];
	uint64_t start;

	ck_assert_int_eq(stream_init(&s), 0);
	for (size_t i = 0; i < STREAM_KEEP + 100; i++)
		big[i] = (uint8_t)i;
	stream_write(&s, big, 50);
	stream_write(&s, big + 50, STREAM_KEEP + 50); /* longer than the ring */
	ck_assert_uint_eq(stream_end(&s), STREAM_KEEP + 100);
	ck_assert_uint_eq(stream_read(&s, 0, out, sizeof(out), &start), sizeof(out));
	ck_assert_uint_eq(start, 100); /* the oldest kept byte */
	ck_assert_uint_eq(out[0], (uint8_t)100);
	ck_assert_uint_eq(stream_read(&s, STREAM_KEEP + 96, out, sizeof(out), &start), 4);
	ck_assert_uint_eq(out[3], (uint8_t)(STREAM_KEEP + 99));
	free(big);
	stream_fini(&s);
}
END_TEST

static const struct kvm_cpuid_entry2 *cpuid_find(const struct kvm_cpuid2 *c, uint32_t fn,
						 uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

START_TEST(cpuid_table)
{
	union {
		struct kvm_cpuid2 h;
		uint8_t bytes[sizeof(struct kvm_cpuid2) + 5 * sizeof(struct kvm_cpuid_entry2)];
	} sup = {.h.nent = 5};
	struct kvm_cpuid_entry2 *e4 = sup.h.entries;
	const struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 *c;

	e4[0] = (struct kvm_cpuid_entry2){.function = 1, .ebx = 0xff001234};
	e4[1] = (struct kvm_cpuid_entry2){.function = 0x40000000, .ebx = 0x4b4d564b};
	e4[2] = (struct kvm_cpuid_entry2){.function = 0x40000001, .eax = 0xffff};
	e4[3] = (struct kvm_cpuid_entry2){.function = 0xb, .index = 1, .edx = 0};
	e4[4] = (struct kvm_cpuid_entry2){.function = 7, .ecx = (1u << 16) | 0x5};
	ck_assert_int_eq(vcpu_x86_build_cpuid(&sup.h, 3, 7, 2600000, &c), 0);
	e = cpuid_find(c, 1, 0);
	ck_assert_uint_eq(e->ebx, 0x03001234);
	ck_assert_uint_eq(e->ecx & ((1u << 21) | (1u << 24)), (1u << 21) | (1u << 24));
	ck_assert_uint_eq(cpuid_find(c, 0xb, 1)->edx, 3);
	ck_assert_uint_eq(cpuid_find(c, 7, 0)->ecx, 0x5); /* LA57 hidden, the rest kept */
	e = cpuid_find(c, DYAD_CPUID_BASE, 0);
	ck_assert_uint_eq(e->eax, DYAD_CPUID_MAX_LEAF);
	ck_assert_uint_eq(e->ebx, DYAD_CPUID_SIGNATURE_EBX); /* KVM's signature is gone */
	ck_assert_uint_eq(cpuid_find(c, DYAD_CPUID_BASE + 1, 0)->eax,
			  DYAD_VERSION_MAJOR << 16 | DYAD_VERSION_MINOR);
	ck_assert_uint_eq(cpuid_find(c, DYAD_CPUID_BASE + 2, 0)->ebx, DYAD_MSR_HYPERCALL_PAGE);
	ck_assert_uint_eq(cpuid_find(c, DYAD_CPUID_BASE + 3, 0)->ecx, 2600000);
	e = cpuid_find(c, DYAD_CPUID_BASE + 4, 0);
	ck_assert_uint_eq(e->ebx, 3);
	ck_assert_uint_eq(e->ecx, 7);
	ck_assert_uint_eq(c->nent, 3 + 7); /* KVM's two hypervisor leaves dropped */
	free(c);
}
END_TEST

START_TEST(hypercall_page)
{
	uint8_t page[4096];
	uint32_t nr;

	vcpu_x86_fill_hypercall_page(page);
	for (uint32_t i = 0; i < DYAD_HYPERCALL_MAX; i++) {
		const uint8_t *p = page + i * DYAD_HYPERCALL_STUB_SIZE;

		ck_assert_uint_eq(p[0], 0xb8);
		memcpy(&nr, p + 1, 4);
		ck_assert_uint_eq(nr, i);
		ck_assert_uint_eq(p[5], 0xe7);
		ck_assert_uint_eq(p[6], DYAD_HYPERCALL_PORT);
		ck_assert_uint_eq(p[7], 0xc3);
		ck_assert_uint_eq(p[8], 0x90);
	}
	ck_assert_uint_eq(page[4095], 0x90);
}
END_TEST

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

START_TEST(destroy_releases_everything)
{
	int fds, tasks;
	struct domain *d;

	hv_test_setup();
	domain_destroy(hv_test_domain("warm-up", 4, 1, 0)); /* sanitizer helper threads start */
	fds = count_dir("/proc/self/fd");
	tasks = count_dir("/proc/self/task");
	d = hv_test_domain("res", 16, 4, 0);
	ck_assert_int_gt(count_dir("/proc/self/task"), tasks);
	pthread_mutex_lock(&d->lock); /* let vCPU 0 run on the fake KVM */
	d->vcpus[0].initialised = true;
	d->vcpus[0].up = true;
	pthread_mutex_unlock(&d->lock);
	ck_assert_int_eq(domain_unpause(d), 0);
	ck_assert_int_eq(domain_pause(d), 0);
	domain_destroy(d);
	ck_assert_int_eq(count_dir("/proc/self/fd"), fds);
	ck_assert_int_eq(count_dir("/proc/self/task"), tasks);
	notify_fini();
}
END_TEST

/* Let every vCPU of d run on the fake KVM (in kvm_vcpu_run until kicked). */
static void run_all(struct domain *d)
{
	pthread_mutex_lock(&d->lock);
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		d->vcpus[i].initialised = d->vcpus[i].up = true;
	pthread_mutex_unlock(&d->lock);
	ck_assert_int_eq(domain_unpause(d), 0);
	while (__atomic_load_n(&fake_kvm_in_run, __ATOMIC_SEQ_CST) < (int)d->nr_vcpus)
		sched_yield();
}

/* Review (a): no vCPU is closed while a sibling's thread may still kick it. */
START_TEST(destroy_joins_before_release)
{
	hv_test_setup();
	for (int round = 0; round < 5; round++) {
		struct domain *d = hv_test_domain("join", 4, 4, 0);

		run_all(d);
		domain_destroy(d);
		ck_assert_int_eq(fake_kvm_close_in_run, 0);
		ck_assert_int_eq(fake_kvm_live_vcpus, 0);
	}
	notify_fini();
}
END_TEST

/* Review (d): vcpu_init failing after KVM_CREATE_VCPU leaves no vCPU (and so no VM) open. */
START_TEST(failed_vcpu_init_frees_all)
{
	struct dyad_ctl_create req = {.name = "half", .mem_mb = 4, .vcpus = 3};
	struct domain *d = NULL;
	int fds;

	hv_test_setup();
	domain_destroy(hv_test_domain("warm-up", 4, 1, 0));
	fds = count_dir("/proc/self/fd");
	fake_kvm_fail_set_cpuid = 1;
	ck_assert_int_eq(domain_create(&req, &d), -EINVAL);
	fake_kvm_fail_set_cpuid = 0;
	ck_assert_ptr_null(d);
	ck_assert_int_eq(fake_kvm_live_vcpus, 0);
	ck_assert_int_eq(count_dir("/proc/self/fd"), fds);
	ck_assert_uint_eq(domain_count(), 0);
	notify_fini();
}
END_TEST

/* Review (e): PAUSE returns once no vCPU thread is in KVM_RUN any more. */
START_TEST(pause_waits_for_vcpus)
{
	struct domain *d;

	hv_test_setup();
	d = hv_test_domain("pause", 4, 3, 0);
	for (int round = 0; round < 5; round++) {
		run_all(d);
		ck_assert_int_eq(domain_pause(d), 0);
		ck_assert_int_eq(__atomic_load_n(&fake_kvm_in_run, __ATOMIC_SEQ_CST), 0);
		pthread_mutex_lock(&d->lock);
		for (uint32_t i = 0; i < d->nr_vcpus; i++)
			ck_assert_uint_eq(d->vcpus[i].state, VCPU_STATE_PAUSED);
		pthread_mutex_unlock(&d->lock);
	}
	domain_destroy(d);
	notify_fini();
}
END_TEST

/* Review (c): one dyad-hv per run directory. */
START_TEST(run_dir_lock)
{
	char dir[] = "/tmp/dyad-runlock.XXXXXX", path[64], longdir[5000];
	int fd1 = -1, fd2 = -1;

	log_init("test", LOG_LEVEL_ERR); /* the refusal below prints one error line */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(runlock_acquire(dir, &fd1), 0);
	ck_assert_int_ge(fd1, 0);
	ck_assert_int_eq(runlock_acquire(dir, &fd2), -EBUSY); /* a second instance */
	ck_assert_int_eq(fd2, -1);
	runlock_release(fd1);
	ck_assert_int_eq(runlock_acquire(dir, &fd2), 0); /* free again once released */
	runlock_release(fd2);
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[sizeof(longdir) - 1] = '\0';
	ck_assert_int_eq(runlock_acquire(longdir, &fd1), -ENAMETOOLONG);
	snprintf(path, sizeof(path), "%s/dyad-hv.lock", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* Review (g): RAM over 0xfee00000 is refused where KVM has an APIC-access page there. */
START_TEST(apic_access_page_limit)
{
	struct dyad_ctl_create req = {.name = "big", .mem_mb = 4079, .vcpus = 1};
	const char *why;

	fake_kvm_apic_access_page = 1;
	ck_assert_int_eq(domain_check_create(&req, &why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "APIC-access page"));
	req.mem_mb = DOMAIN_APIC_ACCESS_MAX_MEM_MB; /* ends at 0xfee00000 exactly */
	ck_assert_int_eq(domain_check_create(&req, &why), 0);
	fake_kvm_apic_access_page = 0; /* kvm-pvm, AMD without AVIC */
	req.mem_mb = DYAD_MAX_MEM_MB;
	ck_assert_int_eq(domain_check_create(&req, &why), 0);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("pieces");

	tcase_add_test(tc, stream_offsets);
	tcase_add_test(tc, stream_wraps_and_keeps_tail);
	tcase_add_test(tc, cpuid_table);
	tcase_add_test(tc, hypercall_page);
	tcase_add_test(tc, destroy_releases_everything);
	tcase_add_test(tc, destroy_joins_before_release);
	tcase_add_test(tc, failed_vcpu_init_frees_all);
	tcase_add_test(tc, pause_waits_for_vcpus);
	tcase_add_test(tc, apic_access_page_limit);
	tcase_add_test(tc, run_dir_lock);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
