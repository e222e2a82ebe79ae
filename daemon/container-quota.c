/* Disk quotas of containers and volumes: see container-quota.h and docs/quota.md. */
#include "container-quota.h"

#include "lifecycle.h"
#include "volume/volume.h"

#include "quota/quota.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VOLUME_KEY_MAX_NAME 196 /* quota keys are at most 200 characters: "vol-" + name */

/* ---- the manager ------------------------------------------------------------------------------ */

int pouchd_quota_open(struct pouchd *d, struct pouch_err *err)
{
        _cleanup_free_ char *state = NULL;
        if (asprintf(&state, "%s/quota", d->home) < 0)
                return -ENOMEM;
        int r = quota_manager_open(state, d->home, d->cfg.quota_backend, &d->quota, err);
        if (r < 0)
                return r;
        const char *note = quota_manager_detect_note(d->quota);
        log_info("disk quota backend: %s%s%s%s", quota_backend_to_string(quota_manager_backend(d->quota)),
                 *note ? " (" : "", note, *note ? ")" : "");
        return 0;
}

const char *pouchd_quota_backend_name(struct pouchd *d)
{
        return d->quota ? quota_backend_to_string(quota_manager_backend(d->quota)) : "none";
}

static enum quota_backend backend_of(struct pouchd *d)
{
        return d->quota ? quota_manager_backend(d->quota) : QUOTA_BACKEND_NONE;
}

static char *rootfs_key(const char *id)
{
        char *k = NULL;
        return asprintf(&k, "%s-rootfs", id) < 0 ? NULL : k;
}

static char *volume_key(const char *name)
{
        char *k = NULL;
        if (strlen(name) > VOLUME_KEY_MAX_NAME)
                return NULL;
        return asprintf(&k, "vol-%s", name) < 0 ? NULL : k;
}

void pouchd_quota_restore(struct pouchd *d)
{
        if (!d->quota || backend_of(d) == QUOTA_BACKEND_NONE)
                return;
        _cleanup_strv_free_ char **ids = strv_new();
        pthread_mutex_lock(&d->lock);
        for (struct container *c = d->containers; c; c = c->next)
                strv_push(&ids, c->id);
        pthread_mutex_unlock(&d->lock);
        for (char **id = ids; id && *id; id++) {
                struct pouch_err err = { 0 };
                if (container_quota_attach(d, *id, &err) < 0)
                        log_warn("container %.12s: %s", *id, err.msg);
        }
        _cleanup_json_ json_t *vols = d->volumes ? volume_list(d->volumes) : NULL;
        size_t i;
        json_t *v;
        json_array_foreach(vols, i, v) {
                _cleanup_free_ char *key = volume_key(json_get_str(v, "Name", ""));
                struct pouch_err err = { 0 };
                if (key && quota_dir_attach(d->quota, key, json_get_str(v, "Mountpoint", ""), &err) < 0)
                        log_warn("volume %s: %s", json_get_str(v, "Name", ""), err.msg);
        }
}

/* ---- rules ---------------------------------------------------------------------------------- */

/* HostConfig.DiskQuota: an object {"PATH": "SIZE"} ("" or ".*" for a bare size), a string rule,
 * or an array of string rules. *ret = NULL when there is none. */
static int rules_of(const json_t *dq, json_t **ret, struct pouch_err *err)
{
        *ret = NULL;
        if (!dq || json_is_null(dq))
                return 0;
        if (json_is_object(dq)) {
                if (json_object_size(dq) == 0)
                        return 0;
                return quota_rules_from_map(dq, ret, err);
        }
        if (json_is_string(dq)) {
                if (!*json_string_value(dq))
                        return 0;
                char *specs[2] = { (char *) json_string_value(dq), NULL };
                return quota_rules_parse(specs, ret, err);
        }
        if (json_is_array(dq)) {
                if (json_array_size(dq) == 0)
                        return 0;
                _cleanup_free_ char **specs = calloc(json_array_size(dq) + 1, sizeof(char *));
                if (!specs)
                        return -ENOMEM;
                size_t i;
                json_t *v;
                json_array_foreach(dq, i, v) {
                        if (!json_is_string(v))
                                return quota_rules_parse((char *[]){ "", NULL }, ret, err);
                        specs[i] = (char *) json_string_value(v);
                }
                return quota_rules_parse(specs, ret, err);
        }
        /* a number or a boolean: let the parser say what it accepts */
        return quota_rules_parse((char *[]){ "", NULL }, ret, err);
}

