/* The main process (the container's command): started after the services, in its own session.
 *
 * When stdin is a terminal the main process gets it, as a shell started by a terminal would: if
 * pouch-init is the session leader that owns the terminal (PID 1 with a tty from the runtime),
 * it lets go of it (TIOCNOTTY, its SIGHUP ignored) and the child's new session takes it
 * (TIOCSCTTY); if pouch-init merely runs in a session that owns it, the child becomes a new
 * process group made the foreground one (tcsetpgrp, as tini does; SIGTTOU is ignored around
 * that). It inherits stdin, stdout and stderr; the command is searched on PATH. */
#pragma once

#include "spawn.h"

#include <stdbool.h>
#include <sys/types.h>

struct main_proc {
        pid_t pid; /* 0 when not running */
        bool started;
        bool done;
        int exit_code; /* once done: the exit code, or 128 + the signal */
};

/* Start argv: 0, or -errno (printed). */
int main_start(struct main_proc *m, char *const *argv, const struct child_ctx *ctx);
/* A child exited: true when it was the main process (done, exit_code set). */
bool main_handle_exit(struct main_proc *m, pid_t pid, int wstatus);
