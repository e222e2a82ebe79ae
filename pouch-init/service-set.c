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

/* Append the services.d units to the image's: a services.d unit replaces an image unit of the
 * same name (which leaves the list, named in a warning). */
static int merge_pouch(struct unit **all, size_t *n, struct unit *pouch, size_t n_pouch)
{
        int r = 0;
        for (size_t i = 0; i < n_pouch; i++) {
                ssize_t w = units_find(*all, *n, pouch[i].name);
                if (r >= 0 && w >= 0) {
                        struct unit *img = &(*all)[w];
                        if (!img->skip_reason)
                                r = unit_warn(&pouch[i], "it replaces the %s %s (%s)", source_name(img->source),
                                              img->name, img->path ? img->path : "?");
                        unit_free(img);
                        memmove(img, img + 1, (*n - (size_t) w - 1) * sizeof(*img));
                        (*n)--;
                }
                if (r >= 0)
                        r = units_push(all, n, &pouch[i]);
                else
                        unit_free(&pouch[i]);
        }
        free(pouch);
        return r;
}

int service_set_load(const struct service_set_opts *o, struct unit **ret, size_t *n)
{
        struct unit *all = NULL, *pouch = NULL;
        size_t n_all = 0, n_pouch = 0;
        int r = 0;
        if (o->mask & SERVICES_SYSTEMD)
                r = discover_systemd(o->root, &all, &n_all);
        /* appended to the same list: a script whose name a unit has is left out */
        if (r >= 0 && (o->mask & SERVICES_SYSV))
                r = sysv_discover(o->root, o->mask & SERVICES_SYSTEMD, &all, &n_all);
        if (r >= 0 && (o->mask & SERVICES_POUCH)) {
                _cleanup_free_ char *dir = NULL;
                if (asprintf(&dir, "%s%s", o->root, o->services_dir) < 0)
                        r = -ENOMEM;
                if (r >= 0)
                        r = unit_load_dir(dir, &pouch, &n_pouch);
                if (r >= 0)
                        r = merge_pouch(&all, &n_all, pouch, n_pouch);
        }
        if (r >= 0)
                r = builtins_add(o->root, o->sshd, o->cron, &all, &n_all);
        if (r >= 0)
                r = builtins_adopt(o->root, &all, &n_all);
        if (r >= 0 && n_all > SERVICES_MAX) {
                fprintf(stderr, "pouch-init: %zu units found; only the first %d are kept\n", n_all, SERVICES_MAX);
                for (size_t i = SERVICES_MAX; i < n_all; i++)
                        unit_free(&all[i]);
                n_all = SERVICES_MAX;
        }
        if (r < 0) {
                units_free(all, n_all);
                return r;
        }
        *ret = all;
        *n = n_all;
        return 0;
}
