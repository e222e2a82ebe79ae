/* The main process: its own session, the terminal when there is one, exec on PATH. */
#include "mainproc.h"

#include "reaper.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* How the child gets the terminal (see mainproc.h). */
static enum spawn_session tty_plan(void)
{
        if (!isatty(STDIN_FILENO))
                return SPAWN_SETSID;
        pid_t tty_sid = tcgetsid(STDIN_FILENO);
        if (tty_sid < 0 || tty_sid != getsid(0))
                return SPAWN_SETSID; /* not our controlling terminal: nothing to hand over */
        if (tty_sid != getpid())
                return SPAWN_TTY_PGRP;
        /* we lead the session that owns it: let go, so that the child's session can take it.
         * That sends SIGHUP and SIGCONT to our group, which must not reach the main process. */
        struct sigaction ign = { .sa_handler = SIG_IGN }, old_hup, old_cont;
        sigaction(SIGHUP, &ign, &old_hup);
        sigaction(SIGCONT, &ign, &old_cont);
        int r = ioctl(STDIN_FILENO, TIOCNOTTY);
        /* they are blocked, so Linux kept them pending: setting SIG_IGN again discards them */
        sigaction(SIGHUP, &ign, NULL);
        sigaction(SIGCONT, &ign, NULL);
        sigaction(SIGHUP, &old_hup, NULL);
        sigaction(SIGCONT, &old_cont, NULL);
        if (r < 0) {
                fprintf(stderr, "pouch-init: warning: cannot hand the terminal over: %s\n", strerror(errno));
                return SPAWN_SETSID;
        }
        return SPAWN_TTY_SESSION;
}

int main_start(struct main_proc *m, char *const *argv, const struct child_ctx *ctx)
{
        struct spawn_opts o = {
                .path = NULL, /* searched on PATH in the child: 127 when missing, as a shell does */
                .argv = argv,
                .envp = ctx->env,
                .umask = -1,
                .fd_in = -1,
                .fd_out = -1,
                .fd_err = -1,
                .session = tty_plan(),
                .sigs = ctx->sigs,
        };
        int r = spawn_process(&o, &m->pid);
        if (r < 0) {
                fprintf(stderr, "pouch-init: cannot start %s: %s\n", argv[0], strerror(-r));
                return r;
        }
        m->started = true;
        *ctx->dirty = true;
        return 0;
}

bool main_handle_exit(struct main_proc *m, pid_t pid, int wstatus)
{
        if (pid <= 0 || m->pid != pid)
                return false;
        m->pid = 0;
        m->done = true;
        m->exit_code = exit_code_of(wstatus);
        return true;
}
