/* logs_stream: read docker json-file logs (rotated files first), with tail, filters and follow. */
#include "daemon/logs/logs-internal.h"

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOGS_MAX_FILES 1000
#define LOGS_BLOCK (64 * 1024)

struct log_files {
        int *fds; /* oldest first; the last one is the active file (-1 when it does not exist) */
        size_t n;
};

static void log_files_done(struct log_files *f)
{
        for (size_t i = 0; i < f->n; i++)
                if (f->fds[i] >= 0)
                        close(f->fds[i]);
        free(f->fds);
        f->fds = NULL;
        f->n = 0;
}

/* Open path.N ... path.1 and path together, so a rotation while we read cannot shuffle them. */
static int log_files_open(const char *path, struct log_files *ret)
{
        size_t rotated = 0;
        char p[PATH_MAX];
        while (rotated < LOGS_MAX_FILES) {
                snprintf(p, sizeof(p), "%s.%zu", path, rotated + 1);
                if (access(p, F_OK) < 0)
                        break;
                rotated++;
        }
        int *fds = calloc(rotated + 1, sizeof(int));
        if (!fds)
                return -ENOMEM;
        for (size_t i = 0; i < rotated; i++) {
                snprintf(p, sizeof(p), "%s.%zu", path, rotated - i);
                fds[i] = open(p, O_RDONLY | O_CLOEXEC);
        }
        fds[rotated] = open(path, O_RDONLY | O_CLOEXEC);
        ret->fds = fds;
        ret->n = rotated + 1;
        return 0;
}

/* Scan fd backwards for the start of its last *need complete lines. Returns 1 with *ret_start
 * when found here, else 0 with *need reduced by the lines this file holds. */
static int tail_scan(int fd, int64_t *need, off_t *ret_start)
{
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        _cleanup_free_ char *blk = malloc(LOGS_BLOCK);
        if (!blk)
                return -ENOMEM;
        int64_t count = 0;
        off_t pos = st.st_size;
        while (pos > 0) {
                off_t from = pos > LOGS_BLOCK ? pos - LOGS_BLOCK : 0;
                ssize_t n = pread(fd, blk, (size_t) (pos - from), from);
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                /* newline k (from the end) terminates line k; line `need` starts after newline need+1 */
                for (ssize_t i = n - 1; i >= 0; i--) {
                        if (blk[i] != '\n')
                                continue;
                        if (++count == *need + 1) {
                                *ret_start = from + i + 1;
                                *need = 0;
                                return 1;
                        }
                }
                pos = from;
        }
        *need -= count;
        return 0;
}

static int find_tail_start(const struct log_files *f, int64_t tail, size_t *ret_file, off_t *ret_off)
{
        *ret_file = 0;
        *ret_off = 0;
        if (tail < 0)
                return 0;
        int64_t need = tail;
        for (size_t i = f->n; i > 0; i--) {
                if (f->fds[i - 1] < 0)
                        continue;
                off_t off = 0;
                int r = tail_scan(f->fds[i - 1], &need, &off);
                if (r < 0)
                        return r;
                if (r == 1 || need == 0) {
                        *ret_file = i - 1;
                        *ret_off = off;
                        return 0;
                }
        }
        return 0;
}

/* Read fd from its current offset to EOF, emitting complete lines. */
static int drain(struct logs_ctx *c, int fd)
{
        char buf[LOGS_BLOCK];
        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return 0;
                int r = logs_feed(c, buf, (size_t) n);
                if (r != 0)
                        return r;
        }
}

struct follow_state {
        const char *path;
        int ifd, file_wd;
        int active;
};

static void watch_file(struct follow_state *s)
{
        if (s->ifd < 0)
                return;
        if (s->file_wd >= 0)
                inotify_rm_watch(s->ifd, s->file_wd);
        s->file_wd = inotify_add_watch(s->ifd, s->path,
                                       IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF | IN_CLOSE_WRITE | IN_ATTRIB);
}

