/* EnvironmentFile= contents, as systemd reads them. */
#include "unit-envfile.h"

#include "buf.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static const char *skip_blanks(const char *p)
{
        while (*p == ' ' || *p == '\t')
                p++;
        return p;
}

/* Parse the value at *pp (after '='), up to the end of its (possibly continued) line. */
static int parse_value(const char **pp, unsigned *line, struct buf *v)
{
        const char *p = skip_blanks(*pp);
        int r = buf_append(v, "", 0);
        size_t keep = 0; /* the length without unquoted trailing blanks */
        while (r >= 0 && *p && *p != '\n') {
                if (*p == '\'') {
                        const char *e = strchr(p + 1, '\'');
                        if (!e)
                                return -EINVAL;
                        for (const char *c = p + 1; c < e; c++)
                                if (*c == '\n')
                                        (*line)++;
                        r = buf_append(v, p + 1, (size_t) (e - p - 1));
                        p = e + 1;
                } else if (*p == '"') {
                        p++;
                        while (r >= 0 && *p && *p != '"') {
                                if (*p == '\\' && p[1] == '\n') {
                                        (*line)++;
                                        p += 2;
                                } else if (*p == '\\' && p[1] && strchr("\"\\$`", p[1])) {
                                        r = buf_putc(v, p[1]);
                                        p += 2;
                                } else {
                                        if (*p == '\n')
                                                (*line)++;
                                        r = buf_putc(v, *p++);
                                }
                        }
                        if (r < 0)
                                return r;
                        if (*p != '"')
                                return -EINVAL;
                        p++;
                } else if (*p == '\\') {
                        if (p[1] == '\n') {
                                (*line)++;
                                p += 2;
                        } else if (p[1]) {
                                r = buf_putc(v, p[1]);
                                p += 2;
                        } else {
                                p++;
                        }
                } else {
                        bool blank = *p == ' ' || *p == '\t';
                        r = buf_putc(v, *p++);
                        if (blank)
                                continue;
                }
                keep = v->len;
        }
        if (r < 0)
                return r;
        v->len = keep;
        v->data[keep] = '\0';
        *pp = p;
        return 0;
}

int envfile_parse(const char *text, struct strv *env, unsigned *bad_line)
{
        unsigned line = 1;
        const char *p = text;
        while (*p) {
                unsigned start = line;
                p = skip_blanks(p);
                if (*p == '\n' || *p == '\r') {
                        p++;
                        if (p[-1] == '\n')
                                line++;
                        continue;
                }
                if (!*p)
                        break;
                if (*p == '#' || *p == ';') {
                        p += strcspn(p, "\n");
                        continue;
                }
                if (strncmp(p, "export ", 7) == 0)
                        p = skip_blanks(p + 7);
                const char *name = p;
                while (*p && *p != '=' && *p != '\n')
                        p++;
                size_t nlen = (size_t) (p - name);
                while (nlen && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
                        nlen--;
                if (*p != '=' || !env_name_valid(name, nlen)) {
                        *bad_line = start;
                        return -EINVAL;
                }
                p++;
                _cleanup_buf_ struct buf v = { 0 };
                int r = parse_value(&p, &line, &v);
                if (r == -EINVAL)
                        *bad_line = start;
                if (r < 0)
                        return r;
                /* a CR of a CRLF file is not part of the value */
                if (v.len && v.data[v.len - 1] == '\r')
                        v.data[--v.len] = '\0';
                _cleanup_buf_ struct buf kv = { 0 };
                r = buf_append(&kv, name, nlen);
                if (r >= 0)
                        r = buf_putc(&kv, '=');
                if (r >= 0)
                        r = buf_append(&kv, v.data, v.len);
                if (r >= 0)
                        r = strv_env_put(env, buf_str(&kv));
                if (r < 0)
                        return r;
        }
        return 0;
}
