/* Rendering docker's pull/push/load progress messages:
 *   {"status":"Downloading","progressDetail":{"current":N,"total":M},"id":"a3ed95caeb02"}
 * On a terminal, one line per layer id, redrawn in place with a bar, the sizes and the speed
 * (cursor moves up and rewrites, as docker does); otherwise plain lines, without the repeated
 * byte-count updates. */
#include "cli.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_IDS 128

struct progress {
        bool tty, failed;
        size_t n;
        struct {
                char id[80];
                struct timespec started;
        } ids[MAX_IDS];
        char *partial; /* an incomplete line from the previous chunk */
};

struct progress *progress_new(bool tty)
{
        struct progress *p = calloc(1, sizeof(*p));
        if (p)
                p->tty = tty;
        return p;
}

void progress_free(struct progress *p)
{
        if (p) {
                free(p->partial);
                free(p);
        }
}

bool progress_failed(const struct progress *p)
{
        return p->failed;
}

static double seconds_since(const struct timespec *t)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (double) (now.tv_sec - t->tv_sec) + (double) (now.tv_nsec - t->tv_nsec) / 1e9;
}

/* index of id's line, adding it at the bottom when new (-1 when the table is full) */
static int line_of(struct progress *p, const char *id)
{
        for (size_t i = 0; i < p->n; i++)
                if (!strcmp(p->ids[i].id, id))
                        return (int) i;
        if (p->n == MAX_IDS)
                return -1;
        snprintf(p->ids[p->n].id, sizeof(p->ids[p->n].id), "%s", id);
        clock_gettime(CLOCK_MONOTONIC, &p->ids[p->n].started);
        printf("\n");
        return (int) p->n++;
}

static void bar(char *out, size_t len, double current, double total, double secs)
{
        char b[52] = "";
        if (total > 0) {
                int w = (int) (50.0 * (current > total ? total : current) / total);
                for (int i = 0; i < 50; i++)
                        b[i] = i < w ? '=' : i == w ? '>' : ' ';
                b[50] = '\0';
        }
        char *cur = human_size(current), *tot = human_size(total), *speed = human_size(secs > 0 ? current / secs : 0);
        if (total > 0)
                snprintf(out, len, "[%s] %s/%s %s/s", b, cur ? cur : "", tot ? tot : "", speed ? speed : "");
        else
                snprintf(out, len, "%s %s/s", cur ? cur : "", speed ? speed : "");
        free(cur);
        free(tot);
        free(speed);
}

static void render(struct progress *p, json_t *j)
{
        const char *err = json_get_str(j, "error", NULL);
        if (!err && json_object_get(j, "errorDetail"))
                err = json_get_str(json_object_get(j, "errorDetail"), "message", "unknown error");
        const char *stream = json_get_str(j, "stream", NULL);
        const char *st = json_get_str(j, "status", NULL);
        const char *id = json_get_str(j, "id", NULL);
        if (err) {
                fprintf(stderr, "%s\n", err);
                p->failed = true;
                return;
        }
        if (stream) {
                fputs(stream, stdout);
                return;
        }
        if (!st)
                return;
        json_t *pd = json_object_get(j, "progressDetail");
        double cur = (double) json_get_int(pd, "current", 0), tot = (double) json_get_int(pd, "total", 0);
        bool detail = cur > 0 || tot > 0;
        if (!p->tty) {
                /* the byte-count updates are for terminals */
                if (!detail)
                        printf("%s%s%s\n", id ? id : "", id ? ": " : "", st);
                return;
        }
        if (!id) {
                printf("%s\n", st);
                return;
        }
        int line = line_of(p, id);
        if (line < 0) {
                printf("%s: %s\n", id, st);
                return;
        }
        char b[160] = "";
        if (detail)
                bar(b, sizeof(b), cur, tot, seconds_since(&p->ids[line].started));
        int up = (int) p->n - line;
        /* up to the layer's line, rewrite it, back down */
        printf("\033[%dA\r\033[2K%s: %s %s\033[%dB\r", up, id, st, b, up);
}

/* A line that is not a JSON object may be the daemon's error it could not encode: the
 * operation cannot be taken as done, so it counts as a failure and is shown. */
static void feed_line(struct progress *p, const char *line)
{
        if (!*line || strspn(line, " \t\r") == strlen(line))
                return;
        json_t *j = json_loads(line, 0, NULL);
        if (json_is_object(j)) {
                render(p, j);
        } else {
                fprintf(stderr, "unexpected message from the daemon: %s\n", line);
                p->failed = true;
        }
        json_decref(j);
}

int progress_feed(void *ud, const char *data, size_t len)
{
        struct progress *p = ud;
        size_t plen = p->partial ? strlen(p->partial) : 0;
        char *buf = malloc(plen + len + 1);
        if (!buf)
                return -1;
        if (plen)
                memcpy(buf, p->partial, plen);
        memcpy(buf + plen, data, len);
        buf[plen + len] = '\0';
        free(p->partial);
        p->partial = NULL;
        char *line = buf;
        for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
                *nl = '\0';
                feed_line(p, line);
        }
        if (*line)
                p->partial = strdup(line);
        free(buf);
        fflush(stdout);
        return 0;
}

int progress_request(struct cli *c, const char *path, const char *ref, int upload_fd, bool tty)
{
        _cleanup_free_ char *auth = ref ? registry_auth_header(ref) : NULL;
        struct progress *p = progress_new(tty);
        if (!p)
                return 1;
        long status = 0;
        int r = http_stream_call(c, "POST", path, upload_fd, upload_fd >= 0 ? "application/x-tar" : NULL, auth,
                                 progress_feed, p, &status);
        if (p->partial) /* the last line, without its newline */
                feed_line(p, p->partial);
        bool failed = progress_failed(p);
        progress_free(p);
        return r < 0 || failed ? 1 : 0;
}