static bool rules_empty(const json_t *rules)
{
        return json_array_size(json_object_get(rules, "rules")) == 0;
}

/* QuotaID: "" / "0" (none given), "-1" (allocate), "N" (fixed); also accepted as an integer. */
static int quota_id_of(const json_t *hc, int64_t *ret, struct pouch_err *err)
{
        const json_t *v = json_object_get(hc, "QuotaID");
        *ret = 0;
        if (!v || json_is_null(v))
                return 0;
        if (json_is_integer(v))
                *ret = json_integer_value(v);
        else if (json_is_string(v)) {
                const char *s = json_string_value(v);
                if (!*s)
                        return 0;
                char *end = NULL;
                errno = 0;
                long long n = strtoll(s, &end, 10);
                if (errno || *end)
                        return err_set(err, -EINVAL,
                                       "invalid QuotaID \"%s\": expected -1 (allocate), 0 (none) or a "
                                       "project id from 1 to %lld",
                                       s, QUOTA_PROJECT_ID_MAX);
                *ret = n;
        } else
                return err_set(err, -EINVAL, "invalid QuotaID: a string was expected");
        if (*ret < -1 || *ret > QUOTA_PROJECT_ID_MAX)
                return err_set(err, -EINVAL,
                               "invalid QuotaID %lld: expected -1 (allocate), 0 (none) or a project id "
                               "from 1 to %lld",
                               (long long) *ret, QUOTA_PROJECT_ID_MAX);
        return 0;
}

/* Whether this host's backend can serve the rules. */
static int backend_can(struct pouchd *d, const json_t *rules, struct pouch_err *err)
{
        enum quota_backend b = backend_of(d);
        if (b == QUOTA_BACKEND_NONE)
                return err_set(err, -EINVAL, "disk quotas are not available on this host (quota backend none%s%s)",
                               d->quota && *quota_manager_detect_note(d->quota) ? ": " : "",
                               d->quota ? quota_manager_detect_note(d->quota) : "");
        size_t i;
        json_t *rule;
        json_array_foreach(json_object_get(rules, "rules"), i, rule) {
                if (b == QUOTA_BACKEND_LOOP && quota_rules_is_shared(rules, (int) i))
                        return err_set(err, -EINVAL,
                                       "shared disk quotas (/&/PATH=SIZE) need the prjquota backend; "
                                       "this host uses the loop backend: give each path its own size");
                if (b == QUOTA_BACKEND_LOOP && json_get_int(rule, "size", 0) < QUOTA_LOOP_MIN_BYTES)
                        return err_set(err, -EINVAL,
                                       "disk quota %lld bytes is too small: the loop quota backend "
                                       "needs at least 1m",
                                       (long long) json_get_int(rule, "size", 0));
        }
        return 0;
}

