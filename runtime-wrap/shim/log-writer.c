/* docker json-file log records with size-based rotation. */
#include "log-writer.h"

#include "lib/fsutil.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int log_writer_open(struct log_writer *w, const char *path, int64_t max_size, int max_file)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd < 0)
                return -errno;
        char *p = strdup(path);
        if (!p) {
                close(fd);
                return -ENOMEM;
        }
        struct stat st;
        *w = (struct log_writer){
                .path = p,
                .fd = fd,
                .size = fstat(fd, &st) == 0 ? st.st_size : 0,
                .max_size = max_size > 0 ? max_size : 0,
                .max_file = max_file < 1 ? 1 : max_file,
        };
        return 0;
}

void log_writer_close(struct log_writer *w)
{
        if (!w)
                return;
        if (w->fd >= 0)
                close(w->fd);
        free(w->path);
        w->fd = -1;
        w->path = NULL;
}

/* Length of a valid UTF-8 sequence at p (n bytes available), 0 when invalid. Rejects overlong
 * forms, surrogates and code points past U+10FFFF, which JSON parsers refuse. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
        size_t len;
        unsigned cp;
        if (p[0] < 0x80)
                return 1;
        if ((p[0] & 0xe0) == 0xc0)
                len = 2, cp = p[0] & 0x1f;
        else if ((p[0] & 0xf0) == 0xe0)
                len = 3, cp = p[0] & 0x0f;
        else if ((p[0] & 0xf8) == 0xf0)
                len = 4, cp = p[0] & 0x07;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (p[i] & 0x3f);
        }
        static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

/* Append bytes to out (NULL: only count). */
static void put(char *out, size_t *o, const void *s, size_t n)
{
        if (out)
                memcpy(out + *o, s, n);
        *o += n;
}

static void put_escaped(char *out, size_t *o, unsigned char c)
{
        static const char hex[] = "0123456789abcdef";
        char e[6] = { '\\', 0 };
        switch (c) {
        case '"':
                e[1] = '"';
                break;
        case '\\':
                e[1] = '\\';
                break;
        case '\n':
                e[1] = 'n';
                break;
        case '\r':
                e[1] = 'r';
                break;
        case '\t':
                e[1] = 't';
                break;
        case '\b':
                e[1] = 'b';
                break;
        case '\f':
                e[1] = 'f';
                break;
        default:
                if (c < 0x20 || c == 0x7f) {
                        memcpy(e, "\\u00", 4);
                        e[4] = hex[c >> 4];
                        e[5] = hex[c & 15];
                        put(out, o, e, 6);
                } else {
                        put(out, o, &c, 1);
                }
                return;
        }
        put(out, o, e, 2);
}

static size_t format(char *out, const char *stream, const char *data, size_t len, const char *ts)
{
        size_t o = 0;
        put(out, &o, "{\"log\":\"", 8);
        const unsigned char *p = (const unsigned char *) data;
        for (size_t i = 0; i < len;) {
                size_t l = utf8_len(p + i, len - i);
                if (l == 0) {
                        put(out, &o, "\xef\xbf\xbd", 3);
                        i++;
                } else if (l == 1) {
                        put_escaped(out, &o, p[i]);
                        i++;
                } else {
                        put(out, &o, p + i, l);
                        i += l;
                }
        }
        put(out, &o, "\",\"stream\":\"", 12);
        put(out, &o, stream, strlen(stream));
        put(out, &o, "\",\"time\":\"", 10);
        put(out, &o, ts, strlen(ts));
        put(out, &o, "\"}\n", 3);
        return o;
}

size_t log_record_size(const char *stream, const char *data, size_t len, const char *ts)
{
        return format(NULL, stream, data, len, ts);
}

size_t log_format_record(char *buf, const char *stream, const char *data, size_t len, const char *ts)
{
        return format(buf, stream, data, len, ts);
}

/* FILE.(N-2) -> FILE.(N-1), ..., FILE -> FILE.1, then a fresh FILE; with one file, truncate. */
static int rotate(struct log_writer *w)
{
        if (w->max_file <= 1) {
                if (ftruncate(w->fd, 0) < 0)
                        return -errno;
                w->size = 0;
                return 0;
        }
        char from[PATH_MAX], to[PATH_MAX];
        for (int i = w->max_file - 1; i >= 1; i--) {
                if (i == 1)
                        snprintf(from, sizeof(from), "%s", w->path);
                else
                        snprintf(from, sizeof(from), "%s.%d", w->path, i - 1);
                snprintf(to, sizeof(to), "%s.%d", w->path, i);
                if (rename(from, to) < 0 && errno != ENOENT)
                        return -errno;
        }
        int fd = open(w->path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0640);
        if (fd < 0)
                return -errno;
        close(w->fd);
        w->fd = fd;
        w->size = 0;
        return 0;
}

static int write_record(struct log_writer *w, const char *stream, const char *data, size_t len, const char *ts)
{
        /* exact size first: a typical line costs a few hundred bytes, not 6x the chunk */
        size_t need = log_record_size(stream, data, len, ts);
        char small[1024];
        char *buf = need <= sizeof(small) ? small : malloc(need);
        if (!buf)
                return -ENOMEM;
        size_t n = log_format_record(buf, stream, data, len, ts);
        int r = 0;
        if (w->max_size > 0 && w->size > 0 && w->size + (int64_t) n > w->max_size)
                r = rotate(w);
        /* one write() per record, so readers never see half a line from us */
        if (r == 0)
                r = write_all(w->fd, buf, n);
        if (r == 0)
                w->size += (int64_t) n;
        if (buf != small)
                free(buf);
        return r;
}

int log_writer_write(struct log_writer *w, const char *stream, const char *data, size_t len)
{
        struct timespec now = now_realtime();
        char ts[48];
        format_rfc3339nano(&now, ts, sizeof(ts));
        int ret = 0;
        while (len > 0) {
                const char *nl = memchr(data, '\n', len);
                size_t n = nl ? (size_t) (nl - data) + 1 : len;
                if (n > LOG_CHUNK) {
                        /* split on a character boundary so both halves stay valid UTF-8 */
                        n = LOG_CHUNK;
                        for (int k = 0; k < 3 && ((unsigned char) data[n] & 0xc0) == 0x80; k++)
                                n--;
                }
                int r = write_record(w, stream, data, n, ts);
                if (r < 0 && ret == 0)
                        ret = r; /* keep going: a full disk must not stop the rest */
                data += n;
                len -= n;
        }
        return ret;
}
