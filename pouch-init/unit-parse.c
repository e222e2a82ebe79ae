/* services.d unit files: a documented subset of systemd's unit syntax. */
#include "unit-parse.h"

#include "buf.h"
#include "cmdline-split.h"
#include "lib/cleanup.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum section {
        SECTION_NONE,
        SECTION_UNIT,
        SECTION_SERVICE,
        SECTION_INSTALL,
        SECTION_OTHER,
};

struct parser {
        const char *file;
        unsigned line;
        struct unit *u;
        bool saw_start;
};

void unit_name_normalize(char *name)
{
        size_t len = strlen(name);
        static const char suffix[] = ".service";
        if (len > sizeof(suffix) - 1 && strcmp(name + len - (sizeof(suffix) - 1), suffix) == 0)
                name[len - (sizeof(suffix) - 1)] = '\0';
}

/* Record the first error: -EINVAL, or -ENOMEM when even that fails. */
static int __attribute__((format(printf, 2, 3))) fail(struct parser *p, const char *fmt, ...)
{
        if (p->u->error)
                return -EINVAL;
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        n = p->line ? asprintf(&p->u->error, "%s:%u: %s", p->file, p->line, msg)
                    : asprintf(&p->u->error, "%s: %s", p->file, msg);
        if (n < 0) {
                p->u->error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

static int __attribute__((format(printf, 2, 3))) warn(struct parser *p, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL, *full = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (n < 0 || asprintf(&full, "%s:%u: %s", p->file, p->line, msg) < 0)
                return -ENOMEM;
        return strv_push(&p->u->warnings, TAKE_PTR(full));
}

int parse_timespan_ms(const char *s, int64_t *ret)
{
        static const struct {
                const char *name;
                double ms;
        } units[] = {
                { "us", 0.001 },     { "usec", 0.001 }, { "ms", 1 },          { "msec", 1 },
                { "s", 1000 },       { "sec", 1000 },   { "second", 1000 },   { "seconds", 1000 },
                { "m", 60000 },      { "min", 60000 },  { "minute", 60000 },  { "minutes", 60000 },
                { "h", 3600000 },    { "hr", 3600000 }, { "hour", 3600000 },  { "hours", 3600000 },
        };
        double total = 0;
        bool any = false;
        const char *p = s;
        for (;;) {
                while (isspace((unsigned char) *p))
                        p++;
                if (!*p)
                        break;
                if (!isdigit((unsigned char) *p) && *p != '.')
                        return -EINVAL;
                char *end;
                double v = strtod(p, &end);
                if (end == p || v < 0)
                        return -EINVAL;
                p = end;
                while (isspace((unsigned char) *p))
                        p++;
                const char *u = p;
                while (isalpha((unsigned char) *p))
                        p++;
                size_t ulen = (size_t) (p - u);
                double mult = 1000; /* a bare number is seconds */
                if (ulen) {
                        bool found = false;
                        for (size_t i = 0; i < ARRAY_SIZE(units) && !found; i++)
                                if (strlen(units[i].name) == ulen && strncmp(units[i].name, u, ulen) == 0) {
                                        mult = units[i].ms;
                                        found = true;
                                }
                        if (!found)
                                return -EINVAL;
                } else if (*p) {
                        /* "1 2" without units between numbers */
                        return -EINVAL;
                }
                total += v * mult;
                any = true;
        }
        if (!any || total > 365.0 * 24 * 3600 * 1000)
                return -EINVAL;
        int64_t ms = (int64_t) total;
        if ((double) ms < total)
                ms++;
        *ret = ms;
        return 0;
}

void exec_cmd_free(struct exec_cmd *c)
{
        free(c->path);
        c->path = NULL;
        strv_free(&c->argv);
}

/* "-@/bin/foo foo-name arg" → path, argv, flags. */
static int parse_exec(struct parser *p, const char *key, const char *v, struct exec_cmd *c)
{
        memset(c, 0, sizeof(*c));
        bool at = false;
        for (; *v && strchr("-@+!:", *v); v++) {
                if (*v == '-')
                        c->ignore_failure = true;
                else if (*v == '@')
                        at = true;
        }
        _cleanup_strv_ struct strv words = { 0 };
        const char *err = NULL;
        int r = cmdline_split(v, &words, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return fail(p, "%s=: %s", key, err);
        if (words.n == 0 || (at && words.n < 2))
                return fail(p, "%s=: no command", key);
        c->path = strdup(words.v[0]);
        if (!c->path)
                return -ENOMEM;
        for (size_t i = at ? 1 : 0; i < words.n; i++) {
                r = strv_push_dup(&c->argv, words.v[i]);
                if (r < 0) {
                        exec_cmd_free(c);
                        return r;
                }
        }
        return 0;
}

/* After=a.service b → "a", "b". */
static int parse_names(const char *v, struct strv *list)
{
        if (!*v) {
                strv_free(list);
                return 0;
        }
        for (const char *s = v; *s;) {
                s += strspn(s, " \t");
                size_t len = strcspn(s, " \t");
                if (!len)
                        break;
                char *n = strndup(s, len);
                if (!n)
                        return -ENOMEM;
                unit_name_normalize(n);
                if (strv_contains(list, n)) {
                        free(n);
                } else {
                        int r = strv_push(list, n);
                        if (r < 0)
                                return r;
                }
                s += len;
        }
        return 0;
}

static int set_str(char **field, const char *v)
{
        free(*field);
        *field = NULL;
        if (!*v)
                return 0;
        *field = strdup(v);
        return *field ? 0 : -ENOMEM;
}

static int parse_unit_key(struct parser *p, const char *key, const char *v)
{
        struct unit *u = p->u;
        if (strcmp(key, "Description") == 0)
                return set_str(&u->description, v);
        if (strcmp(key, "After") == 0)
                return parse_names(v, &u->after);
        if (strcmp(key, "Requires") == 0)
                return parse_names(v, &u->requires);
        if (strcmp(key, "Wants") == 0)
                return parse_names(v, &u->wants);
        return warn(p, "unknown key %s= in [Unit], ignored", key);
}

static int parse_environment(struct parser *p, const char *v)
{
        if (!*v) {
                strv_free(&p->u->environment);
                return 0;
        }
        _cleanup_strv_ struct strv words = { 0 };
        const char *err = NULL;
        int r = cmdline_split(v, &words, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return fail(p, "Environment=: %s", err);
        for (size_t i = 0; i < words.n; i++) {
                const char *eq = strchr(words.v[i], '=');
                if (!eq || !env_name_valid(words.v[i], (size_t) (eq - words.v[i])))
                        return fail(p, "Environment=: invalid assignment '%s'", words.v[i]);
                r = strv_env_put(&p->u->environment, words.v[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_service_key(struct parser *p, const char *key, const char *v)
{
        struct unit *u = p->u;
        int r;
        if (strcmp(key, "Type") == 0) {
                if (*v && strcmp(v, "simple") != 0)
                        return fail(p, "Type=%s is not supported (only Type=simple)", v);
                return 0;
        }
        if (strcmp(key, "ExecStart") == 0) {
                if (!*v) {
                        exec_cmd_free(&u->start);
                        p->saw_start = false;
                        return 0;
                }
                if (p->saw_start)
                        return fail(p, "ExecStart= given more than once (Type=simple runs one command)");
                exec_cmd_free(&u->start);
                r = parse_exec(p, key, v, &u->start);
                if (r >= 0)
                        p->saw_start = true;
                return r;
        }
        if (strcmp(key, "ExecStartPre") == 0) {
                if (!*v) {
                        for (size_t i = 0; i < u->n_pre; i++)
                                exec_cmd_free(&u->pre[i]);
                        free(u->pre);
                        u->pre = NULL;
                        u->n_pre = 0;
                        return 0;
                }
                struct exec_cmd c;
                r = parse_exec(p, key, v, &c);
                if (r < 0)
                        return r;
                struct exec_cmd *n = realloc(u->pre, (u->n_pre + 1) * sizeof(*n));
                if (!n) {
                        exec_cmd_free(&c);
                        return -ENOMEM;
                }
                u->pre = n;
                u->pre[u->n_pre++] = c;
                return 0;
        }
        if (strcmp(key, "Restart") == 0) {
                if (strcmp(v, "no") == 0 || !*v)
                        u->restart = RESTART_NO;
                else if (strcmp(v, "always") == 0)
                        u->restart = RESTART_ALWAYS;
                else if (strcmp(v, "on-failure") == 0)
                        u->restart = RESTART_ON_FAILURE;
                else
                        return fail(p, "Restart=%s is not supported (use no, always or on-failure)", v);
                return 0;
        }
        if (strcmp(key, "RestartSec") == 0) {
                if (!*v) {
                        u->restart_sec_ms = UNIT_DEFAULT_RESTART_SEC_MS;
                        return 0;
                }
                if (parse_timespan_ms(v, &u->restart_sec_ms) < 0)
                        return fail(p, "RestartSec=%s is not a time span (e.g. 5, 500ms, 2s, 1min)", v);
                return 0;
        }
        if (strcmp(key, "User") == 0)
                return set_str(&u->user, v);
        if (strcmp(key, "Group") == 0)
                return set_str(&u->group, v);
        if (strcmp(key, "Environment") == 0)
                return parse_environment(p, v);
        if (strcmp(key, "EnvironmentFile") == 0) {
                if (!*v) {
                        for (size_t i = 0; i < u->n_env_files; i++)
                                free(u->env_files[i].path);
                        free(u->env_files);
                        u->env_files = NULL;
                        u->n_env_files = 0;
                        return 0;
                }
                bool optional = *v == '-';
                if (optional)
                        v++;
                if (*v != '/')
                        return fail(p, "EnvironmentFile=%s is not an absolute path", v);
                struct env_file *n = realloc(u->env_files, (u->n_env_files + 1) * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                u->env_files = n;
                n[u->n_env_files].path = strdup(v);
                n[u->n_env_files].optional = optional;
                if (!n[u->n_env_files].path)
                        return -ENOMEM;
                u->n_env_files++;
                return 0;
        }
        if (strcmp(key, "WorkingDirectory") == 0) {
                u->working_dir_optional = *v == '-';
                if (u->working_dir_optional)
                        v++;
                if (*v && *v != '/' && strcmp(v, "~") != 0)
                        return fail(p, "WorkingDirectory=%s is not an absolute path or ~", v);
                return set_str(&u->working_dir, v);
        }
        return warn(p, "unknown key %s= in [Service], ignored", key);
}

static char *trim(char *s)
{
        while (isspace((unsigned char) *s))
                s++;
        size_t len = strlen(s);
        while (len && isspace((unsigned char) s[len - 1]))
                s[--len] = '\0';
        return s;
}

static int parse_line(struct parser *p, enum section *sec, char *line)
{
        if (line[0] == '[') {
                size_t len = strlen(line);
                if (line[len - 1] != ']')
                        return fail(p, "invalid section header '%s'", line);
                line[len - 1] = '\0';
                const char *name = line + 1;
                if (strcmp(name, "Unit") == 0)
                        *sec = SECTION_UNIT;
                else if (strcmp(name, "Service") == 0)
                        *sec = SECTION_SERVICE;
                else if (strcmp(name, "Install") == 0)
                        *sec = SECTION_INSTALL;
                else {
                        *sec = SECTION_OTHER;
                        return warn(p, "unknown section [%s], ignored", name);
                }
                return 0;
        }
        char *eq = strchr(line, '=');
        if (!eq)
                return fail(p, "missing '=' in '%s'", line);
        *eq = '\0';
        char *key = trim(line), *value = trim(eq + 1);
        if (!*key)
                return fail(p, "missing key before '='");
        switch (*sec) {
        case SECTION_NONE:
                return fail(p, "assignment %s= outside of a section", key);
        case SECTION_UNIT:
                return parse_unit_key(p, key, value);
        case SECTION_SERVICE:
                return parse_service_key(p, key, value);
        default:
                return 0;
        }
}

static bool is_comment(const char *s)
{
        s += strspn(s, " \t");
        return *s == '#' || *s == ';';
}

/* The next physical line of *text (without '\n', '\r'), advancing *text; NULL at the end. */
static char *next_line(const char **text)
{
        if (!**text)
                return NULL;
        const char *s = *text;
        size_t len = strcspn(s, "\n");
        *text = s + len + (s[len] == '\n');
        if (len && s[len - 1] == '\r')
                len--;
        return strndup(s, len);
}

int unit_parse(const char *file_name, const char *text, struct unit *u)
{
        memset(u, 0, sizeof(*u));
        u->restart_sec_ms = UNIT_DEFAULT_RESTART_SEC_MS;
        const char *slash = strrchr(file_name, '/');
        u->name = strdup(slash ? slash + 1 : file_name);
        if (!u->name)
                return -ENOMEM;
        unit_name_normalize(u->name);
        struct parser p = { .file = slash ? slash + 1 : file_name, .u = u };
        enum section sec = SECTION_NONE;
        const char *t = text;
        unsigned lineno = 0;
        int r = 0;
        for (;;) {
                _cleanup_free_ char *first = next_line(&t);
                if (!first)
                        break;
                lineno++;
                p.line = lineno;
                if (is_comment(first) || !*trim(first))
                        continue;
                _cleanup_buf_ struct buf logical = { 0 };
                char *cur = trim(first);
                for (;;) {
                        size_t len = strlen(cur);
                        bool cont = len && cur[len - 1] == '\\';
                        if (cont)
                                cur[len - 1] = '\0';
                        r = buf_puts(&logical, cur);
                        if (r < 0)
                                return r;
                        if (!cont)
                                break;
                        /* the backslash becomes a space; comment lines inside are skipped */
                        char *next = NULL;
                        while ((next = next_line(&t))) {
                                lineno++;
                                if (!is_comment(next))
                                        break;
                                free(next);
                        }
                        if (!next)
                                break;
                        r = buf_putc(&logical, ' ');
                        if (r < 0) {
                                free(next);
                                return r;
                        }
                        free(first);
                        first = next;
                        cur = trim(first);
                }
                _cleanup_free_ char *line = buf_steal(&logical);
                if (!line)
                        continue;
                r = parse_line(&p, &sec, line);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return 0;
        }
        p.line = 0;
        if (!u->start.path) {
                r = fail(&p, "ExecStart= is missing");
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}

void unit_free(struct unit *u)
{
        free(u->name);
        free(u->description);
        strv_free(&u->after);
        strv_free(&u->requires);
        strv_free(&u->wants);
        for (size_t i = 0; i < u->n_pre; i++)
                exec_cmd_free(&u->pre[i]);
        free(u->pre);
        exec_cmd_free(&u->start);
        free(u->user);
        free(u->group);
        strv_free(&u->environment);
        for (size_t i = 0; i < u->n_env_files; i++)
                free(u->env_files[i].path);
        free(u->env_files);
        free(u->working_dir);
        free(u->error);
        strv_free(&u->warnings);
        memset(u, 0, sizeof(*u));
}

void units_free(struct unit *units, size_t n)
{
        for (size_t i = 0; i < n; i++)
                unit_free(&units[i]);
        free(units);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int unit_load_dir(const char *dir, struct unit **ret, size_t *n)
{
        *ret = NULL;
        *n = 0;
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return 0;
        _cleanup_strv_ struct strv names = { 0 };
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                if (de->d_name[0] == '.' || len <= 8 || strcmp(de->d_name + len - 8, ".service") != 0)
                        continue;
                int r = strv_push_dup(&names, de->d_name);
                if (r < 0)
                        return r;
        }
        if (names.n == 0)
                return 0;
        qsort(names.v, names.n, sizeof(char *), cmp_str);
        struct unit *units = calloc(names.n, sizeof(*units));
        if (!units)
                return -ENOMEM;
        for (size_t i = 0; i < names.n; i++) {
                _cleanup_free_ char *path = NULL, *text = NULL;
                int r = asprintf(&path, "%s/%s", dir, names.v[i]) < 0 ? -ENOMEM : 0;
                if (r >= 0) {
                        r = read_file(path, 1 << 20, &text, NULL);
                        if (r == -ENOMEM)
                                goto oom;
                        if (r < 0) {
                                /* keep the unit, failed, so that the status says why */
                                int read_err = -r;
                                r = unit_parse(names.v[i], "[Service]\nExecStart=/bin/true\n", &units[i]);
                                if (r >= 0 && asprintf(&units[i].error, "%s: cannot read: %s", names.v[i],
                                                       strerror(read_err)) < 0) {
                                        units[i].error = NULL;
                                        r = -ENOMEM;
                                }
                        } else {
                                r = unit_parse(names.v[i], text, &units[i]);
                        }
                }
                if (r < 0) {
                oom:
                        units_free(units, names.n);
                        return -ENOMEM;
                }
        }
        *ret = units;
        *n = names.n;
        return 0;
}
