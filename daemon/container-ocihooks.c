/* oci-hooks(5) directories at container start, and the record of the hooks a container runs. */
#include "container-lxcfs.h"

#include "hooks/ocihooks.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <string.h>

/* Lower precedence first: a file in a later directory replaces the one of the same name. */
static char *const default_dirs[] = { "/usr/share/containers/oci/hooks.d", "/etc/pouch/hooks.d", NULL };

/* Bind mounts the user asked for (podman's notion: volumes from the host, not the engine's own). */
static bool has_bind_mounts(const json_t *doc, const json_t *hc)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(doc, "Mounts"), i, m)
                if (strcmp(json_get_str(m, "Type", ""), "bind") == 0)
                        return true;
        json_array_foreach(json_object_get(hc, "Binds"), i, m)
                if (json_string_value(m) && json_string_value(m)[0] == '/')
                        return true;
        return false;
}

/* The HostConfig.Hooks entries, in the record's shape. */
static void record_per_container(const json_t *hc, json_t *applied)
{
        const char *stage;
        json_t *list;
        json_object_foreach(json_object_get(hc, "Hooks"), stage, list) {
                size_t i;
                json_t *h;
                json_array_foreach(list, i, h) {
                        json_t *args = json_object_get(h, "args");
                        json_array_append_new(applied, json_pack("{s:s,s:s,s:o,s:s}", "Stage", stage, "Path",
                                                                 json_get_str(h, "path", ""), "Args",
                                                                 args ? json_deep_copy(args) : json_array(), "Source",
                                                                 "HostConfig.Hooks"));
                }
        }
}

int container_ocihooks_apply(struct pouchd *d, struct container *c, const json_t *hc, json_t *spec,
                             struct pouch_err *err)
{
        struct oci_hook_set set = { 0 };
        int r = oci_hooks_load(d->cfg.hooks_dirs ? d->cfg.hooks_dirs : default_dirs, &set, NULL);
        if (r < 0)
                return err_set(err, r, "cannot read the hook directories: %s", strerror(-r));
        pthread_mutex_lock(&d->lock);
        bool binds = has_bind_mounts(c->doc, hc);
        pthread_mutex_unlock(&d->lock);
        json_t *applied = NULL;
        r = oci_hooks_inject(&set, spec, binds, &applied);
        oci_hook_set_done(&set);
        if (r < 0)
                return err_set(err, r, "cannot add the hooks: %s", strerror(-r));
        record_per_container(hc, applied);
        for (size_t i = 0; i < json_array_size(applied); i++)
                log_debug("start %.12s: %s hook %s from %s", c->id,
                          json_get_str(json_array_get(applied, i), "Stage", ""),
                          json_get_str(json_array_get(applied, i), "Path", ""),
                          json_get_str(json_array_get(applied, i), "Source", ""));
        pthread_mutex_lock(&d->lock);
        json_object_set_new(c->doc, "AppliedHooks", applied);
        pthread_mutex_unlock(&d->lock);
        return 0;
}
