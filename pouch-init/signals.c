/* Signals: everything blocked and read from a signalfd; children get the original state back. */
#include "signals.h"

#include "lib/cleanup.h"

#include <errno.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static const int fault_signals[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS };

static bool is_fault(int sig)
{
        for (size_t i = 0; i < ARRAY_SIZE(fault_signals); i++)
                if (fault_signals[i] == sig)
                        return true;
        return false;
}

/* Every catchable signal but the faults (a sanitizer may handle those) to SIG_DFL. */
static void reset_dispositions(bool faults_too)
{
        struct sigaction dfl;
        memset(&dfl, 0, sizeof(dfl));
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP && (faults_too || !is_fault(sig)))
                        sigaction(sig, &dfl, NULL); /* fails, harmlessly, for the libc's own signals */
}

int signals_setup(struct saved_signals *saved)
{
        sigset_t all;
        sigfillset(&all);
        for (size_t i = 0; i < ARRAY_SIZE(fault_signals); i++)
                sigdelset(&all, fault_signals[i]);
        if (sigprocmask(SIG_SETMASK, &all, &saved->mask) < 0)
                return -errno;
        reset_dispositions(false);
        struct sigaction ign;
        memset(&ign, 0, sizeof(ign));
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        if (sigaction(SIGTTIN, &ign, NULL) < 0 || sigaction(SIGTTOU, &ign, NULL) < 0)
                return -errno;
        int fd = signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

void signals_restore(const struct saved_signals *saved)
{
        reset_dispositions(true);
        sigprocmask(SIG_SETMASK, &saved->mask, NULL);
}

int signals_read(int sfd)
{
        struct signalfd_siginfo si;
        for (;;) {
                ssize_t n = read(sfd, &si, sizeof(si));
                if (n == (ssize_t) sizeof(si))
                        return (int) si.ssi_signo;
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return 0;
                return n < 0 ? -errno : -EIO;
        }
}

bool signal_forwarded(int sig)
{
        switch (sig) {
        case SIGTERM:
        case SIGINT:
        case SIGHUP:
        case SIGQUIT:
        case SIGUSR1:
        case SIGUSR2:
        case SIGWINCH:
                return true;
        default:
                return false;
        }
}
