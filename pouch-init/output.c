/* Output of services: "[NAME] " prefixed lines on pouch-init's stdout. */
#include "output.h"

#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int line_prefixer_init(struct line_prefixer *lp, const char *name)
{
        lp->len = 0;
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
}

/* One write per line, so that lines of different writers do not interleave. */
static void emit(struct line_prefixer *lp, int out_fd, const char *data, size_t n)
{
        char out[sizeof(lp->line) + 256];
        size_t p = lp->prefix_len < 200 ? lp->prefix_len : 200;
        memcpy(out, lp->prefix, p);
        memcpy(out + p, data, n);
        out[p + n] = '\n';
        (void) write_all(out_fd, out, p + n + 1);
        if (lp->ring)
                log_ring_push(lp->ring, data, n, time(NULL));
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
