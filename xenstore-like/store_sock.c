/*
 * Socket transport ops for store_conn.  Reads and writes never block: the
 * event loop calls them when epoll says the socket is ready.
 */
#include "store_sock.h"

#include "log.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static ssize_t store_sock_read(struct store_conn *conn, void *buf, size_t len)
{
	ssize_t n = recv(conn->fd, buf, len, MSG_DONTWAIT);

	if (n == 0)
		return -EPIPE;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	return n;
}

static ssize_t store_sock_write(struct store_conn *conn, const void *buf, size_t len)
{
	ssize_t n = send(conn->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	return n;
}

static void store_sock_destroy(struct store_conn *conn)
{
	if (conn->fd >= 0)
		close(conn->fd);
	conn->fd = -1;
}

static const struct store_conn_ops store_sock_ops = {
	.read = store_sock_read,
	.write = store_sock_write,
	.destroy = store_sock_destroy,
};

int store_sock_listen(const char *path, int *out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 128) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	*out = fd;
	return 0;
}

struct store_conn *store_sock_accept(struct store_core *c, int lfd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct store_conn *conn;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
		log_warn_rl("refusing store client (uid %d): only root may connect",
			    len == sizeof(cred) ? (int)cred.uid : -1);
		close(fd);
		return NULL;
	}
	conn = store_conn_new(c, &store_sock_ops, NULL, fd, 0, true);
	if (!conn)
		close(fd);
	return conn;
}
