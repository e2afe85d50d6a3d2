/*
 * Golden tests of the config parser: every tests/golden/cfg/good/NAME.cfg
 * must parse to the record in NAME.expected (JSON, with the config
 * directory written @DIR@ and a generated UUID written @GENERATED@), every
 * bad/NAME.cfg must fail with exactly the text of NAME.err.  NAME.args holds
 * command-line overrides (one per line); NAME.warn the expected warnings
 * (none when absent).  Files are named relative to their directory, as a
 * user in that directory would type them.
 *
 * DYAD_GOLDEN_BLESS=1 rewrites the expected files from the current output
 * (review the diff before keeping it).
 */
#include "cfg.h"
#include "record.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#define GOLDEN_MAX 256

static char golden_dir[2][PATH_MAX]; /* good, bad */
static char *golden_names[2][GOLDEN_MAX];
static int golden_count[2];

struct golden_out {
	char warn[8192];
	size_t warn_len;
};

static void golden_warn(const char *msg, void *opaque)
{
	struct golden_out *o = opaque;
	int n = snprintf(o->warn + o->warn_len, sizeof(o->warn) - o->warn_len, "%s\n", msg);

	if (n > 0 && (size_t)n < sizeof(o->warn) - o->warn_len)
		o->warn_len += (size_t)n;
}

/* The file's contents, or "" when it does not exist (malloc'd). */
static char *golden_read(const char *name, const char *ext)
{
	char path[PATH_MAX], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s%s", name, ext);
	f = fopen(path, "rb");
	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), n);
	fclose(f);
	return buf;
}

static void golden_write(const char *name, const char *ext, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", name, ext);
	if (!*text && strcmp(ext, ".warn") == 0) {
		unlink(path);
		return;
	}
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Split NAME.args into lines (the overrides). */
static size_t golden_args(char *text, char **argv, size_t cap)
{
	size_t n = 0;

	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && n < cap;
	     line = strtok_r(NULL, "\n", &save))
		argv[n++] = line;
	return n;
}

/* Replace every occurrence of from in *s by to. */
static void golden_subst(char **s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	char *out, *q, *p, *m;

	for (p = fl ? strstr(*s, from) : NULL; p; p = strstr(p + fl, from))
		n++;
	if (!n)
		return;
	out = q = malloc(strlen(*s) + n * tl + 1);
	ck_assert_ptr_nonnull(out);
	for (p = *s; (m = strstr(p, from)); p = m + fl) {
		memcpy(q, p, (size_t)(m - p));
		q += m - p;
		memcpy(q, to, tl);
		q += tl;
	}
	strcpy(q, p);
	free(*s);
	*s = out;
}

static void golden_compare(const char *name, const char *ext, const char *got)
{
	char *want = golden_read(name, ext);

	if (getenv("DYAD_GOLDEN_BLESS"))
		golden_write(name, ext, got);
	else
		ck_assert_msg(strcmp(want, got) == 0,
			      "%s%s differs.\n--- expected:\n%s--- got:\n%s", name, ext, want, got);
	free(want);
}

static int golden_run(int kind, int i, struct dyad_domain_config *cfg, struct golden_out *out,
		      char *err, size_t errlen)
{
	char *args, *argv[64], file[PATH_MAX];
	size_t argc;
	int rc;

	ck_assert_int_eq(chdir(golden_dir[kind]), 0);
	args = golden_read(golden_names[kind][i], ".args");
	argc = golden_args(args, argv, 64);
	snprintf(file, sizeof(file), "%s.cfg", golden_names[kind][i]);
	rc = cfg_load(file, argv, argc, cfg, golden_warn, out, err, errlen);
	free(args);
	return rc;
}

START_TEST(test_good)
{
	struct dyad_domain_config cfg;
	struct golden_out out = {.warn_len = 0};
	const char *name = golden_names[0][_i];
	char err[1024] = "", *json, uuid[37], *want;
	int rc = golden_run(0, _i, &cfg, &out, err, sizeof(err));

	want = golden_read(name, ".expected");
	ck_assert_msg(rc == 0, "%s.cfg failed: %s", name, err);
	json = record_to_json(&cfg);
	ck_assert_ptr_nonnull(json);
	golden_subst(&json, golden_dir[0], "@DIR@");
	uuid_unparse_lower(cfg.uuid, uuid);
	if (strstr(want, "@GENERATED@")) {
		ck_assert_msg(!uuid_is_null(cfg.uuid), "%s: no UUID generated", name);
		golden_subst(&json, uuid, "@GENERATED@");
	}
	free(want);
	want = json;
	json = malloc(strlen(want) + 2);
	sprintf(json, "%s\n", want);
	free(want);
	golden_compare(name, ".expected", json);
	golden_compare(name, ".warn", out.warn);
	free(json);
}
END_TEST

START_TEST(test_bad)
{
	struct dyad_domain_config cfg;
	struct golden_out out = {.warn_len = 0};
	const char *name = golden_names[1][_i];
	char err[1024] = "", line[1100];
	int rc = golden_run(1, _i, &cfg, &out, err, sizeof(err));

	ck_assert_msg(rc != 0, "%s.cfg parsed, but it should fail", name);
	snprintf(line, sizeof(line), "%s\n", err);
	golden_compare(name, ".err", line);
	golden_compare(name, ".warn", out.warn);
}
END_TEST

static int golden_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 4 && strcmp(d->d_name + n - 4, ".cfg") == 0;
}

static void golden_scan(int kind, const char *sub)
{
	const char *src = getenv("DYAD_SOURCE_DIR");
	char dir[PATH_MAX];
	struct dirent **ents;
	int n;

	snprintf(dir, sizeof(dir), "%s/tests/golden/cfg/%s", src ? src : ".", sub);
	if (!realpath(dir, golden_dir[kind])) {
		fprintf(stderr, "%s: cannot resolve (is DYAD_SOURCE_DIR set?)\n", dir);
		exit(1);
	}
	n = scandir(golden_dir[kind], &ents, golden_filter, alphasort);
	for (int i = 0; i < n; i++) {
		if (golden_count[kind] < GOLDEN_MAX)
			golden_names[kind][golden_count[kind]++] =
				strndup(ents[i]->d_name, strlen(ents[i]->d_name) - 4);
		free(ents[i]);
	}
	if (n > 0)
		free(ents);
}

int main(void)
{
	Suite *s = suite_create("cfg_golden");
	TCase *good = tcase_create("good"), *bad = tcase_create("bad");
	SRunner *sr;
	int failed;

	golden_scan(0, "good");
	golden_scan(1, "bad");
	if (golden_count[0] == 0 || golden_count[1] == 0) {
		fprintf(stderr, "no golden files found\n");
		return 1;
	}
	tcase_add_loop_test(good, test_good, 0, golden_count[0]);
	tcase_add_loop_test(bad, test_bad, 0, golden_count[1]);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
