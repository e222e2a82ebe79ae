/* Which services pouch-init runs. */
#include "service-set.h"

#include "builtins.h"
#include "lib/cleanup.h"
#include "sysv.h"
#include "unit-discover.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int services_mask_parse(const char *s, unsigned *ret)
{
        static const struct {
                const char *name;
                unsigned mask;
        } names[] = {
                { "none", 0 },
                { "all", SERVICES_ALL },
                { "systemd", SERVICES_SYSTEMD },
                { "sysv", SERVICES_SYSV },
                { "pouch", SERVICES_POUCH },
        };
        unsigned mask = 0;
        if (!*s)
                return -EINVAL;
        for (const char *p = s;;) {
                size_t len = strcspn(p, ",");
                bool found = false;
                for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !found; i++)
                        if (strlen(names[i].name) == len && strncmp(names[i].name, p, len) == 0) {
                                mask |= names[i].mask;
                                found = true;
                        }
                if (!found)
                        return -EINVAL;
                if (!p[len])
                        break;
                p += len + 1;
        }
        *ret = mask;
        return 0;
}

static const char *source_name(enum unit_source s)
{
        switch (s) {
        case SOURCE_POUCH:
                return "services.d";
        case SOURCE_SYSTEMD:
                return "systemd unit";
        case SOURCE_SYSV:
                return "SysV script";
        default:
                return "built-in";
        }
}

/* Append src to dst, dropping the units whose name dst has already. */
static int merge(struct unit **dst, size_t *n, struct unit *src, size_t n_src)
{
        int r = 0;
        for (size_t i = 0; i < n_src; i++) {
                ssize_t w = units_find(*dst, *n, src[i].name);
                if (w < 0) {
                        if (r >= 0)
                                r = units_push(dst, n, &src[i]);
                        continue;
                }
                if (r >= 0 && !src[i].skip_reason && !(*dst)[w].skip_reason)
                        r = unit_warn(&(*dst)[w], "%s %s is also enabled as a %s (%s), which is not run",
                                      source_name((*dst)[w].source), src[i].name, source_name(src[i].source),
                                      src[i].path ? src[i].path : "?");
                unit_free(&src[i]);
        }
        free(src);
        return r;
}

int service_set_load(const struct service_set_opts *o, struct unit **ret, size_t *n)
{
        struct unit *all = NULL;
        size_t n_all = 0;
        int r = 0;
        if (o->mask & SERVICES_POUCH) {
                _cleanup_free_ char *dir = NULL;
                if (asprintf(&dir, "%s%s", o->root, o->services_dir) < 0)
                        return -ENOMEM;
                r = unit_load_dir(dir, &all, &n_all);
        }
        if (r >= 0 && (o->mask & SERVICES_SYSTEMD)) {
                struct unit *found = NULL;
                size_t nf = 0;
                r = discover_systemd(o->root, &found, &nf);
                int m = merge(&all, &n_all, found, nf);
                r = r < 0 ? r : m;
        }
        /* appended to the same list: a script whose name is taken already is left out */
        if (r >= 0 && (o->mask & SERVICES_SYSV))
                r = sysv_discover(o->root, o->mask & SERVICES_SYSTEMD, &all, &n_all);
        if (r >= 0)
                r = builtins_add(o->root, o->sshd, o->cron, &all, &n_all);
        if (r >= 0)
                r = builtins_adopt(o->root, all, n_all);
        if (r < 0) {
                units_free(all, n_all);
                return r;
        }
        *ret = all;
        *n = n_all;
        return 0;
}
