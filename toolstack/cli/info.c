/*
 * dyad info and dyad dmesg: the host as the core sees it, and the core's
 * log.  info prints xl info's "key : value" layout (the key left-aligned in
 * 23 columns) from uname(2) and DYAD_CTL_PHYSINFO; --json prints the same
 * keys as one object.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

struct info_row {
	const char *key;
	char value[300];
	bool number;
};

enum { INFO_ROWS = 12 };

static void info_set(struct info_row *r, const char *key, bool number, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void info_set(struct info_row *r, const char *key, bool number, const char *fmt, ...)
{
	va_list ap;

	r->key = key;
	r->number = number;
	va_start(ap, fmt);
	vsnprintf(r->value, sizeof(r->value), fmt, ap);
	va_end(ap);
}

static void info_rows(const struct utsname *u, const struct dyad_ctl_physinfo *p,
		      struct info_row *r)
{
	info_set(&r[0], "host", false, "%s", u->nodename);
	info_set(&r[1], "release", false, "%s", u->release);
	info_set(&r[2], "machine", false, "%s", u->machine);
	info_set(&r[3], "nr_cpus", true, "%u", p->nr_cpus);
	info_set(&r[4], "max_vcpus", true, "%u", p->max_vcpus);
	info_set(&r[5], "total_memory", true, "%llu", (unsigned long long)p->total_mem_mb);
	info_set(&r[6], "free_memory", true, "%llu", (unsigned long long)p->free_mem_mb);
	info_set(&r[7], "tsc_khz", true, "%llu", (unsigned long long)p->tsc_khz);
	info_set(&r[8], "kvm_flavour", false, "%.*s", (int)sizeof(p->kvm_flavour), p->kvm_flavour);
	info_set(&r[9], "kvm_api_version", true, "%u", p->kvm_api_version);
	info_set(&r[10], "capabilities", false, "%.*s", (int)sizeof(p->caps), p->caps);
	info_set(&r[11], "dyad_version", false, "%.*s", (int)sizeof(p->version), p->version);
}

static int info_print_json(const struct info_row *r, unsigned int nr_domains)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return cli_err("out of memory");
	for (int i = 0; i < INFO_ROWS; i++)
		json_object_object_add(
			o, r[i].key,
			r[i].number ? json_object_new_int64(strtoll(r[i].value, NULL, 10))
				    : json_object_new_string(r[i].value));
	json_object_object_add(o, "nr_domains", json_object_new_int64(nr_domains));
	printf("%s\n",
	       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}

int cli_cmd_info(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct dyad_ctl_physinfo p;
	struct info_row rows[INFO_ROWS];
	struct utsname u;
	struct ctl_client *c;
	bool json = false;
	int opt, code = 1, rc;

	while ((opt = cli_getopt(cmd, argc, argv, "h", longopts, &code)) != -1) {
		if (opt != 'j')
			return code;
		json = true;
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	c = cli_core();
	if (!c)
		return 1;
	rc = ctl_physinfo(c, &p);
	if (rc)
		return cli_err("getting host information: %s", strerror(-rc));
	uname(&u);
	info_rows(&u, &p, rows);
	if (json)
		return info_print_json(rows, p.nr_domains);
	for (int i = 0; i < INFO_ROWS; i++)
		printf("%-23s: %s\n", rows[i].key, rows[i].value);
	printf("%-23s: %u\n", "nr_domains", p.nr_domains);
	return 0;
}

int cli_cmd_dmesg(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct dyad_ctl_data hdr;
	struct ctl_client *c;
	uint64_t off = 0;
	uint8_t *buf;
	int opt, code = 1, rc = 0;

	while ((opt = cli_getopt(cmd, argc, argv, "h", longopts, &code)) != -1)
		return code;
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	c = cli_core();
	buf = c ? malloc(DYAD_CTL_READ_MAX) : NULL;
	if (!buf)
		return c ? cli_err("out of memory") : 1;
	do {
		rc = ctl_read_stream(c, DYAD_CTL_DMESG, 0, off, 0, buf, DYAD_CTL_READ_MAX, &hdr);
		if (rc == 0 && hdr.len <= DYAD_CTL_READ_MAX)
			fwrite(buf, 1, hdr.len, stdout);
		off = hdr.next;
	} while (rc == 0 && hdr.len > 0 && hdr.len <= DYAD_CTL_READ_MAX);
	free(buf);
	return rc ? cli_err("reading the core's log: %s", strerror(-rc)) : 0;
}
