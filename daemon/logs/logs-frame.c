/* One docker json-file log line -> one output frame (or raw bytes for TTY containers). */
#include "daemon/logs/logs-internal.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int ensure_out(struct logs_ctx *c, size_t need)
{
        if (need <= c->out_cap)
                return 0;
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < need)
                cap *= 2;
        char *n = realloc(c->out, cap);
        if (!n)
                return -ENOMEM;
        c->out = n;
        c->out_cap = cap;
        return 0;
}

int logs_emit_line(struct logs_ctx *c, const char *line, size_t len)
{
        json_error_t je;
        json_t *j = json_loadb(line, len, 0, &je);
        if (!j)
                return 0; /* malformed: skip */
        const json_t *log = json_object_get(j, "log");
        const char *stream = json_string_value(json_object_get(j, "stream"));
        const char *time_s = json_string_value(json_object_get(j, "time"));
        struct timespec ts;
        int kind = 0;
        if (stream && STREQ(stream, "stdout"))
                kind = 1;
        else if (stream && STREQ(stream, "stderr"))
                kind = 2;
        if (!json_is_string(log) || kind == 0 || !time_s || parse_timestamp(time_s, &ts) < 0) {
                json_decref(j);
                return 0;
        }
        int64_t ns = timespec_to_ns(&ts);
        const struct logs_options *o = c->o;
        if (o->until_ns > 0 && ns > o->until_ns) {
                json_decref(j);
                return 1; /* everything after is later still */
        }
        if ((kind == 1 && !o->stdout_) || (kind == 2 && !o->stderr_) || (o->since_ns > 0 && ns < o->since_ns)) {
                json_decref(j);
                return 0;
        }
        char tsbuf[64] = "";
        size_t tslen = 0;
        if (o->timestamps) {
                format_rfc3339nano(&ts, tsbuf, sizeof(tsbuf) - 1);
                tslen = strlen(tsbuf);
                tsbuf[tslen++] = ' ';
        }
        size_t plen = json_string_length(log);
        size_t hdr = o->tty ? 0 : 8;
        if (ensure_out(c, hdr + tslen + plen) < 0) {
                json_decref(j);
                return -ENOMEM;
        }
        size_t total = tslen + plen;
        if (!o->tty) {
                unsigned char *h = (unsigned char *) c->out;
                h[0] = (unsigned char) kind;
                h[1] = h[2] = h[3] = 0;
                h[4] = (unsigned char) (total >> 24);
                h[5] = (unsigned char) (total >> 16);
                h[6] = (unsigned char) (total >> 8);
                h[7] = (unsigned char) total;
        }
        memcpy(c->out + hdr, tsbuf, tslen);
        memcpy(c->out + hdr + tslen, json_string_value(log), plen);
        json_decref(j);
        if (total == 0)
                return 0;
        /* one write per frame: the HTTP layer then sends one frame per chunk, like dockerd */
        return write_all(c->out_fd, c->out, hdr + total);
}

int logs_feed(struct logs_ctx *c, const char *data, size_t len)
{
        /* Complete lines are emitted; the rest waits in c->pend for more data. */
        while (len > 0) {
                const char *nl = memchr(data, '\n', len);
                size_t take = nl ? (size_t) (nl - data) : len;
                if (c->skip_line) {
                        /* an over-long line is dropped up to its newline */
                } else if (c->pend_len + take > LOGS_MAX_LINE) {
                        c->skip_line = true;
                        c->pend_len = 0;
                } else {
                        if (c->pend_len + take > c->pend_cap) {
                                size_t cap = c->pend_cap ? c->pend_cap : 8192;
                                while (cap < c->pend_len + take)
                                        cap *= 2;
                                char *n = realloc(c->pend, cap);
                                if (!n)
                                        return -ENOMEM;
                                c->pend = n;
                                c->pend_cap = cap;
                        }
                        /* take may be 0 with nothing allocated yet (a leading empty line) */
                        if (take > 0)
                                memcpy(c->pend + c->pend_len, data, take);
                        c->pend_len += take;
                }
                if (!nl)
                        break;
                if (!c->skip_line && c->pend_len > 0) {
                        int r = logs_emit_line(c, c->pend, c->pend_len);
                        if (r != 0) {
                                c->pend_len = 0;
                                return r;
                        }
                }
                c->skip_line = false;
                c->pend_len = 0;
                data = nl + 1;
                len -= take + 1;
        }
        return 0;
}

void logs_reset_partial(struct logs_ctx *c)
{
        c->pend_len = 0;
        c->skip_line = false;
}
