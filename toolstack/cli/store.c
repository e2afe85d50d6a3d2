/*
 * dyad store ls|read|write|rm|watch|perms: the configuration store for
 * people (xenstore-ls, -read, -write, -rm, -watch, -chmod in one verb).
 * Talks to RUNDIR/store.sock (or $XENSTORED_PATH) through the store client
 * library, starting the control-domain services first if needed.
 */
#include "cli.h"
#include "rundir.h"
#include "store_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct store_verb {
	const char *name;
	int (*run)(struct store_client *c, int argc, char **argv);
	int min_args;
};

static int store_fail(const char *what, const char *path, int rc)
{
	return cli_err("store %s %s: %s", what, path, strerror(-rc));
}

/* Print value with non-printable bytes escaped, as xenstore-ls does. */
static void store_print_value(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
}

static int store_ls_node(struct store_client *c, const char *path, int depth)
{
	char *names = NULL, *val = NULL, child[4096];
	size_t nlen = 0, vlen = 0;
	int rc = store_client_directory(c, 0, path, &names, &nlen);

	if (rc)
		return rc;
	for (size_t off = 0; off < nlen; off += strlen(names + off) + 1) {
		snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", names + off);
		printf("%*s%s = \"", depth, "", names + off);
		if (store_client_read(c, 0, child, &val, &vlen) == 0)
			store_print_value(val, vlen);
		free(val);
		val = NULL;
		printf("\"\n");
		rc = store_ls_node(c, child, depth + 1);
		if (rc && rc != -EACCES && rc != -ENOENT)
			break;
		rc = 0;
	}
	free(names);
	return rc;
}

static int store_ls(struct store_client *c, int argc, char **argv)
{
	const char *path = argc > 0 ? argv[0] : "/";
	int rc = store_ls_node(c, path, 0);

	return rc ? store_fail("ls", path, rc) : 0;
}

static int store_read(struct store_client *c, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		char *val;
		size_t len;
		int rc = store_client_read(c, 0, argv[i], &val, &len);

		if (rc)
			return store_fail("read", argv[i], rc);
		fwrite(val, 1, len, stdout);
		putchar('\n');
		free(val);
	}
	return 0;
}

static int store_write(struct store_client *c, int argc, char **argv)
{
	if (argc % 2)
		return cli_err("store write: PATH VALUE pairs expected");
	for (int i = 0; i < argc; i += 2) {
		int rc = store_client_write(c, 0, argv[i], argv[i + 1], strlen(argv[i + 1]));

		if (rc)
			return store_fail("write", argv[i], rc);
	}
	return 0;
}

static int store_rm(struct store_client *c, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		int rc = store_client_rm(c, 0, argv[i]);

		if (rc)
			return store_fail("rm", argv[i], rc);
	}
	return 0;
}

/* watch PATH [COUNT]: print "path token" per event; stop after COUNT. */
static int store_watch(struct store_client *c, int argc, char **argv)
{
	long left = argc > 1 ? strtol(argv[1], NULL, 10) : -1;
	const char *path, *token;
	char *buf;
	int rc = store_client_watch(c, argv[0], "dyad");

	if (rc)
		return store_fail("watch", argv[0], rc);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (left != 0) {
		rc = store_client_next_event(c, &buf, &path, &token);
		if (rc)
			return store_fail("watch", argv[0], rc);
		printf("%s\n", path);
		free(buf);
		if (left > 0)
			left--;
	}
	return 0;
}

/* perms PATH: print; perms PATH PERM...: set (e.g. n0 r5). */
static int store_perms(struct store_client *c, int argc, char **argv)
{
	char *perms;
	size_t len;
	int rc;

	if (argc > 1) {
		rc = store_client_set_perms(c, 0, argv[0], (const char *const *)(argv + 1),
					    (unsigned int)(argc - 1));
		return rc ? store_fail("perms", argv[0], rc) : 0;
	}
	rc = store_client_get_perms(c, 0, argv[0], &perms, &len);
	if (rc)
		return store_fail("perms", argv[0], rc);
	for (size_t off = 0; off < len; off += strlen(perms + off) + 1)
		printf("%s%s", off ? " " : "", perms + off);
	putchar('\n');
	free(perms);
	return 0;
}

static const struct store_verb store_verbs[] = {
	{"ls", store_ls, 0}, {"read", store_read, 1},	{"write", store_write, 2},
	{"rm", store_rm, 1}, {"watch", store_watch, 1}, {"perms", store_perms, 1},
};

/* Connect, starting the services (dyad-dom0 starts dyad-store) if needed. */
static int store_connect(struct store_client **c)
{
	char err[512];
	int rc = store_client_open(NULL, c);

	if (rc == 0 || getenv("XENSTORED_PATH") || (rc != -ENOENT && rc != -ECONNREFUSED))
		return rc;
	if (rundir_ensure_services(err, sizeof(err))) {
		cli_err("%s", err);
		return -ENOENT;
	}
	for (int i = 0; i < 50 && (rc = store_client_open(NULL, c)) != 0; i++)
		usleep(100000);
	return rc;
}

int cli_cmd_store(const struct cli_cmd *cmd, int argc, char **argv)
{
	const struct store_verb *v = NULL;
	struct store_client *c;
	int rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return argc < 2 ? cli_usage_error(cmd, "missing verb") : cli_usage(cmd);
	for (size_t i = 0; i < sizeof(store_verbs) / sizeof(store_verbs[0]); i++)
		if (strcmp(argv[1], store_verbs[i].name) == 0)
			v = &store_verbs[i];
	if (!v)
		return cli_usage_error(cmd, "unknown verb '%s'", argv[1]);
	if (argc - 2 < v->min_args)
		return cli_usage_error(cmd, "%s: missing arguments", v->name);
	rc = store_connect(&c);
	if (rc)
		return cli_err("cannot connect to the store in %s: %s", rundir_path(),
			       strerror(-rc));
	rc = v->run(c, argc - 2, argv + 2);
	store_client_close(c);
	return rc;
}
