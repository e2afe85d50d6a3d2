/*
 * Domain records (libdyad.h, record.h): the configuration of each running
 * domain, written by the builder and read by dyad-dom0 to apply the
 * on_poweroff/on_reboot/on_crash policy.  Written atomically (a temporary
 * file, then rename) so a reader never sees half a record.
 */
#include "record.h"
#include "file_replace.h"
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#define RECORD_MAX_BYTES (64u * 1024u)

static const char *const record_actions[] = {
	[DYAD_ACTION_DESTROY] = "destroy",
	[DYAD_ACTION_RESTART] = "restart",
	[DYAD_ACTION_PRESERVE] = "preserve",
	[DYAD_ACTION_RENAME_RESTART] = "rename-restart",
	[DYAD_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
	[DYAD_ACTION_COREDUMP_RESTART] = "coredump-restart",
};

const char *dyad_action_name(enum dyad_action a)
{
	if ((unsigned int)a < sizeof(record_actions) / sizeof(record_actions[0]))
		return record_actions[a];
	return "unknown";
}

int dyad_action_parse(const char *s, enum dyad_action *out)
{
	for (unsigned int i = 0; i < sizeof(record_actions) / sizeof(record_actions[0]); i++) {
		if (strcmp(s, record_actions[i]) == 0) {
			*out = (enum dyad_action)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int record_add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v || json_object_object_add(o, key, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

char *record_to_json(const struct dyad_domain_config *cfg)
{
	struct json_object *o = json_object_new_object();
	char uuid[37], *text = NULL;

	uuid_unparse_lower(cfg->uuid, uuid);
	if (!o || record_add(o, "name", json_object_new_string(cfg->name)) ||
	    record_add(o, "uuid", json_object_new_string(uuid)) ||
	    record_add(o, "memory_mb", json_object_new_int64((int64_t)cfg->memory_mb)) ||
	    record_add(o, "vcpus", json_object_new_int64(cfg->vcpus)) ||
	    record_add(o, "kernel", json_object_new_string(cfg->kernel)) ||
	    record_add(o, "cmdline", json_object_new_string(cfg->cmdline)) ||
	    record_add(o, "on_poweroff",
		       json_object_new_string(dyad_action_name(cfg->on_poweroff))) ||
	    record_add(o, "on_reboot", json_object_new_string(dyad_action_name(cfg->on_reboot))) ||
	    record_add(o, "on_crash", json_object_new_string(dyad_action_name(cfg->on_crash))))
		goto out;
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_SPACED |
								JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(o);
	return text;
}

static int record_bad(char *err, size_t errlen, const char *field, const char *what)
{
	snprintf(err, errlen, "%s: %s", field, what);
	return -EINVAL;
}

/* A string field that fits cap bytes with its NUL. */
static int record_get_str(struct json_object *o, const char *key, char *buf, size_t cap, char *err,
			  size_t errlen)
{
	struct json_object *v;
	size_t n;

	if (!json_object_object_get_ex(o, key, &v))
		return record_bad(err, errlen, key, "missing");
	if (!json_object_is_type(v, json_type_string))
		return record_bad(err, errlen, key, "not a string");
	n = (size_t)json_object_get_string_len(v);
	if (n >= cap || memchr(json_object_get_string(v), '\0', n))
		return record_bad(err, errlen, key, "too long or contains NUL");
	memcpy(buf, json_object_get_string(v), n + 1);
	return 0;
}

static int record_get_u64(struct json_object *o, const char *key, uint64_t min, uint64_t max,
			  uint64_t *out, char *err, size_t errlen)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v))
		return record_bad(err, errlen, key, "missing");
	if (!json_object_is_type(v, json_type_int))
		return record_bad(err, errlen, key, "not an integer");
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return record_bad(err, errlen, key, "out of range");
	*out = (uint64_t)n;
	return 0;
}

static int record_get_action(struct json_object *o, const char *key, enum dyad_action *a, char *err,
			     size_t errlen)
{
	char buf[32];

	if (record_get_str(o, key, buf, sizeof(buf), err, errlen))
		return -EINVAL;
	return dyad_action_parse(buf, a) ? record_bad(err, errlen, key, "unknown action") : 0;
}

static int record_fields(struct json_object *o, struct dyad_domain_config *cfg, char *err,
			 size_t errlen)
{
	char uuid[37];
	uint64_t vcpus;

	if (record_get_str(o, "name", cfg->name, sizeof(cfg->name), err, errlen) ||
	    record_get_str(o, "uuid", uuid, sizeof(uuid), err, errlen) ||
	    record_get_u64(o, "memory_mb", DYAD_MIN_MEM_MB, DYAD_MAX_MEM_MB, &cfg->memory_mb, err,
			   errlen) ||
	    record_get_u64(o, "vcpus", 1, DYAD_MAX_VCPUS, &vcpus, err, errlen) ||
	    record_get_str(o, "kernel", cfg->kernel, sizeof(cfg->kernel), err, errlen) ||
	    record_get_str(o, "cmdline", cfg->cmdline, sizeof(cfg->cmdline), err, errlen) ||
	    record_get_action(o, "on_poweroff", &cfg->on_poweroff, err, errlen) ||
	    record_get_action(o, "on_reboot", &cfg->on_reboot, err, errlen) ||
	    record_get_action(o, "on_crash", &cfg->on_crash, err, errlen))
		return -EINVAL;
	cfg->vcpus = (uint32_t)vcpus;
	if (ctl_msg_check_name(cfg->name, sizeof(cfg->name)))
		return record_bad(err, errlen, "name", "invalid domain name");
	if (strlen(uuid) != 36 || uuid_parse(uuid, cfg->uuid))
		return record_bad(err, errlen, "uuid", "invalid UUID");
	if (cfg->kernel[0] != '/')
		return record_bad(err, errlen, "kernel", "not an absolute path");
	return 0;
}

int record_from_json(const char *text, struct dyad_domain_config *cfg, char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = NULL;
	size_t len = strlen(text);
	int rc = -EINVAL;

	memset(cfg, 0, sizeof(*cfg));
	if (!tok)
		return record_bad(err, errlen, "record", "out of memory");
	o = len > RECORD_MAX_BYTES ? NULL : json_tokener_parse_ex(tok, text, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    text[json_tokener_get_parse_end(tok) +
		 strspn(text + json_tokener_get_parse_end(tok), " \t\r\n")] != '\0')
		rc = record_bad(err, errlen, "record", "not valid JSON");
	else if (!json_object_is_type(o, json_type_object))
		rc = record_bad(err, errlen, "record", "not a JSON object");
	else
		rc = record_fields(o, cfg, err, errlen);
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

static int record_path(uint32_t domid, const char *prefix, char *buf, size_t cap)
{
	char leaf[64];

	snprintf(leaf, sizeof(leaf), "domains/%s%u.json", prefix, domid);
	return rundir_file(leaf, buf, cap);
}

static int record_fill(int fd, const void *text)
{
	return file_write_all(fd, text, strlen(text));
}

int dyad_record_save(uint32_t domid, const struct dyad_domain_config *cfg)
{
	char path[4096], *text = record_to_json(cfg);
	int rc;

	if (!text)
		return -ENOMEM;
	rc = record_path(domid, "", path, sizeof(path));
	if (rc == 0)
		rc = file_replace(path, false, record_fill, text);
	free(text);
	return rc;
}

static int record_read(const char *path, char **text)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t r;

	if (fd < 0)
		return -errno;
	*text = malloc(RECORD_MAX_BYTES + 1);
	if (!*text) {
		close(fd);
		return -ENOMEM;
	}
	r = read(fd, *text, RECORD_MAX_BYTES + 1);
	if (r < 0)
		rc = -errno;
	else if (r > (ssize_t)RECORD_MAX_BYTES)
		rc = -EFBIG;
	else
		(*text)[r] = '\0';
	close(fd);
	if (rc) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

int dyad_record_load(uint32_t domid, struct dyad_domain_config *cfg)
{
	char path[4096], err[128], *text = NULL;
	int rc = record_path(domid, "", path, sizeof(path));

	if (rc == 0)
		rc = record_read(path, &text);
	if (rc == 0)
		rc = record_from_json(text, cfg, err, sizeof(err));
	free(text);
	return rc;
}

void dyad_record_remove(uint32_t domid)
{
	char path[4096];

	if (record_path(domid, "", path, sizeof(path)) == 0)
		(void)unlink(path);
}
