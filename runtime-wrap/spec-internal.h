/* Helpers shared by the spec_* files of runtime-wrap; not for use outside this folder. */
#pragma once

#include "lib/err.h"
#include "runtime-wrap/spec.h"

#include <jansson.h>
#include <stdbool.h>

/* caps.c: "net_admin", "CAP_NET_ADMIN", "Net_Admin" -> "CAP_NET_ADMIN" (ret "ALL" for all);
 * -EINVAL for names the kernel/libcap does not know. */
int caps_normalize(const char *name, char **ret);
/* Final capability list (JSON array of "CAP_*") for a HostConfig: defaults, CapAdd, CapDrop, ALL,
 * Privileged. Capabilities outside the daemon's own bounding set are dropped with a warning since
 * no runtime could grant them. */
int caps_for_host_config(const json_t *host_config, json_t **ret, struct pouch_err *err);
/* {"bounding":[..],"effective":[..],"permitted":[..]} from a list (the list is copied). */
json_t *caps_object(const json_t *list);
bool caps_list_contains(const json_t *list, const char *cap);

/* rlimits.c */
int rlimits_for_host_config(const json_t *host_config, const struct rlimit *nofile_default, json_t **ret,
                            struct pouch_err *err);
/* Sets *ret_set=false when HostConfig has no OomScoreAdj; else the value, never below our own. */
int oom_score_adj_for_host_config(const json_t *host_config, bool *ret_set, int *ret_value, struct pouch_err *err);

/* spec-security.c: SecurityOpt handling. */
struct security_opts {
        bool no_new_privileges;
        bool seccomp_unconfined;
        bool systempaths_unconfined; /* no masked/readonly /proc and /sys paths */
        json_t *seccomp_profile;     /* docker-format profile given by the user, or NULL = default */
};
int security_opts_parse(const json_t *host_config, struct security_opts *ret, struct pouch_err *err);
void security_opts_done(struct security_opts *o);
/* linux.seccomp for the container, or NULL (*ret) when unconfined/privileged. */
int security_seccomp(const struct security_opts *o, bool privileged, const json_t *caps, json_t **ret,
                     struct pouch_err *err);

/* spec-mounts.c */
int mounts_build(const struct spec_input *in, json_t **ret, struct pouch_err *err);

/* spec-process.c */
int process_build(const struct spec_input *in, const json_t *caps, bool no_new_privileges, json_t **ret,
                  struct pouch_err *err);
/* Docker's ReplaceOrAppendEnvValues: override entries replace same-key entries, "KEY" alone
 * removes KEY. base is modified. */
int env_replace_or_append(json_t *base, const json_t *override);

/* user.c: OCI "user" object for a Docker User string. */
int user_object(const char *rootfs, const char *user, json_t **ret, struct pouch_err *err);

/* strings */
bool str_has_prefix_ci(const char *s, const char *prefix);

/* spec-devices.c */
int spec_devices(const json_t *host_config, json_t *linux_obj, json_t *device_rules, struct pouch_err *err);
int spec_blkio_throttles(const json_t *host_config, json_t *resources, struct pouch_err *err);
int spec_sysctls(const json_t *host_config, json_t *linux_obj, struct pouch_err *err);
