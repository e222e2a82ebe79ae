/* The event loop that moves a process's output to the log and to attached clients. */
#pragma once

#include "shim.h"

#include <stdbool.h>
#include <sys/types.h>

#define IO_MAX_CLIENTS 32

struct io_client {
        int fd;        /* stream to the client (attach connection, exec stream) */
        int ctl;       /* control connection to close when done (-1 if none) */
        bool out, err, in;
};

struct io_loop {
        int epfd, sigfd, listen_fd;
        int out_fd, err_fd;      /* pipes from the process; with a tty out_fd is the pty master */
        int in_fd;               /* process stdin (pipe or pty master), -1 when closed */
        bool tty, stdin_once;
        bool close_stdin_on_client_eof;
        struct log_writer *log;  /* NULL: no log (exec) */
        struct io_client clients[IO_MAX_CLIENTS];
        pid_t init_pid;
        bool exited;
        int exit_status;         /* raw wait status */
};

int io_loop_init(struct io_loop *l);
int io_add_client(struct io_loop *l, int fd, int ctl, bool in, bool out, bool err);
/* Run until the init process exited and its output is drained. */
int io_loop_run(struct io_loop *l);
void io_loop_done(struct io_loop *l);
