/*
 * bench_store: throughput of a xenstored-compatible daemon, measured with
 * Xen's own client library (libxenstore), so dyad-store and the reference
 * C xenstored are driven by the same client code.
 *
 *   bench_store ops SOCK DAEMON_PID OP CLIENTS SECONDS
 *       OP = read | write | tx; prints ops/s and the daemon's CPU us/op
 *   bench_store floor CLIENTS SECONDS
 *       the same request/reply pattern against a bare UNIX-socket echo server
 *   bench_store domains SOCK COUNT REPS
 *       us to create one domain's standard nodes (a transaction, as a
 *       toolstack does) with 0 and then with COUNT other domains present
 *
 * Output is key=value pairs for tests/bench/run to tabulate.  Not a test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

static double bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The daemon's user+system CPU seconds so far. */
static double bench_cpu(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(buf, ')');
	if (p &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		ut = st = 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long bench_client_ops(const char *op, double start, double end)
{
	struct xs_handle *h = xs_open(0);
	char path[64];
	long n = 0;

	if (!h)
		return -1;
	snprintf(path, sizeof(path), "/bench/%d", (int)getpid());
	if (!xs_write(h, XBT_NULL, path, "hello", 5))
		return -1;
	while (bench_now() < start)
		;
	while (bench_now() < end) {
		for (int i = 0; i < 50; i++) {
			unsigned int len;

			if (op[0] == 'r') {
				free(xs_read(h, XBT_NULL, path, &len));
			} else if (op[0] == 'w') {
				xs_write(h, XBT_NULL, path, "x", 1);
			} else {
				xs_transaction_t t = xs_transaction_start(h);

				xs_write(h, t, path, "y", 1);
				xs_transaction_end(h, t, false);
			}
		}
		n += 50;
	}
	xs_rm(h, XBT_NULL, path);
	xs_close(h);
	return n;
}

/* Fork clients running fn; sum what they report through a pipe. */
static long bench_fork(int clients, double secs, long (*fn)(const char *, double, double),
		       const char *arg, double *elapsed)
{
	double start = bench_now() + 0.3, end = start + secs;
	pid_t pids[256];
	int p[2];
	long total = 0, n;

	if (clients > 256 || pipe(p) < 0)
		return -1;
	for (int i = 0; i < clients; i++) {
		if ((pids[i] = fork()) == 0) {
			n = fn(arg, start, end);
			if (write(p[1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	while (read(p[0], &n, sizeof(n)) == sizeof(n))
		total += n > 0 ? n : 0;
	close(p[0]);
	for (int i = 0; i < clients; i++)
		waitpid(pids[i], NULL, 0);
	*elapsed = secs;
	return total;
}

static int bench_ops(int argc, char **argv)
{
	int pid = atoi(argv[3]), clients = atoi(argv[5]);
	double secs = atof(argv[6]), el, cpu0, cpu1;
	long n;

	setenv("XENSTORED_PATH", argv[2], 1);
	cpu0 = bench_cpu(pid);
	n = bench_fork(clients, secs, bench_client_ops, argv[4], &el);
	cpu1 = bench_cpu(pid);
	printf("op=%s clients=%d ops=%ld ops_per_s=%.0f us_per_op=%.2f daemon_cpu_us_per_op=%.2f\n",
	       argv[4], clients, n, (double)n / el, el / (double)n * 1e6 * clients,
	       (cpu1 - cpu0) / (double)n * 1e6);
	(void)argc;
	return n > 0 ? 0 : 1;
}

/* The floor: a one-process echo server answering each 16-byte header + body. */
static void bench_echo_server(int lfd)
{
	struct pollfd pfd[64];
	char buf[4096 + 16];
	int n = 1;

	pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue;
		if (pfd[0].revents && n < 64)
			pfd[n++] = (struct pollfd){.fd = accept(lfd, NULL, NULL), .events = POLLIN};
		for (int i = 1; i < n; i++) {
			ssize_t r;

			if (!pfd[i].revents)
				continue;
			r = read(pfd[i].fd, buf, sizeof(buf));
			if (r <= 0) {
				close(pfd[i].fd);
				pfd[i--] = pfd[--n];
				continue;
			}
			if (write(pfd[i].fd, buf, 16 + 6) < 0)
				continue;
		}
	}
}

static const char *bench_floor_path;

static long bench_floor_client(const char *unused, double start, double end)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char req[16 + 12] = {0}, rep[16 + 6];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	long n = 0;

	(void)unused;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", bench_floor_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	while (bench_now() < start)
		;
	while (bench_now() < end) {
		for (int i = 0; i < 50; i++) {
			/* libxenstore's pattern: header and body written, reply read. */
			if (write(fd, req, sizeof(req)) < 0 || read(fd, rep, sizeof(rep)) <= 0)
				return n;
		}
		n += 50;
	}
	close(fd);
	return n;
}

static int bench_floor(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/bfloor.XXXXXX";
	int clients = atoi(argv[2]), lfd;
	double secs = atof(argv[3]), el;
	pid_t server;
	long n;

	(void)argc;
	if (!mkdtemp(dir))
		return 1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s", dir);
	bench_floor_path = sa.sun_path;
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 64) < 0)
		return 1;
	server = fork();
	if (server == 0) {
		bench_echo_server(lfd);
		_exit(0);
	}
	n = bench_fork(clients, secs, bench_floor_client, NULL, &el);
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	unlink(sa.sun_path);
	rmdir(dir);
	printf("op=floor clients=%d ops=%ld ops_per_s=%.0f us_per_op=%.2f\n", clients, n,
	       (double)n / el, el / (double)n * 1e6 * clients);
	return 0;
}

/* One domain's standard nodes, in one transaction, as a toolstack writes them. */
static int bench_one_domain(struct xs_handle *h, int id)
{
	static const char *leaves[] = {"name", "domid", "vm", "memory/target", "control/shutdown",
				       "data"};
	struct xs_permissions perms[2] = {{(unsigned int)id, XS_PERM_NONE}, {0, XS_PERM_READ}};
	char path[128], val[32];

	for (;;) {
		xs_transaction_t t = xs_transaction_start(h);

		snprintf(path, sizeof(path), "/local/domain/%d", id);
		xs_mkdir(h, t, path);
		xs_set_permissions(h, t, path, perms, 2);
		for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
			snprintf(path, sizeof(path), "/local/domain/%d/%s", id, leaves[i]);
			snprintf(val, sizeof(val), "%d", id);
			xs_write(h, t, path, val, strlen(val));
		}
		if (xs_transaction_end(h, t, false))
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
}

static double bench_domain_cost(struct xs_handle *h, int base, int reps)
{
	double t0 = bench_now();

	for (int i = 0; i < reps; i++)
		if (bench_one_domain(h, base + i))
			return -1;
	return (bench_now() - t0) / reps * 1e6;
}

static int bench_domains(int argc, char **argv)
{
	int count = atoi(argv[3]), reps = atoi(argv[4]);
	struct xs_handle *h;
	double empty, full;

	(void)argc;
	setenv("XENSTORED_PATH", argv[2], 1);
	h = xs_open(0);
	if (!h)
		return 1;
	xs_rm(h, XBT_NULL, "/local");
	empty = bench_domain_cost(h, 1, reps);
	for (int i = 0; i < count; i++)
		bench_one_domain(h, 10000 + i);
	full = bench_domain_cost(h, 20000, reps);
	printf("domain_create_us_0=%.1f domain_create_us_%d=%.1f\n", empty, count, full);
	xs_rm(h, XBT_NULL, "/local");
	xs_close(h);
	return empty < 0 || full < 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "ops") == 0)
		return bench_ops(argc, argv);
	if (argc == 4 && strcmp(argv[1], "floor") == 0)
		return bench_floor(argc, argv);
	if (argc == 5 && strcmp(argv[1], "domains") == 0)
		return bench_domains(argc, argv);
	fprintf(stderr, "usage: bench_store ops SOCK PID OP CLIENTS SECS | floor CLIENTS SECS |"
			" domains SOCK COUNT REPS\n");
	return 2;
}
