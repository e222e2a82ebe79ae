/* docker json-file log records with size-based rotation. */
#include "shim.h"

#include "lib/fsutil.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest payload in one record; longer lines are split like docker does at 16 KiB. */
#define LOG_CHUNK 16384

int log_writer_open(struct log_writer *w, const char *path, int64_t max_size, int max_file)
{
        memset(w, 0, sizeof(*w));
        w->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (w->fd < 0)
                return -errno;
        struct stat st;
        w->size = fstat(w->fd, &st) == 0 ? st.st_size : 0;
        w->path = strdup(path);
        w->max_size = max_size;
        w->max_file = max_file < 1 ? 1 : max_file;
        return 0;
}

void log_writer_close(struct log_writer *w)
{
        if (w->fd >= 0)
                close(w->fd);
        free(w->path);
        w->fd = -1;
        w->path = NULL;
}

static void put_escaped(char *out, size_t *o, unsigned char c)
{
        static const char hex[] = "0123456789abcdef";
        switch (c) {
        case '"':
                out[(*o)++] = '\\', out[(*o)++] = '"';
                return;
        case '\\':
                out[(*o)++] = '\\', out[(*o)++] = '\\';
                return;
        case '\n':
                out[(*o)++] = '\\', out[(*o)++] = 'n';
                return;
        case '\r':
                out[(*o)++] = '\\', out[(*o)++] = 'r';
                return;
        case '\t':
                out[(*o)++] = '\\', out[(*o)++] = 't';
                return;
        default:
                if (c < 0x20 || c == 0x7f) {
                        memcpy(out + *o, "\\u00", 4);
                        *o += 4;
                        out[(*o)++] = hex[c >> 4];
                        out[(*o)++] = hex[c & 15];
                } else {
                        out[(*o)++] = (char) c;
                }
        }
}

/* Length of a valid UTF-8 sequence at p (max n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
        size_t len;
        if (p[0] < 0x80)
                return 1;
        if ((p[0] & 0xe0) == 0xc0)
                len = 2;
        else if ((p[0] & 0xf0) == 0xe0)
                len = 3;
        else if ((p[0] & 0xf8) == 0xf0)
                len = 4;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++)
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
        if (len == 2 && p[0] < 0xc2)
                return 0;
        return len;
}

size_t log_format_record(char *out, const char *stream, const char *data, size_t len, const char *ts)
{
        size_t o = 0;
        memcpy(out, "{\"log\":\"", 8);
        o = 8;
        const unsigned char *p = (const unsigned char *) data;
        for (size_t i = 0; i < len;) {
                size_t l = utf8_len(p + i, len - i);
                if (l == 0) {
                        /* invalid UTF-8 becomes U+FFFD so the record stays valid JSON */
                        memcpy(out + o, "\xef\xbf\xbd", 3);
                        o += 3;
                        i++;
                } else if (l == 1) {
                        put_escaped(out, &o, p[i]);
                        i++;
                } else {
                        memcpy(out + o, p + i, l);
                        o += l;
                        i += l;
                }
        }
        o += (size_t) sprintf(out + o, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream, ts);
        return o;
}

static int rotate(struct log_writer *w)
{
        if (w->max_file <= 1) {
                if (ftruncate(w->fd, 0) < 0)
                        return -errno;
                w->size = 0;
                return 0;
        }
        char from[4096], to[4096];
        for (int i = w->max_file - 1; i >= 1; i--) {
                if (i == 1)
                        snprintf(from, sizeof(from), "%s", w->path);
                else
                        snprintf(from, sizeof(from), "%s.%d", w->path, i - 1);
                snprintf(to, sizeof(to), "%s.%d", w->path, i);
                if (rename(from, to) < 0 && errno != ENOENT)
                        return -errno;
        }
        close(w->fd);
        w->fd = open(w->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        w->size = 0;
        return w->fd < 0 ? -errno : 0;
}

static int write_record(struct log_writer *w, const char *stream, const char *data, size_t len, const char *ts)
{
        char *buf = malloc(len * 6 + 128);
        if (!buf)
                return -ENOMEM;
        size_t n = log_format_record(buf, stream, data, len, ts);
        if (w->max_size > 0 && w->size > 0 && w->size + (int64_t) n > w->max_size)
                rotate(w);
        int r = w->fd >= 0 ? write_all(w->fd, buf, n) : -EBADF;
        if (r == 0)
                w->size += (int64_t) n;
        free(buf);
        return r;
}

int log_writer_write(struct log_writer *w, const char *stream, const char *data, size_t len)
{
        struct timespec now = now_realtime();
        char ts[48];
        format_rfc3339nano(&now, ts, sizeof(ts));
        while (len > 0) {
                const char *nl = memchr(data, '\n', len);
                size_t n = nl ? (size_t) (nl - data) + 1 : len;
                if (n > LOG_CHUNK)
                        n = LOG_CHUNK;
                int r = write_record(w, stream, data, n, ts);
                if (r < 0)
                        return r;
                data += n;
                len -= n;
        }
        return 0;
}