int container_quota_check(struct pouchd *d, const json_t *hc, struct pouch_err *err)
{
        int64_t qid;
        int r = quota_id_of(hc, &qid, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *rules = NULL;
        r = rules_of(json_object_get(hc, "DiskQuota"), &rules, err);
        if (r < 0 || !rules || rules_empty(rules))
                return r;
        return backend_can(d, rules, err);
}

/* ---- create and remove ------------------------------------------------------------------------ */

/* One record entry; the project id only where the backend has one (prjquota). */
static json_t *entry_new(struct pouchd *d, const char *dst, const char *key, const char *dir, int64_t limit,
                         int64_t project_id, const char *volume)
{
        if (backend_of(d) != QUOTA_BACKEND_PRJQUOTA)
                project_id = 0;
        json_t *e = json_pack("{s:s,s:s,s:s,s:I}", "Destination", dst, "Key", key, "Dir", dir, "Limit",
                              (json_int_t) limit);
        if (e && project_id > 0)
                json_object_set_new(e, "ProjectID", json_integer(project_id));
        if (e && volume)
                json_object_set_new(e, "Volume", json_string(volume));
        return e;
}

/* The empty directory path becomes a symlink to target (relative to its own directory). */
static int replace_with_link(const char *path, const char *target)
{
        if (rmdir(path) < 0 && errno != ENOENT)
                return -errno;
        return symlink(target, path) < 0 ? -errno : 0;
}

/* The writable layer moves into <dir>/rw (the quota directory): diff and work become symlinks. */
static int setup_rootfs(struct pouchd *d, const char *id, int64_t bytes, int64_t *inout_pid, json_t *doc,
                        json_t *entries, struct pouch_err *err)
{
        _cleanup_free_ char *key = rootfs_key(id);
        _cleanup_free_ char *rw = container_dir(d, id, "rw");
        _cleanup_free_ char *diff = container_dir(d, id, "diff");
        _cleanup_free_ char *work = container_dir(d, id, "work");
        _cleanup_free_ char *rdiff = container_dir(d, id, "rw/diff");
        _cleanup_free_ char *rwork = container_dir(d, id, "rw/work");
        if (!key || !rw || !diff || !work || !rdiff || !rwork)
                return err_set(err, -ENOMEM, "out of memory");
        int r = mkdir_p(rw, 0755);
        if (r < 0)
                return err_set(err, r, "cannot create %s: %s", rw, strerror(-r));
        r = quota_dir_set(d->quota, key, rw, bytes, inout_pid, err);
        if (r < 0) {
                err_wrap(err, "cannot set the disk quota of the container's root filesystem");
                return r;
        }
        if ((r = mkdir_p(rdiff, 0755)) >= 0 && (r = mkdir_p(rwork, 0700)) >= 0 &&
            (r = replace_with_link(diff, "rw/diff")) >= 0)
                r = replace_with_link(work, "rw/work");
        if (r < 0) {
                quota_dir_release(d->quota, key, rw);
                return err_set(err, r, "cannot prepare the container's writable layer in %s: %s", rw, strerror(-r));
        }
        json_t *data = json_object_get(json_object_get(doc, "GraphDriver"), "Data");
        if (data) {
                json_object_set_new(data, "UpperDir", json_string(rdiff));
                json_object_set_new(data, "WorkDir", json_string(rwork));
        }
        json_array_append_new(entries, entry_new(d, "/", key, rw, bytes, *inout_pid, NULL));
        return 0;
}

/* A volume's own quota, set when it has none yet; one it already has is kept as it is. */
static int setup_volume(struct pouchd *d, const json_t *m, int64_t bytes, int64_t *inout_pid, json_t *entries,
                        struct pouch_err *err)
{
        const char *name = json_get_str(m, "Name", ""), *dir = json_get_str(m, "Source", "");
        const char *dst = json_get_str(m, "Destination", "");
        _cleanup_free_ char *key = volume_key(name);
        if (!key)
                return err_set(err, -EINVAL,
                               "disk quota for %s: the volume name is too long for a quota (at most %d "
                               "characters)",
                               dst, VOLUME_KEY_MAX_NAME);
        int64_t used, limit;
        if (quota_dir_usage(d->quota, key, dir, &used, &limit) == 0) {
                if (limit != bytes)
                        log_info("volume %s keeps its own disk quota of %lld bytes (the rule for %s asks %lld)", name,
                                 (long long) limit, dst, (long long) bytes);
                int64_t pid = 0;
                quota_manager_project_id(d->quota, key, &pid);
                json_array_append_new(entries, entry_new(d, dst, key, dir, limit, pid, name));
                return 0;
        }
        int r = quota_dir_set(d->quota, key, dir, bytes, inout_pid, err);
        if (r < 0) {
                if (r == -ENOTEMPTY)
                        err->code = -EINVAL;
                err_wrap(err, "cannot set the disk quota of volume %s at %s", name, dst);
                return err->code;
        }
        json_t *e = entry_new(d, dst, key, dir, bytes, *inout_pid, name);
        json_object_set_new(e, "Created", json_true()); /* this container gave the volume its quota */
        json_array_append_new(entries, e);
        return 0;
}

/* Undo a failed setup: the rootfs quota, and the volume quotas this setup created. */
static void setup_undo(struct pouchd *d, const json_t *entries)
{
        size_t i;
        json_t *e;
        json_array_foreach(entries, i, e)
                if (!json_get_str(e, "Volume", NULL) || json_get_bool(e, "Created", false))
                        quota_dir_release(d->quota, json_get_str(e, "Key", ""), json_get_str(e, "Dir", ""));
}

static bool rule_is_plain(const json_t *rules, int idx)
{
        const json_t *rule = json_array_get(json_object_get(rules, "rules"), (size_t) idx);
        return rule && !json_is_true(json_object_get(rule, "regex"));
}

/* The mounts: volumes get quotas, a plain rule naming a host bind is refused. */
static int setup_mounts(struct pouchd *d, const json_t *rules, const json_t *mounts, int64_t *shared_pids,
                        json_t *entries, struct pouch_err *err)
{
        size_t i;
        json_t *m;
        json_array_foreach(mounts, i, m) {
                const char *dst = json_get_str(m, "Destination", "");
                int idx = -1;
                int64_t bytes = quota_rules_size_for(rules, dst, &idx);
                if (bytes <= 0)
                        continue;
                const char *type = json_get_str(m, "Type", "");
                if (STREQ(type, "volume")) {
                        bool shared = quota_rules_is_shared(rules, idx);
                        int64_t pid = shared ? shared_pids[idx] : 0;
                        int r = setup_volume(d, m, bytes, &pid, entries, err);
                        if (r < 0)
                                return r;
                        if (shared)
                                shared_pids[idx] = pid;
                } else if (rule_is_plain(rules, idx))
                        return err_set(err, -EINVAL,
                                       "disk quota for %s: host bind mounts get no quota (the directory "
                                       "belongs to the host); use a named or anonymous volume",
                                       dst);
        }
        return 0;
}

int container_quota_setup(struct pouchd *d, const char *id, const json_t *hc, const json_t *mounts, json_t *doc,
                          json_t *warnings, struct pouch_err *err)
{
        _cleanup_json_ json_t *rules = NULL;
        int64_t qid;
        int r = quota_id_of(hc, &qid, err);
        if (r < 0)
                return r;
        r = rules_of(json_object_get(hc, "DiskQuota"), &rules, err);
        if (r < 0 || !rules || rules_empty(rules))
                return r;
        if ((r = backend_can(d, rules, err)) < 0)
                return r;
        size_t nrules = json_array_size(json_object_get(rules, "rules"));
        _cleanup_free_ int64_t *shared_pids = calloc(nrules + 1, sizeof(int64_t));
        _cleanup_json_ json_t *entries = json_array();
        if (!shared_pids || !entries)
                return err_set(err, -ENOMEM, "out of memory");
        int idx = -1;
        int64_t bytes = quota_rules_size_for(rules, "/", &idx);
        if (bytes > 0) {
                int64_t pid = qid > 0 ? qid : 0;
                if ((r = setup_rootfs(d, id, bytes, &pid, doc, entries, err)) < 0)
                        return r;
                if (quota_rules_is_shared(rules, idx))
                        shared_pids[idx] = pid;
        }
        if ((r = setup_mounts(d, rules, mounts, shared_pids, entries, err)) < 0) {
                setup_undo(d, entries);
                return r;
        }
        /* plain rules that name no mount point change nothing: say so */
        json_t *rule;
        size_t i;
        json_array_foreach(json_object_get(rules, "rules"), i, rule) {
                if (json_is_true(json_object_get(rule, "regex")))
                        continue;
                size_t j;
                json_t *p;
                json_array_foreach(json_object_get(rule, "paths"), j, p) {
                        const char *path = json_string_value(p);
                        bool found = STREQ(path, "/");
                        size_t k;
                        json_t *m;
                        json_array_foreach(mounts, k, m)
                                found |= STREQ(json_get_str(m, "Destination", ""), path);
                        if (found)
                                continue;
                        char msg[600];
                        snprintf(msg, sizeof(msg),
                                 "disk quota for %s: no volume is mounted there, the rule has no effect", path);
                        log_info("container %.12s: %s", id, msg);
                        if (warnings)
                                json_array_append_new(warnings, json_string(msg));
                }
        }
        json_object_set_new(doc, "QuotaUsage",
                            json_pack("{s:s,s:O}", "Backend", pouchd_quota_backend_name(d), "Mounts", entries));
        return 0;
}

void container_quota_release(struct pouchd *d, const char *id)
{
        if (!d->quota)
                return;
        _cleanup_free_ char *key = rootfs_key(id);
        _cleanup_free_ char *rw = container_dir(d, id, "rw");
        if (key && rw && access(rw, F_OK) == 0)
                quota_dir_release(d->quota, key, rw);
}

int container_quota_attach(struct pouchd *d, const char *id, struct pouch_err *err)
{
        if (!d->quota)
                return 0;
        _cleanup_free_ char *key = rootfs_key(id);
        _cleanup_free_ char *rw = container_dir(d, id, "rw");
        if (!key || !rw)
                return err_set(err, -ENOMEM, "out of memory");
        if (access(rw, F_OK) < 0)
                return 0; /* no quota */
        int r = quota_dir_attach(d->quota, key, rw, err);
        if (r < 0)
                err_wrap(err, "cannot attach the disk quota of the container's root filesystem");
        return r;
}

/* ---- usage ------------------------------------------------------------------------------------ */

void container_quota_inspect(struct pouchd *d, const char *id, json_t *doc)
{
        (void) id;
        json_t *qu = json_object_get(doc, "QuotaUsage");
        if (!qu || !d->quota)
                return;
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(qu, "Mounts"), i, e) {
                int64_t used = 0, limit = 0;
                json_object_del(e, "Created");
                if (quota_dir_usage(d->quota, json_get_str(e, "Key", ""), json_get_str(e, "Dir", ""), &used, &limit) <
                    0)
                        continue;
                json_object_set_new(e, "Used", json_integer(used));
                json_object_set_new(e, "Limit", json_integer(limit));
        }
}

