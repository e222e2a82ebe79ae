/* Attached clients: buffered non-blocking output (docker framing unless tty), their input to
 * the process's stdin. A client never makes the container wait. */
#include "io-loop.h"

#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define client_of(w, member) ((struct client *) ((char *) (w) -offsetof(struct client, member)))

void frame_header(unsigned char hdr[8], int stream, uint32_t len)
{
        hdr[0] = (unsigned char) stream;
        hdr[1] = hdr[2] = hdr[3] = 0;
        hdr[4] = (unsigned char) (len >> 24);
        hdr[5] = (unsigned char) (len >> 16);
        hdr[6] = (unsigned char) (len >> 8);
        hdr[7] = (unsigned char) len;
}

/* Append to a queue; the buffer grows on demand and is freed when it empties. */
static int outbuf_append(struct outbuf *b, const void *data, size_t len)
{
        if (b->off > 0 && b->off + b->len + len > b->cap) {
                memmove(b->data, b->data + b->off, b->len);
                b->off = 0;
        }
        if (b->len + len > b->cap) {
                size_t cap = b->cap ? b->cap : 16384;
                while (cap < b->len + len)
                        cap *= 2;
                char *p = realloc(b->data, cap);
                if (!p)
                        return -ENOMEM;
                b->data = p;
                b->cap = cap;
        }
        memcpy(b->data + b->off + b->len, data, len);
        b->len += len;
        return 0;
}

static void outbuf_consume(struct outbuf *b, size_t n)
{
        b->off += n;
        b->len -= n;
        if (b->len == 0) {
                free(b->data);
                *b = (struct outbuf){ 0 };
        }
}

static ssize_t client_writev(struct client *c, struct iovec *iov, int n)
{
        ssize_t r;
        do {
                if (c->is_socket) {
                        struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t) n };
                        r = sendmsg(c->stream.fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
                } else {
                        r = writev(c->stream.fd, iov, n);
                }
        } while (r < 0 && errno == EINTR);
        if (r < 0 && errno == EAGAIN)
                return 0;
        return r < 0 ? -errno : r;
}

static bool stdin_full(const struct io_loop *l)
{
        return l->inbuf.len >= STDIN_MAX_BUFFER;
}

static void client_rearm(struct io_loop *l, struct client *c)
{
        uint32_t ev = 0;
        if (c->reading && !(c->in && stdin_full(l)))
                ev |= EPOLLIN;
        if (c->ob.len > 0)
                ev |= EPOLLOUT;
        watch_update(l, &c->stream, ev);
}

/* Returns 0, or -errno when the client is gone. */
static int client_flush(struct io_loop *l, struct client *c)
{
        while (c->ob.len > 0) {
                struct iovec iov = { .iov_base = c->ob.data + c->ob.off, .iov_len = c->ob.len };
                ssize_t n = client_writev(c, &iov, 1);
                if (n < 0)
                        return (int) n;
                if (n == 0)
                        break;
                outbuf_consume(&c->ob, (size_t) n);
                l->progress_ms = mono_ms();
        }
        client_rearm(l, c);
        return 0;
}

static void client_send(struct io_loop *l, struct client *c, const unsigned char *hdr, const char *data, size_t len)
{
        struct iovec iov[2];
        int n = 0;
        if (hdr)
                iov[n++] = (struct iovec){ .iov_base = (void *) hdr, .iov_len = 8 };
        iov[n++] = (struct iovec){ .iov_base = (void *) data, .iov_len = len };
        size_t total = (hdr ? 8 : 0) + len, sent = 0;
        if (c->ob.len == 0) {
                ssize_t r = client_writev(c, iov, n);
                if (r < 0) {
                        client_drop(l, c);
                        return;
                }
                sent = (size_t) r;
        }
        if (sent == total)
                return;
        if (!l->backpressure && c->ob.len + (total - sent) > CLIENT_MAX_BUFFER) {
                log_debug("dropping an attached client that does not keep up");
                client_drop(l, c);
                return;
        }
        /* queue what the socket did not take */
        int r = 0;
        for (int i = 0; i < n && r == 0; i++) {
                size_t skip = sent < iov[i].iov_len ? sent : iov[i].iov_len;
                sent -= skip;
                r = outbuf_append(&c->ob, (char *) iov[i].iov_base + skip, iov[i].iov_len - skip);
        }
        if (r < 0)
                client_drop(l, c);
        else
                client_rearm(l, c);
}

void clients_broadcast(struct io_loop *l, int stream, const char *data, size_t len)
{
        unsigned char hdr[8];
        frame_header(hdr, stream, (uint32_t) len);
        for (struct client *c = l->clients, *next; c; c = next) {
                next = c->next;
                if ((stream == 1 && !c->out) || (stream == 2 && !c->err))
                        continue;
                client_send(l, c, l->tty ? NULL : hdr, data, len);
        }
}

size_t clients_max_pending(const struct io_loop *l)
{
        size_t m = 0;
        for (const struct client *c = l->clients; c; c = c->next)
                if (c->ob.len > m)
                        m = c->ob.len;
        return m;
}

