/*
 * bench_store: throughput of a xenstored-compatible daemon, measured with
 * Xen's own client library (libxenstore), so dyad-store and the reference
 * C xenstored are driven by the same client code.
 *
 *   bench_store ops SOCK DAEMON_PID OP CLIENTS SECONDS
 *       OP = read | write | tx; prints ops/s and the daemon's CPU us/op
 *   bench_store wire SOCK DAEMON_PID OP CLIENTS SECONDS DEPTH
 *       the same with a raw xs_wire client (bench_store_wire.c) keeping DEPTH
 *       requests outstanding per connection (1 = the classic pattern)
 *   bench_store floor CLIENTS SECONDS [DEPTH]
 *       the same request/reply pattern against a bare UNIX-socket echo server
 *       (one reply per framed request), with the server's CPU us/op; the
 *       server is pinned to CPU $BENCH_SERVER_CPU if set, like the daemons
 *   bench_store domains SOCK COUNT REPS
 *       us to create one domain's standard nodes (a transaction, as a
 *       toolstack does) with 0 and then with COUNT other domains present
 *
 * Output is key=value pairs for tests/bench/run to tabulate.  Not a test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
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

#include "bench_store_wire.h"

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

/*
 * The floor: a one-process echo server.  Per wake-up it reads what a client
 * sent and answers every complete xs_wire-framed request with one 22-byte
 * reply, all in one write - the least any store daemon must do.
 */
struct bench_echo {
	int fd;
	size_t len;
	char buf[16384];
};

static void bench_echo_conn(struct bench_echo *e, char *out)
{
	size_t off = 0, olen = 0;
	uint32_t plen;
	ssize_t r = read(e->fd, e->buf + e->len, sizeof(e->buf) - e->len);

	if (r <= 0) {
		close(e->fd);
		e->fd = -1;
		return;
	}
	e->len += (size_t)r;
	while (e->len - off >= 16) {
		memcpy(&plen, e->buf + off + 12, 4);
		if (e->len - off < 16 + (size_t)plen)
			break;
		off += 16 + plen;
		memset(out + olen, 0, 22);
		olen += 22;
	}
	memmove(e->buf, e->buf + off, e->len - off);
	e->len -= off;
	if (olen && write(e->fd, out, olen) < 0)
		e->fd = -1;
}

static void bench_echo_server(int lfd)
{
	static struct bench_echo conns[64];
	static char out[sizeof(conns[0].buf) / 16 * 22];
	struct pollfd pfd[65];
	int n = 1;

	pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue;
		if (pfd[0].revents && n < 65) {
			conns[n - 1] = (struct bench_echo){.fd = accept(lfd, NULL, NULL)};
			pfd[n] = (struct pollfd){.fd = conns[n - 1].fd, .events = POLLIN};
			n++;
		}
		for (int i = 1; i < n; i++) {
			if (!pfd[i].revents || conns[i - 1].fd < 0)
				continue;
			bench_echo_conn(&conns[i - 1], out);
			if (conns[i - 1].fd < 0)
				pfd[i].fd = -1;
		}
	}
}

static const char *bench_floor_path;
static int bench_depth = 1;

static long bench_floor_client(const char *unused, double start, double end)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char req[64 * 28] = {0}, rep[64 * 22];
	size_t want = (size_t)bench_depth * 22, got;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	long n = 0;

	(void)unused;
	for (int i = 0; i < bench_depth; i++)
		req[i * 28 + 12] = 12; /* xsd_sockmsg.len = 12 */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", bench_floor_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	while (bench_now() < start)
		;
	while (bench_now() < end) {
		/* One write of depth requests, then every reply read. */
		if (write(fd, req, (size_t)bench_depth * 28) < 0)
			return n;
		for (got = 0; got < want;) {
			ssize_t r = read(fd, rep, want - got);

			if (r <= 0)
				return n;
			got += (size_t)r;
		}
		n += bench_depth;
	}
	close(fd);
	return n;
}

/*
 * The echo server runs where the daemons run: BENCH_SERVER_CPU (set by
 * bench_store_run.sh when it pins), else wherever this process may run.
 */
static void bench_pin_server(void)
{
	const char *cpu = getenv("BENCH_SERVER_CPU");
	cpu_set_t set;

	if (!cpu || !*cpu)
		return;
	CPU_ZERO(&set);
	CPU_SET(atoi(cpu), &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		perror("bench_store: pinning the echo server");
}

static int bench_floor(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/bfloor.XXXXXX";
	int clients = atoi(argv[2]), lfd;
	double secs = atof(argv[3]), el, cpu0, cpu1;
	pid_t server;
	long n;

	bench_depth = argc > 4 ? atoi(argv[4]) : 1;
	if (bench_depth < 1 || bench_depth > 64 || !mkdtemp(dir))
		return 1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s", dir);
	bench_floor_path = sa.sun_path;
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 64) < 0)
		return 1;
	server = fork();
	if (server == 0) {
		bench_pin_server();
		bench_echo_server(lfd);
		_exit(0);
	}
	cpu0 = bench_cpu(server);
	n = bench_fork(clients, secs, bench_floor_client, NULL, &el);
	cpu1 = bench_cpu(server);
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	unlink(sa.sun_path);
	rmdir(dir);
	printf("op=floor clients=%d depth=%d ops=%ld ops_per_s=%.0f us_per_op=%.2f "
	       "daemon_cpu_us_per_op=%.2f\n",
	       clients, bench_depth, n, (double)n / el, el / (double)n * 1e6 * clients,
	       (cpu1 - cpu0) / (double)n * 1e6);
	return 0;
}

/* The raw client (bench_store_wire.c) as a bench_fork() body. */
static const char *bench_wire_path;

static long bench_wire_body(const char *op, double start, double end)
{
	return bench_wire_client(bench_wire_path, op[0], bench_depth, start, end);
}

static int bench_wire(int argc, char **argv)
{
	int pid = atoi(argv[3]), clients = atoi(argv[5]);
	double secs = atof(argv[6]), el, cpu0, cpu1;
	long n;

	(void)argc;
	bench_wire_path = argv[2];
	bench_depth = atoi(argv[7]);
	cpu0 = bench_cpu(pid);
	n = bench_fork(clients, secs, bench_wire_body, argv[4], &el);
	cpu1 = bench_cpu(pid);
	printf("op=%s clients=%d depth=%d ops=%ld ops_per_s=%.0f us_per_op=%.2f "
	       "daemon_cpu_us_per_op=%.2f\n",
	       argv[4], clients, bench_depth, n, (double)n / el, el / (double)n * 1e6 * clients,
	       (cpu1 - cpu0) / (double)n * 1e6);
	return n > 0 ? 0 : 1;
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
	if (argc == 8 && strcmp(argv[1], "wire") == 0)
		return bench_wire(argc, argv);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "floor") == 0)
		return bench_floor(argc, argv);
	if (argc == 5 && strcmp(argv[1], "domains") == 0)
		return bench_domains(argc, argv);
	fprintf(stderr, "usage: bench_store ops SOCK PID OP CLIENTS SECS |"
			" wire SOCK PID OP CLIENTS SECS DEPTH | floor CLIENTS SECS [DEPTH] |"
			" domains SOCK COUNT REPS\n");
	return 2;
}