int64_t container_quota_size_rw(struct pouchd *d, const char *id)
{
        _cleanup_free_ char *key = rootfs_key(id);
        _cleanup_free_ char *rw = container_dir(d, id, "rw");
        int64_t used = 0, limit = 0;
        if (d->quota && key && rw && access(rw, F_OK) == 0 && quota_dir_usage(d->quota, key, rw, &used, &limit) == 0)
                return used;
        _cleanup_free_ char *diff = container_dir(d, id, "diff");
        int64_t n = diff ? dir_disk_usage(diff) : 0;
        return n > 0 ? n : 0;
}

/* ---- update ----------------------------------------------------------------------------------- */

/* Merge the update's rules into hc's DiskQuota (as an object; a string rule "P=S" becomes P: S). */
static void merge_disk_quota(json_t *hc, const json_t *dq)
{
        json_t *cur = json_object_get(hc, "DiskQuota");
        json_t *map = json_is_object(cur) ? json_deep_copy(cur) : json_object();
        if (json_is_string(cur) && *json_string_value(cur)) {
                const char *s = json_string_value(cur), *eq = strrchr(s, '=');
                _cleanup_free_ char *k = eq ? strndup(s, (size_t) (eq - s)) : strdup("");
                json_object_set_new(map, k ? k : "", json_string(eq ? eq + 1 : s));
        }
        json_t *add = json_object();
        if (json_is_object(dq))
                json_object_update(add, (json_t *) dq);
        json_t *v;
        size_t i;
        json_t *list = json_is_array(dq) ? json_incref((json_t *) dq) : json_pack("[O]", dq);
        json_array_foreach(list, i, v) {
                if (!json_is_string(v))
                        continue;
                const char *s = json_string_value(v), *eq = strrchr(s, '=');
                _cleanup_free_ char *k = eq ? strndup(s, (size_t) (eq - s)) : strdup("");
                json_object_set_new(add, k ? k : "", json_string(eq ? eq + 1 : s));
        }
        json_decref(list);
        json_object_update(map, add);
        json_decref(add);
        json_object_set_new(hc, "DiskQuota", map);
}

