/* Volumes of a container: named and anonymous volumes resolved at create, bound at start (with
 * docker's copy-up of image content into a fresh volume), released at removal. */
#include "events.h"
#include "lifecycle.h"
#include "volume/volume.h"
#include "container-quota.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/spawn.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* "src:dst[:opts]" split in place; -EINVAL when malformed. */
static int split_bind(char *s, char **src, char **dst, char **opts)
{
        *src = s;
        *dst = strchr(s, ':');
        if (!*dst)
                return -EINVAL;
        *(*dst)++ = '\0';
        *opts = strchr(*dst, ':');
        if (*opts)
                *(*opts)++ = '\0';
        return **src && **dst ? 0 : -EINVAL;
}

static bool opts_has(const char *opts, const char *word)
{
        if (!opts)
                return false;
        size_t n = strlen(word);
        for (const char *p = opts; (p = strstr(p, word)); p += n)
                if ((p == opts || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
                        return true;
        return false;
}

static bool has_dest(json_t *mounts, const char *dst)
{
        size_t i;
        json_t *m;
        json_array_foreach(mounts, i, m)
                if (strcmp(json_get_str(m, "Destination", ""), dst) == 0)
                        return true;
        return false;
}

static int add_volume_mount(struct pouchd *d, json_t *mounts, const char *name, const char *dst, bool rw, bool nocopy,
                            struct pouch_err *err)
{
        json_t *doc = NULL;
        int r = volume_create(d->volumes, name, NULL, NULL, NULL, &doc, err);
        if (r < 0)
                return r;
        json_array_append_new(mounts,
                              json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:b}", "Type", "volume", "Name",
                                        json_get_str(doc, "Name", ""), "Source", json_get_str(doc, "Mountpoint", ""),
                                        "Destination", dst, "Driver", "local", "Mode", nocopy ? "nocopy" : "z", "RW",
                                        rw, "Propagation", "", "NoCopy", nocopy));
        json_decref(doc);
        return 0;
}

/* The volumes of --volumes-from CONTAINER[:ro|rw]. */
static int volumes_from(struct pouchd *d, const char *spec, json_t *mounts, json_t *binds, struct pouch_err *err)
{
        _cleanup_free_ char *name = strdup(spec);
        if (!name)
                return -ENOMEM;
        char *mode = strchr(name, ':');
        if (mode)
                *mode++ = '\0';
        if (mode && strcmp(mode, "ro") && strcmp(mode, "rw"))
                return err_set(err, -EINVAL, "invalid mode for volumes-from: %s", mode);
        struct container *c = NULL;
        int r = container_get(d, name, &c, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&d->lock);
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(c->doc, "Mounts"), i, m) {
                const char *dst = json_get_str(m, "Destination", "");
                if (has_dest(mounts, dst))
                        continue;
                json_t *copy = json_deep_copy(m);
                if (mode)
                        json_object_set_new(copy, "RW", json_boolean(strcmp(mode, "rw") == 0));
                if (strcmp(json_get_str(m, "Type", ""), "bind") == 0) {
                        char *b = NULL;
                        if (asprintf(&b, "%s:%s:%s", json_get_str(m, "Source", ""), dst,
                                     json_get_bool(copy, "RW", true) ? "rw" : "ro") > 0)
                                json_array_append_new(binds, json_string(b));
                        free(b);
                }
                json_array_append_new(mounts, copy);
        }
        pthread_mutex_unlock(&d->lock);
        container_put(d, c);
        return 0;
}

int container_volumes_prepare(struct pouchd *d, const json_t *config, json_t *hc, json_t **ret_mounts,
                              struct pouch_err *err)
{
        _cleanup_json_ json_t *mounts = json_array();
        size_t i;
        json_t *v;
        int r;
        json_array_foreach(json_object_get(hc, "Binds"), i, v) {
                _cleanup_free_ char *s = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
                char *src, *dst, *opts;
                if (!s || split_bind(s, &src, &dst, &opts) < 0)
                        return err_set(err, -EINVAL, "invalid volume specification: '%s'", json_string_value(v) ?: "");
                bool rw = !opts_has(opts, "ro");
                if (src[0] == '/') {
                        json_array_append_new(mounts, json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "Type", "bind", "Source",
                                                                src, "Destination", dst, "Mode", opts ? opts : "", "RW",
                                                                rw, "Propagation", "rprivate"));
                        continue;
                }
                if (!volume_name_valid(src))
                        return err_set(err, -EINVAL,
                                       "create %s: \"%s\" includes invalid characters for a local volume name, only "
                                       "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
                                       "directory, use absolute path",
                                       src, src);
                if ((r = add_volume_mount(d, mounts, src, dst, rw, opts_has(opts, "nocopy"), err)) < 0)
                        return r;
        }
        json_array_foreach(json_object_get(hc, "Mounts"), i, v) {
                if (strcmp(json_get_str(v, "Type", ""), "volume") != 0)
                        continue;
                const char *dst = json_get_str(v, "Target", "");
                if (dst[0] != '/')
                        return err_set(err, -EINVAL,
                                       "invalid mount config for type \"volume\": invalid mount path: '%s'", dst);
                bool nocopy = json_get_bool(json_object_get(v, "VolumeOptions"), "NoCopy", false);
                if ((r = add_volume_mount(d, mounts, json_get_str(v, "Source", ""), dst,
                                          !json_get_bool(v, "ReadOnly", false), nocopy, err)) < 0)
                        return r;
        }
        json_array_foreach(json_object_get(hc, "VolumesFrom"), i, v) {
                json_t *binds = json_object_get(hc, "Binds");
                if (!json_is_array(binds)) {
                        binds = json_array();
                        json_object_set_new(hc, "Binds", binds);
                }
                if ((r = volumes_from(d, json_string_value(v) ?: "", mounts, binds, err)) < 0)
                        return r;
        }
        /* image VOLUMEs nobody covered get an anonymous volume each */
        const char *dst;
        json_object_foreach((json_t *) json_object_get(config, "Volumes"), dst, v) {
                bool covered = has_dest(mounts, dst) || json_object_get(json_object_get(hc, "Tmpfs"), dst);
                size_t k;
                json_t *m;
                json_array_foreach(json_object_get(hc, "Mounts"), k, m)
                        covered |= strcmp(json_get_str(m, "Target", ""), dst) == 0;
                if (!covered && (r = add_volume_mount(d, mounts, NULL, dst, true, false, err)) < 0)
                        return r;
        }
        *ret_mounts = TAKE_PTR(mounts);
        return 0;
}

