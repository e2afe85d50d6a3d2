/*
 * dyad console: attach to a domain's console through dyad-consoled
 * (RUNDIR/console.sock), like `xl console`: the domain's output from its
 * first byte still in the log, then live; keyboard input goes to the
 * guest's console ring; Ctrl-] (0x1d) detaches and leaves the guest
 * running.  When stdin is a terminal it is put in raw mode (restored on
 * exit) except that Enter still sends '\n' (ICRNL) and output newlines
 * still return the carriage (ONLCR): Dyad guests read and print bare '\n'.
 *
 * --log prints the saved log, RUNDIR/console/<name>.log.1 then .log, read
 * straight from the files, so it works with dyad-consoled down.
 *
 * Without dyad-consoled (not installed, or a domain it does not serve)
 * both fall back to the core's console_io stream, as before there was a
 * console backend: output only, parked reads until the domain is dead.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cons_cli.h"
#include "rundir.h"

#define CLI_CONSOLE_ESCAPE	0x1d /* Ctrl-], as in xl console */
#define CLI_CONSOLE_WAIT_MS	3000 /* for a dyad-consoled being started */
#define CLI_CONSOLE_DAEMON_NAME "dyad-consoled"

static int console_write(const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t r = write(STDOUT_FILENO, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Today's path: the core's console_io stream only. */
static int console_core_follow(struct ctl_client *c, uint32_t domid, bool follow)
{
	struct dyad_ctl_data hdr;
	uint64_t off = 0;
	uint8_t *buf = malloc(DYAD_CTL_READ_MAX);
	int rc = 0;

	if (!buf)
		return cli_err("out of memory");
	for (;;) {
		rc = ctl_read_stream(c, DYAD_CTL_CONSOLE_READ, domid, off,
				     follow ? DYAD_READ_F_WAIT : 0, buf, DYAD_CTL_READ_MAX, &hdr);
		if (rc || hdr.len > DYAD_CTL_READ_MAX)
			break;
		if (console_write(buf, hdr.len) < 0) {
			rc = -EPIPE;
			break;
		}
		off = hdr.next;
		if ((hdr.flags & DYAD_DATA_F_EOF) || (!follow && hdr.len == 0))
			break;
	}
	free(buf);
	if (rc == -ESRCH || rc == 0)
		return 0;
	return rc == -EPIPE ? 1
			    : cli_err("reading the console of domain %u: %s", domid, strerror(-rc));
}

/* ---- the saved log ---- */

/* Copy one file to stdout; 1 if it exists, 0 if not, -errno on error. */
static int console_cat(const char *path)
{
	char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (console_write(buf, (size_t)n) < 0) {
			close(fd);
			return -EPIPE;
		}
	close(fd);
	return n < 0 ? -errno : 1;
}

/* Print RUNDIR/console/<name>.log.1 and .log; 1 if neither exists. */
static int console_print_files(const char *name)
{
	char path[PATH_MAX];
	int found = 0, rc;

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/console/%s.log%s", rundir_path(), name,
			 i == 0 ? ".1" : "");
		rc = console_cat(path);
		if (rc == -EPIPE)
			return 0; /* the reader went away (| head): fine */
		if (rc < 0)
			return cli_err("reading %s: %s", path, strerror(-rc));
		found += rc;
	}
	return found ? 0 : -ENOENT;
}

static bool console_is_id(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return *s != '\0';
}

/* dyad console --log DOM: the log files, or the core's stream without them. */
static int console_print_log(const char *dom)
{
	struct dyad_ctl_dominfo info;
	struct ctl_client *c;
	uint32_t domid;
	int rc;

	if (!console_is_id(dom) && ctl_msg_check_name(dom, strlen(dom) + 1) == 0 &&
	    console_print_files(dom) != -ENOENT)
		return 0;
	c = cli_core();
	if (!c || cli_domain(c, dom, &domid))
		return 1;
	if (ctl_info(c, domid, &info) == 0) {
		info.name[sizeof(info.name) - 1] = '\0';
		rc = console_print_files(info.name);
		if (rc != -ENOENT)
			return rc;
	}
	return console_core_follow(c, domid, false);
}

/* ---- attached ---- */

static struct termios console_saved_tty;
static bool console_tty_raw;
static volatile sig_atomic_t console_stop;

static void console_on_signal(int sig)
{
	console_stop = 1;
}

static void console_tty_restore(void)
{
	if (console_tty_raw)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &console_saved_tty);
	console_tty_raw = false;
}

/*
 * The stop signals are blocked except inside ppoll(), so one that arrives
 * between the loop's check of console_stop and the wait cannot be lost.
 */
