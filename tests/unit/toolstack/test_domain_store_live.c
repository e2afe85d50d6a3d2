/*
 * domain_store.c against a real dyad-store (started per test in a private
 * run directory): the layout lands with exactly its values and permissions
 * (SET_PERMS is skipped where a node inherits, so this checks the store
 * agrees); a stale /local/domain/N is replaced; removal takes the vm path
 * but never a path a guest wrote into its vm node; control/shutdown is
 * written only for a domain that has it; a missing store is named.
 */
#include "domain_store.h"
#include "store_client.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uuid/uuid.h>

extern char **environ;

static char dir[64];
static pid_t store_pid;
static struct store_client *sc;

static void setup(void)
{
	char sock[128];
	char *argv[] = {DYAD_STORE_EXE, "--rundir", dir, NULL};

	snprintf(dir, sizeof(dir), "/tmp/dyds.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("DYAD_RUNDIR", dir, 1);
	unsetenv("XENSTORED_PATH");
	ck_assert_int_eq(posix_spawn(&store_pid, DYAD_STORE_EXE, NULL, NULL, argv, environ), 0);
	snprintf(sock, sizeof(sock), "%s/store.sock", dir);
	for (int i = 0; i < 100 && store_client_open(sock, &sc) != 0; i++)
		usleep(50000);
	ck_assert_ptr_nonnull(sc);
}

static void teardown(void)
{
	char cmd[128];

	store_client_close(sc);
	sc = NULL;
	kill(store_pid, SIGTERM);
	waitpid(store_pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void sample(struct dyad_domain_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "web-1");
	ck_assert_int_eq(uuid_parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301", c->uuid), 0);
	c->memory_mb = 64;
	c->vcpus = 1;
}

static char *read_node(const char *path)
{
	char *v = NULL;
	size_t len;

	ck_assert_msg(store_client_read(sc, 0, path, &v, &len) == 0, "cannot read %s", path);
	return v;
}

/* GET_PERMS answers the entries NUL-separated: compare them one by one. */
static void check_perms(const struct domain_store_node *n)
{
	char *p = NULL;
	size_t len, off = 0;
	unsigned int i;

	ck_assert_int_eq(store_client_get_perms(sc, 0, n->path, &p, &len), 0);
	for (i = 0; i < n->nperms && off < len; i++) {
		ck_assert_msg(strcmp(p + off, n->perms[i]) == 0, "perms %u of %s: %s, not %s", i,
			      n->path, p + off, n->perms[i]);
		off += strlen(p + off) + 1;
	}
	ck_assert_msg(i == n->nperms && (off >= len || p[off] == '\0'), "%s has %u perms, not %u",
		      n->path, i, n->nperms);
	free(p);
}

START_TEST(test_write_exact)
{
	struct domain_store_node nodes[DOMAIN_STORE_NODES];
	struct dyad_domain_config cfg;

	sample(&cfg);
	domain_store_layout(&cfg, 7, 3, nodes);
	ck_assert_int_eq(domain_store_write_nodes(sc, nodes, DOMAIN_STORE_NODES), 0);
	for (size_t i = 0; i < DOMAIN_STORE_NODES; i++) {
		char *v = read_node(nodes[i].path);

		ck_assert_str_eq(v, nodes[i].value);
		free(v);
		check_perms(&nodes[i]);
	}
	ck_assert(domain_store_has_domain(sc, 7));
	ck_assert(!domain_store_has_domain(sc, 8));
}
END_TEST

START_TEST(test_stale_replaced)
{
	struct domain_store_node nodes[DOMAIN_STORE_NODES];
	struct dyad_domain_config cfg;
	char *v = NULL;
	size_t len;

	ck_assert_int_eq(store_client_write(sc, 0, "/local/domain/7/stale", "x", 1), 0);
	sample(&cfg);
	domain_store_layout(&cfg, 7, 3, nodes);
	ck_assert_int_eq(domain_store_write_nodes(sc, nodes, DOMAIN_STORE_NODES), 0);
	ck_assert_int_eq(store_client_read(sc, 0, "/local/domain/7/stale", &v, &len), -ENOENT);
}
END_TEST

START_TEST(test_remove)
{
	struct domain_store_node nodes[DOMAIN_STORE_NODES];
	struct dyad_domain_config cfg;
	char *v = NULL;
	size_t len;

	sample(&cfg);
	domain_store_layout(&cfg, 7, 3, nodes);
	ck_assert_int_eq(domain_store_write_nodes(sc, nodes, DOMAIN_STORE_NODES), 0);
	ck_assert_int_eq(domain_store_remove(sc, 7), 0);
	ck_assert_int_eq(store_client_read(sc, 0, "/local/domain/7", &v, &len), -ENOENT);
	ck_assert_int_eq(store_client_read(sc, 0, nodes[16].path, &v, &len), -ENOENT);
	ck_assert_int_eq(domain_store_remove(sc, 7), 0); /* nothing left: not an error */
}
END_TEST

/* The vm node is the guest's to read only, but never trust its shape anyway. */
START_TEST(test_remove_odd_vm)
{
	static const char *const odd[] = {"/tool", "/vm/a/b", "/vm/../tool", "vm/x"};

	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		char *v;

		ck_assert_int_eq(store_client_write(sc, 0, "/tool/keep", "1", 1), 0);
		ck_assert_int_eq(store_client_write(sc, 0, "/vm/a/b/keep", "1", 1), 0);
		ck_assert_int_eq(
			store_client_write(sc, 0, "/local/domain/9/vm", odd[i], strlen(odd[i])), 0);
		ck_assert_int_eq(domain_store_remove(sc, 9), 0);
		v = read_node("/tool/keep");
		free(v);
		v = read_node("/vm/a/b/keep");
		free(v);
	}
}
END_TEST

START_TEST(test_request)
{
	struct domain_store_node nodes[DOMAIN_STORE_NODES];
	struct dyad_domain_config cfg;
	char *v;

	ck_assert_int_eq(domain_store_request(sc, 7, "poweroff"), -ENOENT);
	ck_assert(!domain_store_has_domain(sc, 7)); /* the refused request created nothing */
	sample(&cfg);
	domain_store_layout(&cfg, 7, 3, nodes);
	ck_assert_int_eq(domain_store_write_nodes(sc, nodes, DOMAIN_STORE_NODES), 0);
	ck_assert_int_eq(domain_store_request(sc, 7, "reboot"), 0);
	v = read_node("/local/domain/7/control/shutdown");
	ck_assert_str_eq(v, "reboot");
	free(v);
}
END_TEST

START_TEST(test_open_missing)
{
	struct store_client *c = NULL;
	char err[256], want[256];

	setenv("XENSTORED_PATH", "/tmp/dyad-no-such-store.sock", 1);
	ck_assert_int_eq(domain_store_open(&c, 0, err, sizeof(err)), -ENOENT);
	unsetenv("XENSTORED_PATH");
	snprintf(want, sizeof(want), "the store is not running: cannot connect to %s: %s",
		 "/tmp/dyad-no-such-store.sock", strerror(ENOENT));
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(domain_store_open(&c, 0, err, sizeof(err)), 0); /* RUNDIR/store.sock */
	store_client_close(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("domain_store_live");
	TCase *tc = tcase_create("store");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_exact);
	tcase_add_test(tc, test_stale_replaced);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_remove_odd_vm);
	tcase_add_test(tc, test_request);
	tcase_add_test(tc, test_open_missing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
