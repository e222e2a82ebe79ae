/* Running `runc create` / `runc exec -d` with the process's stdio, and what surrounds it. */
#pragma once

#include "runtime-wrap/runtime.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc_stdio {
        int child[3];       /* handed to the runtime (and so to the process) as 0, 1, 2 */
        int parent[3];      /* ours: [0] writes the process's stdin, [1]/[2] read its output */
        int console_listen; /* --tty: the console socket the runtime sends the pty master to */
        int pty_master;     /* --tty: received after the runtime ran */
};

/* stdio.c: pipes (stdin only when open_stdin, else /dev/null), or with tty a console socket
 * listening on console_path and /dev/null as the runtime's stdio. Our ends are non-blocking. */
int stdio_setup(struct proc_stdio *s, bool tty, bool open_stdin, const char *console_path);
void stdio_close_child(struct proc_stdio *s);
void stdio_done(struct proc_stdio *s);

/* console.c: take the pty master the runtime sent on the console socket (already queued once
 * the runtime exited). Returns the fd (non-blocking) or -errno. */
int console_receive(int listen_fd);

/* runtime-run.c */
/* The runtime argv with "--log FILE --log-format json" put before the subcommand. */
char **runtime_argv_with_log(char **argv, const char *log_file);
/* Run argv with s->child as its stdio, wait for it. Returns its exit status (0 success) or
 * -errno; on failure ret_err holds the runtime's message (from its JSON log, else from the
 * stderr pipe, else a generic text). */
int runtime_run(char **argv, struct proc_stdio *s, const char *log_file, char *ret_err, size_t errlen);
/* A runtime description borrowing the given strings (no runtime_done needed). */
void runtime_borrow(struct runtime *rt, const char *path, const char *root, bool systemd_cgroup);
/* `runc delete --force ID`, output discarded. */
void runtime_delete_quiet(const struct runtime *rt, const char *id);
pid_t read_pid_file(const char *path);

/* exit-status.c */
/* Wait status -> docker exit code: the code, or 128+signal. */
int exit_code_of(int status);
int exit_signal_of(int status);
/* Format and write exit.json atomically. */
int exit_status_format(int status, const struct timespec *finished, bool oom_killed, char *buf, size_t len);
int exit_status_write(const char *path, int status, const struct timespec *finished, bool oom_killed);
/* Write {"pid":N} or {"error":"..."} plus a newline to fd and close it (fd < 0: nothing). */
int sync_report(int fd, pid_t pid, const char *error);
