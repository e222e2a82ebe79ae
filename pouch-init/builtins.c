/* The built-in services sshd and cron, when the image has them. */
#include "builtins.h"

#include "lib/cleanup.h"
#include "unit-order.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool exists_in(const char *root, const char *path)
{
        char full[4096];
        if ((size_t) snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full))
                return false;
        struct stat st;
        return stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0;
}

static bool has_host_keys(const char *root)
{
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/etc/ssh", root);
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return false;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                if (strncmp(de->d_name, "ssh_host_", 9) == 0 && len > 13 && strcmp(de->d_name + len - 4, "_key") == 0)
                        return true;
        }
        return false;
}

static int set_cmd(struct exec_cmd *c, const char *path, const char *const *args)
{
        c->path = strdup(path);
        if (!c->path)
                return -ENOMEM;
        int r = strv_push_dup(&c->argv, path);
        for (; r >= 0 && *args; args++)
                r = strv_push_dup(&c->argv, *args);
        return r;
}

static int make_unit(struct unit *u, const char *name, const char *path, const char *const *args)
{
        int r = unit_init(u, name);
        if (r < 0)
                return r;
        u->source = SOURCE_BUILTIN;
        u->restart = RESTART_ALWAYS;
        return set_cmd(&u->start, path, args);
}

/* Put `ssh-keygen -A` (failure ignored) in front of u's ExecStartPre= when the image has no host
 * keys and has ssh-keygen. */
static int add_keygen(const char *root, struct unit *u)
{
        if (has_host_keys(root))
                return 0;
        static const char *const keygens[] = { "/usr/bin/ssh-keygen", "/usr/local/bin/ssh-keygen", "/bin/ssh-keygen",
                                               "/usr/sbin/ssh-keygen" };
        for (size_t i = 0; i < ARRAY_SIZE(keygens); i++) {
                if (!exists_in(root, keygens[i]))
                        continue;
                struct exec_cmd *pre = realloc(u->pre, (u->n_pre + 1) * sizeof(*pre));
                if (!pre)
                        return -ENOMEM;
                u->pre = pre;
                memmove(pre + 1, pre, u->n_pre * sizeof(*pre));
                memset(&pre[0], 0, sizeof(pre[0]));
                u->n_pre++;
                pre[0].ignore_failure = true;
                static const char *const kargs[] = { "-A", NULL };
                return set_cmd(&pre[0], keygens[i], kargs);
        }
        return 0;
}

int builtins_adopt(const char *root, struct unit *units, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                struct unit *u = &units[i];
                if (u->source == SOURCE_BUILTIN || u->skip_reason || u->error ||
                    (strcmp(u->name, "ssh") != 0 && strcmp(u->name, "sshd") != 0))
                        continue;
                int r = add_keygen(root, u);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int sshd_unit(const char *root, struct unit *u)
{
        static const char *const args[] = { "-D", "-e", NULL };
        int r = make_unit(u, "sshd", SSHD_PATH, args);
        if (r < 0)
                return r;
        char run[4096];
        snprintf(run, sizeof(run), "%s/run", root);
        mkdir(run, 0755);
        snprintf(run, sizeof(run), "%s/run/sshd", root);
        if (mkdir(run, 0755) < 0 && errno != EEXIST)
                fprintf(stderr, "pouch-init: warning: cannot create /run/sshd: %s\n", strerror(errno));
        return add_keygen(root, u);
}

static int cron_unit(const char *root, struct unit *u, bool *found)
{
        static const char *const paths[] = { "/usr/sbin/cron", "/usr/sbin/crond", "/sbin/crond", "/usr/bin/crond" };
        static const char *const args[] = { "-f", NULL };
        *found = false;
        for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
                if (!exists_in(root, paths[i]))
                        continue;
                *found = true;
                return make_unit(u, "cron", paths[i], args);
        }
        return 0;
}

/* Whether a services.d unit takes the built-in's place. */
static bool replaced(const struct unit *units, size_t n, const char *name)
{
        _cleanup_free_ struct order_item *items = calloc(n ? n : 1, sizeof(*items));
        if (!items)
                return false;
        for (size_t i = 0; i < n; i++)
                items[i].name = units[i].name;
        return order_lookup(items, n, name) >= 0 || (strcmp(name, "sshd") == 0 && order_lookup(items, n, "ssh") >= 0) ||
               (strcmp(name, "cron") == 0 && order_lookup(items, n, "crond") >= 0);
}

int builtins_add(const char *root, bool sshd, bool cron, struct unit **units, size_t *n)
{
        struct unit found[2];
        size_t nf = 0;
        int r = 0;
        if (sshd && exists_in(root, SSHD_PATH) && !replaced(*units, *n, "sshd")) {
                r = sshd_unit(root, &found[nf]);
                nf++;
        }
        if (r >= 0 && cron && !replaced(*units, *n, "cron")) {
                bool have = false;
                r = cron_unit(root, &found[nf], &have);
                if (have)
                        nf++;
        }
        if (r < 0 || nf == 0) {
                for (size_t i = 0; i < nf; i++)
                        unit_free(&found[i]);
                return r;
        }
        struct unit *all = realloc(*units, (*n + nf) * sizeof(*all));
        if (!all) {
                for (size_t i = 0; i < nf; i++)
                        unit_free(&found[i]);
                return -ENOMEM;
        }
        memmove(all + nf, all, *n * sizeof(*all));
        memcpy(all, found, nf * sizeof(*all));
        *units = all;
        *n += nf;
        return 0;
}
