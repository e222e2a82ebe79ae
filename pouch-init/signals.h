/* Signals: everything is blocked and read from a signalfd in the event loop (tini's shape). The
 * synchronous fault signals (SIGSEGV, SIGBUS, ...) stay unblocked so that a crash is a crash,
 * and SIGTTIN/SIGTTOU are ignored so that handing the terminal to the main process cannot
 * stop pouch-init. Children start clean: every signal at its default disposition (even one
 * pouch-init was started with ignored, as a shell does for SIGINT and SIGQUIT of background
 * jobs) and the signal mask pouch-init was started with. */
#pragma once

#include <signal.h>
#include <stdbool.h>

struct saved_signals {
        sigset_t mask; /* the mask pouch-init was started with */
};

/* Block, ignore, and open the signalfd (non-blocking, close-on-exec): the fd, or -errno. */
int signals_setup(struct saved_signals *saved);
/* In a forked child before exec: default dispositions, the original mask. */
void signals_restore(const struct saved_signals *saved);
/* Read one signal from the signalfd: its number, 0 when none is pending, or -errno. */
int signals_read(int sfd);
/* Whether pouch-init passes sig on to the main process (SIGTERM, SIGINT, SIGHUP, SIGQUIT,
 * SIGUSR1, SIGUSR2, SIGWINCH). */
bool signal_forwarded(int sig);
