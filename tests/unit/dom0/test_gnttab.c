/*
 * libdom0 gnttab against a fake granter: a memfd standing in for the
 * guest's RAM (grant frame 0 at GRANT_FRAME_GFN, granted pages after it)
 * and a shared anonymous active-grant table, exactly what the core hands
 * out.  Checks the map rules (permit_access, grantee domid, read-only,
 * bad refs and frames), the status bits a granter's end-access looks at,
 * pin counts with two mappers, and GNTTABOP_copy semantics.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "foreignmem.h"
#include "gnttab.h"
#include "grant_pin.h"

#define GUEST_PAGES	64u
#define GUEST_DOMID	4u
#define GRANT_FRAME_GFN 2u
#define DATA_GFN	10u

static struct gnttab_handle *h;
static uint8_t *ram; /* the "guest's" own view of its memory */
static grant_entry_v1_t *gt;
static struct dyad_active_grant_table *act;

/* A fake granter added to handle hh (which then owns its mappings). */
static void add_granter(struct gnttab_handle *hh)
{
	struct foreignmem *fm;
	int fd = memfd_create("fake-guest", MFD_CLOEXEC);
	struct dyad_active_grant_table *t;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, GUEST_PAGES * 4096), 0);
	ck_assert_int_eq(foreignmem_open_fd(GUEST_DOMID, fd, GUEST_PAGES * 4096, &fm), 0);
	t = mmap(NULL, DYAD_ACTIVE_GRANT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ck_assert_ptr_ne(t, MAP_FAILED);
	grant_pin_table_init(t);
	grant_pin_table_set_frame(t, 0, GRANT_FRAME_GFN * 4096ull);
	ram = fm->base;
	act = t;
	gt = (grant_entry_v1_t *)(void *)(ram + GRANT_FRAME_GFN * 4096);
	ck_assert_int_eq(gnttab_add_granter(hh, fm, t), 0);
}

static void setup(void)
{
	ram = NULL;
	ck_assert_int_eq(gnttab_open_local(GNTTAB_DOM0, &h), 0);
	add_granter(h);
}

static void teardown(void)
{
	gnttab_close(h);
}

static void grant(uint32_t ref, uint16_t domid, uint32_t gfn, uint16_t flags)
{
	gt[ref].domid = domid;
	gt[ref].frame = gfn;
	__atomic_store_n(&gt[ref].flags, flags, __ATOMIC_SEQ_CST);
}

/* The granter's gnttab_end_foreign_access_ref: fails while in use. */
static int end_access(uint32_t ref)
{
	uint16_t flags = __atomic_load_n(&gt[ref].flags, __ATOMIC_SEQ_CST);

	if (flags & (GTF_reading | GTF_writing))
		return -EBUSY;
	return __atomic_compare_exchange_n(&gt[ref].flags, &flags, 0, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST)
		       ? 0
		       : -EBUSY;
}

START_TEST(test_map_write_visible_to_guest_and_unmap_clears_bits)
{
	void *p = NULL;
	uint32_t mh;

	grant(5, 0, DATA_GFN, GTF_permit_access);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 5, true, &p, &mh), 0);
	memcpy(p, "from dom0", 10);
	ck_assert_str_eq((char *)ram + DATA_GFN * 4096, "from dom0");
	ck_assert_uint_eq(gt[5].flags, GTF_permit_access | GTF_reading | GTF_writing);
	ck_assert_int_eq(end_access(5), -EBUSY);
	ck_assert_int_eq(gnttab_unmap(h, mh), 0);
	ck_assert_uint_eq(gt[5].flags, GTF_permit_access);
	ck_assert_int_eq(end_access(5), 0);
	ck_assert_int_eq(gnttab_unmap(h, mh), -EINVAL); /* twice */
}
END_TEST

START_TEST(test_wrong_domid_refused)
{
	void *p = NULL;
	uint32_t mh;

	grant(6, 9, DATA_GFN, GTF_permit_access); /* granted to dom9, not dom0 */
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 6, true, &p, &mh), -EACCES);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 6, false, &p, &mh), -EACCES);
	ck_assert_uint_eq(gt[6].flags, GTF_permit_access);
	ck_assert_uint_eq(act->e[6].pin_read + act->e[6].pin_write, 0);
}
END_TEST

START_TEST(test_not_permitted_refused)
{
	void *p = NULL;
	uint32_t mh;

	grant(7, 0, DATA_GFN, 0);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 7, false, &p, &mh), -EACCES);
	grant(7, 0, DATA_GFN, GTF_accept_transfer);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 7, false, &p, &mh), -EACCES);
	ck_assert_uint_eq(gt[7].flags, GTF_accept_transfer);
}
END_TEST

