#include "io-loop.h"

#include "lib/fsutil.h"
#include "lib/log.h"
#include "lib/unixsock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { TAG_OUT = 1, TAG_ERR, TAG_SIG, TAG_LISTEN, TAG_CLIENT = 100, TAG_CTL = 200 };

static void ep_add(struct io_loop *l, int fd, uint64_t tag)
{
        struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = tag };
        epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int io_loop_init(struct io_loop *l)
{
        l->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (l->epfd < 0)
                return -errno;
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        l->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (l->sigfd < 0)
                return -errno;
        ep_add(l, l->sigfd, TAG_SIG);
        if (l->out_fd >= 0)
                ep_add(l, l->out_fd, TAG_OUT);
        if (l->err_fd >= 0)
                ep_add(l, l->err_fd, TAG_ERR);
        if (l->listen_fd >= 0)
                ep_add(l, l->listen_fd, TAG_LISTEN);
        for (int i = 0; i < IO_MAX_CLIENTS; i++)
                l->clients[i].fd = l->clients[i].ctl = -1;
        return 0;
}

static void drop_client(struct io_loop *l, int i)
{
        struct io_client *c = &l->clients[i];
        if (c->fd >= 0) {
                epoll_ctl(l->epfd, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
        }
        if (c->ctl >= 0) {
                epoll_ctl(l->epfd, EPOLL_CTL_DEL, c->ctl, NULL);
                close(c->ctl);
        }
        c->fd = c->ctl = -1;
}

int io_add_client(struct io_loop *l, int fd, int ctl, bool in, bool out, bool err)
{
        for (int i = 0; i < IO_MAX_CLIENTS; i++) {
                struct io_client *c = &l->clients[i];
                if (c->fd >= 0)
                        continue;
                *c = (struct io_client){ .fd = fd, .ctl = ctl, .in = in && l->in_fd >= 0, .out = out, .err = err };
                /* watch the stream for stdin and hang-ups; the control connection for its close */
                ep_add(l, fd, TAG_CLIENT + (uint64_t) i);
                if (ctl >= 0)
                        ep_add(l, ctl, TAG_CTL + (uint64_t) i);
                return 0;
        }
        return -EMFILE;
}

/* Write to a client; a client that cannot keep up for 2 s is dropped, never stalling the container. */
static int client_write(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len > 0) {
                ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno == ENOTSOCK)
                        n = write(fd, p, len);
                if (n > 0) {
                        p += n;
                        len -= (size_t) n;
                        continue;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        struct pollfd pf = { .fd = fd, .events = POLLOUT };
                        if (poll(&pf, 1, 2000) > 0)
                                continue;
                }
                return -EPIPE;
        }
        return 0;
}

static void broadcast(struct io_loop *l, int stream, const char *data, size_t len)
{
        unsigned char hdr[8] = { (unsigned char) stream, 0, 0, 0 };
        uint32_t be = htonl((uint32_t) len);
        memcpy(hdr + 4, &be, 4);
        for (int i = 0; i < IO_MAX_CLIENTS; i++) {
                struct io_client *c = &l->clients[i];
                if (c->fd < 0 || (stream == 1 && !c->out) || (stream == 2 && !c->err))
                        continue;
                int r = l->tty ? 0 : client_write(c->fd, hdr, sizeof(hdr));
                if (r == 0)
                        r = client_write(c->fd, data, len);
                if (r < 0)
                        drop_client(l, i);
        }
}

/* Read once from an output fd; returns bytes, 0 at EOF (fd closed and removed). */
static ssize_t pump_output(struct io_loop *l, int *fd, int stream)
{
        char buf[32768];
        ssize_t n = read(*fd, buf, sizeof(buf));
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return -1;
        if (n <= 0) {
                /* EOF, or EIO on a pty master once every slave is closed */
                epoll_ctl(l->epfd, EPOLL_CTL_DEL, *fd, NULL);
                if (*fd != l->in_fd)
                        close(*fd);
                *fd = -1;
                return 0;
        }
        if (l->log)
                log_writer_write(l->log, stream == 2 ? "stderr" : "stdout", buf, (size_t) n);
        broadcast(l, stream, buf, (size_t) n);
        return n;
}

static void close_stdin(struct io_loop *l)
{
        if (l->in_fd < 0)
                return;
        if (l->tty) {
                /* the pty master is also our output: send EOF (^D) instead of closing it */
                char eot = 4;
                if (write(l->in_fd, &eot, 1) < 0)
                        log_debug_errno(-errno, "writing EOF to the terminal");
                return;
        }
        close(l->in_fd);
        l->in_fd = -1;
}

