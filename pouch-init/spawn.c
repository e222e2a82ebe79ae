/* Starting a child: fork, session, stdio, credentials, cwd, signals, exec. */
#include "spawn.h"

#include "lib/cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static const char *env_path(char *const *envp)
{
        for (; envp && *envp; envp++)
                if (strncmp(*envp, "PATH=", 5) == 0)
                        return *envp + 5;
        return NULL;
}

/* dup2 that also works when from == to (clears close-on-exec). */
static int move_fd(int from, int to)
{
        if (from < 0)
                return 0;
        if (from == to)
                return fcntl(to, F_SETFD, 0) < 0 ? -errno : 0;
        return dup2(from, to) < 0 ? -errno : 0;
}

static void __attribute__((noreturn)) child_fail(int code, const char *what, const char *arg, int err)
{
        dprintf(STDERR_FILENO, "pouch-init: %s %s: %s\n", what, arg, strerror(err));
        _exit(code);
}

static void __attribute__((noreturn)) child(const struct spawn_opts *o)
{
        switch (o->session) {
        case SPAWN_SETSID:
                setsid();
                break;
        case SPAWN_TTY_SESSION:
                /* SIGTTOU is still ignored here (restored below), so this cannot stop us */
                setsid();
                if (ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
                        dprintf(STDERR_FILENO, "pouch-init: cannot make the terminal the main process's: %s\n",
                                strerror(errno));
                break;
        case SPAWN_TTY_PGRP:
                setpgid(0, 0);
                if (tcsetpgrp(STDIN_FILENO, getpid()) < 0 && errno != ENOTTY && errno != ENXIO)
                        dprintf(STDERR_FILENO, "pouch-init: cannot give the terminal to the main process: %s\n",
                                strerror(errno));
                break;
        }
        /* stdio: stderr last, so that messages above went to the inherited one */
        int in = o->fd_in, out = o->fd_out, err = o->fd_err;
        if (move_fd(in, STDIN_FILENO) < 0 || move_fd(out, STDOUT_FILENO) < 0 || move_fd(err, STDERR_FILENO) < 0)
                child_fail(126, "cannot set up stdio for", o->argv[0], errno);
        if (o->creds) {
                if (setgroups(o->creds->n_groups, o->creds->groups) < 0 && errno != EPERM)
                        child_fail(126, "setgroups for", o->argv[0], errno);
                if (setgid(o->creds->gid) < 0)
                        child_fail(126, "setgid for", o->argv[0], errno);
                if (setuid(o->creds->uid) < 0)
                        child_fail(126, "setuid for", o->argv[0], errno);
        }
        if (o->umask >= 0)
                umask((mode_t) o->umask);
        if (o->cwd && chdir(o->cwd) < 0 && !o->cwd_optional)
                child_fail(126, "cannot change to the working directory", o->cwd, errno);
        signals_restore(o->sigs);
        const char *exe = o->path;
        _cleanup_free_ char *found = NULL;
        if (!exe) {
                int r = find_executable(o->argv[0], env_path(o->envp), &found);
                if (r < 0)
                        child_fail(r == -ENOENT ? 127 : 126, "exec", o->argv[0], r == -ENOENT ? ENOENT : -r);
                exe = found;
        }
        execve(exe, o->argv, o->envp);
        int e = errno;
        child_fail(e == ENOENT ? 127 : 126, "exec", exe, e);
}

int spawn_process(const struct spawn_opts *o, pid_t *ret)
{
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                child(o);
        /* also from the parent, so that the group exists before anyone signals it */
        if (o->session == SPAWN_TTY_PGRP)
                setpgid(pid, pid);
        *ret = pid;
        return 0;
}