static bool dir_is_empty(const char *path)
{
        _cleanup_closedir_ DIR *dir = opendir(path);
        struct dirent *de;
        while (dir && (de = readdir(dir)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        return false;
        return true;
}

/* docker's copy-up: a fresh (empty) volume gets what the image has at its destination. The image
 * side is opened inside the rootfs (openat2 RESOLVE_IN_ROOT) and copied through /proc/self/fd. */
static void copy_up(const char *rootfs, const char *dst, const char *volume_dir)
{
        if (!dir_is_empty(volume_dir))
                return;
        _cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        _cleanup_close_ int src = root < 0 ? -1 : (int) syscall(SYS_openat2, root, dst, &how, sizeof(how));
        if (src < 0)
                return;
        /* the resolved directory's real path (inside the rootfs: the container is not running yet) */
        char fdpath[64], from[4200], to[4200];
        snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", src);
        ssize_t n = readlink(fdpath, from, sizeof(from) - 3);
        if (n <= 0)
                return;
        from[n] = '\0';
        strcat(from, "/.");
        snprintf(to, sizeof(to), "%s/", volume_dir);
        char *argv[] = { "cp", "-a", from, to, NULL };
        struct spawn_result res = { 0 };
        if (spawn_capture(argv, NULL, NULL, 0, &res) < 0 || res.status != 0)
                log_warn("copy of the image's %s into volume %s failed: %s", dst, volume_dir, res.err ? res.err : "");
        spawn_result_done(&res);
}

int container_volumes_resolve(struct pouchd *d, const json_t *mounts, const char *rootfs, json_t *hc,
                              struct pouch_err *err)
{
        (void) d;
        (void) err;
        /* Binds keep only host paths; Mounts drop type volume; volumes come back as host binds */
        json_t *binds = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(hc, "Binds"), i, v) {
                const char *b = json_string_value(v);
                if (b && b[0] == '/')
                        json_array_append(binds, v);
        }
        json_t *hmounts = json_object_get(hc, "Mounts");
        for (size_t k = json_array_size(hmounts); k-- > 0;)
                if (strcmp(json_get_str(json_array_get(hmounts, k), "Type", ""), "volume") == 0)
                        json_array_remove(hmounts, k);
        json_array_foreach(mounts, i, v) {
                if (strcmp(json_get_str(v, "Type", ""), "volume") != 0)
                        continue;
                const char *src = json_get_str(v, "Source", ""), *dst = json_get_str(v, "Destination", "");
                if (!json_get_bool(v, "NoCopy", false))
                        copy_up(rootfs, dst, src);
                char *b = NULL;
                if (asprintf(&b, "%s:%s:%s", src, dst, json_get_bool(v, "RW", true) ? "rw" : "ro") < 0) {
                        json_decref(binds);
                        return -ENOMEM;
                }
                json_array_append_new(binds, json_string(b));
                free(b);
        }
        json_object_set_new(hc, "Binds", binds);
        return 0;
}

bool volume_in_use_locked(struct pouchd *d, const char *name)
{
        for (struct container *c = d->containers; c; c = c->next) {
                size_t i;
                json_t *m;
                json_array_foreach(json_object_get(c->doc, "Mounts"), i, m)
                        if (strcmp(json_get_str(m, "Type", ""), "volume") == 0 &&
                            strcmp(json_get_str(m, "Name", ""), name) == 0)
                                return true;
        }
        return false;
}

void container_volumes_release(struct pouchd *d, json_t *mounts, bool remove_anonymous)
{
        if (!remove_anonymous)
                return;
        size_t i;
        json_t *m;
        json_array_foreach(mounts, i, m) {
                const char *name = json_get_str(m, "Name", "");
                if (strcmp(json_get_str(m, "Type", ""), "volume") != 0 || !volume_is_anonymous(d->volumes, name))
                        continue;
                pthread_mutex_lock(&d->lock);
                bool used = volume_in_use_locked(d, name);
                pthread_mutex_unlock(&d->lock);
                if (!used)
                        volume_quota_release(d, name);
                if (!used && volume_remove(d->volumes, name, NULL) == 0)
                        event_publish(d->events, "volume", "destroy", name, NULL);
        }
}