static void client_input(struct io_loop *l, int i)
{
        struct io_client *c = &l->clients[i];
        char buf[32768];
        ssize_t n = read(c->fd, buf, sizeof(buf));
        if (n > 0) {
                if (c->in && l->in_fd >= 0 && write_all(l->in_fd, buf, (size_t) n) < 0)
                        close_stdin(l);
                return;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        /* EOF: the client half-closed. Keep sending it output; stop reading it. */
        epoll_ctl(l->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        if (c->in && l->close_stdin_on_client_eof)
                close_stdin(l);
        c->in = false;
}

void io_handle_request(struct io_loop *l, int conn);

static void reap(struct io_loop *l)
{
        struct signalfd_siginfo si;
        while (read(l->sigfd, &si, sizeof(si)) == sizeof(si))
                ;
        for (;;) {
                int status;
                pid_t p = waitpid(-1, &status, WNOHANG);
                if (p <= 0)
                        break;
                if (p == l->init_pid) {
                        l->exited = true;
                        l->exit_status = status;
                }
        }
}

static int64_t mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int io_loop_run(struct io_loop *l)
{
        int64_t drain_deadline = 0;
        reap(l); /* the init may have died before the loop started */
        for (;;) {
                if (l->exited && l->out_fd < 0 && l->err_fd < 0)
                        break;
                if (l->exited && !drain_deadline)
                        drain_deadline = mono_ms() + 1000;
                int timeout = -1;
                if (drain_deadline) {
                        int64_t left = drain_deadline - mono_ms();
                        if (left <= 0)
                                break; /* a daemonised grandchild keeps the pipes open */
                        timeout = (int) left;
                }
                struct epoll_event evs[16];
                int n = epoll_wait(l->epfd, evs, 16, timeout);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                for (int i = 0; i < n; i++) {
                        uint64_t tag = evs[i].data.u64;
                        if (tag == TAG_OUT && l->out_fd >= 0)
                                pump_output(l, &l->out_fd, 1);
                        else if (tag == TAG_ERR && l->err_fd >= 0)
                                pump_output(l, &l->err_fd, 2);
                        else if (tag == TAG_SIG)
                                reap(l);
                        else if (tag == TAG_LISTEN) {
                                int conn = accept4(l->listen_fd, NULL, NULL, SOCK_CLOEXEC);
                                if (conn >= 0)
                                        io_handle_request(l, conn);
                        } else if (tag >= TAG_CTL && tag < TAG_CTL + IO_MAX_CLIENTS) {
                                /* the control side went away: drop that client */
                                int ci = (int) (tag - TAG_CTL);
                                char b[64];
                                if (read(l->clients[ci].ctl, b, sizeof(b)) <= 0)
                                        drop_client(l, ci);
                        } else if (tag >= TAG_CLIENT && tag < TAG_CLIENT + IO_MAX_CLIENTS) {
                                int ci = (int) (tag - TAG_CLIENT);
                                if (l->clients[ci].fd >= 0)
                                        client_input(l, ci);
                        }
                }
        }
        return 0;
}

void io_loop_done(struct io_loop *l)
{
        for (int i = 0; i < IO_MAX_CLIENTS; i++)
                drop_client(l, i);
        if (l->out_fd >= 0 && l->out_fd != l->in_fd)
                close(l->out_fd);
        if (l->err_fd >= 0)
                close(l->err_fd);
        if (l->in_fd >= 0)
                close(l->in_fd);
        close(l->sigfd);
        close(l->epfd);
}

/* One request line on attach.sock / exec socket: ATTACH (with an fd), RESIZE, PING. */
void io_handle_request(struct io_loop *l, int conn)
{
        char line[257];
        int fd = -1;
        struct pollfd pf = { .fd = conn, .events = POLLIN };
        if (poll(&pf, 1, 2000) <= 0) {
                close(conn);
                return;
        }
        ssize_t n = unix_recv_fd(conn, line, sizeof(line) - 1, &fd);
        if (n <= 0) {
                if (fd >= 0)
                        close(fd);
                close(conn);
                return;
        }
        line[n] = '\0';
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "ATTACH", 6) == 0) {
                if (fd < 0) {
                        dprintf(conn, "ERR no stream fd attached\n");
                        close(conn);
                        return;
                }
                bool in = strstr(line, "stdin=1") != NULL, out = strstr(line, "stdout=1") != NULL,
                     err = strstr(line, "stderr=1") != NULL;
                fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
                if (io_add_client(l, fd, conn, in, out, err) < 0) {
                        dprintf(conn, "ERR too many clients\n");
                        close(fd);
                        close(conn);
                        return;
                }
                if (write(conn, "OK\n", 3) < 0)
                        log_debug("attach client went away");
                return;
        }
        if (fd >= 0)
                close(fd);
        unsigned h, w;
        if (sscanf(line, "RESIZE %u %u", &h, &w) == 2) {
                if (!l->tty || l->out_fd < 0) {
                        dprintf(conn, "ERR not a tty\n");
                } else {
                        struct winsize ws = { .ws_row = (unsigned short) h, .ws_col = (unsigned short) w };
                        if (ioctl(l->out_fd, TIOCSWINSZ, &ws) < 0)
                                dprintf(conn, "ERR %s\n", strerror(errno));
                        else
                                dprintf(conn, "OK\n");
                }
        } else if (strcmp(line, "PING") == 0) {
                dprintf(conn, "OK %d\n", l->init_pid);
        } else {
                dprintf(conn, "ERR unknown request\n");
        }
        close(conn);
}
