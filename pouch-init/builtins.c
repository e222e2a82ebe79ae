/* The built-in services sshd and cron, when the image has them. */
#include "builtins.h"

#include "lib/cleanup.h"
#include "ssh-keys.h"
#include "unit-order.h"

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

static const char *find_keygen(const char *root)
{
        static const char *const keygens[] = { "/usr/bin/ssh-keygen", "/usr/local/bin/ssh-keygen", "/bin/ssh-keygen",
                                               "/usr/sbin/ssh-keygen" };
        for (size_t i = 0; i < ARRAY_SIZE(keygens); i++)
                if (exists_in(root, keygens[i]))
                        return keygens[i];
        return NULL;
}

/* The unit u runs sshd: when host keys are missing, make the ed25519 one in front of its
 * ExecStartPre= and fill *keys with the ssh-host-keys service for the others (ssh-keys.h). */
static int add_host_keys(const char *root, struct unit *u, struct unit *keys, bool *have_keys)
{
        *have_keys = false;
        const char *keygen = find_keygen(root);
        if (!keygen)
                return 0;
        struct ssh_key_state st;
        ssh_keys_state(root, &st);
        int r = ssh_keys_add_pre(u, keygen, &st);
        if (r < 0)
                return r;
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        self[n > 0 ? n : 0] = '\0';
        return ssh_keys_unit(keygen, n > 0 ? self : "/run/pouch-init/pouch-init", u->name, &st, keys, have_keys);
}

/* Append one unit to *units. On failure *u is freed. */
static int append_unit(struct unit **units, size_t *n, struct unit *u)
{
        struct unit *all = realloc(*units, (*n + 1) * sizeof(*all));
        if (!all) {
                unit_free(u);
                return -ENOMEM;
        }
        all[(*n)++] = *u;
        *units = all;
        return 0;
}

int builtins_adopt(const char *root, struct unit **units, size_t *n)
{
        size_t count = *n;
        for (size_t i = 0; i < count; i++) {
                struct unit *u = &(*units)[i];
                if (u->source == SOURCE_BUILTIN || u->skip_reason || u->error ||
                    (strcmp(u->name, "ssh") != 0 && strcmp(u->name, "sshd") != 0))
                        continue;
                struct unit keys;
                bool have_keys = false;
                int r = add_host_keys(root, u, &keys, &have_keys);
                if (r < 0) {
                        if (have_keys)
                                unit_free(&keys);
                        return r;
                }
                if (have_keys) {
                        r = append_unit(units, n, &keys);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int sshd_unit(const char *root, struct unit *u, struct unit *keys, bool *have_keys)
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
        return add_host_keys(root, u, keys, have_keys);
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
        struct unit found[3];
        size_t nf = 0;
        int r = 0;
        if (sshd && exists_in(root, SSHD_PATH) && !replaced(*units, *n, "sshd")) {
                bool keys = false;
                r = sshd_unit(root, &found[nf], &found[nf + 1], &keys);
                nf += keys ? 2 : 1;
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
