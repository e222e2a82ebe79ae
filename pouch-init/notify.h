/* The readiness protocol of Type=notify services (sd_notify): a datagram socket per service,
 * STATE_DIR/notify/INDEX, whose path the service gets in NOTIFY_SOCKET. pouch-init reads
 * newline-separated VAR=value messages from it: READY=1 marks the service started, MAINPID=N
 * names its main process, STATUS=... is kept for the status; the rest is ignored. Any process of
 * the container that can reach the socket may send (as NotifyAccess=all). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct notify_msg {
        bool ready;
        bool stopping;
        pid_t main_pid; /* 0: not given */
};

/* Create the socket for service index below state_dir (mode 0666, in a 0755 directory). The fd
 * (non-blocking, close-on-exec) with the path in *ret_path (malloc'ed), or -errno. */
int notify_open(const char *state_dir, size_t index, char **ret_path);

/* Read one datagram: 1 with *m filled, 0 when there is none, -errno. */
int notify_read(int fd, struct notify_msg *m);

/* Parse a message's text into *m (fields it does not name are left alone). */
void notify_parse(const char *text, size_t len, struct notify_msg *m);
