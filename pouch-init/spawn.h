/* Starting a child: fork, its own session (or the terminal's foreground process group), stdio,
 * credentials, working directory, the original signal state, exec. */
#pragma once

#include "signals.h"
#include "users.h"

#include <stdbool.h>
#include <sys/types.h>

enum spawn_session {
        SPAWN_SETSID,      /* a new session without a terminal (services, initscript) */
        SPAWN_TTY_SESSION, /* a new session that takes stdin's terminal as controlling tty */
        SPAWN_TTY_PGRP,    /* a new process group made the terminal's foreground group */
};

struct spawn_opts {
        const char *path;                /* the executable; NULL: argv[0], searched on envp's PATH in the child */
        char *const *argv;               /* NULL-terminated, argv[0] set */
        char *const *envp;               /* NULL-terminated */
        const char *cwd;                 /* NULL: unchanged */
        bool cwd_optional;               /* a cwd that cannot be entered is not an error ('-' prefix) */
        const struct credentials *creds; /* NULL: unchanged */
        int umask;                       /* -1: unchanged */
        int fd_in;                       /* -1: inherited */
        int fd_out;                      /* -1: inherited */
        int fd_err;                      /* -1: inherited */
        enum spawn_session session;
        const struct saved_signals *sigs;
};

/* Fork and exec: 0 with the child's pid in *ret, or -errno when fork fails. A failure after
 * the fork (credentials, cwd, exec) is printed by the child on its stderr as
 * "pouch-init: ...", and the child exits 127 (command not found) or 126 (anything else). */
int spawn_process(const struct spawn_opts *o, pid_t *ret);

/* What every child of pouch-init shares, passed to the modules that start them. */
struct child_ctx {
        char *const *env;                 /* the base environment (ours without POUCH_INIT_*) */
        int devnull;                      /* stdin of services and of the initscript */
        int out_fd;                       /* where their output goes: our stdout */
        const struct saved_signals *sigs; /* restored in children */
        bool *dirty;                      /* set when something the status shows changed */
        const char *state_dir;            /* where the notify sockets go */
};
