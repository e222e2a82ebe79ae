/* The shim's event loop: epoll + signalfd, process output to the log and to attached clients,
 * clients' input to the process's stdin, reaping (subreaper), attach/exec socket requests. */
#pragma once

#include "log-writer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* A client whose unsent output passes this is dropped (container mode) so the container never
 * waits for it. */
#define CLIENT_MAX_BUFFER (1u << 20)
/* Exec mode instead pauses reading the process's output above this (backpressure). */
#define CLIENT_PAUSE_BUFFER (256u << 10)
#define STDIN_MAX_BUFFER (64u << 10)
#define MAX_CLIENTS 64
#define MAX_REQUESTS 32
#define REQUEST_MAX 256

struct io_loop;

struct watch {
        int fd;
        uint32_t events; /* as registered with epoll; 0 = not registered */
        void (*cb)(struct io_loop *l, struct watch *w, uint32_t revents);
};

struct outbuf {
        char *data;
        size_t off, len, cap;
};

struct client {
        struct watch stream; /* the passed fd: output to it, input from it */
        struct watch ctl;    /* attach control connection; fd -1 for the exec stream */
        struct client *next;
        bool in, out, err; /* wanted streams */
        bool reading;      /* still reading input (no EOF yet) */
        bool is_socket;    /* send/recv with MSG_DONTWAIT; else the fd is O_NONBLOCK */
        struct outbuf ob;
};

struct request {
        struct watch w;
        struct request *next;
        int fd_passed;
        size_t len;
        char line[REQUEST_MAX + 1];
};

struct io_loop {
        int epfd;
        struct watch sig, listen;
        struct watch out, err; /* the process's output; with a tty, out is the pty master */
        struct watch in;       /* the process's stdin (pipe, or a dup of the pty master) */
        int pty;               /* pty master for RESIZE, -1 without a tty */
        int pty_peer;          /* the shim's own handle on the pty's slave while the process runs, so
                                * that an init closing every terminal fd of its own (systemd does)
                                * does not make the master read EIO for good; -1 when none */
        bool tty;
        bool close_stdin_on_eof; /* a stdin client's EOF closes the process's stdin */
        bool backpressure;       /* exec: pause output for slow clients instead of dropping them */
        bool allow_attach;       /* container mode: ATTACH requests */
        bool output_paused;
        bool stdin_closing;     /* close stdin once the pending bytes are written */
        struct outbuf inbuf;    /* bytes waiting for the process's stdin */
        struct log_writer *log; /* NULL: no log (exec) */
        struct client *clients, *dead_clients;
        struct request *requests, *dead_requests;
        unsigned nclients, nrequests;
        pid_t init_pid;
        bool exited;
        int exit_status; /* raw wait status of init_pid */
        struct timespec finished_at;
        int64_t progress_ms; /* last time output moved (monotonic) */
};

/* Block SIGCHLD (read through the signalfd) and ignore SIGPIPE. Call before forking anything. */
int shim_signals_setup(void);
/* Reset what shim_signals_setup() changed; for children before exec. */
void shim_signals_reset(void);
int64_t mono_ms(void);

/* Fill the fds in l (out/err/in/pty/listen fds set by the caller; -1 when absent) and register
 * them. Returns 0 or -errno. */
int io_loop_init(struct io_loop *l, int out_fd, int err_fd, int in_fd, int listen_fd);
/* Serve until the process exited and its output is drained (at most 1 s after the exit). */
int io_loop_run(struct io_loop *l);
/* Push buffered output to clients (at most timeout_ms), then close every client: the stream
 * fd first, then the control connection. */
void io_loop_finish_clients(struct io_loop *l, int timeout_ms);
void io_loop_done(struct io_loop *l);

void watch_update(struct io_loop *l, struct watch *w, uint32_t events);
void watch_close(struct io_loop *l, struct watch *w);

/* client.c */
/* docker's stream header: [stream][0][0][0][len u32 big-endian]. */
void frame_header(unsigned char hdr[8], int stream, uint32_t len);
int client_add(struct io_loop *l, int fd, int ctl, bool in, bool out, bool err, struct client **ret);
void client_drop(struct io_loop *l, struct client *c);
/* Queue output of stream (1 stdout, 2 stderr) to every client that wants it. */
void clients_broadcast(struct io_loop *l, int stream, const char *data, size_t len);
size_t clients_max_pending(const struct io_loop *l);
void clients_resume_input(struct io_loop *l);
void clients_free_dead(struct io_loop *l);
/* Write whatever the process's stdin takes from l->inbuf. */
void stdin_flush(struct io_loop *l);
void stdin_close(struct io_loop *l);

/* attach.c */
void attach_on_listen(struct io_loop *l, struct watch *w, uint32_t revents);
void requests_drop_all(struct io_loop *l);
void requests_free_dead(struct io_loop *l);
