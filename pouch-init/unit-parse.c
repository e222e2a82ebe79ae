/* Unit files: the lines, sections and drop-ins; the keys are in unit-keys.c. */
#include "unit-parse.h"

#include "buf.h"
#include "unit-keys.h"
#include "lib/cleanup.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
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

const char *unit_source_name(enum unit_source s)
{
        static const char *const names[] = {
                [SOURCE_POUCH] = "services.d",
                [SOURCE_SYSTEMD] = "systemd",
                [SOURCE_SYSV] = "sysv",
                [SOURCE_BUILTIN] = "builtin",
        };
        return (unsigned) s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

void unit_name_normalize(char *name)
{
        size_t len = strlen(name);
        static const char suffix[] = ".service";
        if (len > sizeof(suffix) - 1 && strcmp(name + len - (sizeof(suffix) - 1), suffix) == 0)
                name[len - (sizeof(suffix) - 1)] = '\0';
}

static int vset(char **field, const char *fmt, va_list ap)
{
        if (vasprintf(field, fmt, ap) < 0) {
                *field = NULL;
                return -ENOMEM;
        }
        return 0;
}

int unit_set_error(struct unit *u, const char *fmt, ...)
{
        if (u->error)
                return -EINVAL;
        va_list ap;
        va_start(ap, fmt);
        int r = vset(&u->error, fmt, ap);
        va_end(ap);
        return r < 0 ? r : -EINVAL;
}

int unit_warn(struct unit *u, const char *fmt, ...)
{
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vset(&msg, fmt, ap);
        va_end(ap);
        return r < 0 ? r : strv_push(&u->warnings, msg);
}

int parse_timespan_ms(const char *s, int64_t *ret)
{
        static const struct {
                const char *name;
                double ms;
        } units[] = {
                { "us", 0.001 },  { "usec", 0.001 }, { "ms", 1 },         { "msec", 1 },
                { "s", 1000 },    { "sec", 1000 },   { "second", 1000 },  { "seconds", 1000 },
                { "m", 60000 },   { "min", 60000 },  { "minute", 60000 }, { "minutes", 60000 },
                { "h", 3600000 }, { "hr", 3600000 }, { "hour", 3600000 }, { "hours", 3600000 },
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

void exec_list_free(struct exec_list *l)
{
        for (size_t i = 0; i < l->n; i++)
                exec_cmd_free(&l->v[i]);
        free(l->v);
        l->v = NULL;
        l->n = 0;
}

int exec_list_push(struct exec_list *l, struct exec_cmd *c)
{
        struct exec_cmd *n = realloc(l->v, (l->n + 1) * sizeof(*n));
        if (!n) {
                exec_cmd_free(c);
                return -ENOMEM;
        }
        l->v = n;
        l->v[l->n++] = *c;
        memset(c, 0, sizeof(*c));
        return 0;
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

static int parse_line(struct unit_parser *p, enum section *sec, char *line)
{
        if (line[0] == '[') {
                size_t len = strlen(line);
                if (line[len - 1] != ']')
                        return parser_fail(p, "invalid section header '%s'", line);
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
                        return parser_warn(p, "unknown section [%s], ignored", name);
                }
                return 0;
        }
        char *eq = strchr(line, '=');
        if (!eq)
                return parser_fail(p, "missing '=' in '%s'", line);
        *eq = '\0';
        char *key = trim(line);
        if (!*key)
                return parser_fail(p, "missing key before '='");
        if (*sec == SECTION_NONE)
                return parser_fail(p, "assignment %s= outside of a section", key);
        if (*sec != SECTION_UNIT && *sec != SECTION_SERVICE)
                return 0;
        _cleanup_free_ char *value = NULL;
        int r = unit_expand_specifiers(p, trim(eq + 1), &value);
        if (r < 0)
                return r;
        return *sec == SECTION_UNIT ? unit_key_unit(p, key, value) : unit_key_service(p, key, value);
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

int unit_init(struct unit *u, const char *name)
{
        memset(u, 0, sizeof(*u));
        u->restart_sec_ms = UNIT_DEFAULT_RESTART_SEC_MS;
        u->timeout_start_ms = UNIT_DEFAULT_TIMEOUT_START_MS;
        u->timeout_stop_ms = UNIT_DEFAULT_TIMEOUT_STOP_MS;
        u->start_limit_interval_ms = 10000;
        u->kill_signal = SIGTERM;
        u->runtime_dir_mode = 0755;
        u->umask = -1;
        u->name = strdup(name);
        if (!u->name)
                return -ENOMEM;
        unit_name_normalize(u->name);
        const char *at = strchr(u->name, '@');
        if (at && at[1]) {
                u->instance = strdup(at + 1);
                if (!u->instance)
                        return -ENOMEM;
        }
        return 0;
}

int unit_parse_text(struct unit *u, const char *file, const char *text)
{
        const char *slash = strrchr(file, '/');
        struct unit_parser p = { .file = slash ? slash + 1 : file, .u = u };
        if (u->error)
                return 0;
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
        return 0;
}

int unit_finish(struct unit *u)
{
        if (u->error)
                return 0;
        _cleanup_free_ char *own = NULL;
        if (!u->path && asprintf(&own, "%s.service", u->name) < 0)
                return -ENOMEM;
        const char *file = u->path ? u->path : own;
        const char *slash = strrchr(file, '/');
        struct unit_parser p = { .file = slash ? slash + 1 : file, .u = u };
        int r = 0;
        if (!u->start.path)
                r = parser_fail(&p, "ExecStart= is missing");
        else if (u->start_more.n && u->type != UNIT_ONESHOT)
                r = parser_fail(&p, "ExecStart= given more than once (only Type=oneshot runs several commands)");
        /* as systemd: a oneshot waits for its commands as long as they take */
        if (u->type == UNIT_ONESHOT && !u->timeout_start_set)
                u->timeout_start_ms = 0;
        return r == -ENOMEM ? r : 0;
}

int unit_parse(const char *file_name, const char *text, struct unit *u)
{
        const char *slash = strrchr(file_name, '/');
        int r = unit_init(u, slash ? slash + 1 : file_name);
        if (r >= 0)
                r = unit_parse_text(u, file_name, text);
        if (r >= 0)
                r = unit_finish(u);
        return r;
}

void unit_free(struct unit *u)
{
        free(u->name);
        free(u->instance);
        free(u->path);
        free(u->description);
        strv_free(&u->after);
        strv_free(&u->before);
        strv_free(&u->requires);
        strv_free(&u->wants);
        for (size_t i = 0; i < u->n_pre; i++)
                exec_cmd_free(&u->pre[i]);
        free(u->pre);
        exec_cmd_free(&u->start);
        exec_list_free(&u->start_more);
        exec_list_free(&u->post);
        exec_list_free(&u->stop);
        exec_list_free(&u->reload);
        free(u->pid_file);
        for (size_t i = 0; i < u->n_conditions; i++)
                free(u->conditions[i].path);
        free(u->conditions);
        strv_free(&u->runtime_dirs);
        strv_free(&u->supplementary_groups);
        free(u->skip_reason);
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
                        units[i].source = SOURCE_POUCH;
                        if (r >= 0 && !(units[i].path = strdup(path)))
                                r = -ENOMEM;
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
