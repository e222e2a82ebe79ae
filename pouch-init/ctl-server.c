/* The control socket, served from the poll loop. */
#include "ctl-server.h"

#include "lib/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

void ctl_server_init(struct ctl_server *srv)
{
        memset(srv, 0, sizeof(*srv));
        srv->fd = -1;
}

int ctl_server_open(struct ctl_server *srv, const char *state_dir)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/" CTL_SOCKET_NAME, state_dir) < 0)
                return -ENOMEM;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        unlink(path);
        /* anyone may ask (systemctl status as a user); the peer's uid decides about changes */
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || chmod(path, 0666) < 0 || listen(fd, 16) < 0)
                return -errno;
        srv->fd = TAKE_FD(fd);
        srv->path = TAKE_PTR(path);
        return 0;
}

static void drop(struct ctl_server *srv, size_t i)
{
        close(srv->clients[i].fd);
        srv->clients[i] = srv->clients[--srv->n];
}

void ctl_server_close(struct ctl_server *srv)
{
        while (srv->n)
                drop(srv, 0);
        if (srv->fd >= 0) {
                close(srv->fd);
                unlink(srv->path);
        }
        free(srv->path);
        ctl_server_init(srv);
}

size_t ctl_server_pollfds(const struct ctl_server *srv, struct pollfd *fds)
{
        size_t k = 0;
        if (srv->fd < 0)
                return 0;
        /* a full house: new clients wait in the backlog */
        fds[k++] = (struct pollfd){ .fd = srv->n < CTL_CLIENTS_MAX ? srv->fd : -1, .events = POLLIN };
        for (size_t i = 0; i < srv->n; i++)
                fds[k++] = (struct pollfd){ .fd = srv->clients[i].waiting ? -1 : srv->clients[i].fd, .events = POLLIN };
        return k;
}

/* Send the answer (it fits the socket buffer: short) and hang up. */
static void reply(struct ctl_server *srv, size_t i, int code, int fd, const struct buf *text)
{
        char head[16];
        int n = snprintf(head, sizeof(head), "%d %d\n", code, fd == 2 ? 2 : 1);
        size_t len = text->len < CTL_REPLY_MAX - 16 ? text->len : CTL_REPLY_MAX - 16;
        struct iovec iov[2] = { { head, (size_t) n }, { text->data ? text->data : (char *) "", len } };
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
        (void) sendmsg(srv->clients[i].fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
        drop(srv, i);
}

/* Ask the handler; answer when it is done. false when the client is gone (i now names another). */
static bool ask(struct ctl_server *srv, size_t i, bool first, bool timed_out, ctl_handler_fn fn, void *ud)
{
        _cleanup_buf_ struct buf text = { 0 };
        int code = 1, fd = 2;
        if (fn(ud, &srv->clients[i].rq, first, timed_out, &text, &code, &fd) == 0)
                return true;
        reply(srv, i, code, fd, &text);
        return false;
}

/* Read what client i sent: false when it is gone. */
static bool read_request(struct ctl_server *srv, size_t i, ctl_handler_fn fn, void *ud, int64_t now)
{
        struct ctl_client *c = &srv->clients[i];
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return true;
        if (n <= 0) {
                drop(srv, i);
                return false;
        }
        c->len += (size_t) n;
        int r = ctl_request_parse(c->buf, c->len, &c->rq);
        if (r == -EAGAIN)
                return true;
        if (r < 0) {
                struct buf text = { 0 };
                buf_puts(&text, "pouch-init: invalid request\n");
                reply(srv, i, 1, 2, &text);
                buf_free(&text);
                return false;
        }
        if (!c->root && ctl_verb_changes(c->rq.verb)) {
                struct buf text = { 0 };
                buf_printf(&text, "Failed to %s %s.service: Access denied\n", ctl_verb_name(c->rq.verb), c->rq.name);
                reply(srv, i, CTL_EXIT_NO_UNIT, 2, &text);
                buf_free(&text);
                return false;
        }
        c->waiting = true;
        c->deadline = now + CTL_WAIT_MS;
        return ask(srv, i, true, false, fn, ud);
}

static void accept_clients(struct ctl_server *srv, int64_t now)
{
        while (srv->n < CTL_CLIENTS_MAX) {
                int fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0)
                        return;
                struct ucred cred;
                socklen_t len = sizeof(cred);
                bool root = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == 0;
                srv->clients[srv->n++] = (struct ctl_client){ .fd = fd, .deadline = now + CTL_READ_MS, .root = root };
        }
}

void ctl_server_dispatch(struct ctl_server *srv, const struct pollfd *fds, size_t n, ctl_handler_fn fn, void *ud,
                         int64_t now)
{
        if (n == 0 || srv->fd < 0)
                return;
        /* clients first (fds[1..] match clients[0..] as they were when polled), from the last so
         * that a dropped one moves no unvisited client */
        for (size_t k = n; k-- > 1;) {
                size_t i = k - 1;
                if (i < srv->n && fds[k].revents && fds[k].fd == srv->clients[i].fd && !srv->clients[i].waiting)
                        read_request(srv, i, fn, ud, now);
        }
        if (fds[0].revents)
                accept_clients(srv, now);
}

void ctl_server_tick(struct ctl_server *srv, ctl_handler_fn fn, void *ud, int64_t now, int64_t *next)
{
        for (size_t i = srv->n; i-- > 0;) {
                struct ctl_client *c = &srv->clients[i];
                bool late = now >= c->deadline;
                if (c->waiting) {
                        if (!ask(srv, i, false, late, fn, ud))
                                continue;
                } else if (late) {
                        drop(srv, i);
                        continue;
                }
                if (srv->clients[i].deadline < *next)
                        *next = srv->clients[i].deadline;
        }
}
