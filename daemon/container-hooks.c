/* OCI hooks of a container: the per-container ones from HostConfig.Hooks (--hook), checked and
 * appended to the spec's hooks by stage. */
#include "lifecycle.h"

#include "lib/jsonutil.h"

#include <string.h>

static const char *const stages[] = { "prestart",       "createRuntime", "createContainer",
                                      "startContainer", "poststart",     "poststop" };

int container_hooks_apply(const json_t *hc, json_t *spec, struct pouch_err *err)
{
        json_t *given = json_object_get(hc, "Hooks");
        if (!given || json_is_null(given))
                return 0;
        if (!json_is_object(given))
                return err_set(err, -EINVAL, "HostConfig.Hooks must be an object of stages");
        json_t *hooks = json_object_get(spec, "hooks");
        if (!hooks) {
                hooks = json_object();
                json_object_set_new(spec, "hooks", hooks);
        }
        const char *stage;
        json_t *list;
        json_object_foreach(given, stage, list) {
                bool known = false;
                for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
                        known |= !strcmp(stage, stages[i]);
                if (!known)
                        return err_set(err, -EINVAL,
                                       "unknown hook stage '%s' (prestart, createRuntime, createContainer, "
                                       "startContainer, poststart, poststop)",
                                       stage);
                json_t *out = json_object_get(hooks, stage);
                if (!out) {
                        out = json_array();
                        json_object_set_new(hooks, stage, out);
                }
                size_t i;
                json_t *h;
                json_array_foreach(list, i, h) {
                        const char *path = json_get_str(h, "path", "");
                        if (path[0] != '/')
                                return err_set(err, -EINVAL, "hook path must be absolute: '%s'", path);
                        json_t *timeout = json_object_get(h, "timeout");
                        if (timeout && (!json_is_integer(timeout) || json_integer_value(timeout) <= 0))
                                return err_set(err, -EINVAL, "hook %s: timeout must be a positive integer", path);
                        json_array_append(out, h);
                }
        }
        return 0;
}