int container_quota_update(struct pouchd *d, struct container *c, const json_t *body, json_t *hc, struct pouch_err *err)
{
        const json_t *dq = json_object_get(body, "DiskQuota");
        _cleanup_json_ json_t *rules = NULL;
        int r = rules_of(dq, &rules, err);
        if (r < 0 || !rules || rules_empty(rules))
                return r;
        enum quota_backend b = backend_of(d);
        if (b == QUOTA_BACKEND_NONE)
                return backend_can(d, rules, err);
        if (b == QUOTA_BACKEND_LOOP)
                return err_set(err, -EINVAL,
                               "cannot update the disk quota of container %.12s: the loop quota backend "
                               "cannot resize a quota (live resize needs the prjquota backend); "
                               "recreate the container with the new --disk-quota",
                               c->id);
        pthread_mutex_lock(&d->lock);
        _cleanup_json_ json_t *entries = json_deep_copy(
                json_object_get(json_object_get(c->doc, "QuotaUsage"), "Mounts"));
        pthread_mutex_unlock(&d->lock);
        if (json_array_size(entries) == 0)
                return err_set(err, -EINVAL,
                               "container %.12s has no disk quota: quotas are set when a container is "
                               "created (--disk-quota); update can only resize them",
                               c->id);
        bool matched = false;
        size_t i;
        json_t *e;
        json_array_foreach(entries, i, e) {
                int64_t bytes = quota_rules_size_for(rules, json_get_str(e, "Destination", ""), NULL);
                if (bytes <= 0)
                        continue;
                matched = true;
                if (bytes == json_get_int(e, "Limit", 0))
                        continue;
                r = quota_dir_resize(d->quota, json_get_str(e, "Key", ""), json_get_str(e, "Dir", ""), bytes, err);
                if (r < 0) {
                        err_wrap(err, "cannot resize the disk quota of %s", json_get_str(e, "Destination", ""));
                        return r;
                }
                json_object_set_new(e, "Limit", json_integer(bytes));
        }
        if (!matched)
                return err_set(err, -EINVAL, "the disk quota rules name none of the container's quota mount points");
        merge_disk_quota(hc, dq);
        pthread_mutex_lock(&d->lock);
        json_t *qu = json_object_get(c->doc, "QuotaUsage");
        if (qu)
                json_object_set(qu, "Mounts", entries);
        pthread_mutex_unlock(&d->lock);
        return 0;
}

