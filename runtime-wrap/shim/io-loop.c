/* The shim's event loop: epoll + signalfd, no timer until the process has exited. */
#include "io-loop.h"

#include "lib/log.h"
#include "lib/util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

int shim_signals_setup(void)
{
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        signal(SIGPIPE, SIG_IGN);
        return 0;
}

void shim_signals_reset(void)
{
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
}

int64_t mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void watch_update(struct io_loop *l, struct watch *w, uint32_t events)
{
        if (w->fd < 0 || l->epfd < 0 || w->events == events)
                return;
        struct epoll_event ev = { .events = events, .data.ptr = w };
        int op = !w->events ? EPOLL_CTL_ADD : !events ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
        if (epoll_ctl(l->epfd, op, w->fd, &ev) < 0) {
                log_debug_errno(-errno, "epoll_ctl on fd %d", w->fd);
                return;
        }
        w->events = events;
}

void watch_close(struct io_loop *l, struct watch *w)
{
        if (w->fd < 0)
                return;
        watch_update(l, w, 0);
        close(w->fd);
        w->fd = -1;
}

static void pause_output(struct io_loop *l, bool pause)
{
        uint32_t ev = pause ? 0 : EPOLLIN;
        watch_update(l, &l->out, ev);
        watch_update(l, &l->err, ev);
        l->output_paused = pause;
}

static void on_output(struct io_loop *l, struct watch *w, uint32_t revents)
{
        (void) revents;
        /* one record's worth per wake-up: at most LOG_CHUNK bytes of stack stay resident */
        char buf[LOG_CHUNK];
        ssize_t n = read(w->fd, buf, sizeof(buf));
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) {
                /* EOF, or EIO on a pty master once every slave is closed */
                if (w == &l->out && l->pty == w->fd)
                        l->pty = -1;
                watch_close(l, w);
                return;
        }
        int stream = w == &l->err ? 2 : 1;
        if (l->log) {
                int r = log_writer_write(l->log, stream == 2 ? "stderr" : "stdout", buf, (size_t) n);
                if (r < 0)
                        log_debug_errno(r, "Failed to write the container log");
        }
        clients_broadcast(l, stream, buf, (size_t) n);
        l->progress_ms = mono_ms();
        if (l->backpressure && clients_max_pending(l) > CLIENT_PAUSE_BUFFER)
                pause_output(l, true);
}

static void on_signal(struct io_loop *l, struct watch *w, uint32_t revents)
{
        (void) revents;
        struct signalfd_siginfo si;
        while (read(w->fd, &si, sizeof(si)) == sizeof(si))
                ;
        /* subreaper: orphans of the container (and runc's leftovers) land here too */
        for (;;) {
                int status;
                pid_t p = waitpid(-1, &status, WNOHANG);
                if (p <= 0)
                        break;
                if (p == l->init_pid && !l->exited) {
                        /* let the master read EOF/EIO once what is left of the output is read */
                        if (l->pty_peer >= 0)
                                close(l->pty_peer);
                        l->pty_peer = -1;
                        l->exited = true;
                        l->exit_status = status;
                        l->finished_at = now_realtime();
                }
        }
}

static void on_stdin(struct io_loop *l, struct watch *w, uint32_t revents)
{
        (void) w;
        (void) revents;
        stdin_flush(l);
}

int io_loop_init(struct io_loop *l, int out_fd, int err_fd, int in_fd, int listen_fd)
{
        /* own every fd from here on, so io_loop_done() cleans up after a failure too */
        l->sig = (struct watch){ .fd = -1, .cb = on_signal };
        l->out = (struct watch){ .fd = out_fd, .cb = on_output };
        l->err = (struct watch){ .fd = err_fd, .cb = on_output };
        l->in = (struct watch){ .fd = in_fd, .cb = on_stdin };
        l->listen = (struct watch){ .fd = listen_fd, .cb = attach_on_listen };
        l->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (l->epfd < 0)
                return -errno;
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        l->sig.fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (l->sig.fd < 0)
                return -errno;
        watch_update(l, &l->sig, EPOLLIN);
        watch_update(l, &l->out, EPOLLIN);
        watch_update(l, &l->err, EPOLLIN);
        watch_update(l, &l->listen, EPOLLIN);
        return 0;
}

/* One epoll_wait and its callbacks. Freed clients/requests are released only after the batch,
 * since a later event of the same batch may still point at them. */
static int dispatch(struct io_loop *l, int timeout)
{
        struct epoll_event evs[16];
        int n = epoll_wait(l->epfd, evs, 16, timeout);
        if (n < 0)
                return errno == EINTR ? 0 : -errno;
        for (int i = 0; i < n; i++) {
                struct watch *w = evs[i].data.ptr;
                if (w->fd >= 0 && w->cb)
                        w->cb(l, w, evs[i].events);
        }
        clients_free_dead(l);
        requests_free_dead(l);
        if (l->output_paused && clients_max_pending(l) <= CLIENT_PAUSE_BUFFER / 4)
                pause_output(l, false);
        return 0;
}

int io_loop_run(struct io_loop *l)
{
        int64_t deadline = 0;
        /* the process may have died before the loop started: its zombie is waiting */
        on_signal(l, &l->sig, EPOLLIN);
        for (;;) {
                int timeout = -1;
                if (l->exited) {
                        if (l->out.fd < 0 && l->err.fd < 0)
                                break;
                        int64_t now = mono_ms();
                        if (!deadline)
                                deadline = now + 1000;
                        /* a paused (exec) stream keeps going while its client makes progress */
                        if (now >= deadline && l->output_paused && now - l->progress_ms < 1000)
                                deadline = now + 200;
                        if (now >= deadline)
                                break; /* a daemonised grandchild keeps the pipes open */
                        timeout = (int) (deadline - now);
                }
                int r = dispatch(l, timeout);
                if (r < 0)
                        return log_error_errno(r, "epoll_wait failed");
        }
        watch_close(l, &l->out);
        watch_close(l, &l->err);
        l->pty = -1;
        return 0;
}

void io_loop_finish_clients(struct io_loop *l, int timeout_ms)
{
        l->allow_attach = false;
        int64_t deadline = mono_ms() + timeout_ms;
        for (;;) {
                int64_t left = deadline - mono_ms();
                if (clients_max_pending(l) == 0 || left <= 0)
                        break;
                if (dispatch(l, (int) left) < 0)
                        break;
        }
        while (l->clients)
                client_drop(l, l->clients);
        clients_free_dead(l);
}

void io_loop_done(struct io_loop *l)
{
        io_loop_finish_clients(l, 0);
        requests_drop_all(l);
        requests_free_dead(l);
        if (l->pty == l->out.fd)
                l->pty = -1;
        watch_close(l, &l->out);
        watch_close(l, &l->err);
        watch_close(l, &l->in);
        watch_close(l, &l->listen);
        watch_close(l, &l->sig);
        if (l->pty >= 0)
                close(l->pty);
        l->pty = -1;
        if (l->pty_peer >= 0)
                close(l->pty_peer);
        l->pty_peer = -1;
        free(l->inbuf.data);
        l->inbuf = (struct outbuf){ 0 };
        if (l->epfd >= 0)
                close(l->epfd);
        l->epfd = -1;
}