START_TEST(test_readonly_grant_refuses_write_map)
{
	const volatile char *p = NULL;
	void *vp = NULL;
	uint32_t mh;

	grant(8, 0, DATA_GFN, GTF_permit_access | GTF_readonly);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 8, true, &vp, &mh), -EACCES);
	ck_assert_uint_eq(gt[8].flags, GTF_permit_access | GTF_readonly);
	ram[DATA_GFN * 4096] = 'g';
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 8, false, &vp, &mh), 0);
	p = vp;
	ck_assert_int_eq(p[0], 'g');
	ck_assert_uint_eq(gt[8].flags, GTF_permit_access | GTF_readonly | GTF_reading);
	ck_assert_int_eq(gnttab_unmap(h, mh), 0);
	ck_assert_uint_eq(gt[8].flags, GTF_permit_access | GTF_readonly);
}
END_TEST

/*
 * A read-only map points into a PROT_READ mapping: the kernel refuses to
 * write into it (read() from a pipe gets EFAULT), a writable map accepts.
 */
START_TEST(test_readonly_map_is_not_writable)
{
	void *ro = NULL, *rw = NULL;
	uint32_t m1, m2;
	int p[2];

	grant(9, 0, DATA_GFN, GTF_permit_access);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 9, false, &ro, &m1), 0);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 9, true, &rw, &m2), 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "xy", 2), 2);
	ck_assert_int_eq(read(p[0], ro, 1), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(read(p[0], rw, 1), 1);
	ck_assert_int_eq(((volatile char *)ro)[0], 'x'); /* same page */
	close(p[0]);
	close(p[1]);
	ck_assert_int_eq(gnttab_unmap(h, m1), 0);
	ck_assert_int_eq(gnttab_unmap(h, m2), 0);
}
END_TEST

START_TEST(test_bad_refs_and_frames)
{
	void *p = NULL;
	uint32_t mh;

	/* Only frame 0 is placed: refs 512.. are out of range. */
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 512, true, &p, &mh), -EINVAL);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, UINT32_MAX, true, &p, &mh), -EINVAL);
	/* A granted frame outside the granter's RAM. */
	grant(10, 0, GUEST_PAGES, GTF_permit_access);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 10, true, &p, &mh), -EFAULT);
	ck_assert_uint_eq(gt[10].flags, GTF_permit_access); /* bits undone */
	grant(10, 0, 0xffffffffu, GTF_permit_access);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 10, true, &p, &mh), -EFAULT);
	/* A domain this local handle does not know. */
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID + 1, 5, true, &p, &mh), -ESRCH);
	ck_assert_int_eq(gnttab_map_grant_ref(h, DOMID_SELF, 5, true, &p, &mh), -ESRCH);
	ck_assert_int_eq(gnttab_unmap(h, GNTTAB_MAX_MAPS), -EINVAL);
}
END_TEST

/* Two mappers of one grant: the first unmap must not clear the bits. */
START_TEST(test_two_mappers_keep_each_others_bits)
{
	void *p1 = NULL, *p2 = NULL, *p3 = NULL;
	uint32_t m1, m2, m3;

	grant(11, 0, DATA_GFN, GTF_permit_access);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 11, true, &p1, &m1), 0);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 11, false, &p2, &m2), 0);
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 11, true, &p3, &m3), 0);
	ck_assert_uint_eq(act->e[11].pin_write, 2);
	ck_assert_uint_eq(act->e[11].pin_read, 1);
	ck_assert_int_eq(gnttab_unmap(h, m1), 0);
	ck_assert_uint_eq(gt[11].flags, GTF_permit_access | GTF_reading | GTF_writing);
	ck_assert_int_eq(gnttab_unmap(h, m3), 0);
	/* Writers gone, a reader left: GTF_writing goes, GTF_reading stays. */
	ck_assert_uint_eq(gt[11].flags, GTF_permit_access | GTF_reading);
	ck_assert_int_eq(end_access(11), -EBUSY);
	ck_assert_int_eq(gnttab_unmap(h, m2), 0);
	ck_assert_uint_eq(gt[11].flags, GTF_permit_access);
	ck_assert_int_eq(end_access(11), 0);
}
END_TEST