/* ---- volumes ---------------------------------------------------------------------------------- */

static const char *volume_size_opt(const json_t *options)
{
        const char *s = json_get_str(options, "size", NULL);
        return s ? s : json_get_str(options, "opt.size", NULL);
}

int volume_quota_check(struct pouchd *d, const json_t *options, struct pouch_err *err)
{
        const char *s = volume_size_opt(options);
        if (!s)
                return 0;
        int64_t bytes;
        if (quota_size_parse(s, &bytes) < 0)
                return err_set(err, -EINVAL,
                               "invalid volume size \"%s\": expected a positive integer with an optional "
                               "unit b, k, m, g or t (e.g. 20m)",
                               s);
        _cleanup_json_ json_t *rules = json_pack("{s:[{s:[s],s:I,s:b}]}", "rules", "paths", "/", "size",
                                                 (json_int_t) bytes, "regex", 0);
        int r = backend_can(d, rules, err);
        if (r < 0)
                err_wrap(err, "cannot create a volume of size %s", s);
        return r;
}

int volume_quota_apply(struct pouchd *d, const json_t *doc, struct pouch_err *err)
{
        const char *s = volume_size_opt(json_object_get(doc, "Options"));
        int64_t bytes;
        if (!s || quota_size_parse(s, &bytes) < 0)
                return 0;
        const char *name = json_get_str(doc, "Name", "");
        _cleanup_free_ char *key = volume_key(name);
        if (!key)
                return err_set(err, -EINVAL,
                               "volume %s: the name is too long for a sized volume (at most %d characters)", name,
                               VOLUME_KEY_MAX_NAME);
        int64_t pid = 0;
        int r = quota_dir_set(d->quota, key, json_get_str(doc, "Mountpoint", ""), bytes, &pid, err);
        if (r < 0)
                err_wrap(err, "cannot give volume %s a size of %s", name, s);
        return r;
}

void volume_quota_release(struct pouchd *d, const char *name)
{
        if (!d->quota || !d->volumes)
                return;
        _cleanup_free_ char *key = volume_key(name);
        _cleanup_free_ char *mp = volume_mountpoint(d->volumes, name);
        if (key && mp)
                quota_dir_release(d->quota, key, mp);
}

void volume_quota_status(struct pouchd *d, json_t *doc)
{
        if (!d->quota)
                return;
        _cleanup_free_ char *key = volume_key(json_get_str(doc, "Name", ""));
        int64_t used, limit;
        if (!key || quota_dir_usage(d->quota, key, json_get_str(doc, "Mountpoint", ""), &used, &limit) < 0)
                return;
        json_object_set_new(doc, "Status",
                            json_pack("{s:s,s:I,s:I}", "QuotaBackend", pouchd_quota_backend_name(d), "Limit",
                                      (json_int_t) limit, "Used", (json_int_t) used));
}
