/* Running CNI plugins (spec 1.0.0, execution protocol): one plugin with the CNI_* environment and
 * its configuration on stdin, and whole configuration lists (ADD in order, feeding each plugin the
 * previous result; DEL in reverse order with the ADD result as prevResult). */
#pragma once

#include "lib/err.h"

#include <jansson.h>

struct cni_rt {
        const char *plugin_dir;   /* where the plugin binaries are (also CNI_PATH) */
        const char *container_id; /* CNI_CONTAINERID */
        const char *netns;        /* CNI_NETNS: path of the netns file, "" when gone (DEL) */
        const char *ifname;       /* CNI_IFNAME */
        const char *args;         /* CNI_ARGS ("IgnoreUnknown=1;IP=...") or NULL */
};

/* Run one plugin (conf's "type") with CNI_COMMAND cmd ("ADD", "DEL", "CHECK", "VERSION").
 * *ret_result (may be NULL) gets the parsed stdout of a successful ADD. A plugin error
 * ({"code","msg","details"} on stdout, non-zero exit) is -EIO with its message in err. */
int cni_exec(const struct cni_rt *rt, const char *cmd, json_t *conf, json_t **ret_result, struct pouch_err *err);

/* ADD every plugin of the list in order. On success *ret_result is the final result. On failure
 * *ret_result is the last successful result (or NULL): the caller runs cni_list_del to undo. */
int cni_list_add(const struct cni_rt *rt, json_t *conflist, json_t *runtime_config, json_t **ret_result,
                 struct pouch_err *err);

/* DEL every plugin of the list in reverse order with prev_result (may be NULL). Every plugin is
 * called even when one fails (DEL is idempotent, so a later retry is safe); the first error is
 * returned. */
int cni_list_del(const struct cni_rt *rt, json_t *conflist, json_t *runtime_config, json_t *prev_result,
                 struct pouch_err *err);
