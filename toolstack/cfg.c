/*
 * From parsed xl.cfg settings to a struct dyad_domain_config (see cfg.h).
 * One table lists the keys Dyad understands, in the order they are checked;
 * each has a small handler that validates the last setting of its key and
 * fills the config.  Keys xl knows but Dyad does not (yet) are warned about
 * and ignored, as xl ignores keys it does not know.
 */
#include "cfg.h"
#include "cfg_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

struct cfg_ctx {
	const struct cfg_doc *doc;
	struct dyad_domain_config *out;
	cfg_warn_fn warn;
	void *opaque;
	char *err;
	size_t errlen;
	const char *first_file; /* named when a required key is missing */
};

struct cfg_key {
	const char *key;
	int (*apply)(struct cfg_ctx *ctx, const struct cfg_setting *s);
	bool required;
};

__attribute__((format(printf, 3, 4))) static int
cfg_fail(struct cfg_ctx *ctx, const struct cfg_setting *s, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(ctx->err, ctx->errlen, "%s:%d: %s: %s", s->origin->file, s->line, s->key, what);
	return -EINVAL;
}

__attribute__((format(printf, 3, 4))) static void
cfg_warn(struct cfg_ctx *ctx, const struct cfg_setting *s, const char *fmt, ...)
{
	char what[512], line[700];
	va_list ap;

	if (!ctx->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s:%d: warning: %s: %s", s->origin->file, s->line, s->key,
		 what);
	ctx->warn(line, ctx->opaque);
}

static int cfg_get_string(struct cfg_ctx *ctx, const struct cfg_setting *s, const char **out)
{
	char got[64];

	if (s->type == CFG_VALUE_STRING) {
		*out = s->atom.text;
		return 0;
	}
	cfg_value_describe(s, got, sizeof(got));
	return cfg_fail(ctx, s, "expected a string, got %s", got);
}

/* An integer in [min, max]; like xl, a quoted integer is accepted too. */
static int cfg_get_uint(struct cfg_ctx *ctx, const struct cfg_setting *s, uint64_t min,
			uint64_t max, const char *unit, uint64_t *out)
{
	char got[64];
	uint64_t v = s->atom.num;

	if (s->type == CFG_VALUE_STRING) {
		char *end;

		errno = 0;
		v = strtoull(s->atom.text, &end, 10);
		if (s->atom.text[0] < '0' || s->atom.text[0] > '9' || *end || errno)
			goto bad;
	} else if (s->type != CFG_VALUE_INT) {
		goto bad;
	}
	if (v < min || v > max)
		return cfg_fail(ctx, s, "%llu is out of range (%llu..%llu%s)",
				(unsigned long long)v, (unsigned long long)min,
				(unsigned long long)max, unit);
	*out = v;
	return 0;
bad:
	cfg_value_describe(s, got, sizeof(got));
	return cfg_fail(ctx, s, "expected an integer, got %s", got);
}

static int cfg_apply_name(struct cfg_ctx *ctx, const struct cfg_setting *s)
{
	const char *name;
	char q[64];

	if (cfg_get_string(ctx, s, &name))
		return -EINVAL;
	if (ctl_msg_check_name(name, DYAD_NAME_MAX) == 0) {
		snprintf(ctx->out->name, sizeof(ctx->out->name), "%s", name);
		return 0;
	}
	cfg_quote(name, q, sizeof(q));
	return cfg_fail(ctx, s,
			"invalid domain name %s (1..%u characters from A-Z a-z 0-9 _ . -, "
			"not all digits)",
			q, DYAD_NAME_MAX - 1);
}

static int cfg_apply_uuid(struct cfg_ctx *ctx, const struct cfg_setting *s)
{
	const char *text;
	char q[64];

	if (cfg_get_string(ctx, s, &text))
		return -EINVAL;
	if (strlen(text) == 36 && uuid_parse(text, ctx->out->uuid) == 0)
		return 0;
	cfg_quote(text, q, sizeof(q));
	return cfg_fail(ctx, s, "invalid UUID %s (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
			q);
}

