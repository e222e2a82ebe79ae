/* /dev/log when the image runs no syslog daemon: pouch-init receives the messages and writes each
 * to the container's log as "[syslog] TAG: MSG" (syslog-parse.h). */
#pragma once

#include <stdbool.h>

#define DEFAULT_SYSLOG_SOCKET "/dev/log"

/* Whether a service of that name is a syslog daemon (rsyslog, syslog-ng, busybox's syslogd, ...). */
bool syslog_daemon_name(const char *name);
/* Bind a datagram socket at path (a stale socket or symlink there is replaced), mode 0666: the
 * fd (non-blocking) or -errno. */
int syslog_sink_open(const char *path);
/* Write what the socket holds (at most a batch of datagrams) to out_fd, one line each. */
void syslog_sink_read(int fd, int out_fd);
