/* /dev/log when the image runs no syslog daemon. */
#include "syslog-sink.h"

#include "lib/cleanup.h"
#include "syslog-parse.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define SYSLOG_BATCH 64 /* datagrams per wake-up: a flood does not starve the rest of the loop */

bool syslog_daemon_name(const char *name)
{
        static const char *const daemons[] = { "rsyslog",  "syslog-ng",       "syslogd",
                                               "sysklogd", "busybox-syslogd", "inetutils-syslogd",
                                               "metalog",  "socklog",         "syslog" };
        for (size_t i = 0; i < sizeof(daemons) / sizeof(daemons[0]); i++)
                if (strcmp(name, daemons[i]) == 0)
                        return true;
        return false;
}

int syslog_sink_open(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        struct stat st;
        /* a socket left by an earlier run, or systemd's link to the journal's socket */
        if (lstat(path, &st) == 0 && (S_ISSOCK(st.st_mode) || S_ISLNK(st.st_mode)))
                unlink(path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        /* every user logs */
        if (chmod(path, 0666) < 0)
                return -errno;
        return TAKE_FD(fd);
}

void syslog_sink_read(int fd, int out_fd)
{
        char buf[SYSLOG_MSG_MAX];
        for (int i = 0; i < SYSLOG_BATCH; i++) {
                ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                struct syslog_msg m;
                syslog_parse(buf, (size_t) n, &m);
                _cleanup_buf_ struct buf line = { 0 };
                if (syslog_format_line(&line, &m) >= 0)
                        (void) write_all(out_fd, line.data, line.len);
        }
}
