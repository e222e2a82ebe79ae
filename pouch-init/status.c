/* STATE/status.json: pouch-init's state for the daemon, rewritten atomically at every change. */
#include "status.h"

#include "lib/cleanup.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (at most len bytes), or 0 when it is not one
 * (bad lead or continuation byte, overlong form, surrogate, above U+10FFFF, truncated). */
static size_t utf8_valid_len(const unsigned char *s, size_t len)
{
        unsigned char c = s[0];
        size_t n;
        uint32_t cp;
        if (c < 0x80)
                return 1;
        if (c >= 0xC2 && c <= 0xDF) {
                n = 2;
                cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
                n = 3;
                cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
                n = 4;
                cp = c & 0x07;
        } else {
                return 0;
        }
        if (len < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        return n;
}

int json_append_string(struct buf *b, const char *str, size_t len)
{
        const unsigned char *s = (const unsigned char *) str;
        int r = buf_putc(b, '"');
        for (size_t i = 0; r >= 0 && i < len;) {
                unsigned char c = s[i];
                if (c == 0) {
                        r = buf_puts(b, "\\ufffd");
                        i++;
                } else if (c < 0x20) {
                        switch (c) {
                        case '\n':
                                r = buf_puts(b, "\\n");
                                break;
                        case '\t':
                                r = buf_puts(b, "\\t");
                                break;
                        case '\r':
                                r = buf_puts(b, "\\r");
                                break;
                        case '\b':
                                r = buf_puts(b, "\\b");
                                break;
                        case '\f':
                                r = buf_puts(b, "\\f");
                                break;
                        default:
                                r = buf_printf(b, "\\u%04x", c);
                        }
                        i++;
                } else if (c == '"' || c == '\\') {
                        char esc[2] = { '\\', (char) c };
                        r = buf_append(b, esc, 2);
                        i++;
                } else if (c < 0x80) {
                        r = buf_putc(b, (char) c);
                        i++;
                } else {
                        size_t n = utf8_valid_len(s + i, len - i);
                        if (n) {
                                r = buf_append(b, s + i, n);
                                i += n;
                        } else {
                                r = buf_puts(b, "\\ufffd");
                                i++;
                        }
                }
        }
        return r < 0 ? r : buf_putc(b, '"');
}

static int append_str_or_null(struct buf *b, const char *s)
{
        return s ? json_append_string(b, s, strlen(s)) : buf_puts(b, "null");
}

static int append_int_or_null(struct buf *b, bool has, long long v)
{
        return has ? buf_printf(b, "%lld", v) : buf_puts(b, "null");
}

static int render_service(const struct status_service *s, struct buf *b)
{
        int r = buf_puts(b, "{\"name\":");
        if (r >= 0)
                r = append_str_or_null(b, s->name);
        if (r >= 0)
                r = buf_puts(b, ",\"state\":");
        if (r >= 0)
                r = append_str_or_null(b, s->state);
        if (r >= 0)
                r = buf_puts(b, ",\"pid\":");
        if (r >= 0)
                r = append_int_or_null(b, s->pid > 0, s->pid);
        if (r >= 0)
                r = buf_printf(b, ",\"restarts\":%u,\"lastExitCode\":", s->restarts);
        if (r >= 0)
                r = append_int_or_null(b, s->has_last_exit, s->last_exit);
        if (r >= 0)
                r = buf_puts(b, ",\"error\":");
        if (r >= 0)
                r = append_str_or_null(b, s->error);
        if (r >= 0)
                r = buf_puts(b, ",\"source\":");
        if (r >= 0)
                r = append_str_or_null(b, s->source);
        if (r >= 0)
                r = buf_puts(b, ",\"reason\":");
        if (r >= 0)
                r = append_str_or_null(b, s->reason);
        if (r >= 0)
                r = buf_puts(b, ",\"warnings\":[");
        for (size_t i = 0; r >= 0 && i < s->n_warnings; i++) {
                if (i)
                        r = buf_putc(b, ',');
                if (r >= 0)
                        r = json_append_string(b, s->warnings[i], strlen(s->warnings[i]));
        }
        return r < 0 ? r : buf_puts(b, "]}");
}

int status_render(const struct status_doc *d, struct buf *b)
{
        int r = buf_puts(b, "{\"phase\":");
        if (r >= 0)
                r = append_str_or_null(b, d->phase);
        if (r >= 0)
                r = buf_printf(b, ",\"pid\":%d", (int) d->pid);
        if (r >= 0 && d->has_initscript) {
                r = buf_puts(b, ",\"initscript\":{\"path\":");
                if (r >= 0)
                        r = append_str_or_null(b, d->initscript_path);
                if (r >= 0)
                        r = buf_puts(b, ",\"exitCode\":");
                if (r >= 0)
                        r = append_int_or_null(b, d->initscript_done, d->initscript_exit);
                if (r >= 0)
                        r = buf_puts(b, ",\"output\":");
                if (r >= 0)
                        r = json_append_string(b, d->initscript_output ? d->initscript_output : "",
                                               d->initscript_output ? d->initscript_output_len : 0);
                if (r >= 0)
                        r = buf_putc(b, '}');
        }
        if (r >= 0)
                r = buf_puts(b, ",\"main\":");
        if (r >= 0 && d->has_main) {
                r = buf_puts(b, "{\"pid\":");
                if (r >= 0)
                        r = append_int_or_null(b, d->main_pid > 0, d->main_pid);
                if (r >= 0)
                        r = buf_printf(b, ",\"running\":%s,\"exitCode\":", d->main_running ? "true" : "false");
                if (r >= 0)
                        r = append_int_or_null(b, d->main_done, d->main_exit);
                if (r >= 0)
                        r = buf_putc(b, '}');
        } else if (r >= 0) {
                r = buf_puts(b, "null");
        }
        if (r >= 0)
                r = buf_puts(b, ",\"services\":[");
        for (size_t i = 0; r >= 0 && i < d->n_services; i++) {
                if (i)
                        r = buf_putc(b, ',');
                if (r >= 0)
                        r = render_service(&d->services[i], b);
        }
        return r < 0 ? r : buf_puts(b, "]}\n");
}

int status_write(const char *dir, const struct status_doc *d)
{
        _cleanup_buf_ struct buf b = { 0 };
        int r = status_render(d, &b);
        if (r < 0)
                return r;
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, STATUS_FILE) < 0)
                return -ENOMEM;
        return write_file_replace(path, buf_str(&b), b.len, 0644);
}