static int cfg_apply_memory(struct cfg_ctx *ctx, const struct cfg_setting *s)
{
	return cfg_get_uint(ctx, s, DYAD_MIN_MEM_MB, DYAD_MAX_MEM_MB, " MiB", &ctx->out->memory_mb);
}

static int cfg_apply_vcpus(struct cfg_ctx *ctx, const struct cfg_setting *s)
{
	uint64_t v;

	if (cfg_get_uint(ctx, s, 1, DYAD_MAX_VCPUS, "", &v))
		return -EINVAL;
	ctx->out->vcpus = (uint32_t)v;
	return 0;
}

/* Checked after vcpus: vCPU hot-plug does not exist yet, so maxvcpus must equal vcpus. */
static int cfg_apply_maxvcpus(struct cfg_ctx *ctx, const struct cfg_setting *s)
{
	uint64_t v;

	if (cfg_get_uint(ctx, s, 1, DYAD_MAX_VCPUS, "", &v))
		return -EINVAL;
	if (v != ctx->out->vcpus)
		return cfg_fail(ctx, s,
				"%llu differs from vcpus (%u); vCPU hot-plug is not supported",
				(unsigned long long)v, ctx->out->vcpus);
	return 0;
}

/* Resolve against the setting's directory, check it is a readable file, make it absolute. */
static int cfg_apply_kernel(struct cfg_ctx *ctx, const struct cfg_setting *s)
{
	char joined[PATH_MAX], q[64];
	const char *path;
	struct stat st;
	int n;

	if (cfg_get_string(ctx, s, &path))
		return -EINVAL;
	if (!*path)
		return cfg_fail(ctx, s, "empty path");
	cfg_quote(path, q, sizeof(q));
	n = path[0] == '/' ? snprintf(joined, sizeof(joined), "%s", path)
			   : snprintf(joined, sizeof(joined), "%s/%s", s->origin->basedir, path);
	if (n < 0 || (size_t)n >= sizeof(joined))
		return cfg_fail(ctx, s, "path %s is too long", q);
	if (stat(joined, &st) < 0)
		return cfg_fail(ctx, s, "%s: %s", q, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cfg_fail(ctx, s, "%s: not a regular file", q);
	if (access(joined, R_OK) < 0 || !realpath(joined, ctx->out->kernel))
		return cfg_fail(ctx, s, "%s: %s", q, strerror(errno));
	return 0;
}

static int cfg_set_cmdline(struct cfg_ctx *ctx, const struct cfg_setting *s, const char *a,
			   const char *b, const char *c)
{
	int n = snprintf(ctx->out->cmdline, sizeof(ctx->out->cmdline), "%s%s%s", a, b, c);

	if (n < 0 || (size_t)n >= sizeof(ctx->out->cmdline))
		return cfg_fail(ctx, s, "command line longer than %u bytes",
				DYAD_BOOT_CMDLINE_MAX - 1);
	return 0;
}

/*
 * xl's rule: cmdline wins and root/extra are then ignored (with a warning);
 * otherwise the command line is "root=ROOT EXTRA".  Runs even when cmdline
 * is absent (s == NULL).
 */
static int cfg_apply_cmdline(struct cfg_ctx *ctx, const struct cfg_setting *s)
{
	const struct cfg_setting *root = cfg_doc_find(ctx->doc, "root");
	const struct cfg_setting *extra = cfg_doc_find(ctx->doc, "extra");
	const char *cl = NULL, *r = NULL, *e = NULL;
	char rootarg[DYAD_BOOT_CMDLINE_MAX + 8];

	if ((s && cfg_get_string(ctx, s, &cl)) || (root && cfg_get_string(ctx, root, &r)) ||
	    (extra && cfg_get_string(ctx, extra, &e)))
		return -EINVAL;
	if (cl) {
		if (root)
			cfg_warn(ctx, root, "ignored because cmdline is set");
		if (extra)
			cfg_warn(ctx, extra, "ignored because cmdline is set");
		return cfg_set_cmdline(ctx, s, cl, "", "");
	}
	if (!r)
		return e ? cfg_set_cmdline(ctx, extra, e, "", "") : 0;
	snprintf(rootarg, sizeof(rootarg), "root=%.*s", DYAD_BOOT_CMDLINE_MAX, r);
	return cfg_set_cmdline(ctx, extra ? extra : root, rootarg, e && *e ? " " : "", e ? e : "");
}

static int cfg_apply_action(struct cfg_ctx *ctx, const struct cfg_setting *s, enum dyad_action *a)
{
	const char *text;
	char q[64];

	if (cfg_get_string(ctx, s, &text))
		return -EINVAL;
	if (dyad_action_parse(text, a) == 0)
		return 0;
	cfg_quote(text, q, sizeof(q));
	return cfg_fail(ctx, s,
			"unknown action %s (destroy, restart, preserve, rename-restart, "
			"coredump-destroy, coredump-restart)",
			q);
}

static int cfg_apply_on_poweroff(struct cfg_ctx *ctx, const struct cfg_setting *s)
{
	return cfg_apply_action(ctx, s, &ctx->out->on_poweroff);
}

static int cfg_apply_on_reboot(struct cfg_ctx *ctx, const struct cfg_setting *s)
{
	return cfg_apply_action(ctx, s, &ctx->out->on_reboot);
}

static int cfg_apply_on_crash(struct cfg_ctx *ctx, const struct cfg_setting *s)
{
	return cfg_apply_action(ctx, s, &ctx->out->on_crash);
}

/* Checked in this order; cmdline runs even when absent (root/extra may be set). */
static const struct cfg_key cfg_keys[] = {
	{"name", cfg_apply_name, true},
	{"uuid", cfg_apply_uuid, false},
	{"memory", cfg_apply_memory, false},
	{"vcpus", cfg_apply_vcpus, false},
	{"maxvcpus", cfg_apply_maxvcpus, false},
	{"kernel", cfg_apply_kernel, true},
	{"cmdline", cfg_apply_cmdline, false},
	{"root", NULL, false},
	{"extra", NULL, false},
	{"on_poweroff", cfg_apply_on_poweroff, false},
	{"on_reboot", cfg_apply_on_reboot, false},
	{"on_crash", cfg_apply_on_crash, false},
};

static const struct cfg_key *cfg_key_lookup(const char *key)
{
	for (size_t i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++)
		if (strcmp(cfg_keys[i].key, key) == 0)
			return &cfg_keys[i];
	return NULL;
}

static void cfg_defaults(struct dyad_domain_config *out)
{
	memset(out, 0, sizeof(*out));
	out->memory_mb = 128;
	out->vcpus = 1;
	out->on_poweroff = DYAD_ACTION_DESTROY;
	out->on_reboot = DYAD_ACTION_RESTART;
	out->on_crash = DYAD_ACTION_DESTROY;
}

static int cfg_apply_all(struct cfg_ctx *ctx)
{
	for (const struct cfg_setting *s = ctx->doc->head; s; s = s->next)
		if (!cfg_key_lookup(s->key))
			cfg_warn(ctx, s, "unknown key, ignored");
	for (size_t i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const struct cfg_setting *s = cfg_doc_find(ctx->doc, k->key);

		if (!s && k->required) {
			snprintf(ctx->err, ctx->errlen, "%s: %s: required setting missing",
				 ctx->first_file, k->key);
			return -EINVAL;
		}
		if (k->apply && (s || k->apply == cfg_apply_cmdline) && k->apply(ctx, s))
			return -EINVAL;
	}
	if (!cfg_doc_find(ctx->doc, "uuid"))
		uuid_generate(ctx->out->uuid);
	return 0;
}

int cfg_parse_texts(const struct cfg_text *texts, size_t n, struct dyad_domain_config *out,
		    cfg_warn_fn warn, void *opaque, char *err, size_t errlen)
{
	struct cfg_doc doc = {0};
	struct cfg_ctx ctx = {&doc, out, warn, opaque, err, errlen, n ? texts[0].file : "?"};
	int rc = 0;

	cfg_defaults(out);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = cfg_doc_parse(&doc, texts[i].text, texts[i].len, texts[i].file,
				   texts[i].basedir, err, errlen);
	if (rc == 0)
		rc = cfg_apply_all(&ctx);
	cfg_doc_free(&doc);
	return rc;
}

static int cfg_read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	ssize_t r = 0;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)CFG_PARSE_MAX_TEXT) {
		snprintf(err, errlen, "%s: %s", path,
			 S_ISREG(st.st_mode) ? "larger than 1 MiB" : "not a regular file");
		close(fd);
		return -EINVAL;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text)
		goto fail;
	while (got < (size_t)st.st_size &&
	       (r = read(fd, *text + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	if (r < 0) {
		free(*text);
		*text = NULL; /* the caller frees *text on every path */
		goto fail;
	}
	close(fd);
	*len = got;
	return 0;
fail:
	r = errno;
	snprintf(err, errlen, "%s: cannot read: %s", path, strerror((int)r));
	if (fd >= 0)
		close(fd);
	return -(int)r;
}

/*
 * A command-line value that does not start like an xl.cfg value (a quote, a
 * digit or '[') is taken as a literal string, so that `name=web-1` works as
 * well as `'name="web-1"'`: shells make quoting quotes tedious.
 */
static bool cfg_bare_value(const char *v)
{
	v += strspn(v, " \t");
	return !(*v == '"' || *v == '\'' || *v == '[' || (*v >= '0' && *v <= '9'));
}

/* Append "k=v" as one line, the value quoted and escaped when bare. */
static char *cfg_put_override(char *p, const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (!eq || !cfg_bare_value(eq + 1))
		return p + sprintf(p, "%s\n", kv);
	p += sprintf(p, "%.*s\"", (int)(eq + 1 - kv), kv);
	for (const char *v = eq + 1; *v; v++) {
		if (*v == '"' || *v == '\\')
			*p++ = '\\';
		if (*v == '\n')
			p += sprintf(p, "\\n");
		else
			*p++ = *v;
	}
	return p + sprintf(p, "\"\n");
}

/* The overrides as one text, one per line, so line N is the N-th override. */
static char *cfg_join_overrides(char *const *overrides, size_t n, size_t *len)
{
	size_t total = 1;
	char *text, *p;

	for (size_t i = 0; i < n; i++)
		total += 2 * strlen(overrides[i]) + 4;
	text = p = malloc(total);
	if (!text)
		return NULL;
	for (size_t i = 0; i < n; i++)
		p = cfg_put_override(p, overrides[i]);
	*p = '\0';
	*len = (size_t)(p - text);
	return text;
}

int cfg_load(const char *path, char *const *overrides, size_t n_overrides,
	     struct dyad_domain_config *out, cfg_warn_fn warn, void *opaque, char *err,
	     size_t errlen)
{
	struct cfg_text texts[2] = {{path, NULL, NULL, 0}, {CFG_CMDLINE_FILE, ".", NULL, 0}};
	char *file_text = NULL, *over_text = NULL, *dir = strdup(path), *slash;
	int rc = -ENOMEM;

	if (!dir) {
		snprintf(err, errlen, "%s: out of memory", path);
		return rc;
	}
	slash = strrchr(dir, '/');
	texts[0].basedir = !slash ? "." : slash == dir ? "/" : (*slash = '\0', dir);
	rc = cfg_read_file(path, &file_text, &texts[0].len, err, errlen);
	if (rc == 0) {
		texts[0].text = file_text;
		over_text = cfg_join_overrides(overrides, n_overrides, &texts[1].len);
		texts[1].text = over_text;
		rc = over_text ? cfg_parse_texts(texts, 2, out, warn, opaque, err, errlen)
			       : -ENOMEM;
		if (!over_text)
			snprintf(err, errlen, "%s: out of memory", path);
	}
	free(file_text);
	free(over_text);
	free(dir);
	return rc;
}
