/* Output of services: "[NAME] " prefixed lines on pouch-init's stdout. */
#include "output.h"

#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int line_prefixer_init(struct line_prefixer *lp, const char *name)
{
        lp->len = 0;
        lp->syslog_fd = -1;
        lp->syslog_path = NULL;
        lp->tag = NULL;
        lp->ring = NULL;
        if (asprintf(&lp->prefix, "[%s] ", name) < 0) {
                lp->prefix = NULL;
                return -ENOMEM;
        }
        lp->prefix_len = strlen(lp->prefix);
        return 0;
}

void line_prefixer_free(struct line_prefixer *lp)
{
        free(lp->prefix);
        lp->prefix = NULL;
        free(lp->tag);
        lp->tag = NULL;
        /* (a prefixer never initialised is all zeroes: fd 0 is not its) */
        if (lp->syslog_path && lp->syslog_fd >= 0)
                close(lp->syslog_fd);
        lp->syslog_fd = -1;
        lp->syslog_path = NULL;
}

int line_prefixer_to_syslog(struct line_prefixer *lp, const char *name, const char *path)
{
        if (!path) {
                char *p;
                if (asprintf(&p, "[syslog] %s: ", name) < 0)
                        return -ENOMEM;
                free(lp->prefix);
                lp->prefix = p;
                lp->prefix_len = strlen(p);
                return 0;
        }
        lp->tag = strdup(name);
        if (!lp->tag)
                return -ENOMEM;
        lp->syslog_path = path;
        return 0;
}

/* One line to the syslog daemon as "<30>TAG: LINE" (daemon.info): 0, or -errno (not sent). */
static int send_syslog(struct line_prefixer *lp, const char *data, size_t n)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(lp->syslog_path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, lp->syslog_path);
        if (lp->syslog_fd < 0)
                lp->syslog_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (lp->syslog_fd < 0)
                return -errno;
        char msg[sizeof(lp->line) + 128];
        int h = snprintf(msg, 96, "<30>%.64s: ", lp->tag);
        memcpy(msg + h, data, n);
        if (sendto(lp->syslog_fd, msg, (size_t) h + n, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *) &sa,
                   sizeof(sa)) < 0)
                return -errno;
        return 0;
}

/* One write per line, so that lines of different writers do not interleave. */
static void emit(struct line_prefixer *lp, int out_fd, const char *data, size_t n)
{
        if (lp->ring)
                log_ring_push(lp->ring, data, n, time(NULL));
        /* a daemon that is not up yet or full: the line is not lost, it goes to the log */
        if (lp->syslog_path && send_syslog(lp, data, n) == 0)
                return;
        char out[sizeof(lp->line) + 256];
        size_t p = lp->prefix_len < 200 ? lp->prefix_len : 200;
        memcpy(out, lp->prefix, p);
        memcpy(out + p, data, n);
        out[p + n] = '\n';
        (void) write_all(out_fd, out, p + n + 1);
}

void line_prefixer_feed(struct line_prefixer *lp, int out_fd, const char *data, size_t n)
{
        while (n > 0) {
                const char *nl = memchr(data, '\n', n);
                size_t take = nl ? (size_t) (nl - data) : n;
                size_t room = sizeof(lp->line) - lp->len;
                if (take > room || (take == room && !nl)) {
                        /* the held line is full: flush it as a line of its own */
                        memcpy(lp->line + lp->len, data, room);
                        emit(lp, out_fd, lp->line, sizeof(lp->line));
                        lp->len = 0;
                        data += room;
                        n -= room;
                        continue;
                }
                memcpy(lp->line + lp->len, data, take);
                lp->len += take;
                data += take;
                n -= take;
                if (nl) {
                        emit(lp, out_fd, lp->line, lp->len);
                        lp->len = 0;
                        data++;
                        n--;
                }
        }
}

void line_prefixer_flush(struct line_prefixer *lp, int out_fd)
{
        if (lp->len) {
                emit(lp, out_fd, lp->line, lp->len);
                lp->len = 0;
        }
}

int drain_fd(int fd, int max_reads, void (*fn)(void *ud, const char *data, size_t n), void *ud)
{
        char buf[16384];
        for (int i = 0; i < max_reads; i++) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n > 0) {
                        fn(ud, buf, (size_t) n);
                        continue;
                }
                if (n == 0)
                        return 1;
                if (errno == EINTR)
                        continue;
                return errno == EAGAIN ? 0 : -errno;
        }
        return 0;
}
