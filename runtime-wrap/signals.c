/* Signal names as docker accepts them: "TERM", "SIGTERM", "15", "RTMIN+3", "SIGRTMAX-1". */
#include "runtime-wrap/runtime.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
        const char *name;
        int signo;
} signal_names[] = {
        { "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "BUS", SIGBUS },       { "CHLD", SIGCHLD },
        { "CLD", SIGCHLD },  { "CONT", SIGCONT }, { "FPE", SIGFPE },       { "HUP", SIGHUP },
        { "ILL", SIGILL },   { "INT", SIGINT },   { "IO", SIGIO },         { "IOT", SIGIOT },
        { "KILL", SIGKILL }, { "PIPE", SIGPIPE }, { "POLL", SIGPOLL },     { "PROF", SIGPROF },
        { "PWR", SIGPWR },   { "QUIT", SIGQUIT }, { "SEGV", SIGSEGV },     { "STKFLT", SIGSTKFLT },
        { "STOP", SIGSTOP }, { "SYS", SIGSYS },   { "TERM", SIGTERM },     { "TRAP", SIGTRAP },
        { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },
        { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "VTALRM", SIGVTALRM }, { "WINCH", SIGWINCH },
        { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
};

/* Whole string is a decimal number in [lo, hi]. */
static int parse_number(const char *s, int lo, int hi)
{
        if (!*s)
                return -EINVAL;
        for (const char *p = s; *p; p++)
                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
        if (strlen(s) > 4)
                return -EINVAL;
        int v = atoi(s);
        return v < lo || v > hi ? -EINVAL : v;
}

/* "RTMIN", "RTMIN+N", "RTMAX", "RTMAX-N" (the caller stripped any SIG prefix). */
static int parse_realtime(const char *s)
{
        int base, sign;
        if (strncasecmp(s, "RTMIN", 5) == 0)
                base = SIGRTMIN, sign = 1;
        else if (strncasecmp(s, "RTMAX", 5) == 0)
                base = SIGRTMAX, sign = -1;
        else
                return -EINVAL;
        s += 5;
        if (!*s)
                return base;
        if (*s != (sign > 0 ? '+' : '-'))
                return -EINVAL;
        int n = parse_number(s + 1, 0, SIGRTMAX - SIGRTMIN);
        return n < 0 ? n : base + sign * n;
}

int signal_from_string(const char *s)
{
        if (!s || !*s)
                return -EINVAL;
        if (isdigit((unsigned char) s[0]))
                return parse_number(s, 1, SIGRTMAX);
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
                if (strcasecmp(s, signal_names[i].name) == 0)
                        return signal_names[i].signo;
        return parse_realtime(s);
}
