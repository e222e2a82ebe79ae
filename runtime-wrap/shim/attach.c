/* Requests on attach.sock (and exec-EID.sock): ATTACH with a passed fd, RESIZE, PING.
 * Connections are served from the event loop; a silent client never holds it up. */
#include "io-loop.h"

#include "lib/log.h"
#include "lib/unixsock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

static void request_drop(struct io_loop *l, struct request *q)
{
        watch_close(l, &q->w);
        if (q->fd_passed >= 0)
                close(q->fd_passed);
        q->fd_passed = -1;
        for (struct request **p = &l->requests; *p; p = &(*p)->next)
                if (*p == q) {
                        *p = q->next;
                        l->nrequests--;
                        q->next = l->dead_requests;
                        l->dead_requests = q;
                        break;
                }
}

static void reply(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(int fd, const char *fmt, ...)
{
        char buf[128];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n > 0 &&
            send(fd, buf, (size_t) n < sizeof(buf) ? (size_t) n : sizeof(buf) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                log_debug_errno(-errno, "cannot answer a request");
}

/* "stdin=1" style flag; absent counts as 0. */
static bool flag(const char *line, const char *name)
{
        const char *p = strstr(line, name);
        return p && p[strlen(name)] == '=' && p[strlen(name) + 1] == '1';
}

static void do_attach(struct io_loop *l, struct request *q)
{
        if (!l->allow_attach) {
                reply(q->w.fd, "ERR %s\n", l->exited ? "container exited" : "attach not supported");
                return request_drop(l, q);
        }
        if (q->fd_passed < 0) {
                reply(q->w.fd, "ERR no stream fd attached\n");
                return request_drop(l, q);
        }
        /* the connection becomes the client's control connection */
        int ctl = q->w.fd;
        watch_update(l, &q->w, 0);
        q->w.fd = -1;
        int fd = q->fd_passed;
        q->fd_passed = -1;
        int r = client_add(l, fd, ctl, flag(q->line, "stdin"), flag(q->line, "stdout"), flag(q->line, "stderr"), NULL);
        if (r < 0) {
                reply(ctl, "ERR %s\n", strerror(-r));
                close(fd);
                close(ctl);
        } else {
                reply(ctl, "OK\n");
        }
        request_drop(l, q);
}

static void do_resize(struct io_loop *l, int conn, unsigned h, unsigned w)
{
        if (l->pty < 0) {
                reply(conn, "ERR not a tty\n");
                return;
        }
        struct winsize ws = { .ws_row = (unsigned short) h, .ws_col = (unsigned short) w };
        if (ioctl(l->pty, TIOCSWINSZ, &ws) < 0)
                reply(conn, "ERR %s\n", strerror(errno));
        else
                reply(conn, "OK\n");
}

static void handle(struct io_loop *l, struct request *q)
{
        q->line[strcspn(q->line, "\r\n")] = '\0';
        unsigned h, w;
        if (strncmp(q->line, "ATTACH", 6) == 0 && (q->line[6] == ' ' || q->line[6] == '\0'))
                return do_attach(l, q);
        if (sscanf(q->line, "RESIZE %u %u", &h, &w) == 2)
                do_resize(l, q->w.fd, h, w);
        else if (strcmp(q->line, "PING") == 0)
                reply(q->w.fd, "OK %d\n", (int) l->init_pid);
        else
                reply(q->w.fd, "ERR unknown request\n");
        request_drop(l, q);
}

static void on_request(struct io_loop *l, struct watch *w, uint32_t revents)
{
        (void) revents;
        struct request *q = (struct request *) w;
        int fd = -1;
        ssize_t n = unix_recv_fd(w->fd, q->line + q->len, REQUEST_MAX - q->len, &fd);
        if (fd >= 0) {
                if (q->fd_passed >= 0)
                        close(q->fd_passed);
                q->fd_passed = fd;
        }
        if (n == -EAGAIN)
                return;
        if (n <= 0)
                return request_drop(l, q);
        q->len += (size_t) n;
        q->line[q->len] = '\0';
        if (memchr(q->line, '\n', q->len))
                return handle(l, q);
        if (q->len >= REQUEST_MAX) {
                reply(w->fd, "ERR request too long\n");
                request_drop(l, q);
        }
}

void attach_on_listen(struct io_loop *l, struct watch *w, uint32_t revents)
{
        (void) revents;
        int conn = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (conn < 0)
                return;
        if (l->nrequests >= MAX_REQUESTS) {
                close(conn);
                return;
        }
        struct request *q = calloc(1, sizeof(*q));
        if (!q) {
                close(conn);
                return;
        }
        q->w = (struct watch){ .fd = conn, .cb = on_request };
        q->fd_passed = -1;
        q->next = l->requests;
        l->requests = q;
        l->nrequests++;
        watch_update(l, &q->w, EPOLLIN);
}

void requests_drop_all(struct io_loop *l)
{
        while (l->requests)
                request_drop(l, l->requests);
}

void requests_free_dead(struct io_loop *l)
{
        while (l->dead_requests) {
                struct request *q = l->dead_requests;
                l->dead_requests = q->next;
                free(q);
        }
}