static void console_tty_setup(sigset_t *wait_mask)
{
	struct sigaction sa = {.sa_handler = console_on_signal};
	struct termios raw;
	sigset_t stop;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, wait_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &console_saved_tty) < 0)
		return;
	raw = console_saved_tty;
	cfmakeraw(&raw);
	raw.c_iflag |= ICRNL;	      /* Enter sends '\n' */
	raw.c_oflag |= OPOST | ONLCR; /* '\n' from the guest starts a new line */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0)
		console_tty_raw = true;
}

/* Keyboard bytes to the guest; 1 when Ctrl-] asks to detach. */
static int console_keys(int fd, bool *stdin_open)
{
	uint8_t buf[CONS_PROTO_INPUT_MAX];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	uint8_t *esc;
	int rc;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) { /* EOF: keep printing the guest's output */
		*stdin_open = false;
		return 0;
	}
	esc = memchr(buf, CLI_CONSOLE_ESCAPE, (size_t)n);
	rc = cons_cli_input(fd, buf, esc ? (size_t)(esc - buf) : (size_t)n);
	if (rc)
		return rc;
	return esc ? 1 : 0;
}

/* Output from the daemon; 1 at END. */
static int console_output(int fd)
{
	static struct cons_cli_msg m;
	int rc = cons_cli_recv(fd, &m);

	if (rc)
		return rc;
	if (m.type == CONS_MSG_END)
		return 1;
	return console_write(m.data, m.len) < 0 ? -EPIPE : 0;
}

static int console_session(int fd, uint32_t domid)
{
	bool stdin_open = true;
	sigset_t wait_mask;
	int rc = 0;

	console_tty_setup(&wait_mask);
	while (!rc && !console_stop) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
				      {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN}};

		if (ppoll(p, 2, NULL, &wait_mask) < 0) {
			rc = errno == EINTR ? 0 : -errno;
			continue;
		}
		if (p[0].revents)
			rc = console_output(fd);
		if (!rc && p[1].revents)
			rc = console_keys(fd, &stdin_open);
	}
	console_tty_restore();
	sigprocmask(SIG_SETMASK, &wait_mask, NULL);
	if (rc == 1 || rc == 0 || rc == -EPIPE)
		return rc == -EPIPE ? 1 : 0;
	return cli_err("console of domain %u: %s", domid,
		       rc == -ECONNRESET ? "dyad-consoled went away" : strerror(-rc));
}

/* Is dyad-consoled installed next to us (so the supervisor starts it)? */
static bool console_daemon_expected(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];

	if (rundir_bindir(dir, sizeof(dir)))
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, CLI_CONSOLE_DAEMON_NAME);
	return access(path, X_OK) == 0;
}

/* Connect to console.sock, waiting a little for a daemon being started. */
static int console_connect(int *fd)
{
	struct timespec pause = {0, 100 * 1000000L};
	int rc = cons_cli_open(rundir_path(), fd);

	if (rc && console_daemon_expected())
		for (int i = 0; rc && i < CLI_CONSOLE_WAIT_MS / 100; i++) {
			nanosleep(&pause, NULL);
			rc = cons_cli_open(rundir_path(), fd);
		}
	return rc;
}

int cli_console_follow(struct ctl_client *c, uint32_t domid, bool follow)
{
	struct cons_msg_attached at;
	int fd, rc;

	if (!follow) {
		char id[16];

		snprintf(id, sizeof(id), "%u", domid);
		return console_print_log(id);
	}
	if (console_connect(&fd))
		return console_core_follow(c, domid, true);
	rc = cons_cli_attach(fd, domid, CONS_ATTACH_F_DOMAIN_START, 0, &at);
	if (rc) {
		close(fd);
		if (rc == -ESRCH)
			return console_core_follow(c, domid, true); /* not served: the core's */
		return cli_err("attaching to the console of domain %u: %s", domid, strerror(-rc));
	}
	rc = console_session(fd, domid);
	close(fd);
	return rc;
}

int cli_cmd_console(const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"log", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ctl_client *c;
	bool follow = true;
	uint32_t domid;
	int opt, code = 1;

	while ((opt = cli_getopt(cmd, argc, argv, "h", longopts, &code)) != -1) {
		if (opt != 'l')
			return code;
		follow = false;
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "missing domain");
	if (argc - optind > 1)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (!follow)
		return console_print_log(argv[optind]);
	c = cli_core();
	if (!c || cli_domain(c, argv[optind], &domid))
		return 1;
	return cli_console_follow(c, domid, true);
}
