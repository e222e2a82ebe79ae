/* The keys of [Unit] and [Service] that pouch-init understands, and unit specifiers. */
#include "unit-keys.h"

#include "buf.h"
#include "cmdline-split.h"
#include "lib/cleanup.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int vformat(struct unit_parser *p, const char *fmt, va_list ap, char **ret)
{
        _cleanup_free_ char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                return -ENOMEM;
        int n = p->line ? asprintf(ret, "%s:%u: %s", p->file, p->line, msg) : asprintf(ret, "%s: %s", p->file, msg);
        if (n < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

int parser_fail(struct unit_parser *p, const char *fmt, ...)
{
        if (p->u->error)
                return -EINVAL;
        va_list ap;
        va_start(ap, fmt);
        int r = vformat(p, fmt, ap, &p->u->error);
        va_end(ap);
        return r < 0 ? r : -EINVAL;
}

int parser_warn(struct unit_parser *p, const char *fmt, ...)
{
        char *full = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vformat(p, fmt, ap, &full);
        va_end(ap);
        return r < 0 ? r : strv_push(&p->u->warnings, full);
}

int unit_expand_specifiers(struct unit_parser *p, const char *v, char **ret)
{
        const struct unit *u = p->u;
        _cleanup_buf_ struct buf b = { 0 };
        size_t plen = strcspn(u->name, "@");
        int r = 0;
        for (const char *s = v; r >= 0 && *s; s++) {
                if (*s != '%') {
                        r = buf_putc(&b, *s);
                        continue;
                }
                switch (s[1]) {
                case '%':
                        r = buf_putc(&b, '%');
                        break;
                case 'n':
                        r = buf_printf(&b, "%s.service", u->name);
                        break;
                case 'N':
                        r = buf_puts(&b, u->name);
                        break;
                case 'p':
                case 'P':
                        r = buf_printf(&b, "%.*s", (int) plen, u->name);
                        break;
                case 'i':
                case 'I':
                        r = buf_puts(&b, u->instance ? u->instance : "");
                        break;
                case 't':
                        r = buf_puts(&b, "/run");
                        break;
                default:
                        r = parser_warn(p, "unknown specifier %%%c, kept as it is", s[1] ? s[1] : ' ');
                        if (r >= 0)
                                r = buf_putc(&b, '%');
                        continue;
                }
                s++;
        }
        if (r < 0)
                return r;
        *ret = b.data ? buf_steal(&b) : strdup("");
        return *ret ? 0 : -ENOMEM;
}

/* "-@/bin/foo foo-name arg" → path, argv, flags. */
static int parse_exec(struct unit_parser *p, const char *key, const char *v, struct exec_cmd *c)
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
                return parser_fail(p, "%s=: %s", key, err);
        if (words.n == 0 || (at && words.n < 2))
                return parser_fail(p, "%s=: no command", key);
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

static int parse_exec_list(struct unit_parser *p, const char *key, const char *v, struct exec_list *l)
{
        if (!*v) {
                exec_list_free(l);
                return 0;
        }
        struct exec_cmd c;
        int r = parse_exec(p, key, v, &c);
        return r < 0 ? r : exec_list_push(l, &c);
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

static int parse_condition(struct unit_parser *p, const char *v, bool not_empty)
{
        struct unit *u = p->u;
        if (!*v) {
                for (size_t i = 0; i < u->n_conditions; i++)
                        free(u->conditions[i].path);
                free(u->conditions);
                u->conditions = NULL;
                u->n_conditions = 0;
                return 0;
        }
        bool negate = *v == '!';
        if (negate)
                v++;
        if (*v == '|')
                return parser_warn(p, "triggering conditions ('|') are not supported, ignored");
        if (*v != '/')
                return parser_warn(p, "condition path %s is not absolute, ignored", v);
        struct unit_condition *n = realloc(u->conditions, (u->n_conditions + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        u->conditions = n;
        n[u->n_conditions] = (struct unit_condition){ .path = strdup(v), .negate = negate, .not_empty = not_empty };
        if (!n[u->n_conditions].path)
                return -ENOMEM;
        u->n_conditions++;
        return 0;
}

static int parse_timespan_key(struct unit_parser *p, const char *key, const char *v, int64_t *ret, int64_t dflt)
{
        if (!*v) {
                *ret = dflt;
                return 0;
        }
        if (strcmp(v, "infinity") == 0) {
                *ret = 0;
                return 0;
        }
        if (parse_timespan_ms(v, ret) < 0)
                return parser_warn(p, "%s=%s is not a time span (e.g. 5, 500ms, 2s, 1min), ignored", key, v);
        return 0;
}

static int parse_uint_key(struct unit_parser *p, const char *key, const char *v, unsigned *ret)
{
        unsigned long long n;
        if (!parse_uint(v, 1000000, &n))
                return parser_warn(p, "%s=%s is not a number, ignored", key, v);
        *ret = (unsigned) n;
        return 0;
}

int unit_key_unit(struct unit_parser *p, const char *key, const char *v)
{
        struct unit *u = p->u;
        if (strcmp(key, "Description") == 0)
                return set_str(&u->description, v);
        if (strcmp(key, "After") == 0)
                return parse_names(v, &u->after);
        if (strcmp(key, "Before") == 0)
                return parse_names(v, &u->before);
        if (strcmp(key, "Requires") == 0)
                return parse_names(v, &u->requires);
        if (strcmp(key, "Wants") == 0)
                return parse_names(v, &u->wants);
        if (strcmp(key, "ConditionPathExists") == 0)
                return parse_condition(p, v, false);
        if (strcmp(key, "ConditionFileNotEmpty") == 0)
                return parse_condition(p, v, true);
        if (strcmp(key, "StartLimitBurst") == 0)
                return parse_uint_key(p, key, v, &u->start_limit_burst);
        if (strcmp(key, "StartLimitIntervalSec") == 0 || strcmp(key, "StartLimitInterval") == 0)
                return parse_timespan_key(p, key, v, &u->start_limit_interval_ms, 10000);
        if (strcmp(key, "Documentation") == 0 || strcmp(key, "DefaultDependencies") == 0)
                return 0;
        return parser_warn(p, "unsupported key %s= in [Unit], ignored", key);
}

static int parse_type(struct unit_parser *p, const char *v)
{
        static const char *const names[] = {
                [UNIT_SIMPLE] = "simple",   [UNIT_EXEC] = "exec",     [UNIT_FORKING] = "forking",
                [UNIT_ONESHOT] = "oneshot", [UNIT_NOTIFY] = "notify", [UNIT_IDLE] = "idle",
        };
        if (!*v) {
                p->u->type = UNIT_SIMPLE;
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (strcmp(v, names[i]) == 0) {
                        p->u->type = (enum unit_type) i;
                        return 0;
                }
        p->u->type = UNIT_SIMPLE;
        return parser_warn(p, "Type=%s is not supported, run as Type=simple", v);
}

static int parse_restart(struct unit_parser *p, const char *v)
{
        static const char *const names[] = {
                [RESTART_NO] = "no",
                [RESTART_ALWAYS] = "always",
                [RESTART_ON_SUCCESS] = "on-success",
                [RESTART_ON_FAILURE] = "on-failure",
                [RESTART_ON_ABNORMAL] = "on-abnormal",
                [RESTART_ON_ABORT] = "on-abort",
                [RESTART_ON_WATCHDOG] = "on-watchdog",
        };
        if (!*v) {
                p->u->restart = RESTART_NO;
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (strcmp(v, names[i]) == 0) {
                        p->u->restart = (enum restart_policy) i;
                        return 0;
                }
        return parser_warn(p, "Restart=%s is not a restart policy, ignored", v);
}

static int parse_kill_mode(struct unit_parser *p, const char *v)
{
        static const char *const names[] = {
                [KILL_CONTROL_GROUP] = "control-group",
                [KILL_PROCESS] = "process",
                [KILL_MIXED] = "mixed",
                [KILL_NONE] = "none",
        };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (strcmp(v, names[i]) == 0) {
                        p->u->kill_mode = (enum kill_mode) i;
                        return 0;
                }
        return parser_warn(p, "KillMode=%s is not a kill mode, ignored", v);
}

static int parse_signal(struct unit_parser *p, const char *key, const char *v, int *ret)
{
        static const struct {
                const char *name;
                int sig;
        } sigs[] = {
                { "HUP", SIGHUP },   { "INT", SIGINT },     { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
                { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },   { "TERM", SIGTERM }, { "CONT", SIGCONT },
                { "STOP", SIGSTOP }, { "WINCH", SIGWINCH }, { "PWR", SIGPWR },
        };
        const char *n = strncmp(v, "SIG", 3) == 0 ? v + 3 : v;
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                if (strcmp(n, sigs[i].name) == 0) {
                        *ret = sigs[i].sig;
                        return 0;
                }
        unsigned long long num;
        if (parse_uint(v, 64, &num) && num > 0) {
                *ret = (int) num;
                return 0;
        }
        return parser_warn(p, "%s=%s is not a signal, ignored", key, v);
}

static int parse_environment(struct unit_parser *p, const char *v)
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
                return parser_warn(p, "Environment=: %s, ignored", err);
        for (size_t i = 0; i < words.n; i++) {
                const char *eq = strchr(words.v[i], '=');
                if (!eq || !env_name_valid(words.v[i], (size_t) (eq - words.v[i]))) {
                        r = parser_warn(p, "Environment=: invalid assignment '%s', ignored", words.v[i]);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = strv_env_put(&p->u->environment, words.v[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_env_file(struct unit_parser *p, const char *v)
{
        struct unit *u = p->u;
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
                return parser_warn(p, "EnvironmentFile=%s is not an absolute path, ignored", v);
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

static int parse_start(struct unit_parser *p, const char *v)
{
        struct unit *u = p->u;
        if (!*v) {
                exec_cmd_free(&u->start);
                exec_list_free(&u->start_more);
                return 0;
        }
        if (!u->start.path)
                return parse_exec(p, "ExecStart", v, &u->start);
        return parse_exec_list(p, "ExecStart", v, &u->start_more);
}

static int parse_output(struct unit_parser *p, const char *key, const char *v, bool *null, bool *syslog)
{
        if (syslog)
                *syslog = strncmp(v, "journal", 7) == 0 || strncmp(v, "syslog", 6) == 0;
        if (strcmp(v, "null") == 0) {
                *null = true;
                return 0;
        }
        *null = false;
        if (!*v || strcmp(v, "journal") == 0 || strcmp(v, "syslog") == 0 || strcmp(v, "inherit") == 0 ||
            strcmp(v, "journal+console") == 0 || strcmp(v, "syslog+console") == 0 || strcmp(v, "kmsg") == 0 ||
            strcmp(v, "console") == 0 || strcmp(v, "tty") == 0)
                return 0;
        return parser_warn(p, "%s=%s is not supported: the output goes to the container's log", key, v);
}

static int parse_mode(struct unit_parser *p, const char *key, const char *v, unsigned long max, unsigned long *ret)
{
        char *end;
        unsigned long m = strtoul(v, &end, 8);
        if (!*v || *end || m > max)
                return parser_warn(p, "%s=%s is not an octal mode, ignored", key, v);
        *ret = m;
        return 0;
}

static int parse_misc_service_key(struct unit_parser *p, const char *key, const char *v)
{
        struct unit *u = p->u;
        unsigned long m = 0;
        int r;
        if (strcmp(key, "UMask") == 0) {
                r = parse_mode(p, key, v, 0777, &m);
                if (r >= 0 && *v)
                        u->umask = (int) m;
                return r;
        }
        if (strcmp(key, "RuntimeDirectory") == 0) {
                if (!*v) {
                        strv_free(&u->runtime_dirs);
                        return 0;
                }
                _cleanup_strv_ struct strv words = { 0 };
                r = parse_names(v, &words);
                for (size_t i = 0; r >= 0 && i < words.n; i++) {
                        if (words.v[i][0] == '/' || strstr(words.v[i], ".."))
                                r = parser_warn(p, "RuntimeDirectory=%s is not a relative path, ignored", words.v[i]);
                        else
                                r = strv_push_dup(&u->runtime_dirs, words.v[i]);
                }
                return r;
        }
        if (strcmp(key, "RuntimeDirectoryMode") == 0) {
                r = parse_mode(p, key, v, 07777, &m);
                if (r >= 0 && *v)
                        u->runtime_dir_mode = (mode_t) m;
                return r;
        }
        if (strcmp(key, "StandardOutput") == 0)
                return parse_output(p, key, v, &u->stdout_null, &u->stdout_syslog);
        if (strcmp(key, "StandardError") == 0)
                return parse_output(p, key, v, &u->stderr_null, NULL);
        if (strcmp(key, "SupplementaryGroups") == 0)
                return parse_names(v, &u->supplementary_groups);
        if (strcmp(key, "PIDFile") == 0) {
                if (*v && *v != '/')
                        return parser_warn(p, "PIDFile=%s is not an absolute path, ignored", v);
                return set_str(&u->pid_file, v);
        }
        if (strcmp(key, "RemainAfterExit") == 0) {
                u->remain_after_exit = strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "on") == 0 ||
                                       strcmp(v, "1") == 0;
                return 0;
        }
        if (strcmp(key, "NotifyAccess") == 0)
                return 0; /* every process of the service may notify (documented) */
        return parser_warn(p, "unsupported key %s= in [Service], ignored", key);
}

int unit_key_service(struct unit_parser *p, const char *key, const char *v)
{
        struct unit *u = p->u;
        if (strcmp(key, "Type") == 0)
                return parse_type(p, v);
        if (strcmp(key, "ExecStart") == 0)
                return parse_start(p, v);
        if (strcmp(key, "ExecStartPre") == 0) {
                struct exec_list l = { u->pre, u->n_pre };
                int r = parse_exec_list(p, key, v, &l);
                u->pre = l.v;
                u->n_pre = l.n;
                return r;
        }
        if (strcmp(key, "ExecStartPost") == 0)
                return parse_exec_list(p, key, v, &u->post);
        if (strcmp(key, "ExecStop") == 0)
                return parse_exec_list(p, key, v, &u->stop);
        if (strcmp(key, "ExecReload") == 0)
                return parse_exec_list(p, key, v, &u->reload);
        if (strcmp(key, "Restart") == 0)
                return parse_restart(p, v);
        if (strcmp(key, "RestartSec") == 0)
                return parse_timespan_key(p, key, v, &u->restart_sec_ms, UNIT_DEFAULT_RESTART_SEC_MS);
        if (strcmp(key, "TimeoutStartSec") == 0 || strcmp(key, "TimeoutSec") == 0) {
                u->timeout_start_set = true;
                int r = parse_timespan_key(p, key, v, &u->timeout_start_ms, UNIT_DEFAULT_TIMEOUT_START_MS);
                if (r < 0 || strcmp(key, "TimeoutSec") != 0)
                        return r;
        }
        if (strcmp(key, "TimeoutStopSec") == 0 || strcmp(key, "TimeoutSec") == 0)
                return parse_timespan_key(p, key, v, &u->timeout_stop_ms, UNIT_DEFAULT_TIMEOUT_STOP_MS);
        if (strcmp(key, "StartLimitBurst") == 0)
                return parse_uint_key(p, key, v, &u->start_limit_burst);
        if (strcmp(key, "StartLimitIntervalSec") == 0 || strcmp(key, "StartLimitInterval") == 0)
                return parse_timespan_key(p, key, v, &u->start_limit_interval_ms, 10000);
        if (strcmp(key, "KillMode") == 0)
                return parse_kill_mode(p, v);
        if (strcmp(key, "KillSignal") == 0)
                return parse_signal(p, key, v, &u->kill_signal);
        if (strcmp(key, "User") == 0)
                return set_str(&u->user, v);
        if (strcmp(key, "Group") == 0)
                return set_str(&u->group, v);
        if (strcmp(key, "Environment") == 0)
                return parse_environment(p, v);
        if (strcmp(key, "EnvironmentFile") == 0)
                return parse_env_file(p, v);
        if (strcmp(key, "WorkingDirectory") == 0) {
                u->working_dir_optional = *v == '-';
                if (u->working_dir_optional)
                        v++;
                if (*v && *v != '/' && strcmp(v, "~") != 0)
                        return parser_warn(p, "WorkingDirectory=%s is not an absolute path or ~, ignored", v);
                return set_str(&u->working_dir, v);
        }
        return parse_misc_service_key(p, key, v);
}
