/* In-memory container list, persisted records, and name/ID resolution. */
#include "pouchd.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const status_names[_CONTAINER_STATUS_MAX] = {
        [CONTAINER_CREATED] = "created",   [CONTAINER_RUNNING] = "running",
        [CONTAINER_PAUSED] = "paused",     [CONTAINER_RESTARTING] = "restarting",
        [CONTAINER_REMOVING] = "removing", [CONTAINER_EXITED] = "exited",
        [CONTAINER_DEAD] = "dead",
};

const char *container_status_to_string(enum container_status s)
{
        return s >= 0 && s < _CONTAINER_STATUS_MAX ? status_names[s] : "unknown";
}

enum container_status container_status_from_string(const char *s)
{
        for (int i = 0; s && i < _CONTAINER_STATUS_MAX; i++)
                if (strcmp(s, status_names[i]) == 0)
                        return i;
        return _CONTAINER_STATUS_INVALID;
}

char *container_dir(struct pouchd *d, const char *id, const char *sub)
{
        char *p = NULL;
        if (asprintf(&p, "%s/containers/%s%s%s", d->home, id, sub ? "/" : "", sub ? sub : "") < 0)
                return NULL;
        return p;
}

/* Shim sockets live under a short path: AF_UNIX paths are limited to 108 bytes. */
char *container_run_dir(struct pouchd *d, const char *id, const char *sub)
{
        char *p = NULL;
        if (asprintf(&p, "%s/run/%.12s%s%s", d->home, id, sub ? "/" : "", sub ? sub : "") < 0)
                return NULL;
        return p;
}

const char *container_name(struct container *c)
{
        return json_get_str(c->doc, "Name", "/");
}

struct container *container_new(const char *id, json_t *doc)
{
        struct container *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        snprintf(c->id, sizeof(c->id), "%s", id);
        c->doc = doc;
        c->shim_pidfd = -1;
        c->refs = 1; /* the list's reference */
        pthread_mutex_init(&c->op_lock, NULL);
        return c;
}

void container_free(struct container *c)
{
        if (!c)
                return;
        if (c->shim_pidfd >= 0)
                close(c->shim_pidfd);
        json_decref(c->doc);
        pthread_mutex_destroy(&c->op_lock);
        free(c);
}

void container_list_add_locked(struct pouchd *d, struct container *c)
{
        c->next = d->containers;
        d->containers = c;
}

void container_list_remove_locked(struct pouchd *d, struct container *c)
{
        for (struct container **p = &d->containers; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        c->next = NULL;
                        c->removed = true;
                        break;
                }
}

int container_save_locked(struct pouchd *d, struct container *c)
{
        _cleanup_free_ char *path = container_dir(d, c->id, "config.v2.json");
        if (!path)
                return -ENOMEM;
        int r = json_write_file_atomic(path, c->doc);
        if (r < 0)
                log_error_errno(r, "Failed to save container %.12s state to %s", c->id, path);
        return r;
}

void container_set_status_locked(struct pouchd *d, struct container *c, enum container_status s)
{
        c->status = s;
        json_t *st = json_object_get(c->doc, "State");
        json_object_set_new(st, "Status", json_string(container_status_to_string(s)));
        json_object_set_new(st, "Running", json_boolean(s == CONTAINER_RUNNING || s == CONTAINER_PAUSED));
        json_object_set_new(st, "Paused", json_boolean(s == CONTAINER_PAUSED));
        json_object_set_new(st, "Restarting", json_boolean(s == CONTAINER_RESTARTING));
        json_object_set_new(st, "Dead", json_boolean(s == CONTAINER_DEAD));
        pthread_cond_broadcast(&d->changed);
}

static struct container *find_locked(struct pouchd *d, const char *key, int *ret_matches)
{
        *ret_matches = 0;
        if (!key || !*key)
                return NULL;
        const char *name = key[0] == '/' ? key + 1 : key;
        for (struct container *c = d->containers; c; c = c->next) {
                if (strcmp(c->id, key) == 0 || strcmp(container_name(c) + 1, name) == 0) {
                        *ret_matches = 1;
                        return c;
                }
        }
        struct container *found = NULL;
        size_t n = strlen(key);
        for (struct container *c = d->containers; c; c = c->next)
                if (strncmp(c->id, key, n) == 0) {
                        found = c;
                        (*ret_matches)++;
                }
        return *ret_matches == 1 ? found : NULL;
}

int container_get(struct pouchd *d, const char *name_or_id, struct container **ret, struct pouch_err *err)
{
        int matches;
        pthread_mutex_lock(&d->lock);
        struct container *c = find_locked(d, name_or_id, &matches);
        if (c)
                c->refs++;
        pthread_mutex_unlock(&d->lock);
        if (!c) {
                if (matches > 1)
                        return err_set(err, -EINVAL, "multiple IDs found with provided prefix: %s", name_or_id);
                return err_set(err, -ENOENT, "No such container: %s", name_or_id);
        }
        *ret = c;
        return 0;
}

void container_put(struct pouchd *d, struct container *c)
{
        if (!c)
                return;
        pthread_mutex_lock(&d->lock);
        bool last = --c->refs == 0;
        pthread_mutex_unlock(&d->lock);
        if (last)
                container_free(c);
}

int container_name_reserve_locked(struct pouchd *d, const char *name, struct pouch_err *err)
{
        for (struct container *c = d->containers; c; c = c->next)
                if (strcmp(container_name(c) + 1, name) == 0)
                        return err_set(err, -EEXIST,
                                       "Conflict. The container name \"/%s\" is already in use by container \"%s\". "
                                       "You have to remove (or rename) that container to be able to reuse that name.",
                                       name, c->id);
        return 0;
}

bool containers_image_in_use(void *ud, const char *image_id)
{
        struct pouchd *d = ud;
        bool used = false;
        pthread_mutex_lock(&d->lock);
        for (struct container *c = d->containers; c && !used; c = c->next)
                used = strcmp(json_get_str(c->doc, "Image", ""), image_id) == 0;
        pthread_mutex_unlock(&d->lock);
        return used;
}

/* Load every containers/<id>/config.v2.json. A truncated or malformed record is moved aside
 * (config.v2.json.corrupt) and reported, never fatal for the daemon. */
int containers_load(struct pouchd *d)
{
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "%s/containers", d->home) < 0)
                return -ENOMEM;
        _cleanup_closedir_ DIR *dp = opendir(dir);
        if (!dp)
                return errno == ENOENT ? 0 : -errno;
        struct dirent *de;
        while ((de = readdir(dp))) {
                if (strlen(de->d_name) != 64)
                        continue;
                _cleanup_free_ char *path = container_dir(d, de->d_name, "config.v2.json");
                json_t *doc = NULL;
                char msg[256] = "";
                int r = json_read_file(path, &doc, msg, sizeof(msg));
                if (r < 0) {
                        log_error_errno(r, "Skipping container %.12s: cannot read %s %s", de->d_name, path, msg);
                        if (r == -EINVAL) {
                                _cleanup_free_ char *aside = NULL;
                                if (asprintf(&aside, "%s.corrupt", path) > 0)
                                        rename(path, aside);
                        }
                        continue;
                }
                struct container *c = container_new(de->d_name, doc);
                if (!c) {
                        json_decref(doc);
                        return -ENOMEM;
                }
                enum container_status s = container_status_from_string(
                        json_get_str(json_object_get(doc, "State"), "Status", ""));
                c->status = s < 0 ? CONTAINER_EXITED : s;
                pthread_mutex_lock(&d->lock);
                container_list_add_locked(d, c);
                pthread_mutex_unlock(&d->lock);
        }
        return 0;
}
