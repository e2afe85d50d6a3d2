/*
 * Create-to-first-guest-output latency: runs `dyad create CFG -c name=...`
 * N times and measures, for each, the time from just before the CLI is
 * started to the first byte of the guest's console output on its stdout
 * (the guest's first line, MARKER).  Prints p50, p99, min and max.
 * Usage: bench_boot DYAD CFG N MARKER
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Runs one creation; returns the latency in µs, or -1. */
static double one_run(const char *dyad, const char *cfg, int i, const char *marker)
{
	char name[64], buf[4096], seen[8192] = "";
	size_t seen_len = 0;
	double t0, t_first = -1;
	int p[2], status;
	pid_t pid;
	ssize_t n;

	snprintf(name, sizeof(name), "name=bench-%d", i);
	if (pipe(p) < 0)
		return -1;
	t0 = now_us();
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(dyad, dyad, "create", cfg, "-c", name, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n <= 0 || t_first >= 0)
			continue;
		size_t take = (size_t)n < sizeof(seen) - 1 - seen_len ? (size_t)n
								      : sizeof(seen) - 1 - seen_len;
		memcpy(seen + seen_len, buf, take);
		seen_len += take;
		seen[seen_len] = 0;
		if (strstr(seen, marker))
			t_first = now_us() - t0;
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return t_first;
}

int main(int argc, char **argv)
{
	double *lat;
	int n, ok = 0;

	if (argc != 5)
		return fprintf(stderr, "usage: %s DYAD CFG N MARKER\n", argv[0]), 2;
	n = atoi(argv[3]);
	if (n < 1 || !(lat = calloc((size_t)n, sizeof(*lat))))
		return 2;
	for (int i = 0; i < n; i++) {
		double l = one_run(argv[1], argv[2], i, argv[4]);

		if (l < 0) {
			fprintf(stderr, "bench_boot: run %d failed or printed no '%s'\n", i,
				argv[4]);
			free(lat);
			return 1;
		}
		lat[ok++] = l;
	}
	qsort(lat, (size_t)ok, sizeof(*lat), cmp_double);
	printf("create-to-first-output n=%d p50_ms=%.2f p99_ms=%.2f min_ms=%.2f max_ms=%.2f\n", ok,
	       lat[ok / 2] / 1e3, lat[(ok * 99) / 100 < ok ? (ok * 99) / 100 : ok - 1] / 1e3,
	       lat[0] / 1e3, lat[ok - 1] / 1e3);
	free(lat);
	return 0;
}
