/*
 * Checks that `dyad list --json` parses with json-c and matches `dyad list`:
 * the same domains, with the same id, memory, online vCPUs (xl's VCPUs
 * column) and state letters.
 * Usage: list_json_check JSON_FILE TABLE_FILE EXPECTED_COUNT
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct row {
	char name[128], state[16];
	int id, vcpus;
	unsigned long mem;
};

static int read_table(const char *path, struct row *rows, int cap)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;

	if (!f || !fgets(line, sizeof(line), f)) /* the header */
		return -1;
	while (n < cap && fgets(line, sizeof(line), f)) {
		struct row *r = &rows[n];
		double t;

		if (sscanf(line, "%127s %d %lu %d %15s %lf", r->name, &r->id, &r->mem, &r->vcpus,
			   r->state, &t) == 6)
			n++;
	}
	fclose(f);
	return n;
}

static const char *str_field(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static int int_field(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int(v) : -1;
}

static int check_one(json_object *o, const struct row *rows, int n)
{
	const char *name = str_field(o, "name");

	for (int i = 0; i < n; i++) {
		if (strcmp(rows[i].name, name))
			continue;
		if (int_field(o, "domid") != rows[i].id ||
		    int_field(o, "memory_mb") != (int)rows[i].mem ||
		    int_field(o, "vcpus_online") != rows[i].vcpus ||
		    strcmp(str_field(o, "state_letters"), rows[i].state)) {
			fprintf(stderr,
				"mismatch for %s: json %s vs table id=%d mem=%lu vcpus=%d %s\n",
				name, json_object_to_json_string(o), rows[i].id, rows[i].mem,
				rows[i].vcpus, rows[i].state);
			return -1;
		}
		return 0;
	}
	fprintf(stderr, "domain %s is in the JSON but not in the table\n", name);
	return -1;
}

int main(int argc, char **argv)
{
	struct row rows[64];
	json_object *arr;
	int n, want;

	if (argc != 4)
		return fprintf(stderr, "usage: %s JSON TABLE COUNT\n", argv[0]), 2;
	want = atoi(argv[3]);
	arr = json_object_from_file(argv[1]);
	if (!arr || !json_object_is_type(arr, json_type_array))
		return fprintf(stderr, "%s: not a JSON array: %s\n", argv[1],
			       json_util_get_last_err()),
		       1;
	n = read_table(argv[2], rows, 64);
	if (n != want || (int)json_object_array_length(arr) != want) {
		fprintf(stderr, "expected %d domains: table has %d, JSON has %zu\n", want, n,
			json_object_array_length(arr));
		json_object_put(arr);
		return 1;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		if (check_one(json_object_array_get_idx(arr, i), rows, n)) {
			json_object_put(arr);
			return 1;
		}
	}
	printf("list --json matches the table for %d domains\n", n);
	json_object_put(arr);
	return 0;
}
