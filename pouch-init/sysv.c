/* SysV init scripts enabled for the default runlevel. */
#include "sysv.h"

#include "lib/cleanup.h"
#include "lsb-header.h"
#include "skip-list.h"
#include "unit-discover.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSV_TIMEOUT_START_MS (5 * 60 * 1000)

static char *read_in_root(const char *root, const char *path)
{
        _cleanup_free_ char *full = NULL;
        char *text = NULL;
        if (asprintf(&full, "%s%s", root, path) < 0 || read_file(full, 1 << 20, &text, NULL) < 0)
                return NULL;
        return text;
}

static bool exists_in_root(const char *root, const char *path)
{
        char full[4096];
        struct stat st;
        return (size_t) snprintf(full, sizeof(full), "%s%s", root, path) < sizeof(full) && stat(full, &st) == 0;
}

static bool rhel_like(const char *root)
{
        if (exists_in_root(root, "/etc/redhat-release"))
                return true;
        _cleanup_free_ char *os = read_in_root(root, "/etc/os-release");
        if (!os)
                os = read_in_root(root, "/usr/lib/os-release");
        for (char *line = os ? strtok(os, "\n") : NULL; line; line = strtok(NULL, "\n"))
                if ((strncmp(line, "ID=", 3) == 0 || strncmp(line, "ID_LIKE=", 8) == 0) &&
                    (strstr(line, "rhel") || strstr(line, "fedora") || strstr(line, "centos")))
                        return true;
        return false;
}

int sysv_runlevel(const char *root)
{
        _cleanup_free_ char *tab = read_in_root(root, "/etc/inittab");
        for (char *line = tab ? strtok(tab, "\n") : NULL; line; line = strtok(NULL, "\n")) {
                /* id:N:initdefault: */
                const char *c1 = strchr(line, ':');
                if (line[0] == '#' || !c1)
                        continue;
                const char *c2 = strchr(c1 + 1, ':');
                if (c2 && c2 == c1 + 2 && c1[1] >= '1' && c1[1] <= '5' && strncmp(c2 + 1, "initdefault", 11) == 0)
                        return c1[1] - '0';
        }
        return rhel_like(root) ? 3 : 2;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The rcN.d directory inside the image and its S* entries, sorted. */
static int list_rc(const char *root, int level, char **ret_dir, struct strv *entries)
{
        static const char *const fmts[] = { "/etc/rc%d.d", "/etc/rc.d/rc%d.d" };
        for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
                _cleanup_free_ char *dir = NULL, *full = NULL;
                if (asprintf(&dir, fmts[i], level) < 0 || asprintf(&full, "%s%s", root, dir) < 0)
                        return -ENOMEM;
                _cleanup_closedir_ DIR *d = opendir(full);
                if (!d)
                        continue;
                struct dirent *de;
                while ((de = readdir(d)))
                        if (de->d_name[0] == 'S' && de->d_name[1]) {
                                int r = strv_push_dup(entries, de->d_name);
                                if (r < 0)
                                        return r;
                        }
                if (entries->n > 1)
                        qsort(entries->v, entries->n, sizeof(char *), cmp_str);
                *ret_dir = TAKE_PTR(dir);
                return 0;
        }
        *ret_dir = NULL;
        return 0;
}

/* The script's name: the link target's file name, else the entry without S and its digits. */
static char *script_name(const char *root, const char *dir, const char *entry)
{
        char full[4096], target[4096];
        snprintf(full, sizeof(full), "%s%s/%s", root, dir, entry);
        ssize_t len = readlink(full, target, sizeof(target) - 1);
        if (len > 0) {
                target[len] = '\0';
                const char *slash = strrchr(target, '/');
                return strdup(slash ? slash + 1 : target);
        }
        const char *p = entry + 1;
        while (isdigit((unsigned char) *p))
                p++;
        return strdup(p);
}

static int make_cmd(struct exec_cmd *c, const char *path, const char *verb)
{
        memset(c, 0, sizeof(*c));
        c->path = strdup(path);
        if (!c->path)
                return -ENOMEM;
        int r = strv_push_dup(&c->argv, path);
        return r < 0 ? r : strv_push_dup(&c->argv, verb);
}

