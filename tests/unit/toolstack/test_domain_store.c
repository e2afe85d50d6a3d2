/*
 * The store layout of a domain (domain_store_layout): every node libxl
 * writes for a domain, in order (parents first), with its exact value and
 * permissions, for a given config, domid and console port; and the paths
 * derived from domid and uuid.
 */
#include "domain_store.h"

#include <check.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

struct expect {
	const char *path, *value, *perms;
};

/* Domain 7, console port 3, 256 MiB, uuid 3f2504e0-... (docs/issue45-contract.md §3). */
static const struct expect layout7[DOMAIN_STORE_NODES] = {
	{"/local/domain/7", "", "n0 r7"},
	{"/local/domain/7/name", "web-1", "n0 r7"},
	{"/local/domain/7/domid", "7", "n0 r7"},
	{"/local/domain/7/vm", "/vm/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "n0 r7"},
	{"/local/domain/7/memory", "", "n0 r7"},
	{"/local/domain/7/memory/target", "262144", "n0 r7"},
	{"/local/domain/7/control", "", "n7"},
	{"/local/domain/7/control/shutdown", "", "n7"},
	{"/local/domain/7/data", "", "n7"},
	{"/local/domain/7/device", "", "n7"},
	{"/local/domain/7/console", "", "n0 r7"},
	{"/local/domain/7/console/ring-ref", "7", "n0 r7"},
	{"/local/domain/7/console/port", "3", "n0 r7"},
	{"/local/domain/7/console/type", "xenconsoled", "n0 r7"},
	{"/local/domain/7/console/limit", "1048576", "n0 r7"},
	{"/local/domain/7/console/output", "pty", "n0 r7"},
	{"/vm/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "", "n0 r7"},
	{"/vm/3f2504e0-4f89-11d3-9a0c-0305e82c3301/name", "web-1", "n0 r7"},
	{"/vm/3f2504e0-4f89-11d3-9a0c-0305e82c3301/uuid", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
	 "n0 r7"},
};

static void sample(struct dyad_domain_config *c, const char *name, uint64_t mb)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	ck_assert_int_eq(uuid_parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301", c->uuid), 0);
	c->memory_mb = mb;
	c->vcpus = 1;
}

static void perms_string(const struct domain_store_node *n, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (unsigned int i = 0; i < n->nperms; i++)
		snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? " " : "", n->perms[i]);
}

START_TEST(test_layout_exact)
{
	struct domain_store_node nodes[DOMAIN_STORE_NODES];
	struct dyad_domain_config cfg;
	char perms[64];

	sample(&cfg, "web-1", 256);
	domain_store_layout(&cfg, 7, 3, nodes);
	for (size_t i = 0; i < DOMAIN_STORE_NODES; i++) {
		perms_string(&nodes[i], perms, sizeof(perms));
		ck_assert_str_eq(nodes[i].path, layout7[i].path);
		ck_assert_str_eq(nodes[i].value, layout7[i].value);
		ck_assert_str_eq(perms, layout7[i].perms);
	}
}
END_TEST

/* Large ids, the longest name and the largest memory still fit without truncation. */
START_TEST(test_layout_limits)
{
	static const char name[] =
		"n23456789012345678901234567890123456789012345678901234567890123";
	struct domain_store_node nodes[DOMAIN_STORE_NODES];
	struct dyad_domain_config cfg;

	ck_assert_uint_eq(strlen(name), DYAD_NAME_MAX - 1);
	sample(&cfg, name, 8192);
	domain_store_layout(&cfg, 4294967294u, 4095, nodes);
	ck_assert_str_eq(nodes[0].path, "/local/domain/4294967294");
	ck_assert_str_eq(nodes[1].value, name);
	ck_assert_str_eq(nodes[2].value, "4294967294");
	ck_assert_str_eq(nodes[5].value, "8388608");
	ck_assert_str_eq(nodes[7].path, "/local/domain/4294967294/control/shutdown");
	ck_assert_str_eq(nodes[7].perms[0], "n4294967294");
	ck_assert_uint_eq(nodes[7].nperms, 1);
	ck_assert_str_eq(nodes[11].path, "/local/domain/4294967294/console/ring-ref");
	ck_assert_str_eq(nodes[12].value, "4095");
	ck_assert_str_eq(nodes[17].value, name);
	ck_assert_str_eq(nodes[3].perms[1], "r4294967294");
}
END_TEST

/* Every node of the domain is under its own path or its vm path: no stray node. */
START_TEST(test_layout_confined)
{
	struct domain_store_node nodes[DOMAIN_STORE_NODES];
	struct dyad_domain_config cfg;
	char dom[64], vm[64];

	sample(&cfg, "a", 4);
	domain_store_layout(&cfg, 12, 1, nodes);
	domain_store_dom_path(12, dom, sizeof(dom));
	domain_store_vm_path(cfg.uuid, vm, sizeof(vm));
	ck_assert_str_eq(dom, "/local/domain/12");
	ck_assert_str_eq(vm, "/vm/3f2504e0-4f89-11d3-9a0c-0305e82c3301");
	for (size_t i = 0; i < DOMAIN_STORE_NODES; i++)
		ck_assert_msg(strncmp(nodes[i].path, dom, strlen(dom)) == 0 ||
				      strncmp(nodes[i].path, vm, strlen(vm)) == 0,
			      "node %s is outside %s and %s", nodes[i].path, dom, vm);
}
END_TEST

static Suite *domain_store_suite(void)
{
	Suite *s = suite_create("domain_store");
	TCase *tc = tcase_create("layout");

	tcase_add_test(tc, test_layout_exact);
	tcase_add_test(tc, test_layout_limits);
	tcase_add_test(tc, test_layout_confined);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(domain_store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
