/*
 * dyad list, domid, domname: the core's domains as xl shows them.
 *
 * The table is xl's, byte for byte: the header
 *   "Name                                        ID   Mem VCPUs\tState\tTime(s)"
 * and one row per domain, "%-40s %5d %5lu %5d     %s  %8.1f" (xl prints two
 * spaces between the state and the time).  There is no Domain-0 row: the
 * control domain is the host, not a domain of the core.  The state is six
 * letters r b p s c d with '-' for the unset ones; Dyad's core reports one
 * state at a time, so exactly one letter is set.  A shut-down or crashed
 * domain's row ends with its shutdown reason in xl's words, two spaces
 * after the time (the header stays xl's).  --json prints an array of
 * objects with the same facts spelled out.
 */
#include "cli.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include <dyad/xen.h>

static const char *const list_state_words[] = {
	[DYAD_DOMAIN_STATE_RUNNING] = "running", [DYAD_DOMAIN_STATE_BLOCKED] = "blocked",
	[DYAD_DOMAIN_STATE_PAUSED] = "paused",	 [DYAD_DOMAIN_STATE_SHUTDOWN] = "shutdown",
	[DYAD_DOMAIN_STATE_CRASHED] = "crashed", [DYAD_DOMAIN_STATE_DYING] = "dying",
};

static void list_state_letters(uint32_t state, char out[7])
{
	memcpy(out, "------", 7);
	if (state < 6)
		out[state] = "rbpscd"[state];
}

static const char *list_state_word(uint32_t state)
{
	return state < 6 ? list_state_words[state] : "unknown";
}

/* Xen's SHUTDOWN_* in words; NULL when the domain has not shut down. */
static const char *list_shutdown_reason(const struct dyad_ctl_dominfo *d)
{
	if (d->state != DYAD_DOMAIN_STATE_SHUTDOWN && d->state != DYAD_DOMAIN_STATE_CRASHED)
		return NULL;
	switch (d->shutdown_reason) {
	case SHUTDOWN_poweroff:
		return "poweroff";
	case SHUTDOWN_reboot:
		return "reboot";
	case SHUTDOWN_suspend:
		return "suspend";
	case SHUTDOWN_crash:
		return "crash";
	case SHUTDOWN_watchdog:
		return "watchdog";
	case SHUTDOWN_soft_reset:
		return "soft_reset";
	default:
		return "unknown";
	}
}

static void list_print_table(const struct dyad_ctl_dominfo *d, unsigned int n)
{
	printf("Name                                        ID   Mem VCPUs\tState\tTime(s)\n");
	for (unsigned int i = 0; i < n; i++) {
		const char *reason = list_shutdown_reason(&d[i]);
		char letters[7];

		list_state_letters(d[i].state, letters);
		printf("%-40s %5d %5lu %5d     %s  %8.1f%s%s\n", d[i].name, (int)d[i].domid,
		       (unsigned long)d[i].mem_mb, (int)d[i].vcpus_online, letters,
		       (double)d[i].cpu_time_ns / 1e9, reason ? "  " : "", reason ? reason : "");
	}
}

static struct json_object *list_json_one(const struct dyad_ctl_dominfo *d)
{
	struct json_object *o = json_object_new_object();
	const char *reason = list_shutdown_reason(d);
	char uuid[37], letters[7];

	if (!o)
		return NULL;
	uuid_unparse_lower(d->uuid, uuid);
	list_state_letters(d->state, letters);
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "domid", json_object_new_int64(d->domid));
	json_object_object_add(o, "uuid", json_object_new_string(uuid));
	json_object_object_add(o, "memory_mb", json_object_new_int64((int64_t)d->mem_mb));
	json_object_object_add(o, "vcpus", json_object_new_int64(d->vcpus));
	json_object_object_add(o, "vcpus_online", json_object_new_int64(d->vcpus_online));
	json_object_object_add(o, "state", json_object_new_string(list_state_word(d->state)));
	json_object_object_add(o, "state_letters", json_object_new_string(letters));
	json_object_object_add(o, "shutdown_reason",
			       reason ? json_object_new_string(reason) : NULL);
	json_object_object_add(o, "cpu_time", json_object_new_double((double)d->cpu_time_ns / 1e9));
	return o;
}