static int sysv_unit(const char *name, const char *script, const struct lsb_header *h, struct unit *u)
{
        int r = unit_init(u, name);
        if (r < 0)
                return r;
        u->source = SOURCE_SYSV;
        u->type = UNIT_ONESHOT;
        u->remain_after_exit = true;
        u->kill_mode = KILL_NONE;
        u->timeout_start_ms = SYSV_TIMEOUT_START_MS;
        u->path = strdup(script);
        if (!u->path || (h->description && !(u->description = strdup(h->description))))
                return -ENOMEM;
        r = make_cmd(&u->start, script, "start");
        struct exec_cmd stop;
        if (r >= 0)
                r = make_cmd(&stop, script, "stop");
        if (r >= 0)
                r = exec_list_push(&u->stop, &stop);
        /* Debian's init-functions hand a script over to systemctl when systemd seems to run */
        if (r >= 0)
                r = strv_env_put(&u->environment, "_SYSTEMCTL_SKIP_REDIRECT=1");
        return r;
}

/* Where the script is: /etc/init.d/NAME, /etc/rc.d/init.d/NAME, else the rc link itself. */
static char *script_path(const char *root, const char *dir, const char *entry, const char *name)
{
        static const char *const dirs[] = { "/etc/init.d", "/etc/rc.d/init.d" };
        char *p = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                if (asprintf(&p, "%s/%s", dirs[i], name) < 0)
                        return NULL;
                if (exists_in_root(root, p))
                        return p;
                free(p);
        }
        return asprintf(&p, "%s/%s", dir, entry) < 0 ? NULL : p;
}

/* Turn one rc entry into a unit (or a skipped one). */
static int add_script(const char *root, bool with_systemd, const char *dir, const char *entry, struct unit **units,
                      size_t *n, struct lsb_header *headers)
{
        _cleanup_free_ char *name = script_name(root, dir, entry);
        if (!name)
                return -ENOMEM;
        if (!*name || units_find(*units, *n, name) >= 0)
                return 0;
        if (with_systemd && unit_file_exists(root, name))
                return units_push_skipped(units, n, name, SOURCE_SYSV,
                                          "the systemd unit %s.service replaces /etc/init.d/%s, and it is not enabled",
                                          name, name);
        const char *reason = skip_reason_for(name);
        if (reason)
                return units_push_skipped(units, n, name, SOURCE_SYSV, "%s", reason);
        _cleanup_free_ char *script = script_path(root, dir, entry, name);
        if (!script)
                return -ENOMEM;
        char full[4096];
        snprintf(full, sizeof(full), "%s%s", root, script);
        if (access(full, X_OK) < 0)
                return units_push_skipped(units, n, name, SOURCE_SYSV, "%s is not executable", script);
        _cleanup_free_ char *text = read_in_root(root, script);
        int r = lsb_header_parse(text ? text : "", &headers[*n]);
        struct unit u = { 0 };
        if (r >= 0)
                r = sysv_unit(name, script, &headers[*n], &u);
        if (r < 0) {
                lsb_header_free(&headers[*n]);
                unit_free(&u);
                return r;
        }
        return units_push(units, n, &u);
}

/* After= from the LSB headers: the scripts that provide what a script needs. */
static int order_by_headers(struct unit *units, const struct lsb_header *headers, size_t first, size_t n)
{
        for (size_t i = first; i < n; i++) {
                const struct strv *needs[] = { &headers[i].required_start, &headers[i].should_start };
                for (size_t l = 0; l < ARRAY_SIZE(needs); l++)
                        for (size_t k = 0; k < needs[l]->n; k++) {
                                const char *want = needs[l]->v[k];
                                if (want[0] == '$')
                                        continue;
                                for (size_t j = first; j < n; j++) {
                                        if (j == i || units[j].skip_reason ||
                                            (strcmp(units[j].name, want) != 0 &&
                                             !strv_contains(&headers[j].provides, want)) ||
                                            strv_contains(&units[i].after, units[j].name))
                                                continue;
                                        int r = strv_push_dup(&units[i].after, units[j].name);
                                        if (r < 0)
                                                return r;
                                }
                        }
        }
        return 0;
}

int sysv_discover(const char *root, bool with_systemd, struct unit **units, size_t *n)
{
        _cleanup_free_ char *dir = NULL;
        _cleanup_strv_ struct strv entries = { 0 };
        int r = list_rc(root, sysv_runlevel(root), &dir, &entries);
        if (r < 0 || !dir || entries.n == 0)
                return r;
        /* headers[i] belongs to (*units)[i]: indexes below first stay empty */
        size_t first = *n;
        _cleanup_free_ struct lsb_header *headers = calloc(*n + entries.n, sizeof(*headers));
        if (!headers)
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < entries.n; i++)
                r = add_script(root, with_systemd, dir, entries.v[i], units, n, headers);
        if (r >= 0)
                r = order_by_headers(*units, headers, first, *n);
        for (size_t i = first; i < *n; i++)
                lsb_header_free(&headers[i]);
        return r;
}
