/* A seccomp agent's share of a container's profile: one syscall moved from "allow" to "notify". */
#include "seccomp-notify.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>

bool seccomp_notify_supported(void)
{
        return seccomp_api_get() >= 6;
}

/* Index of name in the rule's names, or -1. */
static ssize_t name_index(const json_t *rule, const char *name)
{
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(rule, "names"), i, v)
                if (json_is_string(v) && STREQ(json_string_value(v), name))
                        return (ssize_t) i;
        return -1;
}

int seccomp_notify_syscall(json_t *seccomp, const char *name, const char *listener_path)
{
        json_t *rules = json_object_get(seccomp, "syscalls");
        if (!json_is_array(rules) || !listener_path)
                return -EINVAL;
        bool allowed = false;
        size_t i;
        json_t *rule;
        /* every rule naming it must be a plain allow, else moving it would change the policy */
        json_array_foreach(rules, i, rule) {
                if (name_index(rule, name) < 0)
                        continue;
                if (!STREQ(json_get_str(rule, "action", ""), "SCMP_ACT_ALLOW") ||
                    json_array_size(json_object_get(rule, "args")) > 0)
                        return -EINVAL;
                allowed = true;
        }
        if (!allowed)
                return -EINVAL;
        for (i = json_array_size(rules); i-- > 0;) {
                rule = json_array_get(rules, i);
                json_t *names = json_object_get(rule, "names");
                ssize_t k = name_index(rule, name);
                if (k >= 0)
                        json_array_remove(names, (size_t) k);
                /* a rule left without names is dropped: not every runtime takes an empty list */
                if (k >= 0 && json_array_size(names) == 0)
                        json_array_remove(rules, i);
        }
        json_t *notify = json_pack("{s:[s],s:s}", "names", name, "action", "SCMP_ACT_NOTIFY");
        if (!notify || json_array_append_new(rules, notify) < 0 ||
            json_object_set_new(seccomp, "listenerPath", json_string(listener_path)) < 0)
                return -ENOMEM;
        return 0;
}