/* A new file at path (rotation, or the first one): finish the old one and switch. 1 = switched. */
static int check_rotation(struct logs_ctx *c, struct follow_state *s)
{
        struct stat cur, old;
        if (stat(s->path, &cur) < 0)
                return 0; /* renamed away, the new one is not there yet: keep reading the old */
        if (s->active >= 0) {
                if (fstat(s->active, &old) < 0)
                        return -errno;
                if (old.st_ino == cur.st_ino && old.st_dev == cur.st_dev) {
                        /* same file; copytruncate-style rotation shrinks it under us */
                        off_t pos = lseek(s->active, 0, SEEK_CUR);
                        if (pos > old.st_size) {
                                lseek(s->active, 0, SEEK_SET);
                                logs_reset_partial(c);
                        }
                        return 0;
                }
                /* lines written before the rename */
                int r = drain(c, s->active);
                if (r != 0)
                        return r < 0 ? r : 2;
                close(s->active);
                s->active = -1;
                logs_reset_partial(c);
        }
        s->active = open(s->path, O_RDONLY | O_CLOEXEC);
        if (s->active < 0)
                return errno == ENOENT ? 0 : -errno;
        watch_file(s);
        return 1;
}

static void wait_events(struct follow_state *s)
{
        if (s->ifd < 0) {
                poll(NULL, 0, 250);
                return;
        }
        struct pollfd pfd = { .fd = s->ifd, .events = POLLIN };
        if (poll(&pfd, 1, 250) > 0) {
                char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
                while (read(s->ifd, ev, sizeof(ev)) > 0)
                        ;
        }
}

static int follow(struct logs_ctx *c, struct follow_state *s, bool (*is_running)(void *ud), void *ud)
{
        _cleanup_free_ char *dcopy = strdup(s->path);
        if (!dcopy)
                return -ENOMEM;
        s->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (s->ifd >= 0) {
                /* the directory tells us when a rotated-in file appears */
                (void) inotify_add_watch(s->ifd, dirname(dcopy), IN_CREATE | IN_MOVED_TO);
                watch_file(s);
        }
        for (;;) {
                bool running = is_running && is_running(ud);
                int r = 0;
                do {
                        if (s->active >= 0 && (r = drain(c, s->active)) != 0)
                                return r < 0 ? r : 0;
                        r = check_rotation(c, s);
                        if (r < 0)
                                return r;
                        if (r == 2)
                                return 0;
                } while (r == 1);
                if (!running)
                        return 0;
                struct timespec now = now_realtime();
                if (c->o->until_ns > 0 && timespec_to_ns(&now) > c->o->until_ns)
                        return 0;
                wait_events(s);
        }
}

static int stream_files(struct logs_ctx *c, struct log_files *f)
{
        size_t start_file;
        off_t start_off;
        int r = find_tail_start(f, c->o->tail, &start_file, &start_off);
        if (r < 0)
                return r;
        for (size_t i = start_file; i < f->n; i++) {
                int fd = f->fds[i];
                if (fd < 0)
                        continue;
                if (lseek(fd, i == start_file ? start_off : 0, SEEK_SET) < 0)
                        return -errno;
                r = drain(c, fd);
                if (r != 0)
                        return r;
                /* a rotated file's unterminated tail is never completed */
                if (i + 1 < f->n)
                        logs_reset_partial(c);
        }
        return 0;
}

int logs_stream(const char *log_path, const struct logs_options *o, int out_fd, bool (*is_running)(void *ud), void *ud)
{
        if (!log_path || !*log_path)
                return -ENOENT;
        struct logs_ctx c = { .o = o, .out_fd = out_fd };
        struct log_files f = { 0 };
        int r = log_files_open(log_path, &f);
        if (r < 0)
                return r;
        r = stream_files(&c, &f);
        if (r == 0 && o->follow) {
                struct follow_state s = { .path = log_path, .ifd = -1, .file_wd = -1, .active = f.fds[f.n - 1] };
                f.fds[f.n - 1] = -1;
                r = follow(&c, &s, is_running, ud);
                if (s.active >= 0)
                        close(s.active);
                if (s.ifd >= 0)
                        close(s.ifd);
        }
        log_files_done(&f);
        free(c.pend);
        free(c.out);
        if (r == 1) /* past `until` */
                r = 0;
        if (r < 0 && r != -EPIPE && r != -ECONNRESET)
                log_debug_errno(r, "Failed to stream log %s", log_path);
        return r < 0 ? r : 0;
}
