#include "spawn.h"

#include "cleanup.h"
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

void spawn_result_done(struct spawn_result *r)
{
        if (!r)
                return;
        free(r->out);
        free(r->err);
        r->out = r->err = NULL;
}

/* Runs in forked children of a multithreaded daemon: no allocation (another thread may have held
 * the allocator's lock at fork time), so close_range(2) over the gaps between the kept fds, or a
 * plain loop up to the fd limit where the syscall is missing. */
static void close_span(unsigned lo, unsigned hi)
{
        if (lo > hi)
                return;
        if (syscall(SYS_close_range, lo, hi, 0) == 0)
                return;
        struct rlimit rl;
        unsigned max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (unsigned) rl.rlim_cur
                                                                                          : 65536;
        for (unsigned fd = lo; fd <= hi && fd < max; fd++)
                close((int) fd);
}

void close_fds_from(int min_fd, const int *keep, size_t nkeep)
{
        unsigned from = (unsigned) min_fd;
        for (;;) {
                /* the smallest kept fd at or above from */
                long next = -1;
                for (size_t i = 0; i < nkeep; i++)
                        if (keep[i] >= 0 && (unsigned) keep[i] >= from && (next < 0 || keep[i] < next))
                                next = keep[i];
                if (next < 0) {
                        close_span(from, ~0U);
                        return;
                }
                if ((unsigned) next > from)
                        close_span(from, (unsigned) next - 1);
                from = (unsigned) next + 1;
        }
}

struct sink {
        char *buf;
        size_t len, cap;
};

static void sink_add(struct sink *s, const char *data, size_t n)
{
        const size_t max = 1u << 20;
        if (s->len + n > max)
                n = max - s->len;
        if (n == 0)
                return;
        if (s->len + n + 1 > s->cap) {
                size_t cap = (s->len + n + 1) * 2;
                char *b = realloc(s->buf, cap);
                if (!b)
                        return;
                s->buf = b;
                s->cap = cap;
        }
        memcpy(s->buf + s->len, data, n);
        s->len += n;
        s->buf[s->len] = '\0';
}

static char *sink_take(struct sink *s)
{
        if (!s->buf)
                return strdup("");
        return s->buf;
}

int spawn_capture(char *const argv[], char *const env[], const char *input, size_t input_len, struct spawn_result *ret)
{
        int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
                int e = -errno;
                for (int i = 0; i < 2; i++) {
                        if (in[i] >= 0)
                                close(in[i]);
                        if (out[i] >= 0)
                                close(out[i]);
                        if (err[i] >= 0)
                                close(err[i]);
                }
                return e;
        }
        pid_t pid = fork();
        if (pid < 0) {
                int e = -errno;
                close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(err[0]), close(err[1]);
                return e;
        }
        if (pid == 0) {
                sigset_t all;
                sigemptyset(&all);
                sigprocmask(SIG_SETMASK, &all, NULL);
                signal(SIGPIPE, SIG_DFL);
                dup2(in[0], 0);
                dup2(out[1], 1);
                dup2(err[1], 2);
                close_fds_from(3, NULL, 0);
                if (env)
                        execvpe(argv[0], argv, env);
                else
                        execvp(argv[0], argv);
                _exit(127);
        }
        close(in[0]);
        close(out[1]);
        close(err[1]);
        if (!input || input_len == 0) {
                close(in[1]);
                in[1] = -1;
        } else {
                fcntl(in[1], F_SETFL, O_NONBLOCK);
        }

        struct sink so = { 0 }, se = { 0 };
        size_t written = 0;
        int open_fds = 2;
        while (open_fds > 0 || in[1] >= 0) {
                struct pollfd p[3] = {
                        { .fd = out[0], .events = POLLIN },
                        { .fd = err[0], .events = POLLIN },
                        { .fd = in[1], .events = POLLOUT },
                };
                if (open_fds == 0 && in[1] >= 0) {
                        /* output closed but child still reading stdin: just stop feeding */
                        close(in[1]);
                        in[1] = -1;
                        break;
                }
                if (poll(p, 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                char buf[8192];
                for (int i = 0; i < 2; i++) {
                        if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        ssize_t n = read(p[i].fd, buf, sizeof(buf));
                        if (n > 0) {
                                sink_add(i == 0 ? &so : &se, buf, (size_t) n);
                        } else if (n == 0 || errno != EINTR) {
                                close(p[i].fd);
                                if (i == 0)
                                        out[0] = -1;
                                else
                                        err[0] = -1;
                                open_fds--;
                        }
                }
                if (in[1] >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
                        ssize_t n = write(in[1], input + written, input_len - written);
                        if (n > 0)
                                written += (size_t) n;
                        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input_len) {
                                close(in[1]);
                                in[1] = -1;
                        }
                }
        }
        if (out[0] >= 0)
                close(out[0]);
        if (err[0] >= 0)
                close(err[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR) {
                        status = 127 << 8;
                        break;
                }
        }
        ret->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        ret->out = sink_take(&so);
        ret->err = sink_take(&se);
        return 0;
}

pid_t spawn_with_fds(char *const argv[], const int *fds, size_t nfds)
{
        if (nfds > 8)
                return -EINVAL;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid > 0)
                return pid;
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        int devnull = open("/dev/null", O_RDWR);
        /* move the fds above the target range first so dup2 cannot clobber one of them */
        int moved[8];
        for (size_t i = 0; i < nfds; i++)
                moved[i] = fcntl(fds[i] >= 0 ? fds[i] : devnull, F_DUPFD, 16);
        dup2(devnull, 0);
        dup2(devnull, 1);
        int keep[8];
        for (size_t i = 0; i < nfds; i++) {
                if (moved[i] < 0 || dup2(moved[i], 3 + (int) i) < 0)
                        _exit(127);
                keep[i] = 3 + (int) i;
        }
        close_fds_from(3, keep, nfds);
        execv(argv[0], argv);
        _exit(127);
}
