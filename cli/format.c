/* Output: Go-template subset over JSON, aligned tables, human times and sizes. */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sbuf {
        char *s;
        size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
        if (b->len + n + 1 > b->cap) {
                b->cap = (b->len + n + 1) * 2;
                b->s = realloc(b->s, b->cap);
        }
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
        sb_add(b, s, strlen(s));
}

/* ".A.B" -> value; "." -> v */
static const json_t *lookup(const json_t *v, const char *path)
{
        if (strcmp(path, ".") == 0)
                return v;
        const json_t *cur = v;
        char key[256];
        const char *p = path;
        while (*p == '.' && cur) {
                p++;
                size_t n = strcspn(p, ".");
                if (n == 0 || n >= sizeof(key))
                        return NULL;
                memcpy(key, p, n);
                key[n] = '\0';
                cur = json_object_get(cur, key);
                p += n;
        }
        return cur;
}

static void render_value(struct sbuf *b, const json_t *v)
{
        if (!v) {
                sb_str(b, "<no value>");
                return;
        }
        char num[64];
        switch (json_typeof(v)) {
        case JSON_STRING:
                sb_str(b, json_string_value(v));
                break;
        case JSON_INTEGER:
                snprintf(num, sizeof(num), "%lld", (long long) json_integer_value(v));
                sb_str(b, num);
                break;
        case JSON_REAL:
                snprintf(num, sizeof(num), "%g", json_real_value(v));
                sb_str(b, num);
                break;
        case JSON_TRUE:
                sb_str(b, "true");
                break;
        case JSON_FALSE:
                sb_str(b, "false");
                break;
        case JSON_NULL:
                sb_str(b, "<nil>");
                break;
        case JSON_ARRAY: {
                /* Go prints slices as [a b c] */
                sb_str(b, "[");
                size_t i;
                json_t *x;
                json_array_foreach(v, i, x) {
                        if (i)
                                sb_str(b, " ");
                        render_value(b, x);
                }
                sb_str(b, "]");
                break;
        }
        default: {
                char *s = json_dumps(v, JSON_COMPACT);
                sb_str(b, s ? s : "");
                free(s);
        }
        }
}

static void render_action(struct sbuf *b, char *act, const json_t *v)
{
        while (isspace((unsigned char) *act))
                act++;
        size_t n = strlen(act);
        while (n && isspace((unsigned char) act[n - 1]))
                act[--n] = '\0';
        if (strncmp(act, "json ", 5) == 0) {
                const json_t *x = lookup(v, act + 5);
                char *s = x ? json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("null");
                sb_str(b, s ? s : "");
                free(s);
                return;
        }
        if (strncmp(act, "index ", 6) == 0) {
                char path[256], key[256];
                int idx;
                if (sscanf(act + 6, "%255s \"%255[^\"]\"", path, key) == 2) {
                        const json_t *x = lookup(v, path);
                        render_value(b, json_object_get(x, key));
                        return;
                }
                /* {{index .RepoDigests 0}}: an element of a list */
                if (sscanf(act + 6, "%255s %d", path, &idx) == 2 && idx >= 0) {
                        const json_t *x = lookup(v, path);
                        render_value(b, json_array_get(x, (size_t) idx));
                        return;
                }
        }
        if (strncmp(act, "len ", 4) == 0) {
                const json_t *x = lookup(v, act + 4);
                char num[32];
                snprintf(num, sizeof(num), "%zu",
                         json_is_array(x)    ? json_array_size(x)
                         : json_is_object(x) ? json_object_size(x)
                         : json_is_string(x) ? strlen(json_string_value(x))
                                             : 0);
                sb_str(b, num);
                return;
        }
        if (strncmp(act, "upper ", 6) == 0 || strncmp(act, "lower ", 6) == 0) {
                struct sbuf t = { 0 };
                render_value(&t, lookup(v, act + 6));
                for (char *p = t.s; p && *p; p++)
                        *p = (char) (act[0] == 'u' ? toupper((unsigned char) *p) : tolower((unsigned char) *p));
                sb_str(b, t.s ? t.s : "");
                free(t.s);
                return;
        }
        if (act[0] == '.') {
                render_value(b, lookup(v, act));
                return;
        }
        sb_str(b, "<unsupported: ");
        sb_str(b, act);
        sb_str(b, ">");
}

/* "\t" and "\n" written literally in a format mean tab and newline, as in docker; only in the
 * format's own text, never in the values it renders (a JSON string keeps its escapes). */
static void sb_literal(struct sbuf *b, const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 't' || s[i + 1] == 'n')) {
                        sb_str(b, s[i + 1] == 't' ? "\t" : "\n");
                        i++;
                } else {
                        sb_add(b, s + i, 1);
                }
        }
}

char *template_render(const char *tmpl, const json_t *v)
{
        struct sbuf b = { 0 };
        sb_add(&b, "", 0);
        const char *p = tmpl;
        while (*p) {
                const char *open = strstr(p, "{{");
                if (!open) {
                        sb_literal(&b, p, strlen(p));
                        break;
                }
                sb_literal(&b, p, (size_t) (open - p));
                const char *close = strstr(open + 2, "}}");
                if (!close) {
                        sb_literal(&b, open, strlen(open));
                        break;
                }
                char *act = strndup(open + 2, (size_t) (close - open - 2));
                render_action(&b, act, v);
                free(act);
                p = close + 2;
        }
        return b.s;
}

void table_print(char ***rows, size_t nrows, size_t ncols)
{
        size_t w[32] = { 0 };
        for (size_t r = 0; r < nrows; r++)
                for (size_t c = 0; c < ncols && c < 32; c++)
                        if (strlen(rows[r][c]) > w[c])
                                w[c] = strlen(rows[r][c]);
        for (size_t r = 0; r < nrows; r++) {
                for (size_t c = 0; c < ncols; c++) {
                        if (c + 1 == ncols)
                                printf("%s", rows[r][c]);
                        else
                                printf("%-*s   ", (int) w[c], rows[r][c]);
                }
                printf("\n");
        }
}

char *human_ago(long long t)
{
        long long d = (long long) time(NULL) - t;
        char *s = NULL;
        if (t <= 0)
                return strdup("N/A");
        if (d < 1)
                s = strdup("Less than a second ago");
        else if (d < 60)
                asprintf(&s, "%lld second%s ago", d, d == 1 ? "" : "s");
        else if (d < 3600)
                asprintf(&s, "%lld minute%s ago", d / 60, d / 60 == 1 ? "" : "s");
        else if (d < 2 * 86400)
                asprintf(&s, "%lld hour%s ago", d / 3600, d / 3600 == 1 ? "" : "s");
        else
                asprintf(&s, "%lld days ago", d / 86400);
        return s;
}

char *human_size(double bytes)
{
        static const char *const u[] = { "B", "kB", "MB", "GB", "TB" };
        int i = 0;
        while (bytes >= 1000 && i < 4) {
                bytes /= 1000;
                i++;
        }
        char *s = NULL;
        asprintf(&s, "%.4g%s", bytes, u[i]);
        return s;
}