static int list_print_json(const struct dyad_ctl_dominfo *d, unsigned int n)
{
	struct json_object *a = json_object_new_array();

	if (!a)
		return cli_err("out of memory");
	for (unsigned int i = 0; i < n; i++) {
		struct json_object *o = list_json_one(&d[i]);

		if (!o || json_object_array_add(a, o)) {
			json_object_put(o);
			json_object_put(a);
			return cli_err("out of memory");
		}
	}
	printf("%s\n",
	       json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(a);
	return 0;
}

/* "7" names domain 7, anything else a name (names are never all digits). */
static int list_find(const struct dyad_ctl_dominfo *all, unsigned int n, const char *name_or_id)
{
	bool numeric = *name_or_id && strspn(name_or_id, "0123456789") == strlen(name_or_id);

	for (unsigned int i = 0; i < n; i++) {
		if (numeric ? strtoul(name_or_id, NULL, 10) == all[i].domid &&
				      strlen(name_or_id) < 11
			    : strcmp(all[i].name, name_or_id) == 0)
			return (int)i;
	}
	return -1;
}

/* The named domains, in the order given, out of one list; 1 if one does not exist. */
static int list_select(const struct dyad_ctl_dominfo *all, unsigned int n, char **names, int count,
		       struct dyad_ctl_dominfo *out)
{
	for (int i = 0; i < count; i++) {
		int k = list_find(all, n, names[i]);

		if (k < 0)
			return cli_err("domain '%s' does not exist", names[i]);
		out[i] = all[k];
	}
	return 0;
}

static int list_all(struct ctl_client *c, struct dyad_ctl_dominfo **d, unsigned int *n)
{
	int rc = ctl_list(c, d, n);

	if (rc)
		return cli_err("listing domains: %s", strerror(-rc));
	for (unsigned int i = 0; i < *n; i++)
		(*d)[i].name[DYAD_NAME_MAX - 1] = '\0';
	return 0;
}

int cli_cmd_list(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct dyad_ctl_dominfo *d = NULL;
	struct ctl_client *c;
	unsigned int n = 0;
	bool json = false;
	int opt, code = 1;

	while ((opt = cli_getopt(cmd, argc, argv, "h", longopts, &code)) != -1) {
		if (opt != 'j')
			return code;
		json = true;
	}
	c = cli_core();
	if (!c || list_all(c, &d, &n))
		return 1;
	code = 0;
	if (optind < argc) {
		struct dyad_ctl_dominfo *sel = calloc((size_t)(argc - optind), sizeof(*sel));

		code = sel ? list_select(d, n, argv + optind, argc - optind, sel)
			   : cli_err("out of memory");
		free(d);
		d = sel;
		n = (unsigned int)(argc - optind);
	}
	if (code == 0 && json)
		code = list_print_json(d, n);
	else if (code == 0)
		list_print_table(d, n);
	free(d);
	return code;
}

int cli_cmd_domid(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ctl_client *c;
	uint32_t domid;
	int opt, code = 1;

	while ((opt = cli_getopt(cmd, argc, argv, "h", longopts, &code)) != -1)
		return code;
	if (argc - optind != 1)
		return cli_usage_error(cmd, optind >= argc ? "missing domain name"
							   : "too many arguments");
	c = cli_core();
	if (!c || cli_domain(c, argv[optind], &domid))
		return 1;
	printf("%u\n", domid);
	return 0;
}

int cli_cmd_domname(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct dyad_ctl_dominfo *d = NULL;
	struct ctl_client *c;
	unsigned int n = 0;
	int opt, code = 1, k;

	while ((opt = cli_getopt(cmd, argc, argv, "h", longopts, &code)) != -1)
		return code;
	if (argc - optind != 1)
		return cli_usage_error(cmd,
				       optind >= argc ? "missing domain id" : "too many arguments");
	if (strspn(argv[optind], "0123456789") != strlen(argv[optind]))
		return cli_usage_error(cmd, "'%s' is not a domain id", argv[optind]);
	c = cli_core();
	if (!c || list_all(c, &d, &n))
		return 1;
	k = list_find(d, n, argv[optind]);
	if (k < 0)
		code = cli_err("domain '%s' does not exist", argv[optind]);
	else
		code = printf("%s\n", d[k].name) < 0;
	free(d);
	return code;
}