/* Another mapper holding the pins (say the core, for dom9) refuses dom0. */
START_TEST(test_pinned_by_other_grantee_refused)
{
	struct grant_pin_granter g = {.ram = ram, .ram_size = GUEST_PAGES * 4096, .act = act};
	void *p = NULL;
	uint64_t gpa = 0;
	uint32_t mh;

	grant(12, 9, DATA_GFN, GTF_permit_access);
	ck_assert_int_eq(grant_pin_acquire(&g, 12, 9, true, &gpa), GNTST_okay);
	grant(12, 0, DATA_GFN, GTF_permit_access | GTF_reading); /* granter re-grants */
	ck_assert_int_eq(gnttab_map_grant_ref(h, GUEST_DOMID, 12, false, &p, &mh), -EACCES);
	ck_assert_int_eq(grant_pin_release(&g, 12, true), GNTST_okay);
}
END_TEST

START_TEST(test_copy_batch)
{
	struct gnttab_copy_seg s[5];
	char local[64] = "local bytes", back[64] = "";

	grant(20, 0, DATA_GFN, GTF_permit_access);
	grant(21, 0, DATA_GFN + 1, GTF_permit_access | GTF_readonly);
	memcpy(ram + (DATA_GFN + 1) * 4096 + 100, "ro page", 8);
	memset(s, 0, sizeof(s));
	/* 0: local -> ref 20 at offset 16. */
	s[0].source.virt = local;
	s[0].dest.foreign.ref = 20;
	s[0].dest.foreign.domid = GUEST_DOMID;
	s[0].dest.foreign.offset = 16;
	s[0].len = 12;
	s[0].flags = GNTCOPY_dest_gref;
	/* 1: ref 21 (read-only) at 100 -> local. */
	s[1].source.foreign.ref = 21;
	s[1].source.foreign.domid = GUEST_DOMID;
	s[1].source.foreign.offset = 100;
	s[1].dest.virt = back;
	s[1].len = 8;
	s[1].flags = GNTCOPY_source_gref;
	/* 2: writing into the read-only grant is refused. */
	s[2] = s[0];
	s[2].dest.foreign.ref = 21;
	/* 3: crossing the page end. */
	s[3] = s[0];
	s[3].dest.foreign.offset = 4090;
	/* 4: unknown granter. */
	s[4] = s[0];
	s[4].dest.foreign.domid = 77;
	ck_assert_int_eq(gnttab_copy(h, s, 5), 0);
	ck_assert_int_eq(s[0].status, GNTST_okay);
	ck_assert_str_eq((char *)ram + DATA_GFN * 4096 + 16, "local bytes");
	ck_assert_int_eq(s[1].status, GNTST_okay);
	ck_assert_str_eq(back, "ro page");
	ck_assert_int_eq(s[2].status, GNTST_general_error);
	ck_assert_int_eq(s[3].status, GNTST_bad_copy_arg);
	ck_assert_int_eq(s[4].status, GNTST_bad_domain);
	/* Copies leave nothing pinned. */
	ck_assert_uint_eq(gt[20].flags, GTF_permit_access);
	ck_assert_uint_eq(gt[21].flags, GTF_permit_access | GTF_readonly);
	ck_assert_uint_eq(act->e[20].pin_write + act->e[21].pin_read, 0);
}
END_TEST

START_TEST(test_errno_table)
{
	ck_assert_int_eq(gnttab_errno(GNTST_okay), 0);
	ck_assert_int_eq(gnttab_errno(GNTST_general_error), -EACCES);
	ck_assert_int_eq(gnttab_errno(GNTST_bad_domain), -ESRCH);
	ck_assert_int_eq(gnttab_errno(GNTST_bad_gntref), -EINVAL);
	ck_assert_int_eq(gnttab_errno(GNTST_bad_page), -EFAULT);
	ck_assert_int_eq(gnttab_errno(GNTST_eagain), -EAGAIN);
	ck_assert_int_eq(gnttab_errno(GNTST_no_space), -EIO);
}
END_TEST

static Suite *gnttab_suite(void)
{
	Suite *s = suite_create("gnttab");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_map_write_visible_to_guest_and_unmap_clears_bits);
	tcase_add_test(tc, test_wrong_domid_refused);
	tcase_add_test(tc, test_not_permitted_refused);
	tcase_add_test(tc, test_readonly_grant_refuses_write_map);
	tcase_add_test(tc, test_readonly_map_is_not_writable);
	tcase_add_test(tc, test_bad_refs_and_frames);
	tcase_add_test(tc, test_two_mappers_keep_each_others_bits);
	tcase_add_test(tc, test_pinned_by_other_grantee_refused);
	tcase_add_test(tc, test_copy_batch);
	tcase_add_test(tc, test_errno_table);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gnttab_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
