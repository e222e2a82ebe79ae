/* Splitting command lines and Environment= values into words, the way systemd does. */
#include "cmdline-split.h"

#include "buf.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Decode the escape after a backslash at *p (p points past the backslash): the byte in *out,
 * *p advanced. -EINVAL with *err on a bad escape. */
static int unescape(const char **p, char *out, const char **err)
{
        char c = **p;
        static const char simple_from[] = "\\\"' nrtabfvs";
        static const char simple_to[] = "\\\"' \n\r\t\a\b\f\v ";
        const char *k = c ? strchr(simple_from, c) : NULL;
        if (k) {
                *out = simple_to[k - simple_from];
                (*p)++;
                return 0;
        }
        if (c == '\t') {
                *out = c;
                (*p)++;
                return 0;
        }
        if (c == 'x') {
                int h = hexval((*p)[1]), l = h >= 0 ? hexval((*p)[2]) : -1;
                if (h < 0 || l < 0 || (h == 0 && l == 0)) {
                        *err = "invalid \\x escape";
                        return -EINVAL;
                }
                *out = (char) (h * 16 + l);
                *p += 3;
                return 0;
        }
        if (c >= '0' && c <= '7') {
                int v = 0;
                for (int i = 0; i < 3; i++) {
                        char d = (*p)[i];
                        if (d < '0' || d > '7') {
                                *err = "invalid octal escape (\\NNN needs three digits)";
                                return -EINVAL;
                        }
                        v = v * 8 + (d - '0');
                }
                if (v == 0 || v > 255) {
                        *err = "invalid octal escape";
                        return -EINVAL;
                }
                *out = (char) v;
                *p += 3;
                return 0;
        }
        *err = c ? "unknown escape sequence" : "trailing backslash";
        return -EINVAL;
}

int cmdline_split(const char *s, struct strv *words, const char **err)
{
        static const char *unused;
        if (!err)
                err = &unused;
        const char *p = s;
        for (;;) {
                while (*p && is_blank(*p))
                        p++;
                if (!*p)
                        return 0;
                _cleanup_buf_ struct buf w = { 0 };
                char quote = 0;
                int r = 0;
                /* the word starts here: an empty quoted word ("") still counts */
                r = buf_append(&w, "", 0);
                while (r >= 0 && *p && (quote || !is_blank(*p))) {
                        char c = *p;
                        if (quote && c == quote) {
                                quote = 0;
                                p++;
                        } else if (!quote && (c == '"' || c == '\'')) {
                                quote = c;
                                p++;
                        } else if (c == '\\') {
                                p++;
                                char out;
                                r = unescape(&p, &out, err);
                                if (r >= 0)
                                        r = buf_putc(&w, out);
                        } else {
                                r = buf_putc(&w, c);
                                p++;
                        }
                }
                if (r < 0)
                        return r;
                if (quote) {
                        *err = "unterminated quote";
                        return -EINVAL;
                }
                r = strv_push(words, buf_steal(&w));
                if (r < 0)
                        return r;
        }
}