void clients_resume_input(struct io_loop *l)
{
        for (struct client *c = l->clients; c; c = c->next)
                client_rearm(l, c);
}

void stdin_close(struct io_loop *l)
{
        if (l->in.fd < 0 || l->stdin_closing)
                return;
        /* with a tty the master is also our output: send EOF (^D) and close only our dup */
        if (l->tty && outbuf_append(&l->inbuf, "\x04", 1) < 0)
                log_debug("cannot queue EOF for the terminal");
        l->stdin_closing = true;
        stdin_flush(l);
}

void stdin_flush(struct io_loop *l)
{
        bool was_full = stdin_full(l);
        while (l->in.fd >= 0 && l->inbuf.len > 0) {
                ssize_t n = write(l->in.fd, l->inbuf.data + l->inbuf.off, l->inbuf.len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        watch_update(l, &l->in, EPOLLOUT);
                        goto out;
                }
                if (n <= 0) {
                        /* the process closed its stdin: nothing more can go there */
                        outbuf_consume(&l->inbuf, l->inbuf.len);
                        watch_close(l, &l->in);
                        break;
                }
                outbuf_consume(&l->inbuf, (size_t) n);
        }
        if (l->inbuf.len > 0) /* stdin closed: discard */
                outbuf_consume(&l->inbuf, l->inbuf.len);
        watch_update(l, &l->in, 0);
        if (l->stdin_closing)
                watch_close(l, &l->in);
out:
        if (was_full && !stdin_full(l))
                clients_resume_input(l);
}

static void client_read(struct io_loop *l, struct client *c)
{
        bool forward = c->in && l->in.fd >= 0 && !l->stdin_closing;
        char buf[4096];
        size_t room = forward ? STDIN_MAX_BUFFER - l->inbuf.len : sizeof(buf);
        if (room > sizeof(buf))
                room = sizeof(buf);
        ssize_t n;
        do
                n = c->is_socket ? recv(c->stream.fd, buf, room, MSG_DONTWAIT) : read(c->stream.fd, buf, room);
        while (n < 0 && errno == EINTR);
        if (n < 0 && errno == EAGAIN)
                return;
        if (n < 0) {
                client_drop(l, c);
                return;
        }
        if (n == 0) {
                /* the client half-closed: keep sending it output, stop reading it */
                c->reading = false;
                client_rearm(l, c);
                if (c->in && l->close_stdin_on_eof)
                        stdin_close(l);
                return;
        }
        if (!forward)
                return;
        if (outbuf_append(&l->inbuf, buf, (size_t) n) < 0)
                return;
        stdin_flush(l);
        if (stdin_full(l))
                clients_resume_input(l); /* re-arm: stdin clients stop reading for now */
}

static void on_stream(struct io_loop *l, struct watch *w, uint32_t revents)
{
        struct client *c = client_of(w, stream);
        if ((revents & EPOLLOUT) && client_flush(l, c) < 0) {
                client_drop(l, c);
                return;
        }
        if (c->stream.fd < 0)
                return;
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                if (c->reading)
                        client_read(l, c);
                else if (revents & (EPOLLHUP | EPOLLERR))
                        client_drop(l, c);
        }
}

static void on_ctl(struct io_loop *l, struct watch *w, uint32_t revents)
{
        (void) revents;
        struct client *c = client_of(w, ctl);
        char buf[64];
        ssize_t n = read(w->fd, buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                client_drop(l, c); /* the attaching side went away */
}

int client_add(struct io_loop *l, int fd, int ctl, bool in, bool out, bool err, struct client **ret)
{
        if (l->nclients >= MAX_CLIENTS)
                return -EMFILE;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        struct client *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->is_socket = S_ISSOCK(st.st_mode);
        /* sockets get MSG_DONTWAIT per call, so the sender's copy of the fd stays blocking */
        if (!c->is_socket)
                fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        c->stream = (struct watch){ .fd = fd, .cb = on_stream };
        c->ctl = (struct watch){ .fd = ctl, .cb = on_ctl };
        c->in = in;
        c->out = out;
        c->err = err;
        c->reading = true;
        c->next = l->clients;
        l->clients = c;
        l->nclients++;
        client_rearm(l, c);
        watch_update(l, &c->ctl, EPOLLIN);
        if (ret)
                *ret = c;
        return 0;
}

void client_drop(struct io_loop *l, struct client *c)
{
        if (c->stream.fd < 0 && c->ctl.fd < 0)
                return; /* already dropped in this batch */
        /* the stream first, then the control connection: the attaching side waits for the
         * latter's EOF before it closes its own copy of the stream */
        watch_close(l, &c->stream);
        watch_close(l, &c->ctl);
        outbuf_consume(&c->ob, c->ob.len);
        for (struct client **p = &l->clients; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        break;
                }
        l->nclients--;
        c->next = l->dead_clients;
        l->dead_clients = c;
}

void clients_free_dead(struct io_loop *l)
{
        while (l->dead_clients) {
                struct client *c = l->dead_clients;
                l->dead_clients = c->next;
                free(c);
        }
}
